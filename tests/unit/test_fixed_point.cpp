// Tests for core/fixed_point.hpp: SpiNNaker's s16.15 accum and u0.32 ufract
// arithmetic against exact rational arithmetic (boost::multiprecision), at
// the edges (overflow, negative numbers, smallest steps) and on many random
// values from a fixed seed.
//
// Every reference below is written as the value the header's comment
// promises: an accum with raw bits r is the rational r / 2^15, a ufract with
// raw bits d is d / 2^32; a product is floored to a multiple of 2^-15 and
// wrapped (or clamped) to 32 bits; a host conversion is rounded half to even
// (accum) or floored (ufract) from the exact value of the double.

#include "core/fixed_point.hpp"

#include <gtest/gtest.h>

#include <boost/multiprecision/cpp_int.hpp>
#include <cmath>
#include <cstdint>
#include <ios>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace ganglion::fixed {
namespace {

using boost::multiprecision::cpp_int;
using boost::multiprecision::cpp_rational;

constexpr std::int32_t int32_min = std::numeric_limits<std::int32_t>::min();
constexpr std::int32_t int32_max = std::numeric_limits<std::int32_t>::max();
constexpr std::uint32_t uint32_max = std::numeric_limits<std::uint32_t>::max();
constexpr std::uint64_t seed = 20180517;

// Raw bits of a few exact values.
constexpr std::int32_t one = 1 << 15;   // 1.0
constexpr std::int32_t half = 1 << 14;  // 0.5
constexpr std::int32_t ulp = 1;         // 2^-15

accum raw(std::int32_t r) {
    return accum::from_raw(r);
}

// --- exact references -------------------------------------------------------

const cpp_int& two_pow(int k) {
    static const std::vector<cpp_int> powers = [] {
        std::vector<cpp_int> p{cpp_int(1)};
        for (int i = 1; i <= 64; ++i)
            p.push_back(p.back() * 2);
        return p;
    }();
    return powers.at(static_cast<std::size_t>(k));
}

cpp_rational value_of(accum a) {
    return cpp_rational(cpp_int(a.raw), two_pow(15));
}
cpp_rational value_of(ufract d) {
    return cpp_rational(cpp_int(d.raw), two_pow(32));
}
cpp_rational value_of(double x) {
    return cpp_rational(x);
}  // exact for finite doubles

// The largest integer <= q.
cpp_int floor_of(const cpp_rational& q) {
    const cpp_int n = numerator(q);
    const cpp_int d = denominator(q);  // > 0
    cpp_int f = n / d;                 // truncates towards zero
    if (n < 0 && f * d != n) --f;
    return f;
}

// The integer nearest to q, ties to the even one.
cpp_int round_half_even(const cpp_rational& q) {
    const cpp_int f = floor_of(q);
    const cpp_rational frac = q - cpp_rational(f);
    const cpp_rational one_half(1, 2);
    if (frac > one_half) return f + 1;
    if (frac < one_half) return f;
    return (f % 2 == 0) ? f : f + 1;
}

// v modulo 2^32, as a two's complement int32.
std::int32_t wrap_to_int32(const cpp_int& v) {
    cpp_int m = v % two_pow(32);
    if (m < 0) m += two_pow(32);
    if (m >= two_pow(31)) m -= two_pow(32);
    return m.convert_to<std::int32_t>();
}

std::int32_t clamp_to_int32(const cpp_int& v) {
    if (v > int32_max) return int32_max;
    if (v < int32_min) return int32_min;
    return v.convert_to<std::int32_t>();
}

bool fits_int32(const cpp_int& v) {
    return v >= int32_min && v <= int32_max;
}

// The raw bits of a value that is a multiple of 2^-15, before wrapping.
cpp_int exact_raw(const cpp_rational& value) {
    const cpp_rational scaled = value * cpp_rational(two_pow(15));
    if (denominator(scaled) != 1) throw std::logic_error("not a multiple of 2^-15");
    return numerator(scaled);
}

// The raw bits of value rounded down to a multiple of 2^-15, before wrapping.
cpp_int floored_raw(const cpp_rational& value) {
    return floor_of(value * cpp_rational(two_pow(15)));
}

std::int32_t expected_add(accum a, accum b) {
    return wrap_to_int32(exact_raw(value_of(a) + value_of(b)));
}
std::int32_t expected_sub(accum a, accum b) {
    return wrap_to_int32(exact_raw(value_of(a) - value_of(b)));
}
std::int32_t expected_mul(accum a, accum b) {
    return wrap_to_int32(floored_raw(value_of(a) * value_of(b)));
}
std::int32_t expected_decay(accum x, ufract d) {
    return wrap_to_int32(floored_raw(value_of(x) * value_of(d)));
}

// --- values -----------------------------------------------------------------

// Raw accums at the edges: zero, smallest steps, the units, powers of two
// around the overflow of a product, and both ends of the range.
std::vector<std::int32_t> edge_raws() {
    std::vector<std::int32_t> v = {
        0,         1,       2,          3,          half - 1,        half,          half + 1,
        one - 1,   one,     one + 1,
        3 * half,  // 1.5
        2 * one,
        181 * one,  // 181^2 < 65536 < 182^2
        182 * one,
        256 * one,  // 256 * 256 = 65536: the first square that overflows
        1 << 24,   1 << 30, 0x12345678, 0x55555555, int32_max - one, int32_max - 1, int32_max,
    };
    const std::size_t n = v.size();
    for (std::size_t i = 0; i < n; ++i)
        if (v[i] != 0) v.push_back(-v[i]);
    v.push_back(int32_min);
    v.push_back(int32_min + 1);
    v.push_back(int32_min + one);
    return v;
}

// A raw accum whose magnitude has a uniformly drawn number of bits (0 to 32)
// and a random sign: small values, products in range and overflows all occur.
std::int32_t random_raw(std::mt19937_64& rng) {
    const std::uint64_t bits = rng();
    const int width = static_cast<int>(bits % 33);
    const std::uint64_t mask = (std::uint64_t{1} << width) - 1;
    std::uint32_t u = static_cast<std::uint32_t>((bits >> 8) & mask);
    if (bits >> 63) u = 0u - u;
    return static_cast<std::int32_t>(u);
}

std::uint32_t random_ufract_raw(std::mt19937_64& rng) {
    const std::uint64_t bits = rng();
    // Half uniform over all 32 bits, half with a random number of bits.
    if (bits & 1) return static_cast<std::uint32_t>(bits >> 32);
    const int width = static_cast<int>((bits >> 1) % 33);
    return static_cast<std::uint32_t>((bits >> 8) & ((std::uint64_t{1} << width) - 1));
}

std::vector<std::uint32_t> edge_ufract_raws() {
    return {0u,          1u,          2u,          3u,          0x7FFFFFFFu, 0x80000000u,
            0x80000001u, 0xC0000000u, 0xFFFFFFFDu, 0xFFFFFFFEu, uint32_max};
}

constexpr int n_random = 1000000;

// --- accum +, -, unary - --------------------------------------------------------

TEST(fixed_point, add_sub_wrap_at_the_ends_of_the_range) {
    // One ulp past either end wraps to the other end.
    EXPECT_EQ((raw(int32_max) + raw(ulp)).raw, int32_min);
    EXPECT_EQ((raw(int32_min) - raw(ulp)).raw, int32_max);
    EXPECT_EQ((raw(int32_min) + raw(-ulp)).raw, int32_max);
    EXPECT_EQ((raw(int32_max) - raw(-ulp)).raw, int32_min);
    EXPECT_EQ((raw(int32_max) + raw(int32_max)).raw, -2);
    EXPECT_EQ((raw(int32_min) + raw(int32_min)).raw, 0);
    // -(-65536) is not representable: it wraps to itself.
    EXPECT_EQ((-raw(int32_min)).raw, int32_min);
    EXPECT_EQ((-raw(int32_max)).raw, int32_min + 1);
    EXPECT_EQ((-raw(ulp)).raw, -1);
    EXPECT_EQ((-raw(0)).raw, 0);
    accum a = raw(int32_max);
    a += raw(ulp);
    EXPECT_EQ(a.raw, int32_min);
    a -= raw(ulp);
    EXPECT_EQ(a.raw, int32_max);
}

TEST(fixed_point, add_sub_negate_are_the_exact_sum_modulo_2_to_the_32_on_edges) {
    const auto edges = edge_raws();
    for (const std::int32_t x : edges) {
        EXPECT_EQ((-raw(x)).raw, wrap_to_int32(exact_raw(-value_of(raw(x))))) << "x=" << x;
        for (const std::int32_t y : edges) {
            EXPECT_EQ((raw(x) + raw(y)).raw, expected_add(raw(x), raw(y)))
                << "x=" << x << " y=" << y;
            EXPECT_EQ((raw(x) - raw(y)).raw, expected_sub(raw(x), raw(y)))
                << "x=" << x << " y=" << y;
        }
    }
}

TEST(fixed_point, add_sub_negate_are_the_exact_sum_modulo_2_to_the_32_on_random_values) {
    std::mt19937_64 rng(seed);
    for (int k = 0; k < n_random / 8; ++k) {
        const accum a = raw(random_raw(rng));
        const accum b = raw(random_raw(rng));
        ASSERT_EQ((a + b).raw, expected_add(a, b)) << "a=" << a.raw << " b=" << b.raw;
        ASSERT_EQ((a - b).raw, expected_sub(a, b)) << "a=" << a.raw << " b=" << b.raw;
        ASSERT_EQ((-a).raw, wrap_to_int32(exact_raw(-value_of(a)))) << "a=" << a.raw;
    }
}

// --- accum * accum --------------------------------------------------------------

TEST(fixed_point, multiply_rounds_towards_minus_infinity_in_the_smallest_steps) {
    EXPECT_EQ((raw(ulp) * raw(ulp)).raw, 0);                // 2^-30 -> 0
    EXPECT_EQ((raw(ulp) * raw(-ulp)).raw, -1);              // -2^-30 -> -1 ulp, not 0
    EXPECT_EQ((raw(-ulp) * raw(-ulp)).raw, 0);              // 2^-30 -> 0
    EXPECT_EQ((raw(-ulp) * raw(half)).raw, -1);             // -0.5 ulp -> -1 ulp, not 0
    EXPECT_EQ((raw(ulp) * raw(half)).raw, 0);               // 0.5 ulp -> 0
    EXPECT_EQ((raw(-3) * raw(half)).raw, -2);               // -1.5 ulp -> -2 ulp
    EXPECT_EQ((raw(3) * raw(half)).raw, 1);                 // 1.5 ulp -> 1 ulp
    EXPECT_EQ((raw(one - 1) * raw(one - 1)).raw, one - 2);  // (1 - 2^-15)^2
    EXPECT_EQ((raw(-(one - 1)) * raw(one - 1)).raw, -(one - 1));
    // The first product out of range keeps its low 32 bits.
    EXPECT_EQ((raw(256 * one) * raw(256 * one)).raw, int32_min);   // 65536 -> -65536
    EXPECT_EQ((raw(256 * one) * raw(-256 * one)).raw, int32_min);  // -65536 fits
    EXPECT_EQ((raw(int32_min) * raw(-one)).raw, int32_min);        // 65536 -> -65536
    EXPECT_EQ((raw(int32_max) * raw(2 * one)).raw, -2);            // 131072 - 2 ulp
}

TEST(fixed_point, multiply_identities) {
    std::mt19937_64 rng(seed + 1);
    auto values = edge_raws();
    for (int k = 0; k < 10000; ++k)
        values.push_back(random_raw(rng));
    for (const std::int32_t x : values) {
        EXPECT_EQ((raw(x) * raw(one)).raw, x) << "x=" << x;
        EXPECT_EQ((raw(one) * raw(x)).raw, x) << "x=" << x;
        EXPECT_EQ((raw(x) * raw(0)).raw, 0) << "x=" << x;
        EXPECT_EQ((raw(0) * raw(x)).raw, 0) << "x=" << x;
        EXPECT_EQ((raw(x) * raw(-one)).raw, (-raw(x)).raw) << "x=" << x;
    }
}

TEST(fixed_point, multiply_is_the_floored_exact_product_modulo_2_to_the_32_on_edges) {
    const auto edges = edge_raws();
    for (const std::int32_t x : edges)
        for (const std::int32_t y : edges)
            EXPECT_EQ((raw(x) * raw(y)).raw, expected_mul(raw(x), raw(y)))
                << "x=" << x << " y=" << y;
    // Every pair of small raws: products of both signs below and just above
    // one ulp, with and without a remainder.
    for (std::int32_t x = -200; x <= 200; ++x)
        for (std::int32_t y = -200; y <= 200; ++y)
            ASSERT_EQ((raw(x) * raw(y)).raw, expected_mul(raw(x), raw(y)))
                << "x=" << x << " y=" << y;
    // Every raw times 0.5 and -0.5 around zero.
    for (std::int32_t x = -5000; x <= 5000; ++x) {
        ASSERT_EQ((raw(x) * raw(half)).raw, expected_mul(raw(x), raw(half))) << "x=" << x;
        ASSERT_EQ((raw(x) * raw(-half)).raw, expected_mul(raw(x), raw(-half))) << "x=" << x;
    }
}

TEST(fixed_point, multiply_is_the_floored_exact_product_modulo_2_to_the_32_on_random_values) {
    std::mt19937_64 rng(seed + 2);
    for (int k = 0; k < n_random; ++k) {
        const accum a = raw(random_raw(rng));
        const accum b = raw(random_raw(rng));
        ASSERT_EQ((a * b).raw, expected_mul(a, b)) << "a=" << a.raw << " b=" << b.raw;
    }
}

// --- int * accum ----------------------------------------------------------------

TEST(fixed_point, int_times_accum_is_the_exact_product_modulo_2_to_the_32) {
    EXPECT_EQ((3 * raw(half)).raw, 3 * half);
    EXPECT_EQ((-1 * raw(int32_min)).raw, int32_min);
    EXPECT_EQ((2 * raw(int32_max)).raw, -2);
    EXPECT_EQ((65536 * raw(one)).raw, int32_min);  // 65536.0 wraps to -65536.0
    EXPECT_EQ((-65536 * raw(one)).raw, int32_min);

    const auto edges = edge_raws();
    const std::vector<std::int32_t> ks = {0,   1,    -1,    2,     -2,     3,         255,
                                          256, -256, 65535, 65536, -65536, int32_max, int32_min};
    const auto check = [](std::int32_t k, accum a) {
        const cpp_rational exact = cpp_rational(cpp_int(k)) * value_of(a);
        return (k * a).raw == wrap_to_int32(exact_raw(exact));
    };
    for (const std::int32_t k : ks)
        for (const std::int32_t x : edges)
            EXPECT_TRUE(check(k, raw(x))) << "k=" << k << " x=" << x;
    std::mt19937_64 rng(seed + 3);
    for (int n = 0; n < n_random / 4; ++n) {
        const std::int32_t k = random_raw(rng);
        const accum a = raw(random_raw(rng));
        ASSERT_TRUE(check(k, a)) << "k=" << k << " a=" << a.raw;
    }
}

// --- decay ----------------------------------------------------------------------

TEST(fixed_point, decay_is_the_floored_exact_product_on_edges) {
    const auto factors = edge_ufract_raws();
    for (const std::int32_t x : edge_raws())
        for (const std::uint32_t d : factors)
            EXPECT_EQ(decay(raw(x), ufract{d}).raw, expected_decay(raw(x), ufract{d}))
                << "x=" << x << " d=" << d;
    for (std::int32_t x = -5000; x <= 5000; ++x)
        for (const std::uint32_t d : {1u, 0x80000000u, uint32_max})
            ASSERT_EQ(decay(raw(x), ufract{d}).raw, expected_decay(raw(x), ufract{d}))
                << "x=" << x << " d=" << d;
    // Named cases.
    EXPECT_EQ(decay(raw(-ulp), ufract{0x80000000u}).raw, -1);  // -0.5 ulp -> -1 ulp
    EXPECT_EQ(decay(raw(ulp), ufract{0x80000000u}).raw, 0);    // 0.5 ulp -> 0
    EXPECT_EQ(decay(raw(int32_min), ufract{uint32_max}).raw, int32_min);
    EXPECT_EQ(decay(raw(int32_max), ufract{uint32_max}).raw, int32_max - 1);
    EXPECT_EQ(decay(raw(int32_min), ufract{0x80000000u}).raw, int32_min / 2);
}

TEST(fixed_point, decay_is_the_floored_exact_product_on_random_values) {
    std::mt19937_64 rng(seed + 4);
    for (int k = 0; k < n_random; ++k) {
        const accum x = raw(random_raw(rng));
        const ufract d{random_ufract_raw(rng)};
        ASSERT_EQ(decay(x, d).raw, expected_decay(x, d)) << "x=" << x.raw << " d=" << d.raw;
    }
}

// What holds for d in [0, 1) (raw d / 2^32): decay(x, 0) = 0; for x > 0,
// 0 <= decay(x, d) < x, so a positive value shrinks by at least one ulp a
// step and reaches 0; for x < 0 and d > 0, x <= decay(x, d) <= -1 ulp, and
// decay(x, d) = x exactly when |x| (1 - d) < 1 ulp: a negative value never
// reaches 0, it stops at the first value above -1 / (1 - d) ulp (-5 ulp for
// d = exp(-1/5)). So |decay(x, d)| <= |x| always.
TEST(fixed_point, decay_never_grows_and_negative_values_never_reach_zero) {
    std::mt19937_64 rng(seed + 5);
    auto xs = edge_raws();
    for (int k = 0; k < 100000; ++k)
        xs.push_back(random_raw(rng));
    std::vector<std::uint32_t> ds = edge_ufract_raws();
    for (int k = 0; k < 20; ++k)
        ds.push_back(random_ufract_raw(rng));
    for (const std::int32_t x : xs) {
        EXPECT_EQ(decay(raw(x), ufract{0}).raw, 0) << "x=" << x;
        for (const std::uint32_t d : ds) {
            const std::int32_t r = decay(raw(x), ufract{d}).raw;
            if (x >= 0) {
                ASSERT_GE(r, 0) << "x=" << x << " d=" << d;
                if (x > 0) {
                    ASSERT_LT(r, x) << "x=" << x << " d=" << d;
                }
            } else {
                ASSERT_GE(r, x) << "x=" << x << " d=" << d;
                if (d > 0) {
                    ASSERT_LE(r, -1) << "x=" << x << " d=" << d;
                    // |x| (2^32 - d) < 2^32, exactly.
                    const bool stuck = (-static_cast<__int128>(x)) * ((__int128{1} << 32) - d) <
                                       (__int128{1} << 32);
                    ASSERT_EQ(r == x, stuck) << "x=" << x << " d=" << d;
                }
            }
        }
        // The largest factor takes exactly one ulp off a positive value and
        // leaves a negative one unchanged.
        ASSERT_EQ(decay(raw(x), ufract{uint32_max}).raw, x > 0 ? x - 1 : x) << "x=" << x;
    }
    // Repeated decay, as a synapse does every step: +1.0 reaches 0, -1.0
    // stops at -5 ulp, where 5 (1 - d) < 1 <= 6 (1 - d).
    const ufract d = to_ufract(std::exp(-1.0 / 5.0));
    accum up = raw(one), down = raw(-one);
    for (int step = 0; step < 200; ++step) {
        up = decay(up, d);
        down = decay(down, d);
    }
    EXPECT_EQ(up.raw, 0);
    EXPECT_EQ(down.raw, -5);
    EXPECT_EQ(decay(down, d), down);
    EXPECT_LT(5 * (1.0 - d.to_double()), 1.0);
    EXPECT_GE(6 * (1.0 - d.to_double()), 1.0);
}

// --- saturating forms ---------------------------------------------------------

TEST(fixed_point, saturating_forms_clamp_and_equal_the_wrapping_forms_in_range) {
    EXPECT_EQ(sat_add(raw(int32_max), raw(ulp)).raw, int32_max);
    EXPECT_EQ(sat_sub(raw(int32_min), raw(ulp)).raw, int32_min);
    EXPECT_EQ(sat_sub(raw(0), raw(int32_min)).raw, int32_max);  // sat -(-65536)
    EXPECT_EQ(sat_mul(raw(256 * one), raw(256 * one)).raw, int32_max);
    EXPECT_EQ(sat_mul(raw(256 * one), raw(-256 * one)).raw, int32_min);  // exactly -65536
    EXPECT_EQ(sat_mul(raw(int32_min), raw(int32_min)).raw, int32_max);
    EXPECT_EQ(sat_mul(raw(int32_min), raw(-one)).raw, int32_max);
    EXPECT_EQ(sat_mul(raw(-ulp), raw(half)).raw, -1);  // rounds like *

    const auto check = [](accum a, accum b) {
        const cpp_int sum = exact_raw(value_of(a) + value_of(b));
        const cpp_int difference = exact_raw(value_of(a) - value_of(b));
        const cpp_int product = floored_raw(value_of(a) * value_of(b));
        ::testing::AssertionResult r = ::testing::AssertionSuccess();
        if (sat_add(a, b).raw != clamp_to_int32(sum)) return ::testing::AssertionFailure() << "add";
        if (sat_sub(a, b).raw != clamp_to_int32(difference))
            return ::testing::AssertionFailure() << "sub";
        if (sat_mul(a, b).raw != clamp_to_int32(product))
            return ::testing::AssertionFailure() << "mul";
        if (fits_int32(sum) && sat_add(a, b) != a + b)
            return ::testing::AssertionFailure() << "add in range";
        if (fits_int32(difference) && sat_sub(a, b) != a - b)
            return ::testing::AssertionFailure() << "sub in range";
        if (fits_int32(product) && sat_mul(a, b) != a * b)
            return ::testing::AssertionFailure() << "mul in range";
        return r;
    };
    const auto edges = edge_raws();
    for (const std::int32_t x : edges)
        for (const std::int32_t y : edges)
            EXPECT_TRUE(check(raw(x), raw(y))) << "x=" << x << " y=" << y;
    std::mt19937_64 rng(seed + 6);
    for (int k = 0; k < n_random / 8; ++k) {
        const accum a = raw(random_raw(rng));
        const accum b = raw(random_raw(rng));
        ASSERT_TRUE(check(a, b)) << "a=" << a.raw << " b=" << b.raw;
    }
}

// --- host conversion to accum ---------------------------------------------------

std::int32_t expected_to_accum(double value) {
    return round_half_even(value_of(value) * cpp_rational(two_pow(15))).convert_to<std::int32_t>();
}

TEST(fixed_point, to_accum_rounds_half_to_even) {
    const double u = 1.0 / accum_scale;  // one ulp
    EXPECT_EQ(to_accum(0.5 * u).raw, 0);
    EXPECT_EQ(to_accum(1.5 * u).raw, 2);
    EXPECT_EQ(to_accum(2.5 * u).raw, 2);
    EXPECT_EQ(to_accum(-0.5 * u).raw, 0);
    EXPECT_EQ(to_accum(-1.5 * u).raw, -2);
    EXPECT_EQ(to_accum(-2.5 * u).raw, -2);
    EXPECT_EQ(to_accum(std::nextafter(0.5 * u, 1.0)).raw, 1);
    EXPECT_EQ(to_accum(std::nextafter(-0.5 * u, -1.0)).raw, -1);
    EXPECT_EQ(to_accum(0.1).raw, 3277);  // 3276.8000000000002
    EXPECT_EQ(to_accum(-65.0).raw, -65 * one);
    // Every tie (2k + 1) / 2^16 over a range of k, and its neighbours.
    for (std::int64_t k = -20000; k <= 20000; ++k) {
        const double tie = std::ldexp(static_cast<double>(2 * k + 1), -16);
        ASSERT_EQ(to_accum(tie).raw, expected_to_accum(tie)) << "k=" << k;
        ASSERT_EQ(to_accum(tie).raw % 2, 0) << "k=" << k;
        const double above = std::nextafter(tie, 1e9), below = std::nextafter(tie, -1e9);
        ASSERT_EQ(to_accum(above).raw, k + 1) << "k=" << k;
        ASSERT_EQ(to_accum(below).raw, k) << "k=" << k;
    }
    // Random ties over the whole range.
    std::mt19937_64 rng(seed + 7);
    std::uniform_int_distribution<std::int64_t> tie_index(int32_min, int32_max - 1);
    for (int n = 0; n < 50000; ++n) {
        const double tie = std::ldexp(static_cast<double>(2 * tie_index(rng) + 1), -16);
        ASSERT_EQ(to_accum(tie).raw, expected_to_accum(tie)) << "tie=" << tie;
    }
}

TEST(fixed_point, to_accum_is_the_nearest_accum_on_random_doubles) {
    std::mt19937_64 rng(seed + 8);
    std::uniform_real_distribution<double> anywhere(accum_min, accum_max);
    std::uniform_real_distribution<double> mantissa(1.0, 2.0);
    std::uniform_int_distribution<int> exponent(-30, 15);
    for (int n = 0; n < n_random / 8; ++n) {
        // Uniform over the range, and log-uniform magnitudes down to 2^-30.
        double x = anywhere(rng);
        ASSERT_EQ(to_accum(x).raw, expected_to_accum(x)) << "x=" << x;
        x = std::ldexp(mantissa(rng), exponent(rng));
        if (rng() & 1) x = -x;
        ASSERT_EQ(to_accum(x).raw, expected_to_accum(x)) << "x=" << x;
    }
}

TEST(fixed_point, to_accum_round_trips_every_representable_it_is_given) {
    std::mt19937_64 rng(seed + 9);
    auto raws = edge_raws();
    for (int k = 0; k < n_random / 10; ++k)
        raws.push_back(static_cast<std::int32_t>(rng()));
    for (std::int32_t r = -20000; r <= 20000; ++r)
        raws.push_back(r);
    for (const std::int32_t r : raws) {
        const double x = raw(r).to_double();
        ASSERT_EQ(value_of(x), value_of(raw(r))) << "to_double is exact, r=" << r;
        ASSERT_EQ(to_accum(x).raw, r) << "r=" << r;
    }
}

// The message of a failed conversion, or "" when it did not throw.
template <class F>
std::string error_message(F&& convert) {
    try {
        convert();
    } catch (const ganglion::error& e) {
        return e.what();
    }
    return "";
}

TEST(fixed_point, to_accum_range_limits) {
    EXPECT_EQ(to_accum(-65536.0).raw, int32_min);
    EXPECT_EQ(to_accum(65535.99996948).raw, int32_max);
    EXPECT_EQ(to_accum(accum_max).raw, int32_max);
    EXPECT_EQ(to_accum(std::nextafter(accum_min, 0.0)).raw, int32_min);
    EXPECT_EQ(to_accum(-0.0).raw, 0);

    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    for (const double bad :
         {65536.0, -65536.0001, std::nextafter(accum_min, -1e9), nan, inf, -inf, 1e10, -1e300}) {
        const std::string message = error_message([&] { to_accum(bad, "v_thresh"); });
        ASSERT_FALSE(message.empty()) << bad << " must throw ganglion::error";
        EXPECT_NE(message.find("v_thresh"), std::string::npos) << message;
        EXPECT_NE(message.find("-65536"), std::string::npos) << message;
        EXPECT_NE(message.find("65535.99997"), std::string::npos) << message;
    }
    EXPECT_NE(error_message([] { to_accum(65536.0); }).find("value"), std::string::npos);
}

// sPyNNaker's DataType.S1615 checks the value itself against its maximum,
// 65535.999969482421875, before rounding: anything above is an error, even
// when it would round to the maximum.
TEST(fixed_point, to_accum_rejects_values_above_the_largest_accum) {
    const double u = 1.0 / accum_scale;
    for (const double bad :
         {std::nextafter(accum_max, 1e9), accum_max + 0.25 * u, accum_max + 0.5 * u}) {
        EXPECT_FALSE(error_message([&] { to_accum(bad, "i_offset"); }).empty())
            << std::hexfloat << bad << " (" << std::defaultfloat << bad << ") must throw";
    }
}

// --- host conversion to ufract --------------------------------------------------

std::uint32_t expected_to_ufract(double value) {
    return floor_of(value_of(value) * cpp_rational(two_pow(32))).convert_to<std::uint32_t>();
}

TEST(fixed_point, to_ufract_truncates) {
    EXPECT_EQ(to_ufract(0.0).raw, 0u);
    EXPECT_EQ(to_ufract(-0.0).raw, 0u);
    EXPECT_EQ(to_ufract(0.5).raw, 0x80000000u);
    EXPECT_EQ(to_ufract(std::ldexp(1.0, -32)).raw, 1u);
    EXPECT_EQ(to_ufract(std::nextafter(std::ldexp(1.0, -32), 0.0)).raw, 0u);
    EXPECT_EQ(to_ufract(std::ldexp(1.999, -32)).raw, 1u);  // 1.999 ulp -> 1 ulp
    EXPECT_EQ(to_ufract(std::nextafter(1.0, 0.0)).raw, uint32_max);
    EXPECT_EQ(to_ufract(std::numeric_limits<double>::denorm_min()).raw, 0u);

    // Decay and init factors as sPyNNaker computes them for exponential
    // synapses and the membrane: exp(-dt/tau) and (tau/dt)(1 - exp(-dt/tau)).
    for (const double dt : {0.1, 1.0})
        for (const double tau : {0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 100.0}) {
            const double d = std::exp(-dt / tau);
            const double init = (tau / dt) * (1.0 - d);
            EXPECT_EQ(to_ufract(d).raw, expected_to_ufract(d)) << "dt=" << dt << " tau=" << tau;
            EXPECT_EQ(to_ufract(init).raw, expected_to_ufract(init))
                << "dt=" << dt << " tau=" << tau;
            EXPECT_LE(value_of(to_ufract(d)), value_of(d));
            EXPECT_GT(value_of(to_ufract(d)) + cpp_rational(cpp_int(1), two_pow(32)), value_of(d));
        }
    EXPECT_EQ(to_ufract(std::exp(-0.1 / 5.0)).raw, expected_to_ufract(std::exp(-0.1 / 5.0)));

    std::mt19937_64 rng(seed + 10);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    std::uniform_real_distribution<double> mantissa(0.5, 1.0);
    std::uniform_int_distribution<int> exponent(-40, 0);
    for (int n = 0; n < n_random / 10; ++n) {
        double x = unit(rng);
        ASSERT_EQ(to_ufract(x).raw, expected_to_ufract(x)) << std::hexfloat << x;
        x = std::ldexp(mantissa(rng), exponent(rng));  // in [2^-41, 1)
        ASSERT_EQ(to_ufract(x).raw, expected_to_ufract(x)) << std::hexfloat << x;
    }
    // Every representable ufract value (checked on a sample) converts back
    // to itself, and to_double is exact.
    for (int n = 0; n < 50000; ++n) {
        const ufract d{static_cast<std::uint32_t>(rng())};
        ASSERT_EQ(value_of(d.to_double()), value_of(d)) << d.raw;
        ASSERT_EQ(to_ufract(d.to_double()).raw, d.raw) << d.raw;
    }
}

TEST(fixed_point, to_ufract_rejects_values_outside_0_to_1) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    for (const double bad : {1.0, std::nextafter(1.0, 2.0), 2.0, -std::ldexp(1.0, -40), -0.5,
                             -std::numeric_limits<double>::denorm_min(), nan, inf, -inf}) {
        const std::string message = error_message([&] { to_ufract(bad, "tau_syn_E decay"); });
        ASSERT_FALSE(message.empty()) << bad << " must throw ganglion::error";
        EXPECT_NE(message.find("tau_syn_E decay"), std::string::npos) << message;
        EXPECT_NE(message.find("[0, 1)"), std::string::npos) << message;
    }
}

