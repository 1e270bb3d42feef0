#include "core/deliver.hpp"

#include "core/spike_buffer.hpp"

namespace ganglion {

namespace {
// Adds the row of source g, spiking `times` times in step s, into the ring
// buffer (times == 1: each weight as it is, so one spike adds exactly w).
template <bool multiple>
std::uint64_t add_row(const synapse_store& syn, ring_buffer& buffer, gid_type g, step_type s,
                      double times) {
    const auto& runs = syn.runs();
    const std::uint32_t* targets = syn.targets().data();
    const float* weights = syn.weights().data();
    const std::size_t n_receptors = buffer.n_receptors();
    double* rows[target_code::max_receptors];
    std::uint64_t events = 0;
    std::uint64_t k = syn.syn_begin(g);
    // The slot of step s once; a run's slot is then an addition (delays are
    // below the slot count), not a division per run.
    const std::size_t n_slots = buffer.n_slots();
    const std::size_t slot_of_s = buffer.slot(s);
    for (std::uint64_t r = syn.run_begin(g); r < syn.run_end(g); ++r) {
        std::size_t slot = slot_of_s + runs[r].delay;
        if (slot >= n_slots) slot -= n_slots;
        for (std::size_t rec = 0; rec < n_receptors; ++rec)
            rows[rec] = buffer.slot_row(rec, slot);
        // A shared weight (constant-weight projections) needs no weight
        // load; otherwise one weight per synapse.
        const synapse_store::run& run = runs[r];
        const std::uint64_t end = k + run.count;
        events += run.count;
        if (run.shared()) {
            const double w = multiple ? run.weight * times : run.weight;
            for (; k < end; ++k) {
                const std::uint32_t code = targets[k];
                rows[target_code::receptor(code)][target_code::index(code)] += w;
            }
        } else {
            const float* wr = weights + run.weight_begin;
            for (std::uint32_t i = 0; k < end; ++k, ++i) {
                const std::uint32_t code = targets[k];
                rows[target_code::receptor(code)][target_code::index(code)] +=
                    multiple ? wr[i] * times : wr[i];
            }
        }
    }
    return events;
}
}  // namespace

std::uint64_t deliver_spikes(const synapse_store& syn, ring_buffer& buffer,
                             const std::vector<std::uint64_t>& words, step_type first_step) {
    std::uint64_t events = 0;
    const std::size_t n = words.size();
    for (std::size_t i = 0; i < n; ++i) {
        // The next spike's row starts somewhere else in memory: ask for its
        // first runs and synapses while this row is added.
        if (i + 1 < n) {
            const gid_type next = spike_word::gid(words[i + 1]);
            if (syn.has_row(next)) {
                __builtin_prefetch(syn.runs().data() + syn.run_begin(next));
                __builtin_prefetch(syn.targets().data() + syn.syn_begin(next));
            }
        }
        const gid_type g = spike_word::gid(words[i]);
        if (!syn.has_row(g)) continue;
        events += add_row<false>(syn, buffer, g, first_step + spike_word::lag(words[i]), 1.0);
    }
    return events;
}

std::uint64_t deliver_source(const synapse_store& syn, ring_buffer& buffer, gid_type source,
                             step_type step, int count) {
    if (!syn.has_row(source)) return 0;
    return count == 1 ? add_row<false>(syn, buffer, source, step, 1.0)
                      : add_row<true>(syn, buffer, source, step, static_cast<double>(count));
}

}  // namespace ganglion
