// NetStim (models/netstim.cpp) against NEURON's NetStim.mod semantics:
// noise 0 gives exactly start, start + interval, ... (`number` spikes, on
// SpikeSourceArray's grid rule); duration cuts the train; with noise the
// intervals are (1 - noise) interval + noise Exp(interval) and the first
// spike is start + noise Exp(interval).
//
// Statistics are checked within 3 standard errors of the estimator, and
// distributions by a Kolmogorov-Smirnov test at the 0.001 level. Spikes come
// out on the dt grid (each time moved by at most dt / 2), so an interval
// observed as y lies within dt of the drawn one: the KS statistic compares
// the empirical CDF with F(y + dt) from above and F(y - dt) from below, which
// is never larger than the statistic of the drawn (continuous) intervals.
// The streams are counter-based and the seeds fixed: each test is
// deterministic.

#include <gtest/gtest.h>

#include <algorithm>
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

struct netstim_parameters {
    double start = 50, interval = 10, number = 10, noise = 0, duration = 1e10;
    parameter_values values() const {
        parameter_values v;
        v.scalars = {{"start", start},
                     {"interval", interval},
                     {"number", number},
                     {"noise", noise},
                     {"duration", duration}};
        return v;
    }
};

class netstim : public source_test::shard_fixture {
  protected:
    std::unique_ptr<population_shard> make(const netstim_parameters& p, std::vector<gid_type> gids,
                                           double dt, std::uint64_t seed = 1,
                                           std::size_t population = 0) {
        return make_shard("NetStim", p.values(), std::move(gids), dt, seed, population);
    }
};

using namespace source_test;

// ---------------------------------------------------------------------------
// noise 0: NEURON's regular train

TEST_F(netstim, noise_0_fires_number_spikes_at_start_plus_k_interval) {
    // Defaults: start 50, interval 10, number 10: 50, 60, ..., 140 ms, in
    // steps round(t / dt) - 1.
    netstim_parameters p;
    const auto spikes = run(*make(p, range(3), 0.1), 0, 5000, 64);
    for (gid_type g = 0; g < 3; ++g)
        EXPECT_EQ(steps_of(spikes, g),
                  (std::vector<step_type>{499, 599, 699, 799, 899, 999, 1099, 1199, 1299, 1399}));
    // Off the step: start 1.0, interval 0.3 at dt 0.1 (times 1.0, 1.3, 1.6, 1.9).
    p = {.start = 1.0, .interval = 0.3, .number = 4};
    EXPECT_EQ(steps_of(run(*make(p, {0}, 0.1), 0, 1000), 0),
              (std::vector<step_type>{9, 12, 15, 18}));
    // Off the grid, rounded to the nearest step end: start 2.04, interval
    // 2.53 at dt 0.1 (2.04, 4.57, 7.10 -> 2.0, 4.6, 7.1).
    p = {.start = 2.04, .interval = 2.53, .number = 3};
    EXPECT_EQ(steps_of(run(*make(p, {0}, 0.1), 0, 1000), 0), (std::vector<step_type>{19, 45, 70}));
}

TEST_F(netstim, several_spikes_in_one_step_are_all_emitted) {
    // interval 0.02 ms at dt 0.1: t / dt = 10, 10.2, ..., 12.2 round to
    // 10 (x3), 11 (x5), 12 (x4).
    const netstim_parameters p{.start = 1.0, .interval = 0.02, .number = 12};
    const auto s = steps_of(run(*make(p, {0}, 0.1), 0, 100, 7), 0);
    EXPECT_EQ(s, (std::vector<step_type>{9, 9, 9, 10, 10, 10, 10, 10, 11, 11, 11, 11}));
}

TEST_F(netstim, number_counts_every_spike_and_may_be_large) {
    netstim_parameters p{.start = 1.0, .interval = 1.0, .number = 0};
    EXPECT_TRUE(run(*make(p, range(4), 0.1), 0, 10000).empty());
    p.number = 1;
    EXPECT_EQ(steps_of(run(*make(p, {0}, 0.1), 0, 10000), 0), (std::vector<step_type>{9}));
    // A large number (NEURON's default upper bound 1e9, and beyond): the run
    // ends first. 200 s at 1 ms: spikes at 1, 2, ..., 200000 ms.
    p.number = 1e12;
    const auto s = steps_of(run(*make(p, {0}, 1.0), 0, 200000, 1000), 0);
    ASSERT_EQ(s.size(), 200000u);
    for (std::size_t k = 0; k < s.size(); ++k)
        ASSERT_EQ(s[k], static_cast<step_type>(k)) << k;
    // The largest number with an interval beyond any run: the spike at
    // start, and the next times (far past any step, also the noisy first
    // one) neither overflow nor loop.
    p = {.start = 1.0, .interval = 1e300, .number = 9007199254740992.0};
    EXPECT_EQ(run(*make(p, range(3), 0.1), 0, 1000).size(), 3u);
    p.noise = 0.5;
    EXPECT_TRUE(run(*make(p, range(3), 0.1), 0, 1000).empty());
}

