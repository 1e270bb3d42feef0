#pragma once

// PyNN's IF_curr_delta: leaky integrate-and-fire neuron whose synaptic
// inputs make step changes in the membrane potential.
//
//   cm dv/dt = cm (v_rest - v) / tau_m + i_offset
//   a spike of weight w (mV) moves v by w at once.
//
// Integrated exactly. As in NEST's iaf_psc_delta (with its default of
// discarding refractory input), input that arrives while v is clamped is
// lost. Inhibitory weights are negative.

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/model.hpp"

namespace ganglion::models {

struct if_curr_delta {
    static constexpr std::size_t n_receptors = 2;  // excitatory, inhibitory
    static model_info info();

    struct parameters {
        double cm, tau_m, tau_refrac, v_rest, v_reset, v_thresh, i_offset;
        static parameters from(const parameter_values& v);
        void validate() const;
    };

    struct derived {
        double p22;  // membrane decay over dt
        double p20;  // constant current -> membrane over dt
        std::int32_t refractory_steps;
        derived(const parameters& p, double dt);
    };

    struct state {
        std::vector<double> v;
        std::vector<std::int32_t> refractory;
        // Every array, for checkpoints (core/neuron_population.hpp).
        template <class F>
        void fields(F&& f) {
            f(v);
            f(refractory);
        }
        void resize(std::size_t n, const parameters& p);
        double* variable(std::string_view name);
    };

    static void step(const parameters& p, const derived& d, state& s, const double* const* input,
                     std::uint8_t* spiked, std::size_t n);
};

}  // namespace ganglion::models
