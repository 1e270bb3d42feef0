#include "core/random.hpp"

#include <boost/random/normal_distribution.hpp>

#include "core/spec.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <numbers>
#include <string>

#include "core/error.hpp"

namespace ganglion {

double random_stream::normal() {
    // Boost.Random's ziggurat (Marsaglia and Tsang 2000, with Doornik's
    // improvements): one 64-bit word and a table lookup for 99% of draws,
    // no log or cos. Stateless, so a stream's position is its counter.
    return boost::random::normal_distribution<double>(0.0, 1.0)(*this);
}

double random_stream::exponential(double rate) {
    return -std::log(uniform()) / rate;
}

std::uint64_t random_stream::below(std::uint64_t n) {
    if (n == 0) throw internal_error("random_stream::below(0)");
    // Lemire's rejection on the 128-bit product.
    while (true) {
        const unsigned __int128 m = static_cast<unsigned __int128>(next_u64()) * n;
        const auto low = static_cast<std::uint64_t>(m);
        if (low >= n || low >= (-n) % n) return static_cast<std::uint64_t>(m >> 64);
    }
}

double random_stream::lognormal(double mu, double sigma) {
    return std::exp(mu + sigma * normal());
}

namespace {

// Gamma(k, 1) for k >= 1: Marsaglia and Tsang, "A simple method for
// generating gamma variables" (2000). Acceptance is above 95% for every k.
double standard_gamma(random_stream& rs, double k) {
    const double d = k - 1.0 / 3.0;
    const double c = 1.0 / std::sqrt(9.0 * d);
    while (true) {
        const double x = rs.normal();
        double v = 1.0 + c * x;
        if (v <= 0) continue;
        v = v * v * v;
        const double u = rs.uniform();
        const double x2 = x * x;
        if (u < 1.0 - 0.0331 * x2 * x2) return d * v;  // squeeze
        if (std::log(u) < 0.5 * x2 + d * (1.0 - v + std::log(v))) return d * v;
    }
}

}  // namespace

double random_stream::gamma(double k, double theta) {
    if (!(k > 0) || !(theta > 0) || !std::isfinite(k) || !std::isfinite(theta))
        throw internal_error("random_stream::gamma: k = " + std::to_string(k) +
                             ", theta = " + std::to_string(theta) + " (both must be > 0)");
    if (k >= 1) return theta * standard_gamma(*this, k);
    // Gamma(k) = Gamma(k + 1) U^(1/k) (Marsaglia and Tsang's boost for k < 1).
    const double g = standard_gamma(*this, k + 1.0);
    return theta * g * std::exp(std::log(uniform()) / k);
}

// ---------------------------------------------------------------------------
// Binomial and hypergeometric probabilities (Loader 2000). Each is written as
// exp(-(a sum of terms that are small near the mean)), so that none of them
// is the difference of two numbers near lgamma(1e9) ~ 2e10 (whose rounding
// alone would be ~1e-6 in the log-probability).

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();
constexpr double log_2pi = 1.8378770664093454836;  // log(2 pi)

// log(n!) - log(sqrt(2 pi n) (n/e)^n), the error of Stirling's formula, for
// an integer n >= 1.
double stirlerr(double n) {
    constexpr double s0 = 1.0 / 12, s1 = 1.0 / 360, s2 = 1.0 / 1260, s3 = 1.0 / 1680,
                     s4 = 1.0 / 1188;
    if (n <= 15) return std::lgamma(n + 1) - (n + 0.5) * std::log(n) + n - 0.5 * log_2pi;
    const double nn = n * n;
    if (n > 500) return (s0 - s1 / nn) / n;
    if (n > 80) return (s0 - (s1 - s2 / nn) / nn) / n;
    if (n > 35) return (s0 - (s1 - (s2 - s3 / nn) / nn) / nn) / n;
    return (s0 - (s1 - (s2 - (s3 - s4 / nn) / nn) / nn) / nn) / n;
}

// x log(x / m) + m - x, the deviance term, without cancellation when x is
// near m (series in v = (x - m) / (x + m)).
double bd0(double x, double m) {
    if (std::abs(x - m) < 0.1 * (x + m)) {
        double v = (x - m) / (x + m);
        double s = (x - m) * v;
        if (std::abs(s) < std::numeric_limits<double>::min()) return s;
        double ej = 2 * x * v;
        v = v * v;
        for (int j = 1; j < 1000; ++j) {
            ej *= v;
            const double s1 = s + ej / (2 * j + 1);
            if (s1 == s) return s1;
            s = s1;
        }
    }
    return x * std::log(x / m) + m - x;
}

// log of the probability of x successes in n trials, p + q = 1.
double log_dbinom(double x, double n, double p, double q) {
    if (p == 0) return x == 0 ? 0.0 : -inf;
    if (q == 0) return x == n ? 0.0 : -inf;
    if (x < 0 || x > n) return -inf;
    if (x == 0) {
        if (n == 0) return 0.0;
        return p < 0.1 ? -bd0(n, n * q) - n * p : n * std::log(q);
    }
    if (x == n) return q < 0.1 ? -bd0(n, n * p) - n * q : n * std::log(p);
    const double lc =
        stirlerr(n) - stirlerr(x) - stirlerr(n - x) - bd0(x, n * p) - bd0(n - x, n * q);
    const double lf = log_2pi + std::log(x) + std::log1p(-x / n);
    return lc - 0.5 * lf;
}

double as_double(std::uint64_t x) {
    return static_cast<double>(x);
}

// The hypergeometric probability of k is dbinom(k; K, p) dbinom(n - k; N - K,
// p) / dbinom(n; N, p) for any p (R's dhyper): p = n/N keeps every factor
// near its mode. Without the constant denominator: the log of f(k) up to a
// constant, which is what the ratio of uniforms needs.
struct hypergeometric_terms {
    double total, successes, draws, p, q;
    hypergeometric_terms(std::uint64_t N, std::uint64_t K, std::uint64_t n)
        : total(as_double(N)),
          successes(as_double(K)),
          draws(as_double(n)),
          p(as_double(n) / as_double(N)),
          q(as_double(N - n) / as_double(N)) {}
    double unnormalised(std::uint64_t k) const {
        const double x = as_double(k);
        return log_dbinom(x, successes, p, q) + log_dbinom(draws - x, total - successes, p, q);
    }
    double normaliser() const { return log_dbinom(draws, total, p, q); }
};

// Stadlober's constants: 2 sqrt(2/e) and 3 - 2 sqrt(3/e).
constexpr double rou_d1 = 1.7155277699214135;
constexpr double rou_d2 = 0.8989161620588988;

detail::ratio_of_uniforms_hat make_hat(std::uint64_t mode, std::uint64_t upper, double mean,
                                       double variance) {
    detail::ratio_of_uniforms_hat hat;
    hat.mode = mode;
    hat.upper = upper;
    hat.a = mean + 0.5;
    hat.h = rou_d1 * std::sqrt(variance + 0.5) + rou_d2;
    return hat;
}

// Ratio of uniforms (see detail::ratio_of_uniforms_hat). X is computed
// relative to the mode, so that it keeps its fractional digits even for large
// values. The two squeezes use 2 log u <= u (4 - u) - 3 (accept) and
// 2 log u >= u - 1/u (reject), both true on (0, 1].
template <class LogF>
std::uint64_t ratio_of_uniforms(random_stream& rs, const detail::ratio_of_uniforms_hat& hat,
                                LogF log_f) {
    const double log_f_mode = log_f(hat.mode);
    const double centre = hat.a - as_double(hat.mode);
    const double below = as_double(hat.mode);  // how far the support reaches below the mode
    const double above = as_double(hat.upper - hat.mode);
    while (true) {
        const double u = rs.uniform();
        const double v = rs.uniform();
        const double j = std::floor(centre + hat.h * (v - 0.5) / u);
        if (j < -below || j > above) continue;
        const std::uint64_t k = j < 0 ? hat.mode - static_cast<std::uint64_t>(-j)
                                      : hat.mode + static_cast<std::uint64_t>(j);
        if (k > hat.upper) continue;  // only if doubles rounded a huge support
        const double t = log_f(k) - log_f_mode;
        if (u * (4.0 - u) - 3.0 <= t) return k;
        if (u * (u - t) >= 1.0) continue;
        if (2.0 * std::log(u) <= t) return k;
    }
}

// Inversion by sequential search from 0: f0 = f(0), ratio(k) = f(k+1)/f(k).
// O(mean) steps. A u beyond the (rounded) total mass starts again.
template <class Ratio>
std::uint64_t inversion_from_zero(random_stream& rs, double f0, std::uint64_t upper, Ratio ratio) {
    while (true) {
        double u = rs.uniform();
        double f = f0;
        for (std::uint64_t k = 0;; ++k) {
            if (u <= f) return k;
            u -= f;
            if (k == upper) break;
            f *= ratio(k);
            if (!(f > 0)) break;
        }
    }
}

// Below this mean, inversion from 0 is cheaper than the ratio of uniforms
// (whose acceptance falls as the variance shrinks).
constexpr double inversion_below_mean = 16;

}  // namespace

