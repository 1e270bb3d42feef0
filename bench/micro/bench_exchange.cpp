// Question: how does the spike exchange's cost grow with the number of ranks
// P, and from which P would an MPI_Alltoall-based exchange (NEST 5g) beat
// ganglion's MPI_Allgather?
//
// Measured, for P = 2, 4, ..., 1024, with comm/dry_run_communicator standing
// in for the P ranks (this process plays rank 0, the other ranks' spikes are
// copies of rank 0's moved to their own neurons), per exchange:
//   dry_run      gather + sort: what every rank does after MPI_Allgatherv
//                (the words land in the receive buffer; simulation::exchange
//                sorts them into delivery order);
//   independent  the same sort of a receive buffer in which each rank's
//                spikes are drawn independently (Poisson per rank), as in a
//                real run. The dry run copies rank 0's activity: when a rank
//                has less than one spike per exchange, its copies arrive in
//                bursts of P (mostly nothing, sometimes P words), and the
//                copies (each rank's block is rank 0's shifted by one gid per
//                rank) make the buffer more regular than independent ranks
//                would, so the sort's branches predict better; this shows
//                what both do to the measurement.
// Loads (dt = min_delay = 0.1 ms: one exchange per step, every spike lag 0):
//   microcircuit      77,169 neurons (Potjans-Diesmann) at 4 Hz mean:
//                     3.1e5 spikes/s, ~31 per exchange, whatever P
//                     (strong scaling);
//   microcircuit_x10  the same network at 40 Hz, ~309 per exchange;
//   weak_1e5          1e5 neurons per rank at 4 Hz (weak scaling: the
//                     network grows with P, 40 * P spikes per exchange).
//
// Modelled (Hockney: a message of m bytes costs alpha + m * beta), with S
// spikes network-wide per exchange, 8-byte words, K synapses per neuron
// whose targets are spread uniformly over the ranks:
//   allgather_us  ganglion's exchange: MPI_Allgather of the counts, then
//                 MPI_Allgatherv of the words, each by recursive doubling:
//                 2 ceil(log2 P) alpha + (P-1) 4 B beta + (P-1)/P S 8 B beta;
//   alltoall_us   NEST 5g: one MPI_Alltoall of fixed-size per-rank chunks
//                 (pairwise exchange), each rank sending each other rank
//                 only the spikes with a target there: a spike has one on a
//                 given other rank with probability q = 1 - (1 - 1/P)^K, so
//                 (P-1) alpha + (P-1)/P S q 8 B beta.
// alpha, beta and K are options (defaults: EDR InfiniBand, alpha = 1 us,
// 12 GB/s; K = 1e4):
//   bench_exchange --alpha_us=1 --bandwidth_GBps=12 --out_degree=1e4 [benchmark flags]
// bench/micro/bench_mpi_allgather.cpp measures alpha and beta between two
// ranks on one machine. After the benchmarks, a table per load (medians
// when --benchmark_repetitions > 1, CPU time) and the model's crossover P
// are printed.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "comm/dry_run_communicator.hpp"
#include "core/spike_buffer.hpp"

namespace {

using namespace ganglion;

constexpr double dt_s = 1e-4;               // 0.1 ms: one exchange per step
constexpr std::size_t n_intervals = 16384;  // 1.6 s of activity, cycled
constexpr int max_ranks = 1024;

struct load {
    const char* name;
    gid_type n_neurons;         // whole network (strong scaling), or
    gid_type neurons_per_rank;  // per rank (weak scaling) when n_neurons is 0
    double rate_hz;
    gid_type network_size(int P) const {
        return n_neurons ? n_neurons : neurons_per_rank * static_cast<gid_type>(P);
    }
    // Spikes per exchange, network-wide.
    double spikes(int P) const { return static_cast<double>(network_size(P)) * rate_hz * dt_s; }
};

const load loads[] = {{"microcircuit", 77169, 0, 4.0},
                      {"microcircuit_x10", 77169, 0, 40.0},
                      {"weak_1e5", 0, 100000, 4.0}};

struct model {
    double alpha_s = 1e-6;
    double beta_s_per_byte = 1.0 / 12e9;
    double out_degree = 1e4;

