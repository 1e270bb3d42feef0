#pragma once

// Connector and value builders shared by the connection tests.

#include <memory>
#include <string>
#include <vector>

#include "core/expression.hpp"
#include "core/spec.hpp"

namespace ganglion::test {

inline connector_spec small_world(double degree, double rewiring, bool self = true) {
    connector_spec c;
    c.k = connector_spec::kind::small_world;
    c.degree = degree;
    c.rewiring = rewiring;
    c.allow_self_connections = self;
    return c;
}

// A weight or delay as an expression of the distance.
inline value_spec of_distance(const std::string& text) {
    return value_spec::from_expression(
        std::make_shared<const expression>(text, std::vector<std::string>{"d", "dx", "dy", "dz"}));
}

}  // namespace ganglion::test
