// Tests for core/spinnaker.cpp (SpiNNaker mode's synapses) and how
// core/simulation.cpp uses it: weight quantisation to 16 bits against
// hand-worked cases (ties to even, rounding to zero, saturation); sPyNNaker's
// ring-buffer left shift, with the formula written out and recomputed here
// independently; the 32-bit synaptic words (build, list, deliver into
// saturating slots, delay stages, rows per core); what SpiNNaker mode refuses
// (check_model); and the whole engine in SpiNNaker mode on one rank.

#include "core/spinnaker.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "comm/serial_communicator.hpp"
#include "core/error.hpp"
#include "core/layout.hpp"
#include "core/partition.hpp"
#include "core/ring_buffer.hpp"
#include "core/simulation.hpp"
#include "core/spike_buffer.hpp"
#include "models/registry.hpp"
#include "tests/unit/spec_support.hpp"

namespace ganglion {
namespace {

using spinnaker::projection_load;
using spinnaker::quantise_counts;
using spinnaker::word_store;

using test::population;
using test::standard_models;

projection_spec projection(std::size_t pre, std::size_t post, connector_spec::kind kind,
                           value_spec weight, value_spec delay,
                           const std::string& receptor = "excitatory", double p_connect = 0) {
    return test::projection(std::to_string(pre) + "->" + std::to_string(post), pre, post, kind,
                            p_connect, weight, delay, receptor);
}

// ---------------------------------------------------------------------------
// quantise: round(|w| * scale), ties to even, saturating at 0xFFFF.

TEST(spinnaker_quantise, hand_worked_cases) {
    quantise_counts c;
    // Exact values.
    EXPECT_EQ(spinnaker::quantise(3.0, 1.0, c), 3u);
    EXPECT_EQ(spinnaker::quantise(1.0, 8192.0, c), 8192u);
    EXPECT_EQ(spinnaker::quantise(0.25, 4.0, c), 1u);
    // Nearest, and ties to even: 2.5 -> 2, 3.5 -> 4, 0.5 units -> 0.
    EXPECT_EQ(spinnaker::quantise(2.4, 1.0, c), 2u);
    EXPECT_EQ(spinnaker::quantise(2.6, 1.0, c), 3u);
    EXPECT_EQ(spinnaker::quantise(2.5, 1.0, c), 2u);
    EXPECT_EQ(spinnaker::quantise(3.5, 1.0, c), 4u);
    EXPECT_EQ(spinnaker::quantise(1.25, 2.0, c), 2u);  // 2.5 units
    EXPECT_EQ(spinnaker::quantise(0.51, 1.0, c), 1u);
    EXPECT_EQ(c.rounded_to_zero, 0u);
    EXPECT_EQ(c.saturated, 0u);
    // Negative weights use their magnitude.
    EXPECT_EQ(spinnaker::quantise(-2.5, 1.0, c), 2u);
    EXPECT_EQ(spinnaker::quantise(-3.5, 1.0, c), 4u);
    EXPECT_EQ(spinnaker::quantise(-1.0, 8192.0, c), 8192u);
    EXPECT_EQ(c.rounded_to_zero, 0u);
}

TEST(spinnaker_quantise, weights_below_half_a_unit_round_to_zero_and_are_counted) {
    quantise_counts c;
    EXPECT_EQ(spinnaker::quantise(0.49, 1.0, c), 0u);
    EXPECT_EQ(c.rounded_to_zero, 1u);
    EXPECT_EQ(spinnaker::quantise(0.5, 1.0, c), 0u);  // a tie, to even: zero
    EXPECT_EQ(c.rounded_to_zero, 2u);
    EXPECT_EQ(spinnaker::quantise(1e-5, 8192.0, c), 0u);  // 0.08 units
    EXPECT_EQ(c.rounded_to_zero, 3u);
    EXPECT_EQ(spinnaker::quantise(-0.3, 1.0, c), 0u);
    EXPECT_EQ(c.rounded_to_zero, 4u);
    // A zero weight is not "rounded" to zero.
    EXPECT_EQ(spinnaker::quantise(0.0, 1.0, c), 0u);
    EXPECT_EQ(spinnaker::quantise(-0.0, 8192.0, c), 0u);
    EXPECT_EQ(c.rounded_to_zero, 4u);
    EXPECT_EQ(c.saturated, 0u);
}

TEST(spinnaker_quantise, weights_above_0xffff_units_saturate_and_are_counted) {
    quantise_counts c;
    EXPECT_EQ(spinnaker::quantise(65535.0, 1.0, c), 0xFFFFu);
    EXPECT_EQ(spinnaker::quantise(65535.4, 1.0, c), 0xFFFFu);  // rounds to 0xFFFF: not saturated
    EXPECT_EQ(c.saturated, 0u);
    EXPECT_EQ(spinnaker::quantise(65535.5, 1.0, c), 0xFFFFu);  // ties to even: 65536
    EXPECT_EQ(c.saturated, 1u);
    EXPECT_EQ(spinnaker::quantise(65536.0, 1.0, c), 0xFFFFu);
    EXPECT_EQ(spinnaker::quantise(1e9, 1.0, c), 0xFFFFu);
    EXPECT_EQ(spinnaker::quantise(-70000.0, 1.0, c), 0xFFFFu);
    EXPECT_EQ(spinnaker::quantise(8.0, 8192.0, c), 0xFFFFu);  // 65536 units
    EXPECT_EQ(c.saturated, 5u);
    EXPECT_EQ(c.rounded_to_zero, 0u);
}

// ---------------------------------------------------------------------------
// left_shift: sPyNNaker's SynapticManager._get_ring_buffer_to_input_left_shifts.
//
// Per receptor, over the projections into it:
//   spikes_per_tick = max(1, spikes_per_second / steps_per_second)
//                     (a Poisson source: its rate instead of spikes_per_second)
//   total   = sum of spikes_per_tick * weight_max * n_connections
//   biggest = max of weight_max
//   max     = total                                   (all delays equal)
//           = min(mean * avg + sigma * sqrt(avg * mean^2 + weight_variance), total)
//                                                     (delays vary; avg = N * rate * dt)
//   max     = max(max, biggest)
//   shift   = ceil(max(0, log2 max)), plus one when 2^shift <= max (the range
//             is 0 .. just under 2^shift); 0 when max <= 0.

projection_load load(double mean, double variance, double wmax, double n, bool vary = false,
                     double rate = 0) {
    projection_load L;
    L.weight_mean = mean;
    L.weight_variance = variance;
    L.weight_max = wmax;
    L.n_connections = n;
    L.delays_vary = vary;
    L.rate = rate;
    return L;
}

// The smallest power with 2^p > x (p >= 0): the shift for a maximum x.
int shift_for(double x) {
    int p = 0;
    while (std::ldexp(1.0, p) <= x)
        ++p;
    return p;
}

TEST(spinnaker_left_shift, constant_delay_all_to_all_from_load_of) {
    // 100 SpikeSourceArray neurons all-to-all onto one population, weight
    // 0.5 nA, constant delay, dt 1 ms, 30 Hz: spikes_per_tick = max(1, 30 /
    // 1000) = 1, total = 1 * 0.5 * 100 = 50, ceil(log2 50) = 6, 2^6 = 64 > 50.
    model_spec spec;
    spec.simulation.dt = 1.0;
    spec.populations.push_back(population("src", "SpikeSourceArray", 100));
    spec.populations.push_back(population("tgt", "IF_curr_exp", 3));
    spec.projections.push_back(projection(0, 1, connector_spec::kind::all_to_all,
                                          value_spec::constant(0.5), value_spec::constant(1.0)));
    spinnaker::projection_measure measured;
    measured.max_abs_weight = 0.5;
    measured.max_in_degree = 100;
    measured.min_delay_steps = measured.max_delay_steps = 1;
    const projection_load L = spinnaker::load_of(spec, standard_models(), 0, measured, 1.0);
    EXPECT_EQ(L.weight_mean, 0.5);
    EXPECT_EQ(L.weight_variance, 0.0);
    EXPECT_EQ(L.weight_max, 0.5);
    EXPECT_EQ(L.n_connections, 100.0);
    EXPECT_FALSE(L.delays_vary);
    EXPECT_EQ(L.rate, 0.0);
    EXPECT_EQ(spinnaker::left_shift({L}, 1.0, 5.0, 30.0), 6);
    // A weight scale multiplies the weights (IF_cond_exp's 1024): 51200 -> 16.
    const projection_load S = spinnaker::load_of(spec, standard_models(), 0, measured, 1024.0);
    EXPECT_EQ(S.weight_max, 512.0);
    EXPECT_EQ(spinnaker::left_shift({S}, 1.0, 5.0, 30.0), 16);
}

TEST(spinnaker_left_shift, a_maximum_of_exactly_a_power_of_two_adds_one) {
    // 0.5 * 128 = 64 = 2^6: needs 7. Just below, 63.5: 6.
    EXPECT_EQ(spinnaker::left_shift({load(0.5, 0, 0.5, 128)}, 1.0, 5.0, 30.0), 7);
    EXPECT_EQ(spinnaker::left_shift({load(0.5, 0, 0.5, 127)}, 1.0, 5.0, 30.0), 6);
    // Two projections add: 0.5 * 100 + 1.0 * 14 = 64 -> 7.
    EXPECT_EQ(
        spinnaker::left_shift({load(0.5, 0, 0.5, 100), load(1.0, 0, 1.0, 14)}, 1.0, 5.0, 30.0), 7);
    // 1 = 2^0: 1.
    EXPECT_EQ(spinnaker::left_shift({load(1.0, 0, 1.0, 1)}, 1.0, 5.0, 30.0), 1);
    // 2^-1 * 2^17 = 65536 = 2^16: 17.
    EXPECT_EQ(spinnaker::left_shift({load(0.5, 0, 0.5, 131072)}, 1.0, 5.0, 30.0), 17);
}

TEST(spinnaker_left_shift, a_maximum_below_one_gives_zero) {
    EXPECT_EQ(spinnaker::left_shift({load(0.25, 0, 0.25, 2)}, 1.0, 5.0, 30.0), 0);  // 0.5
    EXPECT_EQ(spinnaker::left_shift({load(0.999, 0, 0.999, 1)}, 1.0, 5.0, 30.0), 0);
    EXPECT_EQ(spinnaker::left_shift({load(0, 0, 0, 10)}, 1.0, 5.0, 30.0), 0);  // zero weights
    EXPECT_EQ(spinnaker::left_shift({}, 1.0, 5.0, 30.0), 0);                   // no projections
}

TEST(spinnaker_left_shift, poisson_and_assumed_rates_set_spikes_per_tick) {
    // A 2000 Hz Poisson source at dt 1 ms: spikes_per_tick = 2000 / 1000 = 2,
    // total = 2 * 0.5 * 100 = 100 -> 7 (the 30 Hz default gives 50 -> 6).
    EXPECT_EQ(spinnaker::left_shift({load(0.5, 0, 0.5, 100, false, 2000)}, 1.0, 5.0, 30.0), 7);
    EXPECT_EQ(spinnaker::left_shift({load(0.5, 0, 0.5, 100, false, 0)}, 1.0, 5.0, 30.0), 6);
    // 1000 Hz is one spike per tick: 6; at dt 0.1 ms 2000 Hz is 0.2 per tick, at least 1: 6.
    EXPECT_EQ(spinnaker::left_shift({load(0.5, 0, 0.5, 100, false, 1000)}, 1.0, 5.0, 30.0), 6);
    EXPECT_EQ(spinnaker::left_shift({load(0.5, 0, 0.5, 100, false, 2000)}, 0.1, 5.0, 30.0), 6);
    // 4000 Hz: 4 per tick, total 200 -> 8.
    EXPECT_EQ(spinnaker::left_shift({load(0.5, 0, 0.5, 100, false, 4000)}, 1.0, 5.0, 30.0), 8);
    // The assumed rate of other sources: 3000 Hz at dt 1 ms is 3 per tick:
    // 150 -> 8; it does not change a Poisson projection's own rate.
    EXPECT_EQ(spinnaker::left_shift({load(0.5, 0, 0.5, 100)}, 1.0, 5.0, 3000.0), 8);
    EXPECT_EQ(spinnaker::left_shift({load(0.5, 0, 0.5, 100, false, 2000)}, 1.0, 5.0, 3000.0), 7);
    // Per projection: a Poisson one (2 per tick) and another (1 per tick):
    // 2 * 0.5 * 100 + 1 * 1.0 * 20 = 120 -> 7; with 60 of the other: 160 -> 8.
    EXPECT_EQ(spinnaker::left_shift({load(0.5, 0, 0.5, 100, false, 2000), load(1.0, 0, 1.0, 20)},
                                    1.0, 5.0, 30.0),
              7);
    EXPECT_EQ(spinnaker::left_shift({load(0.5, 0, 0.5, 100, false, 2000), load(1.0, 0, 1.0, 60)},
                                    1.0, 5.0, 30.0),
              8);

    // load_of reads a SpikeSourcePoisson population's rate.
    model_spec spec;
    spec.simulation.dt = 1.0;
    auto noise = population("noise", "SpikeSourcePoisson", 100);
    noise.parameters.scalars["rate"] = 2000.0;
    spec.populations.push_back(noise);
    spec.populations.push_back(population("tgt", "IF_curr_exp", 1));
    spec.projections.push_back(projection(0, 1, connector_spec::kind::all_to_all,
                                          value_spec::constant(0.5), value_spec::constant(1.0)));
    spinnaker::projection_measure measured;
    measured.max_abs_weight = 0.5;
    measured.max_in_degree = 100;
    measured.min_delay_steps = measured.max_delay_steps = 1;
    const projection_load L = spinnaker::load_of(spec, standard_models(), 0, measured, 1.0);
    EXPECT_EQ(L.rate, 2000.0);
    EXPECT_EQ(spinnaker::left_shift({L}, 1.0, 5.0, 30.0), 7);
}

// The statistical bound, recomputed independently of core/spinnaker.cpp:
// the weight-variance term sPyNNaker writes in closed form with the
// incomplete gamma function is sd^2 * sum_{j=1}^{upper} j * Poisson(j; avg),
// summed here term by term, and the running statistics of the projections
// are the pooled mean and (sample) variance of the mixture.
struct pooled {
    double mean = 0, sd = 0, n = 0;
};
pooled pool(const std::vector<projection_load>& loads) {
    pooled s;
    double sum = 0;
    for (const auto& L : loads) {
        s.n += L.n_connections;
        sum += L.n_connections * L.weight_mean;
    }
    s.mean = sum / s.n;
    double m2 = 0;
    for (const auto& L : loads)
        m2 += L.n_connections *
              (L.weight_variance + (L.weight_mean - s.mean) * (L.weight_mean - s.mean));
    s.sd = s.n > 1 ? std::sqrt(m2 / (s.n - 1)) : 0.0;
    return s;
}
double upper_bound_by_hand(const std::vector<projection_load>& loads, double rate, double dt,
                           double sigma) {
    const pooled s = pool(loads);
    const double avg = s.n * rate * dt / 1000.0;
    const double upper = std::round(avg + 3.0 * std::sqrt(avg));
    double expected_count = 0;  // E[N; 1 <= N <= upper], N ~ Poisson(avg)
    for (double j = 1; j <= upper; ++j)
        expected_count += j * std::exp(j * std::log(avg) - avg - std::lgamma(j + 1));
    const double weight_variance = s.sd * s.sd * expected_count;
    return avg * s.mean + sigma * std::sqrt(avg * s.mean * s.mean + weight_variance);
}
double total_by_hand(const std::vector<projection_load>& loads, double spikes_per_tick) {
    double t = 0;
    for (const auto& L : loads)
        t += spikes_per_tick * L.weight_max * L.n_connections;
    return t;
}

TEST(spinnaker_left_shift, varying_delays_use_the_statistical_bound_below_the_total) {
    // 1000 synapses of weight mean 0.5, sd 0.1, at most 1.0, delays varying,
    // 30 Hz at dt 1 ms: avg = 30 spikes per step, the bound about 15 + 5 *
    // sqrt(7.5 + 0.3) = 29, far below the total 1000.
    const std::vector<projection_load> loads = {load(0.5, 0.01, 1.0, 1000, true)};
    const double bound = upper_bound_by_hand(loads, 30.0, 1.0, 5.0);
    const double total = total_by_hand(loads, 1.0);
    ASSERT_LT(bound, total);
    EXPECT_NEAR(bound, 15 + 5 * std::sqrt(7.5 + 0.01 * 30), 0.05);
    EXPECT_EQ(spinnaker::left_shift(loads, 1.0, 5.0, 30.0), shift_for(std::max(bound, 1.0)));
    EXPECT_EQ(spinnaker::left_shift(loads, 1.0, 5.0, 30.0), 5);
    // The same loads with equal delays: the total, 1000 -> 10.
    const std::vector<projection_load> equal = {load(0.5, 0.01, 1.0, 1000, false)};
    EXPECT_EQ(spinnaker::left_shift(equal, 1.0, 5.0, 30.0), 10);
    // One projection with varying delays makes the whole receptor use the bound.
    const std::vector<projection_load> mixed = {load(0.5, 0.01, 1.0, 1000, false),
                                                load(0.4, 0.0, 0.4, 200, true)};
    const double mixed_bound = upper_bound_by_hand(mixed, 30.0, 1.0, 5.0);
    ASSERT_LT(mixed_bound, total_by_hand(mixed, 1.0));
    EXPECT_EQ(spinnaker::left_shift(mixed, 1.0, 5.0, 30.0), shift_for(mixed_bound));
    // Pooled: mean 0.483, sd 0.099 over 1200 synapses, avg 36: about 32.2 -> 6.
    EXPECT_NEAR(mixed_bound, 32.2, 0.05);
    EXPECT_EQ(spinnaker::left_shift(mixed, 1.0, 5.0, 30.0), 6);

    // The weight-variance term: mean 0.1, sd 1, avg 30: 3 + 5 * sqrt(0.3 +
    // 1 * E[N; N <= 46]) = 30.5 -> 5 (without the term: 5.7 -> 3).
    const std::vector<projection_load> spread = {load(0.1, 1.0, 5.0, 1000, true)};
    const double spread_bound = upper_bound_by_hand(spread, 30.0, 1.0, 5.0);
    EXPECT_NEAR(spread_bound, 30.48, 0.01);
    EXPECT_EQ(spinnaker::left_shift(spread, 1.0, 5.0, 30.0), 5);
    // The spread between projections' means counts as weight variance: 500
    // synapses of 0.1 and 500 of 2.0, each constant: pooled mean 1.05, sd
    // 0.95: 31.5 + 5 * sqrt(33.1 + 0.90 * E) = 70.3 -> 7 (without the
    // spread between the means: 60.3 -> 6).
    const std::vector<projection_load> apart = {load(0.1, 0.0, 0.1, 500, true),
                                                load(2.0, 0.0, 2.0, 500, true)};
    const double apart_bound = upper_bound_by_hand(apart, 30.0, 1.0, 5.0);
    EXPECT_NEAR(apart_bound, 70.25, 0.01);
    EXPECT_EQ(spinnaker::left_shift(apart, 1.0, 5.0, 30.0), 7);
}

TEST(spinnaker_left_shift, varying_delays_bound_is_floored_by_the_biggest_weight) {
    // As above, plus one projection of the same weight statistics whose
    // largest weight is 100: the bound stays near 29, the biggest single
    // weight is the floor: 100 -> 7.
    const std::vector<projection_load> loads = {load(0.5, 0.01, 1.0, 1000, true),
                                                load(0.5, 0.01, 100.0, 1, false)};
    const double bound = upper_bound_by_hand(loads, 30.0, 1.0, 5.0);
    ASSERT_LT(bound, 100.0);
    ASSERT_LT(bound, total_by_hand(loads, 1.0));
    EXPECT_EQ(spinnaker::left_shift(loads, 1.0, 5.0, 30.0), shift_for(100.0));
    EXPECT_EQ(spinnaker::left_shift(loads, 1.0, 5.0, 30.0), 7);
    // And the total still caps the bound: few synapses, large sigma.
    const std::vector<projection_load> few = {load(0.5, 0.01, 0.6, 2, true)};
    const double few_bound = upper_bound_by_hand(few, 30.0, 1.0, 50.0);
    ASSERT_GT(few_bound, total_by_hand(few, 1.0));  // 1.2
    EXPECT_EQ(spinnaker::left_shift(few, 1.0, 50.0, 30.0), shift_for(1.2));
    EXPECT_EQ(spinnaker::left_shift(few, 1.0, 50.0, 30.0), 1);
}

TEST(spinnaker_left_shift, sigma_and_spikes_per_second_move_the_bound) {
    const std::vector<projection_load> loads = {load(0.5, 0.01, 1.0, 1000, true)};
    struct one_case {
        double sigma, rate, dt;
        int expected;
    };
    // By hand (avg = 1000 * rate * dt / 1000; bound = 0.5 avg + sigma *
    // sqrt(0.25 avg + 0.01 E[N; N <= upper])):
    //   sigma 0:   15                       -> 4
    //   sigma 5:   15 + 5 * 2.79  = 29.0    -> 5
    //   sigma 10:  15 + 10 * 2.79 = 42.9    -> 6
    //   100 Hz:    50 + 5 * 5.10  = 75.5    -> 7
    //   dt 0.1:    avg 3: 1.5 + 5 * 0.92 = 6.1 -> 3
    for (const one_case c :
         {one_case{0, 30, 1.0, 4}, one_case{5, 30, 1.0, 5}, one_case{10, 30, 1.0, 6},
          one_case{5, 100, 1.0, 7}, one_case{5, 30, 0.1, 3}}) {
        SCOPED_TRACE("sigma " + std::to_string(c.sigma) + " rate " + std::to_string(c.rate) +
                     " dt " + std::to_string(c.dt));
        const double bound = upper_bound_by_hand(loads, c.rate, c.dt, c.sigma);
        ASSERT_LT(bound, total_by_hand(loads, std::max(1.0, c.rate * c.dt / 1000.0)));
        EXPECT_EQ(shift_for(std::max(bound, 1.0)), c.expected);
        EXPECT_EQ(spinnaker::left_shift(loads, c.dt, c.sigma, c.rate), c.expected);
    }
}

TEST(spinnaker_left_shift, the_bound_uses_the_synapses_mean_rate) {
    // sPyNNaker (5 and later) passes rate_stats.mean to the bound: each
    // projection's rate (a Poisson source's own, spikes_per_second for any
    // other) weighted by its synapses. 500 synapses from a 100 Hz Poisson
    // source and 500 from others at 30 Hz: (100 * 500 + 30 * 500) / 1000 =
    // 65 Hz, avg 65: 32.5 + 5 * sqrt(16.25 + 0.01 * E) = 53.1 -> 6 (the
    // largest rate, 100 Hz, would give 75.5 -> 7; 30 Hz 29.0 -> 5).
    const std::vector<projection_load> loads = {load(0.5, 0.01, 1.0, 500, true, 100.0),
                                                load(0.5, 0.01, 1.0, 500, true, 0.0)};
    const double bound = upper_bound_by_hand(loads, 65.0, 1.0, 5.0);
    EXPECT_NEAR(bound, 53.1, 0.05);
    ASSERT_LT(bound, total_by_hand(loads, 1.0));
    EXPECT_EQ(spinnaker::left_shift(loads, 1.0, 5.0, 30.0), 6);
    // Only the Poisson projection: 100 Hz, 1000 synapses -> 75.5 -> 7.
    const std::vector<projection_load> poisson = {load(0.5, 0.01, 1.0, 1000, true, 100.0)};
    EXPECT_EQ(shift_for(upper_bound_by_hand(poisson, 100.0, 1.0, 5.0)), 7);
    EXPECT_EQ(spinnaker::left_shift(poisson, 1.0, 5.0, 30.0), 7);
    // A slow Poisson source lowers the rate below the assumed 30 Hz: 10 Hz,
    // avg 10: 5 + 5 * sqrt(2.5 + 0.01 * E) = 13.06 -> 4 (30 Hz: 5).
    const std::vector<projection_load> slow = {load(0.5, 0.01, 1.0, 1000, true, 10.0)};
    EXPECT_NEAR(upper_bound_by_hand(slow, 10.0, 1.0, 5.0), 13.06, 0.01);
    EXPECT_EQ(spinnaker::left_shift(slow, 1.0, 5.0, 30.0), 4);
}

// ---------------------------------------------------------------------------
// word_store: the 32-bit words, rows per (source, core, stage), delivery.

TEST(spinnaker_word_store, word_layout) {
    // weight 31..16 | delay - 1 15..12 | receptor 11..8 | index 7..0
    EXPECT_EQ(word_store::make_word(0xABCD, 16, 5, 200), 0xABCDF5C8u);
    EXPECT_EQ(word_store::make_word(1, 1, 0, 0), 0x00010000u);
    EXPECT_EQ(word_store::make_word(0xFFFF, 1, 15, 255), 0xFFFF0FFFu);
    EXPECT_EQ(word_store::make_word(0, 2, 1, 1), 0x00001101u);
}

// A source population and a 600-neuron target population (cores of 256, 256
// and 88), on `threads` threads of one rank.
struct word_fixture {
    static constexpr std::uint64_t n_src = 4, n_tgt = 600;
    model_spec spec;
    std::shared_ptr<const core_map> map;
    word_fixture() {
        spec.simulation.dt = 1.0;
        spec.populations.push_back(population("src", "SpikeSourceArray", n_src));
        spec.populations.push_back(population("tgt", "IF_curr_exp", n_tgt));
        map = std::make_shared<const core_map>(std::vector<std::uint64_t>{n_src, n_tgt});
    }
    thread_layout layout(int threads, int thread) const {
        return thread_layout(spec, partition{1, 0, threads, map}, thread);
    }
    static gid_type tgt(std::uint64_t i) { return n_src + i; }
    static gid_type n_sources() { return n_src + n_tgt; }
};

bool same(const pending_synapse& a, const pending_synapse& b) {
    return a.source == b.source && a.target_code == b.target_code && a.weight == b.weight &&
           a.delay == b.delay;
}
bool less(const pending_synapse& a, const pending_synapse& b) {
    return std::tie(a.source, a.target_code, a.delay, a.weight) <
           std::tie(b.source, b.target_code, b.delay, b.weight);
}

TEST(spinnaker_word_store, to_list_returns_the_synapses_for_every_delay_stage) {
    const word_fixture f;
    const thread_layout layout = f.layout(1, 0);
    std::vector<pending_synapse> input;
    float w = 1;
    for (const std::uint32_t d : {1u, 16u, 17u, 32u, 33u, 144u})
        for (const std::uint64_t i : {0ull, 255ull, 256ull, 300ull, 599ull})
            for (const std::uint32_t receptor : {0u, 1u}) {
                const auto li = static_cast<std::uint32_t>(layout.local_index(1, f.tgt(i)));
                input.push_back(
                    {static_cast<std::uint32_t>(i % 3), target_code::make(li, receptor), w, d});
                w = static_cast<float>(static_cast<int>(w * 7 + 3) % 0xFFFF);
            }
    // A zero weight is kept as a word.
    input.push_back({3, target_code::make(static_cast<std::uint32_t>(f.n_src + 5), 0), 0.0f, 7});
    word_store store;
    store.build(f.n_sources(), layout, std::vector<pending_synapse>(input));
    ASSERT_EQ(store.size(), input.size());
    auto listed = store.to_list();
    ASSERT_EQ(listed.size(), input.size());
    // Order: by source, then (stage, core), then as given.
    auto expected = input;
    auto key = [&](const pending_synapse& s) {
        const std::uint32_t li = target_code::index(s.target_code);
        const std::uint64_t core = (li - f.n_src) / 256;
        return std::make_tuple(s.source, (s.delay - 1) / 16, core);
    };
    std::stable_sort(expected.begin(), expected.end(),
                     [&](const auto& a, const auto& b) { return key(a) < key(b); });
    for (std::size_t k = 0; k < expected.size(); ++k)
        EXPECT_TRUE(same(listed[k], expected[k]))
            << "synapse " << k << ": source " << listed[k].source << " target "
            << target_code::index(listed[k].target_code) << " receptor "
            << target_code::receptor(listed[k].target_code) << " weight " << listed[k].weight
            << " delay " << listed[k].delay << ", expected delay " << expected[k].delay;
    std::sort(listed.begin(), listed.end(), less);
    std::sort(input.begin(), input.end(), less);
    for (std::size_t k = 0; k < input.size(); ++k)
        EXPECT_TRUE(same(listed[k], input[k])) << "synapse " << k;
    for (gid_type g = 0; g < 4; ++g)
        EXPECT_TRUE(store.has_row(g));
    EXPECT_FALSE(store.has_row(4));
    EXPECT_FALSE(store.has_row(f.n_sources()));
    EXPECT_FALSE(store.has_row(f.n_sources() + 10));
}

TEST(spinnaker_word_store, build_rejects_delays_outside_1_to_144_steps) {
    const word_fixture f;
    const thread_layout layout = f.layout(1, 0);
    const auto code = target_code::make(static_cast<std::uint32_t>(f.n_src), 0);
    for (const std::uint32_t d : {0u, 145u, 1000u}) {
        word_store store;
        EXPECT_THROW(store.build(f.n_sources(), layout, {{0, code, 1.0f, d}}), internal_error)
            << "delay " << d;
    }
    word_store store;
    EXPECT_THROW(store.build(f.n_sources(), layout,
                             {{static_cast<std::uint32_t>(f.n_sources()), code, 1.0f, 1}}),
                 internal_error);
}

// deliver(g, s, count) adds weight * count into receptor r's slot s + d of
// the target, and nothing anywhere else.
TEST(spinnaker_word_store, deliver_adds_weight_times_count_at_step_plus_delay) {
    const word_fixture f;
    const std::size_t n_slots = 1 + 144;  // D + max_delay
    for (const int threads : {1, 2})
        for (int t = 0; t < threads; ++t) {
            const thread_layout layout = f.layout(threads, t);
            for (const std::uint32_t d : {1u, 2u, 16u, 17u, 32u, 33u, 100u, 144u})
                for (const std::uint64_t i : {0ull, 255ull, 256ull, 511ull, 512ull, 599ull}) {
                    if (!layout.owns(f.tgt(i))) continue;
                    for (const std::uint32_t receptor : {0u, 1u})
                        for (const step_type s : {0, 50, 140}) {  // 140 + d wraps around
                            SCOPED_TRACE("threads " + std::to_string(threads) + " thread " +
                                         std::to_string(t) + " d " + std::to_string(d) +
                                         " target " + std::to_string(i) + " receptor " +
                                         std::to_string(receptor) + " s " + std::to_string(s));
                            const auto li =
                                static_cast<std::uint32_t>(layout.local_index(1, f.tgt(i)));
                            word_store store;
                            store.build(f.n_sources(), layout,
                                        {{2, target_code::make(li, receptor), 1000.0f, d}});
                            fixed_ring_buffer buffer(2, n_slots, layout.n_local());
                            std::uint64_t saturations = 0;
                            EXPECT_EQ(store.deliver(2, s, 3, buffer, saturations), 1u);
                            EXPECT_EQ(store.deliver(1, s, 3, buffer, saturations), 0u);  // no row
                            EXPECT_EQ(saturations, 0u);
                            const std::uint16_t* row = buffer.row(receptor, s + d);
                            EXPECT_EQ(row[li], 3000.0);
                            double sum = 0;
                            for (const double x : buffer.data())
                                sum += x;
                            EXPECT_EQ(sum, 3000.0) << "something else was written";
                        }
                }
        }
}

TEST(spinnaker_word_store, a_row_spanning_two_cores) {
    // Two threads: thread 1 owns cores 1 and 3 (target neurons 0-255 and
    // 512-599), thread 0 cores 0 (the sources) and 2 (targets 256-511).
    const word_fixture f;
    const thread_layout layout = f.layout(2, 1);
    ASSERT_TRUE(layout.owns(f.tgt(10)));
    ASSERT_TRUE(layout.owns(f.tgt(520)));
    ASSERT_FALSE(layout.owns(f.tgt(300)));
    const auto a = static_cast<std::uint32_t>(layout.local_index(1, f.tgt(10)));
    const auto b = static_cast<std::uint32_t>(layout.local_index(1, f.tgt(520)));
    EXPECT_EQ(a, 10u);
    EXPECT_EQ(b, 256u + 8u);
    const std::vector<pending_synapse> input = {{0, target_code::make(b, 1), 7.0f, 3},
                                                {0, target_code::make(a, 0), 5.0f, 3},
                                                {0, target_code::make(b, 0), 11.0f, 20}};
    word_store store;
    store.build(f.n_sources(), layout, std::vector<pending_synapse>(input));
    const auto listed = store.to_list();
    ASSERT_EQ(listed.size(), 3u);
    // Rows by stage, then core: a's core (start 0), then b's stage 0, then b's stage 1.
    EXPECT_TRUE(same(listed[0], input[1]));
    EXPECT_TRUE(same(listed[1], input[0]));
    EXPECT_TRUE(same(listed[2], input[2]));
    fixed_ring_buffer buffer(2, 1 + 20, layout.n_local());
    std::uint64_t saturations = 0;
    EXPECT_EQ(store.deliver(0, 4, 1, buffer, saturations), 3u);
    EXPECT_EQ(buffer.row(0, 7)[a], 5.0);
    EXPECT_EQ(buffer.row(1, 7)[b], 7.0);
    EXPECT_EQ(buffer.row(0, 24)[b], 11.0);
    double sum = 0;
    for (const double x : buffer.data())
        sum += x;
    EXPECT_EQ(sum, 23.0);
}

TEST(spinnaker_word_store, a_long_row_onto_one_core_keeps_every_synapse) {
    // 70000 synapses (multapses) from one source onto the 256 neurons of one
    // core at one delay: more words than a 16-bit row length holds.
    const word_fixture f;
    const thread_layout layout = f.layout(1, 0);
    std::vector<pending_synapse> input;
    const std::uint32_t n = 70000;
    for (std::uint32_t k = 0; k < n; ++k)
        input.push_back({1, target_code::make(static_cast<std::uint32_t>(f.n_src + k % 256), k % 2),
                         static_cast<float>(k % 3), 9});
    word_store store;
    store.build(f.n_sources(), layout, std::vector<pending_synapse>(input));
    ASSERT_EQ(store.size(), n);
    const auto listed = store.to_list();
    ASSERT_EQ(listed.size(), n);
    for (std::uint32_t k = 0; k < n; ++k)
        if (!same(listed[k], input[k])) {
            ADD_FAILURE() << "synapse " << k << " differs";
            break;
        }
    fixed_ring_buffer buffer(2, 1 + 16, layout.n_local());
    std::uint64_t sat = 0;
    EXPECT_EQ(store.deliver(1, 0, 1, buffer, sat), n);
    EXPECT_EQ(sat, 0u);
    std::vector<double> expected(2 * 256, 0.0);
    for (std::uint32_t k = 0; k < n; ++k)
        expected[(k % 2) * 256 + k % 256] += k % 3;
    for (std::uint32_t r = 0; r < 2; ++r)
        for (std::uint32_t i = 0; i < 256; ++i)
            ASSERT_EQ(buffer.row(r, 9)[f.n_src + i], expected[r * 256 + i])
                << "receptor " << r << " neuron " << i;
}

TEST(spinnaker_word_store, rows_are_ordered_by_stage_then_core_and_keep_the_order_of_placing) {
    // 300 cores on one thread (core numbers past one byte) and delays in
    // all 9 stages, placed in random order: each source's words come out
    // ordered by (stage, core), and within one row in the order placed
    // (the weight is the synapse's place in the input).
    model_spec spec;
    spec.simulation.dt = 1.0;
    constexpr std::uint64_t n_src = 3, n_tgt = 300 * 256;
    spec.populations.push_back(population("src", "SpikeSourceArray", n_src));
    spec.populations.push_back(population("tgt", "IF_curr_exp", n_tgt));
    const auto map = std::make_shared<const core_map>(std::vector<std::uint64_t>{n_src, n_tgt});
    const thread_layout layout(spec, partition{1, 0, 1, map}, 0);
    const auto first = static_cast<std::uint32_t>(layout.local_index(1, n_src));
    std::mt19937 rng(7);
    std::vector<pending_synapse> input;
    const std::uint32_t n = 20000;
    for (std::uint32_t k = 0; k < n; ++k) {
        const auto i = static_cast<std::uint32_t>(rng() % n_tgt);
        input.push_back({k % 3, target_code::make(first + i, rng() % 2), static_cast<float>(k),
                         static_cast<std::uint32_t>(1 + rng() % 144)});
    }
    word_store store;
    store.build(n_src + n_tgt, layout, std::vector<pending_synapse>(input));
    const auto listed = store.to_list();
    ASSERT_EQ(listed.size(), n);
    auto key = [&](const pending_synapse& x) {
        return std::make_tuple(x.source, (x.delay - 1) / 16,
                               (target_code::index(x.target_code) - first) / 256, x.weight);
    };
    std::vector<bool> seen(n, false);
    for (std::size_t k = 0; k < n; ++k) {
        const pending_synapse& x = listed[k];
        const auto original = static_cast<std::uint32_t>(x.weight);
        ASSERT_LT(original, n);
        ASSERT_FALSE(seen[original]) << "synapse " << original << " twice";
        seen[original] = true;
        EXPECT_TRUE(same(x, input[original])) << "synapse " << original;
        if (k > 0) {
            ASSERT_LT(key(listed[k - 1]), key(x)) << "at word " << k;
        }
    }
}

TEST(spinnaker_word_store, saturating_slots_count_each_saturating_addition) {
    const word_fixture f;
    const thread_layout layout = f.layout(1, 0);
    const auto li = static_cast<std::uint32_t>(layout.local_index(1, f.tgt(42)));
    const auto other = static_cast<std::uint32_t>(layout.local_index(1, f.tgt(43)));
    word_store store;
    store.build(f.n_sources(), layout,
                {{0, target_code::make(li, 0), static_cast<float>(0x9000), 5},
                 {1, target_code::make(li, 0), static_cast<float>(0x6FFF), 5},
                 {2, target_code::make(li, 0), 0.0f, 5},
                 {2, target_code::make(other, 0), 0.0f, 5},
                 {3, target_code::make(other, 0), static_cast<float>(0x8000), 5}});
    fixed_ring_buffer buffer(2, 1 + 16, layout.n_local());
    std::uint64_t sat = 0;
    // 0x9000 + 0x6FFF = 0xFFFF exactly: not saturated.
    store.deliver(0, 10, 1, buffer, sat);
    store.deliver(1, 10, 1, buffer, sat);
    EXPECT_EQ(buffer.row(0, 15)[li], 65535.0);
    EXPECT_EQ(sat, 0u);
    // A zero weight onto a full slot: nothing changes, no saturation.
    EXPECT_EQ(store.deliver(2, 10, 1, buffer, sat), 2u);
    EXPECT_EQ(buffer.row(0, 15)[li], 65535.0);
    EXPECT_EQ(buffer.row(0, 15)[other], 0.0);
    EXPECT_EQ(sat, 0u);
    // Anything more saturates, once per addition.
    store.deliver(0, 10, 1, buffer, sat);
    EXPECT_EQ(buffer.row(0, 15)[li], 65535.0);
    EXPECT_EQ(sat, 1u);
    store.deliver(0, 10, 1, buffer, sat);
    EXPECT_EQ(sat, 2u);
    // Two deliveries of 0x9000 into a fresh slot: 0x12000 -> 0xFFFF, once.
    store.deliver(0, 11, 1, buffer, sat);
    EXPECT_EQ(buffer.row(0, 16)[li], static_cast<double>(0x9000));
    EXPECT_EQ(sat, 2u);
    store.deliver(0, 11, 1, buffer, sat);
    EXPECT_EQ(buffer.row(0, 16)[li], 65535.0);
    EXPECT_EQ(sat, 3u);
    // A count of 2 of 0x8000 is one addition of 0x10000: saturates once.
    store.deliver(3, 12, 2, buffer, sat);
    EXPECT_EQ(buffer.row(0, 17)[other], 65535.0);
    EXPECT_EQ(sat, 4u);
    // Zero-weight words never write and never saturate, whatever the count.
    store.deliver(2, 12, 1000, buffer, sat);
    EXPECT_EQ(buffer.row(0, 17)[li], 0.0);
    EXPECT_EQ(buffer.row(0, 17)[other], 65535.0);
    EXPECT_EQ(sat, 4u);
}

// The delay extension: with until/later, each interval delivers the stages
// that arrive before the end of the next one and queues the rest, so a ring
// buffer of D + 16 slots receives, step by step, what one of D + 144 slots
// receives when every spike is delivered whole at once.
struct extension_run {
    static constexpr step_type D = 3;
    word_fixture f;
    thread_layout layout = f.layout(1, 0);
    word_store store;
    std::vector<std::vector<std::uint64_t>> spikes;  // per interval, sorted spike words

