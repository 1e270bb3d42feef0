#include "core/random.hpp"

#include <Random123/philox.h>

#include <cmath>
#include <numbers>

#include "core/error.hpp"

namespace ganglion {

std::array<std::uint64_t, 4> philox(std::uint64_t seed, std::uint64_t purpose, std::uint64_t id,
                                    std::uint64_t counter) {
    r123::Philox4x64 rng;
    r123::Philox4x64::key_type key = {{seed, purpose}};
    r123::Philox4x64::ctr_type ctr = {{id, counter, 0, 0}};
    const auto out = rng(ctr, key);
    return {out[0], out[1], out[2], out[3]};
}

double random_stream::normal() {
    const double u1 = uniform();
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
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
    }
    throw internal_error("random_stream::draw: unknown kind");
}

}  // namespace ganglion
