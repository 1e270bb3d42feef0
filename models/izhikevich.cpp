#include "models/izhikevich.hpp"

#include <algorithm>
#include <cmath>

#include "models/checks.hpp"

namespace ganglion::models {

model_info izhikevich::info() {
    model_info m;
    m.name = "Izhikevich";
    m.description =
        "Izhikevich (2003) quadratic integrate-and-fire neuron with a recovery variable; "
        "synaptic inputs (weights in mV) make step changes in the membrane potential";
    m.parameters = {
        {"a", 0.02, "1/ms", "time scale of the recovery variable u"},
        {"b", 0.2, "1/ms", "sensitivity of u to v"},
        {"c", -65.0, "mV", "reset value of v after a spike"},
        {"d", 2.0, "mV/ms", "increment of u after a spike"},
        {"i_offset", 0.0, "nA", "offset current (1 nA drives dv/dt by 1000 mV/ms)"},
    };
    m.receptors = {"excitatory", "inhibitory"};
    m.synapses = synapse_type::voltage_jump;
    m.state = {{"v", "mV", "", -70.0}, {"u", "mV/ms", "", -14.0}};
    m.recordables = {"spikes"};
    return m;
}

izhikevich::parameters izhikevich::parameters::from(const parameter_values& v) {
    const model_info m = info();
    auto get = [&](const char* n) { return parameter_or_default(v, m, n); };
    return {get("a"), get("b"), get("c"), get("d"), get("i_offset")};
}

namespace {
void finite(const std::string& model, const char* name, double v, const char* unit) {
    if (!std::isfinite(v))
        throw parameter_error(model, name,
                              "got " + checks::format_value(v) + " " + unit + "; must be finite");
}
}  // namespace

// Izhikevich's patterns use negative a and b too; only c must lie below the
// 30 mV cut-off (else every step would spike).
void izhikevich::parameters::validate() const {
    const std::string model = "Izhikevich";
    finite(model, "a", a, "1/ms");
    finite(model, "b", b, "1/ms");
    finite(model, "d", d, "mV/ms");
    finite(model, "i_offset", i_offset, "nA");
    checks::less(model, "c", c, "the spike cut-off", v_peak, "mV");
}

izhikevich::derived::derived(const parameters& p, double dt)
    : substeps(std::max(1, static_cast<int>(std::ceil(dt / max_substep - 1e-9)))),
      h(dt / substeps),
      drive(140.0 + 1000.0 * p.i_offset) {}

void izhikevich::state::resize(std::size_t n, const parameters&) {
    v.assign(n, -70.0);
    u.assign(n, -14.0);
}

double* izhikevich::state::variable(std::string_view name) {
    if (name == "v") return v.data();
    if (name == "u") return u.data();
    return nullptr;
}

void izhikevich::step(const parameters& p, const derived& d, state& s, const double* const* input,
                      std::uint8_t* spiked, std::size_t n) {
    double* __restrict v = s.v.data();
    double* __restrict u = s.u.data();
    const double* __restrict in_e = input[0];
    const double* __restrict in_i = input[1];
    const double* __restrict inj = input[2];  // injected current, nA
    const double h = d.h, h2 = 0.5 * d.h, h6 = d.h / 6.0;
    const double a = p.a, b = p.b, drive = d.drive;
    const int substeps = d.substeps;
    auto fv = [](double vv, double uu, double dr) { return (0.04 * vv + 5.0) * vv + dr - uu; };
#pragma omp simd
    for (std::size_t k = 0; k < n; ++k) {
        double vk = v[k], uk = u[k];
        const double dr = drive + 1000.0 * inj[k];
        for (int j = 0; j < substeps; ++j) {
            const bool free = vk < v_peak;
            const double k1v = fv(vk, uk, dr), k1u = a * (b * vk - uk);
            const double v2 = vk + h2 * k1v, u2 = uk + h2 * k1u;
            const double k2v = fv(v2, u2, dr), k2u = a * (b * v2 - u2);
            const double v3 = vk + h2 * k2v, u3 = uk + h2 * k2u;
            const double k3v = fv(v3, u3, dr), k3u = a * (b * v3 - u3);
            const double v4 = vk + h * k3v, u4 = uk + h * k3u;
            const double k4v = fv(v4, u4, dr), k4u = a * (b * v4 - u4);
            vk = free ? vk + h6 * (k1v + 2.0 * (k2v + k3v) + k4v) : vk;
            uk = free ? uk + h6 * (k1u + 2.0 * (k2u + k3u) + k4u) : uk;
        }
        vk += in_e[k] + in_i[k];
        const bool spike = vk >= v_peak;
        spiked[k] = spike;
        v[k] = spike ? p.c : vk;
        u[k] = spike ? uk + p.d : uk;
    }
}

}  // namespace ganglion::models
