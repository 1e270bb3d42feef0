#pragma once

// IF_curr_dual_exp (sPyNNaker's, in PyNN's vocabulary): leaky
// integrate-and-fire neuron with two exponentially decaying excitatory
// current synapses of different time constants and one inhibitory one.
//
//   cm dv/dt = cm (v_rest - v) / tau_m + I_exc + I_exc2 + I_inh + i_offset
//   dI_x/dt = -I_x / tau_x, a spike of weight w (nA) adds w to I_x,
//
// with receptor types "excitatory" (tau_syn_E), "excitatory2" (tau_syn_E2)
// and "inhibitory" (tau_syn_I). Integrated exactly with propagators, as
// IF_curr_exp. Inhibitory weights are negative.

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/model.hpp"

namespace ganglion::models {

struct if_curr_dual_exp {
    static constexpr std::size_t n_receptors = 3;  // excitatory, excitatory2, inhibitory
    static model_info info();

    struct parameters {
        double cm, tau_m, tau_refrac, tau_syn_E, tau_syn_E2, tau_syn_I, v_rest, v_reset, v_thresh,
            i_offset;
        static parameters from(const parameter_values& v);
        void validate() const;
    };

    struct derived {
        double p11e, p11e2, p11i;  // synaptic current decay over dt
        double p22;                // membrane decay over dt
        double p21e, p21e2, p21i;  // synaptic current -> membrane over dt
        double p20;                // constant current -> membrane over dt
        std::int32_t refractory_steps;
        derived(const parameters& p, double dt);
    };

    struct state {
        std::vector<double> v, i_exc, i_exc2, i_inh;
        std::vector<std::int32_t> refractory;
        // Every array, for checkpoints (core/neuron_population.hpp).
        template <class F>
        void fields(F&& f) {
            f(v);
            f(i_exc);
            f(i_exc2);
            f(i_inh);
            f(refractory);
        }
        void resize(std::size_t n, const parameters& p);
        double* variable(std::string_view name);
    };

    static void step(const parameters& p, const derived& d, state& s, const double* const* input,
                     std::uint8_t* spiked, std::size_t n);
};

}  // namespace ganglion::models
