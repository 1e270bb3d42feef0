#pragma once

// SpiNNaker mode's synapses (../shared/DESIGN.md, "SpiNNaker fixed-point
// mode"): sPyNNaker's choice of a ring-buffer left shift per receptor of
// each target population, the quantisation of weights to 16 bits, the
// 32-bit synaptic word, and delivery into saturating ring-buffer slots.
//
// The synaptic word (4 bytes per synapse, as on the hardware):
//   bits 31..16  weight, unsigned 16-bit, in units of 2^(shift - 15) / weight_scale
//   bits 15..12  delay within the stage minus one (1 .. 16 steps)
//   bits 11..8   receptor (synapse type)
//   bits  7..0   neuron index within its core (at most 256 neurons per core)
// A row is the words of one source onto one core at one delay stage; a
// delay of d steps is stage (d - 1) / 16 (0: on the core; 1 .. 8: through
// the delay extension, up to 144 steps) and (d - 1) % 16 + 1 within it. A
// row header (4 bytes) holds the core's number on the thread, the stage and
// the length of the row; a source's rows are ordered by stage, then core.
//
// The delay extension, as on the hardware: a spike's stage-0 rows are
// delivered when it is received, its stage-k rows 16 k steps later (as if
// the spike were sent again then), each into the 16 slots after that step.
// So the ring buffer needs D + 16 slots whatever the longest delay (D the
// min-delay steps): for the microcircuit (delays up to 53 steps) 17 slots,
// not 54, and the slots a step's spikes write into are 2.6 MB per thread
// rather than 8.3 (every add there waits for its cache line).

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "core/communicator.hpp"
#include "core/error.hpp"
#include "core/layout.hpp"
#include "core/model.hpp"
#include "core/ring_buffer.hpp"
#include "core/spec.hpp"
#include "core/synapse_store.hpp"

namespace ganglion::spinnaker {

constexpr step_type core_delay_steps = 16;     // delays on the core
constexpr step_type max_delay_steps = 16 * 9;  // with the delay extension's 8 stages
constexpr double allowed_dt[] = {1.0, 0.1};    // ms

// Ring-buffer slots in SpiNNaker mode: D + 16 with the delay extension (or
// D + the longest delay, if shorter).
inline std::size_t ring_buffer_slots(step_type min_delay_steps, step_type max_delay_steps) {
    return static_cast<std::size_t>(min_delay_steps + std::min(max_delay_steps, core_delay_steps));
}

// What SpiNNaker mode can run: dt 1.0 or 0.1 ms, neuron models with a
// fixed-point version, static synapses, delays up to 144 steps. Throws
// model_file_error (naming the key) or error otherwise.
void check_model(const model_spec& spec, const model_registry& models);

// What a projection's drawn synapses show, reduced over all ranks and
// threads with max only (exact, so every split sees the same values).
struct projection_measure {
    double max_abs_weight = 0;          // PyNN units
    std::uint64_t max_in_degree = 0;    // synapses onto one target
    std::uint64_t min_delay_steps = 0;  // over the projection's synapses
    std::uint64_t max_delay_steps = 0;
};

// The inputs of sPyNNaker's choice for one projection.
struct projection_load {
    double weight_mean = 0;      // |mean| * weight_scale
    double weight_variance = 0;  // variance * weight_scale^2
    double weight_max = 0;       // largest weight it will see * weight_scale
    double n_connections = 0;    // (probable) maximum synapses onto one target
    bool delays_vary = false;
    double rate = 0;  // Hz of a Poisson source; 0: not a Poisson source
};
projection_load load_of(const model_spec& spec, const model_registry& models, std::size_t k,
                        const projection_measure& measured, double weight_scale);

// sPyNNaker's left shift for one receptor of one population, from the loads
// of the projections into it (SynapticManager's
// _get_ring_buffer_to_input_left_shifts and
// _ring_buffer_expected_upper_bound, as in sPyNNaker 5 and later): the
// largest input one step can bring, either the sum of every synapse's
// largest weight times its spikes per step (when all delays are equal) or,
// below that, mean + sigma standard deviations of a Poisson-driven sum at
// the synapses' mean rate; never below the largest single weight; as the
// smallest power of two above it.
int left_shift(const std::vector<projection_load>& loads, double dt, double ring_buffer_sigma,
               double spikes_per_second);

// Quantises weights to 16 bits: round(|w| * scale) with ties to even,
// saturating at 0xFFFF. Counts the weights that were not zero and became
// zero, and those that saturated.
struct quantise_counts {
    std::uint64_t rounded_to_zero = 0;
    std::uint64_t saturated = 0;
};
std::uint32_t quantise(double weight, double scale, quantise_counts& counts);

// The words of one thread's synapses.
class word_store;

// The delay stages of spikes still to be delivered (the delay extension's
// queue): each entry is a spike (or `count` spikes of a Poisson source in
// one step) and its first row not yet delivered. Entries are kept in the
// order they were added.
class delay_extension {
  public:
    struct entry {
        step_type step;      // of the spike
        std::uint64_t row;   // the first row not delivered
        std::uint64_t word;  // that row's first word
        gid_type source;
        std::uint32_t count;  // spikes
        std::uint32_t stage;  // rows_[row]'s stage
    };
    // Delivers the stages due before `until` (word_store::deliver), in the
    // order the entries were added; keeps the rest in that order.
    std::uint64_t deliver(const word_store& words, fixed_ring_buffer& buffer, step_type until,
                          std::uint64_t& saturations);
    void add(const entry& e) { entries_.push_back(e); }
    void clear() { entries_.clear(); }
    std::size_t size() const { return entries_.size(); }

