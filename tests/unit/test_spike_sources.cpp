// SpikeSourcePoisson and SpikeSourceArray, built through the registry as the
// engine builds them and driven through population_shard::update.
//
// Poisson statistics are checked against their exact distributions with
// tolerances of 4 standard deviations of the estimator (Poisson variance
// for counts, binomial variance for frequencies). The streams are
// counter-based and the seeds fixed, so each test is deterministic: a
// tolerance is the width a correct generator needs for an arbitrary seed,
// and a biased one (wrong lambda, a step skipped or counted twice, one
// stream shared between sources) falls far outside it.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/model.hpp"
#include "core/spec.hpp"
#include "core/spike_buffer.hpp"
#include "models/registry.hpp"
#include "tests/unit/source_test_support.hpp"

namespace ganglion {
namespace {

using source_test::run;
using source_test::spike;
using source_test::steps_of;

class sources : public ::testing::Test {
  protected:
    sources() { register_standard_models(registry_); }

    // A shard of `model` owning `gids` of a population of `size` starting at gid 0.
    std::unique_ptr<population_shard> make(const std::string& model, parameter_values values,
                                           std::vector<gid_type> gids, double dt,
                                           std::uint64_t seed = 1, std::size_t population = 0,
                                           std::uint64_t size = 0) {
        spec_ = std::make_unique<population_spec>();
        spec_->name = "src";
        spec_->model = model;
        spec_->size = size ? size : (gids.empty() ? 0 : gids.back() + 1);
        spec_->parameters = std::move(values);
        const model_entry* e = registry_.find(model);
        EXPECT_NE(e, nullptr);
        e->validate(spec_->parameters);
        shard_context ctx;
        ctx.spec = spec_.get();
        ctx.population_index = population;
        ctx.first_gid = 0;
        ctx.gids = std::move(gids);
        ctx.dt = dt;
        ctx.seed = seed;
        return e->make(ctx);
    }

