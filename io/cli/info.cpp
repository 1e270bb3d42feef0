// `ganglion info`: the size of a model per rank, before anything is built
// (invariant 4).

#include <algorithm>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "core/connect.hpp"
#include "core/estimate.hpp"
#include "core/partition.hpp"
#include "core/simulation.hpp"
#include "io/cli/commands.hpp"
#include "io/model_file.hpp"

namespace ganglion::cli {

int info_command(const info_options& opt, const model_registry& models, communicator& comm) {
    model_spec spec;
    if (!agree(comm, [&] {
            spec = read_model_file(opt.model_file, models, opt.constants);
            set_arithmetic(spec, models, opt.arithmetic, opt.dt);
        }))
        return exit_user_error;
    if (comm.rank() != 0) return exit_ok;
    const int ranks = opt.ranks > 0 ? opt.ranks : comm.size();
    const int threads = threads_from_environment(opt.threads);
    resolve_views(spec);
    const memory_estimate e = estimate_memory(spec, models, ranks, threads);
    const auto [min_delay, max_delay] = resolve_delay_range(spec);

    std::ostringstream os;
    os << std::fixed << std::setprecision(1);
    os << "model " << opt.model_file << "\n";
    os << "  dt " << spec.simulation.dt << " ms, tstop " << spec.simulation.tstop
       << " ms, min_delay " << min_delay << " ms, max_delay " << max_delay << " ms, seed "
       << spec.simulation.seed << "\n";
    os << "  populations (" << spec.populations.size() << ", " << spec.total_neurons()
       << " neurons)\n";
    for (const auto& p : spec.populations)
        os << "    " << std::left << std::setw(20) << p.name << std::right << std::setw(10)
           << p.size << "  " << p.model << (p.record_spikes ? "  [spikes recorded]" : "") << "\n";
    double total = 0;
    os << "  projections (" << spec.projections.size() << ", expected synapses)\n";
    for (std::size_t k = 0; k < spec.projections.size(); ++k) {
        total += e.synapses_per_projection[k];
        os << "    " << std::left << std::setw(30) << spec.projections[k].label << std::right
           << std::setw(14) << std::setprecision(0) << e.synapses_per_projection[k] << "\n";
    }
    os << std::setprecision(0) << "  synapses          " << total << "\n";
    os << "  per rank, with " << ranks << " rank(s) x " << threads << " thread(s):\n";
    os << "    neurons         " << e.neurons_per_rank << "\n";
    os << "    synapses        " << e.synapses_per_rank << "\n";
    os << std::setprecision(1);
    os << "    synapse memory  " << e.synapse_bytes / 1e6 << " MB\n";
    os << "    ring buffers    " << e.buffer_bytes / 1e6 << " MB\n";
    os << "    neuron state    " << e.state_bytes / 1e6 << " MB\n";
    os << "    build (extra)   " << e.build_bytes / 1e6 << " MB\n";
    os << "    estimated peak  " << e.total_bytes() / 1e6 << " MB per rank\n";
    if (spec.spinnaker.enabled) {
        // Cores of at most 256 neurons, dealt whole to ranks and threads.
        std::vector<std::uint64_t> sizes;
        for (const auto& p : spec.populations)
            sizes.push_back(p.size);
        const core_map cores(sizes);
        const std::uint64_t vps = static_cast<std::uint64_t>(ranks) * threads;
        os << "  SpiNNaker mode: dt " << spec.simulation.dt << " ms, " << cores.n_cores()
           << " cores of <= " << cores.core_size << " neurons\n";
        for (std::size_t p = 0; p < spec.populations.size(); ++p)
            os << "    " << std::left << std::setw(20) << spec.populations[p].name << std::right
               << std::setw(8) << cores.first_core[p + 1] - cores.first_core[p] << " cores  ("
               << cores.first_core[p] << " .. " << cores.first_core[p + 1] - 1 << ")\n";
        os << "  partition (core c on rank c % R*T % R, thread c % R*T / R):\n";
        for (int r = 0; r < ranks && r < 64; ++r) {
            for (int t = 0; t < threads; ++t) {
                const std::uint64_t vp = static_cast<std::uint64_t>(t) * ranks + r;
                std::uint64_t n_cores = 0, neurons = 0;
                std::vector<std::uint64_t> listed;
                for (std::uint64_t c = vp; c < cores.n_cores(); c += vps) {
                    ++n_cores;
                    const std::size_t p = static_cast<std::size_t>(
                        std::upper_bound(cores.first_core.begin(), cores.first_core.end(), c) -
                        cores.first_core.begin() - 1);
                    const std::uint64_t k = c - cores.first_core[p];
                    neurons += std::min<std::uint64_t>(
                        cores.core_size, spec.populations[p].size - k * cores.core_size);
                    if (listed.size() < 12) listed.push_back(c);
                }
                os << "    rank " << r << " thread " << t << ": " << n_cores << " cores, "
                   << neurons << " neurons; cores";
                for (const auto c : listed)
                    os << " " << c;
                if (n_cores > listed.size()) os << " ...";
                os << "\n";
            }
        }
        if (ranks > 64) os << "    ... (" << ranks << " ranks)\n";
    }
    std::cout << os.str() << std::flush;
    return exit_ok;
}

}  // namespace ganglion::cli