TEST_F(netstim, duration_cuts_the_train_at_start_plus_duration) {
    // Spikes at 50, 60, 70, ...: duration 20 keeps 50, 60, 70 (the end is
    // inclusive), 19.99 keeps 50, 60, 0 keeps only the first.
    netstim_parameters p{.number = 100, .duration = 20};
    EXPECT_EQ(steps_of(run(*make(p, {0}, 0.1), 0, 20000), 0),
              (std::vector<step_type>{499, 599, 699}));
    p.duration = 19.99;
    EXPECT_EQ(steps_of(run(*make(p, {0}, 0.1), 0, 20000), 0), (std::vector<step_type>{499, 599}));
    p.duration = 0;
    EXPECT_EQ(steps_of(run(*make(p, {0}, 0.1), 0, 20000), 0), (std::vector<step_type>{499}));
    // Inclusive despite rounding: 0.1 + 3 x 0.1 > 0.4 in doubles.
    p = {.start = 0.1, .interval = 0.1, .number = 100, .duration = 0.3};
    EXPECT_EQ(steps_of(run(*make(p, {0}, 0.1), 0, 100), 0), (std::vector<step_type>{0, 1, 2, 3}));
    // number limits first when it is smaller.
    p = {.number = 2, .duration = 1000};
    EXPECT_EQ(steps_of(run(*make(p, {0}, 0.1), 0, 20000), 0), (std::vector<step_type>{499, 599}));
    // With noise: nothing stamped after start + duration (+ dt / 2 of rounding).
    p = {.start = 10, .interval = 5, .number = 1e6, .noise = 1, .duration = 100};
    const auto s = run(*make(p, range(100), 0.1), 0, 20000, 1000);
    ASSERT_GT(s.size(), 1500u);  // ~2000
    for (const auto& x : s)
        EXPECT_LE(static_cast<double>(x.step + 1) * 0.1, 110.05 + 1e-9);
}

// ---------------------------------------------------------------------------
// noise > 0

TEST_F(netstim, noise_1_gives_exponential_intervals) {
    // 200 sources x 501 spikes: 1e5 intervals, Exp(mean 10 ms). Mean within
    // 3 SE (SE = 10 / sqrt(n) = 0.032 ms); CV within 3 SE of 1 (the CV of n
    // exponential values has SE 1 / sqrt(n) = 0.0032); KS against 1 - exp(-x/10).
    const gid_type n = 200;
    const double dt = 0.1, interval = 10;
    const netstim_parameters p{.start = 5, .interval = interval, .number = 501, .noise = 1};
    const auto tr = trains(run(*make(p, range(n), dt, 7), 0, 200000, 5000), n, dt);
    for (const auto& t : tr)
        ASSERT_EQ(t.size(), 501u) << "number spikes in all";
    const auto isi = intervals(tr);
    const auto m = moments_of(isi);
    const double count = static_cast<double>(isi.size());
    const double ks = ks_sqrt_n(
        isi, [&](double x) { return x <= 0 ? 0.0 : 1 - std::exp(-x / interval); }, dt);
    std::printf(
        "noise 1: %zu intervals, mean %.4f ms (SE %.4f), CV %.4f (SE %.4f), KS sqrt(n) D %.3f\n",
        isi.size(), m.mean, interval / std::sqrt(count), m.sd / m.mean, 1 / std::sqrt(count), ks);
    EXPECT_NEAR(m.mean, interval, 3 * interval / std::sqrt(count));
    EXPECT_NEAR(m.sd / m.mean, 1.0, 3 / std::sqrt(count));
    EXPECT_LT(ks, ks_critical);
}