    double q(int P) const { return 1.0 - std::pow(1.0 - 1.0 / P, out_degree); }
    double allgather_s(int P, double S) const {
        const double rounds = std::ceil(std::log2(static_cast<double>(P)));
        return 2 * rounds * alpha_s + (P - 1) * 4.0 * beta_s_per_byte +
               (P - 1.0) / P * S * 8.0 * beta_s_per_byte;
    }
    double alltoall_s(int P, double S) const {
        return (P - 1) * alpha_s + (P - 1.0) / P * S * q(P) * 8.0 * beta_s_per_byte;
    }
};
model the_model;

// Rank 0's neurons are gids 0, P, 2P, ...; each spikes in an interval with
// probability rate * dt (a Poisson count of distinct neurons). One sorted
// vector of words per interval, as one thread's spike buffer holds them.
std::vector<std::vector<std::uint64_t>> rank0_spikes(const load& l, int P) {
    const gid_type n = l.network_size(P);
    const gid_type n_local = (n + static_cast<gid_type>(P) - 1) / static_cast<gid_type>(P);
    std::mt19937_64 rng(1000 + static_cast<unsigned>(P));
    std::poisson_distribution<int> count(static_cast<double>(n_local) * l.rate_hz * dt_s);
    std::uniform_int_distribution<gid_type> pick(0, n_local - 1);
    std::vector<std::vector<std::uint64_t>> out(n_intervals);
    for (auto& words : out) {
        for (int k = count(rng); k > 0; --k)
            words.push_back(spike_word::pack(pick(rng) * static_cast<gid_type>(P), 0));
        std::sort(words.begin(), words.end());
        words.erase(std::unique(words.begin(), words.end()), words.end());
    }
    return out;
}

// What a real rank receives: every neuron of the network spikes
// independently; the receive buffer holds rank 0's spikes, then rank 1's,
// ..., each rank's in gid order.
std::vector<std::vector<std::uint64_t>> independent_spikes(const load& l, int P) {
    const gid_type n = l.network_size(P);
    std::mt19937_64 rng(2000 + static_cast<unsigned>(P));
    std::poisson_distribution<int> count(l.spikes(P));
    std::uniform_int_distribution<gid_type> pick(0, n - 1);
    const auto Pg = static_cast<gid_type>(P);
    const auto by_rank = [Pg](std::uint64_t a, std::uint64_t b) {
        return std::make_pair(a % Pg, a) < std::make_pair(b % Pg, b);
    };
    // Enough intervals to average over, at most ~64 MB of words.
    const auto n_cycle =
        std::clamp<std::size_t>(static_cast<std::size_t>((1 << 23) / l.spikes(P)), 64, n_intervals);
    std::vector<std::vector<std::uint64_t>> out(n_cycle);
    for (auto& words : out) {
        for (int k = count(rng); k > 0; --k)
            words.push_back(spike_word::pack(pick(rng), 0));
        std::sort(words.begin(), words.end());
        words.erase(std::unique(words.begin(), words.end()), words.end());
        std::sort(words.begin(), words.end(), by_rank);
    }
    return out;
}

// Google Benchmark calls a benchmark several times (to find the iteration
// count, then once per repetition); the spikes are drawn once per case.
const std::vector<std::vector<std::uint64_t>>& spikes_of(const load& l, int P, bool independent) {
    static std::string key;
    static std::vector<std::vector<std::uint64_t>> cached;
    const std::string k = std::string(l.name) + "/" + std::to_string(P) + (independent ? "i" : "d");
    if (k != key) {
        cached = independent ? independent_spikes(l, P) : rank0_spikes(l, P);
        key = k;
    }
    return cached;
}

void set_counters(benchmark::State& state, const load& l, int P, std::uint64_t words) {
    const double S = l.spikes(P);
    state.counters["S"] =
        benchmark::Counter(static_cast<double>(words), benchmark::Counter::kAvgIterations);
    state.counters["bytes"] = benchmark::Counter(
        8.0 * static_cast<double>(words) + 4.0 * P * static_cast<double>(state.iterations()),
        benchmark::Counter::kAvgIterations);
    state.counters["allgather_us"] = the_model.allgather_s(P, S) * 1e6;
    state.counters["alltoall_us"] = the_model.alltoall_s(P, S) * 1e6;
    state.counters["q"] = the_model.q(P);
}

void dry_run(benchmark::State& state, const load& l, int P) {
    const auto& local = spikes_of(l, P, false);
    dry_run_communicator comm(P, l.network_size(P));
    std::vector<std::uint64_t> global;
    std::uint64_t words = 0;
    std::size_t i = 0;
    for (auto _ : state) {
        comm.allgather_spikes(local[i], global);
        std::sort(global.begin(), global.end());
        benchmark::DoNotOptimize(global.data());
        words += global.size();
        i = i + 1 == local.size() ? 0 : i + 1;
    }
    set_counters(state, l, P, words);
}

void independent(benchmark::State& state, const load& l, int P) {
    const auto& received = spikes_of(l, P, true);
    std::vector<std::uint64_t> global;
    global.reserve(4 * static_cast<std::size_t>(l.spikes(P)) + 64);
    std::uint64_t words = 0;
    std::size_t i = 0;
    for (auto _ : state) {
        // The copy stands for MPI writing the receive buffer.
        global.assign(received[i].begin(), received[i].end());
        std::sort(global.begin(), global.end());
        benchmark::DoNotOptimize(global.data());
        words += global.size();
        i = i + 1 == received.size() ? 0 : i + 1;
    }
    set_counters(state, l, P, words);
}

// The console table as usual, and at the end one line per (load, P) with
// the median (or single) CPU times of both measurements and the model.
class table_reporter : public benchmark::ConsoleReporter {
  public:
    table_reporter() : benchmark::ConsoleReporter(OO_Tabular) {}

