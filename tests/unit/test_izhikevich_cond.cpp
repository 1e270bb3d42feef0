// Izhikevich_cond against a tight-tolerance reference (Boost.Odeint,
// Dormand-Prince 5(4) with dense output, abs/rel tolerance 1e-10) of the
// same equations, written out here independently of the model:
//
//   C dv/dt = k (v - v_r)(v - v_t) - u - g_e (v - e_rev_E) - g_i (v - e_rev_I) + I,
//   du/dt = a (b (v - v_r) - u),   dg_x/dt = -g_x / tau_syn_x,
//
// with the conductances integrated as ODE variables too. The reference
// locates every crossing of v_peak exactly (bisection on the dense output),
// resets there (v = c, u += d) and goes on from the crossing; the step's
// input (uS, x 1000 -> nS) is added to the conductances at the step's end.
// A spike at time t belongs to the step (t0, t0 + dt] that holds it.

#include "models/izhikevich_cond.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <boost/numeric/odeint.hpp>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "core/error.hpp"
#include "tests/unit/lif_reference.hpp"

namespace ganglion::models {
namespace {

using model = izhikevich_cond;

// Izhikevich (2007), fig. 8.12: a layer 5 regular-spiking pyramidal cell
// (the model's defaults).
model::parameters regular_spiking(double i_offset = 0.0) {
    return test::make_parameters<model>({{"i_offset", i_offset}});
}

// The fast-spiking basket interneuron of Izhikevich & Edelman (2008, PNAS
// 105:3593, supplementary table), the book's FS cell with a linear recovery
// current: C 20 pF, k 1 nS/mV, v_r -55, v_t -40, v_peak 25 mV, a 0.15/ms,
// b 8 nS, c -55 mV, d 200 pA. (The book's fig. 8.27 cell needs a nonlinear
// u-nullcline that this model does not have.)
model::parameters fast_spiking(double i_offset = 0.0) {
    return test::make_parameters<model>({{"C", 20.0},
                                         {"k", 1.0},
                                         {"v_r", -55.0},
                                         {"v_t", -40.0},
                                         {"v_peak", 25.0},
                                         {"a", 0.15},
                                         {"b", 8.0},
                                         {"c", -55.0},
                                         {"d", 200.0},
                                         {"i_offset", i_offset}});
}

// The current (pA) at which the rest state of the quadratic model loses
// stability, with x = v - v_r, D = v_t - v_r and u at its steady state b x:
// the equilibria solve k x^2 - (k D + b) x + I = 0. For b < a C that is the
// saddle-node where they merge, I = (k D + b)^2 / (4 k) (the trace of the
// Jacobian there, b / C - a, is negative); for b > a C it is the
// Andronov-Hopf bifurcation where the trace k (2 x - D) / C - a vanishes,
// x = (a C / k + D) / 2, before the saddle-node is reached (Izhikevich 2007,
// ch. 8.1).
double rheobase(const model::parameters& p) {
    const double D = p.v_t - p.v_r;
    if (p.b < p.a * p.C) {
        const double s = p.k * D + p.b;
        return s * s / (4.0 * p.k);
    }
    const double x = 0.5 * (p.a * p.C / p.k + D);
    return (p.k * D + p.b) * x - p.k * x * x;
}

// The stable rest state (v, u) under a constant current below rheobase.
std::pair<double, double> rest_state(const model::parameters& p, double current) {
    const double s = p.k * (p.v_t - p.v_r) + p.b;
    const double x = (s - std::sqrt(s * s - 4.0 * p.k * current)) / (2.0 * p.k);
    return {p.v_r + x, p.b * x};
}

struct inputs {
    std::vector<double> exc, inh;  // uS per step
    double injected = 0;           // nA, every step
};

// Poisson trains of conductance jumps (uS), an event at time t arriving in
// step floor(t / dt); fixed mt19937 seed.
inputs make_inputs(double rate_e, double w_e, double rate_i, double w_i, double dt, std::int64_t n,
                   unsigned seed) {
    inputs in{std::vector<double>(n, 0.0), std::vector<double>(n, 0.0)};
    std::mt19937 gen(seed);
    for (const auto& [rate, w, exc] :
         {std::tuple{rate_e, w_e, true}, std::tuple{rate_i, w_i, false}}) {
        std::exponential_distribution<double> isi(rate * 1e-3);
        for (double t = isi(gen); t < static_cast<double>(n) * dt; t += isi(gen))
            (exc ? in.exc : in.inh)[std::min(n - 1, static_cast<std::int64_t>(t / dt))] += w;
    }
    return in;
}

inputs no_input(double dt, double t_stop) {
    const auto n = static_cast<std::size_t>(std::llround(t_stop / dt));
    return {std::vector<double>(n, 0.0), std::vector<double>(n, 0.0)};
}

struct initial {
    double v, u, ge, gi;
};

initial at_rest(const model::parameters& p) {
    return {p.v_r, 0.0, 0.0, 0.0};
}

struct trace {
    std::vector<std::int64_t> spikes;  // steps
    std::vector<double> v, u, ge;      // at every step end
};

trace run_model(const model::parameters& p, double dt, const inputs& in, const initial& x0) {
    test::driver<model> n(p, dt);
    n.s.v[0] = x0.v;
    n.s.u[0] = x0.u;
    n.s.g_exc[0] = x0.ge;
    n.s.g_inh[0] = x0.gi;
    n.in[2][0] = in.injected;
    trace r;
    for (std::size_t k = 0; k < in.exc.size(); ++k) {
        n.in[0][0] = in.exc[k];
        n.in[1][0] = in.inh[k];
        n.step();
        if (n.spiked[0]) r.spikes.push_back(static_cast<std::int64_t>(k));
        r.v.push_back(n.s.v[0]);
        r.u.push_back(n.s.u[0]);
        r.ge.push_back(n.s.g_exc[0]);
    }
    return r;
}

trace run_model(const model::parameters& p, double dt, const inputs& in) {
    return run_model(p, dt, in, at_rest(p));
}

trace run_reference(const model::parameters& p, double dt, const inputs& in, const initial& x0,
                    double tolerance = 1e-10) {
    namespace ode = boost::numeric::odeint;
    using state_type = std::array<double, 4>;  // v, u, g_e, g_i
    const double current = p.i_offset + 1000.0 * in.injected;
    auto rhs = [&](const state_type& x, state_type& dx, double) {
        dx[0] = (p.k * (x[0] - p.v_r) * (x[0] - p.v_t) - x[1] - x[2] * (x[0] - p.e_rev_E) -
                 x[3] * (x[0] - p.e_rev_I) + current) /
                p.C;
        dx[1] = p.a * (p.b * (x[0] - p.v_r) - x[1]);
        dx[2] = -x[2] / p.tau_syn_E;
        dx[3] = -x[3] / p.tau_syn_I;
    };
    auto stepper =
        ode::make_dense_output(tolerance, tolerance, ode::runge_kutta_dopri5<state_type>());
    state_type x = {x0.v, x0.u, x0.ge, x0.gi};
    trace r;
    for (std::size_t k = 0; k < in.exc.size(); ++k) {
        const double t0 = static_cast<double>(k) * dt, t1 = t0 + dt;
        stepper.initialize(x, t0, dt / 20);
        for (;;) {
            const auto [ta, tb] = stepper.do_step(rhs);
            const double te = std::min(tb, t1);
            state_type xe;
            stepper.calc_state(te, xe);
            if (xe[0] >= p.v_peak) {
                // The crossing, to machine precision of t.
                double lo = ta, hi = te;
                while (hi - lo > 1e-13 * std::max(1.0, hi)) {
                    const double mid = 0.5 * (lo + hi);
                    stepper.calc_state(mid, xe);
                    (xe[0] >= p.v_peak ? hi : lo) = mid;
                }
                stepper.calc_state(hi, x);
                x[0] = p.c;
                x[1] += p.d;
                EXPECT_TRUE(r.spikes.empty() || r.spikes.back() != static_cast<std::int64_t>(k))
                    << "two reference spikes in step " << k;
                r.spikes.push_back(static_cast<std::int64_t>(k));
                if (hi >= t1) break;
                stepper.initialize(x, hi, dt / 20);
                continue;
            }
            if (tb >= t1) {
                x = xe;
                break;
            }
        }
        x[2] += 1000.0 * in.exc[k];
        x[3] += 1000.0 * in.inh[k];
        r.v.push_back(x[0]);
        r.u.push_back(x[1]);
        r.ge.push_back(x[2]);
    }
    return r;
}

trace run_reference(const model::parameters& p, double dt, const inputs& in,
                    double tolerance = 1e-10) {
    return run_reference(p, dt, in, at_rest(p), tolerance);
}

// Spikes equal in number and each within one step of the reference's.
// Returns the largest difference in steps.
std::int64_t expect_same_spikes(const trace& m, const trace& r, const std::string& what) {
    EXPECT_EQ(m.spikes.size(), r.spikes.size()) << what;
    std::int64_t worst = 0;
    for (std::size_t i = 0; i < std::min(m.spikes.size(), r.spikes.size()); ++i) {
        EXPECT_LE(std::abs(m.spikes[i] - r.spikes[i]), 1) << what << ", spike " << i;
        worst = std::max(worst, std::abs(m.spikes[i] - r.spikes[i]));
    }
    return worst;
}

double max_abs_difference(const std::vector<double>& a, const std::vector<double>& b) {
    double worst = 0;
    for (std::size_t k = 0; k < std::min(a.size(), b.size()); ++k)
        worst = std::max(worst, std::abs(a[k] - b[k]));
    return worst;
}

std::vector<double> intervals(const trace& t, double dt) {
    std::vector<double> isi;
    for (std::size_t i = 1; i < t.spikes.size(); ++i)
        isi.push_back(static_cast<double>(t.spikes[i] - t.spikes[i - 1]) * dt);
    return isi;
}

TEST(IzhikevichCond, DefaultsAreTheRegularSpikingCell) {
    const auto info = model::info();
    EXPECT_EQ(info.name, "Izhikevich_cond");
    EXPECT_EQ(info.synapses, synapse_type::conductance);
    for (const auto& [name, value] :
         {std::pair{"C", 100.0}, std::pair{"k", 0.7}, std::pair{"v_r", -60.0},
          std::pair{"v_t", -40.0}, std::pair{"v_peak", 35.0}, std::pair{"a", 0.03},
          std::pair{"b", -2.0}, std::pair{"c", -50.0}, std::pair{"d", 100.0},
          std::pair{"tau_syn_E", 7.0}, std::pair{"e_rev_E", 0.0}, std::pair{"e_rev_I", -70.0}})
        EXPECT_EQ(info.find_parameter(name)->default_value, value) << name;
    EXPECT_EQ(info.find_parameter("i_offset")->unit, "pA");
    EXPECT_EQ(info.find_state("v")->default_from_parameter, "v_r");
    EXPECT_EQ(info.find_state("gsyn_exc")->unit, "nS");
    EXPECT_EQ(info.receptors, (std::vector<std::string>{"excitatory", "inhibitory"}));
    model::state s;
    s.resize(2, regular_spiking());
    EXPECT_EQ(s.v[1], -60.0);
    EXPECT_EQ(s.u[1], 0.0);
    for (const char* name : {"v", "u", "gsyn_exc", "gsyn_inh"})
        EXPECT_NE(s.variable(name), nullptr) << name;
}

TEST(IzhikevichCond, ValidationNamesParameterValueAndUnit) {
    for (const auto& [name, value, text] :
         {std::tuple{"C", 0.0, "got 0 pF; must be > 0 pF"},
          std::tuple{"k", -0.7, "got -0.7 nS/mV; must be > 0"},
          std::tuple{"tau_syn_I", 0.0, "got 0 ms; must be > 0 ms"},
          std::tuple{"c", 40.0, "got 40 mV; must be below v_peak (35 mV)"},
          std::tuple{"v_t", 35.0, "got 35 mV; must be below v_peak (35 mV)"},
          std::tuple{"v_r", -30.0, "got -30 mV; must be below v_t (-40 mV)"},
          std::tuple{"a", std::nan(""), "got nan 1/ms; must be finite"},
          std::tuple{"i_offset", std::numeric_limits<double>::infinity(),
                     "got inf pA; must be finite"}}) {
        parameter_values v;
        v.scalars = {{name, value}};
        try {
            model::parameters::from(v).validate();
            ADD_FAILURE() << name << ": no error";
        } catch (const parameter_error& e) {
            EXPECT_EQ(e.parameter(), name);
            EXPECT_EQ(e.model(), "Izhikevich_cond");
            EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
        }
    }
    // The book's cell types: b, d of either sign.
    EXPECT_NO_THROW(fast_spiking());
    parameter_values thalamic;
    thalamic.scalars = {{"C", 200.0}, {"k", 1.6},   {"v_r", -60.0}, {"v_t", -50.0},
                        {"b", 15.0},  {"c", -60.0}, {"d", 10.0},    {"a", 0.01}};
    EXPECT_NO_THROW(model::parameters::from(thalamic).validate());
}

TEST(IzhikevichCond, WeightsInMicrosiemensDecayExactlyInNanosiemens) {
    // A weight of 0.004 uS adds 4 nS at the end of its step; then
    // g = 4 exp(-t / tau_syn_E).
    const double dt = 0.1;
    test::driver<model> n(regular_spiking(), dt);
    n.in[0][0] = 0.004;
    n.in[1][0] = 0.002;
    n.step();
    EXPECT_DOUBLE_EQ(n.s.g_exc[0], 4.0);
    EXPECT_DOUBLE_EQ(n.s.g_inh[0], 2.0);
    EXPECT_EQ(n.s.v[0], -60.0);  // v moves only after the conductance is on
    for (int k = 1; k <= 100; ++k)
        n.step();
    EXPECT_NEAR(n.s.g_exc[0], 4.0 * std::exp(-10.0 / 7.0), 1e-13);
    EXPECT_NEAR(n.s.g_inh[0], 2.0 * std::exp(-10.0 / 7.0), 1e-13);
    EXPECT_GT(n.s.v[0], -60.0);
}

TEST(IzhikevichCond, InjectedCurrentActsAsIOffset) {
    // 0.25 nA through the injected-current row and i_offset 250 pA: the same
    // numbers, under random synaptic input.
    const double dt = 0.1;
    auto in = make_inputs(1500, 0.0004, 400, 0.0008, dt, 3000, 7);
    const auto offset = run_model(regular_spiking(250.0), dt, in);
    in.injected = 0.25;
    const auto injected = run_model(regular_spiking(0.0), dt, in);
    EXPECT_GE(offset.spikes.size(), 5u);
    EXPECT_EQ(offset.spikes, injected.spikes);
    EXPECT_EQ(offset.v, injected.v);
    EXPECT_EQ(offset.u, injected.u);
}

TEST(IzhikevichCond, ReferenceIsConverged) {
    const double dt = 0.1;
    const auto in = make_inputs(1500, 0.0004, 400, 0.0008, dt, 5000, 3);
    const auto p = regular_spiking(30.0);
    const auto a = run_reference(p, dt, in), b = run_reference(p, dt, in, 1e-12);
    ASSERT_EQ(a.spikes, b.spikes);
    const double err = max_abs_difference(a.u, b.u);
    std::printf("reference 1e-10 vs 1e-12: %zu spikes, max |du| = %.3g pA\n", a.spikes.size(), err);
    EXPECT_GE(a.spikes.size(), 5u);
    EXPECT_LT(err, 1e-5);
}

TEST(IzhikevichCond, SynapticDriveMatchesReference) {
    // Poisson trains of conductance jumps (uS) onto both cell types, 500 ms
    // per seed: every spike within one step of the reference's, none missing.
    const double dt = 0.1;
    std::size_t total = 0, same_step = 0;
    std::int64_t worst = 0;
    double worst_u = 0;
    for (const auto& [name, p, w_e, w_i] : {std::tuple{"RS", regular_spiking(), 0.0004, 0.001},
                                            std::tuple{"FS", fast_spiking(), 0.0005, 0.001}})
        for (unsigned seed = 1; seed <= 4; ++seed) {
            const auto in = make_inputs(2000, w_e, 500, w_i, dt, 5000, seed);
            const auto m = run_model(p, dt, in);
            const auto r = run_reference(p, dt, in);
            const std::string what = std::string(name) + " seed " + std::to_string(seed);
            worst = std::max(worst, expect_same_spikes(m, r, what));
            std::printf("%s: %zu spikes (reference %zu)\n", what.c_str(), m.spikes.size(),
                        r.spikes.size());
            total += m.spikes.size();
            for (std::size_t i = 0; i < std::min(m.spikes.size(), r.spikes.size()); ++i)
                same_step += m.spikes[i] == r.spikes[i];
            worst_u = std::max(worst_u, max_abs_difference(m.u, r.u));
        }
    std::printf(
        "synaptic drive dt 0.1: %zu spikes, %zu in the reference's step, worst %lld step(s); "
        "max |u - u_ref| %.3g pA\n",
        total, same_step, static_cast<long long>(worst), worst_u);
    // Measured: 210 spikes, all in the reference's step. Holding v at the
    // cut-off and resetting at the step's end instead (as Izhikevich does)
    // put only 61 in the reference's step, up to 24 steps late, as each
    // reset's delay of up to dt adds to the next interval.
    EXPECT_GE(total, 80u);
    EXPECT_GE(same_step, total - total / 50);
}

TEST(IzhikevichCond, OtherStepsMatchReference) {
    // The crossing is located within the sub-step, so spike timing does not
    // degrade with a coarse dt: 1 ms and 0.025 ms steps, 500 ms.
    for (const double dt : {1.0, 0.025}) {
        std::size_t total = 0, same_step = 0;
        for (const auto& p : {regular_spiking(), fast_spiking()}) {
            const auto steps = static_cast<std::int64_t>(std::llround(500.0 / dt));
            const auto in = make_inputs(2000, 0.0005, 500, 0.001, dt, steps, 5);
            const auto m = run_model(p, dt, in);
            const auto r = run_reference(p, dt, in);
            expect_same_spikes(m, r, "dt " + std::to_string(dt));
            total += m.spikes.size();
            for (std::size_t i = 0; i < std::min(m.spikes.size(), r.spikes.size()); ++i)
                same_step += m.spikes[i] == r.spikes[i];
        }
        std::printf("dt %g: %zu spikes, %zu in the reference's step\n", dt, total, same_step);
        EXPECT_GE(total, 30u);
    }
}

TEST(IzhikevichCond, OneSpikePerStepWhenFasterThanTheStep) {
    // Intervals shorter than dt: one spike per step, a second crossing
    // within a step held over to the next; the state stays finite.
    const double dt = 1.0;
    const auto p = fast_spiking(20000.0);
    const auto free = run_model(p, 0.01, no_input(0.01, 50.0));
    const auto isi = intervals(free, 0.01);
    ASSERT_GE(isi.size(), 5u);
    std::printf("FS at 20 nA: interval %.2f ms at dt 0.01\n", isi.back());
    ASSERT_LT(isi.back(), 0.7 * dt);
    const auto m = run_model(p, dt, no_input(dt, 50.0));
    EXPECT_GE(m.spikes.size(), 45u);
    for (std::size_t k = 0; k < m.v.size(); ++k) {
        EXPECT_TRUE(std::isfinite(m.v[k]) && std::isfinite(m.u[k])) << "step " << k;
    }
}

TEST(IzhikevichCond, SubthresholdRelaxationMatchesReference) {
    // Free relaxation from a displaced state with conductances on, and weak
    // synaptic input that never fires: whole traces against the reference.
    const double dt = 0.1;
    double worst_free = 0, worst_driven = 0;
    for (const auto& p : {regular_spiking(), fast_spiking()}) {
        const initial x0{p.v_r + 5.0, 5.0 * p.b + 10.0, 2.0, 6.0};
        const auto m = run_model(p, dt, no_input(dt, 300.0), x0);
        const auto r = run_reference(p, dt, no_input(dt, 300.0), x0);
        ASSERT_TRUE(r.spikes.empty());
        ASSERT_TRUE(m.spikes.empty());
        worst_free = std::max(worst_free, max_abs_difference(m.v, r.v));
    }
    for (unsigned seed = 1; seed <= 3; ++seed) {
        const auto in = make_inputs(400, 0.0002, 200, 0.0004, dt, 5000, seed);
        const auto m = run_model(regular_spiking(), dt, in);
        const auto r = run_reference(regular_spiking(), dt, in);
        ASSERT_TRUE(r.spikes.empty());
        ASSERT_TRUE(m.spikes.empty());
        worst_driven = std::max(worst_driven, max_abs_difference(m.v, r.v));
    }
    std::printf("subthreshold max |v - v_ref|: free %.3g mV, driven %.3g mV\n", worst_free,
                worst_driven);
    // Measured 8.9e-10 mV (free) and 4.8e-11 mV (driven).
    EXPECT_LT(worst_free, 1e-6);
    EXPECT_LT(worst_driven, 1e-6);
}

TEST(IzhikevichCond, RegularSpikingAdaptsFastSpikingDoesNot) {
    // A 300 pA step from rest: the RS cell's intervals lengthen (spike-
    // frequency adaptation, Izhikevich 2007 fig. 8.12); the FS cell fires
    // twice as fast at a constant rate after its first interval.
    const double dt = 0.1;
    const auto rs = regular_spiking(300.0);
    const auto m = run_model(rs, dt, no_input(dt, 500.0));
    expect_same_spikes(m, run_reference(rs, dt, no_input(dt, 500.0)), "RS");
    const auto isi = intervals(m, dt);
    ASSERT_GE(isi.size(), 6u);
    std::printf("RS at 300 pA: %zu spikes, ISIs %.1f %.1f %.1f %.1f ... %.1f ms\n", m.spikes.size(),
                isi[0], isi[1], isi[2], isi[3], isi.back());
    for (std::size_t i = 0; i < 3; ++i)
        EXPECT_LT(isi[i], isi[i + 1]) << "interval " << i;
    for (std::size_t i = 0; i + 1 < isi.size(); ++i)
        EXPECT_LE(isi[i], isi[i + 1] + dt + 1e-9) << "interval " << i;  // never shorter
    EXPECT_GT(isi.back(), 1.3 * isi[0]);

    const auto fs = fast_spiking(300.0);
    const auto f = run_model(fs, dt, no_input(dt, 500.0));
    expect_same_spikes(f, run_reference(fs, dt, no_input(dt, 500.0)), "FS");
    const auto fisi = intervals(f, dt);
    ASSERT_GE(fisi.size(), 6u);
    std::printf("FS at 300 pA: %zu spikes, ISIs %.1f %.1f %.1f %.1f ... %.1f ms\n", f.spikes.size(),
                fisi[0], fisi[1], fisi[2], fisi[3], fisi.back());
    EXPECT_GT(f.spikes.size(), 2 * m.spikes.size());
    for (std::size_t i = 2; i < fisi.size(); ++i)
        EXPECT_NEAR(fisi[i], fisi[1], 0.05 * fisi[1]) << "interval " << i;
}

// Spikes in t_stop ms under a constant current (pA) from the rest state
// (perturbed by 0.01 mV), or from the saddle-node point if there is none.
std::size_t spike_count(model::parameters p, double current, double t_stop) {
    const double s = p.k * (p.v_t - p.v_r) + p.b;
    const auto [v, u] = rest_state(p, std::min(current, s * s / (4.0 * p.k)));
    p.i_offset = current;
    return run_model(p, 0.1, no_input(0.1, t_stop), {v + 0.01, u, 0.0, 0.0}).spikes.size();
}

TEST(IzhikevichCond, RheobaseAndMonotoneFICurve) {
    for (auto [name, p] : {std::pair{"RS", regular_spiking()}, std::pair{"FS", fast_spiking()}}) {
        const double i_rheo = rheobase(p);
        // At rest and silent 2% below (10 s), firing 2% above.
        EXPECT_EQ(spike_count(p, 0.98 * i_rheo, 10000.0), 0u) << name;
        EXPECT_GE(spike_count(p, 1.02 * i_rheo, 10000.0), 3u) << name;
        // The measured threshold current (a spike within 10 s), bisected.
        double lo = 0.9 * i_rheo, hi = 1.1 * i_rheo;
        while (hi - lo > 1e-4 * i_rheo)
            (spike_count(p, 0.5 * (lo + hi), 10000.0) > 0 ? hi : lo) = 0.5 * (lo + hi);
        std::printf("%s: analytic rheobase %.4f pA, measured %.4f pA (%+.3f%%)\n", name, i_rheo, hi,
                    100.0 * (hi / i_rheo - 1.0));
        // Measured +0.010% (RS) and +0.029% (FS): the 10 s window's limit.
        EXPECT_NEAR(hi, i_rheo, 0.01 * i_rheo) << name;
        // f-I from rest (v_r, u = 0): the rate in the second second never
        // falls as I grows.
        std::size_t previous = 0;
        std::string curve;
        for (double f = 1.05; f <= 6.0; f += 0.25) {
            p.i_offset = f * i_rheo;
            const auto t = run_model(p, 0.1, no_input(0.1, 2000.0));
            const auto late = static_cast<std::size_t>(std::count_if(
                t.spikes.begin(), t.spikes.end(), [](std::int64_t s) { return s >= 10000; }));
            EXPECT_GE(late, previous) << name << " at " << f << " x rheobase";
            previous = late;
            curve += ' ';
            curve += std::to_string(late);
        }
        std::printf("%s f-I, 1.05 .. 6 x rheobase (Hz):%s\n", name, curve.c_str());
        EXPECT_GT(previous, 10u) << name;
    }
}

}  // namespace
}  // namespace ganglion::models
