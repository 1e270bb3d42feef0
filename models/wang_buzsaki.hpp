#pragma once

// WangBuzsaki: the fast-spiking hippocampal interneuron of Wang & Buzsaki
// (1996), "Gamma oscillation by synaptic inhibition in a hippocampal
// interneuronal network model", J Neurosci 16:6402-6413:
//
//   i_ion = gbar_Na m_inf^3 h (v - e_rev_Na) + gbar_K n^4 (v - e_rev_K)
//           + g_leak (v - e_rev_leak)                                      (uA/cm2)
//   m_inf = alpha_m / (alpha_m + beta_m)   (activation taken as instantaneous)
//   dx/dt = phi (alpha_x (1 - x) - beta_x x),  x = h, n,
//   alpha_m = 0.1 (V + 35) / (1 - exp(-0.1 (V + 35))),   beta_m = 4 exp(-(V + 60) / 18)
//   alpha_h = 0.07 exp(-(V + 58) / 20),                  beta_h = 1 / (1 + exp(-0.1 (V + 28)))
//   alpha_n = 0.01 (V + 34) / (1 - exp(-0.1 (V + 34))),  beta_n = 0.125 exp(-(V + 44) / 80)
//
// V in mV, rates in 1/ms; the paper's constants: C_m 1 uF/cm2, g_Na 35,
// g_K 9, g_L 0.1 mS/cm2, E_Na 55, E_K -90, E_L -65 mV, phi = 5. The resting
// potential is -64.02 mV (v starts at -65 mV, the paper's and NEURON's
// v_init); the rheobase, a saddle-node on the invariant circle (type I),
// is 0.160 uA/cm2 (1.13 pA for the default 15 x 15 um soma).
//
// Soma, Exp2Syn synapses, spike detection and integration (RK4 on sub-steps
// of at most 0.01 ms): models/soma.hpp.

#include <array>
#include <vector>

#include "models/soma.hpp"

namespace ganglion::models {

struct wang_buzsaki_kinetics {
    static constexpr const char* name = "WangBuzsaki";
    static constexpr const char* description =
        "Wang-Buzsaki (1996) fast-spiking interneuron (Na with instantaneous activation, K, "
        "leak) with NEURON Exp2Syn conductance synapses";
    static constexpr double v_init = -65.0;  // mV
    static constexpr std::size_t n_gates = 2;
    static constexpr std::array<const char*, n_gates> gate_names{"h", "n"};
    using gates = std::array<double, n_gates>;

    struct channels {
        double gbar_Na, gbar_K, g_leak, e_rev_Na, e_rev_K, e_rev_leak, phi;
        static channels from(const parameter_values& v, const model_info& m);
        void validate() const;
    };
    static std::vector<parameter_info> channel_parameters();
    static gates steady_state(double v);
    static double derivatives(const channels& c, double v, const gates& x, gates& dx);
};

using wang_buzsaki = soma::cell<wang_buzsaki_kinetics>;
extern template struct soma::cell<wang_buzsaki_kinetics>;

}  // namespace ganglion::models
