#pragma once

// Parameter checks shared by the models; each throws parameter_error with
// the model, the parameter, the value given and what is allowed.

#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/model.hpp"

namespace ganglion::checks {

std::string format_value(double v);

inline void positive(const std::string& model, const char* name, double v, const char* unit) {
    if (!(v > 0))
        throw parameter_error(model, name,
                              "got " + format_value(v) + " " + unit + "; must be > 0 " + unit);
}

inline void non_negative(const std::string& model, const char* name, double v, const char* unit) {
    if (!(v >= 0))
        throw parameter_error(model, name,
                              "got " + format_value(v) + " " + unit + "; must be >= 0 " + unit);
}

// a < b, reported against parameter `name_a`.
inline void less(const std::string& model, const char* name_a, double a, const char* name_b,
                 double b, const char* unit) {
    if (!(a < b))
        throw parameter_error(model, name_a,
                              "got " + format_value(a) + " " + unit + "; must be below " + name_b +
                                  " (" + format_value(b) + " " + unit + ")");
}

// The parameters PyNN's IF_* models share (cm, tau_m, tau_refrac,
// tau_syn_E, tau_syn_I, v_rest, v_reset, v_thresh, i_offset) with PyNN's
// defaults; `synapse` ("current" or "conductance") words the descriptions.
std::vector<parameter_info> lif_parameters(const std::string& synapse);

// Adds e_rev_E (0 mV) and e_rev_I (-70 mV) after the synaptic time
// constants, where PyNN lists them for the IF_cond_* models.
void add_reversal_potentials(std::vector<parameter_info>& parameters);

// Sub-steps per dt for the conductance models' exponential scheme
// (models/if_cond_exp.hpp): sub-steps of at most a twentieth of the shorter
// synaptic time constant.
int conductance_substeps(double tau_syn_E, double tau_syn_I, double dt);

// Checks those shared parameters (positive capacitance and time constants,
// v_reset below v_thresh).
void lif(const std::string& model, double cm, double tau_m, double tau_refrac, double tau_syn_E,
         double tau_syn_I, double v_reset, double v_thresh);

}  // namespace ganglion::checks
