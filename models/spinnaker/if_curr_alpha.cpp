#include "models/spinnaker/if_curr_alpha.hpp"

#include <cmath>

namespace ganglion::models::spinnaker {

namespace {
constexpr fixed::accum one = fixed::accum::from_raw(1 << fixed::accum_fraction_bits);

// accum / accum as GCC's divsa3: (a << 15) / b in 64 bits, the integer
// division truncating towards zero.
fixed::accum divide(fixed::accum a, fixed::accum b) {
    const std::int64_t num = static_cast<std::int64_t>(a.raw) * (std::int64_t{1} << 15);
    return fixed::accum::from_raw(static_cast<std::int32_t>(num / b.raw));
}
}  // namespace

alpha_synapse::alpha_synapse(double tau, double dt)
    : dt_over_tau2(fixed::to_accum(dt / (tau * tau), "dt/tau_syn^2")),
      decay(fixed::to_ufract(std::exp(-dt / tau), "exp(-dt/tau_syn)")) {}

void alpha_synapse::add(values v, fixed::accum input) const {
    using fixed::accum;
    v.q = input.raw;
    const accum e = fixed::decay(accum::from_raw(v.exp), decay) + one;
    v.exp = e.raw;
    v.lin = ((accum::from_raw(v.lin) + input * dt_over_tau2) * (one - divide(one, e))).raw;
}

void alpha_synapse::shape(values v) const {
    using fixed::accum;
    v.lin = (accum::from_raw(v.lin) + accum::from_raw(v.q) * dt_over_tau2).raw;
    v.exp = fixed::decay(accum::from_raw(v.exp), decay).raw;
}

if_curr_alpha::parameters::parameters(const double_model::parameters& p, double dt)
    : lif_membrane(
          make_lif_membrane(p.cm, p.tau_m, p.tau_refrac, p.v_rest, p.v_reset, p.v_thresh, dt)),
      i_offset(fixed::to_accum(p.i_offset, "i_offset")),
      exc(p.tau_syn_E, dt),
      inh(p.tau_syn_I, dt) {}

void if_curr_alpha::state::resize(std::size_t n, const parameters& p) {
    v.assign(n, p.v_rest.raw);
    refract_timer.assign(n, 0);
    for (auto* a : {&lin_exc, &exp_exc, &q_exc, &lin_inh, &exp_inh, &q_inh, &isyn_exc, &isyn_inh})
        a->assign(n, 0);
}

void if_curr_alpha::step(const parameters& p, state& s, const fixed::accum* const* input,
                         std::uint8_t* spiked, std::size_t n) {
    using fixed::accum;
    const lif_membrane& m = p;
    for (std::size_t i = 0; i < n; ++i) {
        const alpha_synapse::values e{s.lin_exc[i], s.exp_exc[i], s.q_exc[i]};
        const alpha_synapse::values h{s.lin_inh[i], s.exp_inh[i], s.q_inh[i]};
        if (input[0][i].raw > 0) p.exc.add(e, input[0][i]);
        if (input[1][i].raw > 0) p.inh.add(h, input[1][i]);
        const accum current =
            alpha_synapse::current(e) - alpha_synapse::current(h) + input[2][i] + p.i_offset;
        spiked[i] = m.step(s.v[i], s.refract_timer[i], current);
        p.exc.shape(e);
        p.inh.shape(h);
        s.isyn_exc[i] = alpha_synapse::current(e).raw;
        s.isyn_inh[i] = alpha_synapse::current(h).raw;
    }
}

}  // namespace ganglion::models::spinnaker
