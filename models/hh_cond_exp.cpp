#include "models/hh_cond_exp.hpp"

#include <algorithm>
#include <cmath>

#include "models/checks.hpp"

namespace ganglion::models {

namespace {

// y / (exp(y) - 1), continuous at y = 0.
inline double exprel_inv(double y) {
    return std::abs(y) < 1e-6 ? 1.0 - 0.5 * y : y / std::expm1(y);
}

struct rates {
    double am, bm, ah, bh, an, bn;
};

// Traub-Miles rates (1/ms) at V = v - v_offset.
inline rates rates_at(double V) {
    return {1.28 * exprel_inv((13.0 - V) / 4.0), 1.4 * exprel_inv((V - 40.0) / 5.0),
            0.128 * std::exp((17.0 - V) / 18.0), 4.0 / (1.0 + std::exp((40.0 - V) / 5.0)),
            0.16 * exprel_inv((15.0 - V) / 5.0), 0.5 * std::exp((10.0 - V) / 40.0)};
}

}  // namespace

model_info hh_cond_exp::info() {
    model_info m;
    m.name = "HH_cond_exp";
    m.description =
        "Single-compartment Hodgkin-Huxley neuron (Traub & Miles 1991 kinetics) with "
        "exponentially decaying synaptic conductances";
    m.parameters = {
        {"gbar_Na", 20.0, "uS", "maximal sodium conductance"},
        {"gbar_K", 6.0, "uS", "maximal potassium conductance"},
        {"g_leak", 0.01, "uS", "leak conductance"},
        {"cm", 0.2, "nF", "membrane capacitance"},
        {"v_offset", -63.0, "mV", "offset of the rate functions' voltage (Traub's V_T)"},
        {"e_rev_Na", 50.0, "mV", "sodium reversal potential"},
        {"e_rev_K", -90.0, "mV", "potassium reversal potential"},
        {"e_rev_leak", -65.0, "mV", "leak reversal potential"},
        {"e_rev_E", 0.0, "mV", "reversal potential of excitatory synapses"},
        {"e_rev_I", -80.0, "mV", "reversal potential of inhibitory synapses"},
        {"tau_syn_E", 0.2, "ms", "decay time of the excitatory synaptic conductance"},
        {"tau_syn_I", 2.0, "ms", "decay time of the inhibitory synaptic conductance"},
        {"i_offset", 0.0, "nA", "offset current"},
    };
    m.receptors = {"excitatory", "inhibitory"};
    m.synapses = synapse_type::conductance;
    // m, h, n default to their steady state at -65 mV for the model's
    // v_offset (the numbers below are for PyNN's v_offset, -63 mV).
    m.state = {{"v", "mV", "", -65.0},          {"m", "", "", 0.00973240451640},
               {"h", "", "", 0.99756108720113}, {"n", "", "", 0.02707447895728},
               {"gsyn_exc", "uS", "", 0.0},     {"gsyn_inh", "uS", "", 0.0}};
    m.recordables = {"spikes"};
    return m;
}

hh_cond_exp::parameters hh_cond_exp::parameters::from(const parameter_values& v) {
    const model_info m = info();
    auto get = [&](const char* n) { return parameter_or_default(v, m, n); };
    return {get("gbar_Na"),   get("gbar_K"),    get("g_leak"),     get("cm"),      get("v_offset"),
            get("e_rev_Na"),  get("e_rev_K"),   get("e_rev_leak"), get("e_rev_E"), get("e_rev_I"),
            get("tau_syn_E"), get("tau_syn_I"), get("i_offset")};
}

void hh_cond_exp::parameters::validate() const {
    const std::string model = "HH_cond_exp";
    checks::non_negative(model, "gbar_Na", gbar_Na, "uS");
    checks::non_negative(model, "gbar_K", gbar_K, "uS");
    checks::non_negative(model, "g_leak", g_leak, "uS");
    checks::positive(model, "cm", cm, "nF");
    checks::positive(model, "tau_syn_E", tau_syn_E, "ms");
    checks::positive(model, "tau_syn_I", tau_syn_I, "ms");
}

hh_cond_exp::derived::derived(const parameters& p, double dt)
    : substeps(std::max(1, static_cast<int>(std::ceil(dt / max_substep - 1e-9)))),
      h(dt / substeps),
      half_e(std::exp(-0.5 * h / p.tau_syn_E)),
      half_i(std::exp(-0.5 * h / p.tau_syn_I)),
      refractory_steps(static_cast<std::int32_t>(std::lround(t_ref / dt))) {}

void hh_cond_exp::equilibrium(const parameters& p, double v, double& m, double& h, double& n) {
    const rates r = rates_at(v - p.v_offset);
    m = r.am / (r.am + r.bm);
    h = r.ah / (r.ah + r.bh);
    n = r.an / (r.an + r.bn);
}

void hh_cond_exp::state::resize(std::size_t count, const parameters& p) {
    double m0, h0, n0;
    equilibrium(p, -65.0, m0, h0, n0);
    v.assign(count, -65.0);
    m.assign(count, m0);
    h.assign(count, h0);
    n.assign(count, n0);
    g_exc.assign(count, 0.0);
    g_inh.assign(count, 0.0);
    refractory.assign(count, 0);
}

double* hh_cond_exp::state::variable(std::string_view name) {
    if (name == "v") return v.data();
    if (name == "m") return m.data();
    if (name == "h") return h.data();
    if (name == "n") return n.data();
    if (name == "gsyn_exc") return g_exc.data();
    if (name == "gsyn_inh") return g_inh.data();
    return nullptr;
}

namespace {
struct hh_deriv {
    double v, m, h, n;
};
}  // namespace

void hh_cond_exp::step(const parameters& p, const derived& d, state& s, const double* const* input,
                       std::uint8_t* spiked, std::size_t count) {
    double* __restrict v = s.v.data();
    double* __restrict mm = s.m.data();
    double* __restrict hh = s.h.data();
    double* __restrict nn = s.n.data();
    double* __restrict ge = s.g_exc.data();
    double* __restrict gi = s.g_inh.data();
    std::int32_t* __restrict refr = s.refractory.data();
    const double* __restrict in_e = input[0];
    const double* __restrict in_i = input[1];
    const double* __restrict inj = input[2];  // injected current, nA
    const double h = d.h, h2 = 0.5 * d.h, h6 = d.h / 6.0;
    const double inv_cm = 1.0 / p.cm;
    const double half_e = d.half_e, half_i = d.half_i;
    const double v_spike = p.v_offset + 30.0;
    const int substeps = d.substeps;
    auto f = [&](double vv, double m, double hg, double n, double gek, double gik, double i_ext) {
        const rates r = rates_at(vv - p.v_offset);
        const double m3 = m * m * m, n2 = n * n;
        const double i = -p.gbar_Na * m3 * hg * (vv - p.e_rev_Na) -
                         p.gbar_K * n2 * n2 * (vv - p.e_rev_K) - p.g_leak * (vv - p.e_rev_leak) -
                         gek * (vv - p.e_rev_E) - gik * (vv - p.e_rev_I) + i_ext;
        return hh_deriv{i * inv_cm, r.am * (1.0 - m) - r.bm * m, r.ah * (1.0 - hg) - r.bh * hg,
                        r.an * (1.0 - n) - r.bn * n};
    };
#pragma omp simd
    for (std::size_t k = 0; k < count; ++k) {
        const double v_old = v[k];
        double vk = v[k], mk = mm[k], hk = hh[k], nk = nn[k], gek = ge[k], gik = gi[k];
        const double i_ext = p.i_offset + inj[k];
        for (int j = 0; j < substeps; ++j) {
            const double ge2 = gek * half_e, ge3 = ge2 * half_e;
            const double gi2 = gik * half_i, gi3 = gi2 * half_i;
            const hh_deriv k1 = f(vk, mk, hk, nk, gek, gik, i_ext);
            const hh_deriv k2 =
                f(vk + h2 * k1.v, mk + h2 * k1.m, hk + h2 * k1.h, nk + h2 * k1.n, ge2, gi2, i_ext);
            const hh_deriv k3 =
                f(vk + h2 * k2.v, mk + h2 * k2.m, hk + h2 * k2.h, nk + h2 * k2.n, ge2, gi2, i_ext);
            const hh_deriv k4 =
                f(vk + h * k3.v, mk + h * k3.m, hk + h * k3.h, nk + h * k3.n, ge3, gi3, i_ext);
            vk += h6 * (k1.v + 2.0 * (k2.v + k3.v) + k4.v);
            mk += h6 * (k1.m + 2.0 * (k2.m + k3.m) + k4.m);
            hk += h6 * (k1.h + 2.0 * (k2.h + k3.h) + k4.h);
            nk += h6 * (k1.n + 2.0 * (k2.n + k3.n) + k4.n);
            gek = ge3;
            gik = gi3;
        }
        v[k] = vk;
        mm[k] = mk;
        hh[k] = hk;
        nn[k] = nk;
        ge[k] = gek + in_e[k];
        gi[k] = gik + in_i[k];
        const bool refractory = refr[k] > 0;
        const bool spike = !refractory && vk >= v_spike && v_old > vk;
        spiked[k] = spike;
        refr[k] = spike ? d.refractory_steps : (refractory ? refr[k] - 1 : 0);
    }
}

}  // namespace ganglion::models
