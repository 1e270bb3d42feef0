// `ganglion run`: read, build, simulate, write, summarise.

#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "core/connect.hpp"
#include "core/error.hpp"
#include "core/estimate.hpp"
#include "core/simulation.hpp"
#include "io/checkpoint_file.hpp"
#include "io/cli/commands.hpp"
#include "io/connections_file.hpp"
#include "io/model_file.hpp"
#include "io/positions_file.hpp"
#include "io/report_file.hpp"
#include "io/spike_file.hpp"

namespace ganglion::cli {

void print_error(const std::string& message) {
    std::cerr << "ganglion: error: " << message << std::endl;
}

std::map<std::string, double> parse_constants(const std::vector<std::string>& items) {
    std::map<std::string, double> out;
    for (const auto& item : items) {
        const auto eq = item.find('=');
        double value = 0;
        std::size_t used = 0;
        bool ok = eq != std::string::npos && eq > 0;
        if (ok) {
            try {
                value = std::stod(item.substr(eq + 1), &used);
                ok = used == item.size() - eq - 1;
            } catch (const std::exception&) {
                ok = false;
            }
        }
        if (!ok) throw error("--set " + item + ": must be NAME=NUMBER, e.g. --set N_scale=0.1");
        out[item.substr(0, eq)] = value;
    }
    return out;
}

int threads_from_environment(int requested) {
    if (requested > 0) return requested;
    if (const char* env = std::getenv("OMP_NUM_THREADS")) {
        const int n = std::atoi(env);
        if (n > 0) return n;
    }
    return 1;
}

namespace {

// GANGLION_TEST_FAULT="throw:RANK:STEP" or "exit:RANK:STEP" makes one rank
// fail mid-run, for the tests of failure handling.
std::optional<fault_injection> fault_from_environment() {
    const char* env = std::getenv("GANGLION_TEST_FAULT");
    if (!env) return std::nullopt;
    char kind[16] = {};
    int rank = 0;
    long long step = 0;
    if (std::sscanf(env, "%15[a-z]:%d:%lld", kind, &rank, &step) != 3)
        throw error("GANGLION_TEST_FAULT must be throw:RANK:STEP or exit:RANK:STEP, got '" +
                    std::string(env) + "'");
    fault_injection f;
    f.k = std::string(kind) == "exit" ? fault_injection::kind::exit_process
                                      : fault_injection::kind::throw_error;
    f.rank = rank;
    f.step = step;
    return f;
}

std::string human_bytes(double b) {
    std::ostringstream os;
    os << std::fixed << std::setprecision(1);
    if (b >= 1e9)
        os << b / 1e9 << " GB";
    else if (b >= 1e6)
        os << b / 1e6 << " MB";
    else
        os << b / 1e3 << " kB";
    return os.str();
}

// Writes text to path through a temporary name, so a file at path is complete.
void write_atomically(const std::filesystem::path& path, const std::string& text) {
    const auto tmp = path.string() + ".partial";
    {
        std::ofstream out(tmp);
        out << text;
        if (!out) throw error("cannot write " + tmp);
    }
    std::filesystem::rename(tmp, path);
}

// NEURON-style spike text: "time gid" per line (ms, global id), in (time,
// gid) order, as a ParallelNetManager run prints its spikes; the recorded
// spikes of all ranks are gathered on rank 0, which writes the file.
void write_text_spikes(const std::filesystem::path& path, const simulation& sim,
                       communicator& comm) {
    std::vector<std::vector<double>> send_t(comm.size()), recv_t;
    std::vector<std::vector<std::uint64_t>> send_g(comm.size()), recv_g;
    for (std::size_t p = 0; p < sim.recorded().size(); ++p) {
        const recorded_spikes& rec = sim.recorded()[p];
        const gid_type first = sim.spec().first_gid(p);
        send_t[0].insert(send_t[0].end(), rec.time.begin(), rec.time.end());
        for (const auto node : rec.node_id)
            send_g[0].push_back(first + node);
    }
    comm.alltoallv(send_t, recv_t);
    comm.alltoallv(send_g, recv_g);
    if (comm.rank() != 0) return;
    std::vector<std::pair<double, std::uint64_t>> spikes;
    for (std::size_t r = 0; r < recv_t.size(); ++r)
        for (std::size_t i = 0; i < recv_t[r].size(); ++i)
            spikes.emplace_back(recv_t[r][i], recv_g[r][i]);
    std::sort(spikes.begin(), spikes.end());
    std::string text;
    text.reserve(spikes.size() * 16);
    char buf[64];
    for (const auto& [t, g] : spikes) {
        char* end = std::to_chars(buf, buf + sizeof buf, t).ptr;
        *end++ = ' ';
        end = std::to_chars(end, buf + sizeof buf, g).ptr;
        *end++ = '\n';
        text.append(buf, end);
    }
    write_atomically(path, text);
}

// What a checkpoint must match: the model file's bytes, the seed, the
// --set constants, the arithmetic and dt (FNV-1a). tstop may differ: a
// restored run may go further.
std::string model_identity(const run_options& opt, const model_spec& spec) {
    std::ifstream in(opt.model_file, std::ios::binary);
    std::ostringstream os;
    os << in.rdbuf() << "\nseed=" << spec.simulation.seed;
    // Only what differs from a plain run, so older checkpoints stay valid.
    if (spec.spinnaker.enabled) os << "\narithmetic=spinnaker";
    if (opt.dt) os << "\ndt=" << *opt.dt;
    for (const auto& [name, value] : opt.constants)
        os << "\n" << name << "=" << value;
    return fnv1a_hex(os.str());
}

volatile std::sig_atomic_t stop_signal = 0;
extern "C" void on_stop_signal(int) {
    stop_signal = 1;
}

// SIGTERM and SIGUSR1 (what Slurm sends before the time limit) ask for a
// checkpoint and a clean exit at the next agreed interval.
void install_stop_signals() {
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGUSR1, &sa, nullptr);
}
bool stop_signal_received() {
    return stop_signal != 0;
}

}  // namespace

