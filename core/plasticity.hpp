#pragma once

// Spike-timing-dependent plasticity: PyNN's STDPMechanism with the
// SpikePairRule and an additive or multiplicative weight dependence, with
// all of the delay dendritic (dendritic_delay_fraction 1), as PyNN's NEST
// backend runs it (NEST's stdp_synapse).
//
// A synapse with delay d from pre neuron i to post neuron j sees a pre spike
// at its emission time t_pre and a post spike at t_post + d (the post spike
// travels back along the dendrite). Weights change only when a pre spike is
// delivered, all-to-all pairing through traces:
//   - facilitation, for every post spike with t_last - d < t_post <= t_pre - d
//     (t_last: the previous pre spike): w <- f+(w, K+(t_post + d)), where K+
//     is the pre trace (sum of exp(-(t - t_pre_k)/tau_plus) over pre spikes
//     up to t_last);
//   - depression: w <- f-(w, K-(t_pre - d)), K-(t) the post trace, the sum of
//     exp(-(t - t_post)/tau_minus) over post spikes strictly before t;
//   - then the spike is delivered with the new weight.
// Weight dependence (NEST's stdp_synapse with Wmax = w_max, lambda = A_plus,
// alpha = A_minus / A_plus, mu = 0 or 1; PyNN's w_min as the lower bound):
//   additive:       f+ = min(w + A_plus w_max K, w_max),  f- = max(w - A_minus w_max K, w_min)
//   multiplicative: f+ = w + A_plus (w_max - w) K,        f- = w - A_minus (w - w_min) K
// A single pair with Δt = t_post + d - t_pre gives Δw = A_plus w_max exp(-Δt/tau_plus)
// for Δt >= 0 and -A_minus w_max exp(Δt/tau_minus) for Δt < 0 (additive).
//
// Everything is per thread and keyed by gid: a synapse lives with its
// target, and the post spikes it needs are its target's own, so results are
// the same for every ranks x threads split. A post spike is kept until every
// plastic synapse onto its neuron has paired it with its pre trace (as
// NEST's archiving node counts accesses) and it is older than max_delay +
// 40 tau_minus, past which its share of K- (below exp(-40)) is under double
// precision. K- is summed over the spikes within that window.

#include <cstdint>
#include <limits>
#include <vector>

#include "core/types.hpp"

namespace ganglion {

template <class T>
class basic_ring_buffer;
using ring_buffer = basic_ring_buffer<double>;

struct stdp_spec {
    enum class dependence { additive, multiplicative };
    double tau_plus = 20.0;   // ms
    double tau_minus = 20.0;  // ms
    double A_plus = 0.01;
    double A_minus = 0.01;
    dependence weight_dependence = dependence::additive;
    double w_min = 0.0;
    double w_max = 1.0;  // uS or nA, as the weights
    double dendritic_delay_fraction = 1.0;

    double facilitate(double w, double k) const {
        if (weight_dependence == dependence::additive) {
            const double x = w + A_plus * w_max * k;
            return x < w_max ? x : w_max;
        }
        const double x = w + A_plus * (w_max - w) * k;
        return x < w_max ? x : w_max;
    }
    double depress(double w, double k) const {
        if (weight_dependence == dependence::additive) {
            const double x = w - A_minus * w_max * k;
            return x > w_min ? x : w_min;
        }
        const double x = w - A_minus * (w - w_min) * k;
        return x > w_min ? x : w_min;
    }
};

// The spikes of a thread's neurons that plastic synapses need, per
// thread-local neuron index (steps, ascending), with how many of the
// neuron's plastic synapses have paired each one.
class post_history {
  public:
    struct entry {
        step_type step;
        std::uint32_t paired;  // synapses that have used it for facilitation
    };
    // n_neurons thread-local neurons; incoming[i]: plastic synapses onto neuron i.
    void reset(std::vector<std::uint32_t> incoming) {
        incoming_ = std::move(incoming);
        spikes_.assign(incoming_.size(), {});
    }
    bool needed(std::uint32_t neuron) const { return incoming_[neuron] > 0; }
    void add(std::uint32_t neuron, step_type step) { spikes_[neuron].push_back({step, 0}); }
    std::vector<entry>& of(std::uint32_t neuron) { return spikes_[neuron]; }
    // Drops the spikes every synapse has paired that lie before `step`.
    void drop_paired_before(step_type step);
    std::size_t size() const;
    // The whole history (checkpoints, tests).
    const std::vector<std::vector<entry>>& all() const { return spikes_; }
    std::vector<std::vector<entry>>& all() { return spikes_; }

  private:
    std::vector<std::uint32_t> incoming_;
    std::vector<std::vector<entry>> spikes_;
};

// The plastic synapses a thread owns, rows keyed by source gid; within a row
// one segment per projection (a pre trace per source and projection) and
// the synapses in the order they were drawn.
class plastic_store {
  public:
    struct synapse {
        std::uint32_t target_code;
        std::uint32_t delay;  // steps
        double weight;
    };
    struct segment {
        std::uint32_t rule;        // index into the rules (the projection)
        std::uint64_t begin, end;  // synapses
        double k_plus = 0;         // pre trace just after the last pre spike
        step_type t_last = std::numeric_limits<step_type>::min();  // no pre spike yet
    };
    struct pending {
        std::uint32_t source;
        std::uint32_t rule;
        synapse s;
    };

    void build(gid_type n_sources, std::vector<pending>&& synapses);
    bool empty() const { return synapses_.empty(); }
    std::size_t size() const { return synapses_.size(); }
    std::size_t bytes() const;
    bool has_row(gid_type source) const {
        return source + 1 < seg_index_.size() && seg_index_[source] != seg_index_[source + 1];
    }

    // Delivers a spike of `source` emitted in step `step`: updates the
    // weights of its synapses (rules[segment.rule], post spikes from
    // `history`) and adds them to the ring buffer at step + delay.
    void deliver(gid_type source, step_type step, const std::vector<stdp_spec>& rules, double dt,
                 post_history& history, ring_buffer& buffer);

    const std::vector<std::uint64_t>& segment_index() const { return seg_index_; }
    const std::vector<segment>& segments() const { return segments_; }
    std::vector<segment>& segments() { return segments_; }
    const std::vector<synapse>& synapses() const { return synapses_; }
    std::vector<synapse>& synapses() { return synapses_; }

  private:
    std::vector<std::uint64_t> seg_index_;  // per source + 1
    std::vector<segment> segments_;
    std::vector<synapse> synapses_;
};

}  // namespace ganglion
