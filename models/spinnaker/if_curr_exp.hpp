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

// The arithmetic above on raw int32s, without branches, for step loops
// that vectorise (same bits; tests/unit/test_spinnaker_models.cpp compares
// each vectorised step with the scalar forms neuron by neuron).
namespace raw {

// decay_s1615(x, d) for a u0.32 factor d: with d_s = d read as signed,
// x d = x d_s + x 2^32 [d >= 2^31], so hi32(x d) = hi32(x d_s) + x [d >= 2^31]
// exactly: one signed 32 x 32 -> 64 product, which every vector unit has.
struct decay_by {
    std::int32_t d_signed;
    std::uint32_t top;  // all ones if the factor's top bit is set
    explicit decay_by(fixed::ufract d)
        : d_signed(static_cast<std::int32_t>(d.raw)), top(d.raw >> 31 ? ~0u : 0u) {}
    std::int32_t operator()(std::int32_t x) const {
        const auto hi = static_cast<std::uint32_t>(
            static_cast<std::uint64_t>(static_cast<std::int64_t>(x) * d_signed) >> 32);
        return static_cast<std::int32_t>(hi + (static_cast<std::uint32_t>(x) & top));
    }
};

// accum * accum: the 64-bit product >> 15, low 32 bits.
inline std::int32_t mul(std::int32_t a, std::int32_t b) {
    return static_cast<std::int32_t>(static_cast<std::uint32_t>(static_cast<std::uint64_t>(
        static_cast<std::int64_t>(a) * b >> fixed::accum_fraction_bits)));
}
// Wrapping sums, as accum's + and -.
inline std::int32_t add(std::int32_t a, std::int32_t b) {
    return static_cast<std::int32_t>(static_cast<std::uint32_t>(a) + static_cast<std::uint32_t>(b));
}
inline std::int32_t sub(std::int32_t a, std::int32_t b) {
    return static_cast<std::int32_t>(static_cast<std::uint32_t>(a) - static_cast<std::uint32_t>(b));
}

// lif_membrane::step with the membrane's `if` as a select (every lane
// computes both sides). The constants are copied out of the membrane so a
// loop keeps them in registers (the state arrays are int32s too and could
// alias them otherwise).
struct lif {
    std::int32_t v_rest, v_reset, v_thresh, r_membrane, exp_tc, t_refract;
    explicit lif(const lif_membrane& m)
        : v_rest(m.v_rest.raw),
          v_reset(m.v_reset.raw),
          v_thresh(m.v_thresh.raw),
          r_membrane(m.r_membrane.raw),
          exp_tc(m.exp_tc.raw),
          t_refract(m.t_refract) {}
    // Returns 1 if the neuron spiked.
    std::uint8_t step(std::int32_t& v, std::int32_t& timer, std::int32_t current) const {
        const std::int32_t v_old = v, t = timer;
        const std::int32_t alpha = add(mul(current, r_membrane), v_rest);
        const std::int32_t v_free = sub(alpha, mul(exp_tc, sub(alpha, v_old)));
        const bool free = t <= 0;
        const std::int32_t v_new = free ? v_free : v_old;
        const std::int32_t t_new = free ? t : t - 1;
        const bool spike = v_new >= v_thresh;
        v = spike ? v_reset : v_new;
        timer = spike ? t_refract : t_new;
        return spike ? 1 : 0;
    }
};

// One step of a LIF neuron with two exponential synapses, as
// sPyNNaker's neuron_impl_standard orders it, on the raw state arrays:
// this step's input enters each synaptic state scaled by `init`; the
// membrane takes current(g_exc, g_inh, v) + injected + i_offset; the
// synaptic states decay. For the models' step functions, inside their
// GANGLION_VECTOR_CLONES (inlined, so each clone vectorises the loop).
template <class P, class Current>
[[gnu::always_inline]] inline void lif_exp_step(const P& p, std::int32_t* __restrict v,
                                                std::int32_t* __restrict g_exc,
                                                std::int32_t* __restrict g_inh,
                                                std::int32_t* __restrict timer,
                                                const fixed::accum* const* input,
                                                std::uint8_t* __restrict spiked, std::size_t n,
                                                Current current) {
    const fixed::accum* __restrict in_e = input[0];
    const fixed::accum* __restrict in_i = input[1];
    const fixed::accum* __restrict inj = input[2];
    const decay_by init_e(p.exc.init), init_i(p.inh.init), decay_e(p.exc.decay),
        decay_i(p.inh.decay);
    const lif m(p);
    const std::int32_t i_offset = p.i_offset.raw;
#pragma omp simd
    for (std::size_t i = 0; i < n; ++i) {
        const std::int32_t ge = add(g_exc[i], init_e(in_e[i].raw));
        const std::int32_t gi = add(g_inh[i], init_i(in_i[i].raw));
        const std::int32_t total = add(add(current(ge, gi, v[i]), inj[i].raw), i_offset);
        spiked[i] = m.step(v[i], timer[i], total);
        g_exc[i] = decay_e(ge);
        g_inh[i] = decay_i(gi);
    }
}

}  // namespace raw

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
