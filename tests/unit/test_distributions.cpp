// Tests for the distributions of core/random.cpp beyond test_random's: the
// lognormal, exponential and gamma value_specs, the binomial and
// hypergeometric samplers of the partition-invariant fixed-number
// connectors, and sampling without replacement.
//
// Every statistical check uses a fixed seed (so it is deterministic) and a
// bound a correct sampler exceeds with probability below about 1e-6: 5
// standard errors computed from the distribution's own moments, or a
// chi-square quantile at the same tail probability. A failure means a bug.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <numbers>
#include <vector>

#include "core/error.hpp"
#include "core/expression.hpp"
#include "core/random.hpp"
#include "core/spec.hpp"

namespace ganglion {
namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

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

// The sample mean and variance of n draws against a distribution with this
// mean, variance and fourth central moment mu4: 5 standard errors, sqrt(var /
// n) for the mean and sqrt((mu4 - var^2) / n) for the variance.
void expect_moments(const moments& m, double mean, double var, double mu4, int n,
                    const std::string& what) {
    EXPECT_NEAR(m.mean, mean, 5 * std::sqrt(var / n)) << what << ": mean";
    EXPECT_NEAR(m.variance, var, 5 * std::sqrt((mu4 - var * var) / n)) << what << ": variance";
}

// An upper bound that chi-square with `dof` degrees of freedom exceeds with
// probability below about 1e-6: the Wilson-Hilferty cube-root normal
// approximation at z = 5 (as in test_random).
double chi_square_bound(double dof) {
    const double a = 2.0 / (9.0 * dof);
    return dof * std::pow(1 - a + 5.0 * std::sqrt(a), 3);
}

// Pearson's chi-square of the counts of values lo..hi against the
// probabilities pmf(k), which must sum to 1 over lo..hi. Neighbouring values
// are pooled until a cell expects at least 5 draws, so that the chi-square
// approximation of each cell holds. Returns false (with a failure) when a
// draw fell outside lo..hi.
void expect_chi_square(const std::map<std::uint64_t, std::uint64_t>& counts, std::uint64_t lo,
                       std::uint64_t hi, const std::function<double(std::uint64_t)>& pmf,
                       double draws, const std::string& what) {
    ASSERT_GE(counts.begin()->first, lo) << what << ": a draw below the support";
    ASSERT_LE(counts.rbegin()->first, hi) << what << ": a draw above the support";
    std::vector<double> expected, observed;
    double e = 0, o = 0, mass = 0;
    for (std::uint64_t k = lo; k <= hi; ++k) {
        const double p = pmf(k);
        mass += p;
        e += draws * p;
        const auto it = counts.find(k);
        o += it == counts.end() ? 0.0 : static_cast<double>(it->second);
        if (e >= 5) {
            expected.push_back(e);
            observed.push_back(o);
            e = o = 0;
        }
    }
    if (e > 0 || o > 0) {
        ASSERT_FALSE(expected.empty());
        expected.back() += e;
        observed.back() += o;
    }
    ASSERT_NEAR(mass, 1.0, 1e-9) << what << ": the test's probabilities";
    ASSERT_GE(expected.size(), 2u) << what;
    double chi2 = 0;
    for (std::size_t c = 0; c < expected.size(); ++c)
        chi2 += (observed[c] - expected[c]) * (observed[c] - expected[c]) / expected[c];
    const double dof = static_cast<double>(expected.size() - 1);
    EXPECT_LT(chi2, chi_square_bound(dof)) << what << ": " << expected.size() << " cells";
}

// Independent reference probabilities from lgamma (accurate for the small
// n these are used with).
double log_choose(double n, double k) {
    return std::lgamma(n + 1) - std::lgamma(k + 1) - std::lgamma(n - k + 1);
}
double reference_binomial(std::uint64_t k, std::uint64_t n, double p) {
    const double x = double(k), nd = double(n);
    return std::exp(log_choose(nd, x) + x * std::log(p) + (nd - x) * std::log1p(-p));
}
double reference_hypergeometric(std::uint64_t k, std::uint64_t N, std::uint64_t K,
                                std::uint64_t n) {
    if (k > K || k > n || n - k > N - K) return 0.0;
    return std::exp(log_choose(double(K), double(k)) + log_choose(double(N - K), double(n - k)) -
                    log_choose(double(N), double(n)));
}

// ---------------------------------------------------------------------------
// value_spec: lognormal, exponential, gamma, expression

constexpr int n_draws = 1000000;

TEST(lognormal, moments_of_the_value_and_of_its_log) {
    const double mu = 0.3, sigma = 0.5;
    const value_spec v = value_spec::lognormal(mu, sigma);
    EXPECT_EQ(v.k, value_spec::kind::lognormal);
    random_stream rs(21, 1, 7);
    moments logs;
    double mean_log = 0, m2_log = 0;
    int count = 0;
    const moments m = sample_moments(n_draws, [&] {
        const double x = rs.draw(v);
        EXPECT_GT(x, 0.0);
        const double l = std::log(x), d = l - mean_log;
        mean_log += d / ++count;
        m2_log += d * (l - mean_log);
        return x;
    });
    logs = {mean_log, m2_log / (n_draws - 1)};
    // Mean exp(mu + s^2/2), variance (e^{s^2} - 1) e^{2 mu + s^2}, fourth
    // central moment var^2 (e^{4s^2} + 2 e^{3s^2} + 3 e^{2s^2} - 3).
    const double s2 = sigma * sigma;
    const double mean = std::exp(mu + s2 / 2);
    const double var = (std::exp(s2) - 1) * std::exp(2 * mu + s2);
    const double mu4 =
        var * var * (std::exp(4 * s2) + 2 * std::exp(3 * s2) + 3 * std::exp(2 * s2) - 3);
    EXPECT_DOUBLE_EQ(v.mean(), mean);
    expect_moments(m, mean, var, mu4, n_draws, "lognormal");
    // Its log is normal(mu, sigma): fourth central moment 3 sigma^4.
    expect_moments(logs, mu, s2, 3 * s2 * s2, n_draws, "log of lognormal");
    EXPECT_EQ(v.lower_bound(), 0.0);
    EXPECT_EQ(v.upper_bound(), inf);
}

TEST(exponential, mean_beta_variance_beta_squared) {
    const double beta = 2.5;
    const value_spec v = value_spec::exponential(beta);
    EXPECT_EQ(v.k, value_spec::kind::exponential);
    EXPECT_EQ(v.mean(), beta);
    random_stream rs(22, 1, 7);
    int beyond = 0;
    const moments m = sample_moments(n_draws, [&] {
        const double x = rs.draw(v);
        EXPECT_GE(x, 0.0);
        beyond += x > beta;
        return x;
    });
    // Fourth central moment 9 beta^4.
    expect_moments(m, beta, beta * beta, 9 * std::pow(beta, 4), n_draws, "exponential");
    // Shape: P(X > beta) = 1/e, binomial standard error.
    const double p = std::exp(-1.0);
    EXPECT_NEAR(beyond, p * n_draws, 5 * std::sqrt(n_draws * p * (1 - p)));
    EXPECT_EQ(v.lower_bound(), 0.0);
    EXPECT_EQ(v.upper_bound(), inf);
}

TEST(gamma, mean_and_variance_for_shapes_below_at_and_above_one) {
    // k < 1 takes the boost gamma(k + 1) U^(1/k); k >= 1 Marsaglia-Tsang.
    const std::vector<std::pair<double, double>> cases = {
        {0.5, 2.0}, {0.1, 1.0}, {1.0, 0.7}, {3.7, 1.3}, {50.0, 0.1}};
    std::uint64_t id = 0;
    for (const auto& [k, theta] : cases) {
        const value_spec v = value_spec::gamma(k, theta);
        EXPECT_EQ(v.k, value_spec::kind::gamma);
        EXPECT_DOUBLE_EQ(v.mean(), k * theta);
        random_stream rs(23, 1, id++);
        const moments m = sample_moments(n_draws, [&] {
            const double x = rs.draw(v);
            EXPECT_GE(x, 0.0);
            EXPECT_TRUE(std::isfinite(x));
            return x;
        });
        // Variance k theta^2; excess kurtosis 6/k.
        const double var = k * theta * theta;
        expect_moments(m, k * theta, var, var * var * (3 + 6 / k), n_draws,
                       "gamma(k=" + std::to_string(k) + ")");
        EXPECT_EQ(v.lower_bound(), 0.0);
        EXPECT_EQ(v.upper_bound(), inf);
    }
}

TEST(gamma, shape_one_half_is_a_scaled_chi_square) {
    // gamma(1/2, theta) is theta Z^2 / 2: P(X < theta/2) = P(|Z| < 1).
    const double theta = 3.0;
    random_stream rs(24, 1, 1);
    int below = 0;
    for (int i = 0; i < n_draws; ++i)
        below += rs.gamma(0.5, theta) < theta / 2;
    const double p = std::erf(1 / std::sqrt(2.0));
    EXPECT_NEAR(below, p * n_draws, 5 * std::sqrt(n_draws * p * (1 - p)));
    // And shape 1 is the exponential: P(X > theta) = 1/e.
    int beyond = 0;
    for (int i = 0; i < n_draws; ++i)
        beyond += rs.gamma(1.0, theta) > theta;
    const double q = std::exp(-1.0);
    EXPECT_NEAR(beyond, q * n_draws, 5 * std::sqrt(n_draws * q * (1 - q)));
}

TEST(gamma, bad_parameters_are_bugs_not_endless_loops) {
    random_stream rs(1, 1, 1);
    EXPECT_THROW(rs.gamma(0.0, 1.0), internal_error);
    EXPECT_THROW(rs.gamma(-1.0, 1.0), internal_error);
    EXPECT_THROW(rs.gamma(1.0, 0.0), internal_error);
    EXPECT_THROW(rs.gamma(std::nan(""), 1.0), internal_error);
    EXPECT_THROW(rs.draw(value_spec::gamma(0.0, 1.0)), internal_error);
}

TEST(value_spec, factories_bounds_and_means) {
    const value_spec u = value_spec::uniform(1, 3);
    EXPECT_EQ(u.k, value_spec::kind::uniform);
    EXPECT_EQ(u.lower_bound(), 1.0);
    EXPECT_EQ(u.upper_bound(), 3.0);
    const value_spec n = value_spec::normal(4, 1);
    EXPECT_EQ(n.k, value_spec::kind::normal);
    EXPECT_EQ(n.lower_bound(), -inf);
    EXPECT_EQ(n.mean(), 4.0);
    const value_spec c = value_spec::normal_clipped(0.5, 0.2, 0.1, 0.9);
    EXPECT_EQ(c.k, value_spec::kind::normal_clipped);
    EXPECT_EQ(c.lower_bound(), 0.1);
    EXPECT_EQ(c.upper_bound(), 0.9);
    EXPECT_EQ(value_spec::exponential(2).beta, 2.0);
    EXPECT_EQ(value_spec::gamma(2, 3).shape, 2.0);
    EXPECT_EQ(value_spec::gamma(2, 3).theta, 3.0);
    EXPECT_FALSE(value_spec::gamma(2, 3).is_constant());
}

TEST(value_spec, expression_has_unknown_bounds_and_is_not_drawn) {
    const auto e = std::make_shared<const expression>("1 + d/0.35", std::vector<std::string>{"d"});
    const value_spec v = value_spec::from_expression(e);
    EXPECT_EQ(v.k, value_spec::kind::expression);
    EXPECT_EQ(v.expr, e);
    EXPECT_FALSE(v.is_constant());
    EXPECT_EQ(v.lower_bound(), -inf);
    EXPECT_EQ(v.upper_bound(), inf);
    EXPECT_TRUE(std::isnan(v.mean()));
    random_stream rs(1, 1, 1);
    EXPECT_THROW(rs.draw(v), internal_error);
    // The spec is copied around freely; the expression is shared.
    const value_spec copy = v;
    const double d = 0.7;
    EXPECT_DOUBLE_EQ((*copy.expr)(&d), 3.0);
}

TEST(determinism, same_stream_same_values_for_every_sampler) {
    const std::vector<value_spec> specs = {value_spec::lognormal(0, 1), value_spec::exponential(3),
                                           value_spec::gamma(0.3, 1), value_spec::gamma(7, 2)};
    random_stream a(5, 6, 7), b(5, 6, 7), other(5, 6, 8);
    int differ = 0;
    std::vector<std::uint64_t> sa, sb;
    for (int i = 0; i < 2000; ++i) {
        for (const auto& v : specs) {
            const double x = a.draw(v);
            ASSERT_EQ(x, b.draw(v));
            differ += x != other.draw(v);
        }
        const std::uint64_t n = 1 + static_cast<std::uint64_t>(i) * 499;
        ASSERT_EQ(a.binomial(n, 0.37), b.binomial(n, 0.37));
        ASSERT_EQ(a.hypergeometric(3 * n, n, n + 1), b.hypergeometric(3 * n, n, n + 1));
        a.sample_without_replacement(n, std::min<std::uint64_t>(n, 50), sa);
        b.sample_without_replacement(n, std::min<std::uint64_t>(n, 50), sb);
        ASSERT_EQ(sa, sb);
        ASSERT_EQ(a.next_u64(), b.next_u64());  // and the streams stay in step
    }
    EXPECT_GT(differ, 7900);
}

// ---------------------------------------------------------------------------
// Binomial

// Mean np, variance npq, fourth central moment npq (1 + 3 (n - 2) p q).
void check_binomial_moments(std::uint64_t n, double p, std::uint64_t id, int draws) {
    random_stream rs(31, 2, id);
    const std::string what = "binomial(" + std::to_string(n) + ", " + std::to_string(p) + ")";
    const moments m = sample_moments(draws, [&] {
        const auto x = rs.binomial(n, p);
        EXPECT_LE(x, n) << what;
        return double(x);
    });
    const double nd = double(n), q = 1 - p, var = nd * p * q;
    const double mu4 = var * (1 + 3 * (nd - 2) * p * q);
    expect_moments(m, nd * p, var, mu4, draws, what);
}

TEST(binomial, mean_and_variance) {
    check_binomial_moments(10, 0.3, 1, n_draws);            // inversion
    check_binomial_moments(1000000, 1e-3, 2, n_draws);      // ratio of uniforms, mean 1000
    check_binomial_moments(1000000000, 0.5, 3, n_draws);    // ratio of uniforms, n = 1e9
    check_binomial_moments(1000000000, 1e-8, 4, n_draws);   // inversion, mean 10
    check_binomial_moments(1000000000, 0.999, 5, n_draws);  // symmetry
    check_binomial_moments(40, 0.5, 6, n_draws);            // ratio of uniforms, mean 20
}

TEST(binomial, distribution_against_exact_probabilities) {
    const std::vector<std::pair<std::uint64_t, double>> cases = {
        {10, 0.3}, {1000, 0.01}, {200, 0.4}, {60, 0.75}, {33, 0.5}, {1, 0.5}, {100, 0.155}};
    std::uint64_t id = 0;
    for (const auto& [n, p] : cases) {
        random_stream rs(32, 2, id++);
        std::map<std::uint64_t, std::uint64_t> counts;
        for (int i = 0; i < n_draws; ++i)
            ++counts[rs.binomial(n, p)];
        expect_chi_square(
            counts, 0, n, [&](std::uint64_t k) { return reference_binomial(k, n, p); }, n_draws,
            "binomial(" + std::to_string(n) + ", " + std::to_string(p) + ")");
    }
}

TEST(binomial, edge_cases) {
    random_stream rs(33, 2, 0);
    for (int i = 0; i < 100; ++i) {
        EXPECT_EQ(rs.binomial(0, 0.5), 0u);
        EXPECT_EQ(rs.binomial(1000, 0.0), 0u);
        EXPECT_EQ(rs.binomial(1000, 1.0), 1000u);
        EXPECT_EQ(rs.binomial(1ull << 62, 1.0), 1ull << 62);
    }
    EXPECT_THROW(rs.binomial(10, -0.1), internal_error);
    EXPECT_THROW(rs.binomial(10, 1.5), internal_error);
    EXPECT_THROW(rs.binomial(10, std::nan("")), internal_error);
}

TEST(log_binomial_pmf, matches_the_reference_and_sums_to_one_for_large_n) {
    for (const auto& [n, p] : std::vector<std::pair<std::uint64_t, double>>{
             {10, 0.3}, {1000, 0.01}, {500, 0.5}, {37, 0.9}})
        for (std::uint64_t k = 0; k <= n; ++k) {
            const double ref = reference_binomial(k, n, p);
            if (ref < 1e-250) continue;
            EXPECT_NEAR(log_binomial_pmf(k, n, p), std::log(ref), 1e-10)
                << n << " " << p << " " << k;
        }
    EXPECT_EQ(log_binomial_pmf(11, 10, 0.3), -inf);
    // n = 1e9: within 40 standard deviations of the mean is all the mass. An
    // lgamma-based formula would be off by ~1e-6 here.
    const std::uint64_t n = 1000000000;
    for (const double p : {0.5, 1e-3}) {
        const double mean = n * p, sd = std::sqrt(n * p * (1 - p));
        long double sum = 0;  // a million terms
        for (auto k = static_cast<std::uint64_t>(mean - 40 * sd);
             k <= static_cast<std::uint64_t>(mean + 40 * sd); ++k)
            sum += std::exp(log_binomial_pmf(k, n, p));
        EXPECT_NEAR(double(sum), 1.0, 1e-12) << "p = " << p;
    }
}

// ---------------------------------------------------------------------------
// Hypergeometric

struct hyper_case {
    std::uint64_t N, K, n;
};

// Mean n K/N, variance n K/N (N-K)/N (N-n)/(N-1), excess kurtosis g2 (the
// standard formula; checked against the exact probabilities below).
double hyper_mean(const hyper_case& c) {
    return double(c.n) * double(c.K) / double(c.N);
}
double hyper_variance(const hyper_case& c) {
    const double N = double(c.N), K = double(c.K), n = double(c.n);
    return n * K / N * (N - K) / N * (N - n) / (N - 1);
}
double hyper_excess_kurtosis(const hyper_case& c) {
    const double N = double(c.N), K = double(c.K), n = double(c.n);
    const double num = (N - 1) * N * N * (N * (N + 1) - 6 * K * (N - K) - 6 * n * (N - n)) +
                       6 * n * K * (N - K) * (N - n) * (5 * N - 6);
    return num / (n * K * (N - K) * (N - n) * (N - 2) * (N - 3));
}

TEST(hypergeometric, kurtosis_formula_matches_the_exact_probabilities) {
    for (const hyper_case c : {hyper_case{20, 7, 12}, hyper_case{100, 30, 45}}) {
        double m1 = 0;
        for (std::uint64_t k = 0; k <= c.n; ++k)
            m1 += k * reference_hypergeometric(k, c.N, c.K, c.n);
        double m2 = 0, m4 = 0;
        for (std::uint64_t k = 0; k <= c.n; ++k) {
            const double p = reference_hypergeometric(k, c.N, c.K, c.n), d = k - m1;
            m2 += p * d * d;
            m4 += p * d * d * d * d;
        }
        EXPECT_NEAR(m1, hyper_mean(c), 1e-9);
        EXPECT_NEAR(m2, hyper_variance(c), 1e-9);
        EXPECT_NEAR(m4 / (m2 * m2) - 3, hyper_excess_kurtosis(c), 1e-8);
    }
}

TEST(hypergeometric, mean_and_variance_small_and_large) {
    const std::vector<hyper_case> cases = {
        {20, 7, 12},                          // inversion, lower bound 0
        {1000, 300, 400},                     // ratio of uniforms
        {2000000000, 700000000, 1000000000},  // all three near 1e9
        {1000000000, 600000000, 700000000},   // both symmetries, large
        {1000000000, 999999000, 999999990},   // tiny support near 1e9
        {1000000000, 40, 300000000},          // inversion, mean 12, huge N
    };
    std::uint64_t id = 0;
    for (const auto& c : cases) {
        random_stream rs(41, 3, id++);
        const std::string what = "hypergeometric(N=" + std::to_string(c.N) +
                                 ", K=" + std::to_string(c.K) + ", n=" + std::to_string(c.n) + ")";
        const std::uint64_t lo = c.n + c.K > c.N ? c.n + c.K - c.N : 0;
        const std::uint64_t hi = std::min(c.n, c.K);
        // Moments of x - lo: near 1e9, a running mean would lose the digits
        // that matter when the variance is tiny.
        const moments m = sample_moments(n_draws, [&] {
            const auto x = rs.hypergeometric(c.N, c.K, c.n);
            EXPECT_GE(x, lo) << what;
            EXPECT_LE(x, hi) << what;
            return double(x - lo);
        });
        const double var = hyper_variance(c);
        expect_moments(m, hyper_mean(c) - double(lo), var,
                       var * var * (3 + hyper_excess_kurtosis(c)), n_draws, what);
    }
}

TEST(hypergeometric, distribution_against_exact_probabilities) {
    const std::vector<hyper_case> cases = {
        {20, 7, 12},          // inversion
        {10, 8, 7},           // support [5, 7]: both symmetries
        {500, 200, 150},      // ratio of uniforms (mean 60)
        {500, 300, 350},      // ratio of uniforms after both symmetries
        {500, 250, 250},      // the symmetric middle
        {100000, 50, 30000},  // inversion, mean 15
        {100000, 60, 30000},  // ratio of uniforms, mean 18
        {2, 1, 1},
    };
    std::uint64_t id = 0;
    for (const auto& c : cases) {
        random_stream rs(42, 3, id++);
        std::map<std::uint64_t, std::uint64_t> counts;
        for (int i = 0; i < n_draws; ++i)
            ++counts[rs.hypergeometric(c.N, c.K, c.n)];
        const std::uint64_t lo = c.n + c.K > c.N ? c.n + c.K - c.N : 0;
        const std::uint64_t hi = std::min(c.n, c.K);
        // Both ends of the support are drawn when they are likely enough.
        const auto pmf = [&](std::uint64_t k) {
            return reference_hypergeometric(k, c.N, c.K, c.n);
        };
        if (pmf(lo) * n_draws > 20) {
            EXPECT_EQ(counts.begin()->first, lo);
        }
        if (pmf(hi) * n_draws > 20) {
            EXPECT_EQ(counts.rbegin()->first, hi);
        }
        expect_chi_square(counts, lo, hi, pmf, n_draws,
                          "hypergeometric(N=" + std::to_string(c.N) + ", K=" + std::to_string(c.K) +
                              ", n=" + std::to_string(c.n) + ")");
    }
}

TEST(hypergeometric, edge_cases) {
    random_stream rs(43, 3, 0);
    const std::uint64_t big = 1000000000;
    for (int i = 0; i < 100; ++i) {
        EXPECT_EQ(rs.hypergeometric(100, 0, 50), 0u);     // K = 0
        EXPECT_EQ(rs.hypergeometric(100, 37, 100), 37u);  // n = N
        EXPECT_EQ(rs.hypergeometric(100, 37, 0), 0u);     // n = 0
        EXPECT_EQ(rs.hypergeometric(100, 100, 42), 42u);  // K = N
        EXPECT_EQ(rs.hypergeometric(0, 0, 0), 0u);
        EXPECT_EQ(rs.hypergeometric(big, 0, big / 2), 0u);
        EXPECT_EQ(rs.hypergeometric(big, big / 3, big), big / 3);
        // Support [n + K - N, min(n, K)] of two values near 1e9.
        const auto two = rs.hypergeometric(big, big - 1, big - 1);
        EXPECT_TRUE(two == big - 2 || two == big - 1) << two;
        const auto x = rs.hypergeometric(1ull << 62, 1ull << 61, 1ull << 60);  // beyond 2^53
        EXPECT_NEAR(double(x), std::ldexp(1.0, 59), 10 * std::ldexp(1.0, 29)) << x;
    }
    EXPECT_THROW(rs.hypergeometric(10, 11, 5), internal_error);
    EXPECT_THROW(rs.hypergeometric(10, 5, 11), internal_error);
}

TEST(log_hypergeometric_pmf, matches_the_reference_and_sums_to_one_for_large_n) {
    for (const hyper_case c : {hyper_case{20, 7, 12}, hyper_case{10, 8, 7},
                               hyper_case{1000, 300, 400}, hyper_case{100000, 50, 30000}})
        for (std::uint64_t k = 0; k <= c.n; ++k) {
            const double ref = reference_hypergeometric(k, c.N, c.K, c.n);
            if (ref < 1e-250) {
                if (ref == 0) {
                    EXPECT_EQ(log_hypergeometric_pmf(k, c.N, c.K, c.n), -inf);
                }
                continue;
            }
            EXPECT_NEAR(log_hypergeometric_pmf(k, c.N, c.K, c.n), std::log(ref), 1e-8)
                << c.N << " " << c.K << " " << c.n << " " << k;
        }
    const hyper_case c{2000000000, 700000000, 1000000000};
    const double mean = hyper_mean(c), sd = std::sqrt(hyper_variance(c));
    long double sum = 0;  // a million terms
    for (auto k = static_cast<std::uint64_t>(mean - 40 * sd);
         k <= static_cast<std::uint64_t>(mean + 40 * sd); ++k)
        sum += std::exp(log_hypergeometric_pmf(k, c.N, c.K, c.n));
    EXPECT_NEAR(double(sum), 1.0, 1e-12);
}

// ---------------------------------------------------------------------------
// The ratio-of-uniforms hat must dominate: for every k and x in [k, k+1),
// sqrt(f(k)/f(mode)) |x - a| <= h/2, and f(k) <= f(mode). A hat that failed
// this would bias the samplers where it fails. Checked over the values within
// 40 standard deviations of the mean (beyond, sqrt(f/f(mode)) < e^-100 for
// these log-concave distributions).

template <class LogF>
void expect_hat_dominates(const detail::ratio_of_uniforms_hat& hat, double mean, double var,
                          LogF log_f, const std::string& what) {
    const double log_f_mode = log_f(hat.mode);
    const double sd = std::sqrt(var);
    const double from = std::max(0.0, std::floor(mean - 40 * sd - 2));
    const double to = std::min(double(hat.upper), std::ceil(mean + 40 * sd + 2));
    double worst = 0;
    for (auto k = static_cast<std::uint64_t>(from); k <= static_cast<std::uint64_t>(to); ++k) {
        const double g = std::exp(log_f(k) - log_f_mode);
        ASSERT_LE(g, 1 + 1e-12) << what << ": f(" << k << ") > f(mode " << hat.mode << ")";
        const double reach = std::max(std::abs(double(k) - hat.a), std::abs(double(k) + 1 - hat.a));
        worst = std::max(worst, std::sqrt(g) * reach / (hat.h / 2));
    }
    EXPECT_LE(worst, 1.0) << what;
    // And the hat is not wastefully wide (acceptance stays near 70%).
    EXPECT_GT(worst, 0.6) << what;
}

TEST(ratio_of_uniforms, binomial_hat_dominates) {
    for (const std::uint64_t n : {32ull, 33ull, 100ull, 1001ull, 100000ull, 1000000000ull})
        for (const double p : {0.5, 0.4999, 0.3, 0.1, 0.01, 1e-4, 1.7e-8}) {
            if (n * p < 16) continue;  // inversion's territory
            const auto hat = detail::binomial_hat(n, p);
            EXPECT_EQ(hat.upper, n);
            expect_hat_dominates(
                hat, n * p, n * p * (1 - p),
                [&](std::uint64_t k) { return log_binomial_pmf(k, n, p); },
                "binomial(" + std::to_string(n) + ", " + std::to_string(p) + ")");
        }
}

TEST(ratio_of_uniforms, hypergeometric_hat_dominates) {
    const std::vector<hyper_case> cases = {{64, 32, 32},
                                           {100, 40, 45},
                                           {500, 200, 150},
                                           {500, 250, 250},
                                           {100000, 60, 30000},
                                           {100000, 50000, 50000},
                                           {100000, 5000, 400},
                                           {1000000, 1000, 20000},
                                           {2000000000, 700000000, 1000000000},
                                           {2000000000, 1000000000, 1000000000},
                                           {1000000000, 2000, 10000000}};
    for (const auto& c : cases) {
        if (hyper_mean(c) < 16) continue;
        const auto hat = detail::hypergeometric_hat(c.N, c.K, c.n);
        EXPECT_EQ(hat.upper, std::min(c.n, c.K));
        expect_hat_dominates(
            hat, hyper_mean(c), hyper_variance(c),
            [&](std::uint64_t k) { return log_hypergeometric_pmf(k, c.N, c.K, c.n); },
            "hypergeometric(N=" + std::to_string(c.N) + ", K=" + std::to_string(c.K) +
                ", n=" + std::to_string(c.n) + ")");
    }
}

// ---------------------------------------------------------------------------
// Sampling without replacement

void expect_valid_sample(const std::vector<std::uint64_t>& s, std::uint64_t n, std::uint64_t k) {
    ASSERT_EQ(s.size(), k);
    for (std::size_t i = 0; i < s.size(); ++i) {
        ASSERT_LT(s[i], n);
        if (i > 0) {
            ASSERT_LT(s[i - 1], s[i]) << "ascending and distinct";
        }
    }
}

// The public function, and each of its two ways on its own (it picks the
// bitmap when n <= 1024 k, else the hash set).
using sampler =
    std::function<void(random_stream&, std::uint64_t, std::uint64_t, std::vector<std::uint64_t>&)>;
const std::vector<std::pair<std::string, sampler>> samplers = {
    {"sample_without_replacement",
     [](random_stream& rs, std::uint64_t n, std::uint64_t k, std::vector<std::uint64_t>& out) {
         rs.sample_without_replacement(n, k, out);
     }},
    {"bitmap", detail::sample_with_bitmap},
    {"hash set", detail::sample_with_hash_set},
};

TEST(sample_without_replacement, distinct_ascending_in_range) {
    const std::vector<std::pair<std::uint64_t, std::uint64_t>> cases = {
        {10, 0},         {10, 10},        {1, 1},   {1, 0},     {1000000000, 5},
        {1000, 999},     {100, 2},        {64, 3},  {130, 65},  {1ull << 40, 1000},
        {100000, 3000},  {100000, 99999}, {65, 64}, {128, 128}, {4096, 100},
        {1024000, 1000}, {1025023, 1000}, {2047, 1}};
    for (const auto& [name, sample] : samplers) {
        random_stream rs(51, 4, 0);
        std::vector<std::uint64_t> s = {99, 98};  // replaced, not appended to
        for (const auto& [n, k] : cases) {
            if (name == "bitmap" && n > 100000000) continue;  // 2^40 bits: not this way
            for (int rep = 0; rep < 20; ++rep) {
                sample(rs, n, k, s);
                expect_valid_sample(s, n, k);
            }
        }
        sample(rs, 5, 5, s);
        EXPECT_EQ(s, (std::vector<std::uint64_t>{0, 1, 2, 3, 4})) << name;
    }
    random_stream rs(51, 4, 1);
    std::vector<std::uint64_t> s;
    EXPECT_THROW(rs.sample_without_replacement(5, 6, s), internal_error);
}

// The index of a k-subset of [0, n) (ascending) among all of them, for the
// full-subset chi-square: the combinatorial number system.
std::uint64_t subset_rank(const std::vector<std::uint64_t>& s) {
    std::uint64_t r = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        // C(s[i], i + 1)
        std::uint64_t c = 1;
        for (std::uint64_t j = 0; j < i + 1; ++j)
            c = s[i] < i + 1 ? 0 : c * (s[i] - j) / (j + 1);
        r += c;
    }
    return r;
}