double log_binomial_pmf(std::uint64_t k, std::uint64_t n, double p) {
    if (k > n) return -inf;
    return log_dbinom(as_double(k), as_double(n), p, 1.0 - p);
}

double log_hypergeometric_pmf(std::uint64_t k, std::uint64_t total, std::uint64_t successes,
                              std::uint64_t draws) {
    if (successes > total || draws > total) return -inf;
    if (k > draws || k > successes || draws - k > total - successes) return -inf;
    if (draws == 0 || draws == total) return 0.0;  // k is then the only value
    const hypergeometric_terms terms(total, successes, draws);
    return terms.unnormalised(k) - terms.normaliser();
}

namespace detail {

ratio_of_uniforms_hat binomial_hat(std::uint64_t n, double p) {
    const double q = 1.0 - p;
    const double nd = as_double(n);
    // The mode is floor((n + 1) p); rounding may put that one off, so step
    // to the larger neighbour while there is one: f(m+1)/f(m) = (n-m)p/((m+1)q).
    auto m = static_cast<std::uint64_t>(std::min(nd, std::floor((nd + 1) * p)));
    while (m < n && (nd - as_double(m)) * p > (as_double(m) + 1) * q)
        ++m;
    while (m > 0 && as_double(m) * q > (nd - as_double(m) + 1) * p)
        --m;
    return make_hat(m, n, nd * p, nd * p * q);
}

ratio_of_uniforms_hat hypergeometric_hat(std::uint64_t total, std::uint64_t successes,
                                         std::uint64_t draws) {
    // The mode is exactly floor((n + 1)(K + 1)/(N + 2)), here in 128-bit integers.
    using u128 = unsigned __int128;
    const auto mode = static_cast<std::uint64_t>((static_cast<u128>(draws) + 1) *
                                                 (static_cast<u128>(successes) + 1) /
                                                 (static_cast<u128>(total) + 2));
    const double N = as_double(total), p = as_double(successes) / N;
    const double mean = as_double(draws) * p;
    const double variance =
        mean * (1 - p) * (as_double(total - draws) / (total > 1 ? as_double(total - 1) : 1.0));
    return make_hat(mode, std::min(draws, successes), mean, variance);
}

}  // namespace detail