TEST_F(netstim, noise_half_gives_shifted_exponential_intervals) {
    // ISI = 5 ms + Exp(mean 5 ms): mean 10 (SE 5 / sqrt(n)), sd 5 (CV 0.5; the
    // sd of n exponential values has SE sqrt(2) 5 / sqrt(n)), never below
    // 5 ms but for the grid (one step), KS against the shifted exponential.
    const gid_type n = 200;
    const double dt = 0.1, interval = 10, noise = 0.5;
    const netstim_parameters p{.start = 5, .interval = interval, .number = 501, .noise = noise};
    const auto isi = intervals(trains(run(*make(p, range(n), dt, 11), 0, 200000, 5000), n, dt));
    ASSERT_EQ(isi.size(), 100000u);
    const auto m = moments_of(isi);
    const double count = static_cast<double>(isi.size());
    const double shift = (1 - noise) * interval, scale = noise * interval;
    const double smallest = *std::min_element(isi.begin(), isi.end());
    const double ks = ks_sqrt_n(
        isi, [&](double x) { return x <= shift ? 0.0 : 1 - std::exp(-(x - shift) / scale); }, dt);
    std::printf(
        "noise 0.5: mean %.4f ms (SE %.4f), sd %.4f ms, smallest %.2f ms, KS sqrt(n) D %.3f\n",
        m.mean, scale / std::sqrt(count), m.sd, smallest, ks);
    EXPECT_NEAR(m.mean, interval, 3 * scale / std::sqrt(count));
    EXPECT_NEAR(m.sd, scale, 3 * std::sqrt(2.0) * scale / std::sqrt(count));
    EXPECT_GE(smallest, shift - dt - 1e-9);
    EXPECT_LT(smallest, shift + 0.1) << "the minimum is reached";
    EXPECT_LT(ks, ks_critical);
}

TEST_F(netstim, first_spike_is_start_plus_noise_times_an_exponential_interval) {
    // NetStim.mod's INITIAL: start + invl(interval) - interval (1 - noise) =
    // start + noise Exp(interval). Over 20000 sources the mean delay after
    // start is noise x interval (SE the same / sqrt(n)), and its distribution
    // is exponential (KS; slack dt / 2: one rounded time).
    const gid_type n = 20000;
    const double dt = 0.1, start = 20, interval = 8;
    for (const double noise : {0.25, 1.0}) {
        SCOPED_TRACE("noise " + std::to_string(noise));
        const netstim_parameters p{
            .start = start, .interval = interval, .number = 1, .noise = noise};
        const auto tr = trains(run(*make(p, range(n), dt, 3), 0, 10000, 1000), n, dt);
        std::vector<double> delay;
        for (const auto& t : tr) {
            ASSERT_EQ(t.size(), 1u);
            delay.push_back(t[0] - start);
        }
        const auto m = moments_of(delay);
        const double mean = noise * interval;
        const double ks = ks_sqrt_n(
            delay, [&](double x) { return x <= 0 ? 0.0 : 1 - std::exp(-x / mean); }, dt / 2);
        std::printf(
            "noise %.2f: first spike mean delay %.4f ms (expected %.4f, SE %.4f), KS %.3f\n", noise,
            m.mean, mean, mean / std::sqrt(n), ks);
        EXPECT_NEAR(m.mean, mean, 3 * mean / std::sqrt(static_cast<double>(n)));
        EXPECT_LT(ks, ks_critical);
        EXPECT_GE(*std::min_element(delay.begin(), delay.end()), -dt / 2 - 1e-9);
    }
}

// ---------------------------------------------------------------------------
// Invariant 1: the same trains whatever the split

TEST_F(netstim, train_of_a_gid_is_independent_of_its_shard_and_intervals) {
    // As ranks and threads deal gids (g % n_vps): gid 5 alone, with 1 and 9,
    // and in the whole population, cut into different intervals.
    const netstim_parameters p{.start = 2, .interval = 3, .number = 400, .noise = 0.7};
    const auto alone = run(*make(p, {5}, 0.1), 0, 20000, 100);
    const auto shared = run(*make(p, {1, 5, 9}, 0.1), 0, 20000, 37);
    const auto all = run(*make(p, range(12), 0.1), 0, 20000, 1000);
    ASSERT_EQ(alone.size(), 400u);
    EXPECT_EQ(steps_of(alone, 5), steps_of(shared, 5));
    EXPECT_EQ(steps_of(alone, 5), steps_of(all, 5));
    EXPECT_EQ(steps_of(shared, 9), steps_of(all, 9));
    EXPECT_NE(steps_of(all, 1), steps_of(all, 5)) << "each gid has its own stream";
    // Another seed or population: other trains.
    EXPECT_NE(steps_of(run(*make(p, {5}, 0.1, 2), 0, 20000), 5), steps_of(alone, 5));
    EXPECT_NE(steps_of(run(*make(p, {5}, 0.1, 1, 3), 0, 20000), 5), steps_of(alone, 5));
}

