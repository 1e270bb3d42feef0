#pragma once

// PyNN's IF_curr_exp: leaky integrate-and-fire neuron with exponentially
// decaying current-based synapses, fixed threshold and refractory clamp.
//
//   cm dv/dt = cm (v_rest - v) / tau_m + I_exc + I_inh + i_offset
//   dI_x/dt = -I_x / tau_syn_x, a spike of weight w (nA) adds w to I_x
//
// Integrated exactly: the subthreshold system is linear, so one step is a
// matrix of propagators computed once from the parameters and dt (the
// scheme of Rotter & Diesmann 1999, as NEST's iaf_psc_exp uses it).
// Inhibitory weights are negative (PyNN's convention for current synapses).

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/model.hpp"

namespace ganglion::models {

struct if_curr_exp {
    static constexpr std::size_t n_receptors = 2;  // excitatory, inhibitory
    static model_info info();

    struct parameters {
        double cm, tau_m, tau_refrac, tau_syn_E, tau_syn_I, v_rest, v_reset, v_thresh, i_offset;
        static parameters from(const parameter_values& v);
        void validate() const;
    };

    struct derived {
        double p11e, p11i;  // synaptic current decay over dt
        double p22;         // membrane decay over dt
        double p21e, p21i;  // synaptic current -> membrane over dt
        double p20;         // constant current -> membrane over dt
        std::int32_t refractory_steps;
        derived(const parameters& p, double dt);
    };

    struct state {
        std::vector<double> v, i_exc, i_inh;
        std::vector<std::int32_t> refractory;  // steps left
        // Every array, for checkpoints (core/neuron_population.hpp).
        template <class F>
        void fields(F&& f) {
            f(v);
            f(i_exc);
            f(i_inh);
            f(refractory);
        }
        void resize(std::size_t n, const parameters& p);
        double* variable(std::string_view name);
    };

    static void step(const parameters& p, const derived& d, state& s, const double* const* input,
                     std::uint8_t* spiked, std::size_t n);
};

// exp(-h/tau_s) - exp(-h/tau_m) scaled for the current-to-voltage
// propagator, accurate also when tau_s is (nearly) equal to tau_m.
double current_to_voltage_propagator(double tau_s, double tau_m, double cm, double h);

}  // namespace ganglion::models
