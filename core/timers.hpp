#pragma once

// Wall-clock time per phase of a run, accumulated by RAII scopes.

#include <array>
#include <chrono>
#include <string_view>

namespace ganglion {

enum class phase { build, update, exchange, deliver, write };
constexpr std::size_t n_phases = 5;
constexpr std::array<std::string_view, n_phases> phase_names = {"build", "update", "exchange",
                                                                "deliver", "write"};

class phase_timers {
  public:
    void add(phase p, double seconds) { seconds_[static_cast<std::size_t>(p)] += seconds; }
    double seconds(phase p) const { return seconds_[static_cast<std::size_t>(p)]; }
    const std::array<double, n_phases>& all() const { return seconds_; }

  private:
    std::array<double, n_phases> seconds_{};
};

class scoped_timer {
  public:
    scoped_timer(phase_timers& t, phase p)
        : timers_(t), phase_(p), start_(std::chrono::steady_clock::now()) {}
    ~scoped_timer() {
        const std::chrono::duration<double> d = std::chrono::steady_clock::now() - start_;
        timers_.add(phase_, d.count());
    }
    scoped_timer(const scoped_timer&) = delete;
    scoped_timer& operator=(const scoped_timer&) = delete;

  private:
    phase_timers& timers_;
    phase phase_;
    std::chrono::steady_clock::time_point start_;
};

}  // namespace ganglion
