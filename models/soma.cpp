#include "models/soma.hpp"

#include <algorithm>
#include <numbers>

#include "core/error.hpp"
#include "models/checks.hpp"

namespace ganglion::models::soma {

double area_cm2(double length, double diam) {
    return std::numbers::pi * diam * length * 1e-8;  // um2 -> cm2
}

double exp2syn_tpeak(double tau1, double tau2) {
    return tau1 * tau2 / (tau2 - tau1) * std::log(tau2 / tau1);
}

double exp2syn_factor(double tau1, double tau2) {
    const double tp = exp2syn_tpeak(tau1, tau2);
    return 1.0 / (std::exp(-tp / tau2) - std::exp(-tp / tau1));
}

std::vector<parameter_info> geometry_parameters() {
    return {
        {"length", 15.0, "um", "length of the soma cylinder (NEURON's L)"},
        {"diam", 15.0, "um", "diameter of the soma cylinder; area = pi diam length"},
        {"cm", 1.0, "uF/cm2", "specific membrane capacitance"},
    };
}

std::vector<parameter_info> input_parameters() {
    return {
        {"i_offset", 0.0, "nA", "current injected into the soma (IClamp amp)"},
        {"v_thresh", -10.0, "mV", "spike detection threshold (NetCon threshold), upward crossing"},
        {"tau1_E", 0.1, "ms", "rise time of the excitatory Exp2Syn conductance"},
        {"tau2_E", 2.0, "ms", "decay time of the excitatory Exp2Syn conductance"},
        {"e_rev_E", 0.0, "mV", "reversal potential of excitatory synapses"},
        {"tau1_I", 0.1, "ms", "rise time of the inhibitory Exp2Syn conductance"},
        {"tau2_I", 2.0, "ms", "decay time of the inhibitory Exp2Syn conductance"},
        {"e_rev_I", -75.0, "mV", "reversal potential of inhibitory synapses"},
    };
}

common_parameters common_parameters::from(const parameter_values& v, const model_info& m) {
    auto get = [&](const char* n) { return parameter_or_default(v, m, n); };
    return {get("length"),   get("diam"),   get("cm"),     get("i_offset"),
            get("v_thresh"), get("tau1_E"), get("tau2_E"), get("e_rev_E"),
            get("tau1_I"),   get("tau2_I"), get("e_rev_I")};
}

namespace {
// Exp2Syn's rise must be faster than its decay (NEURON would silently move
// tau1 to 0.9999 tau2).
void exp2syn_order(const std::string& model, const char* name1, double tau1, const char* name2,
                   double tau2) {
    if (!(tau1 < tau2))
        throw parameter_error(model, name1,
                              "got " + checks::format_value(tau1) + " ms; must be below " + name2 +
                                  " (" + checks::format_value(tau2) +
                                  " ms): Exp2Syn's rise time tau1 must be shorter than its decay "
                                  "time tau2");
}
}  // namespace

void common_parameters::validate(const std::string& model) const {
    checks::positive(model, "length", length, "um");
    checks::positive(model, "diam", diam, "um");
    checks::positive(model, "cm", cm, "uF/cm2");
    checks::positive(model, "tau1_E", tau1_E, "ms");
    checks::positive(model, "tau2_E", tau2_E, "ms");
    checks::positive(model, "tau1_I", tau1_I, "ms");
    checks::positive(model, "tau2_I", tau2_I, "ms");
    exp2syn_order(model, "tau1_E", tau1_E, "tau2_E", tau2_E);
    exp2syn_order(model, "tau1_I", tau1_I, "tau2_I", tau2_I);
}

exp2syn::exp2syn(double tau1, double tau2, double h)
    : factor(exp2syn_factor(tau1, tau2)),
      half_decay1(std::exp(-0.5 * h / tau1)),
      half_decay2(std::exp(-0.5 * h / tau2)) {}

common_derived::common_derived(const common_parameters& p, double dt)
    : substeps(std::max(1, static_cast<int>(std::ceil(dt / max_substep - 1e-9)))),
      h(dt / substeps),
      area(area_cm2(p.length, p.diam)),
      nA_to_density(1e-3 / area),
      inv_cm(1.0 / p.cm),
      exc(p.tau1_E, p.tau2_E, h),
      inh(p.tau1_I, p.tau2_I, h) {}

}  // namespace ganglion::models::soma
