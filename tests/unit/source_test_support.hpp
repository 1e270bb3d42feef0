#pragma once

// What the spike-source tests share (test_netstim.cpp,
// test_spike_source_gamma.cpp): a shard of a source population made through
// the registry, run in intervals as the engine does, and the statistics the
// tests check trains with (moments, a Kolmogorov-Smirnov statistic that
// allows for times moved onto the dt grid).

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/model.hpp"
#include "core/spec.hpp"
#include "core/spike_buffer.hpp"
#include "models/registry.hpp"
#include "tests/unit/spec_support.hpp"

namespace ganglion::source_test {

struct spike {
    gid_type gid;
    step_type step;
    bool operator==(const spike&) const = default;
};

using test::standard_models;

// Fixture: makes shards owning `gids` of a population of `model` starting at gid 0.
class shard_fixture : public ::testing::Test {
  protected:
    std::unique_ptr<population_shard> make_shard(const std::string& model,
                                                 const parameter_values& values,
                                                 std::vector<gid_type> gids, double dt,
                                                 std::uint64_t seed, std::size_t population) {
        spec_ = std::make_unique<population_spec>();
        spec_->name = "sources";
        spec_->model = model;
        spec_->size = gids.empty() ? 0 : gids.back() + 1;
        spec_->parameters = values;
        const model_entry* e = standard_models().find(model);
        EXPECT_NE(e, nullptr);
        e->validate(spec_->parameters);
        shard_context ctx;
        ctx.spec = spec_.get();
        ctx.population_index = population;
        ctx.gids = std::move(gids);
        ctx.dt = dt;
        ctx.seed = seed;
        return e->make(ctx);
    }
    std::unique_ptr<population_spec> spec_;
};

// Runs a shard over [from, to) in intervals of `chunk` steps, as the engine does.
inline std::vector<spike> run(population_shard& shard, step_type from, step_type to,
                              step_type chunk = 100) {
    std::vector<spike> out;
    spike_buffer buffer;
    for (step_type a = from; a < to; a += chunk) {
        const step_type b = std::min(to, a + chunk);
        buffer.start_interval(a);
        shard.update(a, b, input_view{}, buffer);
        for (const auto w : buffer.words())
            out.push_back({spike_word::gid(w), a + spike_word::lag(w)});
    }
    return out;
}

inline std::vector<gid_type> range(gid_type n) {
    std::vector<gid_type> g(n);
    for (gid_type i = 0; i < n; ++i)
        g[i] = i;
    return g;
}

inline std::vector<step_type> steps_of(const std::vector<spike>& spikes, gid_type gid) {
    std::vector<step_type> out;
    for (const auto& s : spikes)
        if (s.gid == gid) out.push_back(s.step);
    return out;
}

// Per gid, the spike times (ms) as stamped: (step + 1) dt.
inline std::vector<std::vector<double>> trains(const std::vector<spike>& spikes, gid_type n,
                                               double dt) {
    std::vector<std::vector<double>> t(n);
    for (const auto& s : spikes)
        t[s.gid].push_back(static_cast<double>(s.step + 1) * dt);
    return t;
}

inline std::vector<double> intervals(const std::vector<std::vector<double>>& trains) {
    std::vector<double> isi;
    for (const auto& t : trains)
        for (std::size_t k = 1; k < t.size(); ++k)
            isi.push_back(t[k] - t[k - 1]);
    return isi;
}

struct moments {
    double mean = 0, var = 0, sd = 0;
};
inline moments moments_of(const std::vector<double>& x) {
    moments m;
    const auto n = static_cast<double>(x.size());
    for (const double v : x)
        m.mean += v / n;
    for (const double v : x)
        m.var += (v - m.mean) * (v - m.mean) / (n - 1);
    m.sd = std::sqrt(m.var);
    return m;
}

// The KS statistic of values observed within `slack` of draws from `cdf`
// (values on the dt grid: slack dt), times sqrt(n): compares the empirical
// CDF with cdf(y + slack) from above and cdf(y - slack) from below, never
// larger than the statistic of the drawn (continuous) values.
inline double ks_sqrt_n(std::vector<double> x, const std::function<double(double)>& cdf,
                        double slack) {
    std::sort(x.begin(), x.end());
    const auto n = static_cast<double>(x.size());
    double d = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double above = static_cast<double>(i + 1) / n - cdf(x[i] + slack);
        const double below = cdf(x[i] - slack) - static_cast<double>(i) / n;
        d = std::max({d, above, below});
    }
    return d * std::sqrt(n);
}
// Kolmogorov's distribution: P(sqrt(n) D > 1.949) = 0.001.
constexpr double ks_critical = 1.949;

}  // namespace ganglion::source_test
