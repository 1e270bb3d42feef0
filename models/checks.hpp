#pragma once

// Parameter checks shared by the models; each throws parameter_error with
// the model, the parameter, the value given and what is allowed.

#include <string>

#include "core/error.hpp"

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

}  // namespace ganglion::checks
