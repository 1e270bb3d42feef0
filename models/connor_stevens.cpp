#include "models/connor_stevens.hpp"

#include <cmath>

#include "models/checks.hpp"

namespace ganglion::models {

namespace {

struct cs_rates {
    double am, bm, ah, bh, an, bn, a_inf, tau_a, b_inf, tau_b;
};

inline cs_rates rates_at(double v) {
    const double b = 1.0 / (1.0 + std::exp(0.0688 * (v + 53.3))), b2 = b * b;
    return {
        3.8 * soma::vtrap(0.1 * (v + 29.7)),
        15.2 * std::exp(-0.0556 * (v + 54.7)),
        0.266 * std::exp(-0.05 * (v + 48.0)),
        3.8 / (1.0 + std::exp(-0.1 * (v + 18.0))),
        0.2 * soma::vtrap(0.1 * (v + 45.7)),
        0.25 * std::exp(-0.0125 * (v + 55.7)),
        std::cbrt(0.0761 * std::exp(0.0314 * (v + 94.22)) / (1.0 + std::exp(0.0346 * (v + 1.17)))),
        0.3632 + 1.158 / (1.0 + std::exp(0.0497 * (v + 55.96))),
        b2 * b2,
        1.24 + 2.678 / (1.0 + std::exp(0.0624 * (v + 50.0)))};
}

}  // namespace

std::vector<parameter_info> connor_stevens_kinetics::channel_parameters() {
    return {
        {"gbar_Na", 120.0, "mS/cm2", "sodium conductance density"},
        {"gbar_K", 20.0, "mS/cm2", "delayed-rectifier potassium conductance density"},
        {"gbar_A", 47.7, "mS/cm2", "A-type potassium conductance density"},
        {"g_leak", 0.3, "mS/cm2", "leak conductance density"},
        {"e_rev_Na", 55.0, "mV", "sodium reversal potential"},
        {"e_rev_K", -72.0, "mV", "delayed-rectifier potassium reversal potential"},
        {"e_rev_A", -75.0, "mV", "A-type potassium reversal potential"},
        {"e_rev_leak", -17.0, "mV", "leak reversal potential"},
    };
}

connor_stevens_kinetics::channels connor_stevens_kinetics::channels::from(const parameter_values& v,
                                                                          const model_info& m) {
    auto get = [&](const char* n) { return parameter_or_default(v, m, n); };
    return {get("gbar_Na"),  get("gbar_K"),  get("gbar_A"),  get("g_leak"),
            get("e_rev_Na"), get("e_rev_K"), get("e_rev_A"), get("e_rev_leak")};
}

void connor_stevens_kinetics::channels::validate() const {
    checks::non_negative(name, "gbar_Na", gbar_Na, "mS/cm2");
    checks::non_negative(name, "gbar_K", gbar_K, "mS/cm2");
    checks::non_negative(name, "gbar_A", gbar_A, "mS/cm2");
    checks::non_negative(name, "g_leak", g_leak, "mS/cm2");
}

connor_stevens_kinetics::gates connor_stevens_kinetics::steady_state(double v) {
    const cs_rates r = rates_at(v);
    return {r.am / (r.am + r.bm), r.ah / (r.ah + r.bh), r.an / (r.an + r.bn), r.a_inf, r.b_inf};
}

double connor_stevens_kinetics::derivatives(const channels& c, double v, const gates& x,
                                            gates& dx) {
    const cs_rates r = rates_at(v);
    const double m = x[0], h = x[1], n = x[2], a = x[3], b = x[4];
    dx[0] = r.am * (1.0 - m) - r.bm * m;
    dx[1] = r.ah * (1.0 - h) - r.bh * h;
    dx[2] = r.an * (1.0 - n) - r.bn * n;
    dx[3] = (r.a_inf - a) / r.tau_a;
    dx[4] = (r.b_inf - b) / r.tau_b;
    const double n2 = n * n;
    return c.g_leak * (v - c.e_rev_leak) + c.gbar_Na * m * m * m * h * (v - c.e_rev_Na) +
           c.gbar_K * n2 * n2 * (v - c.e_rev_K) + c.gbar_A * a * a * a * b * (v - c.e_rev_A);
}

template struct soma::cell<connor_stevens_kinetics>;

}  // namespace ganglion::models
