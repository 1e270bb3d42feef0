// SpikeSourceGamma (models/spike_source_gamma.cpp) against the gamma renewal
// process it defines: intervals Gamma(alpha, rate beta) (mean alpha / beta,
// CV^2 = 1 / alpha), the first spike at the equilibrium forward recurrence
// time after start (so the rate is beta / alpha from start on), spikes in
// (start, start + duration].
//
// Statistics are checked within 3 standard errors of the estimator, and
// distributions by a Kolmogorov-Smirnov test at the 0.001 level against
// CDFs from Boost.Math's regularised incomplete gamma functions. Spikes come
// out on the dt grid (each time moved by at most dt / 2), so an interval
// observed as y lies within dt of the drawn one: the KS statistic compares
// the empirical CDF with F(y + dt) from above and F(y - dt) from below, which
// is never larger than the statistic of the drawn (continuous) values.
// The streams are counter-based and the seeds fixed: each test is
// deterministic.

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "comm/serial_communicator.hpp"
#include "core/error.hpp"
#include "core/model.hpp"
#include "core/simulation.hpp"
#include "core/spec.hpp"
#include "core/spike_buffer.hpp"
#include "models/registry.hpp"
#include "tests/unit/source_test_support.hpp"

namespace ganglion {
namespace {

struct gamma_parameters {
    double alpha = 2, beta = 1, start = 0, duration = 1e10;
    parameter_values values() const {
        parameter_values v;
        v.scalars = {{"alpha", alpha}, {"beta", beta}, {"start", start}, {"duration", duration}};
        return v;
    }
};

class gamma_source : public source_test::shard_fixture {
  protected:
    std::unique_ptr<population_shard> make(const gamma_parameters& p, std::vector<gid_type> gids,
                                           double dt, std::uint64_t seed = 1,
                                           std::size_t population = 0) {
        return make_shard("SpikeSourceGamma", p.values(), std::move(gids), dt, seed, population);
    }
};

using namespace source_test;

// ---------------------------------------------------------------------------
// Intervals

TEST_F(gamma_source, intervals_are_gamma_with_mean_alpha_over_beta_and_cv2_one_over_alpha) {
    // For each shape, beta = 50 alpha Hz (mean interval 20 ms) and 200
    // sources x 10 s: ~1e5 intervals. Standard errors of Gamma(k, theta)
    // samples: mean sqrt(k) theta / sqrt(n); CV^2 (delta method with the
    // gamma's third and fourth moments) sqrt(2 (k + 1) / k^3 / n). KS against
    // P(k, x / theta) (Boost's gamma_p). alpha = 1 is a Poisson process.
    const gid_type n = 200;
    const double dt = 0.1;
    for (const double alpha : {0.5, 1.0, 2.0, 5.0}) {
        SCOPED_TRACE("alpha " + std::to_string(alpha));
        const double beta = 50 * alpha, theta = 1000 / beta, mean = alpha * theta;
        const gamma_parameters p{.alpha = alpha, .beta = beta};
        const auto tr = trains(run(*make(p, range(n), dt, 5), 0, 100000, 5000), n, dt);
        std::vector<double> isi;
        for (const auto& t : tr)
            for (std::size_t k = 1; k < t.size(); ++k)
                isi.push_back(t[k] - t[k - 1]);
        ASSERT_GT(isi.size(), 95000u);
        const double count = static_cast<double>(isi.size());
        const auto m = moments_of(isi);
        const double cv2 = m.var / (m.mean * m.mean);
        const double se_mean = std::sqrt(alpha) * theta / std::sqrt(count);
        const double se_cv2 = std::sqrt(2 * (alpha + 1) / (alpha * alpha * alpha) / count);
        const double ks = ks_sqrt_n(
            isi, [&](double x) { return x <= 0 ? 0.0 : boost::math::gamma_p(alpha, x / theta); },
            dt);
        std::printf(
            "alpha %.1f: %zu intervals, mean %.4f ms (expected %.1f, SE %.4f), CV^2 %.4f "
            "(expected %.4f, SE %.4f), KS sqrt(n) D %.3f\n",
            alpha, isi.size(), m.mean, mean, se_mean, cv2, 1 / alpha, se_cv2, ks);
        EXPECT_NEAR(m.mean, mean, 3 * se_mean);
        EXPECT_NEAR(cv2, 1 / alpha, 3 * se_cv2);
        EXPECT_LT(ks, ks_critical);
    }
}

// ---------------------------------------------------------------------------
// The first spike: in equilibrium from start

// The forward recurrence time of a stationary Gamma(k, theta) renewal
// process: density (1 - P(k, t / theta)) / (k theta), CDF
// (t Q(k, t / theta) + k theta P(k + 1, t / theta)) / (k theta).
double forward_recurrence_cdf(double t, double k, double theta) {
    if (t <= 0) return 0;
    using boost::math::gamma_p;
    using boost::math::gamma_q;
    return (t * gamma_q(k, t / theta) + k * theta * gamma_p(k + 1, t / theta)) / (k * theta);
}

TEST_F(gamma_source, first_spike_is_the_equilibrium_forward_recurrence_time) {
    // 20000 sources, alpha 4 (an ordinary renewal process started at `start`
    // would have its first spike a whole Gamma(4) interval later: mean 4
    // theta, not 2.5 theta). Mean (k + 1) theta / 2, sd sqrt((k + 1) (k + 5)
    // / 12) theta; KS against the forward recurrence CDF (slack dt / 2: one
    // rounded time, start on the grid).
    const gid_type n = 20000;
    const double dt = 0.1, start = 30, alpha = 4, beta = 200, theta = 1000 / beta;
    const gamma_parameters p{.alpha = alpha, .beta = beta, .start = start};
    const auto tr = trains(run(*make(p, range(n), dt, 9), 0, 3000, 1000), n, dt);
    std::vector<double> delay;
    for (const auto& t : tr) {
        ASSERT_FALSE(t.empty());
        delay.push_back(t[0] - start);
    }
    const auto m = moments_of(delay);
    const double mean = (alpha + 1) * theta / 2;
    const double se = std::sqrt((alpha + 1) * (alpha + 5) / 12) * theta / std::sqrt(n);
    const double ks = ks_sqrt_n(
        delay, [&](double t) { return forward_recurrence_cdf(t, alpha, theta); }, dt / 2);
    std::printf("first spike: mean delay %.4f ms (expected %.4f, SE %.4f), KS sqrt(n) D %.3f\n",
                m.mean, mean, se, ks);
    EXPECT_NEAR(m.mean, mean, 3 * se);
    EXPECT_LT(ks, ks_critical);
}

TEST_F(gamma_source, rate_is_beta_over_alpha_from_start_on) {
    // In equilibrium the expected count in any window of length T is
    // T beta / alpha: no transient after start. 20000 sources, alpha 4,
    // beta 200 Hz (mean interval 20 ms), the window (start, start + 10 ms] at
    // dt 0.01 (rounding at the window's edges moves the count by ~0.05 SE):
    // 10000 spikes expected, SE from the counts' sample variance.
    const gid_type n = 20000;
    const double dt = 0.01, start = 30, window = 10;
    const gamma_parameters p{.alpha = 4, .beta = 200, .start = start};
    const auto spikes = run(*make(p, range(n), dt, 13), 0, 5000, 1000);
    std::vector<double> counts(n, 0);
    for (const auto& s : spikes) {
        const double t = static_cast<double>(s.step + 1) * dt;
        if (t > start + 1e-9 && t <= start + window + 1e-9) counts[s.gid] += 1;
    }
    const auto m = moments_of(counts);
    const double expected = window * 200 / 4 / 1000;
    const double se = std::sqrt(m.var / n);
    std::printf("spikes per source in the first %.0f ms: %.4f (expected %.4f, SE %.4f)\n", window,
                m.mean, expected, se);
    EXPECT_NEAR(m.mean, expected, 3 * se);
}

// ---------------------------------------------------------------------------
// start, duration, beta 0

TEST_F(gamma_source, spikes_only_within_start_and_duration) {
    // 100 sources at 2000 Hz (alpha 2, beta 4000): every step of the window
    // has spikes, so its first and last steps are checked too. Times in
    // (start, start + duration] = (100, 300], stamped to the nearest step end.
    const double dt = 0.1;
    const gamma_parameters p{.alpha = 2, .beta = 4000, .start = 100, .duration = 200};
    const auto spikes = run(*make(p, range(100), dt), 0, 5000, 700);
    ASSERT_FALSE(spikes.empty());
    step_type first = 1 << 30, last = -1;
    for (const auto& s : spikes) {
        first = std::min(first, s.step);
        last = std::max(last, s.step);
    }
    EXPECT_EQ(first, 999);  // stamp 100.0: a time in (100, 100.05)
    EXPECT_EQ(last, 2999);  // stamp 300.0
    // Start 0 (the default): a time below dt / 2 goes to the first step.
    const auto from0 = run(*make({.alpha = 1, .beta = 5000}, range(100), dt), 0, 100);
    ASSERT_FALSE(from0.empty());
    EXPECT_EQ(std::min_element(from0.begin(), from0.end(),
                               [](const spike& a, const spike& b) { return a.step < b.step; })
                  ->step,
              0);
    // beta 0: silent; a tiny beta puts every spike beyond any run (without
    // overflowing the step); duration 0: silent (no time in (start, start]).
    EXPECT_TRUE(run(*make({.beta = 0}, range(50), dt), 0, 10000).empty());
    EXPECT_TRUE(run(*make({.beta = 1e-300}, range(50), dt), 0, 10000).empty());
    EXPECT_TRUE(run(*make({.beta = 1e-310}, range(50), dt), 0, 10000).empty());
    EXPECT_TRUE(
        run(*make({.beta = 4000, .start = 10, .duration = 0}, range(50), dt), 0, 1000).empty());
}

TEST_F(gamma_source, a_run_starting_later_skips_earlier_spikes) {
    const gamma_parameters p{.alpha = 3, .beta = 300};
    const auto whole = steps_of(run(*make(p, {0}, 0.1), 0, 2000), 0);
    const auto later = steps_of(run(*make(p, {0}, 0.1), 1000, 2000), 0);
    std::vector<step_type> tail;
    for (const step_type s : whole)
        if (s >= 1000) tail.push_back(s);
    ASSERT_GT(tail.size(), 5u);  // ~10
    EXPECT_EQ(later, tail);
}

// ---------------------------------------------------------------------------
// Invariant 1: the same trains whatever the split

TEST_F(gamma_source, train_of_a_gid_is_independent_of_its_shard_and_intervals) {
    const gamma_parameters p{.alpha = 2.5, .beta = 500};
    const auto alone = run(*make(p, {5}, 0.1), 0, 20000, 100);
    const auto shared = run(*make(p, {1, 5, 9}, 0.1), 0, 20000, 37);
    const auto all = run(*make(p, range(12), 0.1), 0, 20000, 1000);
    ASSERT_GT(alone.size(), 300u);  // ~400
    EXPECT_EQ(steps_of(alone, 5), steps_of(shared, 5));
    EXPECT_EQ(steps_of(alone, 5), steps_of(all, 5));
    EXPECT_EQ(steps_of(shared, 9), steps_of(all, 9));
    EXPECT_NE(steps_of(all, 1), steps_of(all, 5)) << "each gid has its own stream";
    EXPECT_NE(steps_of(run(*make(p, {5}, 0.1, 2), 0, 20000), 5), steps_of(alone, 5));
    EXPECT_NE(steps_of(run(*make(p, {5}, 0.1, 1, 3), 0, 20000), 5), steps_of(alone, 5));
}

TEST(gamma_source_simulation, same_spikes_for_1_and_2_threads) {
    model_spec spec;
    spec.simulation.dt = 0.1;
    spec.simulation.tstop = 300;
    spec.simulation.seed = 77;
    population_spec src;
    src.name = "gamma";
    src.model = "SpikeSourceGamma";
    src.size = 40;
    src.parameters.scalars = {{"alpha", 3.0}, {"beta", 150.0}, {"start", 20.0}};
    src.record_spikes = true;
    spec.populations.push_back(src);
    std::vector<recorded_spikes> first;
    for (const int threads : {1, 2}) {
        SCOPED_TRACE(std::to_string(threads) + " threads");
        serial_communicator comm;
        simulation sim(spec, standard_models(), comm, threads);
        sim.run();
        const auto& rec = sim.recorded().at(0);
        if (threads == 1) {
            first = sim.recorded();
            EXPECT_GT(rec.time.size(), 400u);  // 40 x 280 ms x 50 Hz = 560 expected
            continue;
        }
        EXPECT_EQ(rec.node_id, first[0].node_id);
        EXPECT_EQ(rec.time, first[0].time);
    }
}

// ---------------------------------------------------------------------------
// Bad parameters

TEST(gamma_source_parameters, out_of_range_values_name_parameter_value_and_range) {
    const model_entry* e = standard_models().find("SpikeSourceGamma");
    ASSERT_NE(e, nullptr);
    struct bad_case {
        const char* name;
        double value;
        const char* allowed;
    };
    for (const auto& c : std::vector<bad_case>{{"alpha", 0, ">= 0.01"},
                                               {"alpha", -2, ">= 0.01"},
                                               {"alpha", 0.001, ">= 0.01"},
                                               {"beta", -1, ">= 0"},
                                               {"start", -1, ">= 0"},
                                               {"duration", -1, ">= 0"}}) {
        SCOPED_TRACE(std::string(c.name) + " = " + std::to_string(c.value));
        parameter_values v;
        v.scalars[c.name] = c.value;
        try {
            e->validate(v);
            ADD_FAILURE() << "no error";
        } catch (const parameter_error& err) {
            EXPECT_EQ(err.model(), "SpikeSourceGamma");
            EXPECT_EQ(err.parameter(), c.name);
            EXPECT_NE(err.problem().find(c.allowed), std::string::npos) << err.what();
            EXPECT_NE(err.problem().find("got "), std::string::npos) << err.what();
        }
    }
    parameter_values ok;
    ok.scalars = {{"alpha", 0.01}, {"beta", 0.0}, {"start", 0.0}, {"duration", 0.0}};
    EXPECT_NO_THROW(e->validate(ok));
}

}  // namespace
}  // namespace ganglion
