#include "models/if_curr_delta.hpp"

#include <algorithm>
#include <cmath>

#include "core/vector_math.hpp"
#include "models/checks.hpp"
#include "models/lif_threshold.hpp"

namespace ganglion::models {

model_info if_curr_delta::info() {
    model_info m;
    m.name = "IF_curr_delta";
    m.description =
        "Leaky integrate-and-fire neuron with fixed threshold; synaptic inputs (weights in mV) "
        "make step changes in the membrane potential";
    m.parameters = checks::lif_parameters("current");
    // No synaptic time constants in this model.
    m.parameters.erase(std::remove_if(m.parameters.begin(), m.parameters.end(),
                                      [](const parameter_info& q) {
                                          return q.name == "tau_syn_E" || q.name == "tau_syn_I";
                                      }),
                       m.parameters.end());
    m.receptors = {"excitatory", "inhibitory"};
    m.synapses = synapse_type::voltage_jump;
    m.state = {{"v", "mV", "v_rest", 0.0}};
    m.recordables = {"spikes"};
    return m;
}

if_curr_delta::parameters if_curr_delta::parameters::from(const parameter_values& v) {
    const model_info m = info();
    auto get = [&](const char* n) { return parameter_or_default(v, m, n); };
    return {get("cm"),      get("tau_m"),    get("tau_refrac"), get("v_rest"),
            get("v_reset"), get("v_thresh"), get("i_offset")};
}

void if_curr_delta::parameters::validate() const {
    const std::string model = "IF_curr_delta";
    checks::positive(model, "cm", cm, "nF");
    checks::positive(model, "tau_m", tau_m, "ms");
    checks::non_negative(model, "tau_refrac", tau_refrac, "ms");
    checks::less(model, "v_reset", v_reset, "v_thresh", v_thresh, "mV");
}

if_curr_delta::derived::derived(const parameters& p, double dt)
    : p22(std::exp(-dt / p.tau_m)),
      p20(p.tau_m / p.cm * (-std::expm1(-dt / p.tau_m))),
      refractory_steps(static_cast<std::int32_t>(std::lround(p.tau_refrac / dt))) {}

void if_curr_delta::state::resize(std::size_t n, const parameters& p) {
    v.assign(n, p.v_rest);
    refractory.assign(n, 0);
}

double* if_curr_delta::state::variable(std::string_view name) {
    if (name == "v") return v.data();
    return nullptr;
}

// Order within a step as IF_curr_exp's, with v itself the synaptic state:
// v relaxes over the step, then jumps by this step's input, then the
// threshold is checked, so an input can fire the neuron in the step it
// arrives (as in NEST's iaf_psc_delta). A clamped neuron discards its input.
// Two branch-free passes that vectorise, as in IF_curr_exp.
GANGLION_VECTOR_CLONES
void if_curr_delta::step(const parameters& p, const derived& d, state& s,
                         const double* const* input, std::uint8_t* spiked, std::size_t n) {
    double* __restrict v = s.v.data();
    std::int32_t* __restrict refr = s.refractory.data();
    const double* __restrict in_e = input[0];
    const double* __restrict in_i = input[1];
    const double* __restrict inj = input[2];  // injected current, nA
    const double v_rest = p.v_rest, i_offset = p.i_offset;
    const double p22 = d.p22, p20 = d.p20;
#pragma omp simd
    for (std::size_t k = 0; k < n; ++k) {
        const double v_free =
            v_rest + p22 * (v[k] - v_rest) + p20 * (i_offset + inj[k]) + in_e[k] + in_i[k];
        v[k] = blend(zero_mask(refr[k]), v_free, v[k]);
    }
    lif_threshold(v, refr, spiked, n, p.v_thresh, p.v_reset, d.refractory_steps);
}

}  // namespace ganglion::models
