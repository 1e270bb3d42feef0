#pragma once

// A Poisson spike train as a pure function of (seed, purpose, gid, step):
// the count in a step is drawn by inversion from one counter-based random
// number and the precomputed cumulative distribution (lambda = rate dt):
// no division or exp per draw. Because nothing
// is carried from step to step, any thread can generate any source's train:
// the source's owner (when its spikes are recorded) or every thread that
// holds synapses from it (when they are not: then the spikes never cross
// the network, see simulation::run).

#include <cstdint>
#include <vector>

#include "core/random.hpp"
#include "core/types.hpp"

namespace ganglion {

struct poisson_process {
    double lambda = 0;  // expected spikes per step
    double exp_minus_lambda = 1;
    step_type first_step = 0;  // active in steps [first_step, end_step)
    step_type end_step = 0;
    std::uint64_t seed = 0;
    std::uint64_t purpose = 0;
    // P(X <= k) for k = 0, 1, ... until it stops growing (summed as
    // p_k = p_{k-1} lambda / k, so the draws equal the textbook inversion's).
    std::vector<double> cdf;

    // A spike drawn in step s is stamped (s + 1) dt: the train covers spike
    // times in (start, start + duration].
    static poisson_process make(double rate_hz, double start_ms, double duration_ms, double dt,
                                std::uint64_t seed, std::uint64_t purpose);

    bool active(step_type s) const { return lambda > 0 && s >= first_step && s < end_step; }

    // One Philox call gives the random words of 4 consecutive steps: step s
    // uses word s % 4 of block s / 4 of the (seed, purpose, gid) stream.
    static std::uint64_t block_of(step_type s) { return static_cast<std::uint64_t>(s) >> 2; }
    static std::size_t word_of(step_type s) { return static_cast<std::size_t>(s & 3); }

    // Spikes of `gid` in step `s` (0 in almost every step at low rates).
    int count(gid_type gid, step_type s) const {
        return count_from(philox(seed, purpose, gid, block_of(s))[word_of(s)]);
    }
    // The count for one random word (callers that keep a source's block).
    int count_from(std::uint64_t word) const {
        const double u = to_unit_open(word);
        if (u <= exp_minus_lambda) return 0;
        // Inversion: the smallest k with P(X <= k) >= u.
        const auto n = static_cast<int>(cdf.size());
        int k = 1;
        while (k < n && u > cdf[static_cast<std::size_t>(k)])
            ++k;
        return k;
    }
};

}  // namespace ganglion
