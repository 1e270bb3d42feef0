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
    const std::int32_t e_rev_e = p.e_rev_E.raw, e_rev_i = p.e_rev_I.raw;
    // input_type_conductance: g >> 10 times the driving force.
    raw::lif_exp_step(p, s.v.data(), s.gsyn_exc.data(), s.gsyn_inh.data(), s.refract_timer.data(),
                      input, spiked, n, [=](std::int32_t ge, std::int32_t gi, std::int32_t v) {
                          const std::int32_t i_exc =
                              raw::mul(ge >> conductance_shift, raw::sub(e_rev_e, v));
                          const std::int32_t i_inh =
                              raw::mul(raw::sub(0, gi >> conductance_shift), raw::sub(e_rev_i, v));
                          return raw::sub(i_exc, i_inh);
                      });
}

}  // namespace ganglion::models::spinnaker
