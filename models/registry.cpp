#include "models/registry.hpp"

namespace ganglion {

void register_standard_models(model_registry&) {}

}  // namespace ganglion
