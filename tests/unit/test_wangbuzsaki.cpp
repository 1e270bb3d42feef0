// WangBuzsaki against a tight-tolerance reference (Boost.Odeint dopri5,
// abs/rel tolerance 1e-10; tests/unit/soma_reference.hpp) of the Wang &
// Buzsaki (1996) equations, written out here with the paper's plain
// formulas and integrated in absolute units (nF, uS, nA) on the soma: spike
// times under random Exp2Syn input at dt 0.025 and 0.1 ms, rest and free
// relaxation, the rheobase (bisection on the reference and on the model,
// the saddle-node of the steady-state I-V curve, and the literature's
// 0.16 uA/cm2), the type I f-I curve, the Exp2Syn kernel, the
// injected-current row and the validation messages.

#include "models/wang_buzsaki.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "core/neuron_population.hpp"
#include "tests/unit/soma_reference.hpp"

namespace ganglion::models {
namespace {

using model = wang_buzsaki;
namespace ref = test::soma_ref;

// Wang & Buzsaki (1996), J Neurosci 16:6402, equations 1-4 (uA/cm2).
struct wb_reference {
    static constexpr std::size_t n = 2;  // h, n
    static void rates(double V, double* alpha, double* beta) {
        alpha[0] = -0.1 * (V + 35) / (std::exp(-0.1 * (V + 35)) - 1);  // m
        beta[0] = 4 * std::exp(-(V + 60) / 18);
        alpha[1] = 0.07 * std::exp(-(V + 58) / 20);  // h
        beta[1] = 1 / (std::exp(-0.1 * (V + 28)) + 1);
        alpha[2] = -0.01 * (V + 34) / (std::exp(-0.1 * (V + 34)) - 1);  // n
        beta[2] = 0.125 * std::exp(-(V + 44) / 80);
    }
    static void steady(double V, double* x) {
        double alpha[3], beta[3];
        rates(V, alpha, beta);
        x[0] = alpha[1] / (alpha[1] + beta[1]);
        x[1] = alpha[2] / (alpha[2] + beta[2]);
    }
    static double ionic(const wang_buzsaki_kinetics::channels& c, double V, const double* x,
                        double* dx) {
        double alpha[3], beta[3];
        rates(V, alpha, beta);
        const double m_inf = alpha[0] / (alpha[0] + beta[0]);
        dx[0] = c.phi * (alpha[1] * (1 - x[0]) - beta[1] * x[0]);
        dx[1] = c.phi * (alpha[2] * (1 - x[1]) - beta[2] * x[1]);
        return c.gbar_Na * std::pow(m_inf, 3) * x[0] * (V - c.e_rev_Na) +
               c.gbar_K * std::pow(x[1], 4) * (V - c.e_rev_K) + c.g_leak * (V - c.e_rev_leak);
    }
};

// Realistic drive: Poisson trains of 3 nS excitatory Exp2Syn events (0.42
// mS/cm2 on the default soma) and 15 nS inhibitory ones, each at 100 Hz:
// irregular firing at about 80 Hz, as a fast-spiking interneuron in gamma.
constexpr double rate_e = 100, w_e = 0.003, rate_i = 100, w_i = 0.015;

TEST(WangBuzsaki, PaperConstants) {
    const auto info = make_model_entry<model>().info;
    auto def = [&](const char* n) { return info.find_parameter(n)->default_value; };
    EXPECT_EQ(def("cm"), 1.0);
    EXPECT_EQ(def("gbar_Na"), 35.0);
    EXPECT_EQ(def("gbar_K"), 9.0);
    EXPECT_EQ(def("g_leak"), 0.1);
    EXPECT_EQ(def("e_rev_Na"), 55.0);
    EXPECT_EQ(def("e_rev_K"), -90.0);
    EXPECT_EQ(def("e_rev_leak"), -65.0);
    EXPECT_EQ(def("phi"), 5.0);
    EXPECT_EQ(def("length"), 15.0);
    EXPECT_EQ(def("diam"), 15.0);
    EXPECT_EQ(def("i_offset"), 0.0);
    EXPECT_EQ(def("v_thresh"), -10.0);
    EXPECT_EQ(info.synapses, synapse_type::conductance);
    // v starts at -65 mV (NEURON's v_init), h and n at their steady state.
    EXPECT_EQ(info.find_state("v")->default_value, -65.0);
    double x[2];
    wb_reference::steady(-65.0, x);
    EXPECT_NEAR(info.find_state("h")->default_value, x[0], 1e-12);
    EXPECT_NEAR(info.find_state("n")->default_value, x[1], 1e-12);
    EXPECT_EQ(info.find_state("m"), nullptr) << "m is instantaneous, not a state";
    for (const char* r : {"spikes", "v", "h", "n", "gsyn_exc", "gsyn_inh"})
        EXPECT_NE(std::find(info.recordables.begin(), info.recordables.end(), r),
                  info.recordables.end())
            << r;
}

TEST(WangBuzsaki, ValidationNamesParameterValueAndUnit) {
    ref::expect_parameter_errors<model>("WangBuzsaki",
                                        {{{{"phi", 0.0}}, "phi", "got 0 (dimensionless)"},
                                         {{{"gbar_K", -9.0}}, "gbar_K", "got -9 mS/cm2"}});
}

TEST(WangBuzsaki, ReferenceIsConverged) {
    ref::expect_reference_converged<model, wb_reference>(rate_e, w_e, rate_i, w_i, 1e-5);
}

TEST(WangBuzsaki, RandomInputMatchesReference) {
    // Measured: 59 spikes at both dt, all at the reference's steps,
    // crossings within 2.7e-5 ms; |v - v_ref| 6.4e-3 mV (dt 0.025) and
    // 1.1e-2 mV (dt 0.1), on upstrokes (dv/dt of several hundred mV/ms).
    ref::expect_random_input_matches<model, wb_reference>(rate_e, w_e, rate_i, w_i, 40, 0.05);
}

TEST(WangBuzsaki, RestAndFreeRelaxation) {
    const double v_rest = ref::expect_rest_and_relaxation<model, wb_reference>(-60.0);
    EXPECT_NEAR(v_rest, -64.018, 1e-3);
}

TEST(WangBuzsaki, GateSetByTheFileKeepsItsValue) {
    ref::expect_gate_set_by_the_file_kept<model, wb_reference>(1);  // n
}

TEST(WangBuzsaki, RheobaseAndTypeIFICurve) {
    const auto r = ref::expect_rheobase_and_type_I<model, wb_reference>(-70.0);
    // The literature's rheobase: about 0.16 uA/cm2 (a saddle-node on the
    // invariant circle).
    EXPECT_NEAR(r.saddle_node, 0.16, 0.005);
    EXPECT_NEAR(r.model / ref::nA_for_density(test::make_parameters<model>({}), 1.0), 0.16, 0.005);
}

TEST(WangBuzsaki, Exp2SynKernelAndInjectedCurrent) {
    ref::expect_exp2syn_and_injection<model>();
}

}  // namespace
}  // namespace ganglion::models