  private:
    friend class word_store;
    std::vector<entry> entries_, next_;
};

class word_store {
  public:
    // A row header, 4 bytes: the core (its number among the thread's cores,
    // 12 bits), the delay stage (4 bits) and the number of words (16 bits;
    // a longer row is split into rows with the same core and stage).
    struct row {
        std::uint32_t packed;
        std::uint32_t core() const { return packed >> 20; }
        std::uint32_t stage() const { return (packed >> 16) & 15; }
        std::uint32_t count() const { return packed & 0xFFFF; }
    };
    static constexpr std::uint32_t max_cores_per_thread = 1u << 12;
    static constexpr std::uint32_t max_row_words = 0xFFFF;
    static std::uint32_t make_word(std::uint32_t weight, std::uint32_t delay_in_stage,
                                   std::uint32_t receptor, std::uint32_t index) {
        return (weight << 16) | ((delay_in_stage - 1) << 12) | (receptor << 8) | index;
    }

    // From quantised pending synapses (weight: the 16-bit integer; target
    // code: thread-local index and receptor) of a thread whose layout cuts
    // populations into cores of 256. Rows keep the order of `pending` within
    // (source, core, stage).
    void build(gid_type n_sources, const thread_layout& layout,
               std::vector<pending_synapse>&& pending);

    // The same in two passes over the synapses, as the engine builds
    // (memory: the words and a 2-byte row key each while building, not a
    // list of every synapse as well): start(), count() each synapse's
    // source, start_placing(), place() every synapse again in the same
    // order, finish(). `layout` must outlive the build.
    void start(gid_type n_sources, const thread_layout& layout);
    void count(gid_type source) {
        if (source + 1 >= word_index_.size())
            throw internal_error("synapse source gid out of range");
        ++word_index_[source + 1];
    }
    void start_placing();
    void place(const pending_synapse& s) {
        chunks_.put(s, [this](const pending_synapse& x) { place_now(x); });
    }
    void finish();

    std::size_t size() const { return words_.size(); }
    // The synapses' storage (not deliver()'s scratch: 4 bytes per word of
    // the longest source on the thread).
    std::size_t bytes() const;
    bool has_row(gid_type g) const {
        return g + 1 < row_index_.size() && row_index_[g] != row_index_[g + 1];
    }

    // Delivers an interval's spike words (core/spike_buffer.hpp) whose
    // steps count from first_step, one spike each, in their order; returns
    // the synaptic events.
    std::uint64_t deliver_spikes(const std::vector<std::uint64_t>& spike_words,
                                 step_type first_step, fixed_ring_buffer& buffer,
                                 std::uint64_t& saturations, step_type until = no_step,
                                 delay_extension* later = nullptr) const;

    // Adds source g's words, `count` spikes of it in step s, into the
    // saturating slots (counting saturations as the hardware would, spike
    // by spike); returns the synaptic events. With `later`, only the stages
    // k whose first step s + 16 k + 1 comes before `until` (the engine: the
    // end of the next interval), and the rest go into `later`.
    std::uint64_t deliver(gid_type g, step_type s, std::uint32_t count, fixed_ring_buffer& buffer,
                          std::uint64_t& saturations, step_type until = no_step,
                          delay_extension* later = nullptr) const;
    // The stages of a spike (g, s) whose first step is at or after
    // `not_before` into `later`, as deliver would have left them (a restored
    // checkpoint: the ring buffer holds the others).
    void defer(gid_type g, step_type s, std::uint32_t count, step_type not_before,
               delay_extension& later) const;
    static constexpr step_type no_step = std::numeric_limits<step_type>::max();

    // Source g's one word here, if its row on this thread is exactly one
    // word (a one-to-one Poisson drive's): its cell, receptor, delay in
    // steps and 16-bit weight.
    struct single_word {
        std::uint32_t index, receptor, delay, weight;
    };
    std::optional<single_word> single(gid_type g) const;

    // Every synapse as (source, target_code, weight as the 16-bit integer,
    // delay in steps), for tests.
    std::vector<pending_synapse> to_list() const;

  private:
    std::vector<std::uint64_t> row_index_;   // per source + 1
    std::vector<std::uint64_t> word_index_;  // per source + 1
    big_vector<row> rows_;                   // huge pages, as the synapse store's
    std::vector<std::uint32_t> core_start_;  // per thread core: its first thread-local index
    big_vector<std::uint32_t> words_;
    // deliver()'s scratch: per word of one source, its core's first index
    // << 9 | its stage's slot, then its cell in the ring buffer's data (the
    // longest source's words + 16).
    mutable std::vector<std::uint32_t> where_;
    // While building.
    const thread_layout* layout_ = nullptr;
    std::uint64_t core_size_ = 256;
    std::vector<std::uint32_t> first_core_of_;  // per population of the layout
    std::vector<std::uint64_t> next_;           // per source: its next word
    std::vector<std::uint16_t> keys_;           // per word: core << 4 | stage
    source_chunks chunks_;
    void place_now(const pending_synapse& s);
    friend class delay_extension;
    // Delivers the rows from `row` (its first word `word`) whose stage is
    // due before `until`; the first that is not goes into `later`.
    std::uint64_t deliver_rows(gid_type g, step_type s, std::uint32_t count, std::uint64_t row,
                               std::uint64_t word, fixed_ring_buffer& buffer,
                               std::uint64_t& saturations, step_type until,
                               std::vector<delay_extension::entry>* later) const;
};

}  // namespace ganglion::spinnaker