TEST(netstim_simulation, same_spikes_for_1_and_2_threads) {
    model_spec spec;
    spec.simulation.dt = 0.1;
    spec.simulation.tstop = 300;
    spec.simulation.seed = 4242;
    population_spec stim;
    stim.name = "stim";
    stim.model = "NetStim";
    stim.size = 40;
    stim.parameters.scalars = {{"start", 5.0}, {"interval", 4.0}, {"number", 60.0}, {"noise", 0.6}};
    stim.record_spikes = true;
    spec.populations.push_back(stim);
    std::vector<recorded_spikes> first;
    for (const int threads : {1, 2}) {
        SCOPED_TRACE(std::to_string(threads) + " threads");
        serial_communicator comm;
        simulation sim(spec, standard_models(), comm, threads);
        sim.run();
        const auto& rec = sim.recorded().at(0);
        if (threads == 1) {
            first = sim.recorded();
            EXPECT_GT(rec.time.size(), 40u * 40);  // ~40 x 60 (most within 300 ms)
            continue;
        }
        EXPECT_EQ(rec.node_id, first[0].node_id);
        EXPECT_EQ(rec.time, first[0].time);
    }
}

TEST_F(netstim, a_run_starting_later_skips_earlier_spikes) {
    // A shard first updated at step 600 does not emit 50 and 60 ms.
    const netstim_parameters p;
    EXPECT_EQ(steps_of(run(*make(p, {0}, 0.1), 600, 1000), 0),
              (std::vector<step_type>{699, 799, 899, 999}));
}

// ---------------------------------------------------------------------------
// Bad parameters: the model, the parameter, the value and what is allowed

TEST(netstim_parameters, out_of_range_values_name_parameter_value_and_range) {
    const model_entry* e = standard_models().find("NetStim");
    ASSERT_NE(e, nullptr);
    struct bad_case {
        const char* name;
        double value;
        const char* allowed;
    };
    for (const auto& c : std::vector<bad_case>{{"interval", 0, "> 0"},
                                               {"interval", -1, "> 0"},
                                               {"noise", -0.1, "[0, 1]"},
                                               {"noise", 1.5, "[0, 1]"},
                                               {"number", -1, "whole number"},
                                               {"number", 2.5, "whole number"},
                                               {"number", 1e300, "whole number"},
                                               {"start", -5, ">= 0"},
                                               {"duration", -1, ">= 0"}}) {
        SCOPED_TRACE(std::string(c.name) + " = " + std::to_string(c.value));
        parameter_values v;
        v.scalars[c.name] = c.value;
        try {
            e->validate(v);
            ADD_FAILURE() << "no error";
        } catch (const parameter_error& err) {
            EXPECT_EQ(err.model(), "NetStim");
            EXPECT_EQ(err.parameter(), c.name);
            EXPECT_NE(err.problem().find(c.allowed), std::string::npos) << err.what();
            EXPECT_NE(err.problem().find("got "), std::string::npos) << err.what();
        }
    }
    // The edges are allowed.
    parameter_values ok;
    ok.scalars = {{"noise", 1.0}, {"number", 0.0}, {"start", 0.0}, {"duration", 0.0}};
    EXPECT_NO_THROW(e->validate(ok));
    ok.scalars = {{"noise", 0.0}, {"number", 1e9}, {"interval", 1e-9}};
    EXPECT_NO_THROW(e->validate(ok));
}

TEST_F(netstim, a_start_below_half_a_step_is_stamped_at_the_first_step_end) {
    // NEURON users start NetStims at 0: the spike at t = 0 (noise 0) has no
    // earlier step and is emitted in step 0, like any time below dt / 2.
    for (const double start : {0.0, 0.04}) {
        EXPECT_EQ(
            steps_of(run(*make({.start = start, .interval = 1.0, .number = 3}, {0}, 0.1), 0, 40),
                     0),
            (std::vector<step_type>{0, 9, 19}))
            << "start " << start;
    }
    // dt / 2 rounds up to the first step end.
    EXPECT_EQ(steps_of(run(*make({.start = 0.05, .number = 1}, {0}, 0.1), 0, 10), 0),
              (std::vector<step_type>{0}));
}

}  // namespace
}  // namespace ganglion
