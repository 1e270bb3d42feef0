#include "core/deliver.hpp"

#include <algorithm>

#include "core/spike_buffer.hpp"

namespace ganglion {

namespace {
// Adds one run of synapses (from synapse k on) into the slot rows `rows` (one
// per receptor), each weight times `times` when `multiple` (else each weight
// as it is, so one spike adds exactly w).
template <bool multiple>
void add_run(const synapse_store::run& run, const std::uint32_t* targets, const float* weights,
             std::uint64_t k, double* const* rows, double times) {
    const std::uint64_t end = k + run.count;
    // A shared weight (constant-weight projections) needs no weight load;
    // otherwise one weight per synapse.
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

// Adds the row of source g, spiking `times` times in step s, into the ring
// buffer.
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
    // The slot of step s once; a run's slot is then (mostly) an addition.
    const std::size_t slot_of_s = buffer.slot(s);
    for (std::uint64_t r = syn.run_begin(g); r < syn.run_end(g); ++r) {
        const std::size_t slot = buffer.slot_after(slot_of_s, runs[r].delay);
        for (std::size_t rec = 0; rec < n_receptors; ++rec)
            rows[rec] = buffer.slot_row(rec, slot);
        add_run<multiple>(runs[r], targets, weights, k, rows, times);
        k += runs[r].count;
        events += runs[r].count;
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

void arrival_queue::add(const synapse_store& syn, gid_type source, step_type step,
                        step_type not_before) {
    if (!syn.has_row(source)) return;
    const auto& runs = syn.runs();
    entry e{step, syn.run_begin(source), syn.run_end(source), syn.syn_begin(source), {}};
    while (e.run < e.run_end && step + runs[e.run].delay < not_before)
        e.syn += runs[e.run++].count;
    if (e.run == e.run_end) return;
    e.current = runs[e.run];
    entries_.push_back(e);
    arrivals_.push_back(step + e.current.delay);
}

void arrival_queue::add(const synapse_store& syn, const std::vector<std::uint64_t>& words,
                        step_type first, step_type not_before) {
    for (const std::uint64_t w : words)
        add(syn, spike_word::gid(w), first + spike_word::lag(w), not_before);
}

std::uint64_t arrival_queue::deliver(const synapse_store& syn, ring_buffer& buffer, step_type from,
                                     step_type to) {
    const auto& runs = syn.runs();
    const std::uint32_t* targets = syn.targets().data();
    const float* weights = syn.weights().data();
    const std::size_t n_receptors = buffer.n_receptors();
    const std::size_t n_neurons = buffer.n_neurons();
    double* rows[target_code::max_receptors];
    std::uint64_t events = 0;
    // Every line of a run's synapses (and weights) from line `from_line` on.
    auto prefetch_run = [&](const entry& e, std::uint32_t from_line) {
        const std::uint32_t n = e.current.count;
        for (std::uint32_t i = from_line * 16; i < n; i += 16) {
            __builtin_prefetch(targets + e.syn + i);
            if (!e.current.shared()) __builtin_prefetch(weights + e.current.weight_begin + i);
        }
    };
    for (step_type t = from; t < to; ++t) {
        // The spikes with a run arriving now. Their runs are scattered over
        // the store: ask for the first synapses of each (and for the header
        // of the run after) before adding any.
        due_.clear();
        for (std::size_t i = 0; i < arrivals_.size(); ++i) {
            if (arrivals_[i] != t) continue;
            const entry& e = entries_[i];
            due_.push_back(static_cast<std::uint32_t>(i));
            __builtin_prefetch(targets + e.syn);
            if (!e.current.shared()) __builtin_prefetch(weights + e.current.weight_begin);
            if (e.run + 1 < e.run_end) __builtin_prefetch(runs.data() + e.run + 1);
        }
        if (due_.empty()) continue;
        for (std::size_t rec = 0; rec < n_receptors; ++rec)
            rows[rec] = buffer.row(rec, t);
        // The step's rows are about to take thousands of adds at random
        // places, most of them to lines not in cache (the neuron update and
        // the Poisson drive ran through other memory since these rows were
        // last touched): ask for every line of them at once, which costs a
        // stream of the rows instead of one miss per line.
        // (Rows that fit a quarter of L2 stay there from step to step.)
        if (n_receptors * n_neurons * sizeof(double) > 256 * 1024)
            for (std::size_t rec = 0; rec < n_receptors; ++rec)
                for (std::size_t i = 0; i < n_neurons; i += 8)
                    __builtin_prefetch(rows[rec] + i, 1, 3);
        constexpr std::size_t ahead = 2;
        for (std::size_t j = 0; j < std::min(ahead, due_.size()); ++j)
            prefetch_run(entries_[due_[j]], 1);
        for (std::size_t j = 0; j < due_.size(); ++j) {
            if (j + ahead < due_.size()) prefetch_run(entries_[due_[j + ahead]], 1);
            entry& e = entries_[due_[j]];
            add_run<false>(e.current, targets, weights, e.syn, rows, 1.0);
            events += e.current.count;
            e.syn += e.current.count;
            // Rows are sorted by delay: the next run arrives later (or never).
            if (++e.run < e.run_end) {
                e.current = runs[e.run];
                arrivals_[due_[j]] = e.step + e.current.delay;
            }
        }
    }
    // Forget the spikes whose rows are done, keeping the order.
    std::size_t kept = 0;
    for (std::size_t i = 0; i < entries_.size(); ++i)
        if (entries_[i].run != entries_[i].run_end) {
            entries_[kept] = entries_[i];
            arrivals_[kept++] = arrivals_[i];
        }
    entries_.resize(kept);
    arrivals_.resize(kept);
    return events;
}

}  // namespace ganglion
