// IF_curr_dual_exp against closed-form solutions: three exponential
// currents (excitatory, excitatory2, inhibitory) into a leaky membrane,
// integrated exactly, so the tolerances allow only for rounding.
//
// Step semantics as IF_curr_exp's: the input of step s enters its current
// at time (s + 1) dt and moves v from step s + 1 on; threshold at step
// ends; a spike clamps v for round(tau_refrac / dt) steps.
//
// The PSP of an input w (nA) on a receptor with time constant tau_s is the
// difference of exponentials
//   (w / cm) tau_s tau_m / (tau_m - tau_s) (exp(-t/tau_m) - exp(-t/tau_s)),
// (w / cm) t exp(-t/tau_m) when tau_s = tau_m; inputs on several receptors
// add.

#include "models/if_curr_dual_exp.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "tests/unit/lif_reference.hpp"

namespace ganglion::models {
namespace {

using model = if_curr_dual_exp;
using driver = test::driver<model>;

model::parameters base_parameters() {
    return test::make_parameters<model>({{"cm", 0.25},
                                         {"tau_m", 10.0},
                                         {"tau_syn_E", 1.0},
                                         {"tau_syn_E2", 8.0},
                                         {"tau_syn_I", 5.0},
                                         {"v_rest", -65.0},
                                         {"v_reset", -65.0},
                                         {"v_thresh", -50.0}});
}

double psp(double w, double cm, double tau_s, double tau_m, double t) {
    if (tau_s == tau_m) return w / cm * t * std::exp(-t / tau_m);
    return w / cm * tau_s * tau_m / (tau_m - tau_s) * (std::exp(-t / tau_m) - std::exp(-t / tau_s));
}

TEST(IfCurrDualExp, ReceptorsInPyNNOrder) {
    const auto info = model::info();
    ASSERT_EQ(info.receptors.size(), model::n_receptors);
    EXPECT_EQ(info.receptor_index("excitatory"), 0);
    EXPECT_EQ(info.receptor_index("excitatory2"), 1);
    EXPECT_EQ(info.receptor_index("inhibitory"), 2);
    ASSERT_NE(info.find_parameter("tau_syn_E2"), nullptr);
    EXPECT_EQ(info.find_parameter("tau_syn_E2")->default_value, 5.0);
}

TEST(IfCurrDualExp, EachReceptorGivesItsDifferenceOfExponentials) {
    auto p = base_parameters();
    const double taus[3] = {p.tau_syn_E, p.tau_syn_E2, p.tau_syn_I};
    const double weights[3] = {0.5, 0.3, -0.5};
    for (const double dt : {0.1, 1.0}) {
        for (std::size_t r = 0; r < 3; ++r) {
            driver n(p, dt);
            n.in[r][0] = weights[r];
            double worst = 0;
            for (long long k = 0; k < std::llround(100.0 / dt); ++k) {
                n.step();
                ASSERT_EQ(n.spiked[0], 0);
                const double ref = psp(weights[r], p.cm, taus[r], p.tau_m, k * dt);
                worst = std::max(worst, std::abs(n.s.v[0] - p.v_rest - ref));
            }
            std::printf("PSP dt %g receptor %zu: max |error| %.3g mV\n", dt, r, worst);
            EXPECT_LT(worst, 1e-10) << "dt " << dt << ", receptor " << r;
        }
    }
}

TEST(IfCurrDualExp, PspIsSumOfTwoDifferencesOfExponentials) {
    // Both excitatory receptors at once (and the inhibitory one later): the
    // two excitatory kernels must keep their own time constants.
    auto p = base_parameters();
    for (const double tau_e2 : {8.0, 10.0 /* = tau_m */}) {
        p.tau_syn_E2 = tau_e2;
        const double dt = 0.1;
        driver n(p, dt);
        double worst = 0;
        for (int k = 0; k < 1000; ++k) {
            if (k == 0) {
                n.in[0][0] = 0.4;
                n.in[1][0] = 0.2;
            }
            if (k == 300) n.in[2][0] = -0.6;
            n.step();
            double ref = psp(0.4, p.cm, p.tau_syn_E, p.tau_m, k * dt) +
                         psp(0.2, p.cm, p.tau_syn_E2, p.tau_m, k * dt);
            if (k >= 300) ref += psp(-0.6, p.cm, p.tau_syn_I, p.tau_m, (k - 300) * dt);
            worst = std::max(worst, std::abs(n.s.v[0] - p.v_rest - ref));
            ASSERT_NEAR(n.s.i_exc[0], 0.4 * std::exp(-k * dt / p.tau_syn_E), 1e-13);
            ASSERT_NEAR(n.s.i_exc2[0], 0.2 * std::exp(-k * dt / p.tau_syn_E2), 1e-13);
        }
        std::printf("dual PSP tau_syn_E2 %g: max |error| %.3g mV\n", tau_e2, worst);
        EXPECT_LT(worst, 1e-10);
    }
}

TEST(IfCurrDualExp, FreeRelaxationIsExponential) {
    auto p = base_parameters();
    p.i_offset = 0.3;
    const double v_inf = p.v_rest + p.i_offset * p.tau_m / p.cm;
    const std::vector<double> v0 = {-80.0, -65.0, -53.0, -50.5};
    for (const double dt : {0.01, 0.1, 1.0}) {
        driver n(p, dt, v0.size());
        n.s.v = v0;
        double worst = 0;
        for (long long k = 0; k < std::llround(100.0 / dt); ++k) {
            n.step();
            const double t = static_cast<double>(k + 1) * dt;
            for (std::size_t i = 0; i < v0.size(); ++i) {
                ASSERT_EQ(n.spiked[i], 0);
                const double ref = v_inf + (v0[i] - v_inf) * std::exp(-t / p.tau_m);
                worst = std::max(worst, std::abs(n.s.v[i] - ref) / std::abs(ref));
            }
        }
        std::printf("free relaxation dt %g: max relative error %.3g\n", dt, worst);
        EXPECT_LT(worst, 1e-12);
    }
}

TEST(IfCurrDualExp, RefractoryClampAndInputDuringIt) {
    // Spike at step 0, clamp for steps 1..20; an excitatory2 input in step
    // 3 moves v only after the clamp, by linearity
    //   v - v_rest = (v_reset - v_rest) D + psp(t - t0) - D psp(t_end - t0),
    // D = exp(-(t - t_end) / tau_m).
    auto p = base_parameters();
    p.tau_refrac = 2.0;
    p.v_reset = -70.0;
    const double dt = 0.1, w = 0.5;
    driver n(p, dt);
    n.s.v[0] = -45.0;
    n.step();
    ASSERT_EQ(n.spiked[0], 1);
    const double t0 = 4 * dt, t_end = 21 * dt;
    double worst = 0;
    for (int k = 1; k < 1000; ++k) {
        if (k == 3) n.in[1][0] = w;
        n.step();
        ASSERT_EQ(n.spiked[0], 0);
        if (k <= 20) {
            ASSERT_EQ(n.s.v[0], p.v_reset) << "step " << k;
            continue;
        }
        const double t = (k + 1) * dt, decay = std::exp(-(t - t_end) / p.tau_m);
        const double ref = (p.v_reset - p.v_rest) * decay +
                           psp(w, p.cm, p.tau_syn_E2, p.tau_m, t - t0) -
                           decay * psp(w, p.cm, p.tau_syn_E2, p.tau_m, t_end - t0);
        worst = std::max(worst, std::abs(n.s.v[0] - p.v_rest - ref));
    }
    std::printf("input during clamp: max |error| %.3g mV\n", worst);
    EXPECT_LT(worst, 1e-10);
}

TEST(IfCurrDualExp, FiCurveFollowsAnalyticIsiAboveRheobase) {
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
