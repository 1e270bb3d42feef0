#pragma once

// A Poisson spike train as a pure function of (seed, purpose, gid, step):
// the count in a step is drawn by inversion from one counter-based random
// number and the precomputed exp(-lambda), lambda = rate dt. Because nothing
// is carried from step to step, any thread can generate any source's train:
// the source's owner (when its spikes are recorded) or every thread that
// holds synapses from it (when they are not: then the spikes never cross
// the network, see simulation::run).

#include <cstdint>

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

    // A spike drawn in step s is stamped (s + 1) dt: the train covers spike
    // times in (start, start + duration].
    static poisson_process make(double rate_hz, double start_ms, double duration_ms, double dt,
                                std::uint64_t seed, std::uint64_t purpose);

    bool active(step_type s) const { return lambda > 0 && s >= first_step && s < end_step; }

    // Spikes of `gid` in step `s` (0 in almost every step at low rates).
    int count(gid_type gid, step_type s) const {
        const double u = to_unit_open(philox(seed, purpose, gid, static_cast<std::uint64_t>(s))[0]);
        if (u <= exp_minus_lambda) return 0;
        // Inversion: the smallest k with P(X <= k) >= u.
        int k = 0;
        double pk = exp_minus_lambda, cdf = pk;
        while (u > cdf && k < 100000) {
            ++k;
            pk *= lambda / k;
            cdf += pk;
        }
        return k;
    }
};

}  // namespace ganglion
