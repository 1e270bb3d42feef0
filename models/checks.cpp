#include "models/checks.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace ganglion::checks {

std::string format_value(double v) {
    std::ostringstream os;
    os << v;
    return os.str();
}

std::vector<parameter_info> lif_parameters(const std::string& synapse) {
    return {
        {"cm", 1.0, "nF", "membrane capacitance"},
        {"tau_m", 20.0, "ms", "membrane time constant"},
        {"tau_refrac", 0.1, "ms", "refractory period"},
        {"tau_syn_E", 5.0, "ms", "decay time of excitatory synaptic " + synapse},
        {"tau_syn_I", 5.0, "ms", "decay time of inhibitory synaptic " + synapse},
        {"v_rest", -65.0, "mV", "resting membrane potential"},
        {"v_reset", -65.0, "mV", "reset potential after a spike"},
        {"v_thresh", -50.0, "mV", "spike threshold"},
        {"i_offset", 0.0, "nA", "offset current"},
    };
}

void add_reversal_potentials(std::vector<parameter_info>& parameters) {
    const auto after = std::find_if(parameters.begin(), parameters.end(),
                                    [](const parameter_info& p) { return p.name == "tau_syn_I"; });
    parameters.insert(after == parameters.end() ? after : after + 1,
                      {{"e_rev_E", 0.0, "mV", "reversal potential of excitatory synapses"},
                       {"e_rev_I", -70.0, "mV", "reversal potential of inhibitory synapses"}});
}

int conductance_substeps(double tau_syn_E, double tau_syn_I, double dt) {
    const double longest = 0.05 * std::min(tau_syn_E, tau_syn_I);
    return std::max(1, static_cast<int>(std::ceil(dt / longest - 1e-9)));
}

void lif(const std::string& model, double cm, double tau_m, double tau_refrac, double tau_syn_E,
         double tau_syn_I, double v_reset, double v_thresh) {
    positive(model, "cm", cm, "nF");
    positive(model, "tau_m", tau_m, "ms");
    non_negative(model, "tau_refrac", tau_refrac, "ms");
    positive(model, "tau_syn_E", tau_syn_E, "ms");
    positive(model, "tau_syn_I", tau_syn_I, "ms");
    less(model, "v_reset", v_reset, "v_thresh", v_thresh, "mV");
}

}  // namespace ganglion::checks
