#include "models/eif_cond_exp_isfa_ista.hpp"

#include <algorithm>
#include <cmath>

#include "models/checks.hpp"

namespace ganglion::models {

model_info eif_cond_exp_isfa_ista::info() {
    model_info m;
    m.name = "EIF_cond_exp_isfa_ista";
    m.description =
        "Adaptive exponential integrate-and-fire neuron (Brette & Gerstner 2005) with "
        "spike-triggered and subthreshold adaptation and exponentially decaying conductances";
    m.parameters = {
        {"cm", 0.281, "nF", "membrane capacitance"},
        {"tau_refrac", 0.1, "ms", "refractory period"},
        {"v_spike", -40.0, "mV", "spike detection threshold"},
        {"v_reset", -70.6, "mV", "reset potential after a spike"},
        {"v_rest", -70.6, "mV", "resting potential (leak reversal potential)"},
        {"tau_m", 9.3667, "ms", "membrane time constant"},
        {"i_offset", 0.0, "nA", "offset current"},
        {"a", 4.0, "nS", "subthreshold adaptation conductance"},
        {"b", 0.0805, "nA", "spike-triggered adaptation increment"},
        {"delta_T", 2.0, "mV", "slope factor of the exponential"},
        {"tau_w", 144.0, "ms", "adaptation time constant"},
        {"v_thresh", -50.4, "mV", "spike initiation threshold"},
        {"e_rev_E", 0.0, "mV", "reversal potential of excitatory synapses"},
        {"tau_syn_E", 5.0, "ms", "decay time of the excitatory synaptic conductance"},
        {"e_rev_I", -80.0, "mV", "reversal potential of inhibitory synapses"},
        {"tau_syn_I", 5.0, "ms", "decay time of the inhibitory synaptic conductance"},
    };
    m.receptors = {"excitatory", "inhibitory"};
    m.synapses = synapse_type::conductance;
    m.state = {{"v", "mV", "", -70.6},
               {"w", "nA", "", 0.0},
               {"gsyn_exc", "uS", "", 0.0},
               {"gsyn_inh", "uS", "", 0.0}};
    m.recordables = {"spikes"};
    return m;
}

eif_cond_exp_isfa_ista::parameters eif_cond_exp_isfa_ista::parameters::from(
    const parameter_values& v) {
    const model_info m = info();
    auto get = [&](const char* n) { return parameter_or_default(v, m, n); };
    return {get("cm"),      get("tau_refrac"), get("v_spike"),  get("v_reset"),
            get("v_rest"),  get("tau_m"),      get("i_offset"), get("a"),
            get("b"),       get("delta_T"),    get("tau_w"),    get("v_thresh"),
            get("e_rev_E"), get("tau_syn_E"),  get("e_rev_I"),  get("tau_syn_I")};
}

// As NEST's aeif_cond_exp (which also allows delta_T = 0, not here).
void eif_cond_exp_isfa_ista::parameters::validate() const {
    const std::string model = "EIF_cond_exp_isfa_ista";
    checks::positive(model, "cm", cm, "nF");
    checks::positive(model, "tau_m", tau_m, "ms");
    checks::non_negative(model, "tau_refrac", tau_refrac, "ms");
    checks::positive(model, "tau_syn_E", tau_syn_E, "ms");
    checks::positive(model, "tau_syn_I", tau_syn_I, "ms");
    checks::positive(model, "tau_w", tau_w, "ms");
    checks::positive(model, "delta_T", delta_T, "mV");
    checks::less(model, "v_reset", v_reset, "v_spike", v_spike, "mV");
    checks::less(model, "v_thresh", v_thresh, "v_spike", v_spike, "mV");
    // The exponential at v_spike must stay finite.
    if (!((v_spike - v_thresh) / delta_T < 500.0))
        throw parameter_error(model, "delta_T",
                              "got " + checks::format_value(delta_T) +
                                  " mV; (v_spike - v_thresh) / delta_T must be below 500");
}

eif_cond_exp_isfa_ista::derived::derived(const parameters& p, double dt)
    : substeps(std::max(1, static_cast<int>(std::ceil(dt / max_substep - 1e-9)))),
      h(dt / substeps),
      half_e(std::exp(-0.5 * h / p.tau_syn_E)),
      half_i(std::exp(-0.5 * h / p.tau_syn_I)),
      g_leak(p.cm / p.tau_m),
      a_us(1e-3 * p.a),
      refractory_steps(static_cast<std::int32_t>(std::lround(p.tau_refrac / dt))) {}

void eif_cond_exp_isfa_ista::state::resize(std::size_t n, const parameters& p) {
    v.assign(n, p.v_rest);
    w.assign(n, 0.0);
    g_exc.assign(n, 0.0);
    g_inh.assign(n, 0.0);
    refractory.assign(n, 0);
}

double* eif_cond_exp_isfa_ista::state::variable(std::string_view name) {
    if (name == "v") return v.data();
    if (name == "w") return w.data();
    if (name == "gsyn_exc") return g_exc.data();
    if (name == "gsyn_inh") return g_inh.data();
    return nullptr;
}

void eif_cond_exp_isfa_ista::step(const parameters& p, const derived& d, state& s,
                                  const double* const* input, std::uint8_t* spiked, std::size_t n) {
    double* __restrict v = s.v.data();
    double* __restrict w = s.w.data();
    double* __restrict ge = s.g_exc.data();
    double* __restrict gi = s.g_inh.data();
    std::int32_t* __restrict refr = s.refractory.data();
    const double* __restrict in_e = input[0];
    const double* __restrict in_i = input[1];
    const double* __restrict inj = input[2];  // injected current, nA
    const double h = d.h, h2 = 0.5 * d.h, h6 = d.h / 6.0;
    const double inv_cm = 1.0 / p.cm, inv_tau_w = 1.0 / p.tau_w, inv_dT = 1.0 / p.delta_T;
    const double gl = d.g_leak, gl_dT = d.g_leak * p.delta_T, a = d.a_us;
    const double half_e = d.half_e, half_i = d.half_i;
    const bool clamp_after_spike = d.refractory_steps > 0;
    const int substeps = d.substeps;
    // dv/dt (zero when clamped) and dw/dt at (v, w) with conductances ge, gi.
    auto fv = [&](double vv, double ww, double gek, double gik, bool clamped, double i_ext) {
        const double vc = std::min(vv, p.v_spike);
        const double i = gl * (p.v_rest - vc) + gl_dT * std::exp((vc - p.v_thresh) * inv_dT) +
                         gek * (p.e_rev_E - vc) + gik * (p.e_rev_I - vc) - ww + i_ext;
        return clamped ? 0.0 : i * inv_cm;
    };
    auto fw = [&](double vv, double ww) {
        return (a * (std::min(vv, p.v_spike) - p.v_rest) - ww) * inv_tau_w;
    };
#pragma omp simd
    for (std::size_t k = 0; k < n; ++k) {
        double vk = v[k], wk = w[k], gek = ge[k], gik = gi[k];
        bool clamped = refr[k] > 0;
        const double i_ext = p.i_offset + inj[k];
        bool spike = false;
        for (int j = 0; j < substeps; ++j) {
            const double ge1 = gek, ge2 = gek * half_e, ge3 = ge2 * half_e;
            const double gi1 = gik, gi2 = gik * half_i, gi3 = gi2 * half_i;
            const double k1v = fv(vk, wk, ge1, gi1, clamped, i_ext), k1w = fw(vk, wk);
            const double v2 = vk + h2 * k1v, w2 = wk + h2 * k1w;
            const double k2v = fv(v2, w2, ge2, gi2, clamped, i_ext), k2w = fw(v2, w2);
            const double v3 = vk + h2 * k2v, w3 = wk + h2 * k2w;
            const double k3v = fv(v3, w3, ge2, gi2, clamped, i_ext), k3w = fw(v3, w3);
            const double v4 = vk + h * k3v, w4 = wk + h * k3w;
            const double k4v = fv(v4, w4, ge3, gi3, clamped, i_ext), k4w = fw(v4, w4);
            vk += h6 * (k1v + 2.0 * (k2v + k3v) + k4v);
            wk += h6 * (k1w + 2.0 * (k2w + k3w) + k4w);
            gek = ge3;
            gik = gi3;
            const bool fire = !clamped && vk >= p.v_spike;
            spike = spike || fire;
            vk = fire ? p.v_reset : vk;
            wk = fire ? wk + p.b : wk;
            clamped = clamped || (fire && clamp_after_spike);
        }
        spiked[k] = spike;
        v[k] = vk;
        w[k] = wk;
        ge[k] = gek + in_e[k];
        gi[k] = gik + in_i[k];
        refr[k] = spike ? d.refractory_steps : std::max(refr[k] - 1, 0);
    }
}

}  // namespace ganglion::models