    void ReportRuns(const std::vector<Run>& runs) override {
        benchmark::ConsoleReporter::ReportRuns(runs);
        for (const Run& run : runs) {
            const bool single = run.run_type == Run::RT_Iteration && run.repetitions <= 1;
            const bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
            if (!single && !median) continue;
            const std::string& name = run.run_name.function_name;  // variant/load/P
            const auto a = name.find('/'), b = name.rfind('/');
            row& r = rows_[{name.substr(a + 1, b - a - 1), std::stoi(name.substr(b + 1))}];
            const double us = run.GetAdjustedCPUTime();  // benchmarks run in microseconds
            if (name.compare(0, a, "dry_run") == 0) {
                r.dry_us = us;
                r.S = run.counters.at("S");
                r.bytes = run.counters.at("bytes");
            } else {
                r.independent_us = us;
                r.independent_S = run.counters.at("S");
            }
        }
    }

    void Finalize() override {
        benchmark::ConsoleReporter::Finalize();
        auto& out = GetOutputStream();
        char line[256];
        std::snprintf(line, sizeof line,
                      "\nModel: alpha = %.3g us, beta = 1/(%.3g GB/s), K = %.3g synapses per "
                      "neuron; times per exchange, CPU time (medians if repeated)\n",
                      the_model.alpha_s * 1e6, 1e-9 / the_model.beta_s_per_byte,
                      the_model.out_degree);
        out << line;
        std::string current;
        for (const auto& [key, r] : rows_) {
            const auto& [load_name, P] = key;
            if (load_name != current) {
                current = load_name;
                out << "\n"
                    << load_name << "\n"
                    << "| P | spikes per exchange | bytes per rank | gather+sort us (dry run) | "
                       "sort us (independent ranks) | allgather us (model) | alltoall us "
                       "(model) |\n| --- | --- | --- | --- | --- | --- | --- |\n";
            }
            const load& l = find_load(load_name);
            const double S = l.spikes(P);
            std::string ind = "-";
            if (r.independent_us >= 0) {
                std::snprintf(line, sizeof line, "%.3f", r.independent_us);
                ind = line;
            }
            std::snprintf(line, sizeof line, "| %d | %.1f | %.0f | %.3f | %s | %.2f | %.2f |\n", P,
                          r.S, r.bytes, r.dry_us, ind.c_str(), the_model.allgather_s(P, S) * 1e6,
                          the_model.alltoall_s(P, S) * 1e6);
            out << line;
        }
        print_crossover(out);
    }

  private:
    struct row {
        double S = 0, bytes = 0, dry_us = -1, independent_us = -1, independent_S = 0;
    };
    std::map<std::pair<std::string, int>, row> rows_;