TEST(sample_without_replacement, every_subset_equally_likely) {
    // Small n: count every k-subset; each of the C(n, k) is equally likely
    // (Pearson's chi-square with C(n, k) - 1 degrees of freedom, at least 200
    // draws expected per subset).
    const std::vector<std::pair<std::uint64_t, std::uint64_t>> cases = {{6, 3}, {7, 5},   {60, 2},
                                                                        {9, 1}, {40, 38}, {12, 6}};
    std::uint64_t id = 0;
    for (const auto& [name, sample] : samplers)
        for (const auto& [n, k] : cases) {
            random_stream rs(52, 4, id++);
            const double subsets = std::round(std::exp(log_choose(double(n), double(k))));
            const int draws = std::max(200000, static_cast<int>(200 * subsets));
            std::vector<std::uint64_t> counts(static_cast<std::size_t>(subsets), 0), s;
            for (int i = 0; i < draws; ++i) {
                sample(rs, n, k, s);
                const auto r = subset_rank(s);
                ASSERT_LT(r, counts.size());
                ++counts[r];
            }
            const double e = draws / subsets;
            double chi2 = 0;
            for (const auto c : counts)
                chi2 += (double(c) - e) * (double(c) - e) / e;
            EXPECT_LT(chi2, chi_square_bound(subsets - 1))
                << name << ": n = " << n << ", k = " << k;
        }
}

