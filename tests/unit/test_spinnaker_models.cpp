// The SpiNNaker fixed-point models (models/spinnaker/) against two
// references each:
//
// 1. The double scheme: the same discrete update equations, in the same
//    order, evaluated in double precision with the same host-quantised
//    constants (exp_tc, R, decay, init, dt/tau^2, h, ... read back from the
//    fixed-point parameters). The fixed-point trajectory may differ from it
//    only by the truncation of each s16.15 product (at most q = 2^-15 per
//    product, towards minus infinity) and of each u0.32 decay (q again), so
//    we assert a bound that is propagated alongside, step by step:
//    - an exponential synapse (g += in*init; g = g*decay): its error grows
//      by q per input and per decay, and contracts by decay:
//        e_g <- decay e_g + q;
//    - the LIF step v' = alpha - exp_tc (alpha - v), alpha = I R + v_rest:
//        e_v <- exp_tc e_v + (1 - exp_tc)(R e_I + q) + q,
//      with e_I the bound on the current; summed over a long run this is
//      at most (R e_I + q) + q / (1 - exp_tc): "n_ops q / (1 - exp_tc)";
//    - conductance input: g >> 10 loses at most q more, and g (E - v)
//      carries e_g/1024 + q times |E - v|, plus g e_v, plus q;
//    - the alpha synapse: the errors of lin and exp through its products
//      and its 1/exp (derivative 1/exp^2 <= 1);
//    - the Izhikevich kernels (nonlinear, not contracting): a first-order
//      bound e' <= |J| e + local, with J the Jacobian of the double step (by
//      central differences along the reference trajectory) and `local` the
//      truncations of one step counted product by product (see
//      izh_scheme::step), so products truncated inside (5 + M v) v weigh |v|.
//    Asserted: |v_fixed - v_scheme| <= bound after every step, and equal
//    spike steps wherever the scheme's distance to threshold exceeds the
//    bound (the first step where it does not and the two disagree ends the
//    comparison; every test checks that enough spikes were compared).
// 2. The double model (models/<name>.cpp), the continuous solution. The
//    double scheme differs from it by sPyNNaker's discretisation, which we
//    state and bound where it can be bounded:
//    - exponential current synapses: sPyNNaker's input enters v in the step
//      it arrives (the double model's one step later), and `init` makes the
//      current of each step the exact step-average of the exponential, so
//      v_scheme(step k) = v_double(step k + 1) up to the variation of the
//      current within a step against that of the membrane kernel:
//        <= (dt / C)(1 - exp(-dt/tau_m)) I_0 (I_0 the total PSC amplitude)
//      plus the quantisation of exp_tc and R (|d exp_tc| V / (1 - exp_tc) +
//      |dR| I);
//    - alpha synapses: sPyNNaker's PSC for weight w is w t/tau^2 exp(-t/tau)
//      (unit area), the double model's peak-normalised one for weight
//      W = w / (e tau) is the same function; the step uses the left-point
//      value, so the difference is <= 2 dt I_peak / C (total variation of
//      the PSC times dt / C), again with v_scheme(k) ~ v_double(k + 1);
//    - delta synapses: the jump is w R (1 - exp_tc) / dt (w / cm for small
//      dt), in the input's step: equal to the double model with weight
//      w R (1 - exp_tc) / dt up to rounding and exp_tc's quantisation;
//    - constant currents (LIF): both are exact, so the spike steps agree;
//    - conductance models and Izhikevich: first-order (conductance) or RK2
//      schemes with no simple bound: the measured differences are printed
//      and asserted with the margins stated at each test.
//
// Mutations checked by hand (each made at least one test here fail):
// if_cond_exp with its synaptic decay moved before the membrane update, or
// without `init`, or without the `>> 10`; izhikevich with 0.04k instead of
// the magic multiplier, or without the 1.85 dt post-spike step;
// if_curr_alpha without its (1 - 1/exp) factor, or clearing q after
// shaping; if_curr_delta without the 1/dt scale factor.

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "core/fixed_point.hpp"
#include "models/registry.hpp"
#include "models/spinnaker/if_cond_exp.hpp"
#include "models/spinnaker/if_curr_alpha.hpp"
#include "models/spinnaker/if_curr_delta.hpp"
#include "models/spinnaker/if_curr_exp.hpp"
#include "models/spinnaker/izhikevich.hpp"
#include "models/spinnaker/izhikevich_cond.hpp"
#include "tests/unit/lif_reference.hpp"

namespace ganglion::models::spinnaker {
namespace {

using fixed::accum;
constexpr double q = 1.0 / 32768.0;  // one step of s16.15

// ---------------------------------------------------------------------------
// Drivers.

// One neuron of fixed-point model M, stepped without the engine: the
// receptor inputs are ring-buffer slots with a left shift, as the engine
// hands them over; the injected current (nA) stays as set.
template <class M>
struct fixed_neuron {
    typename M::parameters p;
    typename M::state s;
    std::array<std::vector<accum>, M::n_receptors + 1> in;
    std::vector<std::uint8_t> spiked = std::vector<std::uint8_t>(1, 0);

