#pragma once

// What the tests of the single-compartment soma models (models/soma.hpp:
// ConnorStevens, WangBuzsaki) share: random Exp2Syn input trains, a driver
// recording spikes and v, and a tight-tolerance reference (Boost.Odeint,
// Dormand-Prince 5(4), abs/rel tolerance 1e-10) of the same cell written in
// absolute units (nF, uS, nA) from the soma's geometry, independently of
// the model's density-unit code.
//
// A test supplies the channels as `Ref`:
//   static constexpr std::size_t n;                        // gates
//   static void steady(double v, double* x);               // gates' steady state
//   static double ionic(const channels&, double v, const double* x, double* dx);
//                                                          // uA/cm2, outward; dx/dt
// written with the plain textbook formulas.

#include <algorithm>
#include <array>
#include <boost/numeric/odeint.hpp>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <map>
#include <numbers>
#include <numeric>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "tests/unit/lif_reference.hpp"

namespace ganglion::test::soma_ref {

struct inputs {
    std::vector<double> exc, inh;  // summed weights (uS) arriving in each step
};

// Poisson trains of Exp2Syn events (rates in Hz, weights in uS) over n
// steps: an event at time t arrives in step floor(t / dt).
inline inputs make_inputs(double rate_e, double w_e, double rate_i, double w_i, double dt,
                          std::int64_t n, unsigned seed) {
    std::mt19937 gen(seed);
    auto train = [&](double rate, double w) {
        std::vector<double> row(static_cast<std::size_t>(n), 0.0);
        if (rate <= 0) return row;
        std::exponential_distribution<double> interval_ms(rate / 1000);
        const double end = static_cast<double>(n) * dt;
        for (double t = interval_ms(gen); t < end; t += interval_ms(gen))
            row[static_cast<std::size_t>(std::min<double>(std::floor(t / dt), n - 1))] += w;
        return row;
    };
    inputs in;
    in.exc = train(rate_e, w_e);
    in.inh = train(rate_i, w_i);
    return in;
}

// t_stop of silence.
inline inputs no_input(double dt, double t_stop) {
    const std::vector<double> zeros(static_cast<std::size_t>(std::llround(t_stop / dt)), 0.0);
    return {zeros, zeros};
}

struct trace {
    std::vector<std::int64_t> spikes;  // steps
    std::vector<double> crossings;     // ms: v_thresh crossing times, linearly interpolated
    std::vector<double> v;             // at every step end
    std::vector<double> g_exc;         // uS, at every step end
};

constexpr double unset = std::numeric_limits<double>::quiet_NaN();

// The model over the input; v0 (if given) replaces the initial v, and the
// gates then start at their steady state there (the model's finitialize).
template <class M>
trace run_model(const typename M::parameters& p, double dt, const inputs& in, double v0 = unset) {
    driver<M> n(p, dt);
    if (!std::isnan(v0)) n.s.v[0] = v0;
    trace r;
    for (std::size_t k = 0; k < in.exc.size(); ++k) {
        n.in[0][0] = in.exc[k];
        n.in[1][0] = in.inh[k];
        const double v_old = n.s.v[0];
        n.step();
        if (n.spiked[0]) {
            r.spikes.push_back(static_cast<std::int64_t>(k));
            r.crossings.push_back(
                (static_cast<double>(k) + (p.common.v_thresh - v_old) / (n.s.v[0] - v_old)) * dt);
        }
        r.v.push_back(n.s.v[0]);
        r.g_exc.push_back(n.s.g_exc[0]);
    }
    return r;
}

// The reference: from grid point to grid point with dopri5; the step's input
// enters A and B at the step's end; a spike where v crosses v_thresh upwards
// between two grid points.
template <class Ref, class P>
trace run_reference(const P& p, double dt, const inputs& in, double v0, double tolerance = 1e-10) {
    namespace ode = boost::numeric::odeint;
    constexpr std::size_t n = Ref::n;
    using state_type = std::array<double, n + 5>;  // v, gates, A_e, B_e, A_i, B_i
    const auto& c = p.common;
    const double area = std::numbers::pi * c.diam * c.length * 1e-8;  // cm2
    const double C = c.cm * area * 1e3;                               // nF
    auto factor = [](double tau1, double tau2) {
        const double tp = tau1 * tau2 / (tau2 - tau1) * std::log(tau2 / tau1);
        return 1 / (std::exp(-tp / tau2) - std::exp(-tp / tau1));
    };
    const double f_e = factor(c.tau1_E, c.tau2_E), f_i = factor(c.tau1_I, c.tau2_I);
    auto rhs = [&](const state_type& x, state_type& dx, double) {
        const double v = x[0];
        const double i_ion = Ref::ionic(p.channels, v, &x[1], &dx[1]) * area * 1e3;  // nA
        const double g_e = x[n + 2] - x[n + 1], g_i = x[n + 4] - x[n + 3];
        dx[0] = (c.i_offset - i_ion - g_e * (v - c.e_rev_E) - g_i * (v - c.e_rev_I)) / C;
        dx[n + 1] = -x[n + 1] / c.tau1_E;
        dx[n + 2] = -x[n + 2] / c.tau2_E;
        dx[n + 3] = -x[n + 3] / c.tau1_I;
        dx[n + 4] = -x[n + 4] / c.tau2_I;
    };
    auto stepper =
        ode::make_controlled(tolerance, tolerance, ode::runge_kutta_dopri5<state_type>());
    state_type x{};
    x[0] = v0;
    Ref::steady(v0, &x[1]);
    trace r;
    for (std::size_t k = 0; k < in.exc.size(); ++k) {
        const double t0 = static_cast<double>(k) * dt, v_old = x[0];
        ode::integrate_adaptive(stepper, rhs, x, t0, t0 + dt, dt / 10);
        x[n + 1] += f_e * in.exc[k];
        x[n + 2] += f_e * in.exc[k];
        x[n + 3] += f_i * in.inh[k];
        x[n + 4] += f_i * in.inh[k];
        if (v_old < c.v_thresh && x[0] >= c.v_thresh) {
            r.spikes.push_back(static_cast<std::int64_t>(k));
            r.crossings.push_back((static_cast<double>(k) + (c.v_thresh - v_old) / (x[0] - v_old)) *
                                  dt);
        }
        r.v.push_back(x[0]);
        r.g_exc.push_back(x[n + 2] - x[n + 1]);
    }
    return r;
}

// Largest |spike step difference|, after checking the counts are equal.
inline std::int64_t expect_same_spikes(const trace& m, const trace& r, const std::string& what) {
    EXPECT_EQ(m.spikes.size(), r.spikes.size()) << what;
    std::int64_t worst = 0;
    for (std::size_t i = 0; i < std::min(m.spikes.size(), r.spikes.size()); ++i) {
        worst = std::max(worst, std::abs(m.spikes[i] - r.spikes[i]));
        EXPECT_LE(std::abs(m.spikes[i] - r.spikes[i]), 1) << what << ", spike " << i;
    }
    return worst;
}

// max_k |a_k - b_k| over the common length.
inline double max_abs_difference(const std::vector<double>& a, const std::vector<double>& b) {
    const std::size_t n = std::min(a.size(), b.size());
    return std::transform_reduce(
        a.begin(), a.begin() + static_cast<std::ptrdiff_t>(n), b.begin(), 0.0,
        [](double x, double y) { return std::max(x, y); },
        [](double x, double y) { return std::abs(x - y); });
}

// Injected current (nA) for a density (uA/cm2) on the model's soma.
template <class P>
double nA_for_density(const P& p, double density) {
    return density * std::numbers::pi * p.common.diam * p.common.length * 1e-8 * 1e3;
}

inline std::size_t spikes_after(const trace& t, std::int64_t first_step) {
    return static_cast<std::size_t>(std::count_if(t.spikes.begin(), t.spikes.end(),
                                                  [&](std::int64_t s) { return s >= first_step; }));
}

// The rheobase (nA) of a run function (i_offset -> trace) by bisection: the
// smallest current with repetitive firing, at least two spikes in the
// second half of t_stop, to a relative tolerance.
template <class Run>
double rheobase(Run run, double lo, double hi, double dt, double t_stop, double rel = 1e-4) {
    const auto half = static_cast<std::int64_t>(std::llround(0.5 * t_stop / dt));
    auto fires = [&](double i) { return spikes_after(run(i), half) >= 2; };
    EXPECT_FALSE(fires(lo));
    EXPECT_TRUE(fires(hi));
    while (hi - lo > rel * hi) {
        const double mid = 0.5 * (lo + hi);
        (fires(mid) ? hi : lo) = mid;
    }
    return hi;
}

// The ionic current (uA/cm2) with every gate at its steady state at v.
template <class Ref, class Ch>
double steady_state_current(const Ch& ch, double v) {
    std::array<double, Ref::n> x{}, dx{};
    Ref::steady(v, x.data());
    return Ref::ionic(ch, v, x.data(), dx.data());
}

// The saddle-node current of the steady-state I-V curve (uA/cm2): the first
// local maximum of i_ss(v) = i_ion(v, gates at steady state) above v_lo,
// refined by golden-section search; v at the maximum in v_max.
template <class Ref, class Ch>
double saddle_node(const Ch& ch, double v_lo, double& v_max) {
    auto i_ss = [&](double v) { return steady_state_current<Ref>(ch, v); };
    double v = v_lo;
    const double step = 0.01;
    while (i_ss(v + step) > i_ss(v))
        v += step;
    double a = v - step, b = v + step;
    const double g = 0.5 * (std::sqrt(5.0) - 1);
    while (b - a > 1e-10) {
        const double c1 = b - g * (b - a), c2 = a + g * (b - a);
        if (i_ss(c1) > i_ss(c2))
            b = c2;
        else
            a = c1;
    }
    v_max = 0.5 * (a + b);
    return i_ss(v_max);
}

// The resting potential (mV): the zero of i_ss in [lo, hi] by bisection.
template <class Ref, class Ch>
double resting_potential(const Ch& ch, double lo, double hi) {
    auto i_ss = [&](double v) { return steady_state_current<Ref>(ch, v); };
    for (int k = 0; k < 200; ++k) {
        const double mid = 0.5 * (lo + hi);
        (i_ss(mid) < 0 ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}

// One event of weight w on each receptor: g(t) = w factor (exp(-t / tau2) -
// exp(-t / tau1)) at every step end after it (the event enters at the end
// of its step), and that kernel peaks at exactly w at tpeak. dt = tpeak /
// 20 puts a step end on the peak. Returns the largest |g - analytic| (uS).
template <class M>
double expect_exp2syn_kernel(double tau1, double tau2, double w) {
    const auto p = make_parameters<M>(
        {{"tau1_E", tau1}, {"tau2_E", tau2}, {"tau1_I", tau1}, {"tau2_I", tau2}});
    // Exp2Syn's formulas (NEURON's exp2syn.mod), written out again here.
    const double tp = tau1 * tau2 / (tau2 - tau1) * std::log(tau2 / tau1);
    const double factor = 1 / (std::exp(-tp / tau2) - std::exp(-tp / tau1));
    auto g = [&](double t) { return w * factor * (std::exp(-t / tau2) - std::exp(-t / tau1)); };
    EXPECT_NEAR(g(tp), w, 1e-15 * w);
    EXPECT_NEAR(std::exp(-tp / tau1) / tau1, std::exp(-tp / tau2) / tau2, 1e-14 / tau1);
    EXPECT_LT(g(tp * 0.999), w);
    EXPECT_LT(g(tp * 1.001), w);

    const double dt = tp / 20;
    driver<M> n(p, dt);
    n.in[0][0] = w;
    n.in[1][0] = w;
    double* g_exc = n.s.variable("gsyn_exc");
    double* g_inh = n.s.variable("gsyn_inh");
    double worst = 0, peak = 0;
    const auto steps = static_cast<int>(std::ceil(10 * tau2 / dt));
    for (int k = 0; k <= steps; ++k) {
        n.step();
        const double t = k * dt;  // since the event
        worst = std::max({worst, std::abs(g_exc[0] - g(t)), std::abs(g_inh[0] - g(t))});
        peak = std::max(peak, g_exc[0]);
        if (k == 20) {
            EXPECT_NEAR(g_exc[0], w, 1e-12 * w);
        }
    }
    EXPECT_LT(worst, 1e-12 * w);
    EXPECT_NEAR(peak, w, 1e-12 * w);
    return worst;
}

// The injected-current row (input[n_receptors], nA) acts exactly as i_offset.
template <class M>
std::size_t expect_injected_row_is_i_offset(double i, double dt, double t_stop) {
    driver<M> a(make_parameters<M>({{"i_offset", i}}), dt), b(make_parameters<M>({}), dt);
    b.in[M::n_receptors][0] = i;
    std::size_t spikes = 0;
    const auto steps = std::llround(t_stop / dt);
    for (long long k = 0; k < steps; ++k) {
        a.step();
        b.step();
        EXPECT_EQ(a.s.v[0], b.s.v[0]) << "step " << k;
        EXPECT_EQ(a.spiked[0], b.spiked[0]) << "step " << k;
        if (a.s.v[0] != b.s.v[0]) break;
        spikes += a.spiked[0];
    }
    EXPECT_GT(spikes, 0u);
    return spikes;
}

struct bad_parameter {
    std::map<std::string, double> values;
    std::string parameter;  // named in the error
    std::string text;       // in the message: the value and unit, what is allowed
};

// Bad values of the parameters every soma model has, then `more`.
template <class M>
void expect_parameter_errors(const std::string& model, std::vector<bad_parameter> more) {
    std::vector<bad_parameter> cases = {
        {{{"cm", 0.0}}, "cm", "got 0 uF/cm2; must be > 0 uF/cm2"},
        {{{"diam", -1.0}}, "diam", "got -1 um; must be > 0 um"},
        {{{"length", 0.0}}, "length", "got 0 um"},
        {{{"g_leak", -0.1}}, "g_leak", "got -0.1 mS/cm2; must be >= 0 mS/cm2"},
        {{{"gbar_Na", -1.0}}, "gbar_Na", "got -1 mS/cm2"},
        {{{"tau2_I", -2.0}}, "tau2_I", "got -2 ms; must be > 0 ms"},
        {{{"tau1_E", 0.0}}, "tau1_E", "got 0 ms; must be > 0 ms"},
        {{{"tau1_E", 2.0}}, "tau1_E", "got 2 ms; must be below tau2_E (2 ms)"},
        {{{"tau1_I", 3.0}}, "tau1_I", "must be below tau2_I (2 ms): Exp2Syn"}};
    cases.insert(cases.end(), more.begin(), more.end());
    for (const auto& c : cases) {
        parameter_values v;
        v.scalars = c.values;
        try {
            M::parameters::from(v).validate();
            ADD_FAILURE() << c.parameter << ": no error";
        } catch (const parameter_error& e) {
            EXPECT_EQ(e.model(), model);
            EXPECT_EQ(e.parameter(), c.parameter);
            EXPECT_NE(std::string(e.what()).find(c.text), std::string::npos) << e.what();
        }
    }
}

struct comparison {
    std::size_t spikes = 0, runs = 0, identical_runs = 0;
    std::int64_t worst_shift = 0;  // steps
    double worst_crossing = 0;     // ms, interpolated crossing times
    double worst_v = 0;            // mV
};

// The model against the reference under random Exp2Syn input, seeds 1..n.
template <class M, class Ref>
comparison compare_random_input(const typename M::parameters& p, double dt, double t_stop,
                                double rate_e, double w_e, double rate_i, double w_i,
                                unsigned seeds) {
    comparison c;
    const auto steps = static_cast<std::int64_t>(std::llround(t_stop / dt));
    for (unsigned seed = 1; seed <= seeds; ++seed) {
        const auto in = make_inputs(rate_e, w_e, rate_i, w_i, dt, steps, seed);
        const auto m = run_model<M>(p, dt, in);
        const auto r = run_reference<Ref>(p, dt, in, M::v_init);
        const std::string what = "dt " + std::to_string(dt) + ", seed " + std::to_string(seed);
        c.worst_shift = std::max(c.worst_shift, expect_same_spikes(m, r, what));
        c.spikes += m.spikes.size();
        ++c.runs;
        c.identical_runs += m.spikes == r.spikes;
        c.worst_v = std::max(c.worst_v, max_abs_difference(m.v, r.v));
        if (m.spikes.size() == r.spikes.size())
            c.worst_crossing =
                std::max(c.worst_crossing, max_abs_difference(m.crossings, r.crossings));
    }
    return c;
}

// Firing rate (Hz) in the second half of t_stop: the inverse of the mean
// inter-spike interval there (0 with fewer than two spikes).
inline double rate_hz(const trace& t, double dt, double t_stop) {
    const auto half = static_cast<std::int64_t>(std::llround(0.5 * t_stop / dt));
    const auto first = std::lower_bound(t.spikes.begin(), t.spikes.end(), half);
    const auto count = t.spikes.end() - first;
    if (count < 2) return 0;
    return static_cast<double>(count - 1) / (static_cast<double>(t.spikes.back() - *first) * dt) *
           1e3;
}

// The reference at tolerance 1e-10 against 1e-12 under random input: the
// same spikes, v within max_dv (mV).
template <class M, class Ref>
void expect_reference_converged(double rate_e, double w_e, double rate_i, double w_i,
                                double max_dv) {
    const double dt = 0.1;
    const auto p = make_parameters<M>({});
    const auto in = make_inputs(rate_e, w_e, rate_i, w_i, dt, 2500, 1);
    const auto a = run_reference<Ref>(p, dt, in, M::v_init);
    const auto b = run_reference<Ref>(p, dt, in, M::v_init, 1e-12);
    ASSERT_EQ(a.spikes, b.spikes);
    const double err = max_abs_difference(a.v, b.v);
    std::printf("reference 1e-10 vs 1e-12: max |dv| = %.3g mV (%zu spikes)\n", err,
                a.spikes.size());
    EXPECT_LT(err, max_dv);
}

// Random input at dt 0.025 and 0.1 ms, 3 seeds of 250 ms: the same spike
// counts, each spike within one step, interpolated threshold crossings
// within 1 us; v within max_dv (mV).
template <class M, class Ref>
void expect_random_input_matches(double rate_e, double w_e, double rate_i, double w_i,
                                 std::size_t min_spikes, double max_dv) {
    for (const double dt : {0.025, 0.1}) {
        const auto c = compare_random_input<M, Ref>(make_parameters<M>({}), dt, 250.0, rate_e, w_e,
                                                    rate_i, w_i, 3);
        std::printf(
            "dt %.3g ms: %zu spikes in %zu runs of 250 ms (%zu runs at exactly the "
            "reference's steps, largest shift %lld steps; interpolated crossings within %.3g ms); "
            "max |v - v_ref| %.3g mV\n",
            dt, c.spikes, c.runs, c.identical_runs, static_cast<long long>(c.worst_shift),
            c.worst_crossing, c.worst_v);
        EXPECT_GE(c.spikes, min_spikes);
        EXPECT_LE(c.worst_shift, 1);
        EXPECT_LT(c.worst_crossing, 1e-3);
        EXPECT_LT(c.worst_v, max_dv);
    }
}

// Started at the resting potential (the zero of the steady-state current,
// found here from Ref) the model stays there; started at v_from (gates at
// their steady state there, as finitialize sets them) it relaxes as the
// reference does, to rest. Returns the resting potential.
template <class M, class Ref>
double expect_rest_and_relaxation(double v_from) {
    const auto p = make_parameters<M>({});
    const double v_rest = resting_potential<Ref>(p.channels, -80, -60);
    const double dt = 0.1;
    const auto quiet = no_input(dt, 300.0);
    const auto rest = run_model<M>(p, dt, quiet, v_rest);
    double drift = 0;
    for (const double v : rest.v)
        drift = std::max(drift, std::abs(v - v_rest));
    const auto m = run_model<M>(p, dt, quiet, v_from);
    const auto r = run_reference<Ref>(p, dt, quiet, v_from);
    const double err = max_abs_difference(m.v, r.v);
    std::printf(
        "resting potential %.6f mV: max drift %.3g mV; relaxation from %g mV: max |v - v_ref| "
        "%.3g mV, v(300 ms) - v_rest %.3g mV\n",
        v_rest, drift, v_from, err, m.v.back() - v_rest);
    EXPECT_LT(drift, 1e-9);
    EXPECT_TRUE(m.spikes.empty());
    EXPECT_LT(err, 1e-6);
    EXPECT_LT(std::abs(m.v.back() - v_rest), 1e-6);
    return v_rest;
}

// A gate the model file sets keeps its value; the others follow the initial v.
template <class M, class Ref>
void expect_gate_set_by_the_file_kept(std::size_t gate) {
    test::driver<M> n(make_parameters<M>({}), 0.001);
    n.s.v[0] = -60.0;
    n.s.gates[gate][0] = 0.5;
    n.step();
    std::array<double, Ref::n> x{};
    Ref::steady(-60.0, x.data());
    for (std::size_t g = 0; g < Ref::n; ++g)
        EXPECT_NEAR(n.s.gates[g][0], g == gate ? 0.5 : x[g], 1e-3) << "gate " << g;
}

struct rheobases {
    double saddle_node;  // uA/cm2
    double reference;    // nA
    double model;        // nA
};

// The rheobase by bisection on the reference and on the model (repetitive
// firing within 2 s, dt 0.1 ms), against the saddle-node of the
// steady-state I-V curve; then the f-I curve of a type I neuron: nothing
// below the rheobase, slow firing just above it, rising monotonically.
template <class M, class Ref>
rheobases expect_rheobase_and_type_I(double v_lo) {
    const auto p = make_parameters<M>({});
    const double dt = 0.1, t_stop = 2000;
    double v_knee;
    const double i_sn = saddle_node<Ref>(p.channels, v_lo, v_knee);
    const double sn_nA = nA_for_density(p, i_sn);
    auto with = [&](double i) { return make_parameters<M>({{"i_offset", i}}); };
    const auto quiet = no_input(dt, t_stop);
    const double i_ref =
        rheobase([&](double i) { return run_reference<Ref>(with(i), dt, quiet, M::v_init); },
                 0.5 * sn_nA, 1.5 * sn_nA, dt, t_stop);
    const double i_model = rheobase([&](double i) { return run_model<M>(with(i), dt, quiet); },
                                    0.5 * sn_nA, 1.5 * sn_nA, dt, t_stop);
    std::printf(
        "rheobase: saddle-node %.6g uA/cm2 (%.6g nA, at %.3f mV); reference %.6g nA, ganglion "
        "%.6g nA (%.6g uA/cm2)\n",
        i_sn, sn_nA, v_knee, i_ref, i_model, i_model / sn_nA * i_sn);
    EXPECT_NEAR(i_model, i_ref, 0.005 * i_ref);
    EXPECT_NEAR(i_ref, sn_nA, 0.02 * sn_nA);  // measured 0.26 % (CS), 0.91 % (WB) above
    EXPECT_GE(i_ref, sn_nA * (1 - 1e-3));

    double last = 0;
    std::string curve;
    for (const double k : {0.98, 1.002, 1.01, 1.05, 1.1, 1.25, 1.5, 2.0, 3.0, 4.0}) {
        const double f = rate_hz(run_model<M>(with(k * i_ref), dt, quiet), dt, t_stop);
        char entry[40];
        std::snprintf(entry, sizeof entry, " %.3gx: %.3g Hz", k, f);
        curve += entry;
        if (k < 1) {
            EXPECT_EQ(f, 0.0);
        } else if (k < 1.005) {
            EXPECT_GT(f, 0.0);
            EXPECT_LT(f, 10.0) << "type I: slow firing just above rheobase";
        } else {
            EXPECT_GT(f, last) << k << " x rheobase";
        }
        last = f;
    }
    std::printf("f-I at multiples of the rheobase:%s\n", curve.c_str());
    for (const double k : {1.1, 3.0}) {
        const double fm = rate_hz(run_model<M>(with(k * i_ref), dt, quiet), dt, t_stop);
        const double fr =
            rate_hz(run_reference<Ref>(with(k * i_ref), dt, quiet, M::v_init), dt, t_stop);
        EXPECT_NEAR(fm, fr, 1.0) << k << " x rheobase";
    }
    return {i_sn, i_ref, i_model};
}

// The Exp2Syn kernel for a few (tau1, tau2), and the injected-current row.
template <class M>
void expect_exp2syn_and_injection() {
    for (const auto& [tau1, tau2] : {std::pair{0.1, 2.0}, std::pair{0.5, 5.0}, std::pair{1.0, 1.1}})
        std::printf("Exp2Syn %g/%g ms: max |g - analytic| %.3g uS\n", tau1, tau2,
                    expect_exp2syn_kernel<M>(tau1, tau2, 0.003));
    const std::size_t spikes = expect_injected_row_is_i_offset<M>(0.1, 0.025, 100.0);
    std::printf("0.1 nA: %zu spikes in 100 ms, bit for bit as i_offset\n", spikes);
}

}  // namespace ganglion::test::soma_ref
