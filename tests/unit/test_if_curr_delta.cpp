// IF_curr_delta against closed-form solutions. v relaxes exactly and
// jumps by the summed weight (mV) of the step's input at the step's end,
// before the threshold check (as NEST's iaf_psc_delta), so
//   v(t) - v_rest = w exp(-t / tau_m)
// t after the end of the step that took the input. A clamped neuron
// discards its input (NEST's default). Tolerances allow only for rounding.

#include "models/if_curr_delta.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "tests/unit/lif_reference.hpp"

namespace ganglion::models {
namespace {

using model = if_curr_delta;
using driver = test::driver<model>;

model::parameters base_parameters() {
    return test::make_parameters<model>({{"cm", 0.25},
                                         {"tau_m", 10.0},
                                         {"tau_refrac", 0.0},
                                         {"v_rest", -65.0},
                                         {"v_reset", -65.0},
                                         {"v_thresh", -50.0}});
}

TEST(IfCurrDelta, HasNoSynapticTimeConstants) {
    const auto info = model::info();
    EXPECT_EQ(info.find_parameter("tau_syn_E"), nullptr);
    EXPECT_EQ(info.find_parameter("tau_syn_I"), nullptr);
    ASSERT_NE(info.find_parameter("tau_refrac"), nullptr);
    EXPECT_EQ(info.state.size(), 1u);
}

TEST(IfCurrDelta, PspIsJumpDecayingWithTauM) {
    const auto p = base_parameters();
    for (const double dt : {0.1, 1.0}) {
        for (const double w : {2.0, -3.0}) {
            driver n(p, dt);
            n.in[w > 0 ? 0 : 1][0] = w;
            double worst = 0;
            for (long long k = 0; k < std::llround(100.0 / dt); ++k) {
                n.step();
                ASSERT_EQ(n.spiked[0], 0);
                const double ref = w * std::exp(-k * dt / p.tau_m);
                worst = std::max(worst, std::abs(n.s.v[0] - p.v_rest - ref));
            }
            // The jump itself is exact: v_rest + w at the end of step 0.
            std::printf("PSP dt %g w %g: max |error| %.3g mV\n", dt, w, worst);
            EXPECT_LT(worst, 1e-10);
        }
    }
}

TEST(IfCurrDelta, PspsAddLinearly) {
    const auto p = base_parameters();
    const double dt = 0.1;
    driver n(p, dt);
    for (int k = 0; k < 1000; ++k) {
        if (k == 0) n.in[0][0] = 4.0;
        if (k == 50) {
            n.in[0][0] = 1.0;  // both receptors in one step add
            n.in[1][0] = -2.5;
        }
        n.step();
        double ref = 4.0 * std::exp(-k * dt / p.tau_m);
        if (k >= 50) ref += -1.5 * std::exp(-(k - 50) * dt / p.tau_m);
        ASSERT_NEAR(n.s.v[0] - p.v_rest, ref, 1e-10) << "step " << k;
    }
}

TEST(IfCurrDelta, InputFiresInTheStepItArrives) {
    auto p = base_parameters();
    p.v_reset = -70.0;
    const double dt = 0.1;
    driver n(p, dt);
    n.s.v[0] = -51.0;
    n.step();  // relaxes a little below -51
    ASSERT_EQ(n.spiked[0], 0);
    const double v_before = p.v_rest + (n.s.v[0] - p.v_rest) * std::exp(-dt / p.tau_m);
    n.in[0][0] = p.v_thresh - v_before + 1e-9;  // just enough
    n.step();
    EXPECT_EQ(n.spiked[0], 1);
    EXPECT_EQ(n.s.v[0], p.v_reset);
    // Just too little: no spike.
    driver m(p, dt);
    m.s.v[0] = -51.0;
    m.step();
    m.in[0][0] = p.v_thresh - v_before - 1e-9;
    m.step();
    EXPECT_EQ(m.spiked[0], 0);
}

TEST(IfCurrDelta, RefractoryNeuronDiscardsInput) {
    // Spike at step 0; input in steps 1..R is lost (v stays at v_reset and
    // does not carry it over); input in step R + 1 counts.
    auto p = base_parameters();
    p.tau_refrac = 2.0;
    p.v_reset = -70.0;
    const double dt = 0.1;
    driver n(p, dt);
    n.s.v[0] = -45.0;
    n.step();
    ASSERT_EQ(n.spiked[0], 1);
    for (int k = 1; k <= 20; ++k) {
        n.in[0][0] = 5.0;
        n.step();
        EXPECT_EQ(n.s.v[0], p.v_reset) << "step " << k;
        EXPECT_EQ(n.spiked[0], 0);
    }
    n.step();  // first free step, no input: relaxes from v_reset
    const double expected = p.v_rest + (p.v_reset - p.v_rest) * std::exp(-dt / p.tau_m);
    EXPECT_NEAR(n.s.v[0], expected, 1e-12);
    n.in[0][0] = 5.0;
    n.step();
    EXPECT_NEAR(n.s.v[0], p.v_rest + (expected - p.v_rest) * std::exp(-dt / p.tau_m) + 5.0, 1e-12);
}

TEST(IfCurrDelta, RefractoryClampLastsRoundedSteps) {
    const double dt = 0.1;
    for (const auto& [tau_refrac, clamped] : std::vector<std::pair<double, int>>{
             {0.0, 0}, {0.1, 1}, {2.0, 20}, {2.04, 20}, {2.06, 21}}) {
        auto p = base_parameters();
        p.tau_refrac = tau_refrac;
        p.v_reset = -70.0;
        p.i_offset = 5.0;
        driver n(p, dt);
        int spike_step = -1;
        for (int k = 0; k < 1000 && spike_step < 0; ++k) {
            n.step();
            if (n.spiked[0]) spike_step = k;
        }
        ASSERT_GE(spike_step, 0);
        for (int k = 1; k <= clamped; ++k) {
            n.step();
            EXPECT_EQ(n.s.v[0], p.v_reset) << "tau_refrac " << tau_refrac << ", step " << k;
        }
        n.step();
        EXPECT_GT(n.s.v[0], p.v_reset) << "tau_refrac " << tau_refrac;
    }
}

TEST(IfCurrDelta, FreeRelaxationIsExponential) {
    auto p = base_parameters();
    p.i_offset = 0.3;
    const double v_inf = p.v_rest + p.i_offset * p.tau_m / p.cm;
    for (const double dt : {0.01, 0.1, 1.0}) {
        driver n(p, dt);
        n.s.v[0] = -80.0;
        double worst = 0;
        for (long long k = 0; k < std::llround(100.0 / dt); ++k) {
            n.step();
            const double ref = v_inf + (-80.0 - v_inf) * std::exp(-(k + 1) * dt / p.tau_m);
            worst = std::max(worst, std::abs(n.s.v[0] - ref) / std::abs(ref));
        }
        std::printf("free relaxation dt %g: max relative error %.3g\n", dt, worst);
        EXPECT_LT(worst, 1e-12);
    }
}

TEST(IfCurrDelta, FiCurveFollowsAnalyticIsiAboveRheobase) {
    auto p = base_parameters();
    p.tau_refrac = 2.0;
    p.v_reset = -70.0;
    const double rheobase = p.cm * (p.v_thresh - p.v_rest) / p.tau_m;
    for (const double dt : {0.1, 0.01}) {
        std::size_t previous = 0;
        for (const double m : {0.0, 0.9, 1.0, 1.02, 1.3, 2.0, 10.0}) {
            p.i_offset = m * rheobase;
            const std::size_t count = test::expect_regular_firing<model>(p, dt, 1000.0);
            EXPECT_GE(count, previous) << m << " x rheobase";
            previous = count;
        }
    }
}

}  // namespace
}  // namespace ganglion::models
