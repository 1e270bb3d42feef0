#include "core/current_source.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/random.hpp"

namespace ganglion {

namespace {
step_type to_step(double ms, double dt) {
    if (!std::isfinite(ms)) return std::numeric_limits<step_type>::max();
    return static_cast<step_type>(std::llround(ms / dt));
}
}  // namespace

current_waveform::current_waveform(const current_source_spec& src, std::size_t index, double dt,
                                   std::uint64_t seed)
    : src_(src), purpose_(purpose::current_source(index)), dt_(dt), seed_(seed) {
    start_ = to_step(src.start, dt);
    stop_ = to_step(src.stop, dt);
    if (src.k == current_source_spec::kind::noisy)
        noise_every_ = std::max<step_type>(1, src.dt > 0 ? to_step(src.dt, dt) : 1);
    for (const double t : src.times)
        change_steps_.push_back(to_step(t, dt));
}

double current_waveform::at(step_type s, gid_type gid) const {
    using kind = current_source_spec::kind;
    if (src_.k == kind::step) {
        // The amplitude of the last change at or before step s; 0 before the first.
        const auto it = std::upper_bound(change_steps_.begin(), change_steps_.end(), s);
        if (it == change_steps_.begin()) return 0.0;
        return src_.amplitudes[static_cast<std::size_t>(it - change_steps_.begin()) - 1];
    }
    if (s < start_ || s >= stop_) return 0.0;
    switch (src_.k) {
        case kind::dc:
            return src_.amplitude;
        case kind::ac: {
            const double t = static_cast<double>(s) * dt_;
            return src_.offset +
                   src_.amplitude * std::sin(2.0 * std::numbers::pi * src_.frequency * t / 1000.0 +
                                             src_.phase * std::numbers::pi / 180.0);
        }
        case kind::noisy: {
            // A new normal value every noise_every_ steps from the start,
            // from the stream's block numbered by that interval.
            const auto interval = static_cast<std::uint64_t>((s - start_) / noise_every_);
            const auto w = philox(seed_, purpose_, gid, interval);
            const double u1 = to_unit_open(w[0]), u2 = to_unit_open(w[1]);
            const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
            return src_.mean + src_.stdev * z;
        }
        case kind::step:
            break;
    }
    return 0.0;
}

void current_injection::fill(step_type s, double* out) const {
    std::fill(out, out + n_, 0.0);
    for (const input& in : inputs_) {
        if (in.source->is_noisy()) {
            for (std::size_t k = 0; k < in.cells.size(); ++k)
                out[in.cells[k]] += in.source->at(s, in.gids[k]);
        } else {
            const double a = in.source->at(s, 0);
            for (const std::uint32_t c : in.cells)
                out[c] += a;
        }
    }
}

}  // namespace ganglion
