#include "models/spinnaker/if_curr_exp.hpp"

#include <cmath>

#include "core/vector_math.hpp"

namespace ganglion::models::spinnaker {

exp_synapse::exp_synapse(double tau, double dt) {
    const double d = std::exp(-dt / tau);
    decay = fixed::to_ufract(d, "exp(-dt/tau_syn)");
    init = fixed::to_ufract(tau / dt * (1.0 - d), "(tau_syn/dt)(1 - exp(-dt/tau_syn))");
}

lif_membrane make_lif_membrane(double cm, double tau_m, double tau_refrac, double v_rest,
                               double v_reset, double v_thresh, double dt) {
    lif_membrane m;
    m.v_rest = fixed::to_accum(v_rest, "v_rest");
    m.v_reset = fixed::to_accum(v_reset, "v_reset");
    m.v_thresh = fixed::to_accum(v_thresh, "v_thresh");
    m.r_membrane = fixed::to_accum(tau_m / cm, "R = tau_m/cm (MOhm)");
    m.exp_tc = fixed::to_accum(std::exp(-dt / tau_m), "exp(-dt/tau_m)");
    // sPyNNaker: ceil(tau_refrac / dt) steps (numpy.ceil on the host); the
    // tolerance keeps 0.3 / 0.1 = 2.9999999999999996 at 3.
    m.t_refract = static_cast<std::int32_t>(std::ceil(tau_refrac / dt - 1e-9));
    return m;
}

if_curr_exp::parameters::parameters(const double_model::parameters& p, double dt)
    : lif_membrane(
          make_lif_membrane(p.cm, p.tau_m, p.tau_refrac, p.v_rest, p.v_reset, p.v_thresh, dt)),
      i_offset(fixed::to_accum(p.i_offset, "i_offset")),
      exc(p.tau_syn_E, dt),
      inh(p.tau_syn_I, dt) {}

void if_curr_exp::state::resize(std::size_t n, const parameters& p) {
    v.assign(n, p.v_rest.raw);
    isyn_exc.assign(n, 0);
    isyn_inh.assign(n, 0);
    refract_timer.assign(n, 0);
}

// Branch-free on the raw integers (raw::), so that the loop vectorises.
GANGLION_VECTOR_CLONES
void if_curr_exp::step(const parameters& p, state& s, const fixed::accum* const* input,
                       std::uint8_t* spiked, std::size_t n) {
    raw::lif_exp_step(
        p, s.v.data(), s.isyn_exc.data(), s.isyn_inh.data(), s.refract_timer.data(), input, spiked,
        n, [](std::int32_t ie, std::int32_t ii, std::int32_t) { return raw::sub(ie, ii); });
}

}  // namespace ganglion::models::spinnaker
