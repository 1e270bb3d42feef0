// Question: what are the latency alpha and the inverse bandwidth beta of an
// MPI message between two ranks here (the Hockney model's parameters that
// bench_exchange uses), and does alpha + m beta predict ganglion's 2-rank
// spike exchange?
//
// Run on two ranks: tools/mpirun.sh 2 build/bench/bench_mpi_allgather
//   pingpong/<bytes>   rank 0 sends m bytes to rank 1, which sends them back
//                      (MPI_Send/MPI_Recv); the time is the round trip;
//   allgather/<words>  ganglion's exchange (mpi_communicator::allgather_spikes:
//                      MPI_Allgather of the counts, MPI_Allgatherv of the
//                      words), each rank contributing <words> spike words.
// Both ranks must make the same MPI calls, so every benchmark has a fixed
// iteration count (Google Benchmark would otherwise choose one per rank).
// At the end rank 0 prints alpha (one-way time of 8 bytes) and beta (slope
// of the one-way time between the two largest messages), and the model's
// prediction for each allgather case: 2 alpha + 4 B beta + words 8 B beta.
// Two ranks on one machine talk through shared memory: these are loopback
// numbers, not a network's.

#include <benchmark/benchmark.h>

#include <cstdio>
#include <iostream>

#if GANGLION_HAVE_MPI

#include <mpi.h>

#include <cstdint>
#include <cstring>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "comm/mpi_communicator.hpp"
#include "core/spike_buffer.hpp"

namespace {

using namespace ganglion;

mpi_communicator* the_comm = nullptr;

void pingpong(benchmark::State& state) {
    const auto bytes = static_cast<std::size_t>(state.range(0));
    std::vector<char> buffer(bytes, 1);
    const int me = the_comm->rank();
    const MPI_Comm comm = the_comm->native();
    MPI_Barrier(comm);
    for (auto _ : state) {
        if (me == 0) {
            MPI_Send(buffer.data(), static_cast<int>(bytes), MPI_CHAR, 1, 0, comm);
            MPI_Recv(buffer.data(), static_cast<int>(bytes), MPI_CHAR, 1, 0, comm,
                     MPI_STATUS_IGNORE);
        } else if (me == 1) {
            MPI_Recv(buffer.data(), static_cast<int>(bytes), MPI_CHAR, 0, 0, comm,
                     MPI_STATUS_IGNORE);
            MPI_Send(buffer.data(), static_cast<int>(bytes), MPI_CHAR, 0, 0, comm);
        }
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(2 * bytes * state.iterations()));
}

void allgather(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    std::vector<std::uint64_t> local(n), global;
    for (std::size_t i = 0; i < n; ++i)
        local[i] =
            spike_word::pack(static_cast<gid_type>(i) * the_comm->size() + the_comm->rank(), 0);
    MPI_Barrier(the_comm->native());
    for (auto _ : state) {
        the_comm->allgather_spikes(local, global);
        benchmark::DoNotOptimize(global.data());
    }
    state.counters["words_received"] = static_cast<double>(global.size());
}

// Rank 0 reports; the others run the same benchmarks silently.
class null_reporter : public benchmark::BenchmarkReporter {
  public:
    bool ReportContext(const Context&) override { return true; }
    void ReportRuns(const std::vector<Run>&) override {}
};

// The console table, then alpha, beta and the model's allgather times from
// the medians (or single runs).
class fit_reporter : public benchmark::ConsoleReporter {
  public:
    fit_reporter() : benchmark::ConsoleReporter(OO_Tabular) {}
    void ReportRuns(const std::vector<Run>& runs) override {
        benchmark::ConsoleReporter::ReportRuns(runs);
        for (const Run& run : runs) {
            const bool single = run.run_type == Run::RT_Iteration && run.repetitions <= 1;
            const bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
            if (!single && !median) continue;
            const std::string& name = run.run_name.function_name;
            const long arg = std::stol(run.run_name.args.substr(run.run_name.args.find(':') + 1));
            // Real time: the ranks wait for each other, which is the point.
            const double us = run.GetAdjustedRealTime();
            if (name == "pingpong")
                one_way_us_[arg] = us / 2;
            else
                allgather_us_[arg] = us;
        }
    }
    void Finalize() override {
        benchmark::ConsoleReporter::Finalize();
        if (one_way_us_.size() < 3) return;
        const double alpha_us = one_way_us_.begin()->second;
        const auto last = std::prev(one_way_us_.end()), before = std::prev(last);
        const double beta_us_per_byte =
            (last->second - before->second) / static_cast<double>(last->first - before->first);
        char line[256];
        std::snprintf(line, sizeof line,
                      "\nHockney fit: alpha = %.3f us (one way, %ld bytes), beta = %.4g ns/byte "
                      "(%.2f GB/s, from %ld to %ld bytes)\n",
                      alpha_us, one_way_us_.begin()->first, beta_us_per_byte * 1e3,
                      1e-3 / beta_us_per_byte, before->first, last->first);
        GetOutputStream() << line;
        for (const auto& [words, us] : allgather_us_) {
            const double model = 2 * alpha_us + 4 * beta_us_per_byte + words * 8 * beta_us_per_byte;
            std::snprintf(line, sizeof line,
                          "allgather of %ld words per rank: measured %.3f us, model %.3f us\n",
                          words, us, model);
            GetOutputStream() << line;
        }
    }