std::uint64_t random_stream::binomial(std::uint64_t n, double p) {
    if (!(p >= 0 && p <= 1))
        throw internal_error("random_stream::binomial: p = " + std::to_string(p));
    if (p > 0.5) return n - binomial(n, 1.0 - p);
    if (n == 0 || p == 0) return 0;
    const double q = 1.0 - p;
    const double nd = as_double(n);
    if (nd * p < inversion_below_mean) {
        const double f0 = std::exp(log_dbinom(0, nd, p, q));
        const double odds = p / q;
        return inversion_from_zero(*this, f0, n, [&](std::uint64_t k) {
            return (nd - as_double(k)) / (as_double(k) + 1) * odds;
        });
    }
    return ratio_of_uniforms(*this, detail::binomial_hat(n, p),
                             [&](std::uint64_t k) { return log_dbinom(as_double(k), nd, p, q); });
}

std::uint64_t random_stream::hypergeometric(std::uint64_t total, std::uint64_t successes,
                                            std::uint64_t draws) {
    if (successes > total || draws > total)
        throw internal_error("random_stream::hypergeometric: total " + std::to_string(total) +
                             ", successes " + std::to_string(successes) + ", draws " +
                             std::to_string(draws));
    // Symmetries, so that draws <= total/2 and successes <= total/2: the
    // successes left undrawn are those of total - draws draws, and the
    // failures drawn are a hypergeometric count of failures.
    if (draws > total - draws) return successes - hypergeometric(total, successes, total - draws);
    if (successes > total - successes)
        return draws - hypergeometric(total, total - successes, draws);
    if (draws == 0 || successes == 0) return 0;
    const std::uint64_t upper = std::min(draws, successes);
    const double mean = as_double(draws) * (as_double(successes) / as_double(total));
    if (mean < inversion_below_mean) {
        const double f0 = std::exp(log_hypergeometric_pmf(0, total, successes, draws));
        const double K = as_double(successes), n = as_double(draws);
        const double rest = as_double(total - successes - draws);  // N - K - n >= 0 here
        return inversion_from_zero(*this, f0, upper, [&](std::uint64_t k) {
            const double x = as_double(k);
            return (K - x) * (n - x) / ((x + 1) * (rest + x + 1));
        });
    }
    const hypergeometric_terms terms(total, successes, draws);
    return ratio_of_uniforms(*this, detail::hypergeometric_hat(total, successes, draws),
                             [&](std::uint64_t k) { return terms.unnormalised(k); });
}

