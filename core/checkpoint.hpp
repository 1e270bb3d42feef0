#pragma once

// What a checkpoint holds of one rank, keyed by gid so that a run can be
// restored on any number of ranks and threads (each rank then takes from
// every rank's part what belongs to its own neurons). io/checkpoint_file.cpp
// writes and reads it with Boost.Serialization.
//
// The state of a run at an interval boundary is: the step; every neuron's
// and source's state (population_shard::save_neuron); the input still
// pending in the ring buffers for the next n_slots steps (D + max_delay, or
// D when everything is added at arrival; SpiNNaker mode: D + 16) and the
// spikes whose synapses have not arrived yet (from
// which the arrival queue and SpiNNaker mode's delay-extension queues are
// rebuilt, the generated Poisson sources' counts drawn again); plastic
// weights and traces and the post-spike history; what the recorders hold
// (spikes, state samples) and the spike counts. Everything else is rebuilt
// from the model file (connectivity, parameters), or is a pure function of
// (seed, gid, step) (Poisson sources, noise currents).

#include <cstdint>
#include <string>
#include <vector>

#include "core/types.hpp"

namespace ganglion {

struct checkpoint_state {
    std::uint64_t step = 0;

    struct population_part {
        std::string name, model;  // checked on restore
        std::uint64_t size = 0;
        std::uint64_t width = 0;     // doubles per neuron
        std::vector<gid_type> gids;  // this rank's neurons
        std::vector<double> values;  // [neuron][width]
        // Recorded spikes of these neurons so far (simulation::recorded()).
        std::vector<std::uint64_t> spike_index, spike_node;
        std::vector<double> spike_time;
        // State samples so far: per recorded cell, [sample][variable].
        std::vector<gid_type> probe_gids;
        std::vector<double> probe_values;
    };
    std::vector<population_part> populations;
    std::vector<std::uint64_t> spike_counts, recorded_counts;  // the same on every rank

    // Pending input: per neuron, [receptor][slot] for steps step ... step + n_slots - 1.
    std::uint64_t n_receptors = 0, n_slots = 0;
    std::vector<gid_type> buffer_gids;
    std::vector<double> buffer_values;

    // Received spikes of the last max_delay steps (the same on every rank):
    // their static synapses arrive at step + delay (core/deliver.hpp), so
    // those not yet arrived are pending input too.
    std::vector<std::int64_t> pending_steps;
    std::vector<gid_type> pending_gids;

    // Plastic synapses, keyed by (source, projection, target, occurrence:
    // how many earlier synapses of the store share the first three).
    struct plastic_synapse {
        gid_type source, target;
        std::uint32_t projection, occurrence;
        double weight;
    };
    std::vector<plastic_synapse> plastic;
    struct pre_trace {
        gid_type source;
        std::uint32_t projection;
        double k_plus;
        std::int64_t t_last;
    };
    std::vector<pre_trace> traces;
    // Post-spike history per neuron: gid, count, then (step, paired) pairs.
    std::vector<gid_type> history_gids;
    std::vector<std::uint64_t> history_counts;
    std::vector<std::int64_t> history_steps;
    std::vector<std::uint32_t> history_paired;
};

}  // namespace ganglion
