// IF_curr_alpha against closed-form solutions. The subthreshold system is
// linear and integrated exactly, so the tolerances allow only for rounding.
//
// Step semantics (models/if_curr_alpha.cpp, as IF_curr_exp's): the input of
// step s enters the synaptic state at the end of step s, i.e. at time
// (s + 1) dt, and moves v from step s + 1 on; threshold at step ends; a
// spike clamps v at v_reset for round(tau_refrac / dt) steps.
//
// The PSP of one input w (nA) at time 0 into a resting membrane: with
// I(t) = W t exp(-t/tau_s), W = w e / tau_s, and a = 1/tau_s - 1/tau_m,
//   v(t) - v_rest = (W / (cm a^2)) (exp(-t/tau_m) - exp(-t/tau_s) (1 + a t)),
// and (W / cm) (t^2 / 2) exp(-t/tau_m) when tau_s = tau_m.

#include "models/if_curr_alpha.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "tests/unit/lif_reference.hpp"

namespace ganglion::models {
namespace {

using model = if_curr_alpha;
using driver = test::driver<model>;

model::parameters base_parameters() {
    return test::make_parameters<model>({{"cm", 0.25},
                                         {"tau_m", 10.0},
                                         {"tau_syn_E", 2.0},
                                         {"tau_syn_I", 5.0},
                                         {"v_rest", -65.0},
                                         {"v_reset", -65.0},
                                         {"v_thresh", -50.0}});
}

double psp(double w, double cm, double tau_s, double tau_m, double t) {
    const double big_w = w * std::exp(1.0) / tau_s;
    if (tau_s == tau_m) return big_w / cm * 0.5 * t * t * std::exp(-t / tau_m);
    const double a = 1 / tau_s - 1 / tau_m;
    return big_w / (cm * a * a) * (std::exp(-t / tau_m) - std::exp(-t / tau_s) * (1 + a * t));
}

// Max |v - v_rest - psp| over 100 ms after one input of weight w at step 0.
double psp_error(const model::parameters& p, double dt, double w, bool excitatory) {
    driver n(p, dt);
    n.in[excitatory ? 0 : 1][0] = w;
    const double tau_s = excitatory ? p.tau_syn_E : p.tau_syn_I;
    double worst = 0;
    const auto steps = std::llround(100.0 / dt);
    for (long long k = 0; k < steps; ++k) {
        n.step();
        EXPECT_EQ(n.spiked[0], 0);
        const double t = static_cast<double>(k) * dt;
        worst = std::max(worst, std::abs(n.s.v[0] - p.v_rest - psp(w, p.cm, tau_s, p.tau_m, t)));
    }
    return worst;
}

TEST(IfCurrAlpha, PspIsAlphaCurrentThroughMembrane) {
    auto p = base_parameters();
    for (const double dt : {0.1, 1.0}) {
        // 0.5 nA, tau_s 2 ms: peak PSP ~5 mV.
        const double e = psp_error(p, dt, 0.5, true);
        const double i = psp_error(p, dt, -0.5, false);
        std::printf("PSP dt %g: max |error| exc %.3g mV, inh %.3g mV\n", dt, e, i);
        EXPECT_LT(e, 1e-10);
        EXPECT_LT(i, 1e-10);
    }
    // Slower synapse than membrane, and equal time constants.
    p.tau_syn_E = 30.0;
    p.tau_syn_I = p.tau_m;
    const double slow = psp_error(p, 0.1, 0.1, true);
    const double equal = psp_error(p, 0.1, -0.1, false);
    std::printf("PSP tau_s 30 ms: %.3g mV; tau_s == tau_m: %.3g mV\n", slow, equal);
    EXPECT_LT(slow, 1e-10);
    EXPECT_LT(equal, 1e-10);
}

TEST(IfCurrAlpha, PspNearlyEqualTimeConstantsStaysAccurate) {
    // tau_s = tau_m (1 + 1e-9): the closed form cancels catastrophically;
    // reference: its expansion in x = a t (|x| <= 1e-8),
    //   (W/cm) exp(-t/tau_m) t^2 (1/2 - x/3 + x^2/8).
    auto p = base_parameters();
    p.tau_syn_E = p.tau_m * (1 + 1e-9);
    const double dt = 0.1, w = 0.1;
    const double a = (p.tau_m - p.tau_syn_E) / (p.tau_syn_E * p.tau_m);
    const double big_w = w * std::exp(1.0) / p.tau_syn_E;
    driver n(p, dt);
    n.in[0][0] = w;
    double worst = 0;
    for (int k = 0; k < 1000; ++k) {
        n.step();
        const double t = k * dt, x = a * t;
        const double ref =
            big_w / p.cm * std::exp(-t / p.tau_m) * t * t * (0.5 - x / 3 + x * x / 8);
        worst = std::max(worst, std::abs(n.s.v[0] - p.v_rest - ref));
    }
    std::printf("PSP tau_s = tau_m (1 + 1e-9): max |error| %.3g mV\n", worst);
    EXPECT_LT(worst, 1e-10);
}

TEST(IfCurrAlpha, AlphaKernelFactorMatchesClosedFormAndSeries) {
    // Both branches against each other near the switch and against the
    // limits: 1/2 at 0; the direct form far from 0.
    EXPECT_DOUBLE_EQ(alpha_kernel_factor(0.0), 0.5);
    for (const double x : {-3.0, -0.7, 0.7, 2.0, 10.0}) {
        const double direct = (1 - std::exp(-x) * (1 + x)) / (x * x);
        EXPECT_NEAR(alpha_kernel_factor(x), direct, 1e-14 * std::abs(direct)) << x;
    }
    // Continuity across the switch at |x| = 0.5.
    for (const double x : {-0.5, 0.5}) {
        const double below = alpha_kernel_factor(std::nextafter(x, 0.0));
        const double above = alpha_kernel_factor(x);
        EXPECT_NEAR(below, above, 1e-15) << x;
    }
}

TEST(IfCurrAlpha, WeightIsPeakCurrentAtTauSyn) {
    // PyNN: the weight is the peak current, reached tau_syn after the spike.
    const auto p = base_parameters();
    const double dt = 0.1, w = 0.7;
    driver n(p, dt);
    n.in[0][0] = w;
    n.in[1][0] = -w;
    double peak = 0;
    int peak_step = -1;
    for (int k = 0; k < 300; ++k) {
        n.step();
        const double t = k * dt;
        // The exact kernel: w (t / tau) exp(1 - t / tau).
        ASSERT_NEAR(n.s.i_exc[0], w * t / p.tau_syn_E * std::exp(1 - t / p.tau_syn_E), 1e-13);
        ASSERT_NEAR(n.s.i_inh[0], -w * t / p.tau_syn_I * std::exp(1 - t / p.tau_syn_I), 1e-13);
        if (n.s.i_exc[0] > peak) {
            peak = n.s.i_exc[0];
            peak_step = k;
        }
    }
    EXPECT_EQ(peak_step, 20);  // t = 2 ms = tau_syn_E
    EXPECT_NEAR(peak, w, 1e-14);
}

TEST(IfCurrAlpha, FreeRelaxationIsExponential) {
    auto p = base_parameters();
    p.i_offset = 0.3;  // v_inf = -53 mV
    const double v_inf = p.v_rest + p.i_offset * p.tau_m / p.cm;
    const std::vector<double> v0 = {-80.0, -65.0, -53.0, -50.5, -120.0};
    for (const double dt : {0.01, 0.1, 1.0}) {
        driver n(p, dt, v0.size());
        n.s.v = v0;
        const auto steps = std::llround(100.0 / dt);
        double worst = 0;
        for (long long k = 0; k < steps; ++k) {
            n.step();
            const double t = static_cast<double>(k + 1) * dt;
            for (std::size_t i = 0; i < v0.size(); ++i) {
                ASSERT_EQ(n.spiked[i], 0);
                const double ref = v_inf + (v0[i] - v_inf) * std::exp(-t / p.tau_m);
                worst = std::max(worst, std::abs(n.s.v[i] - ref) / std::abs(ref));
            }
        }
        std::printf("free relaxation dt %g: max relative error %.3g\n", dt, worst);
        EXPECT_LT(worst, 1e-12) << "dt " << dt;
    }
}

TEST(IfCurrAlpha, PspsAddLinearly) {
    const auto p = base_parameters();
    const double dt = 0.1;
    driver n(p, dt);
    for (int k = 0; k < 1000; ++k) {
        if (k == 0) n.in[0][0] = 0.4;
        if (k == 50) n.in[1][0] = -0.3;
        if (k == 120) n.in[0][0] = 0.25;
        n.step();
        double ref = psp(0.4, p.cm, p.tau_syn_E, p.tau_m, k * dt);
        if (k >= 50) ref += psp(-0.3, p.cm, p.tau_syn_I, p.tau_m, (k - 50) * dt);
        if (k >= 120) ref += psp(0.25, p.cm, p.tau_syn_E, p.tau_m, (k - 120) * dt);
        ASSERT_NEAR(n.s.v[0] - p.v_rest, ref, 1e-10) << "step " << k;
    }
}

TEST(IfCurrAlpha, RefractoryClampLastsRoundedSteps) {
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
            EXPECT_EQ(n.spiked[0], 0);
        }
        n.step();
        EXPECT_GT(n.s.v[0], p.v_reset) << "tau_refrac " << tau_refrac;
    }
}

