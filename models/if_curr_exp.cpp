#include "models/if_curr_exp.hpp"

#include <cmath>

#include "core/vector_math.hpp"
#include "models/checks.hpp"
#include "models/lif_threshold.hpp"

namespace ganglion::models {

model_info if_curr_exp::info() {
    model_info m;
    m.name = "IF_curr_exp";
    m.description =
        "Leaky integrate-and-fire neuron with fixed threshold and exponentially decaying "
        "post-synaptic current (exact integration)";
    m.parameters = checks::lif_parameters("current");
    m.receptors = {"excitatory", "inhibitory"};
    m.state = {
        {"v", "mV", "v_rest", 0.0}, {"isyn_exc", "nA", "", 0.0}, {"isyn_inh", "nA", "", 0.0}};
    m.recordables = {"spikes"};
    return m;
}

if_curr_exp::parameters if_curr_exp::parameters::from(const parameter_values& v) {
    const model_info m = info();
    auto get = [&](const char* n) { return parameter_or_default(v, m, n); };
    return {get("cm"),     get("tau_m"),   get("tau_refrac"), get("tau_syn_E"), get("tau_syn_I"),
            get("v_rest"), get("v_reset"), get("v_thresh"),   get("i_offset")};
}

void if_curr_exp::parameters::validate() const {
    checks::lif("IF_curr_exp", cm, tau_m, tau_refrac, tau_syn_E, tau_syn_I, v_reset, v_thresh);
}

double current_to_voltage_propagator(double tau_s, double tau_m, double cm, double h) {
    // (tau_s tau_m / (cm (tau_m - tau_s))) (exp(-h/tau_m) - exp(-h/tau_s)),
    // written with expm1 so that it stays accurate as tau_s -> tau_m, where
    // it tends to (h / cm) exp(-h/tau_m).
    const double a = 1.0 / tau_s - 1.0 / tau_m;  // > 0 when tau_s < tau_m
    if (std::abs(a) * h < 1e-12) return h / cm * std::exp(-h / tau_m);
    return std::exp(-h / tau_m) * (-std::expm1(-a * h)) / (a * cm);
}

if_curr_exp::derived::derived(const parameters& p, double dt)
    : p11e(std::exp(-dt / p.tau_syn_E)),
      p11i(std::exp(-dt / p.tau_syn_I)),
      p22(std::exp(-dt / p.tau_m)),
      p21e(current_to_voltage_propagator(p.tau_syn_E, p.tau_m, p.cm, dt)),
      p21i(current_to_voltage_propagator(p.tau_syn_I, p.tau_m, p.cm, dt)),
      p20(p.tau_m / p.cm * (-std::expm1(-dt / p.tau_m))),
      refractory_steps(static_cast<std::int32_t>(std::lround(p.tau_refrac / dt))) {}

void if_curr_exp::state::resize(std::size_t n, const parameters& p) {
    v.assign(n, p.v_rest);
    i_exc.assign(n, 0.0);
    i_inh.assign(n, 0.0);
    refractory.assign(n, 0);
}

double* if_curr_exp::state::variable(std::string_view name) {
    if (name == "v") return v.data();
    if (name == "isyn_exc") return i_exc.data();
    if (name == "isyn_inh") return i_inh.data();
    return nullptr;
}

// Order within a step, as in NEST's iaf_psc_exp: the membrane advances with
// the currents of the step's start; then the currents decay and take this
// step's input; then the threshold is checked. An input arriving in step s
// therefore moves v from step s + 1 on.
//
// Two passes, as in IF_cond_exp (models/if_cond_exp.cpp): the dynamics,
// doubles only, then the threshold with the refractory counts and spike
// flags; both vectorise in every clone, without branches.
GANGLION_VECTOR_CLONES
void if_curr_exp::step(const parameters& p, const derived& d, state& s, const double* const* input,
                       std::uint8_t* spiked, std::size_t n) {
    double* __restrict v = s.v.data();
    double* __restrict ie = s.i_exc.data();
    double* __restrict ii = s.i_inh.data();
    std::int32_t* __restrict refr = s.refractory.data();
    const double* __restrict in_e = input[0];
    const double* __restrict in_i = input[1];
    const double* __restrict inj = input[2];  // injected current, nA
    const double v_rest = p.v_rest, i_offset = p.i_offset;
    const double p22 = d.p22, p21e = d.p21e, p21i = d.p21i, p20 = d.p20;
    const double p11e = d.p11e, p11i = d.p11i;
#pragma omp simd
    for (std::size_t k = 0; k < n; ++k) {
        const double v_free = v_rest + p22 * (v[k] - v_rest) + p21e * ie[k] + p21i * ii[k] +
                              p20 * (i_offset + inj[k]);
        v[k] = blend(zero_mask(refr[k]), v_free, v[k]);
        ie[k] = ie[k] * p11e + in_e[k];
        ii[k] = ii[k] * p11i + in_i[k];
    }
    lif_threshold(v, refr, spiked, n, p.v_thresh, p.v_reset, d.refractory_steps);
}

}  // namespace ganglion::models
