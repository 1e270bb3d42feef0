#include "models/izhikevich_cond.hpp"

#include <algorithm>
#include <cmath>

#include "models/checks.hpp"

namespace ganglion::models {

model_info izhikevich_cond::info() {
    model_info m;
    m.name = "Izhikevich_cond";
    m.description =
        "Izhikevich (2007) simple model in physical units (C, k, v_r, v_t, v_peak, a, b, c, d) "
        "with exponentially decaying synaptic conductances";
    m.parameters = {
        {"C", 100.0, "pF", "membrane capacitance"},
        {"k", 0.7, "nS/mV", "gain of the quadratic current k (v - v_r)(v - v_t)"},
        {"v_r", -60.0, "mV", "resting membrane potential"},
        {"v_t", -40.0, "mV", "instantaneous threshold potential"},
        {"v_peak", 35.0, "mV", "spike cut-off: v >= v_peak resets v and u"},
        {"a", 0.03, "1/ms", "rate of the recovery current u"},
        {"b", -2.0, "nS", "sensitivity of u to v - v_r"},
        {"c", -50.0, "mV", "reset value of v after a spike"},
        {"d", 100.0, "pA", "increment of u after a spike"},
        {"tau_syn_E", 7.0, "ms", "decay time of the excitatory synaptic conductance"},
        {"tau_syn_I", 7.0, "ms", "decay time of the inhibitory synaptic conductance"},
        {"e_rev_E", 0.0, "mV", "reversal potential of excitatory synapses"},
        {"e_rev_I", -70.0, "mV", "reversal potential of inhibitory synapses"},
        {"i_offset", 0.0, "pA", "offset current (pA, as the cell's other currents)"},
    };
    m.receptors = {"excitatory", "inhibitory"};
    m.synapses = synapse_type::conductance;  // weights in uS, as every PyNN conductance model
    m.state = {{"v", "mV", "v_r", 0.0},
               {"u", "pA", "", 0.0},
               {"gsyn_exc", "nS", "", 0.0},
               {"gsyn_inh", "nS", "", 0.0}};
    m.recordables = {"spikes"};
    return m;
}

izhikevich_cond::parameters izhikevich_cond::parameters::from(const parameter_values& v) {
    const model_info m = info();
    auto get = [&](const char* n) { return parameter_or_default(v, m, n); };
    return {get("C"),         get("k"),       get("v_r"),     get("v_t"),     get("v_peak"),
            get("a"),         get("b"),       get("c"),       get("d"),       get("tau_syn_E"),
            get("tau_syn_I"), get("e_rev_E"), get("e_rev_I"), get("i_offset")};
}

namespace {

void finite(const std::string& model, const char* name, double v, const char* unit) {
    if (!std::isfinite(v))
        throw parameter_error(model, name,
                              "got " + checks::format_value(v) + " " + unit + "; must be finite");
}

}  // namespace

// The book's cell types use a and b of either sign and d of either sign (the
// FS cell's d is negative); what must hold is a positive C, k and synaptic
// time constants, and the order v_r < v_t < v_peak with c below the cut-off
// (else every step would spike).
void izhikevich_cond::parameters::validate() const {
    const std::string model = "Izhikevich_cond";
    checks::positive(model, "C", C, "pF");
    checks::positive(model, "k", k, "nS/mV");
    finite(model, "C", C, "pF");
    finite(model, "k", k, "nS/mV");
    finite(model, "v_r", v_r, "mV");
    finite(model, "v_t", v_t, "mV");
    finite(model, "v_peak", v_peak, "mV");
    checks::less(model, "v_r", v_r, "v_t", v_t, "mV");
    checks::less(model, "v_t", v_t, "v_peak", v_peak, "mV");
    finite(model, "c", c, "mV");
    checks::less(model, "c", c, "v_peak", v_peak, "mV");
    finite(model, "a", a, "1/ms");
    finite(model, "b", b, "nS");
    finite(model, "d", d, "pA");
    checks::positive(model, "tau_syn_E", tau_syn_E, "ms");
    checks::positive(model, "tau_syn_I", tau_syn_I, "ms");
    finite(model, "e_rev_E", e_rev_E, "mV");
    finite(model, "e_rev_I", e_rev_I, "mV");
    finite(model, "i_offset", i_offset, "pA");
}

izhikevich_cond::derived::derived(const parameters& p, double dt)
    : substeps(std::max(1, static_cast<int>(std::ceil(dt / max_substep - 1e-9)))),
      h(dt / substeps),
      half_e(std::exp(-0.5 * h / p.tau_syn_E)),
      half_i(std::exp(-0.5 * h / p.tau_syn_I)) {}

void izhikevich_cond::state::resize(std::size_t n, const parameters& p) {
    v.assign(n, p.v_r);
    u.assign(n, 0.0);
    g_exc.assign(n, 0.0);
    g_inh.assign(n, 0.0);
}

double* izhikevich_cond::state::variable(std::string_view name) {
    if (name == "v") return v.data();
    if (name == "u") return u.data();
    if (name == "gsyn_exc") return g_exc.data();
    if (name == "gsyn_inh") return g_inh.data();
    return nullptr;
}

namespace {

// The right-hand side in units the book uses: dv/dt in mV/ms, du/dt in pA/ms.
struct rhs {
    const izhikevich_cond::parameters& p;
    double inv_C;
    double i_ext;  // pA
    double dv(double v, double u, double ge, double gi) const {
        return (p.k * (v - p.v_r) * (v - p.v_t) - u - ge * (v - p.e_rev_E) - gi * (v - p.e_rev_I) +
                i_ext) *
               inv_C;
    }
    double du(double v, double u) const { return p.a * (p.b * (v - p.v_r) - u); }
};

// One RK4 step of length h from (v, u); the conductances are ge0, gi0 at its
// start, ge1, gi1 at its middle and ge2, gi2 at its end (exact decay). k1v,
// k1u: the slopes at the start, already known to the caller.
inline void rk4(const rhs& f, double h, double& v, double& u, double k1v, double k1u, double ge1,
                double gi1, double ge2, double gi2) {
    const double h2 = 0.5 * h, h6 = h / 6.0;
    const double v2 = v + h2 * k1v, u2 = u + h2 * k1u;
    const double k2v = f.dv(v2, u2, ge1, gi1), k2u = f.du(v2, u2);
    const double v3 = v + h2 * k2v, u3 = u + h2 * k2u;
    const double k3v = f.dv(v3, u3, ge1, gi1), k3u = f.du(v3, u3);
    const double v4 = v + h * k3v, u4 = u + h * k3u;
    const double k4v = f.dv(v4, u4, ge2, gi2), k4u = f.du(v4, u4);
    v += h6 * (k1v + 2.0 * (k2v + k3v) + k4v);
    u += h6 * (k1u + 2.0 * (k2u + k3u) + k4u);
}

// The cubic Hermite interpolant on [0, 1] through x0 (slope s0) and x1
// (slope s1), slopes per unit of the normalised time.
struct hermite {
    double x0, s0, x1, s1;
    double at(double t) const {
        const double t2 = t * t, t3 = t2 * t;
        return (2 * t3 - 3 * t2 + 1) * x0 + (t3 - 2 * t2 + t) * s0 + (3 * t2 - 2 * t3) * x1 +
               (t3 - t2) * s1;
    }
    double slope(double t) const {
        const double t2 = t * t;
        return (6 * t2 - 6 * t) * (x0 - x1) + (3 * t2 - 4 * t + 1) * s0 + (3 * t2 - 2 * t) * s1;
    }
    // The t in [0, 1] where the interpolant reaches `level`, given x0 < level
    // <= x1: Newton's method kept inside a shrinking bracket.
    double crossing(double level) const {
        double lo = 0, hi = 1;
        double t = std::clamp((level - x0) / (x1 - x0), 0.0, 1.0);
        for (int it = 0; it < 50; ++it) {
            const double r = at(t) - level;
            (r < 0 ? lo : hi) = t;
            const double s = slope(t);
            double next = s > 0 ? t - r / s : 0.5 * (lo + hi);
            if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
            if (std::abs(next - t) < 1e-14) return next;
            t = next;
        }
        return t;
    }
};

}  // namespace

// The loop is branchy only where a neuron spikes (locating the crossing, a
// shortened RK4 step); the common path is a plain RK4 sub-step.
void izhikevich_cond::step(const parameters& p, const derived& d, state& s,
                           const double* const* input, std::uint8_t* spiked, std::size_t n) {
    double* __restrict v = s.v.data();
    double* __restrict u = s.u.data();
    double* __restrict ge = s.g_exc.data();
    double* __restrict gi = s.g_inh.data();
    const double* __restrict in_e = input[0];  // uS
    const double* __restrict in_i = input[1];  // uS
    const double* __restrict inj = input[2];   // injected current, nA
    const double h = d.h;
    const double half_e = d.half_e, half_i = d.half_i;
    const double v_peak = p.v_peak;
    const int substeps = d.substeps;
    for (std::size_t i = 0; i < n; ++i) {
        const rhs f{p, 1.0 / p.C, p.i_offset + 1000.0 * inj[i]};
        double vk = v[i], uk = u[i], gek = ge[i], gik = gi[i];
        bool spike = vk >= v_peak;  // pending from the previous step
        if (spike) {
            vk = p.c;
            uk += p.d;
        }
        bool held = false;
        for (int j = 0; j < substeps; ++j) {
            const double ge1 = gek * half_e, ge2 = ge1 * half_e;
            const double gi1 = gik * half_i, gi2 = gi1 * half_i;
            if (!held) {
                const double v0 = vk, u0 = uk;
                const double k1v = f.dv(vk, uk, gek, gik), k1u = f.du(vk, uk);
                rk4(f, h, vk, uk, k1v, k1u, ge1, gi1, ge2, gi2);
                if (vk >= v_peak && spike) {
                    held = true;  // fires at the start of the next step
                } else if (vk >= v_peak) {
                    // Reset at the crossing, then finish the sub-step.
                    spike = true;
                    const hermite hv{v0, h * k1v, vk, h * f.dv(vk, uk, ge2, gi2)};
                    const hermite hu{u0, h * k1u, uk, h * f.du(vk, uk)};
                    const double t = hv.crossing(v_peak);
                    const double rest = (1.0 - t) * h;
                    const double ge_t = gek * std::exp(-t * h / p.tau_syn_E);
                    const double gi_t = gik * std::exp(-t * h / p.tau_syn_I);
                    const double mid_e = std::exp(-0.5 * rest / p.tau_syn_E);
                    const double mid_i = std::exp(-0.5 * rest / p.tau_syn_I);
                    vk = p.c;
                    uk = hu.at(t) + p.d;
                    rk4(f, rest, vk, uk, f.dv(vk, uk, ge_t, gi_t), f.du(vk, uk), ge_t * mid_e,
                        gi_t * mid_i, ge_t * mid_e * mid_e, gi_t * mid_i * mid_i);
                    held = vk >= v_peak;
                }
            }
            gek = ge2;
            gik = gi2;
        }
        spiked[i] = spike;
        v[i] = vk;
        u[i] = uk;
        ge[i] = gek + 1000.0 * in_e[i];
        gi[i] = gik + 1000.0 * in_i[i];
    }
}

}  // namespace ganglion::models
