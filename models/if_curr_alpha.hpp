#pragma once

// PyNN's IF_curr_alpha: leaky integrate-and-fire neuron with alpha-shaped
// current-based synapses, fixed threshold and refractory clamp.
//
//   cm dv/dt = cm (v_rest - v) / tau_m + I_exc + I_inh + i_offset
//   I_x(t) = (w e / tau_syn_x) t exp(-t / tau_syn_x) after a spike of weight w (nA),
//
// so that w is the peak current, reached tau_syn_x after the spike (PyNN's
// definition). Each I_x is the second component of the linear system
//   dy_x/dt = -y_x / tau_syn_x,   dI_x/dt = y_x - I_x / tau_syn_x,
// and a spike adds w e / tau_syn_x to y_x (as NEST's iaf_psc_alpha). The
// whole subthreshold system is linear and is integrated exactly with
// propagators computed once from the parameters and dt (Rotter & Diesmann
// 1999). Inhibitory weights are negative.

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/model.hpp"

namespace ganglion::models {

struct if_curr_alpha {
    static constexpr std::size_t n_receptors = 2;  // excitatory, inhibitory
    static model_info info();

    struct parameters {
        double cm, tau_m, tau_refrac, tau_syn_E, tau_syn_I, v_rest, v_reset, v_thresh, i_offset;
        static parameters from(const parameter_values& v);
        void validate() const;
    };

    struct derived {
        double decay_e, decay_i;  // exp(-dt / tau_syn): y -> y and I -> I over dt
        double p21e, p21i;        // y -> I over dt: dt exp(-dt / tau_syn)
        double p22;               // membrane decay over dt
        double p31e, p31i;        // y -> membrane over dt
        double p32e, p32i;        // I -> membrane over dt
        double p20;               // constant current -> membrane over dt
        double jump_e, jump_i;    // e / tau_syn: weight -> y
        std::int32_t refractory_steps;
        derived(const parameters& p, double dt);
    };

    struct state {
        std::vector<double> v, i_exc, i_inh;
        std::vector<double> y_exc, y_inh;  // dI/dt without the decay term, nA/ms
        std::vector<std::int32_t> refractory;
        // Every array, for checkpoints (core/neuron_population.hpp).
        template <class F>
        void fields(F&& f) {
            f(v);
            f(i_exc);
            f(i_inh);
            f(y_exc);
            f(y_inh);
            f(refractory);
        }
        void resize(std::size_t n, const parameters& p);
        double* variable(std::string_view name);
    };

    static void step(const parameters& p, const derived& d, state& s, const double* const* input,
                     std::uint8_t* spiked, std::size_t n);
};

// (1 - exp(-x) (1 + x)) / x^2, accurate for every x (a series near 0, where
// the direct form cancels). h^2 times this is the integral of s exp(-x s / h)
// over [0, h]: the weight of a linearly growing input in the alpha
// propagators and means.
double alpha_kernel_factor(double x);

// (1 / cm) integral over [0, h] of exp(-(h - s) / tau_m) s exp(-s / tau_s) ds:
// how much a unit y (alpha state) moves the membrane over h.
double alpha_to_voltage_propagator(double tau_s, double tau_m, double cm, double h);

}  // namespace ganglion::models
