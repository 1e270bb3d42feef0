#include "core/poisson.hpp"

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
    return p;
}

}  // namespace ganglion