int run_command(const run_options& opt, const model_registry& models, communicator& comm) {
    namespace fs = std::filesystem;
    const auto wall_start = std::chrono::steady_clock::now();
    install_stop_signals();  // from the start: a signal during the build stops after it
    model_spec spec;
    std::optional<fault_injection> fault;
    const fs::path out_dir = opt.output_dir;
    const fs::path spike_path = out_dir / "spikes.h5";

    // Everything every rank checks alike: a failure is printed once.
    if (!agree(comm, [&] {
            spec = read_model_file(opt.model_file, models, opt.constants);
            set_arithmetic(spec, models, opt.arithmetic, opt.dt);
            if (opt.seed) spec.simulation.seed = *opt.seed;
            if (opt.tstop) spec.simulation.tstop = *opt.tstop;
            resolve_views(spec);  // random samples, with the final seed
            fault = fault_from_environment();
        }))
        return exit_user_error;

    const int threads = threads_from_environment(opt.threads);
    omp_set_dynamic(0);

    // Invariant 4: refuse a run that would not fit, before building it.
    const memory_estimate est = estimate_memory(spec, models, comm.size(), threads);
    if (!agree(comm, [&] {
            const double need = est.total_bytes() * comm.ranks_on_node();
            const double have = available_memory_bytes();
            if (have > 0 && need > have)
                throw error("the model needs about " + human_bytes(need) + " on this node (" +
                            std::to_string(comm.ranks_on_node()) + " ranks) but only " +
                            human_bytes(have) +
                            " is available; use more nodes, or see `ganglion info`");
            // Output directory: created by rank 0, checked by all.
            if (comm.rank() == 0) {
                std::error_code ec;
                fs::create_directories(out_dir, ec);
                if (ec)
                    throw error("cannot create output directory '" + out_dir.string() +
                                "': " + ec.message());
            }
        }))
        return exit_user_error;
    comm.barrier();

    simulation sim(spec, models, comm, threads);
    if (fault) sim.set_fault(*fault);
    // The progress line: rank 0 only; by default only on a terminal, and only
    // for runs that take more than 2 s (quiet in job logs and pipes).
    const bool always = opt.progress == "always";
    if (comm.rank() == 0 && !opt.quiet &&
        (always || (opt.progress == "auto" && isatty(STDERR_FILENO)))) {
        const double dt = spec.simulation.dt;
        sim.set_progress([=](step_type done, step_type total, double seconds) {
            if (!always && seconds < 2.0 && done < total) return;
            const double bio_ms = static_cast<double>(done) * dt;
            const double rtf = bio_ms > 0 ? seconds / (bio_ms * 1e-3) : 0;
            const double left =
                done > 0 ? seconds * static_cast<double>(total - done) / static_cast<double>(done)
                         : 0;
            std::fprintf(stderr,
                         "\r[%3.0f%%] %.1f / %.1f ms  real-time factor %.2f  %.0f s left   %s",
                         100.0 * static_cast<double>(done) / static_cast<double>(total), bio_ms,
                         static_cast<double>(total) * dt, rtf, left, done == total ? "\n" : "");
            std::fflush(stderr);
        });
    }
    if (!agree(comm, [&] { sim.build(); })) return exit_user_error;

    // Checkpoints: keyed by the model file's bytes, the seed and the constants.
    const std::string checkpoint_dir =
        opt.checkpoint_dir.empty() ? (out_dir / "checkpoint").string() : opt.checkpoint_dir;
    std::string model_hash;
    if (!agree(comm, [&] { model_hash = model_identity(opt, spec); })) return exit_user_error;
    if (!opt.restore_dir.empty()) {
        const auto t0 = std::chrono::steady_clock::now();
        if (!agree(comm, [&] {
                const auto parts = read_checkpoint(opt.restore_dir, model_hash);
                sim.restore(parts);
            }))
            return exit_user_error;
        if (comm.rank() == 0 && !opt.quiet) {
            std::ostringstream msg;
            msg << "ganglion: restored " << opt.restore_dir << " at "
                << sim.step_to_ms(sim.current_step()) << " ms in " << std::fixed
                << std::setprecision(2)
                << std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()
                << " s\n";
            std::cerr << msg.str() << std::flush;
        }
    }
    sim.set_stop_request([] { return stop_signal_received(); });
    const step_type every = opt.checkpoint_every > 0
                                ? std::max<step_type>(1, sim.grid().to_steps(opt.checkpoint_every))
                                : std::numeric_limits<step_type>::max();
    auto checkpoint = [&] {
        const auto t0 = std::chrono::steady_clock::now();
        checkpoint_info info{model_hash, threads, sim.step_to_ms(sim.current_step())};
        const bool ok =
            agree(comm, [&] { write_checkpoint(checkpoint_dir, sim.capture(), info, comm); });
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (ok && comm.rank() == 0 && !opt.quiet) {
            std::uintmax_t bytes = 0;
            for (const auto& f : std::filesystem::directory_iterator(checkpoint_dir))
                bytes += f.file_size();
            std::ostringstream msg;
            msg << "ganglion: checkpoint at " << info.time_ms
                << " ms: " << human_bytes(static_cast<double>(bytes)) << " in " << std::fixed
                << std::setprecision(2) << seconds << " s (" << checkpoint_dir << ")\n";
            std::cerr << msg.str() << std::flush;
        }
        return ok;
    };
    // Mid-run failures are on one rank only: main() ends the job.
    while (true) {
        const step_type next = every == std::numeric_limits<step_type>::max()
                                   ? every
                                   : (sim.current_step() / every + 1) * every;
        sim.run(next);
        if (sim.stopped_by_request()) {
            if (!checkpoint()) return exit_user_error;
            if (comm.rank() == 0 && !opt.quiet)
                std::cerr << "ganglion: stopped by a signal at "
                          << sim.step_to_ms(sim.current_step()) << " ms; checkpoint in "
                          << checkpoint_dir << " (continue with --restore)" << std::endl;
            return exit_checkpointed;
        }
        // At every multiple of --checkpoint-every, the end included (a
        // finished run can then be continued to a later tstop).
        if (sim.current_step() % every == 0 && !checkpoint()) return exit_user_error;
        if (sim.finished()) break;
    }

    if (spec.text_spikes) {
        scoped_timer timer(sim.timers(), phase::write);
        if (!agree(comm, [&] { write_text_spikes(out_dir / "spikes.txt", sim, comm); }))
            return exit_user_error;
    }
    // Write the spikes of the recorded populations.
    std::vector<population_spikes> pops;
    for (std::size_t p = 0; p < spec.populations.size(); ++p) {
        if (!spec.populations[p].record_spikes) continue;
        population_spikes ps;
        ps.name = spec.populations[p].name;
        ps.total = sim.recorded_counts()[p];
        auto& rec = sim.recorded()[p];
        ps.index = std::move(rec.index);
        ps.node_id = std::move(rec.node_id);
        ps.time = std::move(rec.time);
        pops.push_back(std::move(ps));
    }
    {
        scoped_timer timer(sim.timers(), phase::write);
        if (!pops.empty() &&
            !agree(comm, [&] { write_sonata_spikes(spike_path.string(), pops, comm); }))
            return exit_user_error;
        // State reports: one SONATA report file per variable (v.h5, gsyn_exc.h5, ...).
        std::map<std::string, std::vector<population_report>> reports;
        std::map<std::string, std::string> units;
        for (std::size_t p = 0; p < spec.populations.size(); ++p) {
            const auto& pop = spec.populations[p];
            const model_info& info = models.find(pop.model)->info;
            for (std::size_t v = 0; v < pop.record_state.size(); ++v) {
                recorded_state r = sim.state_record(p, v);
                const state_info* si = info.find_state(pop.record_state[v]);
                units[pop.record_state[v]] = si ? si->unit : "";
                reports[pop.record_state[v]].push_back(
                    {pop.name, std::move(r.node_ids), std::move(r.local_columns), r.n_times,
                     r.t_start, r.t_step, std::move(r.local_data)});
            }
        }
        for (const auto& [variable, pops_of] : reports)
            if (!agree(comm, [&, &variable = variable, &pops_of = pops_of] {
                    write_sonata_report((out_dir / (variable + ".h5")).string(), variable,
                                        units[variable], pops_of, comm);
                }))
                return exit_user_error;
        // Positions of the populations with a structure.
        std::vector<std::pair<std::string, cell_positions>> positions;
        for (std::size_t p = 0; p < spec.populations.size(); ++p)
            if (spec.populations[p].structure.k != structure_spec::kind::none)
                positions.emplace_back(spec.populations[p].name, sim.positions()[p]);
        if (!positions.empty() && !agree(comm, [&] {
                write_positions((out_dir / "positions.h5").string(), positions, comm);
            }))
            return exit_user_error;
        // Connections of the projections that ask for it.
        std::vector<projection_connections> conns;
        for (std::size_t k = 0; k < spec.projections.size(); ++k) {
            if (!spec.projections[k].save_connections) continue;
            const saved_connections& s = sim.saved()[k];
            projection_connections c;
            c.label = spec.projections[k].label;
            c.pre_index = s.pre_index;
            c.post_index = s.post_index;
            c.weight = s.weight;
            c.delay = s.delay;
            // Global ids too (source gid, target gid, weight, delay).
            const resolved_view pre(sim.spec(), sim.spec().projections[k].pre);
            const resolved_view post(sim.spec(), sim.spec().projections[k].post);
            c.with_gids = true;
            for (const auto i : s.pre_index)
                c.pre_gid.push_back(pre.gid(i));
            for (const auto j : s.post_index)
                c.post_gid.push_back(post.gid(j));
            conns.push_back(std::move(c));
        }
        if (!conns.empty() && !agree(comm, [&] {
                write_connections((out_dir / "connections.h5").string(), conns, comm);
            }))
            return exit_user_error;
    }

    // The summary: totals over ranks, timers as the slowest rank saw them.
    const std::uint64_t synapses = comm.sum(sim.local_synapses());
    std::vector<std::uint64_t> per_proj = sim.local_synapses_per_projection();
    comm.sum_in_place(per_proj);
    const double syn_bytes = comm.sum(static_cast<double>(sim.synapse_bytes()));
    std::array<double, n_phases> t{};
    for (std::size_t i = 0; i < n_phases; ++i)
        t[i] = comm.max(sim.timers().all()[i]);
    const double bio_s = static_cast<double>(sim.n_steps()) * spec.simulation.dt * 1e-3;
    const double sim_s = comm.max(sim.simulate_seconds());
    const double rtf = bio_s > 0 ? sim_s / bio_s : 0;
    const double total_s = comm.max(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count());
    const bool fixed = sim.spinnaker_mode();
    const std::uint64_t saturations = comm.sum(sim.ring_buffer_saturations());
    if (comm.rank() != 0) return exit_ok;

    nlohmann::json summary;
    summary["model_file"] = opt.model_file;
    summary["ranks"] = comm.size();
    summary["threads"] = threads;
    summary["arithmetic"] = fixed ? "spinnaker" : "double";
    summary["dt_ms"] = spec.simulation.dt;
    summary["min_delay_steps"] = sim.grid().min_steps;
    summary["max_delay_steps"] = sim.grid().max_steps;
    summary["biological_time_ms"] = bio_s * 1e3;
    summary["neurons"] = spec.total_neurons();
    summary["synapses"] = synapses;
    summary["synapse_bytes"] = syn_bytes;
    summary["bytes_per_synapse"] = synapses ? syn_bytes / static_cast<double>(synapses) : 0.0;
    for (std::size_t p = 0; p < spec.populations.size(); ++p) {
        const auto& pop = spec.populations[p];
        const double rate =
            static_cast<double>(sim.spike_counts()[p]) / static_cast<double>(pop.size) / bio_s;
        nlohmann::json entry = {{"name", pop.name}, {"model", pop.model}, {"size", pop.size}};
        if (sim.generated_at_targets(p)) {
            // Not exchanged, so not counted (record its spikes to count them).
            entry["generated_at_targets"] = true;
            entry["spikes"] = nullptr;
            entry["mean_rate_hz"] = nullptr;
        } else {
            entry["spikes"] = sim.spike_counts()[p];
            entry["mean_rate_hz"] = rate;
        }
        if (fixed && !sim.left_shifts()[p].empty()) entry["left_shifts"] = sim.left_shifts()[p];
        summary["populations"].push_back(entry);
    }
    for (std::size_t k = 0; k < spec.projections.size(); ++k) {
        nlohmann::json entry = {{"label", spec.projections[k].label}, {"synapses", per_proj[k]}};
        if (fixed) {
            entry["weights_rounded_to_zero"] = sim.quantised()[k].rounded_to_zero;
            entry["weights_saturated"] = sim.quantised()[k].saturated;
        }
        summary["projections"].push_back(entry);
    }
    if (fixed) {
        summary["cores"] = sim.part().cores->n_cores();
        summary["ring_buffer_saturations"] = saturations;
    }
    for (std::size_t i = 0; i < n_phases; ++i)
        summary["timers_s"][std::string(phase_names[i])] = t[i];
    summary["simulate_s"] = sim_s;
    summary["real_time_factor"] = rtf;
    summary["total_s"] = total_s;
    if (!pops.empty()) summary["spike_file"] = spike_path.string();
    write_atomically(out_dir / "summary.json", summary.dump(2) + "\n");

    if (opt.quiet) return exit_ok;
    std::ostringstream os;
    os << std::fixed;
    os << "ganglion run " << opt.model_file << "\n";
    os << "  ranks x threads   " << comm.size() << " x " << threads << "\n";
    os << "  neurons           " << spec.total_neurons() << " in " << spec.populations.size()
       << " populations\n";
    os << "  synapses          " << synapses << std::setprecision(2) << " ("
       << summary["bytes_per_synapse"].get<double>() << " bytes per synapse)\n";
    if (fixed) {
        os << "  arithmetic        SpiNNaker (s16.15, 16-bit weights), "
           << summary["cores"].get<std::uint64_t>() << " cores of <= 256 neurons\n";
        os << "  weights           rounded to zero / saturated per projection:";
        bool any = false;
        for (const auto& pr : summary["projections"]) {
            const auto z = pr["weights_rounded_to_zero"].get<std::uint64_t>();
            const auto sat = pr["weights_saturated"].get<std::uint64_t>();
            if (z == 0 && sat == 0) continue;
            os << "\n    " << std::left << std::setw(24) << pr["label"].get<std::string>()
               << std::right << std::setw(10) << z << " / " << sat;
            any = true;
        }
        os << (any ? "\n" : " none\n");
        os << "  ring buffers      " << saturations << " saturated additions\n";
    }
    os << std::setprecision(3) << "  time              " << bio_s * 1e3 << " ms at dt "
       << spec.simulation.dt << " ms; " << sim.grid().min_steps
       << " step(s) per exchange (min_delay)\n";
    os << "  population              size      spikes   mean rate (Hz)\n";
    for (const auto& p : summary["populations"]) {
        os << "    " << std::left << std::setw(20) << p["name"].get<std::string>() << std::right
           << std::setw(8) << p["size"].get<std::uint64_t>();
        if (p["spikes"].is_null())
            os << "      (Poisson, generated at its targets; record it to count)\n";
        else
            os << std::setw(12) << p["spikes"].get<std::uint64_t>() << std::setw(17)
               << std::setprecision(3) << p["mean_rate_hz"].get<double>() << "\n";
    }
    os << "  timers (s, slowest rank)";
    for (std::size_t i = 0; i < n_phases; ++i)
        os << "  " << phase_names[i] << " " << std::setprecision(3) << t[i];
    os << "\n  simulate          " << std::setprecision(3) << sim_s << " s for " << bio_s
       << " s of biological time: real-time factor " << rtf << " (wall / biological)\n";
    if (!pops.empty()) os << "  spikes            " << spike_path.string() << "\n";
    std::cout << os.str() << std::flush;
    return exit_ok;
}

}  // namespace ganglion::cli
