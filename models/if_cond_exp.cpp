#include "models/if_cond_exp.hpp"

#include <algorithm>
#include <cmath>

#include "core/vector_math.hpp"
#include "models/checks.hpp"
#include "models/lif_threshold.hpp"

namespace ganglion::models {

model_info if_cond_exp::info() {
    model_info m;
    m.name = "IF_cond_exp";
    m.description =
        "Leaky integrate-and-fire neuron with fixed threshold and exponentially decaying "
        "post-synaptic conductance";
    m.parameters = checks::lif_parameters("conductance");
    checks::add_reversal_potentials(m.parameters);
    m.receptors = {"excitatory", "inhibitory"};
    m.synapses = synapse_type::conductance;
    m.state = {
        {"v", "mV", "v_rest", 0.0}, {"gsyn_exc", "uS", "", 0.0}, {"gsyn_inh", "uS", "", 0.0}};
    m.recordables = {"spikes"};
    return m;
}

if_cond_exp::parameters if_cond_exp::parameters::from(const parameter_values& v) {
    const model_info m = info();
    auto get = [&](const char* n) { return parameter_or_default(v, m, n); };
    return {get("cm"),        get("tau_m"),    get("tau_refrac"), get("tau_syn_E"),
            get("tau_syn_I"), get("e_rev_E"),  get("e_rev_I"),    get("v_rest"),
            get("v_reset"),   get("v_thresh"), get("i_offset")};
}

void if_cond_exp::parameters::validate() const {
    checks::lif("IF_cond_exp", cm, tau_m, tau_refrac, tau_syn_E, tau_syn_I, v_reset, v_thresh);
}

if_cond_exp::derived::derived(const parameters& p, double dt)
    : substeps(checks::conductance_substeps(p.tau_syn_E, p.tau_syn_I, dt)),
      h(dt / substeps),
      decay_e(std::exp(-h / p.tau_syn_E)),
      decay_i(std::exp(-h / p.tau_syn_I)),
      mean_e(p.tau_syn_E / h * (-std::expm1(-h / p.tau_syn_E))),
      mean_i(p.tau_syn_I / h * (-std::expm1(-h / p.tau_syn_I))),
      g_leak(p.cm / p.tau_m),
      refractory_steps(static_cast<std::int32_t>(std::lround(p.tau_refrac / dt))) {}

void if_cond_exp::state::resize(std::size_t n, const parameters& p) {
    v.assign(n, p.v_rest);
    g_exc.assign(n, 0.0);
    g_inh.assign(n, 0.0);
    refractory.assign(n, 0);
}

double* if_cond_exp::state::variable(std::string_view name) {
    if (name == "v") return v.data();
    if (name == "gsyn_exc") return g_exc.data();
    if (name == "gsyn_inh") return g_inh.data();
    return nullptr;
}

namespace {

// What a sub-step needs, read once before the neuron loop.
struct substep_constants {
    double mean_e, mean_i, decay_e, decay_i, g_leak, e_rev_E, e_rev_I, minus_h_over_cm;
};

// One sub-step of one neuron (see the header): v advances with the
// conductances' mean over the sub-step unless the neuron is refractory
// (`free` is a zero_mask of its refractory count), then the conductances
// decay exactly.
[[gnu::always_inline]] inline void substep(const substep_constants& c, std::uint64_t free,
                                           double leak_drive, double& v, double& g_exc,
                                           double& g_inh) {
    const double ge_mean = g_exc * c.mean_e;
    const double gi_mean = g_inh * c.mean_i;
    const double g_tot = c.g_leak + ge_mean + gi_mean;
    const double v_inf = (leak_drive + ge_mean * c.e_rev_E + gi_mean * c.e_rev_I) / g_tot;
    const double v_next = v_inf + (v - v_inf) * vector_exp(c.minus_h_over_cm * g_tot);
    v = blend(free, v_next, v);
    g_exc *= c.decay_e;
    g_inh *= c.decay_i;
}

}  // namespace

// Order within a step: v advances over the step with the conductances of
// the step's start (decaying exactly during it, sub-step by sub-step); then
// the conductances take this step's input; then the threshold is checked.
// During the refractory period v is clamped at v_reset while the
// conductances evolve.
//
// The loops vectorise in every clone (GANGLION_VECTOR_CLONES), and a
// neuron's bits do not depend on whether it falls in a loop's vector body
// or its remainder, nor on the clone: no branches, no library calls, only
// IEEE arithmetic in one order. Every sub-step but the last is a pass of its
// own over the arrays; the last takes the input too (at dt 0.1 ms it is the
// only one). The threshold is a pass of its own, because it mixes doubles
// with the 32-bit refractory counts and 8-bit spike flags, and GCC then
// vectorises with narrow vectors: the passes with doubles alone use the
// widest.
GANGLION_VECTOR_CLONES
void if_cond_exp::step(const parameters& p, const derived& d, state& s, const double* const* input,
                       std::uint8_t* spiked, std::size_t n) {
    double* __restrict v = s.v.data();
    double* __restrict ge = s.g_exc.data();
    double* __restrict gi = s.g_inh.data();
    std::int32_t* __restrict refr = s.refractory.data();
    const double* __restrict in_e = input[0];
    const double* __restrict in_i = input[1];
    const double* __restrict inj = input[2];  // injected current, nA
    const substep_constants c{d.mean_e, d.mean_i,  d.decay_e, d.decay_i,
                              d.g_leak, p.e_rev_E, p.e_rev_I, -(d.h / p.cm)};
    const double leak_rest = d.g_leak * p.v_rest + p.i_offset;
    for (int j = 1; j < d.substeps; ++j) {
#pragma omp simd
        for (std::size_t k = 0; k < n; ++k) {
            double vk = v[k], gek = ge[k], gik = gi[k];
            substep(c, zero_mask(refr[k]), leak_rest + inj[k], vk, gek, gik);
            v[k] = vk;
            ge[k] = gek;
            gi[k] = gik;
        }
    }
#pragma omp simd
    for (std::size_t k = 0; k < n; ++k) {
        double vk = v[k], gek = ge[k], gik = gi[k];
        substep(c, zero_mask(refr[k]), leak_rest + inj[k], vk, gek, gik);
        v[k] = vk;
        ge[k] = gek + in_e[k];
        gi[k] = gik + in_i[k];
    }
    lif_threshold(v, refr, spiked, n, p.v_thresh, p.v_reset, d.refractory_steps);
}

}  // namespace ganglion::models
