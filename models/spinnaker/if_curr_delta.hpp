#pragma once

// IF_curr_delta as sPyNNaker runs it (neuron_model_lif_impl with
// synapse_types_delta_impl, input_type_delta, threshold_type_static, in
// neuron_impl_standard's order), in s16.15 fixed point:
//
//   1. the delta synapse holds exactly this step's ring-buffer input (it
//      adds the input, and its shaping sets it back to zero after the
//      neuron update);
//   2. input_type_delta turns it into a current for this one step:
//        I_x = input_x * scale_factor,   scale_factor = 1 / dt (1/ms);
//   3. the LIF step of if_curr_exp.hpp with I = I_exc - I_inh + i_offset +
//      injected (outside the refractory period: input arriving while the
//      timer runs is lost, as the double model's); threshold, reset and
//      refractory timer as there.
//
// What a weight means: a weight w becomes a current w / dt held for one
// step, so the membrane jumps by
//   (1 - exp_tc) R w / dt = w / cm * (tau_m / dt)(1 - exp(-dt / tau_m)),
// that is w / cm (w read as a charge in nA ms = pC) up to a factor
// 1 - dt / (2 tau_m) + ... PyNN's IF_curr_delta (and the double model)
// read w as the jump in mV: the two agree for cm = 1 nF (sPyNNaker's
// default cm for this model) and differ by the factor 1 / cm otherwise.
// The jump also arrives in the step of the input, through the same
// membrane step, rather than after it.
//
// Host side (InputTypeDelta.get_values, the versions that compute it on the
// host): scale_factor = 1000 / machine_time_step(us) = 1 / dt as s16.15,
// rounded to nearest; global weight scale 1. The LIF constants as for
// IF_curr_exp.
//
// Checked against sPyNNaker's neural_modelling/src/neuron/input_types/
// input_type_delta.h (input * scale_factor in the conversion to current),
// synapse_types_delta_impl.h (add, then zero at shaping), spynnaker/pyNN/
// models/neuron/input_types/input_type_delta.py (1000 / ts) and
// spynnaker/pyNN/models/neuron/builds/if_curr_delta.py (the components,
// cm = 1.0 default).

#include <cstdint>
#include <vector>

#include "core/fixed_point.hpp"
#include "models/if_curr_delta.hpp"
#include "models/spinnaker/if_curr_exp.hpp"

namespace ganglion::models::spinnaker {

struct if_curr_delta {
    using double_model = models::if_curr_delta;
    static constexpr std::size_t n_receptors = 2;
    static constexpr double weight_scale = 1.0;

    // The LIF membrane (lif_membrane) and the model's own values.
    struct parameters : lif_membrane {
        fixed::accum i_offset;
        fixed::accum scale_factor;  // 1 / dt, 1/ms
        parameters(const double_model::parameters& p, double dt);
    };

    struct state {
        std::vector<std::int32_t> v, refract_timer;
        void resize(std::size_t n, const parameters& p);
        template <class F>
        void fields(F&& f) {
            f(v);
            f(refract_timer);
        }
        template <class F>
        void variables(F&& f) {
            f("v", v, 1.0);
        }
    };

    static void step(const parameters& p, state& s, const fixed::accum* const* input,
                     std::uint8_t* spiked, std::size_t n);
};

}  // namespace ganglion::models::spinnaker
