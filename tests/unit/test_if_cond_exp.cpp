// IF_cond_exp against closed-form solutions where they exist (free
// relaxation, constant conductance) and against a tight-tolerance
// Runge-Kutta reference (Boost.Odeint, Dormand-Prince 5(4), abs/rel
// tolerance 1e-10) for realistic random input.
//
// The reference integrates the same ODE
//   cm dv/dt = g_L (v_rest - v) + g_e (e_rev_E - v) + g_i (e_rev_I - v) + i_offset
//   dg_x/dt = -g_x / tau_syn_x
// from grid point to grid point and applies the model's discrete events at
// the same grid points (models/if_cond_exp.cpp): the input of step s jumps g
// at time (s + 1) dt, after v has been advanced over the step; the threshold
// is checked at step ends only; a spike resets v to v_reset and clamps it for
// round(tau_refrac / dt) steps, during which g evolves as usual. What
// remains different is only how v is integrated within a step.

#include "models/if_cond_exp.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <boost/numeric/odeint.hpp>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "core/spec.hpp"

namespace ganglion::models {
namespace {

using model = if_cond_exp;

model::parameters make_parameters(const std::map<std::string, double>& values) {
    parameter_values v;
    v.scalars = values;
    const auto p = model::parameters::from(v);
    p.validate();
    return p;
}

// Vogels & Abbott (2005) / PyNN VAbenchmarks parameters.
model::parameters va_parameters() {
    return make_parameters({{"cm", 0.2},
                            {"tau_m", 20.0},
                            {"v_rest", -60.0},
                            {"v_thresh", -50.0},
                            {"v_reset", -60.0},
                            {"tau_refrac", 5.0},
                            {"tau_syn_E", 5.0},
                            {"tau_syn_I", 10.0},
                            {"e_rev_E", 0.0},
                            {"e_rev_I", -80.0}});
}

// The parameters of examples/small_network (run at dt 1.0 ms).
model::parameters small_network_parameters() {
    return make_parameters({{"cm", 0.5},
                            {"tau_m", 20.0},
                            {"tau_syn_E", 2.0},
                            {"tau_syn_I", 4.0},
                            {"e_rev_E", 0.0},
                            {"e_rev_I", -70.0},
                            {"tau_refrac", 2.0},
                            {"v_rest", -60.0},
                            {"v_reset", -70.0},
                            {"v_thresh", -50.0}});
}

// Input per step (uS), per receptor.
struct input_trains {
    std::vector<double> exc, inh;
};

struct train {
    double rate;    // Hz
    double weight;  // uS
    bool excitatory;
};

// Poisson trains with exponential inter-event intervals, an event at time t
// arriving in step floor(t / dt); deterministic (fixed mt19937 seed).
input_trains make_inputs(const std::vector<train>& trains, double dt, std::int64_t n_steps,
                         unsigned seed) {
    input_trains in{std::vector<double>(n_steps, 0.0), std::vector<double>(n_steps, 0.0)};
    std::mt19937 gen(seed);
    const double t_stop = static_cast<double>(n_steps) * dt;
    for (const auto& tr : trains) {
        std::exponential_distribution<double> isi(tr.rate * 1e-3);  // per ms
        for (double t = isi(gen); t < t_stop; t += isi(gen)) {
            const auto s = std::min(n_steps - 1, static_cast<std::int64_t>(t / dt));
            (tr.excitatory ? in.exc : in.inh)[s] += tr.weight;
        }
    }
    return in;
}

struct run_result {
    std::vector<std::int64_t> spikes;  // steps
    std::vector<double> v;             // at every step end
};

// The model through its struct, one neuron.
run_result run_model(const model::parameters& p, double dt, const input_trains& in, double v0) {
    const model::derived d(p, dt);
    model::state s;
    s.resize(1, p);
    s.v[0] = v0;
    run_result r;
    const auto n = static_cast<std::int64_t>(in.exc.size());
    for (std::int64_t k = 0; k < n; ++k) {
        const double no_current = 0;
        const double* input[3] = {&in.exc[k], &in.inh[k], &no_current};
        std::uint8_t spiked = 0;
        model::step(p, d, s, input, &spiked, 1);
        if (spiked) r.spikes.push_back(k);
        r.v.push_back(s.v[0]);
    }
    return r;
}

// The reference: the same ODE and events, v integrated by adaptive
// Dormand-Prince to 1e-10 between grid points.
run_result run_reference(const model::parameters& p, double dt, const input_trains& in, double v0,
                         double tolerance = 1e-10) {
    namespace ode = boost::numeric::odeint;
    using state_type = std::array<double, 3>;  // v, g_e, g_i
    const double g_leak = p.cm / p.tau_m;
    const auto refractory_steps = static_cast<int>(std::lround(p.tau_refrac / dt));
    int refractory = 0;
    auto rhs = [&](const state_type& x, state_type& dxdt, double) {
        dxdt[0] = refractory > 0 ? 0.0
                                 : (g_leak * (p.v_rest - x[0]) + x[1] * (p.e_rev_E - x[0]) +
                                    x[2] * (p.e_rev_I - x[0]) + p.i_offset) /
                                       p.cm;
        dxdt[1] = -x[1] / p.tau_syn_E;
        dxdt[2] = -x[2] / p.tau_syn_I;
    };
    auto stepper =
        ode::make_controlled(tolerance, tolerance, ode::runge_kutta_dopri5<state_type>());
    state_type x = {v0, 0.0, 0.0};
    run_result r;
    const auto n = static_cast<std::int64_t>(in.exc.size());
    for (std::int64_t k = 0; k < n; ++k) {
        const double t0 = static_cast<double>(k) * dt;
        ode::integrate_adaptive(stepper, rhs, x, t0, t0 + dt, dt / 4);
        if (refractory > 0) --refractory;
        x[1] += in.exc[k];
        x[2] += in.inh[k];
        const bool spiked = x[0] >= p.v_thresh;
        if (spiked) {
            x[0] = p.v_reset;
            refractory = refractory_steps;
            r.spikes.push_back(k);
        }
        r.v.push_back(x[0]);
    }
    return r;
}

double max_abs_difference(const std::vector<double>& a, const std::vector<double>& b) {
    double worst = 0;
    for (std::size_t k = 0; k < std::min(a.size(), b.size()); ++k)
        worst = std::max(worst, std::abs(a[k] - b[k]));
    return worst;
}

// ---------------------------------------------------------------------------
// Closed-form cases.

TEST(IfCondExp, FreeRelaxationIsExponential) {
    // No conductance: v_inf = v_rest + i_offset tau_m / cm = -60 + 0.09 * 20 / 0.2 = -51 mV.
    auto p = va_parameters();
    p.i_offset = 0.09;
    const double v_inf = p.v_rest + p.i_offset * p.tau_m / p.cm;
    for (const double dt : {0.01, 0.1, 1.0}) {
        for (const double v0 : {-80.0, -60.0, -51.0, -50.2}) {
            const auto n = static_cast<std::int64_t>(std::llround(200.0 / dt));
            const input_trains none{std::vector<double>(n, 0.0), std::vector<double>(n, 0.0)};
            const auto r = run_model(p, dt, none, v0);
            EXPECT_TRUE(r.spikes.empty());
            double worst = 0;
            for (std::int64_t k = 0; k < n; ++k) {
                const double t = static_cast<double>(k + 1) * dt;
                const double ref = v_inf + (v0 - v_inf) * std::exp(-t / p.tau_m);
                worst = std::max(worst, std::abs(r.v[k] - ref) / std::abs(ref));
            }
            // With g = 0 the step is the exact solution: rounding only.
            EXPECT_LT(worst, 1e-12) << "dt " << dt << ", v0 " << v0;
        }
    }
}

TEST(IfCondExp, ConductanceJumpsAtStepEndAndDecaysExactly) {
    // Input of step 0 enters g at the end of step 0 and leaves v alone until
    // step 1; then g = w exp(-t / tau_syn), t from the end of step 0.
    const auto p = va_parameters();
    const double dt = 0.1, w_e = 0.01, w_i = 0.05;
    const std::int64_t n = 1000;
    input_trains in{std::vector<double>(n, 0.0), std::vector<double>(n, 0.0)};
    in.exc[0] = w_e;
    in.inh[0] = w_i;
    const model::derived d(p, dt);
    model::state s;
    s.resize(1, p);
    for (std::int64_t k = 0; k < n; ++k) {
        const double no_current = 0;
        const double* input[3] = {&in.exc[k], &in.inh[k], &no_current};
        std::uint8_t spiked = 0;
        model::step(p, d, s, input, &spiked, 1);
        if (k == 0) {
            EXPECT_EQ(s.v[0], p.v_rest);
        } else if (k == 1) {
            EXPECT_NE(s.v[0], p.v_rest);
        }
        const double t = static_cast<double>(k) * dt;
        // Products of k rounded decay factors: ~k ulps.
        ASSERT_NEAR(s.g_exc[0], w_e * std::exp(-t / p.tau_syn_E), 1e-13 * w_e) << "step " << k;
        ASSERT_NEAR(s.g_inh[0], w_i * std::exp(-t / p.tau_syn_I), 1e-13 * w_i) << "step " << k;
    }
}

TEST(IfCondExp, LargeConstantConductanceIsStableAndExact) {
    // g_i = 1 uS on cm = 0.2 nF: membrane time constant cm / (g_L + g_i) =
    // 0.198 ms, five times shorter than dt = 1 ms. Forward Euler would
    // multiply the deviation by 1 - dt (g_L + g_i) / cm = -4.05 per step and
    // blow up; the model must relax monotonically to
    //   v_inf = (g_L v_rest + g_i e_rev_I) / (g_L + g_i).
    // A constant g (tau_syn_I = 1e12 ms) makes the frozen-conductance step
    // exact, so the trace must also equal the exponential to rounding.
    auto p = va_parameters();
    p.tau_syn_I = 1e12;
    const double g_leak = p.cm / p.tau_m, g_i = 1.0;
    const double v_inf = (g_leak * p.v_rest + g_i * p.e_rev_I) / (g_leak + g_i);
    const double tau_eff = p.cm / (g_leak + g_i);
    for (const double dt : {1.0, 0.1}) {
        const model::derived d(p, dt);
        model::state s;
        s.resize(1, p);
        s.v[0] = -51.0;
        s.g_inh[0] = g_i;
        const double zero = 0;
        const double* input[3] = {&zero, &zero, &zero};
        double previous = s.v[0];
        for (int k = 0; k < static_cast<int>(std::lround(20.0 / dt)); ++k) {
            std::uint8_t spiked = 0;
            model::step(p, d, s, input, &spiked, 1);
            const double t = (k + 1) * dt;
            ASSERT_LE(s.v[0], previous + 1e-12) << "dt " << dt << ", step " << k;
            ASSERT_GE(s.v[0], v_inf - 1e-12) << "dt " << dt << ", step " << k;
            // 1e-9 mV: the conductance decays by 1e-12 per ms.
            ASSERT_NEAR(s.v[0], v_inf + (-51.0 - v_inf) * std::exp(-t / tau_eff), 1e-9);
            previous = s.v[0];
        }
        EXPECT_NEAR(s.v[0], v_inf, 1e-9);
    }
}

TEST(IfCondExp, LargeDecayingConductanceFollowsReference) {
    // A 1 uS inhibitory jump (decaying with tau_syn_I = 10 ms) and, 40 ms
    // later, a 0.5 uS excitatory one: v must stay between the reversal
    // potentials and follow the reference. Measured max |v - v_ref|:
    // 0.090 mV at dt 1.0, 9.5e-4 mV at dt 0.1 (second order); bounds ~2x.
    auto p = va_parameters();
    p.v_thresh = 1000;  // subthreshold: compare the whole trace
    for (const auto& [dt, bound] : {std::pair{1.0, 0.2}, std::pair{0.1, 2e-3}}) {
        const auto n = static_cast<std::int64_t>(std::llround(100.0 / dt));
        input_trains in{std::vector<double>(n, 0.0), std::vector<double>(n, 0.0)};
        in.inh[0] = 1.0;
        in.exc[static_cast<std::size_t>(std::llround(40.0 / dt))] = 0.5;
        const auto m = run_model(p, dt, in, -55.0);
        const auto r = run_reference(p, dt, in, -55.0);
        for (const double v : m.v) {
            ASSERT_GE(v, p.e_rev_I);
            ASSERT_LE(v, p.e_rev_E);
        }
        const double err = max_abs_difference(m.v, r.v);
        std::printf("large conductance, dt %g: max |v - v_ref| = %.3g mV\n", dt, err);
        EXPECT_LT(err, bound) << "dt " << dt;
    }
}

// ---------------------------------------------------------------------------
// Random input against the reference.

struct spike_match {
    std::size_t matched = 0;     // pairs within one step
    std::int64_t max_shift = 0;  // largest |step difference| of a matched pair
};

// Pairs spikes in time order, each model spike with the first unpaired
// reference spike within one step.
spike_match match_spikes(const std::vector<std::int64_t>& a, const std::vector<std::int64_t>& b) {
    spike_match m;
    std::size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        const std::int64_t d = a[i] - b[j];
        if (d >= -1 && d <= 1) {
            ++m.matched;
            m.max_shift = std::max(m.max_shift, d < 0 ? -d : d);
            ++i;
            ++j;
        } else if (d < 0) {
            ++i;
        } else {
            ++j;
        }
    }
    return m;
}

// Two excitatory trains (1000 Hz in all, 0.004 and 0.01 uS) and one
// inhibitory (300 Hz, 0.05 uS): fluctuation-driven firing at ~5-15 Hz.
std::vector<train> va_trains() {
    return {{600, 0.004, true}, {400, 0.01, true}, {300, 0.05, false}};
}

TEST(IfCondExp, ReferenceIsConverged) {
    // The reference at 1e-10 against itself at 1e-12: its own error must be
    // negligible next to the model's (~2e-3 mV at dt 0.1). Measured: ~1e-9 mV.
    auto p = va_parameters();
    p.v_thresh = 1000;  // subthreshold: the traces stay comparable
    const double dt = 0.1;
    const auto in = make_inputs(va_trains(), dt, 10000, 1);
    const double err = max_abs_difference(run_reference(p, dt, in, -60.0).v,
                                          run_reference(p, dt, in, -60.0, 1e-12).v);
    std::printf("reference 1e-10 vs 1e-12: max |dv| = %.3g mV\n", err);
    EXPECT_LT(err, 1e-6);
}

TEST(IfCondExp, VogelsAbbottInputMatchesReference) {
    // dt 0.1 ms, 5 x 2000 ms of random input.
    const auto p = va_parameters();
    const double dt = 0.1;
    const std::int64_t n = 20000;
    std::size_t total = 0;
    double worst_sub = 0, worst_spiking = 0;
    for (unsigned seed = 1; seed <= 5; ++seed) {
        const auto in = make_inputs(va_trains(), dt, n, seed);
        // Spiking: the same number of spikes, each within one step of the
        // reference's. Measured: every spike at the same step, all seeds.
        const auto m = run_model(p, dt, in, p.v_rest);
        const auto r = run_reference(p, dt, in, p.v_rest);
        ASSERT_EQ(m.spikes.size(), r.spikes.size()) << "seed " << seed;
        EXPECT_EQ(match_spikes(m.spikes, r.spikes).matched, r.spikes.size()) << "seed " << seed;
        total += m.spikes.size();
        // With the spikes at the same steps the whole traces, resets and
        // clamps included, must agree as closely as subthreshold ones.
        if (m.spikes == r.spikes)
            worst_spiking = std::max(worst_spiking, max_abs_difference(m.v, r.v));
        // Subthreshold (threshold out of reach): the integration error alone.
        auto high = p;
        high.v_thresh = 1000;
        worst_sub =
            std::max(worst_sub, max_abs_difference(run_model(high, dt, in, p.v_rest).v,
                                                   run_reference(high, dt, in, p.v_rest).v));
    }
    std::printf("VA dt 0.1: %zu spikes; max |v - v_ref| subthreshold %.3g mV, spiking %.3g mV\n",
                total, worst_sub, worst_spiking);
    EXPECT_GE(total, 50u);
    // Measured: 1.9e-3 mV (subthreshold and spiking). The step freezes the
    // conductances at their exact mean over the step: local error
    // O(dt^3 g'/cm dv/dt), global O(dt^2) (see SchemeIsSecondOrder), about
    // 2e-3 mV here after a strong inhibitory input. Bound: ~2x measured.
    EXPECT_LT(worst_sub, 4e-3);
    EXPECT_LT(worst_spiking, 4e-3);
}

TEST(IfCondExp, SchemeIsSecondOrder) {
    // The same input (events on the 0.1 ms grid) at dt = 0.1, 0.05, 0.025:
    // the error against the reference must fall 4x per halving. Measured
    // ratios: 4.00, 4.00. A first-order scheme gives 2, an inconsistent one
    // (wrong propagator, input one step off) does not converge at all.
    auto p = va_parameters();
    p.v_thresh = 1000;
    const std::int64_t n = 10000;
    const auto coarse = make_inputs(va_trains(), 0.1, n, 3);
    std::vector<double> errors;
    for (const int refine : {1, 2, 4}) {
        const double dt = 0.1 / refine;
        input_trains in{std::vector<double>(n * refine, 0.0), std::vector<double>(n * refine, 0.0)};
        for (std::int64_t k = 0; k < n; ++k) {
            // The end of coarse step k is the end of fine step (k + 1) refine - 1.
            in.exc[(k + 1) * refine - 1] = coarse.exc[k];
            in.inh[(k + 1) * refine - 1] = coarse.inh[k];
        }
        errors.push_back(max_abs_difference(run_model(p, dt, in, p.v_rest).v,
                                            run_reference(p, dt, in, p.v_rest).v));
    }
    std::printf("convergence: errors %.3g, %.3g, %.3g mV; ratios %.3f, %.3f\n", errors[0],
                errors[1], errors[2], errors[0] / errors[1], errors[1] / errors[2]);
    for (std::size_t k = 1; k < errors.size(); ++k) {
        EXPECT_GT(errors[k - 1] / errors[k], 3.6);
        EXPECT_LT(errors[k - 1] / errors[k], 4.4);
    }
}

TEST(IfCondExp, SmallNetworkParametersAtOneMillisecond) {
    // dt 1.0 ms with tau_syn_E 2 ms and 0.05 uS inputs (examples/small_network):
    // 10 x 2000 ms of random input, exc 150 Hz, inh 100 Hz, ~45 Hz firing.
    //
    // Here dt / tau_syn_E = 0.5. Without sub-steps the second-order error was
    // 0.126 mV (biased +0.040 mV) and 2.4% of the spikes had no reference
    // partner within one step (where v grazes the threshold). The model now
    // splits the step into sub-steps of tau_syn / 20 (10 here); measured:
    // 926 spikes, 926 reference spikes, all 926 within one step; subthreshold
    // max |v - v_ref| 1.26e-3 mV, mean v - v_ref 4.1e-4 mV. The strict
    // criterion holds; error bounds are ~2x the measured values.
    const auto p = small_network_parameters();
    const double dt = 1.0;
    const std::int64_t n = 2000;
    std::size_t model_total = 0, reference_total = 0, matched = 0;
    double worst_sub = 0, bias = 0;
    std::size_t samples = 0;
    for (unsigned seed = 1; seed <= 10; ++seed) {
        const auto in = make_inputs({{150, 0.05, true}, {100, 0.05, false}}, dt, n, seed);
        const auto m = run_model(p, dt, in, p.v_rest);
        const auto r = run_reference(p, dt, in, p.v_rest);
        model_total += m.spikes.size();
        reference_total += r.spikes.size();
        matched += match_spikes(m.spikes, r.spikes).matched;
        auto high = p;
        high.v_thresh = 1000;
        const auto ms = run_model(high, dt, in, p.v_rest);
        const auto rs = run_reference(high, dt, in, p.v_rest);
        worst_sub = std::max(worst_sub, max_abs_difference(ms.v, rs.v));
        for (std::size_t k = 0; k < ms.v.size(); ++k)
            bias += ms.v[k] - rs.v[k];
        samples += ms.v.size();
    }
    bias /= static_cast<double>(samples);
    std::printf(
        "small network dt 1: spikes model %zu, reference %zu, pairs within one step %zu; "
        "subthreshold max |v - v_ref| %.3g mV, mean v - v_ref %.3g mV\n",
        model_total, reference_total, matched, worst_sub, bias);
    const auto ref_count = static_cast<double>(reference_total);
    EXPECT_GT(ref_count, 500);
    EXPECT_EQ(model_total, reference_total);
    EXPECT_EQ(matched, reference_total);
    EXPECT_LT(worst_sub, 2.5e-3);
    EXPECT_LT(std::abs(bias), 1e-3);
}

}  // namespace
}  // namespace ganglion::models
