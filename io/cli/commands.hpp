#pragma once

// The ganglion command line: subcommands and how a failure ends every rank.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/communicator.hpp"
#include "core/model.hpp"

namespace ganglion::cli {

// Exit statuses a job script can tell apart.
constexpr int exit_ok = 0;
constexpr int exit_internal = 1;     // a bug in ganglion
constexpr int exit_user_error = 2;   // bad model file, option or path
constexpr int exit_rank_failed = 3;  // another rank failed mid-run
// Stopped by SIGTERM or SIGUSR1 after writing a checkpoint: requeue and
// restore (EX_TEMPFAIL: "try again later").
constexpr int exit_checkpointed = 75;

struct run_options {
    std::string model_file;
    std::string output_dir = "out";
    int threads = 0;  // 0: OMP_NUM_THREADS or 1
    std::optional<std::uint64_t> seed;
    std::optional<double> tstop;
    std::optional<std::string> arithmetic;    // --arithmetic double|spinnaker
    std::optional<double> dt;                 // --dt ms
    std::map<std::string, double> constants;  // --set NAME=VALUE
    bool quiet = false;
    std::string progress = "auto";  // auto (on a terminal), always, never
    double checkpoint_every = 0;    // ms of biological time; 0: only on a signal
    std::string checkpoint_dir;     // default: OUTPUT/checkpoint
    std::string restore_dir;        // continue from this checkpoint
};

struct info_options {
    std::string model_file;
    std::map<std::string, double> constants;
    std::optional<std::string> arithmetic;
    std::optional<double> dt;
    int ranks = 0;  // 0: the ranks of this job
    int threads = 0;
};

struct models_options {
    std::string name;  // empty: all
    bool json = false;
};

// `ganglion compare`: see io/cli/compare.cpp and io/compare.hpp.
struct compare_options {
    std::string run_a;
    std::string run_b;
    std::string seed_baseline;  // empty: none
    double transient_ms = 500;
    double bin_ms = 2;
    std::size_t n_corr = 200;
    std::string json_file;  // empty: no JSON
};

int run_command(const run_options& opt, const model_registry& models, communicator& comm);
int models_command(const models_options& opt, const model_registry& models, communicator& comm);
int info_command(const info_options& opt, const model_registry& models, communicator& comm);
int compare_command(const compare_options& opt, communicator& comm);

// Runs `f` on every rank. If it throws a ganglion::error on any rank, the
// ranks agree on it, the lowest failing rank prints the message (so a
// message every rank hits is printed once) and every rank returns false.
// Use only around work that does not communicate, or whose collective
// calls every rank reaches.
template <class F>
bool agree(communicator& comm, F&& f);

void print_error(const std::string& message);
// Parses NAME=VALUE items of --set.
std::map<std::string, double> parse_constants(const std::vector<std::string>& items);
int threads_from_environment(int requested);

}  // namespace ganglion::cli

#include "io/cli/agree.hpp"
