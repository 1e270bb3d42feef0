#pragma once

// The threshold pass that ends every vectorised LIF step (IF_curr_exp,
// IF_curr_delta, IF_cond_exp), after the membrane pass: a neuron at or above
// threshold spikes, is reset and starts its refractory count; any other
// counts a refractory step down. Branch-free (core/vector_math.hpp), so it
// vectorises in each of the caller's clones, into which it is inlined.

#include <cstddef>
#include <cstdint>

#include "core/vector_math.hpp"

namespace ganglion::models {

[[gnu::always_inline]] inline void lif_threshold(double* __restrict v,
                                                 std::int32_t* __restrict refr,
                                                 std::uint8_t* __restrict spiked, std::size_t n,
                                                 double v_thresh, double v_reset,
                                                 std::int32_t refractory_steps) {
#pragma omp simd
    for (std::size_t k = 0; k < n; ++k) {
        const std::uint64_t spike = ~less_mask(v[k], v_thresh);  // v >= v_thresh
        const std::int32_t spike32 = static_cast<std::int32_t>(spike);
        const std::int32_t rk = refr[k];
        spiked[k] = static_cast<std::uint8_t>(spike & 1);
        v[k] = blend(spike, v_reset, v[k]);
        refr[k] = (refractory_steps & spike32) | ((rk == 0 ? 0 : rk - 1) & ~spike32);
    }
}

}  // namespace ganglion::models
