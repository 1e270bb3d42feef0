#pragma once

// The synapses one thread owns (those whose target it owns), as compressed
// sparse rows keyed by source gid. A row is split into runs of equal delay,
// so a delay is stored once per run, not once per synapse. A synapse is a
// 32-bit target code (receptor in the top 4 bits, thread-local neuron index
// in the low 28) and, unless every synapse of its run has the same weight
// (a projection with a constant weight), a 32-bit float weight: 8 bytes per
// synapse at most, 4 when weights are constant (the run holds the weight).

#include <cstdint>
#include <vector>

#include "core/error.hpp"
#include "core/memory.hpp"
#include "core/types.hpp"

namespace ganglion {

// A synapse while the network is built: 16 bytes, so that building needs
// little more than twice the memory of the finished rows. Sources are gids
// below 2^32 (draw_projection checks).
struct pending_synapse {
    std::uint32_t source;
    std::uint32_t target_code;
    float weight;
    std::uint32_t delay;  // steps
};
static_assert(sizeof(pending_synapse) == 16);

namespace target_code {
constexpr int receptor_shift = 28;
constexpr std::uint32_t index_mask = (1u << receptor_shift) - 1;
constexpr std::uint32_t max_index = index_mask;
constexpr std::uint32_t max_receptors = 16;
inline std::uint32_t make(std::uint32_t index, std::uint32_t receptor) {
    return (receptor << receptor_shift) | index;
}
inline std::uint32_t index(std::uint32_t code) {
    return code & index_mask;
}
inline std::uint32_t receptor(std::uint32_t code) {
    return code >> receptor_shift;
}
}  // namespace target_code

// Synapses placed a chunk at a time, grouped by source (a stable counting
// sort of the chunk): a row then gets its synapses of the chunk as one
// contiguous write instead of one cache miss each (placing straight into
// rows of a few GB is bound by memory latency). The order within a row is
// the order of put(). Shared by synapse_store and spinnaker::word_store.
class source_chunks {
  public:
    static constexpr std::size_t chunk_synapses = std::size_t{1} << 19;
    // Chunks pay when their sort's histogram (4 bytes per source) is small
    // next to them; otherwise put() places at once.
    void start(std::size_t n_synapses, std::size_t n_sources) {
        n_sources_ = n_sources;
        chunk_.clear();
        if (n_synapses > chunk_synapses && n_sources <= 8 * chunk_synapses) {
            chunk_.reserve(chunk_synapses);
            sorted_.reserve(chunk_synapses);
        }
    }
    template <class Place>
    void put(const pending_synapse& s, Place&& place_now) {
        if (chunk_.capacity() == 0) return place_now(s);
        if (chunk_.size() == chunk_.capacity()) flush(place_now);
        chunk_.push_back(s);
    }
    // Places what the chunk holds (and at the end, frees it).
    template <class Place>
    void flush(Place&& place_now);
    void release() {
        std::vector<pending_synapse>().swap(chunk_);
        std::vector<pending_synapse>().swap(sorted_);
        std::vector<std::uint32_t>().swap(start_);
    }

  private:
    std::size_t n_sources_ = 0;
    std::vector<pending_synapse> chunk_, sorted_;
    std::vector<std::uint32_t> start_;
};

template <class Place>
void source_chunks::flush(Place&& place_now) {
    if (chunk_.empty()) return;
    start_.assign(n_sources_ + 1, 0);
    for (const auto& s : chunk_) {
        if (s.source >= n_sources_) throw internal_error("synapse source gid out of range");
        ++start_[s.source + 1];
    }
    for (std::size_t g = 0; g < n_sources_; ++g)
        start_[g + 1] += start_[g];
    sorted_.resize(chunk_.size());
    for (const auto& s : chunk_)
        sorted_[start_[s.source]++] = s;
    for (const auto& s : sorted_)
        place_now(s);
    chunk_.clear();
}

class synapse_store {
  public:
    struct run {
        std::uint32_t delay;  // steps
        std::uint32_t count;  // synapses in the run
        // Index of the run's first weight in weights(), or shared_weight_run
        // when all its synapses have `weight`.
        std::uint32_t weight_begin;
        float weight;
        bool shared() const { return weight_begin == shared_weight_run; }
    };
    static constexpr std::uint32_t shared_weight_run = 0xFFFFFFFFu;

