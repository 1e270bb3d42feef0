#pragma once

// IF_curr_alpha as sPyNNaker runs it (neuron_model_lif_impl with
// synapse_types_alpha_impl, input_type_current, threshold_type_static, in
// neuron_impl_standard's order), in s16.15 fixed point. Each synapse holds
// three values: lin (the linear term), exp (the exponential term) and q (the
// last input); its current is lin * exp.
//
//   1. a receptor whose ring-buffer input is > 0 this step takes it
//      (add_input_alpha):
//        q = input;  exp = decay_s1615(exp, decay) + 1;
//        lin = (lin + input * dt_over_tau2) * (1 - 1 / exp)
//      (1 / exp is accum division, truncated towards zero as GCC's divsa3);
//   2. I = lin_exc * exp_exc - lin_inh * exp_inh + i_offset + injected, and
//      the LIF step of if_curr_exp.hpp (outside the refractory period);
//      threshold, reset and refractory timer as there;
//   3. every synapse is shaped (alpha_shaping):
//        lin += q * dt_over_tau2;  exp = decay_s1615(exp, decay).
//
// q is never cleared, so after a single input of weight w in step s the
// current in step s + k is k (w dt / tau^2) exp(-k dt / tau): samples of
// w t / tau^2 exp(-t / tau), an alpha function of unit area (integral w
// nA ms), peaking at w / (e tau) at t = tau. PyNN (and the double model)
// normalise the alpha function to a peak of w instead: for the same
// weight sPyNNaker's PSC is e tau times smaller (1.36x at tau 0.5 ms, 13.6x
// at 5 ms). That is sPyNNaker's definition and this model keeps it. The
// `1 - 1 / exp` factor is its heuristic for a new input arriving while an
// older one is still decaying (it keeps lin * exp continuous); it is exact
// superposition only for the first input.
//
// Host side (the sPyNNaker versions that compute factors on the host,
// SynapseTypeAlpha.get_values): dt_over_tau2 = dt / tau^2 as s16.15 (rounded
// to nearest), decay = exp(-dt / tau) as u0.32 (sPyNNaker writes it as
// DataType.U032, which rounds; DESIGN.md's rule for decay factors,
// truncation, is used here: at most 2^-32 apart); lin, exp and q start at 0.
// Later sPyNNaker versions compute both factors on the core.
//
// The recorded isyn_exc / isyn_inh (nA) are lin * exp after the step's
// shaping: the current the next step will use before its own input. They
// are outputs: an initial value written to them is overwritten by the
// first step (sPyNNaker's initial state is lin and exp, both 0 here).
//
// Checked against sPyNNaker's neural_modelling/src/neuron/synapse_types/
// synapse_types_alpha_impl.h (add_input_alpha, alpha_shaping, the `input >
// ZERO` guard, lin * exp as the input) and spynnaker/pyNN/models/neuron/
// synapse_types/synapse_type_alpha.py (dt / tau^2, exp(-dt / tau), U032).

#include <cstdint>
#include <vector>

#include "core/fixed_point.hpp"
#include "models/if_curr_alpha.hpp"
#include "models/spinnaker/if_curr_exp.hpp"

namespace ganglion::models::spinnaker {

// The alpha synapse's two host-computed factors.
struct alpha_synapse {
    fixed::accum dt_over_tau2;  // dt / tau^2
    fixed::ufract decay;        // exp(-dt / tau)
    alpha_synapse() = default;
    alpha_synapse(double tau, double dt);

    // One receptor's state, raw s16.15 values.
    struct values {
        std::int32_t& lin;
        std::int32_t& exp;
        std::int32_t& q;
    };
    // add_input_alpha, for input > 0.
    void add(values v, fixed::accum input) const;
    // The synaptic current lin * exp.
    static fixed::accum current(values v) {
        return fixed::accum::from_raw(v.lin) * fixed::accum::from_raw(v.exp);
    }
    // alpha_shaping.
    void shape(values v) const;
};

struct if_curr_alpha {
    using double_model = models::if_curr_alpha;
    static constexpr std::size_t n_receptors = 2;
    static constexpr double weight_scale = 1.0;

    // The LIF membrane (lif_membrane) and the model's own values.
    struct parameters : lif_membrane {
        fixed::accum i_offset;
        alpha_synapse exc, inh;
        parameters(const double_model::parameters& p, double dt);
    };

    struct state {
        std::vector<std::int32_t> v, refract_timer;
        std::vector<std::int32_t> lin_exc, exp_exc, q_exc, lin_inh, exp_inh, q_inh;
        std::vector<std::int32_t> isyn_exc, isyn_inh;  // lin * exp after the step (recorded)
        void resize(std::size_t n, const parameters& p);
        template <class F>
        void fields(F&& f) {
            f(v);
            f(refract_timer);
            f(lin_exc);
            f(exp_exc);
            f(q_exc);
            f(lin_inh);
            f(exp_inh);
            f(q_inh);
            f(isyn_exc);
            f(isyn_inh);
        }
        template <class F>
        void variables(F&& f) {
            f("v", v, 1.0);
            f("isyn_exc", isyn_exc, 1.0);
            f("isyn_inh", isyn_inh, 1.0);
        }
    };

    static void step(const parameters& p, state& s, const fixed::accum* const* input,
                     std::uint8_t* spiked, std::size_t n);
};

}  // namespace ganglion::models::spinnaker
