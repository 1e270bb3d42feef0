#pragma once

// Math for loops that must vectorise and give the same bits everywhere.
//
// A model's step is one loop over a population's neurons, and ganglion
// promises the same spikes for every ranks x threads split, so a neuron's
// result may not depend on which neurons share its loop: not on whether it
// falls in the loop's vector body or its scalar remainder, nor on the
// instruction set the loop was compiled for. libm's exp is one opaque call
// per element, so a loop calling it stays scalar. vector_exp is plain inline
// arithmetic that GCC vectorises in a `#pragma omp simd` loop; like
// everything here it uses only IEEE +, -, * and bit operations, in one
// fixed order, so it gives the same bits in a scalar call and in SSE2, AVX2
// and AVX-512 vectors, as long as the compiler does not fuse a*b+c into an
// FMA (see GANGLION_VECTOR_CLONES).

#include <bit>
#include <cstdint>

namespace ganglion {

// Branch-free comparisons and choices.
//
// A conditional expression `c ? a : b` leaves GCC free to compute a value
// only on the path that uses it: it sinks the computation there, and jump
// threading copies code into each path of a conditional. It does not turn
// a path holding floating-point arithmetic back into straight-line code,
// since the arithmetic could trap (-ftrapping-math, the default), and the
// loop stays scalar ("control flow in loop"). A comparison of doubles used
// as an integer (a mask, a 0/1 flag) does not vectorise with SSE2 alone
// either (GCC 12). So these build 64-bit masks with integer arithmetic
// from the sign bit and pick by bits: both values are always computed, and
// every operation vectorises on SSE2, AVX2 and AVX-512 alike.

// All ones if a < b, else zero; a and b not NaN. The rounded difference
// has the sign of the exact one and is zero only when that is; adding +0.0
// turns the one negative zero, (-0.0) - (+0.0), into +0.0.
inline std::uint64_t less_mask(double a, double b) {
    return 0 - (std::bit_cast<std::uint64_t>((a - b) + 0.0) >> 63);
}

// All ones if i == 0, else zero; for i >= 0.
inline std::uint64_t zero_mask(std::int32_t i) {
    return 0 - static_cast<std::uint64_t>(static_cast<std::uint32_t>(i - 1) >> 31);
}

// Bit by bit: a where mask is set, b where it is not.
inline double blend(std::uint64_t mask, double a, double b) {
    return std::bit_cast<double>((std::bit_cast<std::uint64_t>(a) & mask) |
                                 (std::bit_cast<std::uint64_t>(b) & ~mask));
}

namespace detail {

// Adding this to a double t with |t| < 2^51 rounds t to the nearest integer
// k (ties to even) and leaves k, in two's complement, in the low bits of
// the sum's significand.
constexpr double round_shift = 0x1.8p52;

// 2^k from the shifted sum s = k + round_shift, for an integer k in
// [-1022, 1023]: the biased exponent k + 1023 goes into the exponent field.
// Adding the bias to the low bits and shifting them up leaves nothing of
// round_shift's own bits, which are all shifted out.
inline double exp2_from_shifted(double s) {
    return std::bit_cast<double>((std::bit_cast<std::uint64_t>(s) + 1023) << 52);
}

}  // namespace detail

// exp(x) for a double x, within 0.8 ULP of the exact value (measured: 0.74
// for normal results, 0.80 for subnormal ones, over 40 million points; see
// tests/unit/test_vector_math.cpp), so at most 1 ULP from std::exp. Results
// underflow gradually, to 0 below about -745.13, and overflow to +inf
// above about 709.78; -inf gives 0 and +inf gives +inf.
// The models never pass NaN; one gives NaN or 0.
//
// Method (Cody and Waite's range reduction, as in fdlibm's e_exp.c):
//   k = round(x / ln2), r = x - k ln2, |r| <= ln2 / 2 (plus rounding),
//   exp(x) = 2^k exp(r).
// k ln2 is subtracted in two parts: ln2_hi has 32 significant bits, so
// k ln2_hi is exact for |k| < 2^21 and x - k ln2_hi is exact (Sterbenz);
// ln2_lo is the rest of ln2 (fdlibm's ln2HI[0] and ln2LO[0]; ln2 - ln2_hi
// - ln2_lo = 1.2e-26), and the rounding of r is carried on as r_error.
// exp(r) is its Taylor polynomial of degree 13: its truncation error,
// below r^14 / 14! < 4e-18 relative, is far under an ULP, so what remains
// is the rounding of the evaluation, which adds the large terms 1 and r
// last and exactly (Fast2Sum) to keep that small. 2^k is built from bits
// in two normal factors, 2^k1 and 2^k2 with k1 = k/2 rounded: exp(r) 2^k1
// is exact, and the one multiplication by 2^k2 rounds once even when the
// result is subnormal or overflows. Always inlined: a call would keep the
// caller's loop from vectorising.
[[gnu::always_inline]] inline double vector_exp(double x) {
    using detail::round_shift;
    constexpr double log2e = 0x1.71547652b82fep0;     // 1 / ln2, rounded
    constexpr double ln2_hi = 0x1.62e42fee00000p-1;   // 6.93147180369123816490e-01
    constexpr double ln2_lo = 0x1.a39ef35793c76p-33;  // 1.90821492927058770002e-10
    // 1/n! for n = 2..13, correctly rounded (computed with mpmath, 200 bits).
    constexpr double c2 = 0x1.0000000000000p-1;
    constexpr double c3 = 0x1.5555555555555p-3;
    constexpr double c4 = 0x1.5555555555555p-5;
    constexpr double c5 = 0x1.1111111111111p-7;
    constexpr double c6 = 0x1.6c16c16c16c17p-10;
    constexpr double c7 = 0x1.a01a01a01a01ap-13;
    constexpr double c8 = 0x1.a01a01a01a01ap-16;
    constexpr double c9 = 0x1.71de3a556c734p-19;
    constexpr double c10 = 0x1.27e4fb7789f5cp-22;
    constexpr double c11 = 0x1.ae64567f544e4p-26;
    constexpr double c12 = 0x1.1eed8eff8d898p-29;
    constexpr double c13 = 0x1.6124613a86d09p-33;

    // Beyond these the result is 0 or +inf anyway; the clamp keeps k in
    // [-1076, 1024], where the bit tricks below hold.
    x = blend(less_mask(x, -746.0), -746.0, x);
    x = blend(less_mask(710.0, x), 710.0, x);

    const double k = (x * log2e + round_shift) - round_shift;
    const double r_hi = x - k * ln2_hi;  // exact
    const double r_lo = k * ln2_lo;
    const double r = r_hi - r_lo;
    // What rounding r lost (Fast2Sum: exact when |r_hi| >= |r_lo|; else
    // |r| < 5e-7, and the loss, like its estimate, is below 1e-22).
    const double r_error = (r_hi - r) - r_lo;

    // exp(r) = 1 + r + r^2 P(r), P(r) = 1/2! + r/3! + ... + r^11/13!, by
    // Estrin's scheme: Horner's rule would be one chain of 22 dependent
    // operations; this is 7 deep, and a loop calling vector_exp is bound by
    // that latency more than by the number of operations.
    const double r2 = r * r;
    const double r4 = r2 * r2;
    const double r8 = r4 * r4;
    const double p0 = (c2 + c3 * r) + (c4 + c5 * r) * r2;
    const double p1 = (c6 + c7 * r) + (c8 + c9 * r) * r2;
    const double p2 = (c10 + c11 * r) + (c12 + c13 * r) * r2;
    const double p = (p0 + p1 * r4) + p2 * r8;
    // 1 + r exactly, as a rounded sum and its error (Fast2Sum: |r| < 1).
    const double one_plus_r = 1.0 + r;
    const double one_plus_r_error = (1.0 - one_plus_r) + r;
    const double exp_r = one_plus_r + ((one_plus_r_error + r_error) + r2 * p);  // in [0.70, 1.42]

    // k1, k2 in [-538, 512]: both factors normal.
    const double k1_shifted = k * 0.5 + round_shift;
    const double k2 = k - (k1_shifted - round_shift);
    return exp_r * detail::exp2_from_shifted(k1_shifted) *
           detail::exp2_from_shifted(k2 + round_shift);
}

}  // namespace ganglion

// For a function whose loops call vector_exp, or must give the same bits on
// every machine for any other reason: compile it also for AVX2 and AVX-512
// (GCC function multiversioning: the best clone for the CPU is chosen when
// the program is loaded), with floating-point contraction off in every
// clone. GCC's default for C++ is -ffp-contract=fast, which fuses a*b+c into
// one FMA wherever the target has one. AVX-512F has FMA for 512-bit vectors
// and scalars but, without AVX-512VL, not for 256-bit vectors: GCC 12 fuses
// in a loop's 512-bit body and in its scalar remainder but not in its
// 256-bit remainder, so a neuron's result would depend on where it falls in
// the loop, and on the clone (tests/unit/test_vector_math.cpp fails so).
// With contraction off, every clone and every part of a loop does the same
// IEEE operations in the same order. A macro, because an attribute list
// cannot be named otherwise. The clones are x86-64's; elsewhere only the
// contraction is turned off.
#if defined(__x86_64__)
#define GANGLION_VECTOR_CLONES \
    __attribute__((target_clones("avx512f", "avx2", "default"), optimize("fp-contract=off")))
#else
#define GANGLION_VECTOR_CLONES __attribute__((optimize("fp-contract=off")))
#endif