    // Builds the rows from unordered synapses. Within a row, synapses are
    // ordered by delay and otherwise keep the order of `pending` (stable), so
    // that the same input order gives the same rows.
    void build(gid_type n_sources, std::vector<pending_synapse>&& pending);

    // The same rows without a list of every synapse (which would take twice
    // the store's memory): start_counting, count() every synapse's source,
    // start_placing (with the largest delay and target index to come),
    // place() every synapse again in the same order, finish. While building,
    // a synapse's delay rides in the unused high bits of its target code when
    // the index and the delay fit in 28 bits together (else in an array of 4
    // bytes per synapse): the peak is then the finished arrays.
    static constexpr std::size_t chunk_synapses = source_chunks::chunk_synapses;
    void start_counting(gid_type n_sources);
    void count(gid_type source) {
        if (source + 1 >= syn_index_.size()) source_out_of_range();
        ++syn_index_[source + 1];
    }
    void start_placing(step_type max_delay, std::uint32_t max_index);
    void place(const pending_synapse& s) {
        chunks_.put(s, [this](const pending_synapse& x) { place_now(x); });
    }
    void finish();

    std::size_t size() const { return targets_.size(); }
    std::size_t bytes() const;

    // Row of `source`: runs [run_begin(source), run_end(source)) and synapses from
    // syn_begin(source).
    std::uint64_t run_begin(gid_type source) const { return run_index_[source]; }
    std::uint64_t run_end(gid_type source) const { return run_index_[source + 1]; }
    std::uint64_t syn_begin(gid_type source) const { return syn_index_[source]; }
    bool has_row(gid_type source) const {
        return source + 1 < run_index_.size() && run_index_[source] != run_index_[source + 1];
    }

    const big_vector<run>& runs() const { return runs_; }
    const big_vector<std::uint32_t>& targets() const { return targets_; }
    // Weights of the runs that do not share one weight, run by run.
    const big_vector<float>& weights() const { return weights_; }
    // The weight of the i-th synapse of run r.
    float weight(const run& r, std::uint32_t i) const {
        return r.shared() ? r.weight : weights_[r.weight_begin + i];
    }

    // Every synapse as (source, target_code, weight, delay), row by row (tests, saving).
    std::vector<pending_synapse> to_list() const;

  private:
    // Synapses are placed a chunk at a time, grouped by source (source_chunks).
    void place_now(const pending_synapse& s) {
        if (s.source >= next_.size()) source_out_of_range();
        const std::uint64_t k = next_[s.source]++;
        if (k >= syn_index_[s.source + 1]) place_overflow();
        weights_[k] = s.weight;
        if (delays_.empty()) {
            // Beyond the bounds given to start_placing, the delay would
            // spill into the index or receptor bits.
            if ((s.delay & ~delay_mask_) != 0 ||
                (target_code::index(s.target_code) >> delay_shift_) != 0)
                place_out_of_bounds();
            targets_[k] = s.target_code | (s.delay << delay_shift_);
        } else {
            targets_[k] = s.target_code;
            delays_[k] = s.delay;
        }
    }
    template <class DelayAt>
    void make_runs(DelayAt delay_at);
    [[noreturn]] static void place_overflow();
    [[noreturn]] static void place_out_of_bounds();
    [[noreturn]] static void source_out_of_range();

    std::vector<std::uint64_t> run_index_;  // per source + 1
    std::vector<std::uint64_t> syn_index_;  // per source + 1
    big_vector<run> runs_;  // huge pages: each queued spike reads its next run header
    big_vector<std::uint32_t> targets_;
    big_vector<float> weights_;
    // While building: the next free place of each row, and where the delays
    // are (bits [delay_shift_, 28) of the target codes, or delays_).
    std::vector<std::uint64_t> next_;
    int delay_shift_ = 0;
    std::uint32_t delay_mask_ = 0;
    big_vector<std::uint32_t> delays_;
    source_chunks chunks_;
};

}  // namespace ganglion
