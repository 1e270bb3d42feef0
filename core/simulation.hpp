#pragma once

// One run of a model on this rank: building the local part of the network
// and the interval loop.
//
// The loop, per min-delay interval of D steps (DESIGN.md):
//   1. update: each thread advances its neurons D steps, reading its ring
//      buffers and collecting emitted spikes (gid, step) locally;
//   2. exchange: the ranks allgather all spikes of the interval;
//   3. deliver: the spikes are sorted by (step, gid) and each thread adds
//      the weights of its own synapses of each spike's source into its ring
//      buffers at step + delay. Plastic and SpiNNaker-mode synapses are
//      added at once; static synapses join an arrival_queue
//      (core/deliver.hpp), which adds, at the end of step 3, the runs
//      arriving in the next interval's D steps, so that the adds of a step
//      land in one slot row (in cache) instead of all over the buffer. The
//      Poisson sources generated at their targets (core/poisson_drive.hpp)
//      are drawn for the interval's steps in between.
// Every delay is >= D, so nothing delivered in 3 is needed before the next
// interval starts: one exchange per interval, never one per step. Each
// buffer cell sums its inputs in an order fixed by (step, gid) alone: what
// is added at emission first, then what arrives.

#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/checkpoint.hpp"
#include "core/communicator.hpp"
#include "core/connect.hpp"
#include "core/layout.hpp"
#include "core/model.hpp"
#include "core/ring_buffer.hpp"
#include "core/spec.hpp"
#include "core/spike_buffer.hpp"
#include "core/spinnaker.hpp"
#include "core/synapse_store.hpp"
#include "core/timers.hpp"

namespace ganglion {

// For tests of failure handling: make one rank fail at a given step.
struct fault_injection {
    enum class kind { throw_error, exit_process };
    kind k = kind::throw_error;
    int rank = 0;
    step_type step = 0;
};

// The spikes of one population that this rank records: its own neurons'
// spikes, each with its position in the population's global (time, node id)
// order.
struct recorded_spikes {
    std::vector<std::uint64_t> index;
    std::vector<std::uint64_t> node_id;
    std::vector<double> time;  // ms
};

// A projection's synapses as this rank holds them (its targets'), by
// position in the pre and post views, for saving.
struct saved_connections {
    std::vector<std::uint64_t> pre_index, post_index;
    std::vector<double> weight, delay;  // weight as stored (float precision); delay in ms
};

// One population's recorded values of one state variable on this rank: its
// cells' columns, for the report writer.
struct recorded_state {
    std::vector<std::uint64_t> node_ids;       // all recorded cells of the population, ascending
    std::vector<std::uint64_t> local_columns;  // positions in node_ids of this rank's cells
    std::uint64_t n_times = 0;
    double t_start = 0, t_step = 0;  // ms
    std::vector<double> local_data;  // [time][local column]
};

// min_delay and max_delay in ms, from the file or from the projections'
// delays (smallest lower bound, largest upper bound).
std::pair<double, double> resolve_delay_range(const model_spec& spec);

// How what arrives is added, decided from the model alone (so the
// same on every split; the memory estimate uses it too). A Poisson
// population generated at its targets whose synapses are all static and all
// of one delay (in steps) is drawn when its spikes arrive
// (poisson_drive::arrive); static synapses of received spikes always are
// (arrival_queue). When nothing is left to push at emission (no plastic
// synapses, no other generated Poisson population with synapses), the ring
// buffer needs only the D slots being delivered; otherwise D + max_delay.
// SpiNNaker mode pushes every received spike into D + 16 slots (the delay
// extension holds later stages) and draws a one-delay generated population
// at arrival when its delay is at most 16 steps: its adds then land in the
// row the update reads next, not 16 rows ahead in a buffer of 2.6 MB per
// thread (the microcircuit) that has evicted it by then. The cells' values
// are the same (saturating adds of non-negative weights give min(0xFFFF,
// sum) in any order); the count of saturating adds may differ from drawing
// at emission, and is the same on every split.
struct delivery_plan {
    std::vector<std::optional<step_type>> arrival_delay;  // per population
    step_type slots = 0;
};
delivery_plan plan_delivery(const model_spec& spec, const model_registry& models,
                            const delay_grid& grid);

class simulation {
  public:
    simulation(model_spec spec, const model_registry& models, communicator& comm, int n_threads);
    ~simulation();

