// ConnorStevens against a tight-tolerance reference (Boost.Odeint dopri5,
// abs/rel tolerance 1e-10; tests/unit/soma_reference.hpp) of the
// Connor-Stevens equations as Dayan & Abbott (2001) print them, written out
// here with the plain formulas in the book's units (mS/mm2, uA/mm2) and
// integrated in absolute units (nF, uS, nA) on the soma: spike times under
// random Exp2Syn input at dt 0.025 and 0.1 ms, rest and free relaxation,
// the rheobase (bisection on the reference and on the model, and the
// saddle-node of the steady-state I-V curve), the type I f-I curve, the
// Exp2Syn kernel, the injected-current row and the validation messages.

#include "models/connor_stevens.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/neuron_population.hpp"
#include "tests/unit/soma_reference.hpp"

namespace ganglion::models {
namespace {

using model = connor_stevens;
namespace ref = test::soma_ref;

// Dayan & Abbott (2001), chapter 6 appendix, with their constants in
// mS/mm2; the model's densities are per cm2 (x 100).
struct cs_reference {
    static constexpr std::size_t n = 5;  // m, h, n, a, b
    static void rates(double V, double* alpha, double* beta, double& a_inf, double& tau_a,
                      double& b_inf, double& tau_b) {
        alpha[0] = 0.38 * (V + 29.7) / (1 - std::exp(-0.1 * (V + 29.7)));
        beta[0] = 15.2 * std::exp(-0.0556 * (V + 54.7));
        alpha[1] = 0.266 * std::exp(-0.05 * (V + 48));
        beta[1] = 3.8 / (1 + std::exp(-0.1 * (V + 18)));
        alpha[2] = 0.02 * (V + 45.7) / (1 - std::exp(-0.1 * (V + 45.7)));
        beta[2] = 0.25 * std::exp(-0.0125 * (V + 55.7));
        a_inf =
            std::pow(0.0761 * std::exp(0.0314 * (V + 94.22)) / (1 + std::exp(0.0346 * (V + 1.17))),
                     1.0 / 3.0);
        tau_a = 0.3632 + 1.158 / (1 + std::exp(0.0497 * (V + 55.96)));
        b_inf = std::pow(1 / (1 + std::exp(0.0688 * (V + 53.3))), 4);
        tau_b = 1.24 + 2.678 / (1 + std::exp(0.0624 * (V + 50)));
    }
    static void steady(double V, double* x) {
        double alpha[3], beta[3], tau_a, tau_b;
        rates(V, alpha, beta, x[3], tau_a, x[4], tau_b);
        for (int i = 0; i < 3; ++i)
            x[i] = alpha[i] / (alpha[i] + beta[i]);
    }
    static double ionic(const connor_stevens_kinetics::channels& c, double V, const double* x,
                        double* dx) {
        double alpha[3], beta[3], a_inf, tau_a, b_inf, tau_b;
        rates(V, alpha, beta, a_inf, tau_a, b_inf, tau_b);
        for (int i = 0; i < 3; ++i)
            dx[i] = alpha[i] * (1 - x[i]) - beta[i] * x[i];
        dx[3] = (a_inf - x[3]) / tau_a;
        dx[4] = (b_inf - x[4]) / tau_b;
        // The book's i_m in uA/mm2 from mS/mm2; x 100 -> uA/cm2.
        const double per_mm2 = c.g_leak / 100 * (V - c.e_rev_leak) +
                               c.gbar_Na / 100 * std::pow(x[0], 3) * x[1] * (V - c.e_rev_Na) +
                               c.gbar_K / 100 * std::pow(x[2], 4) * (V - c.e_rev_K) +
                               c.gbar_A / 100 * std::pow(x[3], 3) * x[4] * (V - c.e_rev_A);
        return 100 * per_mm2;
    }
};

// Realistic drive: Poisson trains of 3 nS excitatory Exp2Syn events (0.42
// mS/cm2 on the default soma) at 300 Hz and 15 nS inhibitory ones at 150 Hz
// (the example network's weights): irregular firing at about 35 Hz.
constexpr double rate_e = 300, w_e = 0.003, rate_i = 150, w_i = 0.015;

TEST(ConnorStevens, DayanAbbottConstants) {
    const auto info = make_model_entry<model>().info;
    auto def = [&](const char* n) { return info.find_parameter(n)->default_value; };
    // Dayan & Abbott's per-mm2 values, x 100 per cm2; c_m 10 nF/mm2 = 1 uF/cm2.
    EXPECT_DOUBLE_EQ(def("cm"), 10.0 * 100 / 1000);
    EXPECT_DOUBLE_EQ(def("g_leak"), 0.003 * 100);
    EXPECT_DOUBLE_EQ(def("gbar_Na"), 1.2 * 100);
    EXPECT_DOUBLE_EQ(def("gbar_K"), 0.2 * 100);
    EXPECT_DOUBLE_EQ(def("gbar_A"), 0.477 * 100);
    EXPECT_EQ(def("e_rev_leak"), -17.0);
    EXPECT_EQ(def("e_rev_Na"), 55.0);
    EXPECT_EQ(def("e_rev_K"), -72.0);
    EXPECT_EQ(def("e_rev_A"), -75.0);
    // The soma and its inputs, as NEURON users set them.
    EXPECT_EQ(def("length"), 15.0);
    EXPECT_EQ(def("diam"), 15.0);
    EXPECT_EQ(def("v_thresh"), -10.0);
    EXPECT_EQ(def("tau1_E"), 0.1);
    EXPECT_EQ(def("tau2_E"), 2.0);
    EXPECT_EQ(def("e_rev_E"), 0.0);
    EXPECT_EQ(def("tau1_I"), 0.1);
    EXPECT_EQ(def("tau2_I"), 2.0);
    EXPECT_EQ(def("e_rev_I"), -75.0);
    EXPECT_EQ(info.synapses, synapse_type::conductance);
    EXPECT_EQ(info.receptor_index("excitatory"), 0);
    EXPECT_EQ(info.receptor_index("inhibitory"), 1);
    // v starts at -68 mV (the book's), the gates at their steady state there.
    EXPECT_EQ(info.find_state("v")->default_value, -68.0);
    double x[5];
    cs_reference::steady(-68.0, x);
    int i = 0;
    for (const char* g : {"m", "h", "n", "a", "b"})
        EXPECT_NEAR(info.find_state(g)->default_value, x[i++], 1e-12) << g;
    for (const char* r : {"spikes", "v", "m", "h", "n", "a", "b", "gsyn_exc", "gsyn_inh"})
        EXPECT_NE(std::find(info.recordables.begin(), info.recordables.end(), r),
                  info.recordables.end())
            << r;
    // NEURON's soma area: pi diam L, no end caps (706.86 um2 for 15 x 15 um).
    EXPECT_NEAR(soma::area_cm2(15, 15), std::numbers::pi * 225e-8, 1e-20);
}

TEST(ConnorStevens, ValidationNamesParameterValueAndUnit) {
    ref::expect_parameter_errors<model>(
        "ConnorStevens", {{{{"gbar_A", -1.0}}, "gbar_A", "got -1 mS/cm2; must be >= 0 mS/cm2"},
                          {{{"gbar_K", -0.5}}, "gbar_K", "got -0.5 mS/cm2"}});
}

TEST(ConnorStevens, ReferenceIsConverged) {
    ref::expect_reference_converged<model, cs_reference>(rate_e, w_e, rate_i, w_i, 1e-5);
}

TEST(ConnorStevens, RandomInputMatchesReference) {
    // Measured: 27 spikes at both dt, all at the reference's steps;
    // |v - v_ref| 7.8e-4 mV (dt 0.025) and 1.4e-3 mV (dt 0.1), on upstrokes.
    ref::expect_random_input_matches<model, cs_reference>(rate_e, w_e, rate_i, w_i, 20, 0.02);
}

TEST(ConnorStevens, RestAndFreeRelaxation) {
    const double v_rest = ref::expect_rest_and_relaxation<model, cs_reference>(-60.0);
    EXPECT_NEAR(v_rest, -67.978, 1e-3);
}

TEST(ConnorStevens, GateSetByTheFileKeepsItsValue) {
    ref::expect_gate_set_by_the_file_kept<model, cs_reference>(1);  // h
}

TEST(ConnorStevens, RheobaseAndTypeIFICurve) {
    const auto r = ref::expect_rheobase_and_type_I<model, cs_reference>(-70.0);
    // The saddle-node is at 8.114 uA/cm2 (0.08114 uA/mm2 in the book's units).
    EXPECT_NEAR(r.saddle_node, 8.114, 1e-3);
}

TEST(ConnorStevens, Exp2SynKernelAndInjectedCurrent) {
    ref::expect_exp2syn_and_injection<model>();
}

}  // namespace
}  // namespace ganglion::models
