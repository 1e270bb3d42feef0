#pragma once

// The Poisson sources one thread generates itself, at their targets (the
// background drive of most cortical models: simulation::build), drawn for
// all sources a step at a time.
//
// A source whose row on this thread is one static synapse (a one-to-one
// drive) adds w k to its target's cell directly; the others are handed back
// to the caller with their count. Every step visits the sources in gid order,
// so a cell sums its inputs in the same order on every split, whichever
// sources happen to be direct on this thread.
//
// Speed (the microcircuit draws 7.7e8 counts per second of biological
// time): the 32-bit random words of 8 steps (one Philox call, see
// poisson_process) are kept per population transposed, [step % 8][source],
// so a step reads one contiguous row of words; a population whose direct
// synapses share delay, receptor and weight needs only each target's index
// besides (nothing when the targets are consecutive neurons, as a one-to-one
// background's are), and the loop over it is a lookup, a comparison and an
// add. Each population holds two such blocks: the one in use and the next,
// which the thread draws ahead while it waits at a barrier (work_ahead,
// core/working_barrier.hpp); whatever is left of it is drawn when it is
// needed. The words are the same either way (counter-based).
//
// When a population's synapses all share one delay d (double mode's
// background drive, simulation::build), its spikes can be drawn when they
// arrive instead of when they are emitted: arrive(t) draws step t - d and
// adds into the row of step t right before that row is read, while it is in
// cache (emitting at s wrote a row d steps ahead, which had left the cache by
// the time the update read it), and the ring buffer needs no slot beyond the
// interval being delivered.

#include <algorithm>
#include <cstdint>
#include <optional>
#include <type_traits>
#include <vector>

#include "core/fixed_point.hpp"
#include "core/poisson.hpp"
#include "core/ring_buffer.hpp"
#include "core/types.hpp"

namespace ganglion {

class poisson_drive {
  public:
    struct direct_synapse {
        static constexpr std::uint32_t none = 0xFFFFFFFFu;
        std::uint32_t index = none;  // thread-local neuron; none: not direct
        std::uint32_t receptor = 0;
        std::uint32_t delay = 0;  // steps
        float weight = 0;         // SpiNNaker mode: the 16-bit integer weight
        bool operator==(const direct_synapse&) const = default;
    };

    // The sources of one population here, gids ascending and above those
    // added before; direct[i] as above. With `arrival_delay`, every synapse
    // of the population (direct or not) has that delay, and its spikes are
    // drawn by arrive(), not step().
    void add_population(const poisson_process& process, const std::vector<gid_type>& gids,
                        const std::vector<direct_synapse>& direct,
                        std::optional<std::uint32_t> arrival_delay = std::nullopt);

    // Draws step s of every source of the populations without an arrival
    // delay: direct ones add into `buffer` (slot of s + delay),
    // `other(gid, count)` is called for the rest with a count > 0. A double
    // buffer sums w k; SpiNNaker's 16-bit buffer adds the k spikes of weight
    // w (a whole number) saturating, counting into `saturations`.
    template <class T, class Other>
    void step(step_type s, basic_ring_buffer<T>& buffer, Other&& other,
              std::uint64_t* saturations = nullptr);
    // The same for the populations with an arrival delay d, for the spikes
    // arriving in step t: those of step t - d (none before step 0).
    // `other(gid, count, s)` gets the emission step as well.
    template <class T, class Other>
    void arrive(step_type t, basic_ring_buffer<T>& buffer, Other&& other,
                std::uint64_t* saturations = nullptr);

    // Draws ahead: refills up to `max_sources` sources of the next block of
    // 8 steps of a population that has one in use (while the thread would
    // otherwise wait at a barrier: the work of later steps shrinks, the
    // words are the same). False when every next block is done.
    bool work_ahead(std::size_t max_sources);

    std::size_t size() const { return gids_.size(); }
    std::size_t bytes() const;