    fixed_neuron(const typename M::double_model::parameters& dp, double dt) : p(dp, dt) {
        s.resize(1, p);
        for (auto& r : in)
            r.assign(1, accum{});
    }
    void slot(std::size_t receptor, std::uint32_t value, int shift) {
        in[receptor][0] = fixed::weight_to_input(value, shift);
    }
    void inject(double na) { in[M::n_receptors][0] = fixed::to_accum(na); }
    bool step() {
        std::array<const accum*, M::n_receptors + 1> rows{};
        for (std::size_t r = 0; r <= M::n_receptors; ++r)
            rows[r] = in[r].data();
        M::step(p, s, rows.data(), spiked.data(), 1);
        for (std::size_t r = 0; r < M::n_receptors; ++r)
            in[r][0] = accum{};
        return spiked[0] != 0;
    }
    // A state variable in the double model's units, as the population exports it.
    double value(const std::string& name) {
        double out = std::nan("");
        s.variables([&](const char* n, std::vector<std::int32_t>& raw, double unit) {
            if (name == n) out = accum::from_raw(raw[0]).to_double() * unit;
        });
        return out;
    }
    double v() { return value("v"); }
};

// A synaptic input: ring-buffer slot `slot` on `receptor` in step `step`.
struct event {
    std::int64_t step;
    std::size_t receptor;
    std::uint32_t slot;
};

// Events given at times (ms), for a run at dt.
std::vector<event> at_times(const std::vector<std::tuple<double, std::size_t, std::uint32_t>>& e,
                            double dt) {
    std::vector<event> out;
    for (const auto& [t, r, s] : e)
        out.push_back({std::llround(t / dt), r, s});
    return out;
}

// ---------------------------------------------------------------------------
// The double schemes (see the file comment), each tracking the bound on
// |v_fixed - v|.

struct trace {
    double v = 0;          // after the step (after a reset)
    double v_pre = 0;      // before the threshold check
    double bound = 0;      // on |v_fixed - v|
    double bound_pre = 0;  // on |v_fixed - v_pre|
    double v_thresh = 0;
};

struct lif_scheme : trace {
    double v_rest, v_reset, r, exp_tc;
    std::int32_t t_refract, timer = 0;
    template <class P>
    explicit lif_scheme(const P& p)
        : v_rest(p.v_rest.to_double()),
          v_reset(p.v_reset.to_double()),
          r(p.r_membrane.to_double()),
          exp_tc(p.exp_tc.to_double()),
          t_refract(p.t_refract) {
        v = v_rest;
        v_thresh = p.v_thresh.to_double();
    }
    // After a close call that went the other way: continue from the fixed state.
    template <class F>
    void resync(F& f) {
        v = f.v();
        timer = f.s.refract_timer[0];
        bound = 0;
    }
    // One membrane step under `current` (nA), known to within e_current.
    bool lif_step(double current, double e_current) {
        if (timer <= 0) {
            const double alpha = current * r + v_rest;
            v = alpha - exp_tc * (alpha - v);
            bound = exp_tc * bound + (1 - exp_tc) * (r * e_current + q) + q;
        } else {
            --timer;
        }
        v_pre = v;
        bound_pre = bound;
        if (v >= v_thresh) {
            v = v_reset;
            timer = t_refract;
            bound = 0;
            return true;
        }
        return false;
    }
};

struct exp_scheme {
    double g = 0, init, decay, bound = 0;
    explicit exp_scheme(const exp_synapse& s)
        : init(s.init.to_double()), decay(s.decay.to_double()) {}
    void take(double in) {
        if (in == 0) return;
        g += in * init;
        bound += q;
    }
    void shape() {
        g *= decay;
        bound = decay * bound + q;
    }
};

struct curr_exp_scheme : lif_scheme {
    exp_scheme e, i;
    double i_offset;
    explicit curr_exp_scheme(const if_curr_exp::parameters& p)
        : lif_scheme(p), e(p.exc), i(p.inh), i_offset(p.i_offset.to_double()) {}
    bool step(std::array<double, 2> in, double injected) {
        e.take(in[0]);
        i.take(in[1]);
        const bool s = lif_step(e.g - i.g + injected + i_offset, e.bound + i.bound);
        e.shape();
        i.shape();
        return s;
    }
};

struct cond_exp_scheme : lif_scheme {
    exp_scheme e, i;
    double i_offset, e_rev_E, e_rev_I;
    explicit cond_exp_scheme(const if_cond_exp::parameters& p)
        : lif_scheme(p),
          e(p.exc),
          i(p.inh),
          i_offset(p.i_offset.to_double()),
          e_rev_E(p.e_rev_E.to_double()),
          e_rev_I(p.e_rev_I.to_double()) {}
    bool step(std::array<double, 2> in, double injected) {
        e.take(in[0]);
        i.take(in[1]);
        // g >> 10: the state is g * 1024; the shift loses up to q more.
        const double ge = e.g / 1024, gi = i.g / 1024;
        const double ege = e.bound / 1024 + q, egi = i.bound / 1024 + q;
        const double de = e_rev_E - v, di = e_rev_I - v;
        const double err = ege * std::abs(de) + (ge + ege) * bound + q + egi * std::abs(di) +
                           (gi + egi) * bound + q;
        const bool s = lif_step(ge * de + gi * di + injected + i_offset, err);
        e.shape();
        i.shape();
        return s;
    }
};

struct alpha_scheme {
    double lin = 0, x = 0, qb = 0, k, decay, b_lin = 0, b_x = 0;
    explicit alpha_scheme(const alpha_synapse& s)
        : k(s.dt_over_tau2.to_double()), decay(s.decay.to_double()) {}
    void take(double in) {
        if (!(in > 0)) return;
        qb = in;
        x = x * decay + 1;
        b_x = decay * b_x + q;
        const double base = lin + in * k, f = 1 - 1 / x;
        // 1/x: derivative 1/x^2 <= 1 (x >= 1) and the division's truncation.
        b_lin = (b_lin + q) * f + std::abs(base) * (b_x / (x * x) + q) + q;
        lin = base * f;
    }
    double current() const { return lin * x; }
    double current_bound() const { return b_lin * x + std::abs(lin) * b_x + b_lin * b_x + q; }
    void shape() {
        lin += qb * k;
        b_lin += qb != 0 ? q : 0.0;
        x *= decay;
        b_x = decay * b_x + q;
    }
};

struct curr_alpha_scheme : lif_scheme {
    alpha_scheme e, i;
    double i_offset;
    explicit curr_alpha_scheme(const if_curr_alpha::parameters& p)
        : lif_scheme(p), e(p.exc), i(p.inh), i_offset(p.i_offset.to_double()) {}
    bool step(std::array<double, 2> in, double injected) {
        e.take(in[0]);
        i.take(in[1]);
        const bool s = lif_step(e.current() - i.current() + injected + i_offset,
                                e.current_bound() + i.current_bound());
        e.shape();
        i.shape();
        return s;
    }
};

struct curr_delta_scheme : lif_scheme {
    double scale, i_offset;
    explicit curr_delta_scheme(const if_curr_delta::parameters& p)
        : lif_scheme(p), scale(p.scale_factor.to_double()), i_offset(p.i_offset.to_double()) {}
    bool step(std::array<double, 2> in, double injected) {
        const double err = (in[0] != 0 ? q : 0.0) + (in[1] != 0 ? q : 0.0);
        return lif_step((in[0] - in[1]) * scale + injected + i_offset, err);
    }
};

// The Izhikevich kernels. `rhs` advances (v, u) by one RK2 step of h under
// I in double; `local` bounds the truncations of the same step in fixed
// point (given the current's own bound e_i); J by central differences.
struct izh_tracker : trace {
    double u = 0, bound_u = 0, this_h = 0, h = 0, h_spike = 0, c = 0, d = 0;
    struct pair {
        double v, u;
    };
    // The bound after one step from (v, u): first order in the error.
    template <class Step>
    void propagate(const Step& step_fn, pair local) {
        const double dv = 1e-4, du = 1e-4;
        const pair vp = step_fn(v + dv, u), vm = step_fn(v - dv, u);
        const pair up = step_fn(v, u + du), um = step_fn(v, u - du);
        const double j00 = (vp.v - vm.v) / (2 * dv), j01 = (up.v - um.v) / (2 * du);
        const double j10 = (vp.u - vm.u) / (2 * dv), j11 = (up.u - um.u) / (2 * du);
        const double nb = std::abs(j00) * bound + std::abs(j01) * bound_u + local.v;
        const double nu = std::abs(j10) * bound + std::abs(j11) * bound_u + local.u;
        bound = nb;
        bound_u = nu;
    }
    template <class F>
    void resync(F& f) {
        v = f.v();
        u = accum::from_raw(f.s.u[0]).to_double();
        this_h = accum::from_raw(f.s.this_h[0]).to_double();
        bound = bound_u = 0;
    }
    bool threshold(double v_peak) {
        v_pre = v;
        bound_pre = bound;
        this_h = h;
        if (v >= v_peak) {
            v = c;
            u += d;
            this_h = h_spike;
            bound = 0;
            return true;
        }
        return false;
    }
};

struct izh_scheme : izh_tracker {
    double a, b, i_offset, scale, m = 1311.0 / 32768.0;
    explicit izh_scheme(const izhikevich::parameters& p)
        : a(p.a.to_double()),
          b(p.b.to_double()),
          i_offset(p.i_offset.to_double()),
          scale(p.scale_factor.to_double()) {
        v = -70.0;
        u = -14.0;
        h = this_h = p.h.h.to_double();
        h_spike = p.h.h_after_spike.to_double();
        c = p.c.to_double();
        d = p.d.to_double();
        v_thresh = 30.0;
    }
    pair rk2(double hh, double current, double vv, double uu) const {
        const double pre = 140 + current - uu;
        const double alpha = pre + (5 + m * vv) * vv;
        const double eta = vv + hh * alpha / 2;
        const double beta = hh * (b * vv - uu) * a / 2;
        return {vv + hh * (pre - beta + (5 + m * eta) * eta), uu + a * hh * (-uu - beta + b * eta)};
    }
    bool step(std::array<double, 2> in, double injected) {
        const double current = (in[0] - in[1]) * scale + 1000 * injected + i_offset;
        const double e_i = (in[0] != 0 ? q : 0.0) + (in[1] != 0 ? q : 0.0);
        // The truncations of one step, product by product, in the kernel's order.
        const double hh = this_h;
        const double pre = 140 + current - u;
        const double alpha = pre + (5 + m * v) * v;
        const double eta = v + hh * alpha / 2;
        const double beta = hh * (b * v - u) * a / 2;
        const double e_alpha = e_i + q * std::abs(v) + q;                // M v (times v), (.) v
        const double e_eta = (hh * e_alpha + q) / 2 + q;                 // h alpha, half
        const double e_beta = ((hh + 1) * q * std::abs(a) + q) / 2 + q;  // b v, h (.), (.) a, half
        const double e_x = e_i + e_beta + std::abs(5 + 2 * m * eta) * e_eta + q * std::abs(eta) + q;
        const double y = -u - beta + b * eta;
        const double e_y = e_beta + std::abs(b) * e_eta + q;
        const pair local{hh * e_x + q, std::abs(a * hh) * e_y + q * std::abs(y) + q};
        propagate([&](double vv, double uu) { return rk2(hh, current, vv, uu); }, local);
        const pair next = rk2(hh, current, v, u);
        v = next.v;
        u = next.u;
        return threshold(30.0);
    }
};

struct izh_cond_scheme : izh_tracker {
    double k, v_r, v_t, v_peak, a, b, e_rev_E, e_rev_I, i_offset, inv_c_scaled, two_s;
    exp_scheme e, i;
    explicit izh_cond_scheme(const izhikevich_cond::parameters& p)
        : k(p.k.to_double()),
          v_r(p.v_r.to_double()),
          v_t(p.v_t.to_double()),
          v_peak(p.v_peak.to_double()),
          a(p.a.to_double()),
          b(p.b.to_double()),
          e_rev_E(p.e_rev_E.to_double()),
          e_rev_I(p.e_rev_I.to_double()),
          i_offset(p.i_offset.to_double()),
          inv_c_scaled(p.inv_c_scaled.to_double()),
          two_s(std::ldexp(1.0, p.inv_c_shift)),
          e(p.exc),
          i(p.inh) {
        v = v_r;
        h = this_h = p.h.h.to_double();
        h_spike = p.h.h_after_spike.to_double();
        c = p.c.to_double();
        d = p.d.to_double();
        v_thresh = v_peak;
    }
    double dv(double vv, double uu, double current) const {
        return (k * (vv - v_r) * (vv - v_t) + current - uu) * inv_c_scaled / two_s;
    }
    double du(double vv, double uu) const { return a * (b * (vv - v_r) - uu); }
    // The synaptic current at v0 (pA): conductances are frozen in the step.
    double syn(double v0) const {
        return 1000 * (e.g / 1024) * (e_rev_E - v0) + 1000 * (i.g / 1024) * (e_rev_I - v0);
    }
    pair rk2(double hh, double extra, double vv, double uu) const {
        const double current = syn(vv) + extra;
        const double eta = vv + hh * dv(vv, uu, current) / 2;
        const double u_mid = uu + hh * du(vv, uu) / 2;
        return {vv + hh * dv(eta, u_mid, current), uu + hh * du(eta, u_mid)};
    }
    bool step(std::array<double, 2> in, double injected) {
        e.take(in[0]);
        i.take(in[1]);
        const double extra = 1000 * injected + i_offset;
        const double hh = this_h;
        // Conductance: (g >> 10) loses up to q uS, times 1000 (nS).
        const double ege = 1000 * (e.bound / 1024 + q), egi = 1000 * (i.bound / 1024 + q);
        const double e_i = ege * std::abs(e_rev_E - v) + egi * std::abs(e_rev_I - v) + 2 * q;
        const double current = syn(v) + extra;
        const double s = inv_c_scaled;
        const double e_f1 = (s * (e_i + q * std::abs(v - v_t) + q) + q) / two_s + q;
        const double eta = v + hh * dv(v, u, current) / 2;
        const double e_eta = (hh * e_f1 + q) / 2 + q;
        const double e_g1 = std::abs(a) * q + q;
        const double e_beta = (hh * e_g1 + q) / 2 + q;
        const double dxdv = std::abs(k * (2 * eta - v_r - v_t));
        const double e_f2 =
            (s * (dxdv * e_eta + e_beta + q * std::abs(eta - v_t) + q + e_i) + q) / two_s + q;
        const double e_g2 = std::abs(a) * (std::abs(b) * e_eta + q + e_beta) + q;
        const pair local{hh * e_f2 + q, hh * e_g2 + q};
        propagate([&](double vv, double uu) { return rk2(hh, extra, vv, uu); }, local);
        const pair next = rk2(hh, extra, v, u);
        v = next.v;
        u = next.u;
        const bool spiked = threshold(v_peak);
        e.shape();
        i.shape();
        return spiked;
    }
};

// ---------------------------------------------------------------------------
// Fixed point against the double scheme.

struct run_result {
    double max_error = 0;              // max |v_fixed - v_scheme|
    double max_bound = 0;              // max bound
    double worst_ratio = 0;            // max error / bound
    std::vector<std::int64_t> spikes;  // spike steps where both spiked
    std::int64_t close_calls = 0;      // crossings within the bound that went differently
};

template <class M, class S>
run_result compare_with_scheme(const typename M::double_model::parameters& dp, double dt,
                               std::int64_t n, const std::vector<event>& events, int shift,
                               double injected, const char* what) {
    fixed_neuron<M> f(dp, dt);
    S s(f.p);
    f.inject(injected);
    const double inj = fixed::to_accum(injected).to_double();
    run_result r;
    for (std::int64_t k = 0; k < n; ++k) {
        std::array<double, 2> in{};
        for (const auto& e : events)
            if (e.step == k) {
                f.slot(e.receptor, e.slot, shift);
                in[e.receptor] = fixed::weight_to_input(e.slot, shift).to_double();
            }
        const bool sf = f.step();
        const bool ss = s.step(in, inj);
        const double margin = std::abs(s.v_pre - s.v_thresh);
        if (sf != ss) {
            // Allowed only where v_pre is within the bound of the threshold.
            const double err = std::abs(s.v_pre - (sf ? s.v_thresh : f.v()));
            EXPECT_LE(margin, s.bound_pre) << what << " dt " << dt << ": spike " << sf << " vs "
                                           << ss << " at step " << k << ", margin " << margin;
            EXPECT_LE(err, s.bound_pre + 1e-12) << what << " dt " << dt << " step " << k;
            ++r.close_calls;
            s.resync(f);
            continue;
        }
        if (sf) r.spikes.push_back(k);
        const double err = std::abs(f.v() - s.v);
        EXPECT_LE(err, s.bound + 1e-12) << what << " dt " << dt << " step " << k;
        r.max_error = std::max(r.max_error, err);
        r.max_bound = std::max(r.max_bound, s.bound);
        if (s.bound > 0) r.worst_ratio = std::max(r.worst_ratio, err / s.bound);
    }
    std::printf(
        "%s dt %g: %zu spikes in step, %lld close calls, max |v - v_scheme| %.3g mV, "
        "max bound %.3g mV (worst error/bound %.2f)\n",
        what, dt, r.spikes.size(), static_cast<long long>(r.close_calls), r.max_error, r.max_bound,
        r.worst_ratio);
    return r;
}

template <class D>
typename D::parameters make(const std::map<std::string, double>& values) {
    return test::make_parameters<D>(values);
}

const std::map<std::string, double> lif_values = {
    {"cm", 0.25},        {"tau_m", 10.0},     {"v_rest", -65.0},  {"v_reset", -70.0},
    {"v_thresh", -50.0}, {"tau_refrac", 2.0}, {"tau_syn_E", 2.0}, {"tau_syn_I", 5.0}};

std::map<std::string, double> with(std::map<std::string, double> v,
                                   const std::map<std::string, double>& more) {
    for (const auto& [k, x] : more)
        v[k] = x;
    return v;
}

// Excitatory bursts that fire a neuron held at -53 mV and an inhibitory
// input; slot values at a left shift of 4 are 2^-11 nA each (2048 = 1 nA).
const std::vector<std::tuple<double, std::size_t, std::uint32_t>> current_events = {
    {20, 0, 2048}, {23, 0, 1500},  {60, 0, 4000},  {63, 0, 3000}, {66, 0, 4000},
    {90, 1, 3000}, {130, 0, 6000}, {131, 0, 6000}, {170, 0, 900}};

constexpr std::int64_t ms(double t, double dt) {
    return static_cast<std::int64_t>(t / dt + 0.5);
}

// ---------------------------------------------------------------------------
// Every model is registered with its SpiNNaker version and weight scale.

TEST(SpinnakerModels, RegisteredWithTheirWeightScales) {
    model_registry registry;
    register_standard_models(registry);
    const std::map<std::string, double> scales = {
        {"IF_curr_exp", 1.0},   {"IF_cond_exp", 1024.0}, {"IF_curr_alpha", 1.0},
        {"IF_curr_delta", 1.0}, {"Izhikevich", 1.0},     {"Izhikevich_cond", 1024.0}};
    for (const auto& [name, scale] : scales) {
        const model_entry* e = registry.find(name);
        ASSERT_NE(e, nullptr) << name;
        ASSERT_TRUE(e->spinnaker.has_value()) << name;
        EXPECT_EQ(e->spinnaker->weight_scale, scale) << name;
    }
}

// sPyNNaker's constants as GCC reads them: fixed-point literals truncate.
TEST(SpinnakerModels, IzhikevichConstantsAreSpinnakers) {
    EXPECT_EQ(izhikevich::magic_multiplier.raw,
              static_cast<std::int32_t>(0.040008544921875 * 32768));
    EXPECT_EQ(izhikevich::magic_multiplier.raw - 1, static_cast<std::int32_t>(0.04 * 32768));
    EXPECT_EQ(izh_timestep::simple_tq_offset.raw, static_cast<std::int32_t>(1.85 * 32768));
    const izh_timestep one(1.0), tenth(0.1);
    EXPECT_EQ(one.h.raw, 32768);
    EXPECT_EQ(one.h_after_spike.raw, 60620);
    EXPECT_EQ(tenth.h.raw, 3277);  // 0.1 rounded to nearest
    EXPECT_EQ(tenth.h_after_spike.raw, (3277LL * 60620) >> 15);
}

// ---------------------------------------------------------------------------
// The LIF steps with exponential synapses are branch-free on the raw
// integers so that they vectorise; each gives the bits of its scalar form
// (lif_membrane::step, fixed::decay, accum's operators) neuron by neuron, in
// the vector body and the remainder, over states that reach threshold, the
// refractory period, wrap-around of the 32-bit sums and factors with and
// without their top bit.

// The scalar forms, one neuron: the synaptic states after this step's
// input, and the current.
struct curr_exp_scalar {
    using M = if_curr_exp;
    static fixed::accum current(const M::parameters& p, fixed::accum ge, fixed::accum gi,
                                fixed::accum, fixed::accum injected) {
        return ge - gi + injected + p.i_offset;
    }
};
struct cond_exp_scalar {
    using M = if_cond_exp;
    static fixed::accum current(const M::parameters& p, fixed::accum ge, fixed::accum gi,
                                fixed::accum v0, fixed::accum injected) {
        using fixed::accum;
        const accum g_exc = accum::from_raw(ge.raw >> M::conductance_shift);
        const accum g_inh = accum::from_raw(gi.raw >> M::conductance_shift);
        return g_exc * (p.e_rev_E - v0) - (-g_inh) * (p.e_rev_I - v0) + injected + p.i_offset;
    }
};

template <class Scalar>
void expect_vectorised_step_equals_scalar(const char* what) {
    using M = typename Scalar::M;
    using fixed::accum;
    std::mt19937 rng(7);
    int low_factors = 0;
    for (const double tau_syn : {0.05, 2.0, 5.0}) {  // factors above and below 2^31
        auto values = with(lif_values, {{"tau_syn_E", tau_syn}, {"tau_syn_I", tau_syn * 2}});
        const typename M::parameters p(make<typename M::double_model>(values), 0.1);
        for (const fixed::ufract f : {p.exc.init, p.exc.decay, p.inh.init, p.inh.decay})
            low_factors += f.raw < 0x80000000u ? 1 : 0;
        for (const std::size_t n : {std::size_t{1}, std::size_t{37}, std::size_t{1000}}) {
            typename M::state s, ref;
            s.resize(n, p);
            // fields: v, the two synaptic states, the refractory timer.
            std::vector<std::vector<std::int32_t>*> f;
            s.fields([&](std::vector<std::int32_t>& x) { f.push_back(&x); });
            std::uniform_int_distribution<std::int32_t> any;
            std::uniform_int_distribution<std::int32_t> near_threshold(p.v_reset.raw - 65536,
                                                                       p.v_thresh.raw + 65536);
            std::uniform_int_distribution<std::int32_t> timer(-2, p.t_refract);
            for (std::size_t i = 0; i < n; ++i) {
                const bool wild = i % 7 == 3;  // values anywhere: the sums wrap
                (*f[0])[i] = wild ? any(rng) : near_threshold(rng);
                (*f[1])[i] = wild ? any(rng) : any(rng) >> 12;
                (*f[2])[i] = wild ? any(rng) : any(rng) >> 12;
                (*f[3])[i] = timer(rng);
            }
            ref = s;
            std::vector<std::vector<std::int32_t>*> r;
            ref.fields([&](std::vector<std::int32_t>& x) { r.push_back(&x); });
            std::vector<std::uint8_t> spiked(n);
            std::array<std::vector<accum>, 3> in;
            int spikes = 0, wrapped = 0;
            for (int step = 0; step < 50; ++step) {
                for (std::size_t k = 0; k < 3; ++k) {
                    in[k].resize(n);
                    for (std::size_t i = 0; i < n; ++i)
                        in[k][i] = accum::from_raw(i % 5 == 0 ? any(rng) : any(rng) >> 14);
                }
                const accum* rows[] = {in[0].data(), in[1].data(), in[2].data()};
                M::step(p, s, rows, spiked.data(), n);
                for (std::size_t i = 0; i < n; ++i) {
                    std::int32_t& v = (*r[0])[i];
                    const accum ge =
                        accum::from_raw((*r[1])[i]) + fixed::decay(in[0][i], p.exc.init);
                    const accum gi =
                        accum::from_raw((*r[2])[i]) + fixed::decay(in[1][i], p.inh.init);
                    const std::int64_t exact = std::int64_t{(*r[1])[i]} - (*r[2])[i];
                    wrapped += exact != (ge - gi).raw ? 1 : 0;
                    const accum current = Scalar::current(p, ge, gi, accum::from_raw(v), in[2][i]);
                    const bool spike = p.step(v, (*r[3])[i], current);
                    (*r[1])[i] = fixed::decay(ge, p.exc.decay).raw;
                    (*r[2])[i] = fixed::decay(gi, p.inh.decay).raw;
                    spikes += spike ? 1 : 0;
                    ASSERT_EQ(spiked[i], spike ? 1 : 0)
                        << what << " n " << n << " neuron " << i << " step " << step;
                    for (std::size_t k = 0; k < 4; ++k)
                        ASSERT_EQ((*f[k])[i], (*r[k])[i]) << what << " field " << k << " n " << n
                                                          << " neuron " << i << " step " << step;
                }
            }
            if (n == 1000) {
                EXPECT_GT(spikes, 100) << what << " tau_syn " << tau_syn;
                EXPECT_GT(wrapped, 0) << what << " tau_syn " << tau_syn;
            }
        }
    }
    EXPECT_GE(low_factors, 2) << what;  // and the other ones (tau_syn 2 and 5) have the top bit
}

TEST(SpinnakerModels, VectorisedLifStepsEqualScalarForms) {
    expect_vectorised_step_equals_scalar<curr_exp_scalar>("IF_curr_exp");
    expect_vectorised_step_equals_scalar<cond_exp_scalar>("IF_cond_exp");
}

// ---------------------------------------------------------------------------
// A neuron without input stays exactly at rest (no drift from truncation).

template <class M>
void expect_exact_rest(const typename M::double_model::parameters& dp, const char* what) {
    for (const double dt : {0.1, 1.0}) {
        fixed_neuron<M> f(dp, dt);
        const std::int32_t rest = f.s.v[0];
        for (int k = 0; k < 5000; ++k) {
            ASSERT_FALSE(f.step()) << what;
            ASSERT_EQ(f.s.v[0], rest) << what << " dt " << dt << " step " << k;
        }
    }
}

TEST(SpinnakerModels, WeightFreeNeuronAtRestStaysExactlyAtRest) {
    expect_exact_rest<if_curr_exp>(make<models::if_curr_exp>(lif_values), "IF_curr_exp");
    expect_exact_rest<if_cond_exp>(make<models::if_cond_exp>(lif_values), "IF_cond_exp");
    expect_exact_rest<if_curr_alpha>(make<models::if_curr_alpha>(lif_values), "IF_curr_alpha");
    auto delta = lif_values;
    delta.erase("tau_syn_E");
    delta.erase("tau_syn_I");
    expect_exact_rest<if_curr_delta>(make<models::if_curr_delta>(delta), "IF_curr_delta");
    // The 2007 model rests at v = v_r, u = 0 exactly (both derivatives are
    // exact zeros there). The 2003 model's rest (-70, -14) is not a fixed
    // point of sPyNNaker's kernel (its 0.04 is 0.0400085): covered by the
    // scheme comparison instead.
    expect_exact_rest<izhikevich_cond>(make<models::izhikevich_cond>({}), "Izhikevich_cond");
}

// ---------------------------------------------------------------------------
// LIF models: fixed point against the double scheme, DC and synaptic input.

template <class M, class S>
void lif_against_scheme(const typename M::double_model::parameters& dp, int shift,
                        const std::vector<std::tuple<double, std::size_t, std::uint32_t>>& events,
                        double injected, std::size_t min_spikes, const char* what,
                        std::int64_t max_close_calls = 2) {
    for (const double dt : {1.0, 0.1}) {
        const auto r = compare_with_scheme<M, S>(dp, dt, ms(250, dt), at_times(events, dt), shift,
                                                 injected, what);
        EXPECT_GE(r.spikes.size(), min_spikes) << what << " dt " << dt;
        EXPECT_LE(r.close_calls, max_close_calls) << what << " dt " << dt;
    }
}

TEST(SpinnakerModels, IfCurrExpMatchesDoubleSchemeWithinBound) {
    // (a) DC: i_offset alone, then i_offset plus an injected current.
    lif_against_scheme<if_curr_exp, curr_exp_scheme>(
        make<models::if_curr_exp>(with(lif_values, {{"i_offset", 0.5}})), 4, {}, 0.0, 10,
        "IF_curr_exp DC");
    lif_against_scheme<if_curr_exp, curr_exp_scheme>(
        make<models::if_curr_exp>(with(lif_values, {{"i_offset", 0.2}})), 4, {}, 0.3, 10,
        "IF_curr_exp DC+injected");
    // (b) synaptic input on top of a subthreshold drive (v_inf = -53 mV).
    lif_against_scheme<if_curr_exp, curr_exp_scheme>(
        make<models::if_curr_exp>(with(lif_values, {{"i_offset", 0.3}})), 4, current_events, 0.0, 3,
        "IF_curr_exp synaptic");
}

TEST(SpinnakerModels, IfCurrAlphaMatchesDoubleSchemeWithinBound) {
    lif_against_scheme<if_curr_alpha, curr_alpha_scheme>(
        make<models::if_curr_alpha>(with(lif_values, {{"i_offset", 0.5}})), 4, {}, 0.0, 10,
        "IF_curr_alpha DC");
    // Alpha PSCs are unit-area (peak w / (e tau)): twice the weights.
    auto events = current_events;
    for (auto& e : events)
        std::get<2>(e) *= 2;
    lif_against_scheme<if_curr_alpha, curr_alpha_scheme>(
        make<models::if_curr_alpha>(with(lif_values, {{"i_offset", 0.3}})), 4, events, 0.0, 3,
        "IF_curr_alpha synaptic");
}

TEST(SpinnakerModels, IfCurrDeltaMatchesDoubleSchemeWithinBound) {
    auto values = with(lif_values, {{"cm", 1.0}, {"tau_m", 20.0}});
    values.erase("tau_syn_E");
    values.erase("tau_syn_I");
    lif_against_scheme<if_curr_delta, curr_delta_scheme>(
        make<models::if_curr_delta>(with(values, {{"i_offset", 1.0}})), 6, {}, 0.0, 5,
        "IF_curr_delta DC");
    // Slots at a shift of 6 are 2^-9 nA ms each: 2048 = 4 mV jumps at cm 1 nF.
    lif_against_scheme<if_curr_delta, curr_delta_scheme>(
        make<models::if_curr_delta>(with(values, {{"i_offset", 0.6}})), 6, current_events, 0.0, 2,
        "IF_curr_delta synaptic");
}

TEST(SpinnakerModels, IfCondExpMatchesDoubleSchemeWithinBound) {
    const auto values = with(lif_values, {{"e_rev_E", 0.0}, {"e_rev_I", -80.0}});
    lif_against_scheme<if_cond_exp, cond_exp_scheme>(
        make<models::if_cond_exp>(with(values, {{"i_offset", 0.5}})), 8, {}, 0.0, 10,
        "IF_cond_exp DC");
    // Slots at a shift of 8 are 2^-7 / 1024 uS each: 2048 = 0.0156 uS.
    lif_against_scheme<if_cond_exp, cond_exp_scheme>(
        make<models::if_cond_exp>(with(values, {{"i_offset", 0.3}})), 8, current_events, 0.0, 3,
        "IF_cond_exp synaptic");
}

// ---------------------------------------------------------------------------
// Izhikevich models: the RK2 kernel against a double RK2 of the same step.

TEST(SpinnakerModels, IzhikevichRk2MatchesDoubleRk2WithinBound) {
    const auto dp = make<models::izhikevich>(
        {{"a", 0.02}, {"b", 0.2}, {"c", -65.0}, {"d", 8.0}, {"i_offset", 0.01}});
    for (const double dt : {1.0, 0.1}) {
        // (a) DC: 10 mV/ms from i_offset, then 5 + 5 with an injected current.
        auto r = compare_with_scheme<izhikevich, izh_scheme>(dp, dt, ms(500, dt), {}, 0, 0.0,
                                                             "Izhikevich DC");
        EXPECT_GE(r.spikes.size(), 8u);
        EXPECT_GE(r.spikes.size(), r.close_calls);
        auto half = dp;
        half.i_offset = 0.005;
        r = compare_with_scheme<izhikevich, izh_scheme>(half, dt, ms(500, dt), {}, 0, 0.005,
                                                        "Izhikevich DC+injected");
        EXPECT_GE(r.spikes.size(), 8u);
        // (b) voltage-step inputs below rheobase: slots at a shift of 6 are
        // 2^-9 (nA ms, read as mV): 2048 = 4 mV.
        half.i_offset = 0.003;
        r = compare_with_scheme<izhikevich, izh_scheme>(
            half, dt, ms(250, dt), at_times(current_events, dt), 6, 0.0, "Izhikevich synaptic");
        EXPECT_GE(r.spikes.size(), 1u);
        EXPECT_GE(r.spikes.size(), r.close_calls);
    }
}

TEST(SpinnakerModels, IzhikevichCondRk2MatchesDoubleRk2WithinBound) {
    const auto dp = make<models::izhikevich_cond>({{"i_offset", 100.0}});
    for (const double dt : {1.0, 0.1}) {
        auto r = compare_with_scheme<izhikevich_cond, izh_cond_scheme>(dp, dt, ms(500, dt), {}, 0,
                                                                       0.0, "Izhikevich_cond DC");
        EXPECT_GE(r.spikes.size(), 3u);
        EXPECT_GE(r.spikes.size(), r.close_calls);
        auto low = dp;
        low.i_offset = 20.0;
        r = compare_with_scheme<izhikevich_cond, izh_cond_scheme>(low, dt, ms(500, dt), {}, 0, 0.05,
                                                                  "Izhikevich_cond DC+injected");
        EXPECT_GE(r.spikes.size(), 3u);
        // Conductance inputs: at a shift of 8, 2048 = 0.0156 uS = 15.6 nS.
        low.i_offset = 30.0;
        r = compare_with_scheme<izhikevich_cond, izh_cond_scheme>(
            low, dt, ms(250, dt), at_times(current_events, dt), 8, 0.0, "Izhikevich_cond synaptic");
        EXPECT_GE(r.spikes.size(), 1u);
        EXPECT_GE(r.spikes.size(), r.close_calls);
    }
}

// After a spike, one step of 1.85 dt, then dt again.
TEST(SpinnakerModels, IzhikevichStepAfterSpikeIsLonger) {
    const auto dp = make<models::izhikevich>({{"d", 8.0}, {"i_offset", 0.01}});
    for (const double dt : {1.0, 0.1}) {
        fixed_neuron<izhikevich> f(dp, dt);
        int spikes = 0;
        for (std::int64_t k = 0; k < ms(300, dt) && spikes < 3; ++k) {
            const std::int32_t h_before = f.s.this_h[0];
            const bool spiked = f.step();
            if (spiked) {
                ++spikes;
                EXPECT_EQ(f.s.this_h[0], f.p.h.h_after_spike.raw);
                EXPECT_EQ(f.s.v[0], f.p.c.raw);
            } else {
                EXPECT_EQ(f.s.this_h[0], f.p.h.h.raw);
            }
            (void)h_before;
        }
        EXPECT_EQ(spikes, 3);
    }
}

// ---------------------------------------------------------------------------
// Refractory period: v held exactly at v_reset for round(tau_refrac / dt)
// steps after each spike (sPyNNaker: the timer counts down while > 0).

template <class M>
void expect_refractory_steps(const typename M::double_model::parameters& dp, double dt,
                             std::int32_t steps, const char* what) {
    fixed_neuron<M> f(dp, dt);
    ASSERT_EQ(f.p.t_refract, steps) << what;
    int spikes = 0;
    for (std::int64_t k = 0; k < ms(200, dt) && spikes < 5; ++k) {
        if (!f.step()) continue;
        ++spikes;
        const std::int32_t reset = f.s.v[0];
        ASSERT_EQ(reset, f.p.v_reset.raw);
        for (std::int32_t j = 0; j < steps; ++j) {
            ASSERT_FALSE(f.step()) << what;
            ASSERT_EQ(f.s.v[0], reset) << what << " dt " << dt << ": held step " << j;
        }
        ASSERT_FALSE(f.step());
        EXPECT_NE(f.s.v[0], reset) << what << " dt " << dt << ": still held after " << steps;
    }
    EXPECT_EQ(spikes, 5) << what;
}

TEST(SpinnakerModels, RefractoryTimerLastsTauRefracOverDtSteps) {
    for (const double dt : {1.0, 0.1}) {
        const auto steps = static_cast<std::int32_t>(std::lround(2.0 / dt));
        const auto strong = with(lif_values, {{"i_offset", 2.0}, {"e_rev_E", 0.0}});
        expect_refractory_steps<if_curr_exp>(make<models::if_curr_exp>(strong), dt, steps,
                                             "IF_curr_exp");
        expect_refractory_steps<if_curr_alpha>(make<models::if_curr_alpha>(strong), dt, steps,
                                               "IF_curr_alpha");
        expect_refractory_steps<if_cond_exp>(make<models::if_cond_exp>(strong), dt, steps,
                                             "IF_cond_exp");
        auto delta = strong;
        delta.erase("tau_syn_E");
        delta.erase("tau_syn_I");
        delta.erase("e_rev_E");
        expect_refractory_steps<if_curr_delta>(make<models::if_curr_delta>(delta), dt, steps,
                                               "IF_curr_delta");
    }
}

// ---------------------------------------------------------------------------
// The conductance input's `>> 10`: the synaptic state is g * 1024, and a
// state below 1024 ulp (g below one s16.15 step, 2^-15 uS) does nothing.

TEST(SpinnakerModels, ConductanceStateIsShiftedRightByTen) {
    const auto dp = make<models::if_cond_exp>(with(lif_values, {{"tau_syn_E", 1e6}}));
    for (const std::int32_t g_raw : {1023, 1024, 5 * 1024 + 1023, 1 << 20}) {
        fixed_neuron<if_cond_exp> f(dp, 1.0);
        f.s.gsyn_exc[0] = g_raw;
        const accum v0 = accum::from_raw(f.s.v[0]);
        f.step();
        // The expected step, written out: g = raw >> 10, I = g (E - v), LIF.
        const accum g = accum::from_raw(g_raw >> 10);
        const accum current = g * (f.p.e_rev_E - v0);
        const accum alpha = current * f.p.r_membrane + f.p.v_rest;
        const accum v1 = alpha - f.p.exp_tc * (alpha - v0);
        EXPECT_EQ(f.s.v[0], v1.raw) << "g raw " << g_raw;
        if (g_raw < 1024) {
            EXPECT_EQ(f.s.v[0], v0.raw) << "g raw " << g_raw;
        } else {
            EXPECT_GT(f.s.v[0], v0.raw) << "g raw " << g_raw;
        }
    }
    // The exported copy is in uS: state g * 1024 = 1.0 (raw 2^15) is 1/1024 uS.
    fixed_neuron<if_cond_exp> f(dp, 1.0);
    f.s.gsyn_exc[0] = 1024 << 15;
    EXPECT_DOUBLE_EQ(f.value("gsyn_exc"), 1.0);
    // A weight of w uS at weight scale 1024 reaches the state as w * 1024 * init.
    fixed_neuron<if_cond_exp> g(dp, 1.0);
    g.slot(0, 2048, 8);  // 2048 * 2^-7 = 16 = 1024 * 0.015625 uS
    g.step();
    const double init = g.p.exc.init.to_double(), decay = g.p.exc.decay.to_double();
    EXPECT_NEAR(g.value("gsyn_exc"), 0.015625 * init * decay, 2 * q);
    // Izhikevich_cond exports nS: 1000 / 1024 per unit of the state.
    fixed_neuron<izhikevich_cond> c(make<models::izhikevich_cond>({}), 1.0);
    c.s.gsyn_exc[0] = 1024 << 15;
    EXPECT_DOUBLE_EQ(c.value("gsyn_exc"), 1000.0);
}

// ---------------------------------------------------------------------------
// The double scheme against the double models (continuous solutions).

// v of a model driven by one input in step s0, step by step.
template <class D>
std::vector<double> double_model_psp(const typename D::parameters& p, double dt, std::size_t r,
                                     double weight, std::int64_t s0, std::int64_t n) {
    test::driver<D> d(p, dt);
    std::vector<double> v;
    for (std::int64_t k = 0; k < n; ++k) {
        if (k == s0) d.in[r][0] = weight;
        d.step();
        EXPECT_EQ(d.spiked[0], 0);
        v.push_back(d.s.v[0]);
    }
    return v;
}

template <class S, class P>
std::vector<double> scheme_psp(const P& fp, std::size_t r, double input, std::int64_t s0,
                               std::int64_t n) {
    S s(fp);
    std::vector<double> v;
    for (std::int64_t k = 0; k < n; ++k) {
        std::array<double, 2> in{};
        if (k == s0) in[r] = input;
        EXPECT_FALSE(s.step(in, 0.0));
        v.push_back(s.v);
    }
    return v;
}

// Quantisation of exp_tc and R (the double models use exact propagators).
template <class P, class DP>
double parameter_term(const P& fp, const DP& dp, double dt, double v_span, double i_max) {
    const double exp_tc = fp.exp_tc.to_double();
    const double d_exp = std::abs(exp_tc - std::exp(-dt / dp.tau_m));
    const double d_r = std::abs(fp.r_membrane.to_double() - dp.tau_m / dp.cm);
    return (d_exp * v_span + (1 - exp_tc) * d_r * i_max) / (1 - exp_tc) + 1e-9;
}

TEST(SpinnakerModels, ExpSchemeLeadsDoubleModelByOneStepWithinDiscretisation) {
    const auto dp = make<models::if_curr_exp>(lif_values);
    for (const double dt : {1.0, 0.1}) {
        const if_curr_exp::parameters fp(dp, dt);
        const double w = 0.5;  // nA, exact in s16.15
        const std::int64_t s0 = 5, n = ms(100, dt);
        for (std::size_t r : {0u, 1u}) {
            const auto scheme = scheme_psp<curr_exp_scheme>(fp, r, w, s0, n);
            const auto cont =
                double_model_psp<models::if_curr_exp>(dp, dt, r, r == 0 ? w : -w, s0, n + 1);
            const double disc = dt / dp.cm * (1 - std::exp(-dt / dp.tau_m)) * w +
                                parameter_term(fp, dp, dt, w * dp.tau_m / dp.cm, w);
            double worst = 0, worst_unshifted = 0;
            for (std::int64_t k = 0; k < n; ++k) {
                worst = std::max(worst, std::abs(scheme[k] - cont[k + 1]));
                worst_unshifted = std::max(worst_unshifted, std::abs(scheme[k] - cont[k]));
            }
            std::printf(
                "IF_curr_exp scheme vs double model dt %g receptor %zu: max %.3g mV "
                "(bound %.3g), unshifted %.3g\n",
                dt, r, worst, disc, worst_unshifted);
            EXPECT_LE(worst, disc);
            EXPECT_GT(worst_unshifted, disc);  // the one-step lead is real
        }
    }
}

TEST(SpinnakerModels, AlphaSchemeIsUnitAreaAlphaLeadingByOneStep) {
    const auto dp = make<models::if_curr_alpha>(lif_values);
    for (const double dt : {1.0, 0.1}) {
        const if_curr_alpha::parameters fp(dp, dt);
        const double w = 1.0, tau = dp.tau_syn_E;  // nA ms
        const double peak = w / (std::exp(1.0) * tau);
        const std::int64_t s0 = 5, n = ms(100, dt);
        const auto scheme = scheme_psp<curr_alpha_scheme>(fp, 0, w, s0, n);
        const auto cont = double_model_psp<models::if_curr_alpha>(dp, dt, 0, peak, s0, n + 1);
        const double disc =
            2 * dt * peak / dp.cm + parameter_term(fp, dp, dt, peak * dp.tau_m / dp.cm, peak);
        double worst = 0, top = 0;
        for (std::int64_t k = 0; k < n; ++k) {
            worst = std::max(worst, std::abs(scheme[k] - cont[k + 1]));
            top = std::max(top, scheme[k] - dp.v_rest);
        }
        std::printf(
            "IF_curr_alpha scheme vs double model (weight w / (e tau)) dt %g: max %.3g mV "
            "(bound %.3g) on a PSP of %.3g mV\n",
            dt, worst, disc, top);
        EXPECT_LE(worst, disc);
    }
}

TEST(SpinnakerModels, DeltaJumpIsWeightTimesRTimesOneMinusExpTcOverDt) {
    auto values = with(lif_values, {{"cm", 1.0}, {"tau_m", 20.0}});
    values.erase("tau_syn_E");
    values.erase("tau_syn_I");
    const auto dp = make<models::if_curr_delta>(values);
    for (const double dt : {1.0, 0.1}) {
        const if_curr_delta::parameters fp(dp, dt);
        const double w = 4.0;
        const double ratio =
            fp.r_membrane.to_double() * (1 - fp.exp_tc.to_double()) * fp.scale_factor.to_double();
        // PyNN's mV jump against sPyNNaker's at cm = 1 nF: 1 - dt / (2 tau_m).
        // (exp_tc is s16.15: its rounding moves 1 - exp_tc by up to 2^-16,
        // 0.26% at dt 0.1 and tau_m 20 ms.)
        const double d_exp = std::abs(fp.exp_tc.to_double() - std::exp(-dt / dp.tau_m));
        EXPECT_NEAR(ratio, 1 - dt / (2 * dp.tau_m),
                    dt * dt / (6 * dp.tau_m * dp.tau_m) + d_exp * fp.r_membrane.to_double() / dt);
        const std::int64_t s0 = 5, n = ms(100, dt);
        for (std::size_t r : {0u, 1u}) {
            const auto scheme = scheme_psp<curr_delta_scheme>(fp, r, w, s0, n);
            const double jump = (r == 0 ? w : -w) * ratio;
            const auto cont = double_model_psp<models::if_curr_delta>(dp, dt, r, jump, s0, n);
            const double tol = parameter_term(fp, dp, dt, w, 0.0);
            double worst = 0;
            for (std::int64_t k = 0; k < n; ++k)
                worst = std::max(worst, std::abs(scheme[k] - cont[k]));
            std::printf("IF_curr_delta scheme vs double model (jump w %.5f) dt %g: max %.3g mV\n",
                        ratio, dt, worst);
            EXPECT_LE(worst, tol);
        }
        // And the fixed-point neuron jumps by that much too, in the input's step.
        fixed_neuron<if_curr_delta> f(dp, dt);
        f.slot(0, 2048, 6);  // 4 nA ms
        f.step();
        EXPECT_NEAR(f.v() - dp.v_rest, w * ratio, 3 * q);
    }
}

// LIF under constant current: both exact, so the spike steps agree.
template <class M>
void expect_dc_spikes_as_double_model(const typename M::double_model::parameters& dp,
                                      double injected, const char* what) {
    for (const double dt : {1.0, 0.1}) {
        fixed_neuron<M> f(dp, dt);
        f.inject(injected);
        test::driver<typename M::double_model> d(dp, dt);
        d.in[M::n_receptors][0] = injected;
        std::vector<std::int64_t> sf, sd;
        for (std::int64_t k = 0; k < ms(1000, dt); ++k) {
            if (f.step()) sf.push_back(k);
            d.step();
            if (d.spiked[0]) sd.push_back(k);
        }
        std::printf("%s dt %g: %zu spikes fixed, %zu double\n", what, dt, sf.size(), sd.size());
        EXPECT_GE(sf.size(), 10u);
        EXPECT_EQ(sf, sd) << what << " dt " << dt;
    }
}

TEST(SpinnakerModels, LifDcSpikeStepsEqualDoubleModels) {
    const auto dc = with(lif_values, {{"i_offset", 0.43}});
    expect_dc_spikes_as_double_model<if_curr_exp>(make<models::if_curr_exp>(dc), 0.0,
                                                  "IF_curr_exp DC");
    expect_dc_spikes_as_double_model<if_curr_exp>(make<models::if_curr_exp>(lif_values), 0.43,
                                                  "IF_curr_exp injected");
    expect_dc_spikes_as_double_model<if_curr_alpha>(make<models::if_curr_alpha>(dc), 0.0,
                                                    "IF_curr_alpha DC");
    expect_dc_spikes_as_double_model<if_cond_exp>(make<models::if_cond_exp>(dc), 0.0,
                                                  "IF_cond_exp DC");
    auto delta = dc;
    delta.erase("tau_syn_E");
    delta.erase("tau_syn_I");
    expect_dc_spikes_as_double_model<if_curr_delta>(make<models::if_curr_delta>(delta), 0.0,
                                                    "IF_curr_delta DC");
}

// IF_cond_exp's scheme holds the driving force at the step's start and the
// conductance at its step-average: first order in dt. Measured against the
// sub-stepped double model (one input of 0.02 uS, one step of lead as for
// the exponential current synapse): 0.16 mV at dt 1 and 0.012 mV at dt 0.1
// on a PSP of 6.6 mV; asserted: below 0.25 mV and 0.025 mV, and at least a
// fivefold drop from dt 1 to 0.1 (a first-order scheme's tenfold).
TEST(SpinnakerModels, CondExpSchemeAgainstDoubleModel) {
    const auto dp = make<models::if_cond_exp>(with(lif_values, {{"e_rev_E", 0.0}}));
    double previous = 0;
    for (const double dt : {1.0, 0.1}) {
        const if_cond_exp::parameters fp(dp, dt);
        const double w = 0.02;  // uS
        const std::int64_t s0 = 5, n = ms(100, dt);
        const auto scheme = scheme_psp<cond_exp_scheme>(fp, 0, w * 1024, s0, n);
        const auto cont = double_model_psp<models::if_cond_exp>(dp, dt, 0, w, s0, n + 1);
        double worst = 0, top = 0;
        for (std::int64_t k = 0; k < n; ++k) {
            worst = std::max(worst, std::abs(scheme[k] - cont[k + 1]));
            top = std::max(top, scheme[k] - dp.v_rest);
        }
        std::printf("IF_cond_exp scheme vs double model dt %g: max %.3g mV on a PSP of %.3g mV\n",
                    dt, worst, top);
        EXPECT_LE(worst, dt == 1.0 ? 0.25 : 0.025);
        if (dt == 0.1) {
            EXPECT_LT(worst, previous / 5);
        }
        previous = worst;
    }
}

// Izhikevich: sPyNNaker's RK2 with its 1.85 dt post-spike step against the
// double model (RK4 on 0.01 ms sub-steps), same initial state, regular
// spiking cells over 1 s. Measured mean interspike intervals, fixed point /
// double model: Izhikevich (10 mV/ms) 1.0001 at dt 0.1, 1.021 at dt 1;
// Izhikevich_cond (100 pA) 0.998 at dt 0.1, 0.969 at dt 1; first spikes in
// the same step. Asserted: the ratio within 1% (dt 0.1) and 8% (dt 1), the
// same number of spikes within one, and the first spike within 2 steps.
template <class M>
void expect_isi_close_to_double(const typename M::double_model::parameters& dp,
                                double tolerance_fine, double tolerance_coarse, const char* what) {
    for (const double dt : {0.1, 1.0}) {
        fixed_neuron<M> f(dp, dt);
        test::driver<typename M::double_model> d(dp, dt);
        // The same initial state (the double model's defaults).
        f.s.v[0] = fixed::to_accum(d.s.v[0]).raw;
        f.s.u[0] = fixed::to_accum(d.s.u[0]).raw;
        std::vector<double> tf, td;
        for (std::int64_t k = 0; k < ms(1000, dt); ++k) {
            if (f.step()) tf.push_back(static_cast<double>(k) * dt);
            d.step();
            if (d.spiked[0]) td.push_back(static_cast<double>(k) * dt);
        }
        ASSERT_GE(tf.size(), 3u) << what;
        ASSERT_GE(td.size(), 3u) << what;
        const double isi_f = (tf.back() - tf.front()) / static_cast<double>(tf.size() - 1);
        const double isi_d = (td.back() - td.front()) / static_cast<double>(td.size() - 1);
        std::printf(
            "%s dt %g: %zu spikes fixed, %zu double; mean ISI %.3f vs %.3f ms; first "
            "spike %.1f vs %.1f ms\n",
            what, dt, tf.size(), td.size(), isi_f, isi_d, tf.front(), td.front());
        const double tol = dt < 0.5 ? tolerance_fine : tolerance_coarse;
        EXPECT_NEAR(isi_f / isi_d, 1.0, tol) << what << " dt " << dt;
        EXPECT_NEAR(static_cast<double>(tf.size()), static_cast<double>(td.size()), 1.0);
        EXPECT_NEAR(tf.front(), td.front(), 2 * dt + 1e-9) << what << " dt " << dt;
    }
}

TEST(SpinnakerModels, IzhikevichIsiCloseToDoubleModel) {
    expect_isi_close_to_double<izhikevich>(
        make<models::izhikevich>(
            {{"a", 0.02}, {"b", 0.2}, {"c", -65.0}, {"d", 8.0}, {"i_offset", 0.01}}),
        0.01, 0.08, "Izhikevich RS");
}

TEST(SpinnakerModels, IzhikevichCondIsiCloseToDoubleModel) {
    expect_isi_close_to_double<izhikevich_cond>(
        make<models::izhikevich_cond>({{"i_offset", 100.0}}), 0.01, 0.08, "Izhikevich_cond RS");
}

}  // namespace
}  // namespace ganglion::models::spinnaker
