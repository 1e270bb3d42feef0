#include "core/poisson.hpp"

#include "core/vector_math.hpp"

#include <cmath>
#include <limits>

namespace ganglion {

poisson_process poisson_process::make(double rate_hz, double start_ms, double duration_ms,
                                      double dt, std::uint64_t seed, std::uint64_t purpose) {
    poisson_process p;
    p.lambda = rate_hz * dt * 1e-3;
    p.exp_minus_lambda = std::exp(-p.lambda);
    p.first_step = static_cast<step_type>(std::llround(start_ms / dt));
    const double stop = start_ms + duration_ms;
    p.end_step = stop / dt > 1e17 ? std::numeric_limits<step_type>::max()
                                  : static_cast<step_type>(std::llround(stop / dt));
    p.seed = seed;
    p.purpose = purpose;
    // Above lambda ~ 700, exp(-lambda) underflows (subnormal, then 0) and
    // the recurrence would lose every term: each p_k is then computed in
    // logarithms, exp(k log(lambda) - lambda - lgamma(k + 1)).
    const bool in_logs = p.lambda > 500;
    double pk = in_logs ? std::exp(-p.lambda) : p.exp_minus_lambda, c = pk;
    p.cdf.push_back(c);
    for (int k = 1; k < 100000; ++k) {
        pk = in_logs ? std::exp(k * std::log(p.lambda) - p.lambda - std::lgamma(k + 1.0))
                     : pk * p.lambda / k;
        const double next = c + pk;
        if (next == c && k > p.lambda) break;  // 1 to double precision
        c = next;
        p.cdf.push_back(c);
    }
    if (in_logs)  // the rounding of thousands of lgamma terms: sum to 1 exactly
        for (double& x : p.cdf)
            x /= c;
    for (const double c_k : p.cdf) {
        // cdf[k] 2^32 is exact (a power of two), and so is subtracting 0.5
        // from a number below 2^33.
        const double y = std::floor(std::ldexp(c_k, 32) - 0.5);
        p.threshold.push_back(y < 0 ? 0 : static_cast<std::uint64_t>(y) + 1);
    }
    const std::size_t n_guide = std::size_t{1} << guide_bits;
    p.guide.resize(n_guide);
    std::size_t k = 0;
    for (std::size_t j = 0; j < n_guide; ++j) {
        const double u = static_cast<double>(j) / static_cast<double>(n_guide);
        while (k < p.cdf.size() && u > p.cdf[k])
            ++k;
        p.guide[j] = static_cast<std::uint32_t>(k);
    }
    p.head.fill(0xFFFFFFFFu);
    for (std::size_t i = 0; i < p.threshold.size() && i < head_terms; ++i)
        p.head[i] = static_cast<std::uint32_t>(p.threshold[i] - 1);  // <= 2^32 - 1
    // (A threshold of 0, lambda > ~23, is far from holding the mass.)
    const std::size_t last = head_terms - 1;
    p.head_counts =
        p.threshold.front() > 0 && (last >= p.cdf.size() || p.cdf[last] >= 1.0 - 0x1p-8);
    return p;
}

GANGLION_VECTOR_CLONES
void poisson_process::count_words(const std::uint32_t* words, std::size_t n,
                                  std::int32_t* counts) const {
    if (!head_counts) {
        for (std::size_t j = 0; j < n; ++j)
            counts[j] = count_from(words[j]);
        return;
    }
    const std::uint32_t* h = head.data();
    constexpr std::int32_t top = head_terms;
    std::int32_t full = 0;
#pragma omp simd reduction(| : full)
    for (std::size_t j = 0; j < n; ++j) {
        const std::uint32_t x = words[j];
        std::int32_t c = 0;
        for (int i = 0; i < head_terms; ++i)
            c += x > h[i] ? 1 : 0;
        counts[j] = c;
        full |= c == top ? 1 : 0;
    }
    if (full)  // a word past the last head threshold: count it on
        for (std::size_t j = 0; j < n; ++j)
            if (counts[j] == top) counts[j] = count_from(words[j]);
}

}  // namespace ganglion
