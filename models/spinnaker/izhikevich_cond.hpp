#pragma once

// Izhikevich_cond in SpiNNaker's arithmetic: sPyNNaker's IZK_cond_exp
// pipeline (exponential synapses, input_type_conductance, the RK2 midpoint
// kernel of neuron_model_izh_impl with its post-spike step, static
// threshold, in neuron_impl_standard's order), applied to the double
// model's equations, in s16.15 fixed point.
//
// sPyNNaker has no model of this form: its IZK_cond_exp integrates the 2003
// model (0.04 v^2 + 5 v + 140, a, b, c, d), while the double model is the
// 2007 "simple model" in physical units (C, k, v_r, v_t, v_peak, u in pA).
// The kernel below is sPyNNaker's midpoint step with the 2007 right-hand
// side, written as sPyNNaker writes its kernel (each product truncated,
// half(x) = x * 0.5k); the way 1/C enters is ganglion's choice (see below).
// One step, with h = this_h:
//
//   1. g_x += decay_s1615(input_x, init_x)        (synapse_types_exponential)
//   2. I = 1000 (g_exc >> 10) (e_rev_E - v) - 1000 (-(g_inh >> 10)) (e_rev_I - v)
//          + i_offset + 1000 injected                      (pA, v of the step's start)
//      (input_type_conductance: state g * 1024 in uS, `>> 10`, currents at
//      the step's start voltage held over the step; the factor 1000 (uS ->
//      nS, exact integer multiply) is needed because this model's currents
//      are in pA, and is applied to the conductance before the multiply)
//   3. the midpoint step of
//        dv/dt = F(v, u) = (k (v - v_r)(v - v_t) + I - u) / C
//        du/dt = G(v, u) = a (b (v - v_r) - u):
//        alpha = F(v, u);  eta = v + half(h alpha);  beta = half(h G(v, u))
//        v += h F(eta, u + beta);  u += h G(eta, u + beta);  this_h = dt
//      with X / C computed as (X * (2^s / C)) >> s, s = ceil(log2 C) (so
//      that the host-computed factor 2^s / C lies in [1, 2) and keeps 16
//      significant bits; a plain 1/C = 0.01 would be off by 0.1%);
//   4. v >= v_peak: spike, v = c, u += d, this_h = dt * 1.85k;
//   5. g_x = decay_s1615(g_x, decay_x).
//
// Host side: C, k, v_r, v_t, v_peak, a, b, c, d, e_rev_*, i_offset (pA) as
// s16.15 rounded to nearest; decay / init as for IF_curr_exp (u0.32,
// truncated); this_h = dt; global weight scale 1024, so a weight w (uS)
// reaches the synaptic state as w * 1024 (the double model adds 1000 w nS).
// Recorded gsyn_exc / gsyn_inh are in nS, as the double model's: raw * 2^-15
// * 1000 / 1024.
//
// Checked against sPyNNaker's neuron_model_izh_impl.h (kernel structure,
// SIMPLE_TQ_OFFSET), input_type_conductance.h, synapse_types_exponential,
// neuron_impl_standard.h and spynnaker/pyNN/models/neuron/builds/
// izk_cond_exp_base.py (the components of IZK_cond_exp).

#include <cstdint>
#include <vector>

#include "core/fixed_point.hpp"
#include "models/izhikevich_cond.hpp"
#include "models/spinnaker/if_curr_exp.hpp"
#include "models/spinnaker/izhikevich.hpp"

namespace ganglion::models::spinnaker {

struct izhikevich_cond {
    using double_model = models::izhikevich_cond;
    static constexpr std::size_t n_receptors = 2;
    static constexpr double weight_scale = 1024.0;
    static constexpr int conductance_shift = 10;

    struct parameters {
        fixed::accum k, v_r, v_t, v_peak, a, b, c, d, e_rev_E, e_rev_I, i_offset;
        fixed::accum inv_c_scaled;  // 2^inv_c_shift / C
        int inv_c_shift;
        exp_synapse exc, inh;
        izh_timestep h;
        parameters(const double_model::parameters& p, double dt);
        // X / C as the kernel computes it.
        fixed::accum over_c(fixed::accum x) const {
            return fixed::accum::from_raw((x * inv_c_scaled).raw >> inv_c_shift);
        }
    };

    struct state {
        // gsyn_*: g * 1024 (g in uS) as s16.15.
        std::vector<std::int32_t> v, u, gsyn_exc, gsyn_inh, this_h;
        void resize(std::size_t n, const parameters& p);
        template <class F>
        void fields(F&& f) {
            f(v);
            f(u);
            f(gsyn_exc);
            f(gsyn_inh);
            f(this_h);
        }
        template <class F>
        void variables(F&& f) {
            f("v", v, 1.0);
            f("u", u, 1.0);
            f("gsyn_exc", gsyn_exc, 1000.0 / 1024.0);
            f("gsyn_inh", gsyn_inh, 1000.0 / 1024.0);
        }
    };

    // One midpoint step of the kernel (no threshold); I in pA.
    static void rk2(const parameters& p, fixed::accum h, fixed::accum input, std::int32_t& v,
                    std::int32_t& u);

    static void step(const parameters& p, state& s, const fixed::accum* const* input,
                     std::uint8_t* spiked, std::size_t n);
};

}  // namespace ganglion::models::spinnaker
