#pragma once

#include "core/model.hpp"

namespace ganglion {

// Adds every model ganglion has (neurons and sources) to the registry.
void register_standard_models(model_registry& registry);

}  // namespace ganglion
