#include "models/if_cond_alpha.hpp"

#include <algorithm>
#include <cmath>

#include "models/checks.hpp"
#include "models/if_curr_alpha.hpp"

namespace ganglion::models {

model_info if_cond_alpha::info() {
    model_info m;
    m.name = "IF_cond_alpha";
    m.description =
        "Leaky integrate-and-fire neuron with fixed threshold and alpha-function-shaped "
        "post-synaptic conductance";
    m.parameters = checks::lif_parameters("conductance");
    for (auto& q : m.parameters) {
        // PyNN's defaults: 0.3 ms (E), 0.5 ms (I); tau_syn is a rise time here.
        if (q.name == "tau_syn_E" || q.name == "tau_syn_I") {
            const bool e = q.name == "tau_syn_E";
            q.default_value = e ? 0.3 : 0.5;
            q.description = std::string("rise time of the ") + (e ? "excitatory" : "inhibitory") +
                            " synaptic alpha function";
        }
    }
    checks::add_reversal_potentials(m.parameters);
    m.receptors = {"excitatory", "inhibitory"};
    m.synapses = synapse_type::conductance;
    m.state = {
        {"v", "mV", "v_rest", 0.0}, {"gsyn_exc", "uS", "", 0.0}, {"gsyn_inh", "uS", "", 0.0}};
    m.recordables = {"spikes"};
    return m;
}

if_cond_alpha::parameters if_cond_alpha::parameters::from(const parameter_values& v) {
    const model_info m = info();
    auto get = [&](const char* n) { return parameter_or_default(v, m, n); };
    return {get("cm"),        get("tau_m"),    get("tau_refrac"), get("tau_syn_E"),
            get("tau_syn_I"), get("e_rev_E"),  get("e_rev_I"),    get("v_rest"),
            get("v_reset"),   get("v_thresh"), get("i_offset")};
}

void if_cond_alpha::parameters::validate() const {
    checks::lif("IF_cond_alpha", cm, tau_m, tau_refrac, tau_syn_E, tau_syn_I, v_reset, v_thresh);
}

if_cond_alpha::derived::derived(const parameters& p, double dt)
    : substeps(checks::conductance_substeps(p.tau_syn_E, p.tau_syn_I, dt)),
      h(dt / substeps),
      decay_e(std::exp(-h / p.tau_syn_E)),
      decay_i(std::exp(-h / p.tau_syn_I)),
      mean_ge(p.tau_syn_E / h * (-std::expm1(-h / p.tau_syn_E))),
      mean_gi(p.tau_syn_I / h * (-std::expm1(-h / p.tau_syn_I))),
      mean_ye(h * alpha_kernel_factor(h / p.tau_syn_E)),
      mean_yi(h * alpha_kernel_factor(h / p.tau_syn_I)),
      jump_e(std::exp(1.0) / p.tau_syn_E),
      jump_i(std::exp(1.0) / p.tau_syn_I),
      g_leak(p.cm / p.tau_m),
      refractory_steps(static_cast<std::int32_t>(std::lround(p.tau_refrac / dt))) {}

void if_cond_alpha::state::resize(std::size_t n, const parameters& p) {
    v.assign(n, p.v_rest);
    g_exc.assign(n, 0.0);
    g_inh.assign(n, 0.0);
    y_exc.assign(n, 0.0);
    y_inh.assign(n, 0.0);
    refractory.assign(n, 0);
}

double* if_cond_alpha::state::variable(std::string_view name) {
    if (name == "v") return v.data();
    if (name == "gsyn_exc") return g_exc.data();
    if (name == "gsyn_inh") return g_inh.data();
    return nullptr;
}

// Order within a step as IF_cond_exp's: v advances over the step with the
// synaptic state of the step's start (evolving exactly during it, sub-step
// by sub-step); then y takes this step's input; then the threshold is
// checked. During the refractory period v is clamped at v_reset while the
// conductances evolve.
void if_cond_alpha::step(const parameters& p, const derived& d, state& s,
                         const double* const* input, std::uint8_t* spiked, std::size_t n) {
    double* __restrict v = s.v.data();
    double* __restrict ge = s.g_exc.data();
    double* __restrict gi = s.g_inh.data();
    double* __restrict ye = s.y_exc.data();
    double* __restrict yi = s.y_inh.data();
    std::int32_t* __restrict refr = s.refractory.data();
    const double* __restrict in_e = input[0];
    const double* __restrict in_i = input[1];
    const double h = d.h;
    const double h_over_cm = d.h / p.cm;
    const double* __restrict inj = input[2];  // injected current, nA
    const double leak_rest = d.g_leak * p.v_rest + p.i_offset;
    const int substeps = d.substeps;
#pragma omp simd
    for (std::size_t k = 0; k < n; ++k) {
        double vk = v[k], gek = ge[k], gik = gi[k], yek = ye[k], yik = yi[k];
        const double leak_drive = leak_rest + inj[k];
        for (int j = 0; j < substeps; ++j) {
            const double ge_mean = gek * d.mean_ge + yek * d.mean_ye;
            const double gi_mean = gik * d.mean_gi + yik * d.mean_yi;
            const double g_tot = d.g_leak + ge_mean + gi_mean;
            const double v_inf = (leak_drive + ge_mean * p.e_rev_E + gi_mean * p.e_rev_I) / g_tot;
            vk = v_inf + (vk - v_inf) * std::exp(-h_over_cm * g_tot);
            gek = (gek + yek * h) * d.decay_e;
            gik = (gik + yik * h) * d.decay_i;
            yek *= d.decay_e;
            yik *= d.decay_i;
        }
        const bool free = refr[k] == 0;
        v[k] = free ? vk : v[k];
        refr[k] = free ? 0 : refr[k] - 1;
        ge[k] = gek;
        gi[k] = gik;
        ye[k] = yek + d.jump_e * in_e[k];
        yi[k] = yik + d.jump_i * in_i[k];
        const bool spike = v[k] >= p.v_thresh;
        spiked[k] = spike;
        v[k] = spike ? p.v_reset : v[k];
        refr[k] = spike ? d.refractory_steps : refr[k];
    }
}

}  // namespace ganglion::models
