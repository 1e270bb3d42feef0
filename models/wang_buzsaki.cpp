#include "models/wang_buzsaki.hpp"

#include <cmath>

#include "models/checks.hpp"

namespace ganglion::models {

namespace {

struct wb_rates {
    double am, bm, ah, bh, an, bn;
};

inline wb_rates rates_at(double v) {
    return {soma::vtrap(0.1 * (v + 35.0)),       4.0 * std::exp(-(v + 60.0) / 18.0),
            0.07 * std::exp(-(v + 58.0) / 20.0), 1.0 / (1.0 + std::exp(-0.1 * (v + 28.0))),
            0.1 * soma::vtrap(0.1 * (v + 34.0)), 0.125 * std::exp(-(v + 44.0) / 80.0)};
}

}  // namespace

std::vector<parameter_info> wang_buzsaki_kinetics::channel_parameters() {
    return {
        {"gbar_Na", 35.0, "mS/cm2", "sodium conductance density"},
        {"gbar_K", 9.0, "mS/cm2", "potassium conductance density"},
        {"g_leak", 0.1, "mS/cm2", "leak conductance density"},
        {"e_rev_Na", 55.0, "mV", "sodium reversal potential"},
        {"e_rev_K", -90.0, "mV", "potassium reversal potential"},
        {"e_rev_leak", -65.0, "mV", "leak reversal potential"},
        {"phi", 5.0, "", "temperature factor of the h and n kinetics"},
    };
}

wang_buzsaki_kinetics::channels wang_buzsaki_kinetics::channels::from(const parameter_values& v,
                                                                      const model_info& m) {
    auto get = [&](const char* n) { return parameter_or_default(v, m, n); };
    return {get("gbar_Na"), get("gbar_K"),     get("g_leak"), get("e_rev_Na"),
            get("e_rev_K"), get("e_rev_leak"), get("phi")};
}

void wang_buzsaki_kinetics::channels::validate() const {
    checks::non_negative(name, "gbar_Na", gbar_Na, "mS/cm2");
    checks::non_negative(name, "gbar_K", gbar_K, "mS/cm2");
    checks::non_negative(name, "g_leak", g_leak, "mS/cm2");
    checks::positive(name, "phi", phi, "(dimensionless)");
}

wang_buzsaki_kinetics::gates wang_buzsaki_kinetics::steady_state(double v) {
    const wb_rates r = rates_at(v);
    return {r.ah / (r.ah + r.bh), r.an / (r.an + r.bn)};
}

double wang_buzsaki_kinetics::derivatives(const channels& c, double v, const gates& x, gates& dx) {
    const wb_rates r = rates_at(v);
    const double h = x[0], n = x[1];
    dx[0] = c.phi * (r.ah * (1.0 - h) - r.bh * h);
    dx[1] = c.phi * (r.an * (1.0 - n) - r.bn * n);
    const double m = r.am / (r.am + r.bm), n2 = n * n;
    return c.gbar_Na * m * m * m * h * (v - c.e_rev_Na) + c.gbar_K * n2 * n2 * (v - c.e_rev_K) +
           c.g_leak * (v - c.e_rev_leak);
}

template struct soma::cell<wang_buzsaki_kinetics>;

}  // namespace ganglion::models
