// Tests for core/poisson.hpp: the count of a step drawn from one 32-bit word
// by inversion of the cumulative distribution, sped up by a guide table, and
// the word a step takes from its Philox block.

#include "core/poisson.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "core/random.hpp"

namespace ganglion {
namespace {

// A process with lambda spikes per step (dt = 1 ms, rate = 1000 lambda Hz).
poisson_process with_lambda(double lambda) {
    return poisson_process::make(1000.0 * lambda, 0, 1e9, 1.0, 17, 3);
}

// The textbook inversion, without the guide table: the smallest k with
// cdf[k] >= u, u = (word + 1/2) 2^-32, or cdf.size() if there is none.
int plain_inversion(const std::vector<double>& cdf, std::uint32_t word) {
    const double u = (static_cast<double>(word) + 0.5) * 0x1.0p-32;
    return static_cast<int>(std::lower_bound(cdf.begin(), cdf.end(), u) - cdf.begin());
}

// Words to try: a dense sample of the whole range, both sides of each of
// the 1024 guide intervals' boundaries, and both sides of every step of the
// CDF (the words whose u is nearest cdf[k]).
std::vector<std::uint32_t> words_to_try(const std::vector<double>& cdf) {
    std::vector<std::uint32_t> words;
    for (std::uint64_t w = 0; w <= 0xFFFFFFFFull; w += 4099)
        words.push_back(static_cast<std::uint32_t>(w));
    words.push_back(0xFFFFFFFFu);
    for (std::uint64_t j = 0; j <= 1024; ++j) {
        const std::uint64_t edge = j << 22;
        for (const std::int64_t off : {-2, -1, 0, 1, 2}) {
            const std::int64_t w = static_cast<std::int64_t>(edge) + off;
            if (w >= 0 && w <= 0xFFFFFFFFll) words.push_back(static_cast<std::uint32_t>(w));
        }
    }
    for (const double c : cdf) {
        const double w0 = std::floor(c * 0x1.0p32 - 0.5);
        for (const double off : {-2.0, -1.0, 0.0, 1.0, 2.0}) {
            const double w = w0 + off;
            if (w >= 0 && w <= 4294967295.0) words.push_back(static_cast<std::uint32_t>(w));
        }
    }
    return words;
}

const double lambdas[] = {1e-4, 0.1, 1.6, 2, 10, 100, 1000};

TEST(poisson_process, guide_table_draws_equal_the_plain_inversion) {
    for (const double lambda : lambdas) {
        SCOPED_TRACE("lambda " + std::to_string(lambda));
        const poisson_process p = with_lambda(lambda);
        ASSERT_FALSE(p.cdf.empty());
        ASSERT_EQ(p.guide.size(), std::size_t{1} << poisson_process::guide_bits);
        const auto words = words_to_try(p.cdf);
        ASSERT_GT(words.size(), 1040000u);
        std::size_t wrong = 0;
        for (const std::uint32_t w : words) {
            const int want = plain_inversion(p.cdf, w);
            const int got = p.count_from(w);
            if (got != want && ++wrong <= 10)
                ADD_FAILURE() << "word " << w << ": " << got << " instead of " << want;
        }
        EXPECT_EQ(wrong, 0u);
    }
}

TEST(poisson_process, count_words_equals_count_from_word_by_word) {
    // The vector count (compare with the first thresholds at once) where it
    // applies (lambda up to ~2.4), the plain one elsewhere (30: the first
    // thresholds are 0); words in runs of every length around the chunk
    // of 16 lanes, so that head and tail loops and the rare words past the
    // last head threshold are all met.
    for (const double lambda : {1e-4, 0.1, 1.6, 2.4, 2.6, 30.0, 100.0}) {
        SCOPED_TRACE("lambda " + std::to_string(lambda));
        const poisson_process p = with_lambda(lambda);
        EXPECT_EQ(p.head_counts, lambda <= 2.4);
        EXPECT_EQ(p.threshold.front() == 0, lambda >= 30.0);
        const auto words = words_to_try(p.cdf);
        std::vector<std::int32_t> counts(words.size());
        std::size_t wrong = 0, past_head = 0;
        for (std::size_t at = 0, len = 1; at < words.size(); at += len, len = len % 37 + 1) {
            const std::size_t n = std::min(len, words.size() - at);
            p.count_words(words.data() + at, n, counts.data() + at);
        }
        for (std::size_t j = 0; j < words.size(); ++j) {
            const int want = p.count_from(words[j]);
            past_head += want >= poisson_process::head_terms;
            if (counts[j] != want && ++wrong <= 10)
                ADD_FAILURE() << "word " << words[j] << ": " << counts[j] << " instead of " << want;
        }
        EXPECT_EQ(wrong, 0u);
        const std::size_t last = poisson_process::head_terms - 1;
        if (p.head_counts && p.threshold.size() > last && p.threshold[last] <= 0xFFFFFFFFu) {
            EXPECT_GT(past_head, 0u) << "the rare words";
        }
    }
}

TEST(poisson_process, guide_table_entry_is_the_count_at_the_interval_start) {
    // guide[j] is the inversion at u = j / 1024: never above the count of a
    // word of interval j, and equal to that of the interval's first word
    // unless a step of the CDF lies between.
    for (const double lambda : lambdas) {
        SCOPED_TRACE("lambda " + std::to_string(lambda));
        const poisson_process p = with_lambda(lambda);
        for (std::uint32_t j = 0; j < 1024; ++j) {
            const double u = static_cast<double>(j) / 1024.0;
            const auto want = static_cast<std::uint32_t>(
                std::lower_bound(p.cdf.begin(), p.cdf.end(), u) - p.cdf.begin());
            EXPECT_EQ(p.guide[j], want) << "interval " << j;
            EXPECT_LE(static_cast<int>(p.guide[j]), p.count_from(j << 22)) << "interval " << j;
        }
    }
}

TEST(poisson_process, word_of_takes_32_bit_halves_low_first) {
    const std::array<std::uint64_t, 4> block = {0x1111111122222222ull, 0x3333333344444444ull,
                                                0x5555555566666666ull, 0x7777777788888888ull};
    const std::uint32_t want[8] = {0x22222222u, 0x11111111u, 0x44444444u, 0x33333333u,
                                   0x66666666u, 0x55555555u, 0x88888888u, 0x77777777u};
    for (step_type s = 0; s < 64; ++s) {
        EXPECT_EQ(poisson_process::word_of(block, s), want[s % 8]) << "step " << s;
        EXPECT_EQ(poisson_process::block_of(s), static_cast<std::uint64_t>(s / 8)) << "step " << s;
    }
    EXPECT_EQ(poisson_process::block_of(std::int64_t{1} << 40), std::uint64_t{1} << 37);
}

TEST(poisson_process, count_is_the_inversion_of_its_steps_word) {
    // count(gid, s): word s % 8 of Philox block s / 8 of (seed, purpose, gid).
    const poisson_process p = with_lambda(1.6);
    for (const gid_type gid : {0ull, 5ull, 123456789ull})
        for (step_type s = 0; s < 200; ++s) {
            const auto block = philox(p.seed, p.purpose, gid, static_cast<std::uint64_t>(s / 8));
            const auto half = static_cast<std::uint32_t>(block[(s % 8) / 2] >> (32 * (s % 2)));
            EXPECT_EQ(p.count(gid, s), plain_inversion(p.cdf, half))
                << "gid " << gid << " step " << s;
        }
}

// The counts' mean and variance over 2^20 evenly spaced words (a stratified
// sample of u): lambda's, to well within 1%.
void expect_poisson_moments(double lambda) {
    SCOPED_TRACE("lambda " + std::to_string(lambda));
    const poisson_process p = with_lambda(lambda);
    EXPECT_NEAR(p.lambda, lambda, 1e-12 * lambda);
    EXPECT_NEAR(p.cdf.back(), 1.0, 1e-12) << "the CDF reaches 1";
    double sum = 0, sum2 = 0;
    const int n = 1 << 20;
    for (int i = 0; i < n; ++i) {
        const double k = p.count_from(static_cast<std::uint32_t>(i) << 12);
        sum += k;
        sum2 += k * k;
    }
    const double mean = sum / n, variance = sum2 / n - mean * mean;
    EXPECT_NEAR(mean, lambda, 0.01 * lambda + 4.0 / n);
    EXPECT_NEAR(variance, lambda, 0.01 * lambda + 4.0 / n);
}

TEST(poisson_process, counts_have_the_poisson_mean_and_variance) {
    for (const double lambda : {1e-4, 0.1, 1.6, 2.0, 10.0, 100.0, 500.0, 700.0})
        expect_poisson_moments(lambda);
}

// exp(-lambda) is subnormal above lambda = 708 and 0 above 745: a CDF
// summed from it by the recurrence would be wrong from about 730, and all
// zeros from 746 (every step would draw cdf.size() spikes). make() sums
// such CDFs in logarithms. (At dt = 0.1 ms, lambda 746 is a rate of 7.46
// MHz: one source standing for many.)
TEST(poisson_process, counts_have_the_poisson_mean_and_variance_for_large_lambda) {
    for (const double lambda : {740.0, 746.0, 1000.0, 5000.0})
        expect_poisson_moments(lambda);
}

}  // namespace
}  // namespace ganglion
