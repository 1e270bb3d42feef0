#pragma once

// Counter-based random streams (Random123 Philox4x64-10). A stream is keyed
// by (seed, purpose, id), where id is usually a gid: the numbers a neuron,
// source or target draws do not depend on which rank or thread draws them,
// which is what makes invariant 1 (same spikes for every ranks x threads
// split) possible. Never share one sequential generator between neurons.

#include <Random123/philox.h>

#include <array>
#include <cstdint>
#include <vector>

namespace ganglion {
struct value_spec;  // core/spec.hpp (which includes this header through core/space.hpp)
}

namespace ganglion {

// Purposes keep the streams of different uses of one id apart.
namespace purpose {
constexpr std::uint64_t kind_shift = 48;
// Connections of projection p, keyed by target gid (or source for out-degree rules).
constexpr std::uint64_t connect(std::uint64_t projection) {
    return (1ull << kind_shift) | projection;
}
// The weights and delays of projection p's connections, keyed as its
// connections are: apart, so that the sources can be drawn without them.
constexpr std::uint64_t connection_values(std::uint64_t projection) {
    return (5ull << kind_shift) | projection;
}
// Initial value number v of population p, keyed by gid.
constexpr std::uint64_t initial_value(std::uint64_t population, std::uint64_t variable) {
    return (2ull << kind_shift) | (population << 16) | variable;
}
// A spike source's draws, keyed by gid and step.
constexpr std::uint64_t source(std::uint64_t population) {
    return (3ull << kind_shift) | population;
}
// Current source number i (in the model file's order), keyed by target gid.
constexpr std::uint64_t current_source(std::uint64_t i) {
    return (4ull << kind_shift) | i;
}
}  // namespace purpose

// Four 64-bit random words for (seed, purpose, id, counter): stateless.
// Inline: a call per block cost the Poisson drive ~15% (bench_poisson_drive).
inline std::array<std::uint64_t, 4> philox(std::uint64_t seed, std::uint64_t purpose,
                                           std::uint64_t id, std::uint64_t counter) {
    const r123::Philox4x64::key_type key = {{seed, purpose}};
    const r123::Philox4x64::ctr_type ctr = {{id, counter, 0, 0}};
    const auto out = r123::Philox4x64{}(ctr, key);
    return {out[0], out[1], out[2], out[3]};
}

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
    double normal();  // standard normal (ziggurat)
    double exponential(double rate);
    // exp of a normal(mu, sigma): mean exp(mu + sigma^2/2).
    double lognormal(double mu, double sigma);
    // Gamma with shape k > 0 and scale theta > 0 (mean k theta, variance
    // k theta^2): Marsaglia and Tsang (2000) for k >= 1, and for k < 1 their
    // boost gamma(k + 1) U^(1/k).
    double gamma(double k, double theta);
    // Uniform integer in [0, n), unbiased.
    std::uint64_t below(std::uint64_t n);

    // The number of successes in n trials of probability p (0 <= p <= 1).
    // Exact: inversion from 0 when the mean (of the symmetric case p <= 1/2)
    // is below 16, else Stadlober's ratio of uniforms with Loader's accurate
    // log-probabilities; O(1) expected draws for any n, about 0.3 us here
    // (exact up to n = 2^53, where doubles stop being exact integers).
    std::uint64_t binomial(std::uint64_t n, double p);

    // The number of successes in `draws` draws without replacement from
    // `total` items of which `successes` are successes; always in
    // [max(0, draws + successes - total), min(draws, successes)]. Exact:
    // after the symmetries (draws <= total/2, successes <= total/2), inversion
    // from 0 when the mean is below 16, else Stadlober's ratio of uniforms
    // (the HRUA of numpy, without its truncation of the tail) with Loader's
    // accurate log-probabilities: O(1) expected draws, about 0.5 us here,
    // even with all three near 1e9.
    std::uint64_t hypergeometric(std::uint64_t total, std::uint64_t successes, std::uint64_t draws);

