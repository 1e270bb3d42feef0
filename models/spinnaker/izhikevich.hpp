#pragma once

// Izhikevich as sPyNNaker's neuron_model_izh_impl runs it, in s16.15 fixed
// point. One step, with h = this_h (the time step, or 1.85 time steps in
// the step after a spike):
//
//   I     = I_exc - I_inh + injected + I_offset            (mV/ms)
//   pre   = 140 + I - u
//   alpha = pre + (5 + M v) v                              (= dv/dt at v, u)
//   eta   = v + half(h alpha)                              (midpoint v)
//   beta  = half((h (b v - u)) a)                          (= h/2 du/dt)
//   v    += h (pre - beta + (5 + M eta) eta)
//   u    += (a h)(-u - beta + b eta)
//   this_h = dt
//   v >= 30: spike, v = c, u += d, this_h = dt * 1.85
//
// that is one explicit midpoint (RK2) step of dv/dt = 0.04 v^2 + 5 v + 140 -
// u + I, du/dt = a (b v - u), with every product truncated as accum
// products are (the evaluation order above is sPyNNaker's, which fixes the
// truncations). M = 0.040008544921875 (raw 1311), sPyNNaker's
// MAGIC_MULTIPLIER, one step of 2^-15 above 0.04k (raw 1310: GCC truncates
// fixed-point literals); half(x) = x * 0.5k. SIMPLE_TQ_OFFSET = 1.85k is raw
// 60620 (truncated likewise) and this_h after a spike is the accum product
// dt * 1.85k. The threshold is threshold_type_static at 30 mV (`>=`).
//
// Host side (the sPyNNaker versions that pass the time step from the
// host: NeuronModelIzh.get_values / get_global_values): a, b, c, d,
// I_offset, v, u, this_h = dt as s16.15, rounded to nearest.
//
// Where this model departs from sPyNNaker's IZK_curr_exp, and why:
// - Synapses. The double model is PyNN's Izhikevich, whose synapses are
//   voltage steps (weights in mV) and which has no tau_syn; sPyNNaker's
//   build instead uses exponential current synapses (tau_syn 5 ms). Here
//   the synapses are sPyNNaker's delta components, as its IF_curr_delta
//   uses them: the input becomes a current input * (1/dt) for one step
//   (input_type_delta), which the RK2 step turns into a jump of about
//   h / dt * w = w mV (1.85 w in the step after a spike). Weights are
//   magnitudes; the inhibitory receptor subtracts. Global weight scale 1.
// - Units of I. sPyNNaker adds i_offset (nA) to dv/dt unscaled (1 nA = 1
//   mV/ms); PyNN's NEST backend, and the double model, use 1 nA = 1000
//   mV/ms. I_offset here is 1000 i_offset and injected currents are scaled
//   by 1000 (exact integer multiply), so that a model file means the same in
//   both arithmetics. A current source's nA reaches the model as s16.15, so
//   its resolution is 1000 * 2^-15 = 0.03 mV/ms.
//
// Checked against sPyNNaker's neural_modelling/src/neuron/models/
// neuron_model_izh_impl.h / .c (rk2_kernel_midpoint, MAGIC_MULTIPLIER,
// SIMPLE_TQ_OFFSET, this_h reset order), neural_modelling/src/common/
// maths-util.h (REAL_HALF), threshold_types/threshold_type_static.h (>=),
// spynnaker/pyNN/models/neuron/neuron_models/neuron_model_izh.py and
// builds/izk_curr_exp_base.py (threshold 30, exponential synapses).

#include <cstdint>
#include <vector>

#include "core/fixed_point.hpp"
#include "models/izhikevich.hpp"

namespace ganglion::models::spinnaker {

// The RK2 time steps of sPyNNaker's Izhikevich models.
struct izh_timestep {
    // SIMPLE_TQ_OFFSET = 1.85k and REAL_HALF's 0.5k.
    static constexpr fixed::accum simple_tq_offset = fixed::accum::from_raw(60620);
    static constexpr fixed::accum half = fixed::accum::from_raw(1 << 14);
    fixed::accum h;              // dt
    fixed::accum h_after_spike;  // dt * 1.85k
    explicit izh_timestep(double dt)
        : h(fixed::to_accum(dt, "dt")), h_after_spike(h * simple_tq_offset) {}
};

struct izhikevich {
    using double_model = models::izhikevich;
    static constexpr std::size_t n_receptors = 2;
    static constexpr double weight_scale = 1.0;
    static constexpr fixed::accum magic_multiplier = fixed::accum::from_raw(1311);
    static constexpr fixed::accum v_thresh = fixed::accum::from_raw(30 << 15);

    struct parameters {
        fixed::accum a, b, c, d;
        fixed::accum i_offset;      // 1000 i_offset, mV/ms
        fixed::accum scale_factor;  // delta input: 1 / dt
        izh_timestep h;
        parameters(const double_model::parameters& p, double dt);
    };

    struct state {
        std::vector<std::int32_t> v, u, this_h;
        void resize(std::size_t n, const parameters& p);
        template <class F>
        void fields(F&& f) {
            f(v);
            f(u);
            f(this_h);
        }
        template <class F>
        void variables(F&& f) {
            f("v", v, 1.0);
            f("u", u, 1.0);
        }
    };

    // One RK2 midpoint step of sPyNNaker's kernel (no threshold).
    static void rk2(const parameters& p, fixed::accum h, fixed::accum input, std::int32_t& v,
                    std::int32_t& u);

    static void step(const parameters& p, state& s, const fixed::accum* const* input,
                     std::uint8_t* spiked, std::size_t n);
};

}  // namespace ganglion::models::spinnaker
