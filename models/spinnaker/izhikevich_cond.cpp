#include "models/spinnaker/izhikevich_cond.hpp"

#include <algorithm>
#include <cmath>

namespace ganglion::models::spinnaker {

namespace {
int inverse_shift(double c) {
    return std::max(0, static_cast<int>(std::ceil(std::log2(c))));
}
}  // namespace

izhikevich_cond::parameters::parameters(const double_model::parameters& p, double dt)
    : k(fixed::to_accum(p.k, "k")),
      v_r(fixed::to_accum(p.v_r, "v_r")),
      v_t(fixed::to_accum(p.v_t, "v_t")),
      v_peak(fixed::to_accum(p.v_peak, "v_peak")),
      a(fixed::to_accum(p.a, "a")),
      b(fixed::to_accum(p.b, "b")),
      c(fixed::to_accum(p.c, "c")),
      d(fixed::to_accum(p.d, "d")),
      e_rev_E(fixed::to_accum(p.e_rev_E, "e_rev_E")),
      e_rev_I(fixed::to_accum(p.e_rev_I, "e_rev_I")),
      i_offset(fixed::to_accum(p.i_offset, "i_offset (pA)")),
      inv_c_scaled(fixed::to_accum(std::ldexp(1.0, inverse_shift(p.C)) / p.C, "2^s/C")),
      inv_c_shift(inverse_shift(p.C)),
      exc(p.tau_syn_E, dt),
      inh(p.tau_syn_I, dt),
      h(dt) {}

void izhikevich_cond::state::resize(std::size_t n, const parameters& p) {
    v.assign(n, p.v_r.raw);
    u.assign(n, 0);
    gsyn_exc.assign(n, 0);
    gsyn_inh.assign(n, 0);
    this_h.assign(n, p.h.h.raw);
}

void izhikevich_cond::rk2(const parameters& p, fixed::accum h, fixed::accum input,
                          std::int32_t& v_raw, std::int32_t& u_raw) {
    using fixed::accum;
    constexpr accum half = izh_timestep::half;
    const accum v = accum::from_raw(v_raw);
    const accum u = accum::from_raw(u_raw);
    const auto dv = [&](accum vv, accum uu) {
        return p.over_c((p.k * (vv - p.v_r)) * (vv - p.v_t) + input - uu);
    };
    const auto du = [&](accum vv, accum uu) { return p.a * (p.b * (vv - p.v_r) - uu); };
    const accum eta = v + (h * dv(v, u)) * half;
    const accum beta = (h * du(v, u)) * half;
    const accum u_mid = u + beta;
    v_raw = (v + h * dv(eta, u_mid)).raw;
    u_raw = (u + h * du(eta, u_mid)).raw;
}

void izhikevich_cond::step(const parameters& p, state& s, const fixed::accum* const* input,
                           std::uint8_t* spiked, std::size_t n) {
    using fixed::accum;
    for (std::size_t i = 0; i < n; ++i) {
        const accum ge = accum::from_raw(s.gsyn_exc[i]) + fixed::decay(input[0][i], p.exc.init);
        const accum gi = accum::from_raw(s.gsyn_inh[i]) + fixed::decay(input[1][i], p.inh.init);
        const accum v0 = accum::from_raw(s.v[i]);
        // nS = 1000 uS, as an exact integer multiply of the shifted conductance.
        const accum g_exc = 1000 * accum::from_raw(ge.raw >> conductance_shift);
        const accum g_inh = 1000 * accum::from_raw(gi.raw >> conductance_shift);
        const accum i_exc = g_exc * (p.e_rev_E - v0);
        const accum i_inh = (-g_inh) * (p.e_rev_I - v0);
        const accum current = i_exc - i_inh + 1000 * input[2][i] + p.i_offset;
        rk2(p, accum::from_raw(s.this_h[i]), current, s.v[i], s.u[i]);
        s.this_h[i] = p.h.h.raw;
        const bool spike = accum::from_raw(s.v[i]) >= p.v_peak;
        if (spike) {
            s.v[i] = p.c.raw;
            s.u[i] = (accum::from_raw(s.u[i]) + p.d).raw;
            s.this_h[i] = p.h.h_after_spike.raw;
        }
        spiked[i] = spike;
        s.gsyn_exc[i] = fixed::decay(ge, p.exc.decay).raw;
        s.gsyn_inh[i] = fixed::decay(gi, p.inh.decay).raw;
    }
}

}  // namespace ganglion::models::spinnaker
