#include "models/spinnaker/izhikevich.hpp"

namespace ganglion::models::spinnaker {

izhikevich::parameters::parameters(const double_model::parameters& p, double dt)
    : a(fixed::to_accum(p.a, "a")),
      b(fixed::to_accum(p.b, "b")),
      c(fixed::to_accum(p.c, "c")),
      d(fixed::to_accum(p.d, "d")),
      i_offset(fixed::to_accum(1000.0 * p.i_offset, "1000 i_offset (mV/ms)")),
      scale_factor(fixed::to_accum(1.0 / dt, "1/dt (delta input scale)")),
      h(dt) {}

void izhikevich::state::resize(std::size_t n, const parameters& p) {
    v.assign(n, fixed::to_accum(-70.0).raw);
    u.assign(n, fixed::to_accum(-14.0).raw);
    this_h.assign(n, p.h.h.raw);
}

void izhikevich::rk2(const parameters& p, fixed::accum h, fixed::accum input, std::int32_t& v_raw,
                     std::int32_t& u_raw) {
    using fixed::accum;
    constexpr accum k140 = accum::from_raw(140 << 15);
    constexpr accum k5 = accum::from_raw(5 << 15);
    constexpr accum half = izh_timestep::half;
    const accum v = accum::from_raw(v_raw);
    const accum u = accum::from_raw(u_raw);
    const accum pre = k140 + input - u;
    const accum alpha = pre + (k5 + magic_multiplier * v) * v;
    const accum eta = v + (h * alpha) * half;
    const accum beta = ((h * (p.b * v - u)) * p.a) * half;
    v_raw = (v + h * (pre - beta + (k5 + magic_multiplier * eta) * eta)).raw;
    u_raw = (u + (p.a * h) * (-u - beta + p.b * eta)).raw;
}

void izhikevich::step(const parameters& p, state& s, const fixed::accum* const* input,
                      std::uint8_t* spiked, std::size_t n) {
    using fixed::accum;
    for (std::size_t i = 0; i < n; ++i) {
        const accum i_exc = input[0][i] * p.scale_factor;
        const accum i_inh = input[1][i] * p.scale_factor;
        const accum current = i_exc - i_inh + 1000 * input[2][i] + p.i_offset;
        rk2(p, accum::from_raw(s.this_h[i]), current, s.v[i], s.u[i]);
        s.this_h[i] = p.h.h.raw;
        const bool spike = accum::from_raw(s.v[i]) >= v_thresh;
        if (spike) {
            s.v[i] = p.c.raw;
            s.u[i] = (accum::from_raw(s.u[i]) + p.d).raw;
            s.this_h[i] = p.h.h_after_spike.raw;
        }
        spiked[i] = spike;
    }
}

}  // namespace ganglion::models::spinnaker
