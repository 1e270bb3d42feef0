#pragma once

// SpiNNaker's arithmetic, as sPyNNaker's C code does it with GCC's ISO/IEC
// TR 18037 fixed-point support on the ARM968:
//
// - accum (sPyNNaker's REAL, s1615): signed 16.15 fixed point in 32 bits,
//   value = raw / 2^15, range [-65536, 65536 - 2^-15], step 2^-15.
//   Plain accum arithmetic does not saturate: + and - wrap in 32 bits, and
//   a product is the 64-bit product of the raw values shifted right by 15
//   (an arithmetic shift: rounding towards minus infinity, "truncation"),
//   whose low 32 bits are kept (GCC's mulsa3 on ARM: smull, then the two
//   halves shifted and or-ed). The `sat_*` functions are the saturating
//   forms (TR 18037's `sat accum`).
// - ufract (sPyNNaker's UFRACT / decay_t, u032): unsigned 0.32, value =
//   raw / 2^32, in [0, 1). decay_s1615(x, d) multiplies an accum by it:
//   (int64 raw(x) * uint32 raw(d)) >> 32, again rounding towards minus
//   infinity.
// - Conversions on the host follow sPyNNaker's Python side: an accum
//   parameter is round(value * 2^15) with ties to even (DataType.S1615),
//   out of range is an error; a decay or init factor is
//   (value * 2^32).astype("uint32"), i.e. truncated.
// - Synaptic weights are unsigned 16-bit; ring-buffer slots accumulate them
//   and saturate at 0xFFFF; a slot becomes input as (slot << left_shift)
//   read as the raw bits of an accum.
//
// Everything here is exact integer arithmetic: the same inputs give the same
// bits on every machine.

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "core/error.hpp"

namespace ganglion::fixed {

constexpr int accum_fraction_bits = 15;
constexpr double accum_scale = 32768.0;        // 2^15
constexpr double ufract_scale = 4294967296.0;  // 2^32
constexpr double accum_max = 65536.0 - 1.0 / accum_scale;
constexpr double accum_min = -65536.0;

// s16.15. A literal type with GCC's non-saturating semantics.
struct accum {
    std::int32_t raw = 0;

    static constexpr accum from_raw(std::int32_t r) { return accum{r}; }
    constexpr double to_double() const { return static_cast<double>(raw) / accum_scale; }

