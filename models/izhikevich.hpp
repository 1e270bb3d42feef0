#pragma once

// PyNN's Izhikevich: the quadratic integrate-and-fire model of Izhikevich
// (2003, IEEE Trans. Neural Netw. 14(6)),
//
//   dv/dt = 0.04 v^2 + 5 v + 140 - u + I,   du/dt = a (b v - u),
//   when v >= 30 mV: v = c, u = u + d,
//
// v in mV, u and I in mV/ms, t in ms. I = 1000 i_offset: PyNN gives i_offset
// in nA and its NEST backend passes it to NEST's izhikevich as I_e in pA,
// used there numerically as mV/ms. Synapses are Dirac deltas (PyNN:
// "voltage step"): as in NEST's izhikevich, a weight w moves v by w mV at
// once (PyNN's receptor_scale 1e-3 undoes its usual nA -> pA scaling).
// Inhibitory weights are negative.
//
// Order within a step, as NEST's izhikevich: v and u advance over the step;
// then the step's input is added to v; then v >= 30 mV is checked and the
// reset applied. NEST integrates with one (semi-)Euler step of dt; here the
// ODE is integrated with classical Runge-Kutta (RK4) on sub-steps of at most
// 0.01 ms, which agrees with a tight-tolerance reference to well within a
// step (tests/unit/test_izhikevich.cpp). Because v diverges in finite time
// once past threshold, integration within a step stops at the first
// sub-step end with v >= 30 mV (the state is held there until the step's
// end); the spike is still reported in that step.

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/model.hpp"

namespace ganglion::models {

struct izhikevich {
    static constexpr std::size_t n_receptors = 2;  // excitatory, inhibitory
    static constexpr double v_peak = 30.0;         // mV
    static constexpr double max_substep = 0.01;    // ms
    static model_info info();

    struct parameters {
        double a, b, c, d, i_offset;
        static parameters from(const parameter_values& v);
        void validate() const;
    };

    struct derived {
        int substeps;
        double h;      // sub-step, ms
        double drive;  // 140 + 1000 i_offset, mV/ms
        derived(const parameters& p, double dt);
    };

    struct state {
        std::vector<double> v, u;
        // Every array, for checkpoints (core/neuron_population.hpp).
        template <class F>
        void fields(F&& f) {
            f(v);
            f(u);
        }
        void resize(std::size_t n, const parameters& p);
        double* variable(std::string_view name);
    };

    static void step(const parameters& p, const derived& d, state& s, const double* const* input,
                     std::uint8_t* spiked, std::size_t n);
};

}  // namespace ganglion::models
