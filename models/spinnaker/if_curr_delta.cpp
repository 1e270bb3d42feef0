#include "models/spinnaker/if_curr_delta.hpp"

namespace ganglion::models::spinnaker {

if_curr_delta::parameters::parameters(const double_model::parameters& p, double dt)
    : lif_membrane(
          make_lif_membrane(p.cm, p.tau_m, p.tau_refrac, p.v_rest, p.v_reset, p.v_thresh, dt)),
      i_offset(fixed::to_accum(p.i_offset, "i_offset")),
      scale_factor(fixed::to_accum(1.0 / dt, "1/dt (delta input scale)")) {}

void if_curr_delta::state::resize(std::size_t n, const parameters& p) {
    v.assign(n, p.v_rest.raw);
    refract_timer.assign(n, 0);
}

void if_curr_delta::step(const parameters& p, state& s, const fixed::accum* const* input,
                         std::uint8_t* spiked, std::size_t n) {
    using fixed::accum;
    const lif_membrane& m = p;
    for (std::size_t i = 0; i < n; ++i) {
        const accum i_exc = input[0][i] * p.scale_factor;
        const accum i_inh = input[1][i] * p.scale_factor;
        const accum current = i_exc - i_inh + input[2][i] + p.i_offset;
        spiked[i] = m.step(s.v[i], s.refract_timer[i], current);
    }
}

}  // namespace ganglion::models::spinnaker
