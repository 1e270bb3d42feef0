#pragma once

// ConnorStevens: the Connor-Stevens model (Connor, Walter & McKown 1977,
// Biophys J 18:81; Connor & Stevens 1971) in the form of Dayan & Abbott,
// Theoretical Neuroscience (MIT Press 2001), section 6.2 and the rate
// functions of its chapter 6 appendix: fast Na, delayed-rectifier K and the
// transient A-type K current that gives type I excitability (firing rates
// that rise continuously from zero above rheobase), plus leak:
//
//   i_ion = g_leak (v - e_rev_leak) + gbar_Na m^3 h (v - e_rev_Na)
//           + gbar_K n^4 (v - e_rev_K) + gbar_A a^3 b (v - e_rev_A)       (uA/cm2)
//   dx/dt = alpha_x (1 - x) - beta_x x,  x = m, h, n;  dx/dt = (x_inf - x) / tau_x,  x = a, b,
//   alpha_m = 0.38 (V + 29.7) / (1 - exp(-0.1 (V + 29.7))),  beta_m = 15.2 exp(-0.0556 (V + 54.7))
//   alpha_h = 0.266 exp(-0.05 (V + 48)),                     beta_h = 3.8 / (1 + exp(-0.1 (V +
//   18))) alpha_n = 0.02 (V + 45.7) / (1 - exp(-0.1 (V + 45.7))), beta_n = 0.25 exp(-0.0125 (V
//   + 55.7)) a_inf = (0.0761 exp(0.0314 (V + 94.22)) / (1 + exp(0.0346 (V + 1.17))))^(1/3) tau_a =
//   0.3632 + 1.158 / (1 + exp(0.0497 (V + 55.96))) b_inf = (1 / (1 + exp(0.0688 (V + 53.3))))^4
//   tau_b = 1.24 + 2.678 / (1 + exp(0.0624 (V + 50)))
//
// V in mV, rates in 1/ms, tau in ms. The book's constants, in NEURON's
// density units: c_m 10 nF/mm2 = 1 uF/cm2; g_L 0.003, g_Na 1.2, g_K 0.2,
// g_A 0.477 mS/mm2 = 0.3, 120, 20, 47.7 mS/cm2; E_L -17, E_Na 55, E_K -72,
// E_A -75 mV. The resting potential is -67.98 mV (v starts at -68 mV, the
// book's); the rheobase, a saddle-node on the invariant circle, is
// 8.11 uA/cm2 (0.057 nA for the default 15 x 15 um soma).
//
// Soma, Exp2Syn synapses, spike detection and integration (RK4 on sub-steps
// of at most 0.01 ms): models/soma.hpp.

#include <array>
#include <vector>

#include "models/soma.hpp"

namespace ganglion::models {

struct connor_stevens_kinetics {
    static constexpr const char* name = "ConnorStevens";
    static constexpr const char* description =
        "Connor-Stevens single-compartment neuron (Na, K delayed rectifier, A-type K, leak; "
        "Dayan & Abbott 2001) with NEURON Exp2Syn conductance synapses";
    static constexpr double v_init = -68.0;  // mV
    static constexpr std::size_t n_gates = 5;
    static constexpr std::array<const char*, n_gates> gate_names{"m", "h", "n", "a", "b"};
    using gates = std::array<double, n_gates>;

    struct channels {
        double gbar_Na, gbar_K, gbar_A, g_leak, e_rev_Na, e_rev_K, e_rev_A, e_rev_leak;
        static channels from(const parameter_values& v, const model_info& m);
        void validate() const;
    };
    static std::vector<parameter_info> channel_parameters();
    static gates steady_state(double v);
    static double derivatives(const channels& c, double v, const gates& x, gates& dx);
};

using connor_stevens = soma::cell<connor_stevens_kinetics>;
extern template struct soma::cell<connor_stevens_kinetics>;

}  // namespace ganglion::models
