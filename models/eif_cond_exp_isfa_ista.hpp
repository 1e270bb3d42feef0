#pragma once

// PyNN's EIF_cond_exp_isfa_ista: the adaptive exponential integrate-and-fire
// neuron (AdEx; Brette & Gerstner 2005, J Neurophysiol 94:3637) with
// exponentially decaying conductances, as NEST's aeif_cond_exp:
//
//   cm dv/dt = g_L (v_rest - v) + g_L delta_T exp((v - v_thresh) / delta_T)
//              + g_e (e_rev_E - v) + g_i (e_rev_I - v) - w + i_offset
//   tau_w dw/dt = a (v - v_rest) - w
//   dg_x/dt = -g_x / tau_syn_x,   a spike of weight w_s (uS) adds w_s to g_x,
//
// g_L = cm / tau_m (uS), a in nS (1e-3 uS), w and b in nA. As in NEST, the
// right-hand side sees v through min(v, v_spike), so the exponential cannot
// overflow.
//
// Within a step the ODE is integrated with classical Runge-Kutta (RK4) on
// sub-steps of at most 0.01 ms, the conductances exactly. As in NEST, a
// spike is detected inside the step: at the first sub-step end with
// v >= v_spike, v is set to v_reset and w increases by b. For the rest of
// that step and the next round(tau_refrac / dt) steps v is clamped at
// v_reset (dv/dt = 0) while w and the conductances evolve (no clamp if
// tau_refrac rounds to zero steps). The step's input is added to the
// conductances at the step's end.

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/model.hpp"

namespace ganglion::models {

struct eif_cond_exp_isfa_ista {
    static constexpr std::size_t n_receptors = 2;  // excitatory, inhibitory
    static constexpr double max_substep = 0.01;    // ms
    static model_info info();

    struct parameters {
        double cm, tau_refrac, v_spike, v_reset, v_rest, tau_m, i_offset, a, b, delta_T, tau_w,
            v_thresh, e_rev_E, tau_syn_E, e_rev_I, tau_syn_I;
        static parameters from(const parameter_values& v);
        void validate() const;
    };

    struct derived {
        int substeps;
        double h;               // sub-step, ms
        double half_e, half_i;  // exp(-h / (2 tau_syn))
        double g_leak;          // uS
        double a_us;            // a in uS
        std::int32_t refractory_steps;
        derived(const parameters& p, double dt);
    };

    struct state {
        std::vector<double> v, w, g_exc, g_inh;
        std::vector<std::int32_t> refractory;
        // Every array, for checkpoints (core/neuron_population.hpp).
        template <class F>
        void fields(F&& f) {
            f(v);
            f(w);
            f(g_exc);
            f(g_inh);
            f(refractory);
        }
        void resize(std::size_t n, const parameters& p);
        double* variable(std::string_view name);
    };

    static void step(const parameters& p, const derived& d, state& s, const double* const* input,
                     std::uint8_t* spiked, std::size_t n);
};

}  // namespace ganglion::models