// --- ring buffers -----------------------------------------------------------------

TEST(fixed_point, accumulate_saturates_at_0xffff_and_counts_each_saturating_add) {
    std::uint64_t saturations = 0;
    EXPECT_EQ(accumulate(0xFFFF, 0, saturations), 0xFFFFu);
    EXPECT_EQ(saturations, 0u);
    EXPECT_EQ(accumulate(0xFFFE, 1, saturations), 0xFFFFu);
    EXPECT_EQ(saturations, 0u);
    EXPECT_EQ(accumulate(0xFFFF, 1, saturations), 0xFFFFu);
    EXPECT_EQ(saturations, 1u);
    EXPECT_EQ(accumulate(0xFFFF, 0xFFFF, saturations), 0xFFFFu);
    EXPECT_EQ(saturations, 2u);

    // One slot filled by 10 weights of 0x4000: the 4th add reaches 0x10000,
    // so adds 4 to 10 each saturate once.
    saturations = 40;
    std::uint32_t slot = 0;
    for (int k = 0; k < 10; ++k)
        slot = accumulate(slot, 0x4000, saturations);
    EXPECT_EQ(slot, 0xFFFFu);
    EXPECT_EQ(saturations, 47u);

    // Every slot value with edge weights and random 16-bit weights.
    std::mt19937_64 rng(seed + 11);
    std::uint64_t expected_saturations = 0;
    saturations = 0;
    for (std::uint32_t s = 0; s <= max_weight; ++s) {
        std::vector<std::uint32_t> weights = {
            0u, 1u, 2u, 0x7FFFu, 0x8000u, 0xFFFEu, 0xFFFFu, max_weight - s, max_weight - s + 1};
        for (int k = 0; k < 8; ++k)
            weights.push_back(static_cast<std::uint32_t>(rng() & 0xFFFF));
        for (const std::uint32_t w : weights) {
            const std::uint64_t sum = std::uint64_t{s} + w;
            const bool saturates = sum > max_weight;
            expected_saturations += saturates ? 1 : 0;
            ASSERT_EQ(accumulate(s, w, saturations), saturates ? max_weight : sum)
                << "slot=" << s << " w=" << w;
            ASSERT_EQ(saturations, expected_saturations) << "slot=" << s << " w=" << w;
        }
    }
}

