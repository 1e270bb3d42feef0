#pragma once

// PyNN's IF_cond_alpha: leaky integrate-and-fire neuron with alpha-shaped
// conductance-based synapses.
//
//   cm dv/dt = cm (v_rest - v) / tau_m + g_exc (e_rev_E - v) + g_inh (e_rev_I - v) + i_offset
//   g_x(t) = (w e / tau_syn_x) t exp(-t / tau_syn_x) after a spike of weight w (uS),
//
// so that w is the peak conductance, reached tau_syn_x after the spike. As
// in NEST's iaf_cond_alpha, g_x is the second component of
//   dy_x/dt = -y_x / tau_syn_x,   dg_x/dt = y_x - g_x / tau_syn_x,
// and a spike adds w e / tau_syn_x to y_x. Over a time s from (g, y):
//   g(s) = (g + y s) exp(-s / tau),   y(s) = y exp(-s / tau),
// which the model applies exactly. The voltage is integrated as in
// IF_cond_exp (see models/if_cond_exp.hpp for why): over each sub-step h the
// conductances are frozen at their exact mean,
//   (1/h) int_0^h (g + y s) exp(-s/tau) ds = g (tau/h)(1 - exp(-h/tau))
//                                           + y h alpha_kernel_factor(h/tau),
// and the frozen linear equation is solved exactly. Sub-steps are at most a
// twentieth of the shorter synaptic time constant (PyNN's defaults, 0.3 and
// 0.5 ms, give 7 sub-steps at dt 0.1 ms).

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/model.hpp"

namespace ganglion::models {

struct if_cond_alpha {
    static constexpr std::size_t n_receptors = 2;  // excitatory, inhibitory
    static model_info info();

    struct parameters {
        double cm, tau_m, tau_refrac, tau_syn_E, tau_syn_I, e_rev_E, e_rev_I, v_rest, v_reset,
            v_thresh, i_offset;
        static parameters from(const parameter_values& v);
        void validate() const;
    };

    struct derived {
        int substeps;             // sub-steps per step
        double h;                 // sub-step, ms
        double decay_e, decay_i;  // exp(-h / tau_syn) over a sub-step
        double mean_ge, mean_gi;  // mean of g over a sub-step, per unit g
        double mean_ye, mean_yi;  // mean of g over a sub-step, per unit y
        double jump_e, jump_i;    // e / tau_syn: weight -> y
        double g_leak;            // uS
        std::int32_t refractory_steps;
        derived(const parameters& p, double dt);
    };

    struct state {
        std::vector<double> v, g_exc, g_inh;
        std::vector<double> y_exc, y_inh;  // uS/ms
        std::vector<std::int32_t> refractory;
        // Every array, for checkpoints (core/neuron_population.hpp).
        template <class F>
        void fields(F&& f) {
            f(v);
            f(g_exc);
            f(g_inh);
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

}  // namespace ganglion::models
