#pragma once

// Connection building, from the postsynaptic side: a thread draws only the
// synapses of the targets it owns, from random streams keyed by
// (seed, projection, target gid). The synapses a target gets therefore do
// not depend on how many ranks or threads there are (invariant 1), and no
// rank ever communicates or holds another rank's synapses while building.

#include <cstdint>
#include <vector>

#include "core/layout.hpp"
#include "core/spec.hpp"
#include "core/synapse_store.hpp"

namespace ganglion {

// The time grid delays are rounded to.
struct delay_grid {
    double dt = 0.1;
    step_type min_steps = 1;  // D: min_delay in steps
    step_type max_steps = 1;
    // A delay in ms on the grid: rounded to the nearest step (invariant 2).
    step_type to_steps(double delay_ms) const;
};

// Appends the synapses of projection `k` whose targets `layout`'s thread
// owns; returns how many. `receptor` is the receptor index of
// spec.projections[k].receptor_type in the post population's model.
std::uint64_t draw_projection(const model_spec& spec, std::size_t k, std::uint32_t receptor,
                              const thread_layout& layout, const delay_grid& grid,
                              std::vector<pending_synapse>& out);

// The number of synapses a projection is expected to have (before drawing),
// for memory estimates.
double expected_synapses(const model_spec& spec, std::size_t k);

}  // namespace ganglion
