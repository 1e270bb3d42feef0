// ganglion: the command line. Thin: it parses options, reads the model file
// and calls core/. Every failure exits non-zero on every rank without a hang:
// a user error that every rank sees is printed once by rank 0; a failure on
// one rank mid-run is printed by that rank, which then ends the whole job.

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <iostream>
#include <memory>

#include "comm/serial_communicator.hpp"
#include "core/error.hpp"
#include "io/cli/commands.hpp"
#include "models/registry.hpp"
#ifdef GANGLION_HAVE_MPI
#include "comm/mpi_communicator.hpp"
#endif

namespace {

int run_cli(int argc, char** argv, ganglion::communicator& comm) {
    using namespace ganglion;
    model_registry models;
    register_standard_models(models);

    CLI::App app{"ganglion: spiking neural network simulator (PyNN models, MPI + OpenMP)"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "ganglion 0.1.0");

    cli::run_options run;
    auto* run_cmd = app.add_subcommand("run", "Build and simulate a model file");
    run_cmd->add_option("model", run.model_file, "Model file (JSON)")->required();
    run_cmd->add_option("-o,--output", run.output_dir, "Output directory")->capture_default_str();
    run_cmd
        ->add_option("--threads", run.threads,
                     "OpenMP threads per rank (default: OMP_NUM_THREADS, else 1)")
        ->check(CLI::Range(1, 1024));
    run_cmd->add_option("--seed", run.seed, "Override the model file's seed");
    run_cmd->add_option("--tstop", run.tstop, "Override the model file's tstop (ms)")
        ->check(CLI::PositiveNumber);
    run_cmd
        ->add_option("--arithmetic", run.arithmetic,
                     "double, or spinnaker: run as sPyNNaker runs it on SpiNNaker (s16.15 fixed "
                     "point, 16-bit weights, cores of 256 neurons; dt 1 ms unless --dt 0.1)")
        ->check(CLI::IsMember({"double", "spinnaker"}));
    run_cmd->add_option("--dt", run.dt, "Override the model file's time step (ms)")
        ->check(CLI::PositiveNumber);
    run_cmd->add_flag("-q,--quiet", run.quiet, "Print no summary");
    run_cmd
        ->add_option("--progress", run.progress,
                     "Progress line on stderr: auto (only on a terminal, after 2 s), always, never")
        ->check(CLI::IsMember({"auto", "always", "never"}))
        ->capture_default_str();
    run_cmd
        ->add_option("--checkpoint-every", run.checkpoint_every,
                     "Write a checkpoint every MS of biological time (SIGTERM and SIGUSR1 always "
                     "write one, then exit with status 75)")
        ->check(CLI::NonNegativeNumber);
    run_cmd->add_option("--checkpoint-dir", run.checkpoint_dir,
                        "Where checkpoints go (default: OUTPUT/checkpoint)");
    run_cmd->add_option("--restore", run.restore_dir,
                        "Continue the run from this checkpoint directory (any ranks x threads)");
    std::vector<std::string> run_set, info_set;
    run_cmd->add_option("--set", run_set,
                        "Replace a constant of the model file: NAME=VALUE (repeatable)");

    cli::info_options info;
    auto* info_cmd =
        app.add_subcommand("info", "Neurons, synapses and memory per rank, before building");
    info_cmd->add_option("model", info.model_file, "Model file (JSON)")->required();
    info_cmd->add_option("--ranks", info.ranks, "Ranks to estimate for (default: this job's)")
        ->check(CLI::Range(1, 1 << 24));
    info_cmd->add_option("--threads", info.threads, "Threads per rank to estimate for")
        ->check(CLI::Range(1, 1024));
    info_cmd
        ->add_option("--arithmetic", info.arithmetic,
                     "double, or spinnaker (shows the cores and their partition)")
        ->check(CLI::IsMember({"double", "spinnaker"}));
    info_cmd->add_option("--dt", info.dt, "Override the model file's time step (ms)")
        ->check(CLI::PositiveNumber);
    info_cmd->add_option("--set", info_set,
                         "Replace a constant of the model file: NAME=VALUE (repeatable)");

    cli::models_options catalogue;
    auto* models_cmd = app.add_subcommand(
        "models", "List the models with their parameters, defaults, units and recordables");
    models_cmd->add_option("name", catalogue.name, "Only this model");
    models_cmd->add_flag("--json", catalogue.json, "As JSON");

    cli::compare_options cmp;
    auto* compare_cmd = app.add_subcommand(
        "compare",
        "How far apart two runs are (rates, CVs of ISIs, count correlations per population: "
        "KS distance and KL divergence), against a seed baseline");
    compare_cmd
        ->add_option("run_a", cmp.run_a,
                     "Run A: a `ganglion run` output directory (or its spikes.h5)")
        ->required();
    compare_cmd->add_option("run_b", cmp.run_b, "Run B, compared with A")->required();
    compare_cmd->add_option("--seed-baseline", cmp.seed_baseline,
                            "Run C: A's model and arithmetic with another seed; prints the "
                            "distances A vs C and the ratios");
    compare_cmd->add_option("--transient", cmp.transient_ms, "Discard spikes up to this time (ms)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    compare_cmd->add_option("--bin", cmp.bin_ms, "Bin width for count correlations (ms)")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    compare_cmd
        ->add_option("--n-corr", cmp.n_corr,
                     "Correlations over all pairs of the first N neurons (by id) with spikes")
        ->check(CLI::Range(2, 1 << 20))
        ->capture_default_str();
    compare_cmd->add_option("--json", cmp.json_file,
                            "Also write everything (samples, distances, smoothed densities) as "
                            "JSON, for tools/plot_compare.py");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // Every rank parses the same arguments; only rank 0 speaks.
        const int rc = comm.rank() == 0 ? app.exit(e) : e.get_exit_code();
        return rc == 0 ? cli::exit_ok : cli::exit_user_error;
    }
    try {
        run.constants = cli::parse_constants(run_set);
        info.constants = cli::parse_constants(info_set);
    } catch (const error& e) {
        if (comm.rank() == 0) cli::print_error(e.what());
        return cli::exit_user_error;
    }
    if (*models_cmd) return cli::models_command(catalogue, models, comm);
    if (*run_cmd) return cli::run_command(run, models, comm);
    if (*compare_cmd) return cli::compare_command(cmp, comm);
    return cli::info_command(info, models, comm);
}

}  // namespace

int main(int argc, char** argv) {
#ifdef GANGLION_HAVE_MPI
    ganglion::mpi_environment env(argc, argv);
    auto comm = std::make_unique<ganglion::mpi_communicator>();
#else
    auto comm = std::make_unique<ganglion::serial_communicator>();
#endif
    try {
        return run_cli(argc, argv, *comm);
    } catch (const ganglion::error& e) {
        // Reached only by a failure on this rank alone, mid-run: the others
        // wait in a collective call and must be ended.
        ganglion::cli::print_error(comm->size() > 1
                                       ? "rank " + std::to_string(comm->rank()) + ": " + e.what()
                                       : std::string(e.what()));
        comm->abort(ganglion::cli::exit_user_error);
    } catch (const std::exception& e) {
        std::cerr << "ganglion: internal error (rank " << comm->rank() << "): " << e.what()
                  << std::endl;
        comm->abort(ganglion::cli::exit_internal);
    }
}
