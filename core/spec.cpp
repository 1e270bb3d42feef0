#include "core/spec.hpp"

#include <algorithm>

#include <cmath>
#include <limits>

namespace ganglion {

void add_recording(population_spec& p, const std::string& what,
                   const std::optional<std::vector<std::uint64_t>>& indices) {
    auto merge = [&](bool& all_before, std::optional<std::vector<std::uint64_t>>& of) {
        if (all_before && !of) return;  // all neurons already
        if (!indices) {
            of.reset();
        } else {
            std::vector<std::uint64_t> merged = of.value_or(std::vector<std::uint64_t>{});
            merged.insert(merged.end(), indices->begin(), indices->end());
            std::sort(merged.begin(), merged.end());
            merged.erase(std::unique(merged.begin(), merged.end()), merged.end());
            of = std::move(merged);
        }
        all_before = true;
    };
    if (what == "spikes") {
        merge(p.record_spikes, p.record_spikes_of);
        return;
    }
    bool any = !p.record_state.empty();
    merge(any, p.record_state_of);
    if (std::find(p.record_state.begin(), p.record_state.end(), what) == p.record_state.end())
        p.record_state.push_back(what);
}

value_spec value_spec::uniform(double low, double high) {
    value_spec s;
    s.k = kind::uniform;
    s.low = low;
    s.high = high;
    return s;
}

value_spec value_spec::normal(double mu, double sigma) {
    value_spec s;
    s.k = kind::normal;
    s.mu = mu;
    s.sigma = sigma;
    return s;
}

value_spec value_spec::normal_clipped(double mu, double sigma, double low, double high) {
    value_spec s = normal(mu, sigma);
    s.k = kind::normal_clipped;
    s.low = low;
    s.high = high;
    return s;
}

value_spec value_spec::lognormal(double mu, double sigma) {
    value_spec s = normal(mu, sigma);
    s.k = kind::lognormal;
    return s;
}

value_spec value_spec::exponential(double beta) {
    value_spec s;
    s.k = kind::exponential;
    s.beta = beta;
    return s;
}

value_spec value_spec::gamma(double k, double theta) {
    value_spec s;
    s.k = kind::gamma;
    s.shape = k;
    s.theta = theta;
    return s;
}

value_spec value_spec::from_expression(std::shared_ptr<const ganglion::expression> e) {
    value_spec s;
    s.k = kind::expression;
    s.expr = std::move(e);
    return s;
}

double value_spec::lower_bound() const {
    constexpr double inf = std::numeric_limits<double>::infinity();
    switch (k) {
        case kind::constant:
            return value;
        case kind::uniform:
        case kind::normal_clipped:
            return low;
        case kind::normal:
        case kind::expression:
            return -inf;
        case kind::lognormal:
        case kind::exponential:
        case kind::gamma:
            return 0.0;
    }
    return value;
}

double value_spec::upper_bound() const {
    constexpr double inf = std::numeric_limits<double>::infinity();
    switch (k) {
        case kind::constant:
            return value;
        case kind::uniform:
        case kind::normal_clipped:
            return high;
        case kind::normal:
        case kind::lognormal:
        case kind::exponential:
        case kind::gamma:
        case kind::expression:
            return inf;
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
        case kind::lognormal:
            return std::exp(mu + 0.5 * sigma * sigma);
        case kind::exponential:
            return beta;
        case kind::gamma:
            return shape * theta;
        case kind::expression:
            return std::numeric_limits<double>::quiet_NaN();
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