    // k distinct values from [0, n), each k-subset equally likely, in
    // ascending order, replacing `out`'s contents. Floyd's algorithm (exactly
    // min(k, n - k) draws of below()): with a bitmap of n bits when n <= 1024 k
    // (for k > n/2 it picks the n - k values left out; cost O(k + n/64)),
    // else with a hash set and a sort (cost O(k log k), memory O(k)).
    void sample_without_replacement(std::uint64_t n, std::uint64_t k,
                                    std::vector<std::uint64_t>& out);

    // Draw a value from a value_spec (PyNN semantics: normal_clipped redraws
    // until the value lies in [low, high]). An expression is not drawn (the
    // connection builder evaluates it): internal_error.
    double draw(const value_spec& v);

    // A UniformRandomBitGenerator, for the standard library's algorithms
    // (whose results are the library's choice: deterministic for one build,
    // not across standard libraries; the samplers above are ganglion's own).
    using result_type = std::uint64_t;
    static constexpr result_type min() { return 0; }
    static constexpr result_type max() { return ~result_type{0}; }
    result_type operator()() { return next_u64(); }

    // The position, for checkpoints: blocks drawn so far, and words used of
    // the last one; seek() returns a stream of the same key there.
    std::uint64_t blocks_drawn() const { return counter_; }
    int words_used() const { return used_; }
    void seek(std::uint64_t blocks, int used) {
        counter_ = blocks;
        used_ = used;
        if (used_ < 4 && counter_ > 0) block_ = philox(seed_, purpose_, id_, counter_ - 1);
    }

  private:
    std::uint64_t seed_, purpose_, id_;
    std::uint64_t counter_ = 0;
    std::array<std::uint64_t, 4> block_{};
    int used_ = 4;
};

// log P(X = k), accurate to about 1e-15 in absolute terms near the mode
// even for n near 1e9 (Loader's saddle-point expansion, "Fast and accurate computation of
// binomial probabilities", 2000, as R's dbinom and dhyper compute it); -inf
// outside the support.
double log_binomial_pmf(std::uint64_t k, std::uint64_t n, double p);
double log_hypergeometric_pmf(std::uint64_t k, std::uint64_t total, std::uint64_t successes,
                              std::uint64_t draws);

namespace detail {
// The ratio-of-uniforms hat of a discrete log-concave distribution on
// [0, upper] (Stadlober 1990): with U, V uniform in (0, 1), X = a + h (V -
// 1/2) / U is accepted when U^2 <= f(floor X) / f(mode), and floor X then
// has the probabilities f. This is exact if sqrt(f(k) / f(mode)) |x - a| <=
// h/2 for all x in [k, k + 1), which Stadlober's a = mean + 1/2 and
// h = 2 sqrt(2/e) sqrt(var + 1/2) + 3 - 2 sqrt(3/e) give (the tests check
// it numerically). Exposed for those tests.
struct ratio_of_uniforms_hat {
    std::uint64_t mode = 0;
    std::uint64_t upper = 0;
    double a = 0;
    double h = 0;
};
// For p <= 1/2.
ratio_of_uniforms_hat binomial_hat(std::uint64_t n, double p);
// For draws <= total/2 and successes <= total/2 (so the support starts at 0).
ratio_of_uniforms_hat hypergeometric_hat(std::uint64_t total, std::uint64_t successes,
                                         std::uint64_t draws);

// The two ways random_stream::sample_without_replacement samples (it picks
// by n/k), exposed so that the tests can check each on small n.
void sample_with_bitmap(random_stream& rs, std::uint64_t n, std::uint64_t k,
                        std::vector<std::uint64_t>& out);
void sample_with_hash_set(random_stream& rs, std::uint64_t n, std::uint64_t k,
                          std::vector<std::uint64_t>& out);
}  // namespace detail

}  // namespace ganglion
