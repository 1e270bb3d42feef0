#pragma once

// Counter-based random streams (Random123 Philox4x64-10). A stream is keyed
// by (seed, purpose, id), where id is usually a gid: the numbers a neuron,
// source or target draws do not depend on which rank or thread draws them,
// which is what makes invariant 1 (same spikes for every ranks x threads
// split) possible. Never share one sequential generator between neurons.

#include <array>
#include <cstdint>

#include "core/spec.hpp"

namespace ganglion {

// Purposes keep the streams of different uses of one id apart.
namespace purpose {
constexpr std::uint64_t kind_shift = 48;
// Connections of projection p, keyed by target gid (or source for out-degree rules).
constexpr std::uint64_t connect(std::uint64_t projection) {
    return (1ull << kind_shift) | projection;
}
// Initial value number v of population p, keyed by gid.
constexpr std::uint64_t initial_value(std::uint64_t population, std::uint64_t variable) {
    return (2ull << kind_shift) | (population << 16) | variable;
}
// A spike source's draws, keyed by gid and step.
constexpr std::uint64_t source(std::uint64_t population) {
    return (3ull << kind_shift) | population;
}
}  // namespace purpose

// Four 64-bit random words for (seed, purpose, id, counter): stateless.
std::array<std::uint64_t, 4> philox(std::uint64_t seed, std::uint64_t purpose, std::uint64_t id,
                                    std::uint64_t counter);

// Uniform in (0, 1), never 0 or 1 (safe for log), from 52 random bits:
// k + 0.5 is exact in a double for every k < 2^52 (with 53 bits it is not,
// and the largest word would round to exactly 1).
inline double to_unit_open(std::uint64_t word) {
    return (static_cast<double>(word >> 12) + 0.5) * 0x1.0p-52;
}

// A sequential view of one (seed, purpose, id) stream.
class random_stream {
  public:
    random_stream(std::uint64_t seed, std::uint64_t purpose, std::uint64_t id)
        : seed_(seed), purpose_(purpose), id_(id) {}

    std::uint64_t next_u64() {
        if (used_ == 4) {
            block_ = philox(seed_, purpose_, id_, counter_++);
            used_ = 0;
        }
        return block_[used_++];
    }
    double uniform() { return to_unit_open(next_u64()); }
    double uniform(double low, double high) { return low + (high - low) * uniform(); }
    double normal();  // standard normal, Box-Muller
    double exponential(double rate);
    // Uniform integer in [0, n), unbiased.
    std::uint64_t below(std::uint64_t n);

    // Draw a value from a value_spec (PyNN semantics: normal_clipped redraws
    // until the value lies in [low, high]).
    double draw(const value_spec& v);

  private:
    std::uint64_t seed_, purpose_, id_;
    std::uint64_t counter_ = 0;
    std::array<std::uint64_t, 4> block_{};
    int used_ = 4;
};

}  // namespace ganglion
