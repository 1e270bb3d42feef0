#pragma once

// Invariant 4: what a run will need per rank, computed from the model
// description alone, before anything is built.

#include <cstdint>
#include <vector>

#include "core/model.hpp"
#include "core/spec.hpp"

namespace ganglion {

struct memory_estimate {
    double neurons_per_rank = 0;
    double synapses_per_rank = 0;
    std::vector<double> synapses_per_projection;  // whole network
    double synapse_bytes = 0;                     // rows: 8 bytes per synapse + row indices
    double buffer_bytes = 0;                      // ring buffers
    double state_bytes = 0;                       // neuron state
    double build_bytes = 0;                       // extra while building (listed synapses)
    double total_bytes() const { return synapse_bytes + buffer_bytes + state_bytes + build_bytes; }
};

memory_estimate estimate_memory(const model_spec& spec, const model_registry& models, int n_ranks,
                                int n_threads);

// MemAvailable from /proc/meminfo in bytes, or 0 if unknown.
double available_memory_bytes();

}  // namespace ganglion