namespace detail {

// Floyd's algorithm picks m distinct values of [0, n) in exactly m draws:
// for j = n - m .. n - 1, take t uniform in [0, j], or j itself if t is
// already taken; every m-subset is equally likely.

void sample_with_bitmap(random_stream& rs, std::uint64_t n, std::uint64_t k,
                        std::vector<std::uint64_t>& out) {
    out.clear();
    out.reserve(k);
    // For k > n/2, pick the n - k values left out.
    const bool complement = k > n / 2;
    const std::uint64_t m = complement ? n - k : k;
    std::vector<std::uint64_t> bits((n + 63) / 64, 0);
    auto take = [&](std::uint64_t x) {
        const std::uint64_t bit = 1ull << (x % 64);
        const bool taken = (bits[x / 64] & bit) != 0;
        bits[x / 64] |= bit;
        return !taken;
    };
    for (std::uint64_t j = n - m; j < n; ++j)
        if (!take(rs.below(j + 1))) take(j);
    for (std::uint64_t w = 0; w < bits.size(); ++w) {
        std::uint64_t word = complement ? ~bits[w] : bits[w];
        if (w + 1 == bits.size() && n % 64 != 0) word &= (1ull << (n % 64)) - 1;
        while (word) {
            out.push_back(w * 64 + static_cast<std::uint64_t>(std::countr_zero(word)));
            word &= word - 1;
        }
    }
}

void sample_with_hash_set(random_stream& rs, std::uint64_t n, std::uint64_t k,
                          std::vector<std::uint64_t>& out) {
    out.clear();
    out.reserve(k);
    // Open addressing with linear probing, at most half full; a slot holds
    // value + 1 (0: empty). Fibonacci hashing spreads consecutive values.
    int bits = 1;
    while ((std::uint64_t{1} << bits) < 2 * k)
        ++bits;
    std::vector<std::uint64_t> table(std::size_t{1} << bits, 0);
    const std::uint64_t mask = table.size() - 1;
    auto insert = [&](std::uint64_t x) {
        std::uint64_t slot = (x * 0x9E3779B97F4A7C15ull) >> (64 - bits);
        while (table[slot] != 0) {
            if (table[slot] == x + 1) return false;
            slot = (slot + 1) & mask;
        }
        table[slot] = x + 1;
        out.push_back(x);
        return true;
    };
    for (std::uint64_t j = n - k; j < n; ++j)
        if (!insert(rs.below(j + 1))) insert(j);
    std::sort(out.begin(), out.end());
}

}  // namespace detail

void random_stream::sample_without_replacement(std::uint64_t n, std::uint64_t k,
                                               std::vector<std::uint64_t>& out) {
    if (k > n)
        throw internal_error("random_stream::sample_without_replacement: k = " + std::to_string(k) +
                             " > n = " + std::to_string(n));
    if (k == 0) {
        out.clear();
        return;
    }
    // The bitmap costs n/64 words to clear and scan, the hash set 30 to 90 ns
    // per value (with the sort): measured, the bitmap is faster up to n ~
    // 2000 k. Up to n = 1024 k it takes at most 128 bytes per value.
    if (n / 1024 <= k)
        detail::sample_with_bitmap(*this, n, k, out);
    else
        detail::sample_with_hash_set(*this, n, k, out);
}

double random_stream::draw(const value_spec& v) {
    switch (v.k) {
        case value_spec::kind::constant:
            return v.value;
        case value_spec::kind::uniform:
            return uniform(v.low, v.high);
        case value_spec::kind::normal:
            return v.mu + v.sigma * normal();
        case value_spec::kind::normal_clipped:
            // The reader guarantees the interval has non-negligible mass.
            for (int attempt = 0; attempt < 1000000; ++attempt) {
                const double x = v.mu + v.sigma * normal();
                if (x >= v.low && x <= v.high) return x;
            }
            throw error("normal_clipped distribution: no draw in [" + std::to_string(v.low) + ", " +
                        std::to_string(v.high) + "] after 1e6 attempts");
        case value_spec::kind::lognormal:
            return lognormal(v.mu, v.sigma);
        case value_spec::kind::exponential:
            return -std::log(uniform()) * v.beta;
        case value_spec::kind::gamma:
            return gamma(v.shape, v.theta);
        case value_spec::kind::expression:
            throw internal_error(
                "random_stream::draw: an expression is evaluated by the connection builder, "
                "not drawn");
    }
    throw internal_error("random_stream::draw: unknown kind");
}

}  // namespace ganglion