TEST(IfCurrAlpha, InputDuringClampMovesVAfterIt) {
    // Spike at step 0 (v0 above threshold), clamp steps 1..R, input of
    // weight w in step 3. By linearity, from the end of the clamp t_end on:
    //   v - v_rest = (v_reset - v_rest) e^{-(t - t_end)/tau_m}
    //                + psp(t - t0) - e^{-(t - t_end)/tau_m} psp(t_end - t0),
    // t0 = 4 dt the time the input entered the synaptic state.
    auto p = base_parameters();
    p.tau_refrac = 2.0;
    p.v_reset = -70.0;
    const double dt = 0.1, w = 0.8;
    const int clamp = 20, input_step = 3;
    driver n(p, dt);
    n.s.v[0] = -45.0;
    n.step();
    ASSERT_EQ(n.spiked[0], 1);
    const double t0 = (input_step + 1) * dt, t_end = (clamp + 1) * dt;
    double worst = 0;
    for (int k = 1; k < 1000; ++k) {
        if (k == input_step) n.in[0][0] = w;
        n.step();
        ASSERT_EQ(n.spiked[0], 0);
        if (k <= clamp) {
            ASSERT_EQ(n.s.v[0], p.v_reset) << "step " << k;
            continue;
        }
        const double t = (k + 1) * dt, decay = std::exp(-(t - t_end) / p.tau_m);
        const double ref = (p.v_reset - p.v_rest) * decay +
                           psp(w, p.cm, p.tau_syn_E, p.tau_m, t - t0) -
                           decay * psp(w, p.cm, p.tau_syn_E, p.tau_m, t_end - t0);
        worst = std::max(worst, std::abs(n.s.v[0] - p.v_rest - ref));
    }
    std::printf("input during clamp: max |error| %.3g mV\n", worst);
    EXPECT_LT(worst, 1e-10);
}

TEST(IfCurrAlpha, FiCurveFollowsAnalyticIsiAboveRheobase) {
    auto p = base_parameters();
    p.tau_refrac = 2.0;
    const double rheobase = p.cm * (p.v_thresh - p.v_rest) / p.tau_m;  // 0.375 nA
    for (const double dt : {0.1, 0.01}) {
        std::size_t previous = 0;
        for (const double m : {0.0, 0.5, 0.99, 1.0, 1.01, 1.1, 1.5, 2.0, 5.0, 30.0}) {
            p.i_offset = m * rheobase;
            const std::size_t count = test::expect_regular_firing<model>(p, dt, 1000.0);
            EXPECT_GE(count, previous) << m << " x rheobase";
            previous = count;
        }
    }
}

}  // namespace
}  // namespace ganglion::models