    model_registry registry_;
    std::unique_ptr<population_spec> spec_;  // of the last shard made
};

parameter_values poisson(double rate, double start = 0, double duration = 1e10) {
    parameter_values v;
    v.scalars = {{"rate", rate}, {"start", start}, {"duration", duration}};
    return v;
}

std::vector<gid_type> range(gid_type n) {
    std::vector<gid_type> g(n);
    for (gid_type i = 0; i < n; ++i)
        g[i] = i;
    return g;
}

// ---------------------------------------------------------------------------
// SpikeSourcePoisson

TEST_F(sources, PoissonMeanCountMatchesRate) {
    // 200 sources x 5 s at 20 Hz: 20000 spikes expected, sd sqrt(20000) = 141.
    const gid_type n = 200;
    const double rate = 20, dt = 0.1, t = 5000;
    auto shard = make("SpikeSourcePoisson", poisson(rate), range(n), dt);
    const auto spikes = run(*shard, 0, static_cast<step_type>(t / dt), 1000);
    const double expected = n * rate * t * 1e-3;
    EXPECT_NEAR(static_cast<double>(spikes.size()), expected, 4 * std::sqrt(expected));

    // Per source: counts Poisson(100), so their variance across sources is
    // their mean (Fano factor 1; sources sharing or correlating draws would
    // not be). The sample variance of 200 counts has relative sd
    // sqrt(2 / 199) = 0.10: 4 sd = 0.4.
    std::vector<double> counts(n, 0);
    for (const auto& s : spikes)
        counts[s.gid] += 1;
    double mean = 0, var = 0;
    for (const double c : counts)
        mean += c / n;
    for (const double c : counts)
        var += (c - mean) * (c - mean) / (n - 1);
    std::printf("Poisson 20 Hz: %zu spikes (expected %.0f), Fano factor across sources %.3f\n",
                spikes.size(), expected, var / mean);
    EXPECT_NEAR(var / mean, 1.0, 0.4);
}

TEST_F(sources, PoissonCountsPerStepArePoisson) {
    // 2000 Hz at dt 0.1 ms: lambda = 0.2 per step. Over 100 sources x 10000
    // steps = 1e6 (source, step) samples, the frequency of k spikes per step
    // must be P(k) = exp(-lambda) lambda^k / k!, within 4 binomial sd
    // sqrt(P (1 - P) / 1e6) (e.g. 1.5e-3 absolute on P(0) = 0.819, 5.2e-4 on
    // P(>=2) = 0.0175).
    const gid_type n = 100;
    const step_type steps = 10000;
    const double lambda = 0.2;
    auto shard = make("SpikeSourcePoisson", poisson(2000), range(n), 0.1);
    std::map<std::pair<gid_type, step_type>, int> per_step;
    for (const auto& s : run(*shard, 0, steps, 500))
        ++per_step[{s.gid, s.step}];
    std::vector<double> freq(4, 0);  // 0, 1, 2, >= 3
    for (const auto& [key, count] : per_step)
        freq[std::min(count, 3)] += 1;
    const double samples = static_cast<double>(n) * steps;
    freq[0] = samples - freq[1] - freq[2] - freq[3];
    const double e = std::exp(-lambda);
    const std::vector<double> p = {e, e * lambda, e * lambda * lambda / 2,
                                   1 - e * (1 + lambda + lambda * lambda / 2)};
    std::printf(
        "Poisson lambda 0.2: P(0..2, >=3) measured %.5f %.5f %.5f %.5f, exact %.5f %.5f "
        "%.5f %.5f\n",
        freq[0] / samples, freq[1] / samples, freq[2] / samples, freq[3] / samples, p[0], p[1],
        p[2], p[3]);
    for (std::size_t k = 0; k < 4; ++k) {
        const double sd = std::sqrt(p[k] * (1 - p[k]) / samples);
        EXPECT_NEAR(freq[k] / samples, p[k], 4 * sd) << "P(" << k << (k == 3 ? "+)" : ")");
    }
    // P(>= 2) as the brief states it.
    const double p2 = p[2] + p[3];
    EXPECT_NEAR((freq[2] + freq[3]) / samples, p2, 4 * std::sqrt(p2 * (1 - p2) / samples));
}

TEST_F(sources, PoissonIntervalsAreExponential) {
    // 50 Hz, dt 0.1 ms, 100 sources x 20 s: ~1e5 intervals. For a Poisson
    // process the intervals are exponential: mean 1/rate, CV 1 and
    // P(ISI > mean) = 1/e. On the grid (times rounded up to step ends, two
    // spikes in one step with probability ~lambda/2 = 0.0025 giving an
    // interval 0) the mean is unchanged and CV and P(ISI > mean) move by
    // less than 0.003. Tolerances: 4 sd of each estimator over 1e5 intervals
    // (mean: 4 x 20 / sqrt(1e5) = 0.25 ms; CV: ~4 / sqrt(1e5) = 0.013, plus
    // 0.003 for the grid; frequency: 4 x sqrt(0.23 / 1e5) = 0.006).
    const gid_type n = 100;
    const double rate = 50, dt = 0.1;
    auto shard = make("SpikeSourcePoisson", poisson(rate), range(n), dt);
    std::vector<std::vector<double>> times(n);
    for (const auto& s : run(*shard, 0, 200000, 2000))
        times[s.gid].push_back(static_cast<double>(s.step + 1) * dt);
    std::vector<double> isi;
    for (auto& t : times) {
        ASSERT_TRUE(std::is_sorted(t.begin(), t.end()));
        for (std::size_t k = 1; k < t.size(); ++k)
            isi.push_back(t[k] - t[k - 1]);
    }
    ASSERT_GT(isi.size(), 90000u);
    double mean = 0, var = 0, above = 0;
    for (const double x : isi)
        mean += x / static_cast<double>(isi.size());
    for (const double x : isi) {
        var += (x - mean) * (x - mean) / static_cast<double>(isi.size() - 1);
        above += x > 1000.0 / rate + 1e-9 ? 1 : 0;
    }
    std::printf("Poisson 50 Hz: %zu intervals, mean %.4f ms, CV %.4f, P(ISI > 20 ms) %.4f\n",
                isi.size(), mean, std::sqrt(var) / mean, above / static_cast<double>(isi.size()));
    EXPECT_NEAR(mean, 1000.0 / rate, 0.25);
    EXPECT_NEAR(std::sqrt(var) / mean, 1.0, 0.016);
    EXPECT_NEAR(above / static_cast<double>(isi.size()), std::exp(-1.0), 0.006);
}

TEST_F(sources, PoissonSpikesOnlyWithinStartAndDuration) {
    // Active for spike times in (start, start + duration]: at 5000 Hz
    // (lambda 0.5 per step) x 50 sources, every step of the window has
    // spikes (P(none) = exp(-25)), so the first and last steps are checked
    // too, not only the absence of spikes outside.
    const double dt = 0.1, start = 100, duration = 200;
    auto shard = make("SpikeSourcePoisson", poisson(5000, start, duration), range(50), dt);
    const auto spikes = run(*shard, 0, 5000, 700);
    ASSERT_FALSE(spikes.empty());
    step_type first = 1 << 30, last = -1;
    for (const auto& s : spikes) {
        const double t = static_cast<double>(s.step + 1) * dt;
        EXPECT_GT(t, start + 1e-9);
        EXPECT_LE(t, start + duration + 1e-9);
        first = std::min(first, s.step);
        last = std::max(last, s.step);
    }
    EXPECT_EQ(first, 1000);  // spike time 100.1 ms
    EXPECT_EQ(last, 2999);   // spike time 300.0 ms

    // A start off the grid: still no spike at or before it.
    auto off = make("SpikeSourcePoisson", poisson(5000, 50.03, 10), range(50), dt);
    for (const auto& s : run(*off, 0, 1000))
        EXPECT_GT(static_cast<double>(s.step + 1) * dt, 50.03);

    // Rate 0: nothing at all.
    auto silent = make("SpikeSourcePoisson", poisson(0), range(50), dt);
    EXPECT_TRUE(run(*silent, 0, 10000).empty());
}

TEST_F(sources, PoissonTrainOfAGidIsIndependentOfItsShard) {
    // Invariant 1: the train of gid 5 is the same whichever other gids its
    // thread owns, and however the run is cut into intervals.
    const auto alone = run(*make("SpikeSourcePoisson", poisson(300), {5}, 0.1), 0, 20000, 100);
    auto shared_all = run(*make("SpikeSourcePoisson", poisson(300), {1, 5, 9}, 0.1), 0, 20000, 37);
    std::vector<spike> shared;
    for (const auto& s : shared_all)
        if (s.gid == 5) shared.push_back(s);
    ASSERT_GT(alone.size(), 300u);  // ~600 expected
    EXPECT_EQ(alone, shared);
    // The other gids have their own trains.
    std::vector<step_type> steps1, steps5;
    for (const auto& s : shared_all)
        (s.gid == 1 ? steps1 : steps5).push_back(s.step);
    EXPECT_NE(steps1, steps5);
}

TEST_F(sources, PoissonSeedsAndPopulationsGiveDifferentTrains) {
    const auto a = run(*make("SpikeSourcePoisson", poisson(300), range(4), 0.1, 1), 0, 10000);
    const auto a_again = run(*make("SpikeSourcePoisson", poisson(300), range(4), 0.1, 1), 0, 10000);
    const auto b = run(*make("SpikeSourcePoisson", poisson(300), range(4), 0.1, 2), 0, 10000);
    const auto c = run(*make("SpikeSourcePoisson", poisson(300), range(4), 0.1, 1, 1, 4), 0, 10000);
    ASSERT_GT(a.size(), 500u);  // ~1200 expected
    EXPECT_EQ(a, a_again);
    EXPECT_NE(a, b);  // another seed
    EXPECT_NE(a, c);  // another population, same seed and gids
    // Not just shifted or slightly perturbed: few common (gid, step) pairs
    // (for independent trains ~3% of a's spikes, by chance).
    std::size_t common = 0;
    for (const auto& s : a)
        common += std::count(b.begin(), b.end(), s) > 0 ? 1 : 0;
    EXPECT_LT(common, a.size() / 10);
}

// ---------------------------------------------------------------------------
// SpikeSourceArray

parameter_values spike_times(std::vector<std::vector<double>> lists) {
    parameter_values v;
    v.lists["spike_times"] = std::move(lists);
    return v;
}

TEST_F(sources, ArrayTimeIsEmittedInStepRoundedMinusOne) {
    // Step round(t / dt) - 1, whose stamp (step + 1) dt is t on the grid.
    auto a = make("SpikeSourceArray", spike_times({{0.1, 1.0, 2.5, 2.54, 2.56, 7.0}}), {0}, 0.1);
    EXPECT_EQ(steps_of(run(*a, 0, 1000), 0), (std::vector<step_type>{0, 9, 24, 24, 25, 69}));
    auto b = make("SpikeSourceArray", spike_times({{1.0, 2.4, 2.6, 10.0}}), {0}, 1.0);
    EXPECT_EQ(steps_of(run(*b, 0, 100), 0), (std::vector<step_type>{0, 1, 2, 9}));
}

TEST_F(sources, ArraySharedAndPerNeuronLists) {
    // One list: every neuron fires at its times.
    auto shared = make("SpikeSourceArray", spike_times({{1.0, 2.0}}), range(3), 0.1);
    const auto s = run(*shared, 0, 100);
    for (gid_type g = 0; g < 3; ++g)
        EXPECT_EQ(steps_of(s, g), (std::vector<step_type>{9, 19}));
    // One list per neuron, also when a shard owns only some of them.
    const std::vector<std::vector<double>> lists = {{1.0}, {2.0, 3.0}, {}};
    const auto all = run(*make("SpikeSourceArray", spike_times(lists), range(3), 0.1), 0, 100);
    EXPECT_EQ(steps_of(all, 0), (std::vector<step_type>{9}));
    EXPECT_EQ(steps_of(all, 1), (std::vector<step_type>{19, 29}));
    EXPECT_TRUE(steps_of(all, 2).empty());
    const auto part = run(*make("SpikeSourceArray", spike_times(lists), {1}, 0.1, 1, 0, 3), 0, 100);
    EXPECT_EQ(part, (std::vector<spike>{{1, 19}, {1, 29}}));
    // No spike_times at all: silent.
    EXPECT_TRUE(run(*make("SpikeSourceArray", parameter_values{}, range(2), 0.1), 0, 100).empty());
}

TEST_F(sources, ArrayUnsortedTimesAreSorted) {
    auto a = make("SpikeSourceArray", spike_times({{5.0, 1.0, 3.0, 1.0}}), {0}, 0.1);
    // In time order, duplicates kept, and none lost when the interval
    // boundaries fall between them.
    EXPECT_EQ(steps_of(run(*a, 0, 100, 20), 0), (std::vector<step_type>{9, 9, 29, 49}));
}

TEST_F(sources, ArrayTimeBeforeFirstStepEndIsAModelFileError) {
    for (const double t : {0.0, 0.04}) {
        try {
            make("SpikeSourceArray", spike_times({{1.0, t}}), {0}, 0.1, 1, 3);
            ADD_FAILURE() << "no error for spike time " << t;
        } catch (const model_file_error& e) {
            EXPECT_EQ(e.path(), "populations[3].parameters.spike_times");
            EXPECT_NE(e.problem().find("dt"), std::string::npos) << e.what();
        }
    }
    // Negative or non-finite times are rejected by validate().
    const model_entry* e = registry_.find("SpikeSourceArray");
    EXPECT_THROW(e->validate(spike_times({{1.0, -2.0}})), parameter_error);
    EXPECT_THROW(e->validate(spike_times({{std::nan("")}})), parameter_error);
}

TEST_F(sources, ArrayUpdateSplitOverIntervalsEmitsTheSame) {
    // Times in steps 0, 2, 3, 3, 9 and 10: around and on the boundary 3.
    const auto times = spike_times({{0.1, 0.3, 0.4, 0.4, 1.0, 1.1}, {0.4, 0.9}});
    auto one = make("SpikeSourceArray", times, range(2), 0.1);
    auto split = make("SpikeSourceArray", times, range(2), 0.1);
    spike_buffer b1;
    b1.start_interval(0);
    one->update(0, 10, input_view{}, b1);
    std::vector<spike> whole, parts;
    for (const auto w : b1.words())
        whole.push_back({spike_word::gid(w), spike_word::lag(w)});
    spike_buffer b2;
    for (const auto& [from, to] : {std::pair<step_type, step_type>{0, 3}, {3, 10}}) {
        b2.start_interval(from);
        split->update(from, to, input_view{}, b2);
        for (const auto w : b2.words())
            parts.push_back({spike_word::gid(w), from + spike_word::lag(w)});
    }
    const auto by_gid_then_step = [](const spike& a, const spike& b) {
        return a.gid != b.gid ? a.gid < b.gid : a.step < b.step;
    };
    std::sort(whole.begin(), whole.end(), by_gid_then_step);
    std::sort(parts.begin(), parts.end(), by_gid_then_step);
    EXPECT_EQ(whole, parts);
    EXPECT_EQ(whole, (std::vector<spike>{{0, 0}, {0, 2}, {0, 3}, {0, 3}, {0, 9}, {1, 3}, {1, 8}}));
}

TEST_F(sources, ArrayRunStartingLaterSkipsEarlierTimes) {
    // A shard first updated at step 20 (e.g. after a checkpoint) does not
    // emit the times of steps before 20.
    auto a = make("SpikeSourceArray", spike_times({{1.0, 2.0, 2.1, 3.0}}), {0}, 0.1);
    EXPECT_EQ(steps_of(run(*a, 20, 100), 0), (std::vector<step_type>{20, 29}));
}

}  // namespace
}  // namespace ganglion