    friend constexpr accum operator+(accum a, accum b) {
        return from_raw(static_cast<std::int32_t>(static_cast<std::uint32_t>(a.raw) +
                                                  static_cast<std::uint32_t>(b.raw)));
    }
    friend constexpr accum operator-(accum a, accum b) {
        return from_raw(static_cast<std::int32_t>(static_cast<std::uint32_t>(a.raw) -
                                                  static_cast<std::uint32_t>(b.raw)));
    }
    friend constexpr accum operator-(accum a) { return accum{} - a; }
    // 64-bit product >> 15 (towards minus infinity), low 32 bits kept.
    friend constexpr accum operator*(accum a, accum b) {
        const std::int64_t p = static_cast<std::int64_t>(a.raw) * b.raw;
        return from_raw(static_cast<std::int32_t>(
            static_cast<std::uint32_t>(static_cast<std::uint64_t>(p >> accum_fraction_bits))));
    }
    // Multiplication by an integer (GCC: int * accum is exact, then wraps).
    friend constexpr accum operator*(std::int32_t k, accum a) {
        return from_raw(static_cast<std::int32_t>(static_cast<std::uint32_t>(k) *
                                                  static_cast<std::uint32_t>(a.raw)));
    }
    accum& operator+=(accum b) { return *this = *this + b; }
    accum& operator-=(accum b) { return *this = *this - b; }
    friend constexpr bool operator==(accum a, accum b) { return a.raw == b.raw; }
    friend constexpr auto operator<=>(accum a, accum b) { return a.raw <=> b.raw; }
};

// u0.32.
struct ufract {
    std::uint32_t raw = 0;
    constexpr double to_double() const { return static_cast<double>(raw) / ufract_scale; }
};

// decay_s1615: x * d, rounding towards minus infinity.
constexpr accum decay(accum x, ufract d) {
    const std::int64_t p = static_cast<std::int64_t>(x.raw) * static_cast<std::int64_t>(d.raw);
    return accum::from_raw(static_cast<std::int32_t>(p >> 32));
}

// Saturating forms (TR 18037 `sat accum`).
constexpr accum saturate(std::int64_t raw) {
    if (raw > std::numeric_limits<std::int32_t>::max())
        return accum::from_raw(std::numeric_limits<std::int32_t>::max());
    if (raw < std::numeric_limits<std::int32_t>::min())
        return accum::from_raw(std::numeric_limits<std::int32_t>::min());
    return accum::from_raw(static_cast<std::int32_t>(raw));
}
constexpr accum sat_add(accum a, accum b) {
    return saturate(static_cast<std::int64_t>(a.raw) + b.raw);
}
constexpr accum sat_sub(accum a, accum b) {
    return saturate(static_cast<std::int64_t>(a.raw) - b.raw);
}
constexpr accum sat_mul(accum a, accum b) {
    return saturate((static_cast<std::int64_t>(a.raw) * b.raw) >> accum_fraction_bits);
}

// Host side: a parameter value as an accum, rounded to nearest with ties to
// even. `what` names the value for the error when it does not fit.
inline accum to_accum(double value, const std::string& what = "value") {
    // As sPyNNaker's DataType.S1615: the unrounded value must lie in range
    // (NaN fails both comparisons).
    if (!(value >= accum_min && value <= accum_max))
        throw error(
            what + " = " + std::to_string(value) +
            " does not fit SpiNNaker's s16.15 fixed point (allowed: -65536 to 65535.99997)");
    const double r = std::nearbyint(value * accum_scale);  // default rounding mode: ties to even
    return accum::from_raw(static_cast<std::int32_t>(r));
}

// Host side: a decay or init factor in [0, 1) as u0.32, truncated as
// numpy's astype("uint32") truncates. `what` names the value for errors.
inline ufract to_ufract(double value, const std::string& what = "factor") {
    if (!(value >= 0.0 && value < 1.0))
        throw error(what + " = " + std::to_string(value) +
                    " does not fit SpiNNaker's unsigned 0.32 fraction (allowed: [0, 1))");
    return ufract{static_cast<std::uint32_t>(value * ufract_scale)};
}

// Synaptic weights and ring buffers.
constexpr std::uint32_t max_weight = 0xFFFF;

// A ring-buffer slot after adding weight w: saturates at 0xFFFF (sPyNNaker
// counts each saturation).
constexpr std::uint32_t accumulate(std::uint32_t slot, std::uint32_t w,
                                   std::uint64_t& saturations) {
    std::uint32_t sum = slot + w;
    if (sum > max_weight) {
        sum = max_weight;
        ++saturations;
    }
    return sum;
}

// A ring-buffer slot after `count` spikes of weight w in one step, added one
// spike at a time as the hardware adds them: every spike after those that
// still fit counts one saturation (count <= 0xFFFF).
constexpr std::uint32_t accumulate(std::uint32_t slot, std::uint32_t w, std::uint32_t count,
                                   std::uint64_t& saturations) {
    const std::uint32_t sum = slot + w * count;
    if (sum <= max_weight) return sum;
    const std::uint32_t fit = (max_weight - slot) / w;  // w > 0: the sum exceeds the slot
    saturations += count - fit;
    return max_weight;
}

// A ring-buffer slot as synaptic input: (slot << left_shift) read as the raw
// bits of an accum.
constexpr accum weight_to_input(std::uint32_t slot, int left_shift) {
    return accum::from_raw(static_cast<std::int32_t>(slot << left_shift));
}

}  // namespace ganglion::fixed