    explicit extension_run(std::uint32_t weight_max, std::uint64_t seed) {
        std::mt19937_64 rng(seed);
        std::vector<pending_synapse> input;
        for (int k = 0; k < 20000; ++k) {
            const auto src = static_cast<std::uint32_t>(rng() % f.n_sources());
            const auto li = static_cast<std::uint32_t>(layout.local_index(1, f.tgt(rng() % 600)));
            const auto d = static_cast<std::uint32_t>(D + rng() % (144 - D + 1));
            input.push_back({src, target_code::make(li, static_cast<std::uint32_t>(rng() % 2)),
                             static_cast<float>(rng() % (weight_max + 1)), d});
        }
        store.build(f.n_sources(), layout, std::move(input));
        for (int i = 0; i < 160; ++i) {
            std::vector<std::uint64_t> words;
            for (int j = 0; j < (i < 100 ? 12 : 0); ++j) {  // then quiet: the queue drains
                const gid_type g = rng() % f.n_sources();
                words.push_back(spike_word::pack(g, static_cast<step_type>(rng() % D)));
            }
            std::sort(words.begin(), words.end());
            spikes.push_back(words);
        }
    }
};

TEST(spinnaker_word_store, the_delay_extension_delivers_what_a_long_buffer_receives) {
    for (const std::uint32_t weight_max : {3u, 0xFFFFu}) {
        SCOPED_TRACE("weights up to " + std::to_string(weight_max));
        const extension_run run(weight_max, 5);
        const step_type D = extension_run::D;
        fixed_ring_buffer whole(2, D + 144, run.layout.n_local()),
            ext(2, D + 16, run.layout.n_local());
        spinnaker::delay_extension later;
        std::uint64_t events_whole = 0, events_ext = 0, sat_whole = 0, sat_ext = 0;
        std::size_t most_queued = 0;
        int compared = 0, differ = 0;
        for (std::size_t i = 0; i < run.spikes.size(); ++i) {
            const step_type first = static_cast<step_type>(i) * D, last = first + D;
            events_whole += run.store.deliver_spikes(run.spikes[i], first, whole, sat_whole);
            events_ext += later.deliver(run.store, ext, last + D, sat_ext);
            events_ext +=
                run.store.deliver_spikes(run.spikes[i], first, ext, sat_ext, last + D, &later);
            most_queued = std::max(most_queued, later.size());
            // The next interval's steps are read (and cleared) by the update.
            for (step_type t = last; t < last + D; ++t)
                for (std::size_t r = 0; r < 2; ++r) {
                    std::uint16_t* a = whole.row(r, t);
                    std::uint16_t* b = ext.row(r, t);
                    for (std::size_t n = 0; n < run.layout.n_local(); ++n) {
                        differ += a[n] != b[n];
                        compared += a[n] != 0;
                        a[n] = b[n] = 0;
                    }
                }
        }
        EXPECT_EQ(differ, 0);
        EXPECT_GT(compared, 10000);
        EXPECT_GT(most_queued, 100u) << "later stages should wait";
        EXPECT_EQ(later.size(), 0u) << "the queue should drain";
        EXPECT_EQ(events_ext, events_whole);
        if (weight_max < 16) {
            EXPECT_EQ(sat_whole, 0u);
            EXPECT_EQ(sat_ext, 0u);
        } else {  // order-dependent, but both saturate
            EXPECT_GT(sat_whole, 0u);
            EXPECT_GT(sat_ext, 0u);
        }
    }
}

// A restored checkpoint rebuilds the queue with defer from the spikes of the
// last 144 steps: the run then goes on exactly as the uninterrupted one,
// slots and saturation counts alike.
TEST(spinnaker_word_store, defer_rebuilds_the_delay_extension_queue) {
    const extension_run run(0xFFFF, 9);
    const step_type D = extension_run::D;
    const std::size_t n = run.layout.n_local();
    fixed_ring_buffer a(2, D + 16, n);
    spinnaker::delay_extension qa;
    std::uint64_t sat_a = 0;
    std::vector<std::pair<step_type, gid_type>> recent;
    auto interval = [&](std::size_t i, fixed_ring_buffer& buf, spinnaker::delay_extension& q,
                        std::uint64_t& sat) {
        const step_type first = static_cast<step_type>(i) * D, last = first + D;
        q.deliver(run.store, buf, last + D, sat);
        run.store.deliver_spikes(run.spikes[i], first, buf, sat, last + D, &q);
    };
    const std::size_t checkpoint_at = 60;  // intervals done
    for (std::size_t i = 0; i < checkpoint_at; ++i) {
        interval(i, a, qa, sat_a);
        for (const std::uint64_t w : run.spikes[i])
            recent.emplace_back(static_cast<step_type>(i) * D + spike_word::lag(w),
                                spike_word::gid(w));
        for (step_type t = static_cast<step_type>(i + 1) * D; t < static_cast<step_type>(i + 2) * D;
             ++t)
            for (std::size_t r = 0; r < 2; ++r)
                std::fill(a.row(r, t), a.row(r, t) + n, std::uint16_t{0});
    }
    const step_type step = static_cast<step_type>(checkpoint_at) * D;
    fixed_ring_buffer b = a;
    spinnaker::delay_extension qb;
    std::uint64_t sat_b = sat_a;
    for (const auto& [s, g] : recent)
        if (s + 144 >= step) run.store.defer(g, s, 1, step + D, qb);
    EXPECT_EQ(qb.size(), qa.size());
    ASSERT_GT(qa.size(), 50u);
    int differ = 0;
    for (std::size_t i = checkpoint_at; i < run.spikes.size(); ++i) {
        interval(i, a, qa, sat_a);
        interval(i, b, qb, sat_b);
        differ += a.data() != b.data();
        for (step_type t = static_cast<step_type>(i + 1) * D; t < static_cast<step_type>(i + 2) * D;
             ++t)
            for (std::size_t r = 0; r < 2; ++r) {
                std::fill(a.row(r, t), a.row(r, t) + n, std::uint16_t{0});
                std::fill(b.row(r, t), b.row(r, t) + n, std::uint16_t{0});
            }
    }
    EXPECT_EQ(differ, 0);
    EXPECT_EQ(sat_b, sat_a);
    EXPECT_GT(sat_a, 0u);
}

TEST(spinnaker_word_store, bytes_are_four_per_word_plus_rows_and_indices) {
    const word_fixture f;
    const thread_layout layout = f.layout(1, 0);
    // n synapses from source 0 onto neurons of the first target core, one delay: one row.
    auto one_row = [&](std::uint32_t n) {
        std::vector<pending_synapse> v;
        for (std::uint32_t k = 0; k < n; ++k)
            v.push_back(
                {0, target_code::make(static_cast<std::uint32_t>(f.n_src + k), 0), 1.0f, 4});
        word_store store;
        store.build(f.n_sources(), layout, std::move(v));
        return store;
    };
    const word_store a = one_row(10), b = one_row(30), c = one_row(230);
    EXPECT_EQ(b.bytes() - a.bytes(), 4u * 20);
    EXPECT_EQ(c.bytes() - a.bytes(), 4u * 220);
    EXPECT_GE(a.bytes(), 4u * 10 + sizeof(word_store::row));
    // The rest does not grow with the words: about the same for an empty store.
    const word_store e = one_row(0);
    EXPECT_EQ(a.bytes() - e.bytes(), 4u * 10 + sizeof(word_store::row));
}

// ---------------------------------------------------------------------------
// check_model: what SpiNNaker mode refuses, naming the key.

model_spec checkable(double dt) {
    model_spec spec;
    spec.simulation.dt = dt;
    spec.spinnaker.enabled = true;
    spec.populations.push_back(population("src", "SpikeSourcePoisson", 10));
    spec.populations.push_back(population("tgt", "IF_curr_exp", 10));
    spec.projections.push_back(projection(0, 1, connector_spec::kind::all_to_all,
                                          value_spec::constant(0.5),
                                          value_spec::constant(2.0 * dt)));
    return spec;
}

template <class F>
std::string model_file_error_path(F&& f) {
    try {
        f();
    } catch (const model_file_error& e) {
        return e.path();
    } catch (const std::exception& e) {
        return std::string("other exception: ") + e.what();
    }
    return "no exception";
}

TEST(spinnaker_check_model, accepts_dt_1_and_0_1_and_refuses_others) {
    EXPECT_NO_THROW(spinnaker::check_model(checkable(1.0), standard_models()));
    EXPECT_NO_THROW(spinnaker::check_model(checkable(0.1), standard_models()));
    for (const double dt : {0.25, 0.5, 0.01, 2.0}) {
        const model_spec spec = checkable(dt);
        EXPECT_EQ(model_file_error_path([&] { spinnaker::check_model(spec, standard_models()); }),
                  "simulation.dt")
            << "dt " << dt;
    }
}

TEST(spinnaker_check_model, a_model_without_a_fixed_point_version_is_named) {
    model_spec spec = checkable(1.0);
    spec.populations.push_back(population("hh", "HH_cond_exp", 3));
    EXPECT_EQ(model_file_error_path([&] { spinnaker::check_model(spec, standard_models()); }),
              "populations[2].model");
    try {
        spinnaker::check_model(spec, standard_models());
    } catch (const model_file_error& e) {
        EXPECT_NE(e.problem().find("HH_cond_exp"), std::string::npos) << e.what();
        EXPECT_NE(e.problem().find("IF_curr_exp"), std::string::npos) << e.what();
    }
    // Every spike source is accepted.
    model_spec sources = checkable(1.0);
    sources.populations.push_back(population("a", "SpikeSourceArray", 3));
    EXPECT_NO_THROW(spinnaker::check_model(sources, standard_models()));
}

TEST(spinnaker_check_model, stdp_is_refused) {
    model_spec spec = checkable(1.0);
    spec.projections.push_back(projection(0, 1, connector_spec::kind::all_to_all,
                                          value_spec::constant(0.5), value_spec::constant(1.0)));
    spec.projections[1].synapse.type = "STDPMechanism";
    spec.projections[1].synapse.stdp = stdp_spec{};
    EXPECT_EQ(model_file_error_path([&] { spinnaker::check_model(spec, standard_models()); }),
              "projections[1].synapse.type");
}

TEST(spinnaker_check_model, delays_beyond_144_steps_are_refused) {
    // dt 0.1: 14.4 ms is 144 steps (accepted), 14.5 ms is 145 (refused).
    model_spec ok = checkable(0.1);
    ok.simulation.max_delay = 14.4;
    EXPECT_NO_THROW(spinnaker::check_model(ok, standard_models()));
    model_spec bad = checkable(0.1);
    bad.simulation.max_delay = 14.5;
    try {
        spinnaker::check_model(bad, standard_models());
        ADD_FAILURE() << "max_delay 14.5 ms at dt 0.1 ms accepted";
    } catch (const error& e) {
        EXPECT_NE(std::string(e.what()).find("145 steps"), std::string::npos) << e.what();
    }
    // The same from a projection's delay, without max_delay.
    model_spec drawn = checkable(0.1);
    drawn.projections[0].synapse.delay = value_spec::constant(14.5);
    EXPECT_THROW(spinnaker::check_model(drawn, standard_models()), error);
    drawn.projections[0].synapse.delay = value_spec::uniform(1.0, 14.4);
    EXPECT_NO_THROW(spinnaker::check_model(drawn, standard_models()));
    // dt 1: 144 ms accepted, 145 ms refused.
    model_spec coarse = checkable(1.0);
    coarse.simulation.max_delay = 144.0;
    EXPECT_NO_THROW(spinnaker::check_model(coarse, standard_models()));
    coarse.simulation.max_delay = 145.0;
    EXPECT_THROW(spinnaker::check_model(coarse, standard_models()), error);
}

// ---------------------------------------------------------------------------
// The engine in SpiNNaker mode, one rank.

// An empty SpiNNaker-mode run: dt (given, as the file would), tstop and seed.
model_spec spinnaker_run(double dt, double tstop, std::uint64_t seed = 1) {
    model_spec spec;
    spec.simulation.dt = dt;
    spec.simulation.dt_given = true;
    spec.simulation.tstop = tstop;
    spec.simulation.seed = seed;
    spec.spinnaker.enabled = true;
    return spec;
}

// n_src SpikeSourceArray neurons spiking once, at the end of step s (time
// s + 1 ms), all-to-all onto one IF_curr_exp neuron whose isyn_exc is
// recorded every step; dt 1 ms, tstop n ms.
model_spec one_spike(std::uint64_t n_src, double weight, double delay_ms, step_type s,
                     step_type n) {
    model_spec spec = spinnaker_run(1.0, static_cast<double>(n));
    auto src = population("src", "SpikeSourceArray", n_src);
    src.parameters.lists["spike_times"] = {{static_cast<double>(s + 1)}};
    src.record_spikes = true;
    spec.populations.push_back(src);
    auto tgt = population("tgt", "IF_curr_exp", 1);
    tgt.record_state = {"isyn_exc"};
    spec.populations.push_back(tgt);
    spec.projections.push_back(projection(0, 1, connector_spec::kind::all_to_all,
                                          value_spec::constant(weight),
                                          value_spec::constant(delay_ms)));
    return spec;
}

// The first step whose recorded isyn_exc is not zero (-1: none).
step_type arrival_step(const simulation& sim) {
    const recorded_state r = sim.state_record(1, 0);
    for (std::uint64_t t = 0; t < r.n_times; ++t)
        if (r.local_data.at(t) != 0.0) return static_cast<step_type>(t);
    return -1;
}

TEST(spinnaker_simulation, left_shifts_are_chosen_by_hand_worked_rule) {
    serial_communicator comm;
    // 100 x 0.5 nA, constant delay: 50 -> 6; the inhibitory receptor has no input: 0.
    {
        simulation sim(one_spike(100, 0.5, 1.0, 3, 10), standard_models(), comm, 1);
        sim.run();
        ASSERT_TRUE(sim.spinnaker_mode());
        ASSERT_EQ(sim.left_shifts().size(), 2u);
        EXPECT_TRUE(sim.left_shifts()[0].empty());  // a source: no ring buffer of its own
        EXPECT_EQ(sim.left_shifts()[1], (std::vector<int>{6, 0}));
        ASSERT_EQ(sim.quantised().size(), 1u);
        EXPECT_EQ(sim.quantised()[0].rounded_to_zero, 0u);
        EXPECT_EQ(sim.quantised()[0].saturated, 0u);
        EXPECT_EQ(sim.ring_buffer_saturations(), 0u);
        EXPECT_EQ(arrival_step(sim), 4);
    }
    // One synapse of 3 nA: 3 -> 2; 4 nA: 4 = 2^2 -> 3.
    for (const auto& [w, shift] : {std::pair{3.0, 2}, std::pair{4.0, 3}, std::pair{0.5, 0}}) {
        simulation sim(one_spike(1, w, 1.0, 3, 6), standard_models(), comm, 1);
        sim.build();
        EXPECT_EQ(sim.left_shifts()[1], (std::vector<int>{shift, 0})) << "weight " << w;
    }
    // An inhibitory projection gets its own shift: 100 x 0.5 onto receptor 1.
    model_spec inh = one_spike(100, 0.5, 1.0, 3, 6);
    inh.projections[0].receptor_type = "inhibitory";
    simulation sim(inh, standard_models(), comm, 1);
    sim.build();
    EXPECT_EQ(sim.left_shifts()[1], (std::vector<int>{0, 6}));
}

TEST(spinnaker_simulation, tiny_weights_are_counted_as_rounded_to_zero) {
    serial_communicator comm;
    // 3 nA sets the shift to 2: a unit is 2^(2 - 15) nA, and 1e-5 nA is 0.08 units.
    model_spec spec = one_spike(1, 3.0, 1.0, 3, 10);
    auto tiny = population("tiny", "SpikeSourceArray", 10);
    tiny.parameters.lists["spike_times"] = {{2.0}};
    spec.populations.push_back(tiny);
    spec.projections.push_back(projection(2, 1, connector_spec::kind::all_to_all,
                                          value_spec::constant(1e-5), value_spec::constant(1.0)));
    for (const int threads : {1, 2}) {
        simulation sim(spec, standard_models(), comm, threads);
        sim.run();
        EXPECT_EQ(sim.left_shifts()[1], (std::vector<int>{2, 0}));
        ASSERT_EQ(sim.quantised().size(), 2u);
        EXPECT_EQ(sim.local_synapses_per_projection()[1], 10u);
        EXPECT_EQ(sim.quantised()[1].rounded_to_zero, 10u);
        EXPECT_EQ(sim.quantised()[1].saturated, 0u);
        EXPECT_EQ(sim.quantised()[0].rounded_to_zero, 0u);
        // The tiny inputs (source spikes in step 1) bring nothing: isyn_exc
        // is zero until the 3 nA synapse delivers in step 4.
        EXPECT_EQ(arrival_step(sim), 4);
    }
}

TEST(spinnaker_simulation, a_delay_rounding_to_zero_steps_becomes_one_step) {
    serial_communicator comm;
    const step_type s = 5;
    struct one_case {
        double delay_ms;
        step_type steps;
    };
    for (const one_case c :
         {one_case{0.3, 1}, one_case{0.49, 1}, one_case{1.0, 1}, one_case{2.0, 2}}) {
        SCOPED_TRACE("delay " + std::to_string(c.delay_ms) + " ms");
        for (const int threads : {1, 3}) {
            simulation sim(one_spike(1, 3.0, c.delay_ms, s, 12), standard_models(), comm, threads);
            // min_delay raised to dt: 0.3 ms gives D = 1 step.
            EXPECT_EQ(sim.grid().min_steps, c.steps);
            sim.run();
            ASSERT_EQ(sim.recorded()[0].time, (std::vector<double>{static_cast<double>(s + 1)}));
            // Sent in step s, taken as input in step s + d.
            EXPECT_EQ(arrival_step(sim), s + c.steps);
        }
    }
}

TEST(spinnaker_simulation, simultaneous_inputs_above_0xffff_saturate_the_ring_buffer) {
    serial_communicator comm;
    // 1000 sources spiking together onto one neuron, weight 1 nA: 999 with a
    // delay of 1 ms and one of 2 ms. The delays vary, so the shift comes from
    // the statistical bound: avg = 1000 * 30 / 1000 = 30 spikes per step, sd 0:
    // 30 * 1 + 5 * sqrt(30) = 57.4 -> 6. A weight is 1 nA * 2^(15 - 6) = 512
    // units; 127 of them fit in 0xFFFF, the other 872 of the 999 in that
    // slot saturate it.
    model_spec spec = one_spike(1000, 1.0, 1.0, 3, 10);
    auto& c = spec.projections[0].connector;
    c.k = connector_spec::kind::from_list;
    c.rows_have_weights = true;
    for (std::uint64_t i = 0; i < 1000; ++i)
        c.rows.push_back({i, 0, 1.0, i == 500 ? 2.0 : 1.0});
    for (const int threads : {1, 3}) {
        simulation sim(spec, standard_models(), comm, threads);
        sim.run();
        EXPECT_EQ(sim.left_shifts()[1], (std::vector<int>{6, 0}));
        EXPECT_EQ(sim.quantised()[0].saturated, 0u);
        EXPECT_GT(sim.ring_buffer_saturations(), 0u);
        EXPECT_EQ(sim.ring_buffer_saturations(), 872u);
    }
    // With the same 1000 synapses at one delay the shift covers the sum
    // (1000 -> 10): no saturation.
    for (auto& row : c.rows)
        row.delay = 1.0;
    simulation sim(spec, standard_models(), comm, 1);
    sim.run();
    EXPECT_EQ(sim.left_shifts()[1], (std::vector<int>{10, 0}));
    EXPECT_EQ(sim.ring_buffer_saturations(), 0u);
}

// A one-to-one Poisson drive generated at its targets adds each source's
// count in one go (poisson_drive into the 16-bit slots, the source's one word
// read by word_store::single); recorded, the same sources' spikes arrive as
// spike words and go through word_store::deliver one at a time. The targets
// must fire the same spikes, with the same saturations.
TEST(spinnaker_simulation, a_generated_poisson_drive_equals_its_received_spikes) {
    serial_communicator comm;
    auto spec_of = [](bool recorded) {
        model_spec spec = spinnaker_run(0.1, 200.0, 3);
        auto bg = population("bg", "SpikeSourcePoisson", 300);
        bg.parameters.scalars["rate"] = 20000.0;
        bg.record_spikes = recorded;
        spec.populations.push_back(bg);
        auto tgt = population("tgt", "IF_curr_exp", 300);  // cores of 256 and 44
        tgt.record_spikes = true;
        spec.populations.push_back(tgt);
        spec.projections.push_back(projection(0, 1, connector_spec::kind::one_to_one,
                                              value_spec::constant(0.02), value_spec::constant(1.5),
                                              "excitatory", 1.0));
        return spec;
    };
    simulation received(spec_of(true), standard_models(), comm, 1);
    received.run();
    ASSERT_GT(received.spike_counts()[1], 100u) << "the targets should fire";
    for (const int threads : {1, 2}) {
        SCOPED_TRACE(std::to_string(threads) + " threads");
        simulation generated(spec_of(false), standard_models(), comm, threads);
        generated.run();
        EXPECT_EQ(generated.spike_counts()[1], received.spike_counts()[1]);
        EXPECT_EQ(generated.recorded()[1].node_id, received.recorded()[1].node_id);
        EXPECT_EQ(generated.recorded()[1].time, received.recorded()[1].time);
        EXPECT_EQ(generated.ring_buffer_saturations(), received.ring_buffer_saturations());
        EXPECT_EQ(generated.left_shifts(), received.left_shifts());
    }
}

// 300 recurrent IF_curr_exp cells (dt 0.1 ms) driven by 300 generated
// Poisson sources at a constant 1.2 ms through fixed-probability synapses (a
// source has one word on a thread, or several, depending on the split), and
// a synchronous source whose coincident inputs saturate the excitatory slots
// the drive adds into. With `pushed`, the sources also project at 0.4 ms onto
// a population of their own, so their delays differ and they are drawn at
// emission instead.
model_spec spinnaker_poisson_driven(bool pushed) {
    model_spec spec = spinnaker_run(0.1, 120.0, 11);
    auto cells = population("cells", "IF_curr_exp", 300);  // cores of 256 and 44
    cells.record_spikes = true;
    spec.populations.push_back(cells);
    spec.populations.push_back(population("other", "IF_curr_exp", 20));
    auto bg = population("bg", "SpikeSourcePoisson", 300);
    bg.parameters.scalars["rate"] = 8000.0;
    spec.populations.push_back(bg);
    auto sync = population("sync", "SpikeSourceArray", 200);
    sync.parameters.lists["spike_times"] = {{20.0, 60.05, 90.0}};
    spec.populations.push_back(sync);
    using K = connector_spec::kind;
    spec.projections.push_back(projection(0, 0, K::fixed_probability,
                                          value_spec::uniform(0.005, 0.01),
                                          value_spec::uniform(0.1, 2.5), "excitatory", 0.1));
    spec.projections.push_back(projection(2, 0, K::fixed_probability,
                                          value_spec::uniform(0.001, 0.002),
                                          value_spec::constant(1.2), "excitatory", 0.03));
    spec.projections.push_back(projection(3, 0, K::fixed_probability, value_spec::constant(0.2),
                                          value_spec::constant(1.0), "excitatory", 0.5));
    if (pushed)
        spec.projections.push_back(projection(2, 1, K::fixed_probability, value_spec::constant(0.1),
                                              value_spec::constant(0.4), "excitatory", 0.01));
    return spec;
}

TEST(spinnaker_simulation, a_poisson_drive_of_one_delay_on_the_core_is_drawn_at_arrival) {
    const model_registry& models = standard_models();
    serial_communicator comm;
    {
        simulation sim(spinnaker_poisson_driven(false), models, comm, 2);
        sim.build();
        EXPECT_EQ(sim.plan().arrival_delay[2], step_type{12});
        EXPECT_FALSE(sim.plan().arrival_delay[3]) << "a SpikeSourceArray is exchanged";
        EXPECT_EQ(sim.plan().slots, 1 + 16) << "received spikes pushed: D + 16 slots";
    }
    {
        simulation sim(spinnaker_poisson_driven(true), models, comm, 2);
        sim.build();
        EXPECT_FALSE(sim.plan().arrival_delay[2]) << "two delays";
    }
    {
        // Beyond the core's 16 steps the delay extension delivers it.
        model_spec spec = spinnaker_poisson_driven(false);
        spec.projections[1].synapse.delay = value_spec::constant(1.7);
        simulation sim(spec, models, comm, 2);
        sim.build();
        EXPECT_FALSE(sim.plan().arrival_delay[2]) << "17 steps";
        spec.projections[1].synapse.delay = value_spec::constant(1.6);
        simulation on_core(spec, models, comm, 2);
        on_core.build();
        EXPECT_EQ(on_core.plan().arrival_delay[2], step_type{16});
    }
}

// The cells' inputs are the same whenever the drive is added (a saturating
// sum of non-negative weights is min(0xFFFF, sum) in any order): the same
// spikes; the saturating adds counted are the same on every split.
TEST(spinnaker_simulation, drawn_at_arrival_gives_the_spikes_of_drawn_at_emission_on_every_split) {
    serial_communicator comm;
    simulation pushed(spinnaker_poisson_driven(true), standard_models(), comm, 1);
    pushed.run();
    const double rate = static_cast<double>(pushed.spike_counts()[0]) / 300 / 0.12;
    EXPECT_GT(rate, 2.0) << "Hz";
    EXPECT_LT(rate, 150.0) << "Hz";
    ASSERT_GT(pushed.ring_buffer_saturations(), 0u) << "the sync source should saturate";
    std::uint64_t saturations = 0;
    for (const int threads : {1, 2, 3}) {
        SCOPED_TRACE(std::to_string(threads) + " threads");
        simulation sim(spinnaker_poisson_driven(false), standard_models(), comm, threads);
        sim.run();
        ASSERT_TRUE(sim.plan().arrival_delay[2]);
        EXPECT_EQ(sim.spike_counts()[0], pushed.spike_counts()[0]);
        EXPECT_EQ(sim.recorded()[0].node_id, pushed.recorded()[0].node_id);
        EXPECT_EQ(sim.recorded()[0].time, pushed.recorded()[0].time);
        if (threads == 1) saturations = sim.ring_buffer_saturations();
        EXPECT_EQ(sim.ring_buffer_saturations(), saturations);
    }
    EXPECT_GT(saturations, 0u);
}

// A network with Poisson input, recurrent excitation and inhibition, cores
// spread over threads, a few weights too small for their receptor's scale
// (rounded to zero) and a synchronous source whose coincident inputs
// saturate the inhibitory ring buffers: the same spikes (and shifts,
// quantisation counts and saturations) on 1, 2 and 3 threads.
model_spec small_network() {
    model_spec spec = spinnaker_run(1.0, 250.0, 7);
    auto noise = population("noise", "SpikeSourcePoisson", 300);
    noise.parameters.scalars["rate"] = 20.0;
    spec.populations.push_back(noise);
    auto exc = population("exc", "IF_curr_exp", 600);  // cores of 256, 256, 88
    exc.record_spikes = true;
    spec.populations.push_back(exc);
    auto inh = population("inh", "IF_curr_exp", 150);
    inh.record_spikes = true;
    spec.populations.push_back(inh);
    auto sync = population("sync", "SpikeSourceArray", 200);
    sync.parameters.lists["spike_times"] = {{50.0, 120.0, 200.0}};
    spec.populations.push_back(sync);
    using K = connector_spec::kind;
    spec.projections.push_back(projection(0, 1, K::fixed_probability, value_spec::uniform(0.3, 1.0),
                                          value_spec::uniform(1.0, 5.0), "excitatory", 0.1));
    spec.projections.push_back(projection(0, 2, K::fixed_probability, value_spec::uniform(0.1, 0.6),
                                          value_spec::uniform(1.0, 5.0), "excitatory", 0.1));
    spec.projections.push_back(projection(1, 1, K::fixed_probability, value_spec::constant(0.2),
                                          value_spec::uniform(1.0, 20.0), "excitatory", 0.05));
    spec.projections.push_back(projection(1, 2, K::fixed_probability, value_spec::constant(0.3),
                                          value_spec::constant(2.0), "excitatory", 0.05));
    spec.projections.push_back(projection(2, 1, K::fixed_probability, value_spec::constant(1.0),
                                          value_spec::uniform(1.0, 3.0), "inhibitory", 0.1));
    spec.projections.push_back(projection(3, 1, K::fixed_probability, value_spec::constant(1.0),
                                          value_spec::uniform(1.0, 2.0), "inhibitory", 0.5));
    spec.projections.push_back(projection(0, 1, K::fixed_probability,
                                          value_spec::uniform(0.0, 0.002),
                                          value_spec::constant(1.0), "excitatory", 0.05));
    return spec;
}

TEST(spinnaker_simulation, same_spikes_on_1_2_and_3_threads) {
    serial_communicator comm;
    simulation one(small_network(), standard_models(), comm, 1);
    one.run();
    ASSERT_GT(one.spike_counts()[1], 0u) << "the network should fire";
    ASSERT_GT(one.spike_counts()[2], 0u);
    ASSERT_GT(one.ring_buffer_saturations(), 0u) << "the sync source should saturate";
    ASSERT_GT(one.quantised()[6].rounded_to_zero, 0u);
    for (const int threads : {2, 3}) {
        SCOPED_TRACE(std::to_string(threads) + " threads");
        simulation sim(small_network(), standard_models(), comm, threads);
        sim.run();
        EXPECT_EQ(sim.spike_counts(), one.spike_counts());
        for (std::size_t p = 1; p < 3; ++p) {
            EXPECT_EQ(sim.recorded()[p].node_id, one.recorded()[p].node_id) << "population " << p;
            EXPECT_EQ(sim.recorded()[p].time, one.recorded()[p].time) << "population " << p;
        }
        EXPECT_EQ(sim.left_shifts(), one.left_shifts());
        ASSERT_EQ(sim.quantised().size(), one.quantised().size());
        for (std::size_t k = 0; k < one.quantised().size(); ++k) {
            EXPECT_EQ(sim.quantised()[k].rounded_to_zero, one.quantised()[k].rounded_to_zero);
            EXPECT_EQ(sim.quantised()[k].saturated, one.quantised()[k].saturated);
        }
        EXPECT_EQ(sim.ring_buffer_saturations(), one.ring_buffer_saturations());
        EXPECT_EQ(sim.local_synapses(), one.local_synapses());
    }
}

// Saved connections in SpiNNaker mode hold the weights as the hardware
// does: the 16-bit weight times the receptor's quantum, with the sign the
// model file gave; every synapse once, the same set on 1 and 3 threads.
TEST(spinnaker_simulation, saved_connections_hold_the_quantised_weights) {
    serial_communicator comm;
    model_spec spec = small_network();
    spec.simulation.tstop = 5.0;
    spec.projections[1].save_connections = true;  // noise -> inh, uniform(0.1, 0.6)
    spec.projections[4].save_connections = true;  // inh -> exc, 1.0, inhibitory
    using row = std::tuple<std::uint64_t, std::uint64_t, double, double>;
    std::vector<std::vector<row>> rows_of_one;
    for (const int threads : {1, 3}) {
        SCOPED_TRACE(std::to_string(threads) + " threads");
        simulation sim(spec, standard_models(), comm, threads);
        sim.build();
        std::vector<std::vector<row>> rows(2);
        for (const std::size_t k : {1u, 4u}) {
            const saved_connections& c = sim.saved()[k];
            const std::size_t post = spec.projections[k].post.population;
            const std::size_t receptor = k == 4 ? 1 : 0;
            // IF_curr_exp's weight scale is 1: a unit is 2^(shift - 15) nA.
            const double quantum = std::ldexp(1.0, sim.left_shifts()[post][receptor] - 15);
            ASSERT_EQ(c.weight.size(), sim.local_synapses_per_projection()[k]);
            ASSERT_GT(c.weight.size(), 100u);
            for (std::size_t i = 0; i < c.weight.size(); ++i) {
                const double units = c.weight[i] / quantum;
                ASSERT_EQ(units, std::nearbyint(units)) << "not a whole number of quanta";
                ASSERT_GT(units, 0.0);  // both projections have positive weights
                if (k == 1) {
                    ASSERT_LE(c.weight[i], 0.6 + quantum);
                    ASSERT_GE(c.weight[i], 0.1 - quantum);
                } else {
                    ASSERT_NEAR(c.weight[i], 1.0, quantum / 2);
                }
                ASSERT_GE(c.delay[i], 1.0);
                rows[k == 4].emplace_back(c.pre_index[i], c.post_index[i], c.weight[i], c.delay[i]);
            }
        }
        for (auto& r : rows)
            std::sort(r.begin(), r.end());
        if (rows_of_one.empty())
            rows_of_one = rows;
        else
            EXPECT_EQ(rows, rows_of_one);
    }
}

}  // namespace
}  // namespace ganglion
