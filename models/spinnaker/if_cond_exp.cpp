#include "models/spinnaker/if_cond_exp.hpp"

#include "core/vector_math.hpp"

namespace ganglion::models::spinnaker {

if_cond_exp::parameters::parameters(const double_model::parameters& p, double dt)
    : lif_membrane(
          make_lif_membrane(p.cm, p.tau_m, p.tau_refrac, p.v_rest, p.v_reset, p.v_thresh, dt)),
      i_offset(fixed::to_accum(p.i_offset, "i_offset")),
      e_rev_E(fixed::to_accum(p.e_rev_E, "e_rev_E")),
      e_rev_I(fixed::to_accum(p.e_rev_I, "e_rev_I")),
      exc(p.tau_syn_E, dt),
      inh(p.tau_syn_I, dt) {}

void if_cond_exp::state::resize(std::size_t n, const parameters& p) {
    v.assign(n, p.v_rest.raw);
    gsyn_exc.assign(n, 0);
    gsyn_inh.assign(n, 0);
    refract_timer.assign(n, 0);
}

// Branch-free on the raw integers (raw::, models/spinnaker/if_curr_exp.hpp),
// so that the loop vectorises; the same bits as the scalar forms.
GANGLION_VECTOR_CLONES
void if_cond_exp::step(const parameters& p, state& s, const fixed::accum* const* input,
                       std::uint8_t* spiked, std::size_t n) {
    std::int32_t* __restrict v = s.v.data();
    std::int32_t* __restrict ge = s.gsyn_exc.data();
    std::int32_t* __restrict gi = s.gsyn_inh.data();
    std::int32_t* __restrict timer = s.refract_timer.data();
    const fixed::accum* __restrict in_e = input[0];
    const fixed::accum* __restrict in_i = input[1];
    const fixed::accum* __restrict inj = input[2];
    const raw::decay_by init_e(p.exc.init), init_i(p.inh.init), decay_e(p.exc.decay),
        decay_i(p.inh.decay);
    const raw::lif m(p);
    const std::int32_t i_offset = p.i_offset.raw, e_rev_e = p.e_rev_E.raw, e_rev_i = p.e_rev_I.raw;
#pragma omp simd
    for (std::size_t i = 0; i < n; ++i) {
        const std::int32_t g_e = raw::add(ge[i], init_e(in_e[i].raw));
        const std::int32_t g_i = raw::add(gi[i], init_i(in_i[i].raw));
        const std::int32_t v0 = v[i];
        // input_type_conductance: g >> 10 times the driving force.
        const std::int32_t i_exc = raw::mul(g_e >> conductance_shift, raw::sub(e_rev_e, v0));
        const std::int32_t i_inh =
            raw::mul(raw::sub(0, g_i >> conductance_shift), raw::sub(e_rev_i, v0));
        const std::int32_t current =
            raw::add(raw::add(raw::sub(i_exc, i_inh), inj[i].raw), i_offset);
        spiked[i] = m.step(v[i], timer[i], current);
        ge[i] = decay_e(g_e);
        gi[i] = decay_i(g_i);
    }
}

}  // namespace ganglion::models::spinnaker
