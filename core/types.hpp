#pragma once

#include <cstdint>

namespace ganglion {

// Global id of a neuron or source. Populations are contiguous gid ranges.
using gid_type = std::uint64_t;
// Time inside the engine is an integer number of steps of dt.
using step_type = std::int64_t;
// Milliseconds, only at the edges (model file, output).
using time_type = double;

}  // namespace ganglion
