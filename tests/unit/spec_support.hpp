#pragma once

// Building model_specs in code, for tests that run the engine without a
// model file: the standard model registry, a population, a projection and a
// uniform distribution.

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/model.hpp"
#include "core/spec.hpp"
#include "models/registry.hpp"

namespace ganglion::test {

inline const model_registry& standard_models() {
    static const model_registry models = [] {
        model_registry r;
        register_standard_models(r);
        return r;
    }();
    return models;
}

inline value_spec uniform(double low, double high) {
    value_spec v;
    v.k = value_spec::kind::uniform;
    v.low = low;
    v.high = high;
    return v;
}

inline population_spec population(const std::string& name, const std::string& model,
                                  std::uint64_t size) {
    population_spec p;
    p.name = name;
    p.model = model;
    p.size = size;
    return p;
}

inline projection_spec projection(const std::string& label, std::size_t pre, std::size_t post,
                                  connector_spec::kind kind, double p_connect, value_spec weight,
                                  value_spec delay, const std::string& receptor = "excitatory") {
    projection_spec p;
    p.label = label;
    p.pre.population = pre;
    p.post.population = post;
    p.connector.k = kind;
    p.connector.p_connect = p_connect;
    p.synapse.weight = weight;
    p.synapse.delay = delay;
    p.synapse.delay_given = true;
    p.receptor_type = receptor;
    return p;
}

}  // namespace ganglion::test