TEST(fixed_point, accumulate_of_k_spikes_equals_k_single_adds) {
    // A source's k spikes in one step (a Poisson count) must leave the slot
    // and the saturation count exactly as k adds of one spike each.
    std::mt19937_64 rng(seed + 12);
    for (int trial = 0; trial < 200000; ++trial) {
        const auto slot = static_cast<std::uint32_t>(rng() & 0xFFFF);
        const std::uint32_t w = trial % 7 == 0 ? 0u : static_cast<std::uint32_t>(rng() >> 48);
        const auto k = static_cast<std::uint32_t>(rng() % 40);
        std::uint64_t one_by_one = 5, at_once = 5;
        std::uint32_t expected = slot;
        for (std::uint32_t i = 0; i < k; ++i)
            expected = accumulate(expected, w, one_by_one);
        ASSERT_EQ(accumulate(slot, w, k, at_once), expected)
            << "slot=" << slot << " w=" << w << " k=" << k;
        ASSERT_EQ(at_once, one_by_one) << "slot=" << slot << " w=" << w << " k=" << k;
    }
    std::uint64_t saturations = 0;
    EXPECT_EQ(accumulate(0xFFEF, 0x10, 1, saturations), 0xFFFFu);  // exactly full
    EXPECT_EQ(saturations, 0u);
    EXPECT_EQ(accumulate(0, 0x4000, 10, saturations), 0xFFFFu);  // adds 4 .. 10 saturate
    EXPECT_EQ(saturations, 7u);
}

