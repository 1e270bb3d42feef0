// Tests for core/random.cpp: counter-based Philox streams keyed by
// (seed, purpose, id), and the distributions drawn from them.
//
// Statistical checks use a fixed seed, so they are deterministic; the bounds
// (5 standard errors, or a chi-square quantile far in the tail) are ones a
// correct generator passes with probability > 1 - 1e-6, so a failure means
// a bug, not bad luck.

#include "core/random.hpp"

#include <Random123/philox.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <set>
#include <vector>

#include "core/error.hpp"
#include "core/spec.hpp"

namespace ganglion {
namespace {

constexpr int n_draws = 1000000;

struct moments {
    double mean = 0, variance = 0;
};

template <class F>
moments sample_moments(int n, F&& draw) {
    // Welford's update: no cancellation for large n.
    double mean = 0, m2 = 0;
    for (int k = 0; k < n; ++k) {
        const double x = draw();
        const double d = x - mean;
        mean += d / (k + 1);
        m2 += d * (x - mean);
    }
    return {mean, m2 / (n - 1)};
}

// ---------------------------------------------------------------------------
// philox

TEST(philox, known_answer) {
    // Random123's kat_vectors for philox4x64-10: counter and key all zero.
    // philox() puts (seed, purpose) in the key and (id, counter, 0, 0) in the
    // counter, so philox(0, 0, 0, 0) is that vector. Any change to the
    // mapping would change every random number ganglion has ever drawn.
    const auto out = philox(0, 0, 0, 0);
    EXPECT_EQ(out[0], 0x16554d9eca36314cull);
    EXPECT_EQ(out[1], 0xdb20fe9d672d0fdcull);
    EXPECT_EQ(out[2], 0xd7e772cee186176bull);
    EXPECT_EQ(out[3], 0x7e68b68aec7ba23bull);

    // The library itself, on the other two vectors of kat_vectors.
    r123::Philox4x64 rng;
    {
        const r123::Philox4x64::ctr_type c = {{~0ull, ~0ull, ~0ull, ~0ull}};
        const r123::Philox4x64::key_type k = {{~0ull, ~0ull}};
        const auto r = rng(c, k);
        EXPECT_EQ(r[0], 0x87b092c3013fe90bull);
        EXPECT_EQ(r[1], 0x438c3c67be8d0224ull);
        EXPECT_EQ(r[2], 0x9cc7d7c69cd777b6ull);
        EXPECT_EQ(r[3], 0xa09caebf594f0ba0ull);
    }
    {
        const r123::Philox4x64::ctr_type c = {{0x243f6a8885a308d3ull, 0x13198a2e03707344ull,
                                               0xa4093822299f31d0ull, 0x082efa98ec4e6c89ull}};
        const r123::Philox4x64::key_type k = {{0x452821e638d01377ull, 0xbe5466cf34e90c6cull}};
        const auto r = rng(c, k);
        EXPECT_EQ(r[0], 0xa528f45403e61d95ull);
        EXPECT_EQ(r[1], 0x38c72dbd566e9788ull);
        EXPECT_EQ(r[2], 0xa5a1610e72fd18b5ull);
        EXPECT_EQ(r[3], 0x57bd43b5e52b7fe6ull);
    }
}

TEST(philox, key_is_seed_and_purpose_counter_is_id_and_counter) {
    r123::Philox4x64 rng;
    for (const std::uint64_t seed : {1ull, 12345ull, ~0ull})
        for (const std::uint64_t id : {0ull, 17ull, (1ull << 47) + 3})
            for (const std::uint64_t counter : {0ull, 1ull, 1000ull}) {
                const std::uint64_t pur = purpose::connect(3);
                const r123::Philox4x64::ctr_type c = {{id, counter, 0, 0}};
                const r123::Philox4x64::key_type k = {{seed, pur}};
                const auto expect = rng(c, k);
                const auto out = philox(seed, pur, id, counter);
                for (int w = 0; w < 4; ++w)
                    EXPECT_EQ(out[w], expect[w]);
            }
}

TEST(philox, deterministic_and_every_key_part_matters) {
    const auto base = philox(5, 6, 7, 8);
    EXPECT_EQ(philox(5, 6, 7, 8), base);
    EXPECT_NE(philox(4, 6, 7, 8), base);
    EXPECT_NE(philox(5, 7, 7, 8), base);
    EXPECT_NE(philox(5, 6, 8, 8), base);
    EXPECT_NE(philox(5, 6, 7, 9), base);
    // Swapping parts gives other numbers too (no symmetric packing).
    EXPECT_NE(philox(6, 5, 7, 8), base);
    EXPECT_NE(philox(5, 6, 8, 7), base);
    // Many nearby keys, no repeated first word.
    std::set<std::uint64_t> seen;
    for (std::uint64_t a = 0; a < 20; ++a)
        for (std::uint64_t b = 0; b < 20; ++b) {
            seen.insert(philox(a, 1, b, 0)[0]);
            seen.insert(philox(100, a, 0, b)[0]);
        }
    EXPECT_EQ(seen.size(), 800u);
}

TEST(purpose, kinds_do_not_collide) {
    std::set<std::uint64_t> seen;
    std::size_t n = 0;
    for (std::uint64_t p = 0; p < 50; ++p) {
        seen.insert(purpose::connect(p));
        seen.insert(purpose::source(p));
        for (std::uint64_t v = 0; v < 5; ++v, ++n)
            seen.insert(purpose::initial_value(p, v));
        n += 2;
    }
    EXPECT_EQ(seen.size(), n);
}

// ---------------------------------------------------------------------------
// random_stream

TEST(random_stream, is_the_philox_blocks_in_counter_order) {
    random_stream rs(11, 22, 33);
    for (std::uint64_t counter = 0; counter < 5; ++counter) {
        const auto block = philox(11, 22, 33, counter);
        for (int w = 0; w < 4; ++w)
            EXPECT_EQ(rs.next_u64(), block[w]);
    }
}

TEST(random_stream, same_key_same_sequence_other_key_other_sequence) {
    random_stream a(1, 2, 3), b(1, 2, 3), c(1, 2, 4), d(2, 2, 3), e(1, 3, 3);
    int differ_c = 0, differ_d = 0, differ_e = 0;
    for (int k = 0; k < 100; ++k) {
        const double x = a.uniform();
        EXPECT_EQ(x, b.uniform());
        differ_c += x != c.uniform();
        differ_d += x != d.uniform();
        differ_e += x != e.uniform();
    }
    EXPECT_EQ(differ_c, 100);
    EXPECT_EQ(differ_d, 100);
    EXPECT_EQ(differ_e, 100);
}

TEST(to_unit_open, never_zero_or_one) {
    // Documented as "never 0 or 1 (safe for log)": the extreme words too.
    EXPECT_GT(to_unit_open(0), 0.0);
    EXPECT_LT(to_unit_open(0), 1e-15);
    EXPECT_LT(to_unit_open(~0ull), 1.0) << "the largest word must not round up to 1";
    EXPECT_GT(to_unit_open(~0ull), 1.0 - 1e-15);
    // Strictly increasing in the word's top bits, in steps far below 1e-15.
    EXPECT_LT(to_unit_open(1ull << 63), to_unit_open((1ull << 63) + (1ull << 12)));
    EXPECT_TRUE(std::isfinite(std::log(to_unit_open(0))));
    EXPECT_LT(std::log(to_unit_open(~0ull)), 0.0);
}

TEST(random_stream, uniform_mean_and_variance) {
    random_stream rs(2024, 1, 0);
    double lo = 1, hi = 0;
    const moments m = sample_moments(n_draws, [&] {
        const double u = rs.uniform();
        lo = std::min(lo, u);
        hi = std::max(hi, u);
        return u;
    });
    EXPECT_GT(lo, 0.0);
    EXPECT_LT(hi, 1.0);
    // U(0,1): mean 1/2, variance 1/12. Standard error of the mean:
    // sqrt(1/12 / n); of the variance: sqrt((1/80 - 1/144) / n).
    const double n = n_draws;
    EXPECT_NEAR(m.mean, 0.5, 5 * std::sqrt(1.0 / 12 / n));
    EXPECT_NEAR(m.variance, 1.0 / 12, 5 * std::sqrt((1.0 / 80 - 1.0 / 144) / n));
}

TEST(random_stream, uniform_in_an_interval) {
    random_stream rs(3, 1, 0);
    const moments m = sample_moments(n_draws, [&] {
        const double x = rs.uniform(-2.0, 6.0);
        EXPECT_GE(x, -2.0);
        EXPECT_LT(x, 6.0);
        return x;
    });
    const double n = n_draws;
    EXPECT_NEAR(m.mean, 2.0, 5 * std::sqrt(64.0 / 12 / n));
    EXPECT_NEAR(m.variance, 64.0 / 12, 5 * 64 * std::sqrt((1.0 / 80 - 1.0 / 144) / n));
}

TEST(random_stream, normal_mean_and_variance) {
    random_stream rs(99, 4, 17);
    double third = 0;
    const moments m = sample_moments(n_draws, [&] {
        const double x = rs.normal();
        third += x * x * x;
        return x;
    });
    const double n = n_draws;
    // N(0,1): standard error of the mean 1/sqrt(n), of the variance
    // sqrt(2/n), of the third moment sqrt(15/n).
    EXPECT_NEAR(m.mean, 0.0, 5 / std::sqrt(n));
    EXPECT_NEAR(m.variance, 1.0, 5 * std::sqrt(2.0 / n));
    EXPECT_NEAR(third / n, 0.0, 5 * std::sqrt(15.0 / n));
}

TEST(random_stream, normal_tail_mass) {
    // P(|X| > 2) = 0.0455003; binomial standard error.
    random_stream rs(5, 5, 5);
    int beyond = 0;
    for (int k = 0; k < n_draws; ++k)
        beyond += std::abs(rs.normal()) > 2.0;
    const double p = std::erfc(2.0 / std::sqrt(2.0));
    EXPECT_NEAR(beyond, p * n_draws, 5 * std::sqrt(n_draws * p * (1 - p)));
}

TEST(random_stream, exponential_mean) {
    random_stream rs(8, 1, 2);
    const double rate = 4.0;
    const moments m = sample_moments(n_draws, [&] {
        const double x = rs.exponential(rate);
        EXPECT_GE(x, 0.0);
        EXPECT_TRUE(std::isfinite(x));
        return x;
    });
    // Mean 1/rate, variance 1/rate^2, standard error of the variance
    // sqrt(8/rate^4 / n) (fourth central moment 9/rate^4).
    EXPECT_NEAR(m.mean, 0.25, 5 * 0.25 / std::sqrt(double(n_draws)));
    EXPECT_NEAR(m.variance, 1.0 / 16, 5 * std::sqrt(8.0 / 256 / n_draws));
}

// Pearson's chi-square of `counts` against equal expectations.
double chi_square_uniform(const std::vector<std::uint64_t>& counts, double n) {
    const double e = n / static_cast<double>(counts.size());
    double chi2 = 0;
    for (const auto c : counts)
        chi2 += (static_cast<double>(c) - e) * (static_cast<double>(c) - e) / e;
    return chi2;
}

// An upper bound that chi-square with `dof` degrees of freedom exceeds with
// probability below about 1e-6: the Wilson-Hilferty cube-root normal
// approximation at z = 5.
double chi_square_bound(double dof) {
    const double a = 2.0 / (9.0 * dof);
    return dof * std::pow(1 - a + 5.0 * std::sqrt(a), 3);
}

TEST(random_stream, below_is_in_range_and_unbiased) {
    for (const std::uint64_t n : {2ull, 3ull, 7ull, 10ull, 1000ull}) {
        random_stream rs(12, 34, n);
        std::vector<std::uint64_t> counts(n, 0);
        for (int k = 0; k < n_draws; ++k) {
            const auto x = rs.below(n);
            ASSERT_LT(x, n);
            ++counts[x];
        }
        const double dof = static_cast<double>(n - 1);
        EXPECT_LT(chi_square_uniform(counts, n_draws), chi_square_bound(dof)) << "n = " << n;
    }
}

TEST(random_stream, below_rejects_the_biased_remainder) {
    // n = 3 * 2^62: a 64-bit word x maps to floor(x * n / 2^64) = floor(3x/4),
    // so without rejection the values 3j would have two preimages and 3j+1,
    // 3j+2 one each: residues mod 3 with probabilities 1/2, 1/4, 1/4. With
    // Lemire's rejection (of x = 0 mod 4) they are uniform.
    const std::uint64_t n = 3ull << 62;
    random_stream rs(77, 1, 2);
    std::vector<std::uint64_t> counts(3, 0);
    for (int k = 0; k < n_draws; ++k) {
        const auto x = rs.below(n);
        ASSERT_LT(x, n);
        ++counts[x % 3];
    }
    EXPECT_LT(chi_square_uniform(counts, n_draws), chi_square_bound(2));
    // The largest n still works.
    random_stream big(1, 1, 1);
    for (int k = 0; k < 1000; ++k)
        EXPECT_LT(big.below(~0ull), ~0ull);
    EXPECT_EQ(big.below(1), 0u);
    EXPECT_THROW(big.below(0), internal_error);
}

// ---------------------------------------------------------------------------
// draw(value_spec)

value_spec uniform_spec(double low, double high) {
    value_spec v;
    v.k = value_spec::kind::uniform;
    v.low = low;
    v.high = high;
    return v;
}
value_spec normal_spec(double mu, double sigma) {
    value_spec v;
    v.k = value_spec::kind::normal;
    v.mu = mu;
    v.sigma = sigma;
    return v;
}
value_spec clipped_spec(double mu, double sigma, double low, double high) {
    value_spec v = normal_spec(mu, sigma);
    v.k = value_spec::kind::normal_clipped;
    v.low = low;
    v.high = high;
    return v;
}

TEST(draw, constant) {
    random_stream rs(1, 1, 1);
    for (int k = 0; k < 10; ++k)
        EXPECT_EQ(rs.draw(value_spec::constant(-0.75)), -0.75);
}

TEST(draw, uniform_respects_bounds) {
    random_stream rs(1, 2, 3);
    const value_spec v = uniform_spec(0.1, 2.5);
    const moments m = sample_moments(n_draws, [&] {
        const double x = rs.draw(v);
        EXPECT_GE(x, v.lower_bound());
        EXPECT_LE(x, v.upper_bound());
        return x;
    });
    EXPECT_NEAR(m.mean, v.mean(), 5 * 2.4 / std::sqrt(12.0 * n_draws));
}

TEST(draw, normal_mean_and_sigma) {
    random_stream rs(4, 5, 6);
    const value_spec v = normal_spec(-3.0, 0.5);
    const moments m = sample_moments(n_draws, [&] { return rs.draw(v); });
    EXPECT_NEAR(m.mean, -3.0, 5 * 0.5 / std::sqrt(double(n_draws)));
    EXPECT_NEAR(m.variance, 0.25, 5 * 0.25 * std::sqrt(2.0 / n_draws));
    EXPECT_EQ(v.lower_bound(), -std::numeric_limits<double>::infinity());
    EXPECT_EQ(v.upper_bound(), std::numeric_limits<double>::infinity());
}

TEST(draw, normal_clipped_respects_bounds_and_is_a_truncated_normal) {
    // N(0.5, 0.2) truncated to [0.4, 1.0]: PyNN redraws until inside.
    random_stream rs(7, 8, 9);
    const double mu = 0.5, sigma = 0.2, low = 0.4, high = 1.0;
    const value_spec v = clipped_spec(mu, sigma, low, high);
    const moments m = sample_moments(n_draws, [&] {
        const double x = rs.draw(v);
        EXPECT_GE(x, low);
        EXPECT_LE(x, high);
        return x;
    });
    // Mean and variance of the truncated normal.
    const double a = (low - mu) / sigma, b = (high - mu) / sigma;
    auto phi = [](double x) { return std::exp(-0.5 * x * x) / std::sqrt(2 * std::numbers::pi); };
    auto Phi = [](double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); };
    const double Z = Phi(b) - Phi(a);
    const double mean = mu + sigma * (phi(a) - phi(b)) / Z;
    const double var =
        sigma * sigma * (1 + (a * phi(a) - b * phi(b)) / Z - std::pow((phi(a) - phi(b)) / Z, 2));
    EXPECT_NEAR(m.mean, mean, 5 * std::sqrt(var / n_draws));
    // The variance's standard error is below sqrt(2/n) var for a truncated
    // normal (lighter tails than the normal).
    EXPECT_NEAR(m.variance, var, 5 * var * std::sqrt(2.0 / n_draws));
    EXPECT_EQ(v.lower_bound(), low);
    EXPECT_EQ(v.upper_bound(), high);
}

TEST(draw, normal_clipped_with_no_mass_is_an_error) {
    random_stream rs(1, 1, 1);
    EXPECT_THROW(rs.draw(clipped_spec(0.0, 1.0, 50.0, 51.0)), error);
}

TEST(value_spec, bounds_and_mean) {
    EXPECT_EQ(value_spec::constant(2.0).lower_bound(), 2.0);
    EXPECT_EQ(value_spec::constant(2.0).upper_bound(), 2.0);
    EXPECT_EQ(value_spec::constant(2.0).mean(), 2.0);
    EXPECT_TRUE(value_spec::constant(2.0).is_constant());
    EXPECT_FALSE(uniform_spec(1, 3).is_constant());
    EXPECT_EQ(uniform_spec(1, 3).mean(), 2.0);
    EXPECT_EQ(uniform_spec(1, 3).lower_bound(), 1.0);
    EXPECT_EQ(uniform_spec(1, 3).upper_bound(), 3.0);
    EXPECT_EQ(normal_spec(4, 1).mean(), 4.0);
}

}  // namespace
}  // namespace ganglion
