#pragma once

// Current sources (PyNN's DCSource, StepCurrentSource, ACSource and
// NoisyCurrentSource) injected into a population or a view of one.
//
// Timing: step s covers (s dt, (s+1) dt]; the current a source injects during
// step s is its value at the step's start, t = s dt, and it is constant over
// the step. A source with start and stop injects in steps with
// start <= s dt < stop (times rounded to the grid). The injected current
// enters the membrane equation where the model's i_offset does (nA).
//
// Every value is a pure function of (source, gid, step): noise is drawn from
// the counter-based stream keyed (seed, source, gid) at the noise interval's
// number, so a neuron receives the same current whatever rank or thread owns
// it, and a run restored from a checkpoint needs no generator state.

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "core/types.hpp"

namespace ganglion {

struct current_source_spec {
    enum class kind { dc, step, ac, noisy };
    kind k = kind::dc;
    std::string type;                                       // the PyNN name, for messages
    double amplitude = 0;                                   // nA: DC, AC
    double start = 0;                                       // ms
    double stop = std::numeric_limits<double>::infinity();  // ms
    double offset = 0;                                      // nA: AC
    double frequency = 0;                                   // Hz: AC
    double phase = 0;                                       // degrees: AC
    double mean = 0;                                        // nA: noisy
    double stdev = 0;                                       // nA: noisy
    double dt = 0;                          // ms: noisy, interval of new values (0: the run's dt)
    std::vector<double> times, amplitudes;  // ms, nA: step
};

// One source's value over the step grid, for one run.
class current_waveform {
  public:
    current_waveform(const current_source_spec& src, std::size_t index, double dt,
                     std::uint64_t seed);
    // The current (nA) of this source into neuron `gid` during step s.
    double at(step_type s, gid_type gid) const;
    bool is_noisy() const { return src_.k == current_source_spec::kind::noisy; }

  private:
    current_source_spec src_;
    std::uint64_t purpose_;
    double dt_;
    std::uint64_t seed_;
    step_type start_, stop_;               // active steps [start_, stop_)
    step_type noise_every_ = 1;            // steps per noise value
    std::vector<step_type> change_steps_;  // step source: where each amplitude starts
};

// The sources one shard receives: per source, the shard positions of its
// targets (a neuron may receive several sources, and one source more than
// once when a view repeats it).
class current_injection {
  public:
    struct input {
        const current_waveform* source;
        std::vector<std::uint32_t> cells;  // positions in the shard
        std::vector<gid_type> gids;        // their gids
    };
    explicit current_injection(std::size_t n_cells) : n_(n_cells) {}
    void add(input in) { inputs_.push_back(std::move(in)); }
    bool empty() const { return inputs_.empty(); }
    // Writes the shard's injected current of step s into out[0, n).
    void fill(step_type s, double* out) const;

  private:
    std::size_t n_;
    std::vector<input> inputs_;
};

}  // namespace ganglion
