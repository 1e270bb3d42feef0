// Question: what are this machine's limits for the two memory patterns the
// simulation loop is made of, so that neuron updates and spike delivery can
// be judged against them?
//
//   triad/<MB>            STREAM's triad a[i] = b[i] + s c[i] over three
//                         double arrays of <MB> MB each (one thread). Items
//                         are elements; bytes/s counts 24 bytes per element
//                         (two reads, one write; the write-allocate read of
//                         a is not counted, as STREAM does not count it).
//                         Arrays far larger than the last-level cache give
//                         the streaming bandwidth a neuron update of states
//                         in memory is bounded by; small ones the cache
//                         bandwidth.
//   scatter_add/<n>       x[idx[k]] += w over a ring buffer of 2 receptors x
//                         16 slots x n neurons (doubles, laid out as
//                         core/ring_buffer.hpp lays them out) with uniformly
//                         random target indices, the access pattern of
//                         delivery into the rows of all slots; items are
//                         adds (adds/s). n = 10k, 30k, 100k, 1M: a buffer of
//                         2.5, 7.7, 25.6 and 256 MB. The indices are generated in
//                         advance (4 M of them, 32-bit, as a synapse stores
//                         its target) and read sequentially, as delivery
//                         reads a synapse row.
//   scatter_add_row/<n>   the same adds, all into one slot's rows (2 x n
//                         doubles): delivery of one delay, as in a network
//                         where every synapse has the same delay (Brunel
//                         model A).
//   saturating_add/<n>    SpiNNaker mode's adds (core/fixed_point.hpp
//                         accumulate: 16-bit cells, saturating, counted)
//                         at uniformly random cells of 2 receptors x 17
//                         slots x n neurons: its delivery at reception into
//                         the D + 16 slots (D = 1). n = 38.6k is a thread's
//                         share of the microcircuit on 2 threads (2.6 MB).
//   saturating_add_row/<n> the same adds into one slot's rows (2 x n cells,
//                         154 kB at n = 38.6k): what delivery at arrival
//                         would add into, as double mode's arrival queue
//                         does.
//
// Run with a load well below the core count; these limits move with what
// else uses the memory bus.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "core/fixed_point.hpp"

namespace {

void triad(benchmark::State& state) {
    const auto bytes_per_array = static_cast<std::size_t>(state.range(0)) << 20;
    const std::size_t n = bytes_per_array / sizeof(double);
    std::vector<double> a(n, 0.0), b(n, 1.0), c(n, 2.0);
    const double s = 3.0;
    for (auto _ : state) {
        double* __restrict pa = a.data();
        const double* __restrict pb = b.data();
        const double* __restrict pc = c.data();
#pragma omp simd
        for (std::size_t i = 0; i < n; ++i)
            pa[i] = pb[i] + s * pc[i];
        benchmark::DoNotOptimize(a.data());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n * 3 * sizeof(double)));
    state.counters["array_MB"] = static_cast<double>(bytes_per_array) / (1 << 20);
}

constexpr std::size_t n_receptors = 2;
constexpr std::size_t n_slots = 16;
constexpr std::size_t n_indices = std::size_t{1} << 22;

// Random indices into [0, range), drawn once per range.
std::vector<std::uint32_t> random_indices(std::size_t range) {
    std::mt19937_64 rng(range);
    std::uniform_int_distribution<std::uint32_t> pick(0, static_cast<std::uint32_t>(range - 1));
    std::vector<std::uint32_t> idx(n_indices);
    for (auto& i : idx)
        i = pick(rng);
    return idx;
}

void scatter(benchmark::State& state, std::size_t buffer_doubles) {
    std::vector<double> buffer(buffer_doubles, 0.0);
    const std::vector<std::uint32_t> idx = random_indices(buffer_doubles);
    const double w = 0.1;
    for (auto _ : state) {
        double* __restrict x = buffer.data();
        for (const std::uint32_t i : idx)
            x[i] += w;
        benchmark::DoNotOptimize(buffer.data());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n_indices));
    state.counters["buffer_MB"] = static_cast<double>(buffer_doubles * sizeof(double)) / (1 << 20);
}

void scatter_add(benchmark::State& state) {
    scatter(state, n_receptors * n_slots * static_cast<std::size_t>(state.range(0)));
}

void scatter_add_row(benchmark::State& state) {
    scatter(state, n_receptors * static_cast<std::size_t>(state.range(0)));
}

// Saturating 16-bit adds with weights from the index stream's low bits
// (1 .. 16).
void saturating(benchmark::State& state, std::size_t buffer_cells) {
    std::vector<std::uint16_t> buffer(buffer_cells, 0);
    const std::vector<std::uint32_t> idx = random_indices(buffer_cells);
    std::uint64_t saturations = 0;
    for (auto _ : state) {
        // Cleared as the update clears a slot it read: the 4 M adds then
        // never saturate (the saturated branch would be another loop).
        std::fill(buffer.begin(), buffer.end(), std::uint16_t{0});
        std::uint16_t* __restrict x = buffer.data();
        for (const std::uint32_t i : idx)
            x[i] = static_cast<std::uint16_t>(
                ganglion::fixed::accumulate(x[i], (i & 15) + 1, saturations));
        benchmark::DoNotOptimize(buffer.data());
        benchmark::ClobberMemory();
    }
    benchmark::DoNotOptimize(saturations);
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n_indices));
    state.counters["buffer_MB"] =
        static_cast<double>(buffer_cells * sizeof(std::uint16_t)) / (1 << 20);
}

constexpr std::size_t spinnaker_slots = 17;  // D + 16 with D = 1 (the microcircuit at dt 0.1)

void saturating_add(benchmark::State& state) {
    saturating(state, n_receptors * spinnaker_slots * static_cast<std::size_t>(state.range(0)));
}

void saturating_add_row(benchmark::State& state) {
    saturating(state, n_receptors * static_cast<std::size_t>(state.range(0)));
}

BENCHMARK(triad)->ArgName("MB")->Arg(1)->Arg(8)->Arg(64)->Arg(256)->Unit(benchmark::kMillisecond);
BENCHMARK(scatter_add)
    ->ArgName("n")
    ->Arg(10'000)
    ->Arg(30'000)
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(scatter_add_row)->ArgName("n")->Arg(10'000)->Arg(100'000)->Unit(benchmark::kMillisecond);
BENCHMARK(saturating_add)->ArgName("n")->Arg(38'600)->Unit(benchmark::kMillisecond);
BENCHMARK(saturating_add_row)->ArgName("n")->Arg(38'600)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
