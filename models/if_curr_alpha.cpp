#include "models/if_curr_alpha.hpp"

#include <cmath>

#include "models/checks.hpp"
#include "models/if_curr_exp.hpp"

namespace ganglion::models {

model_info if_curr_alpha::info() {
    model_info m;
    m.name = "IF_curr_alpha";
    m.description =
        "Leaky integrate-and-fire neuron with fixed threshold and alpha-function-shaped "
        "post-synaptic current (exact integration)";
    m.parameters = checks::lif_parameters("current");
    for (auto& q : m.parameters) {
        // PyNN's defaults differ from IF_curr_exp's, and tau_syn is a rise time here.
        if (q.name == "tau_syn_E" || q.name == "tau_syn_I") {
            q.default_value = 0.5;
            q.description = std::string("rise time of the ") +
                            (q.name == "tau_syn_E" ? "excitatory" : "inhibitory") +
                            " synaptic alpha function";
        }
    }
    m.receptors = {"excitatory", "inhibitory"};
    m.state = {
        {"v", "mV", "v_rest", 0.0}, {"isyn_exc", "nA", "", 0.0}, {"isyn_inh", "nA", "", 0.0}};
    m.recordables = {"spikes"};
    return m;
}

if_curr_alpha::parameters if_curr_alpha::parameters::from(const parameter_values& v) {
    const model_info m = info();
    auto get = [&](const char* n) { return parameter_or_default(v, m, n); };
    return {get("cm"),     get("tau_m"),   get("tau_refrac"), get("tau_syn_E"), get("tau_syn_I"),
            get("v_rest"), get("v_reset"), get("v_thresh"),   get("i_offset")};
}

void if_curr_alpha::parameters::validate() const {
    checks::lif("IF_curr_alpha", cm, tau_m, tau_refrac, tau_syn_E, tau_syn_I, v_reset, v_thresh);
}

double alpha_kernel_factor(double x) {
    // Series sum_{k>=2} (-1)^k (k-1)/k! x^(k-2) for |x| < 0.5: terms fall by
    // at least 2x each, the 20th is below 1e-22; elsewhere the direct form
    // loses at most a factor ~4 to cancellation.
    if (std::abs(x) < 0.5) {
        double sum = 0, power = 1, factorial = 2;  // x^(k-2), k!
        for (int k = 2; k <= 24; ++k) {
            if (k > 2) {
                power *= -x;
                factorial *= k;
            }
            sum += (k - 1) * power / factorial;
        }
        return sum;
    }
    return (-std::expm1(-x) - x * std::exp(-x)) / (x * x);
}

double alpha_to_voltage_propagator(double tau_s, double tau_m, double cm, double h) {
    // exp(-h/tau_m) / cm times the integral of s exp(-a s), a = 1/tau_s - 1/tau_m.
    const double a = 1.0 / tau_s - 1.0 / tau_m;
    return std::exp(-h / tau_m) * h * h * alpha_kernel_factor(a * h) / cm;
}

if_curr_alpha::derived::derived(const parameters& p, double dt)
    : decay_e(std::exp(-dt / p.tau_syn_E)),
      decay_i(std::exp(-dt / p.tau_syn_I)),
      p21e(dt * decay_e),
      p21i(dt * decay_i),
      p22(std::exp(-dt / p.tau_m)),
      p31e(alpha_to_voltage_propagator(p.tau_syn_E, p.tau_m, p.cm, dt)),
      p31i(alpha_to_voltage_propagator(p.tau_syn_I, p.tau_m, p.cm, dt)),
      p32e(current_to_voltage_propagator(p.tau_syn_E, p.tau_m, p.cm, dt)),
      p32i(current_to_voltage_propagator(p.tau_syn_I, p.tau_m, p.cm, dt)),
      p20(p.tau_m / p.cm * (-std::expm1(-dt / p.tau_m))),
      jump_e(std::exp(1.0) / p.tau_syn_E),
      jump_i(std::exp(1.0) / p.tau_syn_I),
      refractory_steps(static_cast<std::int32_t>(std::lround(p.tau_refrac / dt))) {}

void if_curr_alpha::state::resize(std::size_t n, const parameters& p) {
    v.assign(n, p.v_rest);
    i_exc.assign(n, 0.0);
    i_inh.assign(n, 0.0);
    y_exc.assign(n, 0.0);
    y_inh.assign(n, 0.0);
    refractory.assign(n, 0);
}

double* if_curr_alpha::state::variable(std::string_view name) {
    if (name == "v") return v.data();
    if (name == "isyn_exc") return i_exc.data();
    if (name == "isyn_inh") return i_inh.data();
    return nullptr;
}

// Order within a step, as IF_curr_exp's (and NEST's iaf_psc_alpha): the
// membrane advances with the synaptic state of the step's start; then that
// state advances and takes this step's input (into y); then the threshold
// is checked. An input arriving in step s moves v from step s + 1 on.
void if_curr_alpha::step(const parameters& p, const derived& d, state& s,
                         const double* const* input, std::uint8_t* spiked, std::size_t n) {
    double* __restrict v = s.v.data();
    double* __restrict ie = s.i_exc.data();
    double* __restrict ii = s.i_inh.data();
    double* __restrict ye = s.y_exc.data();
    double* __restrict yi = s.y_inh.data();
    std::int32_t* __restrict refr = s.refractory.data();
    const double* __restrict in_e = input[0];
    const double* __restrict in_i = input[1];
    const double* __restrict inj = input[2];  // injected current, nA
#pragma omp simd
    for (std::size_t k = 0; k < n; ++k) {
        const bool free = refr[k] == 0;
        const double v_free = p.v_rest + d.p22 * (v[k] - p.v_rest) + d.p31e * ye[k] +
                              d.p32e * ie[k] + d.p31i * yi[k] + d.p32i * ii[k] +
                              d.p20 * (p.i_offset + inj[k]);
        v[k] = free ? v_free : v[k];
        refr[k] = free ? 0 : refr[k] - 1;
        ie[k] = d.p21e * ye[k] + d.decay_e * ie[k];
        ii[k] = d.p21i * yi[k] + d.decay_i * ii[k];
        ye[k] = d.decay_e * ye[k] + d.jump_e * in_e[k];
        yi[k] = d.decay_i * yi[k] + d.jump_i * in_i[k];
        const bool spike = v[k] >= p.v_thresh;
        spiked[k] = spike;
        v[k] = spike ? p.v_reset : v[k];
        refr[k] = spike ? d.refractory_steps : refr[k];
    }
}

}  // namespace ganglion::models
