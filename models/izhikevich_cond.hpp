#pragma once

// Izhikevich_cond: the general ("simple") model of Izhikevich (2007,
// Dynamical Systems in Neuroscience, ch. 8) in physical units, with
// exponentially decaying synaptic conductances:
//
//   C dv/dt = k (v - v_r)(v - v_t) - u - g_e (v - e_rev_E) - g_i (v - e_rev_I) + I,
//   du/dt = a (b (v - v_r) - u),   dg_x/dt = -g_x / tau_syn_x,
//   when v >= v_peak: v = c, u = u + d,
//
// C in pF, k in nS/mV, v in mV, u, d and I in pA, a in 1/ms, b and g in nS,
// I = i_offset + injected current. Unlike the PyNN models, the cell's own
// parameters keep the book's units (pF, nS, pA: the published parameter
// tables apply as they are), i_offset included. What crosses the model's
// edge keeps PyNN's units, as for every other model: a synaptic weight is a
// conductance in uS (adding 1000 w nS to g), and a current source's current
// is in nA (1000 pA). The recorded gsyn_exc and gsyn_inh are in nS.
//
// Order within a step: first a spike left pending by the previous step
// (v >= v_peak at the step's start; see below) fires: v = c, u += d. Then v
// and u advance with classical Runge-Kutta (RK4) on sub-steps of at most
// 0.01 ms, the conductances decaying exactly. At the first sub-step end with
// v >= v_peak the crossing time inside that sub-step is located on the
// cubic Hermite interpolant of v (values and slopes at both ends), the reset
// applied there and the rest of the sub-step integrated from the reset
// state: spike-to-spike timing then converges with the sub-step, not with
// dt (tests/unit/test_izhikevich_cond.cpp compares with a reference that
// resets at the exact crossing). The spike is reported in that step. A
// neuron reports at most one spike per step: a second crossing within the
// same step stops integration there (v held at or above v_peak) and fires
// at the start of the next step. Finally the conductances take the step's
// input.

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/model.hpp"

namespace ganglion::models {

struct izhikevich_cond {
    static constexpr std::size_t n_receptors = 2;  // excitatory, inhibitory
    static constexpr double max_substep = 0.01;    // ms
    static model_info info();

    struct parameters {
        double C, k, v_r, v_t, v_peak, a, b, c, d, tau_syn_E, tau_syn_I, e_rev_E, e_rev_I, i_offset;
        static parameters from(const parameter_values& v);
        void validate() const;
    };

    struct derived {
        int substeps;
        double h;               // sub-step, ms
        double half_e, half_i;  // exp(-h / (2 tau_syn))
        derived(const parameters& p, double dt);
    };

    struct state {
        std::vector<double> v, u, g_exc, g_inh;  // mV, pA, nS, nS
        // Every array, for checkpoints (core/neuron_population.hpp).
        template <class F>
        void fields(F&& f) {
            f(v);
            f(u);
            f(g_exc);
            f(g_inh);
        }
        void resize(std::size_t n, const parameters& p);
        double* variable(std::string_view name);
    };

    static void step(const parameters& p, const derived& d, state& s, const double* const* input,
                     std::uint8_t* spiked, std::size_t n);
};

}  // namespace ganglion::models
