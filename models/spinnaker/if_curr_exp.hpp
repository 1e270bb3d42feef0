#pragma once

// IF_curr_exp as sPyNNaker runs it (neuron_model_lif_impl with exponential
// current synapses, static threshold, in neuron_impl_standard's order), in
// s16.15 fixed point:
//
//   1. this step's ring-buffer input enters each synapse scaled by `init`:
//        isyn += decay_s1615(input, init)
//   2. outside the refractory period (timer <= 0):
//        I = isyn_exc - isyn_inh + i_offset + injected
//        alpha = I * R + v_rest;  v = alpha - exp_tc * (alpha - v)
//      inside it, the timer counts down by one instead;
//   3. v >= v_thresh: spike, v = v_reset, timer = T_refract;
//   4. each synapse decays: isyn = decay_s1615(isyn, decay).
//
// Host side (sPyNNaker's Python): R = tau_m / cm, exp_tc = exp(-dt/tau_m)
// and the voltages as s16.15 (rounded to nearest); decay = exp(-dt/tau_syn)
// and init = (tau_syn/dt)(1 - decay) as u0.32 (truncated); T_refract =
// ceil(tau_refrac / dt) steps. Weights are magnitudes (the
// inhibitory receptor subtracts), weight scale 1.

#include <cstdint>
#include <vector>

#include "core/fixed_point.hpp"
#include "models/if_curr_exp.hpp"

namespace ganglion::models::spinnaker {

// The exponential synapse's two host-computed factors.
struct exp_synapse {
    fixed::ufract decay, init;
    exp_synapse() = default;
    exp_synapse(double tau, double dt);
};

// The LIF membrane of sPyNNaker, shared by the LIF models: one step of
// v = alpha - exp_tc * (alpha - v), alpha = I * R + v_rest, outside the
// refractory period; returns whether v reached v_thresh (then v = v_reset
// and the timer restarts).
struct lif_membrane {
    fixed::accum v_rest, v_reset, v_thresh, r_membrane, exp_tc;
    std::int32_t t_refract;
    bool step(std::int32_t& v_raw, std::int32_t& timer, fixed::accum input) const {
        fixed::accum v = fixed::accum::from_raw(v_raw);
        if (timer <= 0) {
            const fixed::accum alpha = input * r_membrane + v_rest;
            v = alpha - exp_tc * (alpha - v);
        } else {
            --timer;
        }
        const bool spike = v >= v_thresh;
        if (spike) {
            v = v_reset;
            timer = t_refract;
        }
        v_raw = v.raw;
        return spike;
    }
};
lif_membrane make_lif_membrane(double cm, double tau_m, double tau_refrac, double v_rest,
                               double v_reset, double v_thresh, double dt);

struct if_curr_exp {
    using double_model = models::if_curr_exp;
    static constexpr std::size_t n_receptors = 2;
    static constexpr double weight_scale = 1.0;

    // The LIF membrane (lif_membrane) and the model's own values.
    struct parameters : lif_membrane {
        fixed::accum i_offset;
        exp_synapse exc, inh;
        parameters(const double_model::parameters& p, double dt);
    };

    struct state {
        std::vector<std::int32_t> v, isyn_exc, isyn_inh, refract_timer;
        void resize(std::size_t n, const parameters& p);
        template <class F>
        void fields(F&& f) {
            f(v);
            f(isyn_exc);
            f(isyn_inh);
            f(refract_timer);
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
