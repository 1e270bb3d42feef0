#include "core/spec.hpp"

#include <limits>

namespace ganglion {

double value_spec::lower_bound() const {
    switch (k) {
        case kind::constant:
            return value;
        case kind::uniform:
        case kind::normal_clipped:
            return low;
        case kind::normal:
            return -std::numeric_limits<double>::infinity();
    }
    return value;
}

double value_spec::upper_bound() const {
    switch (k) {
        case kind::constant:
            return value;
        case kind::uniform:
        case kind::normal_clipped:
            return high;
        case kind::normal:
            return std::numeric_limits<double>::infinity();
    }
    return value;
}

double value_spec::mean() const {
    switch (k) {
        case kind::constant:
            return value;
        case kind::uniform:
            return 0.5 * (low + high);
        case kind::normal:
        case kind::normal_clipped:
            return mu;  // an estimate for the clipped case
    }
    return value;
}

gid_type model_spec::first_gid(std::size_t population) const {
    gid_type g = 0;
    for (std::size_t p = 0; p < population; ++p)
        g += populations[p].size;
    return g;
}

gid_type model_spec::total_neurons() const {
    return first_gid(populations.size());
}

std::optional<std::size_t> model_spec::find_population(const std::string& name) const {
    for (std::size_t p = 0; p < populations.size(); ++p)
        if (populations[p].name == name) return p;
    return std::nullopt;
}

}  // namespace ganglion