    static const load& find_load(const std::string& name) {
        for (const load& l : loads)
            if (name == l.name) return l;
        std::abort();
    }

    // Beyond the measured range, the model alone: per load, the smallest
    // P = 2^k from which on the modelled Alltoall stays cheaper than the
    // Allgather (P up to the network size for a fixed network, up to 2^24
    // for weak scaling). Twice: the communication alone, and with the sort
    // of the received words added, at `sort_ns` * n log2 n for n words
    // (fitted to the largest measured sort; the Allgather's rank sorts all
    // S words, the Alltoall's only its own and those with local targets).
    void print_crossover(std::ostream& out) const {
        double sort_ns = 0, largest = 0;
        for (const auto& [key, r] : rows_)
            if (r.independent_us > 0 && r.independent_S > largest && r.independent_S > 2) {
                largest = r.independent_S;
                sort_ns = r.independent_us * 1e3 / (largest * std::log2(largest));
            }
        const auto sort_s = [sort_ns](double n) {
            return n > 2 ? sort_ns * 1e-9 * n * std::log2(n) : 0.0;
        };
        char line[256];
        std::snprintf(line, sizeof line,
                      "\nModel beyond the measured ranks (P = 2^k; q = chance that a spike has a "
                      "target on a given rank; sort = %.3g ns * n log2 n):\n",
                      sort_ns);
        out << line;
        for (const load& l : loads) {
            int from = 0, from_with_sort = 0;
            std::string samples;
            for (int k = 1; k <= 24; ++k) {
                const int P = 1 << k;
                if (l.n_neurons && static_cast<gid_type>(P) > l.n_neurons) break;
                const double S = l.spikes(P), q = the_model.q(P);
                const double ag = the_model.allgather_s(P, S), a2a = the_model.alltoall_s(P, S);
                const double ag_sort = ag + sort_s(S);
                const double a2a_sort = a2a + sort_s(S / P + (P - 1.0) / P * q * S);
                from = a2a < ag ? (from ? from : P) : 0;
                from_with_sort = a2a_sort < ag_sort ? (from_with_sort ? from_with_sort : P) : 0;
                if (k % 2 == 1) {
                    std::snprintf(line, sizeof line,
                                  "  P=%d: q=%.3g; allgather %.4g us, alltoall %.4g us; with the "
                                  "sort %.4g us, %.4g us\n",
                                  P, q, ag * 1e6, a2a * 1e6, ag_sort * 1e6, a2a_sort * 1e6);
                    samples += line;
                }
            }
            const auto when = [](int P) {
                return P ? "P = " + std::to_string(P) : std::string("never (in range)");
            };
            out << l.name << ": alltoall cheaper from " << when(from) << "; with the sort, from "
                << when(from_with_sort) << "\n"
                << samples;
        }
    }
};

// Options of the model, removed from argv before Google Benchmark sees it.
void parse_model_options(int& argc, char** argv) {
    int kept = 1;
    for (int i = 1; i < argc; ++i) {
        const char* a = argv[i];
        auto value = [a](const char* flag) -> const char* {
            const std::size_t n = std::strlen(flag);
            return std::strncmp(a, flag, n) == 0 ? a + n : nullptr;
        };
        if (const char* v = value("--alpha_us=")) {
            the_model.alpha_s = std::atof(v) * 1e-6;
        } else if (const char* v = value("--bandwidth_GBps=")) {
            the_model.beta_s_per_byte = 1e-9 / std::atof(v);
        } else if (const char* v = value("--out_degree=")) {
            the_model.out_degree = std::atof(v);
        } else {
            argv[kept++] = argv[i];
        }
    }
    argc = kept;
}

}  // namespace

int main(int argc, char** argv) {
    parse_model_options(argc, argv);
    for (const load& l : loads)
        for (int P = 2; P <= max_ranks; P *= 2) {
            const std::string suffix = std::string(l.name) + "/" + std::to_string(P);
            benchmark::RegisterBenchmark(("dry_run/" + suffix).c_str(), dry_run, l, P)
                ->Unit(benchmark::kMicrosecond);
            benchmark::RegisterBenchmark(("independent/" + suffix).c_str(), independent, l, P)
                ->Unit(benchmark::kMicrosecond);
        }
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    table_reporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    return 0;
}
