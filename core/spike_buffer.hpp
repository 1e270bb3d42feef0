#pragma once

// Spikes emitted during one min-delay interval, one 64-bit word each: the
// step relative to the interval start in the top 16 bits, the gid in the low
// 48. Sorting the words sorts spikes by (step, gid), the delivery order that
// invariant 1 needs; the same word is what the exchange sends.

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "core/error.hpp"
#include "core/types.hpp"

namespace ganglion {

// The step a spike source emits a spike at time t (ms) in: the step that
// ends nearest t, round(t / dt) - 1, so that the spike is written at its
// time. A time below dt / 2 goes to step 0 (there is no earlier step); a
// time beyond any run is the last step rather than an overflow.
inline step_type source_spike_step(double t, double dt) {
    const double steps = t / dt;
    if (!(steps < 0x1p62)) return std::numeric_limits<step_type>::max();
    return std::max<step_type>(0, static_cast<step_type>(std::llround(steps)) - 1);
}

namespace spike_word {
constexpr int gid_bits = 48;
constexpr std::uint64_t gid_mask = (1ull << gid_bits) - 1;
constexpr gid_type max_gid = gid_mask;
constexpr step_type max_interval_steps = 1 << 16;

inline std::uint64_t pack(gid_type gid, step_type lag) {
    return (static_cast<std::uint64_t>(lag) << gid_bits) | gid;
}
inline gid_type gid(std::uint64_t w) {
    return w & gid_mask;
}
inline step_type lag(std::uint64_t w) {
    return static_cast<step_type>(w >> gid_bits);
}
}  // namespace spike_word

class spike_buffer {
  public:
    void start_interval(step_type first_step) {
        first_step_ = first_step;
        words_.clear();
    }
    void emit(gid_type gid, step_type step) {
        words_.push_back(spike_word::pack(gid, step - first_step_));
    }
    // Emits gids[i] for every i < n with spiked[i] != 0, in i order. Eight
    // flags are tested at once: almost every neuron is silent in a step, and
    // a byte at a time was ~5% of the microcircuit's simulation.
    void emit_flagged(const std::uint8_t* spiked, const gid_type* gids, std::size_t n,
                      step_type step) {
        std::size_t i = 0;
        // (Byte k of the word is flag i + k on little-endian machines.)
        for (; std::endian::native == std::endian::little && i + 8 <= n; i += 8) {
            std::uint64_t w;
            std::memcpy(&w, spiked + i, 8);
            while (w != 0) {
                const int bit = std::countr_zero(w) & ~7;  // the lowest nonzero flag's byte
                emit(gids[i + static_cast<std::size_t>(bit) / 8], step);
                w &= ~(std::uint64_t{0xFF} << bit);
            }
        }
        for (; i < n; ++i)
            if (spiked[i]) emit(gids[i], step);
    }
    step_type first_step() const { return first_step_; }
    const std::vector<std::uint64_t>& words() const { return words_; }
    std::vector<std::uint64_t>& words() { return words_; }

  private:
    step_type first_step_ = 0;
    std::vector<std::uint64_t> words_;
};

}  // namespace ganglion