    // Creates the local neurons and draws the local synapses.
    void build();
    // Runs until tstop, or until the first interval boundary at or after
    // `stop_at` (a step), or until should_stop() asks the ranks to stop.
    void run(step_type stop_at = std::numeric_limits<step_type>::max());
    bool finished() const { return step_ >= n_steps_; }
    // Asked on the master thread every `every` intervals; when it returns
    // true on any rank (the ranks agree with a max-reduction), every rank
    // stops after that interval (signals: a checkpoint before the time limit).
    void set_stop_request(std::function<bool()> f, int every = 16) {
        stop_request_ = std::move(f);
        stop_every_ = every;
    }
    bool stopped_by_request() const { return stopped_by_request_; }

    // This rank's part of a checkpoint (at an interval boundary, after run()).
    checkpoint_state capture() const;
    // Loads a checkpoint's parts (of every rank that wrote one) into a
    // freshly built simulation: this rank takes its own neurons' state.
    void restore(const std::vector<checkpoint_state>& parts);
    void set_fault(const fault_injection& f) { fault_ = f; }
    // Called on the master thread after an interval, at most about once per
    // `every_seconds` of wall time, with the steps done and the wall time
    // spent in run() so far (a progress line; may throw to stop the run).
    using progress_callback = std::function<void(step_type done, step_type total, double seconds)>;
    void set_progress(progress_callback f, double every_seconds = 0.5) {
        progress_ = std::move(f);
        progress_every_ = every_seconds;
    }

    const model_spec& spec() const { return spec_; }
    const partition& part() const { return part_; }
    const delay_grid& grid() const { return grid_; }
    step_type n_steps() const { return n_steps_; }
    // The time of a step's end in ms, as it is written to output.
    double step_to_ms(step_type step) const;
    step_type current_step() const { return step_; }
    const phase_timers& timers() const { return timers_; }
    phase_timers& timers() { return timers_; }
    // Wall-clock time spent in run(), all phases and waiting included.
    double simulate_seconds() const { return simulate_seconds_; }

    // Synapses this rank stores, per projection and in all.
    const std::vector<std::uint64_t>& local_synapses_per_projection() const {
        return proj_synapses_;
    }
    std::uint64_t local_synapses() const;
    // Bytes this rank uses for synapses, ring buffers and neuron state (estimate of the big parts).
    std::size_t synapse_bytes() const;
    std::size_t buffer_bytes() const;

    // Spike counts per population over all ranks (every rank sees every spike).
    const std::vector<std::uint64_t>& spike_counts() const { return spike_counts_; }
    // Spikes of the recorded neurons per population (all ranks): the length
    // of the population's spike datasets.
    const std::vector<std::uint64_t>& recorded_counts() const { return recorded_counts_; }
    const std::vector<recorded_spikes>& recorded() const { return recorded_; }
    // Positions of every neuron, per population (after build()).
    const network_positions& positions() const { return positions_; }
    // The recorded values of state variable `variable` (an index into
    // spec().populations[p].record_state) of population p on this rank.
    recorded_state state_record(std::size_t p, std::size_t variable) const;

    // Projections with save_connections: their synapses on this rank (after
    // build(); plastic ones after run(), with the weights then); empty for
    // the others.
    const std::vector<saved_connections>& saved() const { return saved_; }
    // Unrecorded Poisson populations are generated at their targets and never
    // exchanged: their spikes are not counted.
    bool generated_at_targets(std::size_t population) const {
        return generated_.at(population).has_value();
    }
    std::vector<recorded_spikes>& recorded() { return recorded_; }

