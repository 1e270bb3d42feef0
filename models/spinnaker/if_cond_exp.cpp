#include "models/spinnaker/if_cond_exp.hpp"

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

void if_cond_exp::step(const parameters& p, state& s, const fixed::accum* const* input,
                       std::uint8_t* spiked, std::size_t n) {
    using fixed::accum;
    const lif_membrane& m = p;
    for (std::size_t i = 0; i < n; ++i) {
        const accum ge = accum::from_raw(s.gsyn_exc[i]) + fixed::decay(input[0][i], p.exc.init);
        const accum gi = accum::from_raw(s.gsyn_inh[i]) + fixed::decay(input[1][i], p.inh.init);
        const accum v0 = accum::from_raw(s.v[i]);
        const accum g_exc = accum::from_raw(ge.raw >> conductance_shift);
        const accum g_inh = accum::from_raw(gi.raw >> conductance_shift);
        const accum i_exc = g_exc * (p.e_rev_E - v0);
        const accum i_inh = (-g_inh) * (p.e_rev_I - v0);
        const accum current = i_exc - i_inh + input[2][i] + p.i_offset;
        spiked[i] = m.step(s.v[i], s.refract_timer[i], current);
        s.gsyn_exc[i] = fixed::decay(ge, p.exc.decay).raw;
        s.gsyn_inh[i] = fixed::decay(gi, p.inh.decay).raw;
    }
}

}  // namespace ganglion::models::spinnaker
