// Question: how many Poisson counts per second does the background drive
// draw and add, and how much of that is the random numbers?
//
// One item is one source-step: a count drawn by inversion from a 32-bit word
// and w x count added into the source's target cell (core/poisson_drive.hpp),
// as the microcircuit's background does: 38 600 sources on the thread (one
// thread's half of the full model), one-to-one onto 38 600 targets, delay 15
// steps, 2 receptors, lambda = rate x dt per step:
//   drive/<rate Hz>   the engine's drive, stepped; 8 Hz x K_ext ~ 2000 gives
//                     16 kHz per cell (lambda 1.6), the microcircuit's case;
//   philox            the Philox4x64-10 call alone, which serves 8 steps of
//                     one source (items: source-steps, so calls x 8).

#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <vector>

#include "core/poisson.hpp"
#include "core/poisson_drive.hpp"
#include "core/random.hpp"
#include "core/ring_buffer.hpp"

namespace {

using namespace ganglion;

constexpr std::uint32_t n_sources = 38600;
constexpr std::uint32_t delay = 15;

void drive(benchmark::State& state) {
    const double rate_hz = static_cast<double>(state.range(0));
    const poisson_process process = poisson_process::make(rate_hz, 0.0, 1e12, 0.1, 55, 7);
    std::vector<gid_type> gids(n_sources);
    std::vector<poisson_drive::direct_synapse> direct(n_sources);
    for (std::uint32_t i = 0; i < n_sources; ++i) {
        gids[i] = 100000 + i;
        direct[i] = {i, 0, delay, 0.0878f};
    }
    poisson_drive d;
    d.add_population(process, gids, direct);
    ring_buffer buffer(2, 1 + 54, n_sources);
    step_type s = 0;
    for (auto _ : state) {
        d.step(s, buffer, [](gid_type, int) {});
        // The update reads and clears the row of step s.
        double* row = buffer.row(0, s);
        for (std::uint32_t i = 0; i < n_sources; ++i)
            row[i] = 0;
        ++s;
    }
    benchmark::DoNotOptimize(buffer.data().data());
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * n_sources);
    state.counters["lambda"] = process.lambda;
}

void philox_calls(benchmark::State& state) {
    std::uint64_t counter = 0, sink = 0;
    for (auto _ : state) {
        for (std::uint32_t i = 0; i < 1024; ++i)
            sink += philox(55, 7, 100000 + i, counter)[0];
        ++counter;
    }
    benchmark::DoNotOptimize(sink);
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * 1024 * 8);
}

BENCHMARK(drive)->Name("drive")->Arg(8000)->Arg(16000)->Unit(benchmark::kMicrosecond);
BENCHMARK(philox_calls)->Name("philox")->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