    // SpiNNaker mode: per population and receptor, the ring-buffer left
    // shift; per projection, the weights rounded to zero or saturated when
    // quantised (this rank's synapses); and the ring-buffer saturations
    // during the run (this rank). Empty / zero in double mode.
    bool spinnaker_mode() const { return spec_.spinnaker.enabled; }
    const std::vector<std::vector<int>>& left_shifts() const { return shifts_; }
    const std::vector<spinnaker::quantise_counts>& quantised() const { return quantised_; }
    std::uint64_t ring_buffer_saturations() const;

    // For tests: a thread's synapses and ring buffer.
    const synapse_store& synapses(int thread) const;
    const thread_layout& layout(int thread) const;
    ring_buffer& buffer(int thread);
    const delivery_plan& plan() const { return plan_; }
    population_shard& shard(int thread, std::size_t population);

  private:
    struct thread_state;

    void interval_update(thread_state& ts, step_type first, step_type last);
    void interval_deliver(thread_state& ts, step_type first, step_type last);
    void fixed_deliver(thread_state& ts, step_type first, step_type last);
    void deliver_all(thread_state& ts, const std::vector<std::uint64_t>& words, step_type first);
    void record_post_spikes(thread_state& ts);
    void exchange(step_type first);
    void inject_fault(step_type first, step_type last) const;
    void report_progress(std::chrono::steady_clock::time_point start);
    void build_current_injections();
    void make_shards(thread_state& ts);
    void check_spinnaker() const;
    void measure_spinnaker_synapses(thread_state& ts, const std::vector<std::uint32_t>& receptors,
                                    std::vector<std::uint64_t>& drawn);
    void spinnaker_synapses(const std::vector<std::uint32_t>& receptors,
                            std::vector<std::vector<saved_connections>>& saved_per_thread);
    double quantum_scale(std::size_t population, std::size_t receptor) const;
    void save_plastic_weights();

    model_spec spec_;
    const model_registry& models_;
    communicator& comm_;
    partition part_;
    delay_grid grid_;
    delivery_plan plan_;  // (build)
    step_type n_steps_ = 0;
    step_type step_ = 0;
    std::vector<std::unique_ptr<thread_state>> threads_;
    std::vector<gid_type> population_first_;  // first gid per population, + total
    std::vector<std::uint64_t> proj_synapses_;
    std::vector<std::vector<int>> shifts_;               // SpiNNaker mode
    std::vector<spinnaker::quantise_counts> quantised_;  // SpiNNaker mode
    std::vector<std::uint64_t> spike_counts_;
    std::vector<std::uint64_t> recorded_counts_;  // spikes of recorded neurons, per population
    network_positions positions_;
    std::vector<saved_connections> saved_;
    // State probes per thread and population (null where nothing is recorded).
    std::vector<std::vector<std::unique_ptr<state_probe>>> probes_;
    // Current sources and, per thread and population, what each shard receives.
    std::vector<std::unique_ptr<current_waveform>> waveforms_;
    // STDP rules per projection (defaults for static ones), and how long
    // post spikes matter to K- (40 tau_minus, in steps).
    std::vector<stdp_spec> rules_;
    step_type history_steps_ = 0;
    std::vector<std::vector<std::unique_ptr<current_injection>>> injections_;
    std::vector<std::vector<char>> record_mask_;  // per population; empty: record all
    std::vector<std::optional<poisson_process>> generated_;
    std::vector<recorded_spikes> recorded_;
    std::vector<std::uint64_t> local_words_, global_words_;
    // Received spikes of the last max_delay steps: (step, gid), in order.
    std::vector<std::pair<step_type, gid_type>> recent_spikes_;
    phase_timers timers_;
    double simulate_seconds_ = 0;
    std::optional<fault_injection> fault_;
    progress_callback progress_;
    std::function<bool()> stop_request_;
    int stop_every_ = 16;
    bool stopped_by_request_ = false;
    double progress_every_ = 0.5;
    double last_progress_ = 0;
    bool built_ = false;
};

}  // namespace ganglion