  private:
    struct population {
        const poisson_process* process = nullptr;
        std::size_t begin = 0, end = 0;  // its sources
        std::uint64_t block = 0;         // the block of words in use, + 1 (0: none yet)
        int half = 0;                    // which of the population's two word buffers it is in
        std::uint64_t ahead = 0;         // the block being drawn ahead into the other, + 1
        std::size_t ahead_done = 0;      // its sources drawn so far
        bool all_direct = false;
        bool uniform = false;     // all direct with common delay, receptor and weight
        bool contiguous = false;  // uniform, onto neurons common.index, + 1, ... (one-to-one)
        bool at_arrival = false;  // drawn by arrive(), `arrival_delay` steps late
        std::uint32_t arrival_delay = 0;
        direct_synapse common;
    };
    static constexpr std::size_t count_chunk = 512;
    // Makes `block` the one in use (what was drawn ahead of it, and the rest).
    void use_block(population& pop, std::uint64_t block);
    // Sources [j0, j1) of `block` into buffer `half`.
    void refill(population& pop, std::uint64_t block, int half, std::size_t j0, std::size_t j1);
    // Step s of one population's sources, as step() describes.
    template <class T, class Other>
    void draw(population& pop, step_type s, basic_ring_buffer<T>& buffer, Other&& other,
              std::uint64_t* saturations);
    std::uint32_t* words(const population& pop, int half, step_type s) {
        const std::size_t n = pop.end - pop.begin;
        return words_.data() + 16 * pop.begin + static_cast<std::size_t>(half) * 8 * n +
               static_cast<std::size_t>(s & 7) * n;
    }

    std::vector<population> populations_;
    std::vector<gid_type> gids_;
    std::vector<direct_synapse> direct_;
    std::vector<std::uint32_t> index_;  // direct_[i].index, for the uniform loop
    std::vector<std::uint32_t> words_;  // per population: [half][step % 8][source]
};

template <class T, class Other>
void poisson_drive::step(step_type s, basic_ring_buffer<T>& buffer, Other&& other,
                         std::uint64_t* saturations) {
    for (population& pop : populations_)
        if (!pop.at_arrival) draw(pop, s, buffer, other, saturations);
}

template <class T, class Other>
void poisson_drive::arrive(step_type t, basic_ring_buffer<T>& buffer, Other&& other,
                           std::uint64_t* saturations) {
    for (population& pop : populations_) {
        if (!pop.at_arrival) continue;
        const step_type s = t - static_cast<step_type>(pop.arrival_delay);
        if (s >= 0)
            draw(
                pop, s, buffer, [&](gid_type g, int k) { other(g, k, s); }, saturations);
    }
}

template <class T, class Other>
void poisson_drive::draw(population& pop, step_type s, basic_ring_buffer<T>& buffer, Other&& other,
                         std::uint64_t* saturations) {
    const poisson_process& proc = *pop.process;
    if (!proc.active(s)) return;
    const std::size_t slot_of_s = buffer.slot(s);
    auto slot_after = [&](std::uint32_t delay) { return buffer.slot_after(slot_of_s, delay); };
    // The cell after k spikes of weight w (as deliver_source adds them:
    // exactly w for one spike; adding 0 x w changes no cell: cells are never
    // -0; or as the word store adds them).
    auto add = [saturations](T& x, float w, int k) {
        if constexpr (std::is_same_v<T, double>) {
            x += static_cast<double>(w) * static_cast<double>(k);
        } else {
            x = static_cast<T>(fixed::accumulate(x, static_cast<std::uint32_t>(w),
                                                 static_cast<std::uint32_t>(k), *saturations));
        }
    };
    if (pop.block != poisson_process::block_of(s) + 1) use_block(pop, poisson_process::block_of(s));
    const std::uint32_t* w = words(pop, pop.half, s);
    const std::size_t n = pop.end - pop.begin;
    if (pop.uniform) {
        // Counts a chunk at a time (poisson_process::count_words, a vector
        // loop), then the adds.
        T* row = buffer.slot_row(pop.common.receptor, slot_after(pop.common.delay));
        const float weight = pop.common.weight;
        const std::uint32_t* index = pop.contiguous ? nullptr : index_.data() + pop.begin;
        std::int32_t k[count_chunk];
        for (std::size_t j0 = 0; j0 < n; j0 += count_chunk) {
            const std::size_t m = std::min(count_chunk, n - j0);
            proc.count_words(w + j0, m, k);
            if (index) {
                for (std::size_t j = 0; j < m; ++j)
                    add(row[index[j0 + j]], weight, k[j]);
            } else {
                T* r = row + pop.common.index + j0;
                for (std::size_t j = 0; j < m; ++j)
                    add(r[j], weight, k[j]);
            }
        }
        return;
    }
    for (std::size_t j = 0; j < n; ++j) {
        const int k = proc.count_from(w[j]);
        const direct_synapse& d = direct_[pop.begin + j];
        if (d.index != direct_synapse::none)
            add(buffer.slot_row(d.receptor, slot_after(d.delay))[d.index], d.weight, k);
        else if (k > 0)
            other(gids_[pop.begin + j], k);
    }
}

}  // namespace ganglion
