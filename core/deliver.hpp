#pragma once

// Step 3 of the interval loop for one thread, in two forms.
//
// deliver_spikes ("push", at emission): every spike of the interval, in
// (step, gid) order, adds the weights of the thread's synapses of its source
// into the ring buffer at step + delay. Each synaptic event then writes a
// random cell anywhere in the D + max_delay slots of the buffer: for the
// microcircuit that would be 33 MB per thread, far beyond L2. (The engine
// pushes only plastic synapses and Poisson sources of several delays.)
//
// arrival_queue ("pull", at arrival; what the engine uses for static
// synapses in double mode): the spikes of an interval join a queue; when the
// next interval's steps [t, t + D) are about to be updated, each queued spike
// adds the run of its row whose delay makes it arrive in that step. All the
// events of a step then write one slot row (the microcircuit: 0.6 MB per
// thread, in L2). Rows are sorted by delay, so each queued spike keeps a
// cursor that only moves forward. The sums are the same as push delivery's
// for every cell: a cell (step T, neuron) receives, in both, the spikes in
// (emission step, gid) order and each row's synapses in row order.

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

// Spikes whose synapses on this thread have not all arrived yet, in
// (step, gid) order, each with the next run of its row to arrive.
class arrival_queue {
  public:
    // Queues the spikes of `words` (steps relative to `first`) whose source
    // has a row here; runs arriving before step `not_before` are taken as
    // delivered (a restored checkpoint; otherwise none arrive before it).
    void add(const synapse_store& synapses, const std::vector<std::uint64_t>& words,
             step_type first, step_type not_before);
    // One spike, `step` absolute (checkpoints).
    void add(const synapse_store& synapses, gid_type source, step_type step, step_type not_before);
    // Adds every queued synapse arriving in steps [from, to) into those
    // steps' rows of `buffer`, in the order above, and forgets the spikes
    // whose rows are done. Returns the events delivered.
    std::uint64_t deliver(const synapse_store& synapses, ring_buffer& buffer, step_type from,
                          step_type to);
    void clear() {
        entries_.clear();
        arrivals_.clear();
    }
    std::size_t size() const { return entries_.size(); }

  private:
    struct entry {
        step_type step;                   // of the spike
        std::uint64_t run, run_end, syn;  // syn: the run's first synapse
        synapse_store::run current;       // runs()[run], kept here (one miss less)
    };
    std::vector<entry> entries_;
    // Per entry, the step at which its run `run` arrives: apart, so that
    // finding a step's runs reads 8 bytes per queued spike.
    std::vector<step_type> arrivals_;
    std::vector<std::uint32_t> due_;  // entries arriving in the step being delivered
};

}  // namespace ganglion