  private:
    std::map<long, double> one_way_us_, allgather_us_;
};

}  // namespace

int main(int argc, char** argv) {
    mpi_environment env(argc, argv);
    mpi_communicator comm;
    the_comm = &comm;
    if (comm.size() != 2) {
        if (comm.rank() == 0)
            std::cerr << "bench_mpi_allgather: run on 2 ranks (tools/mpirun.sh 2 ...), not "
                      << comm.size() << "\n";
        return 1;
    }
    // Only rank 0 writes --benchmark_out.
    if (comm.rank() != 0) {
        int kept = 1;
        for (int i = 1; i < argc; ++i)
            if (std::strncmp(argv[i], "--benchmark_out", 15) != 0) argv[kept++] = argv[i];
        argc = kept;
    }
    // 8 B .. 4 MB; fewer iterations for the large messages (fixed, see above).
    for (long bytes = 8; bytes <= (4l << 20); bytes *= 8)
        benchmark::RegisterBenchmark("pingpong", pingpong)
            ->Arg(bytes)
            ->Iterations(bytes <= 4096          ? 20000
                         : bytes <= (256 << 10) ? 2000
                                                : 200)
            ->UseRealTime()
            ->Unit(benchmark::kMicrosecond);
    // Words per rank: the microcircuit on 2 ranks at 4 and 40 Hz (31 and 309
    // spikes per exchange), and larger loads.
    for (long words : {16l, 155l, 2000l, 20000l})
        benchmark::RegisterBenchmark("allgather", allgather)
            ->Arg(words)
            ->Iterations(words <= 2000 ? 20000 : 2000)
            ->UseRealTime()
            ->Unit(benchmark::kMicrosecond);
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    // Warm up: the first messages set up the connection between the ranks.
    {
        std::vector<std::uint64_t> words(16), global;
        for (int i = 0; i < 1000; ++i)
            comm.allgather_spikes(words, global);
    }
    if (comm.rank() == 0) {
        fit_reporter reporter;
        benchmark::RunSpecifiedBenchmarks(&reporter);
    } else {
        null_reporter reporter;
        benchmark::RunSpecifiedBenchmarks(&reporter);
    }
    benchmark::Shutdown();
    return 0;
}

#else

int main() {
    std::cerr << "bench_mpi_allgather: ganglion was built without MPI (GANGLION_MPI=OFF)\n";
    return 0;
}

#endif
