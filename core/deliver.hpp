#pragma once

// Step 3 of the interval loop for one thread: every spike of the interval,
// in (step, gid) order, adds the weights of the thread's synapses of its
// source into the ring buffer at step + delay.

#include <cstdint>
#include <vector>

#include "core/ring_buffer.hpp"
#include "core/synapse_store.hpp"

namespace ganglion {

// `words` are packed spike words (core/spike_buffer.hpp) sorted ascending,
// with steps relative to `first_step`. Returns the synaptic events delivered.
std::uint64_t deliver_spikes(const synapse_store& synapses, ring_buffer& buffer,
                             const std::vector<std::uint64_t>& words, step_type first_step);

// `count` spikes of one source in step `step` at once: each weight times
// count (Poisson sources generated at their targets, core/simulation.cpp).
std::uint64_t deliver_source(const synapse_store& synapses, ring_buffer& buffer, gid_type source,
                             step_type step, int count);

}  // namespace ganglion