TEST(fixed_point, weight_to_input_is_the_weight_scaled_by_2_to_the_shift) {
    // Exhaustive over 16-bit slots and shifts 0 to 16: slot * 2^shift / 2^15
    // as a value (exact in double) while it is below 2^31 ulp; beyond, the
    // bits wrap to a negative accum.
    for (int shift = 0; shift <= 16; ++shift)
        for (std::uint32_t slot = 0; slot <= max_weight; ++slot) {
            const std::uint64_t scaled = std::uint64_t{slot} << shift;
            const double expected =
                scaled < (std::uint64_t{1} << 31)
                    ? std::ldexp(static_cast<double>(slot), shift - 15)
                    : std::ldexp(static_cast<double>(scaled) - 4294967296.0, -15);
            ASSERT_EQ(weight_to_input(slot, shift).to_double(), expected)
                << "slot=" << slot << " shift=" << shift;
        }
    EXPECT_EQ(weight_to_input(1, 0).raw, ulp);
    EXPECT_EQ(weight_to_input(1, 15).to_double(), 1.0);
    EXPECT_EQ(weight_to_input(0xFFFF, 15).to_double(), 65535.0);
    EXPECT_EQ(weight_to_input(0x7FFF, 16).to_double(), 65534.0);
    EXPECT_EQ(weight_to_input(0x8000, 16).raw, int32_min);  // -65536.0
    EXPECT_EQ(weight_to_input(0xFFFF, 16).raw, static_cast<std::int32_t>(0xFFFF0000u));
    EXPECT_EQ(weight_to_input(0xFFFF, 16).to_double(), -2.0);
}

// The arithmetic is constexpr, so models can fold constants at compile time.
static_assert((accum::from_raw(-1) * accum::from_raw(1 << 14)).raw == -1);
static_assert((accum::from_raw(int32_max) + accum::from_raw(1)).raw == int32_min);
static_assert(decay(accum::from_raw(-1), ufract{uint32_max}).raw == -1);
static_assert(sat_add(accum::from_raw(int32_max), accum::from_raw(1)).raw == int32_max);
static_assert(weight_to_input(0xFFFF, 16).raw == -65536);

}  // namespace
}  // namespace ganglion::fixed
