// `ganglion info`: the size of a model per rank, before anything is built
// (invariant 4).

#include <iomanip>
#include <iostream>
#include <sstream>

#include "core/connect.hpp"
#include "core/estimate.hpp"
#include "core/simulation.hpp"
#include "io/cli/commands.hpp"
#include "io/model_file.hpp"

namespace ganglion::cli {

int info_command(const info_options& opt, const model_registry& models, communicator& comm) {
    model_spec spec;
    if (!agree(comm, [&] { spec = read_model_file(opt.model_file, models, opt.constants); }))
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
    std::cout << os.str() << std::flush;
    return exit_ok;
}

}  // namespace ganglion::cli
