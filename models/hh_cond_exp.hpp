#pragma once

// PyNN's HH_cond_exp: a single-compartment Hodgkin-Huxley neuron with
// Traub & Miles (1991) kinetics and exponentially decaying conductances,
// as NEST's hh_cond_exp_traub (which PyNN's NEST backend uses):
//
//   cm dv/dt = - gbar_Na m^3 h (v - e_rev_Na) - gbar_K n^4 (v - e_rev_K)
//              - g_leak (v - e_rev_leak) - g_e (v - e_rev_E) - g_i (v - e_rev_I) + i_offset
//   dx/dt = alpha_x(V) (1 - x) - beta_x(V) x,   x = m, h, n,   V = v - v_offset,
//   alpha_n = 0.032 (15 - V) / (exp((15 - V) / 5) - 1),  beta_n = 0.5 exp((10 - V) / 40)
//   alpha_m = 0.32 (13 - V) / (exp((13 - V) / 4) - 1),   beta_m = 0.28 (V - 40) / (exp((V - 40) /
//   5) - 1) alpha_h = 0.128 exp((17 - V) / 18),                  beta_h = 4 / (1 + exp((40 - V) /
//   5)) dg_x/dt = -g_x / tau_syn_x,   a spike of weight w (uS) adds w to g_x,
//
// rates in 1/ms, conductances in uS, currents in nA, cm in nF. The removable
// singularities of alpha_n, alpha_m and beta_m are evaluated through
// y / expm1(y) (its limit 1 at y = 0).
//
// The ODE is integrated with classical Runge-Kutta (RK4) on sub-steps of at
// most 0.01 ms, the conductances exactly. There is no reset. As in NEST:
// the step's input is added to the conductances at the step's end; then a
// neuron not refractory spikes when v >= v_offset + 30 mV and v fell during
// the step (just past the peak); a spike starts a refractory period of 2 ms
// (NEST's default t_ref; not a PyNN parameter) during which only spiking is
// suppressed.

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/model.hpp"

namespace ganglion::models {

struct hh_cond_exp {
    static constexpr std::size_t n_receptors = 2;  // excitatory, inhibitory
    static constexpr double max_substep = 0.01;    // ms
    static constexpr double t_ref = 2.0;           // ms
    static model_info info();

    struct parameters {
        double gbar_Na, gbar_K, g_leak, cm, v_offset, e_rev_Na, e_rev_K, e_rev_leak, e_rev_E,
            e_rev_I, tau_syn_E, tau_syn_I, i_offset;
        static parameters from(const parameter_values& v);
        void validate() const;
    };

    struct derived {
        int substeps;
        double h;               // sub-step, ms
        double half_e, half_i;  // exp(-h / (2 tau_syn))
        std::int32_t refractory_steps;
        derived(const parameters& p, double dt);
    };

    struct state {
        std::vector<double> v, m, h, n, g_exc, g_inh;
        std::vector<std::int32_t> refractory;
        // Every array, for checkpoints (core/neuron_population.hpp).
        template <class F>
        void fields(F&& f) {
            f(v);
            f(m);
            f(h);
            f(n);
            f(g_exc);
            f(g_inh);
            f(refractory);
        }
        void resize(std::size_t count, const parameters& p);
        double* variable(std::string_view name);
    };

    // Steady-state gating (m, h, n) at membrane potential v.
    static void equilibrium(const parameters& p, double v, double& m, double& h, double& n);

    static void step(const parameters& p, const derived& d, state& s, const double* const* input,
                     std::uint8_t* spiked, std::size_t n);
};

}  // namespace ganglion::models
