#pragma once

// A Poisson spike train as a pure function of (seed, purpose, gid, step):
// the count in a step is drawn by inversion from one counter-based random
// number and the precomputed cumulative distribution (lambda = rate dt):
// no division or exp per draw. Because nothing
// is carried from step to step, any thread can generate any source's train:
// the source's owner (when its spikes are recorded) or every thread that
// holds synapses from it (when they are not: then the spikes never cross
// the network, see simulation::run).

#include <array>
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
    // The inversion in integers: u = (word + 0.5) 2^-32 > cdf[k] exactly
    // when word >= threshold[k] (= floor(cdf[k] 2^32 - 0.5) + 1, computed
    // without rounding), so the counts are the double comparison's.
    std::vector<std::uint64_t> threshold;
    // Chen and Asau's guide table: guide[j] is the count for u = j / 2^10,
    // where the inversion for any u in (j / 2^10, (j + 1) / 2^10] starts (the
    // count grows with u). Most intervals hold no step of the CDF, so most
    // draws cost one lookup and one comparison, whatever lambda.
    static constexpr int guide_bits = 10;
    std::vector<std::uint32_t> guide;
    // The count is also the number of thresholds a word reaches. When the
    // first `head_terms` hold all but 2^-8 of the mass (lambda up to ~2.4),
    // count_words compares every word with all of them at once (a vector
    // loop) and counts the rare word that reaches the last one on its own.
    static constexpr int head_terms = 8;
    bool head_counts = false;
    // The head thresholds as 32-bit "word > threshold - 1" bounds (all
    // thresholds are then >= 1), 2^32 - 1 (never exceeded) past the last.
    std::array<std::uint32_t, head_terms> head{};

    // A spike drawn in step s is stamped (s + 1) dt: the train covers spike
    // times in (start, start + duration].
    static poisson_process make(double rate_hz, double start_ms, double duration_ms, double dt,
                                std::uint64_t seed, std::uint64_t purpose);

    bool active(step_type s) const { return lambda > 0 && s >= first_step && s < end_step; }

    // One Philox call gives the random words of 8 consecutive steps: step s
    // uses 32-bit word s % 8 of block s / 8 of the (seed, purpose, gid)
    // stream (the low half of 64-bit word 0 first). 32 bits resolve the
    // distribution to 2^-32 in probability.
    static std::uint64_t block_of(step_type s) { return static_cast<std::uint64_t>(s) >> 3; }
    static std::uint32_t word_of(const std::array<std::uint64_t, 4>& block, step_type s) {
        const auto i = static_cast<unsigned>(s & 7);
        return static_cast<std::uint32_t>(block[i >> 1] >> (32 * (i & 1)));
    }

    // Spikes of `gid` in step `s` (0 in almost every step at low rates).
    int count(gid_type gid, step_type s) const {
        return count_from(word_of(philox(seed, purpose, gid, block_of(s)), s));
    }
    // The count for one random word (callers that keep a source's block).
    int count_from(std::uint32_t word) const {
        // Inversion: the smallest k with P(X <= k) >= u = (word + 0.5) 2^-32
        // (cdf.size() if none).
        const auto n = static_cast<std::uint32_t>(threshold.size());
        std::uint32_t k = guide[word >> (32 - guide_bits)];
        while (k < n && word >= threshold[k])
            ++k;
        return static_cast<int>(k);
    }
    // counts[j] = count_from(words[j]) for j < n.
    void count_words(const std::uint32_t* words, std::size_t n, std::int32_t* counts) const;
};

}  // namespace ganglion
