#pragma once

// IF_cond_exp as sPyNNaker runs it (neuron_model_lif_impl with exponential
// synapses, input_type_conductance and threshold_type_static, in
// neuron_impl_standard's order), in s16.15 fixed point:
//
//   1. this step's ring-buffer input enters each synapse scaled by `init`
//      (synapse_types_exponential_impl): g += decay_s1615(input, init);
//   2. input_type_conductance turns the synaptic values into conductances
//      with `g >> 10` (an arithmetic shift of the raw bits: exact division by
//      1024 rounded towards minus infinity) and into currents at the
//      membrane voltage of the step's start:
//        I_exc = g_exc * (e_rev_E - v),   I_inh = -g_inh * (e_rev_I - v)
//      (the minus applied to the conductance before the multiply);
//   3. the LIF step of if_curr_exp.hpp with I = I_exc - I_inh + i_offset +
//      injected (outside the refractory period; inside it the timer counts
//      down), the threshold check, reset and refractory timer;
//   4. each synapse decays: g = decay_s1615(g, decay).
//
// Host side: the conductance input's global weight scale is 1024
// (InputTypeConductance.get_global_weight_scale), so a weight w (uS) reaches
// the ring buffer as w * 1024 and the synaptic state holds g * 1024 in
// s16.15; 64 uS is the largest conductance it can hold. decay and init as
// for IF_curr_exp: exp(-dt/tau_syn) and (tau_syn/dt)(1 - decay), computed in
// double and truncated to u0.32 (the sPyNNaker versions that compute them on
// the host; later versions compute them on the core with expk, which
// DESIGN.md does not follow). e_rev_E and e_rev_I are s16.15 rounded to
// nearest (DataType.S1615).
//
// The recorded gsyn_exc / gsyn_inh are g in uS (the state's raw value times
// 2^-15 / 1024), after the step's decay, as the double model's.
//
// Checked against sPyNNaker's neural_modelling/src/neuron/input_types/
// input_type_conductance.h (the `>> 10`, the currents, the negated
// inhibitory conductance), spynnaker/pyNN/models/neuron/input_types/
// input_type_conductance.py (weight scale 1024), synapse_types_exponential
// and neuron_impl_standard.h (order: synapses' input, input type, neuron
// model, threshold, shaping).

#include <cstdint>
#include <vector>

#include "core/fixed_point.hpp"
#include "models/if_cond_exp.hpp"
#include "models/spinnaker/if_curr_exp.hpp"

namespace ganglion::models::spinnaker {

struct if_cond_exp {
    using double_model = models::if_cond_exp;
    static constexpr std::size_t n_receptors = 2;
    static constexpr double weight_scale = 1024.0;
    // input_type_conductance's `>> 10`: the synaptic state is g * 2^10.
    static constexpr int conductance_shift = 10;

    // The LIF membrane (lif_membrane) and the model's own values.
    struct parameters : lif_membrane {
        fixed::accum i_offset, e_rev_E, e_rev_I;
        exp_synapse exc, inh;
        parameters(const double_model::parameters& p, double dt);
    };

    struct state {
        // gsyn_*: g * 1024 (g in uS) as s16.15.
        std::vector<std::int32_t> v, gsyn_exc, gsyn_inh, refract_timer;
        void resize(std::size_t n, const parameters& p);
        template <class F>
        void fields(F&& f) {
            f(v);
            f(gsyn_exc);
            f(gsyn_inh);
            f(refract_timer);
        }
        template <class F>
        void variables(F&& f) {
            f("v", v, 1.0);
            f("gsyn_exc", gsyn_exc, 1.0 / 1024.0);
            f("gsyn_inh", gsyn_inh, 1.0 / 1024.0);
        }
    };

    static void step(const parameters& p, state& s, const fixed::accum* const* input,
                     std::uint8_t* spiked, std::size_t n);
};

}  // namespace ganglion::models::spinnaker
