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

// The same arithmetic as lif_membrane::step and fixed::decay, written on
// the raw integers without branches so that the loop vectorises (the
// membrane's `if` becomes a select; every lane computes both sides).
// Integer operations give the same bits in every clone and every part of
// the loop; tests/unit/test_spinnaker_models.cpp compares this step with
// the scalar membrane neuron by neuron. decay_s1615 multiplies a signed
// 32-bit value by an unsigned 32-bit factor d; with d_s = d read as signed,
// x d = x d_s + x 2^32 [d >= 2^31], so hi32(x d) = hi32(x d_s) + x [d >= 2^31]
// exactly: a signed 32 x 32 -> 64 product, which every vector unit has.
namespace {

struct raw_decay {
    std::int32_t d_signed;
    std::uint32_t top;  // all ones if the factor's top bit is set
    explicit raw_decay(fixed::ufract d)
        : d_signed(static_cast<std::int32_t>(d.raw)), top(d.raw >> 31 ? ~0u : 0u) {}
    std::uint32_t operator()(std::int32_t x) const {
        const auto hi = static_cast<std::uint32_t>(
            static_cast<std::uint64_t>(static_cast<std::int64_t>(x) * d_signed) >> 32);
        return hi + (static_cast<std::uint32_t>(x) & top);
    }
};

// accum * accum: the 64-bit product >> 15, low 32 bits.
inline std::uint32_t raw_mul(std::int32_t a, std::int32_t b) {
    return static_cast<std::uint32_t>(
        static_cast<std::uint64_t>(static_cast<std::int64_t>(a) * b >> fixed::accum_fraction_bits));
}

}  // namespace

GANGLION_VECTOR_CLONES
void if_curr_exp::step(const parameters& p, state& s, const fixed::accum* const* input,
                       std::uint8_t* spiked, std::size_t n) {
    std::int32_t* __restrict v = s.v.data();
    std::int32_t* __restrict ge = s.isyn_exc.data();
    std::int32_t* __restrict gi = s.isyn_inh.data();
    std::int32_t* __restrict timer = s.refract_timer.data();
    const fixed::accum* __restrict in_e = input[0];
    const fixed::accum* __restrict in_i = input[1];
    const fixed::accum* __restrict inj = input[2];
    const raw_decay init_e(p.exc.init), init_i(p.inh.init), decay_e(p.exc.decay),
        decay_i(p.inh.decay);
    const auto i_offset = static_cast<std::uint32_t>(p.i_offset.raw);
    const std::int32_t r_m = p.r_membrane.raw, exp_tc = p.exp_tc.raw;
    const auto v_rest = static_cast<std::uint32_t>(p.v_rest.raw);
    const std::int32_t v_thresh = p.v_thresh.raw, v_reset = p.v_reset.raw;
    const std::int32_t t_refract = p.t_refract;
#pragma omp simd
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint32_t ie = static_cast<std::uint32_t>(ge[i]) + init_e(in_e[i].raw);
        const std::uint32_t ii = static_cast<std::uint32_t>(gi[i]) + init_i(in_i[i].raw);
        const auto current =
            static_cast<std::int32_t>(ie - ii + static_cast<std::uint32_t>(inj[i].raw) + i_offset);
        const std::int32_t v_old = v[i];
        const auto alpha = static_cast<std::int32_t>(raw_mul(current, r_m) + v_rest);
        const auto v_free = static_cast<std::int32_t>(
            static_cast<std::uint32_t>(alpha) -
            raw_mul(exp_tc, static_cast<std::int32_t>(static_cast<std::uint32_t>(alpha) -
                                                      static_cast<std::uint32_t>(v_old))));
        const std::int32_t t = timer[i];
        const bool free = t <= 0;
        const std::int32_t v_new = free ? v_free : v_old;
        const std::int32_t t_new = free ? t : t - 1;
        const bool spike = v_new >= v_thresh;
        v[i] = spike ? v_reset : v_new;
        timer[i] = spike ? t_refract : t_new;
        spiked[i] = spike ? 1 : 0;
        ge[i] = static_cast<std::int32_t>(decay_e(static_cast<std::int32_t>(ie)));
        gi[i] = static_cast<std::int32_t>(decay_i(static_cast<std::int32_t>(ii)));
    }
}

}  // namespace ganglion::models::spinnaker