TEST(sample_without_replacement, uniform_marginals) {
    // Each value is in a sample with probability p = k/n. Over R samples its
    // count c_i has variance R p (1-p) and, since the counts sum to R k,
    // covariance -R p (1-p) / (n-1) with any other: the covariance matrix is
    // R p (1-p) n/(n-1) times a projection of rank n-1, so
    // (n-1)/n sum (c_i - R p)^2 / (R p (1-p)) is chi-square with n-1 degrees
    // of freedom (each c_i is near normal: R p (1-p) >= 5000 here).
    const std::vector<std::pair<std::uint64_t, std::uint64_t>> cases = {
        {1000, 20}, {200, 50}, {200, 170}, {3000, 60}};
    std::uint64_t id = 0;
    for (const auto& [name, sample] : samplers)
        for (const auto& [n, k] : cases) {
            random_stream rs(53, 4, id++);
            const double p = double(k) / double(n);
            const int draws = static_cast<int>(std::ceil(5e3 / (p * (1 - p))));
            std::vector<std::uint64_t> counts(n, 0), s;
            for (int i = 0; i < draws; ++i) {
                sample(rs, n, k, s);
                for (const auto x : s)
                    ++counts[x];
            }
            const double e = draws * p, v = draws * p * (1 - p);
            double chi2 = 0;
            for (const auto c : counts)
                chi2 += (double(c) - e) * (double(c) - e) / v;
            chi2 *= double(n - 1) / double(n);
            EXPECT_LT(chi2, chi_square_bound(double(n - 1)))
                << name << ": n = " << n << ", k = " << k;
            // And not suspiciously small either (a systematic, non-random
            // pattern): P(chi-square(199) < 99.5) is below 1e-10.
            EXPECT_GT(chi2, double(n - 1) / 2) << name << ": n = " << n << ", k = " << k;
        }
}

}  // namespace
}  // namespace ganglion
