#include "core/estimate.hpp"

#include "core/spinnaker.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>

#include "core/connect.hpp"
#include "core/layout.hpp"
#include "core/simulation.hpp"
#include "core/synapse_store.hpp"

namespace ganglion {

memory_estimate estimate_memory(const model_spec& spec, const model_registry& models, int n_ranks,
                                int n_threads) {
    memory_estimate e;
    const double R = n_ranks, T = n_threads;
    const double n = static_cast<double>(spec.total_neurons());
    e.neurons_per_rank = n / R;
    double total_syn = 0;
    for (std::size_t k = 0; k < spec.projections.size(); ++k) {
        const double s = expected_synapses(spec, k);
        e.synapses_per_projection.push_back(s);
        total_syn += s;
    }
    e.synapses_per_rank = total_syn / R;
    // Rows: target + weight per synapse; two 64-bit indices per source gid
    // and thread; about one delay run per source and thread.
    // A row (one source on one thread) has one run per distinct delay: with
    // m synapses a row spread over K possible delays, about K (1 - exp(-m/K)).
    const auto [min_delay, max_delay] = resolve_delay_range(spec);
    const double dt = spec.simulation.dt;
    // A row holds every projection from its source, so the runs are
    // counted per source population: its rows get the synapses of all its
    // projections, over the union of their delay ranges (K steps, as if
    // uniform: the most distinct delays for that many draws).
    const std::size_t n_pops = spec.populations.size();
    std::vector<double> row_synapses(n_pops, 0), delay_lo(n_pops, max_delay),
        delay_hi(n_pops, min_delay);
    std::vector<bool> listed_delays(n_pops, false);
    double per_synapse = 0;
    for (std::size_t k = 0; k < spec.projections.size(); ++k) {
        const auto& proj = spec.projections[k];
        const std::size_t p = proj.pre.population;
        row_synapses[p] += e.synapses_per_projection[k] / R;
        if (proj.connector.k == connector_spec::kind::from_list && proj.connector.rows_have_weights)
            listed_delays[p] = true;
        delay_lo[p] = std::min(delay_lo[p], std::max(proj.synapse.delay.lower_bound(), min_delay));
        delay_hi[p] = std::max(delay_hi[p], std::min(proj.synapse.delay.upper_bound(), max_delay));
        // A target code each; a weight each unless the projection's weight
        // is one constant (then its runs share it: core/synapse_store.hpp).
        // A source whose projections have different constant weights at the
        // same delay stores them per synapse: a few percent here at most.
        const bool constant_weight = proj.synapse.weight.is_constant() &&
                                     !(proj.connector.k == connector_spec::kind::from_list &&
                                       proj.connector.rows_have_weights);
        per_synapse += e.synapses_per_projection[k] / R * (constant_weight ? 4.0 : 8.0);
    }
    double runs = 0;
    for (std::size_t p = 0; p < n_pops; ++p) {
        const double rows = static_cast<double>(spec.populations[p].size) * T;
        if (rows <= 0 || row_synapses[p] <= 0) continue;
        const double delays = listed_delays[p] ? std::round((max_delay - min_delay) / dt) + 1
                                               : std::floor((delay_hi[p] - delay_lo[p]) / dt) + 1;
        const double m = row_synapses[p] / rows;
        runs += rows * std::max(1.0, delays) * -std::expm1(-m / std::max(1.0, delays));
    }
    e.synapse_bytes = per_synapse + T * (n + 1) * 16 + runs * sizeof(synapse_store::run);
    if (spec.spinnaker.enabled) {
        // One 32-bit word per synapse, and a 4-byte row header per source,
        // target core and delay stage (at most one per synapse).
        double headers = 0;
        for (std::size_t k = 0; k < spec.projections.size(); ++k) {
            const auto& proj = spec.projections[k];
            const double pre = static_cast<double>(view_size(spec, proj.pre));
            const double cores = std::ceil(static_cast<double>(view_size(spec, proj.post)) / 256);
            const double m = e.synapses_per_projection[k] / R;
            const double cells = pre * cores / R;
            if (cells > 0) headers += cells * -std::expm1(-m / cells);
        }
        e.synapse_bytes = e.synapses_per_rank * 4 + headers * 4 + T * (n + 1) * 16;
    }
    const auto d_min = static_cast<step_type>(std::max(1.0, std::round(min_delay / dt)));
    const auto d_max = static_cast<step_type>(std::max(1.0, std::round(max_delay / dt)));
    const delay_grid grid{dt, d_min, d_max, false};
    const auto slots =
        static_cast<double>(spec.spinnaker.enabled ? spinnaker::ring_buffer_slots(d_min, d_max)
                                                   : plan_delivery(spec, models, grid).slots);
    std::size_t receptors = 1;
    for (const auto& pop : spec.populations) {
        const model_entry* m = models.find(pop.model);
        const double local = static_cast<double>(pop.size) / R;
        if (!m) continue;
        receptors = std::max(receptors, m->info.receptors.size());
        // State variables plus a refractory counter and a spike flag.
        e.state_bytes += local * (8.0 * m->info.state.size() + 5.0);
    }
    // Doubles, rows padded to 8; SpiNNaker mode: 16-bit slots, rows padded to 32.
    e.buffer_bytes = spec.spinnaker.enabled
                         ? static_cast<double>(receptors) * slots * (n / R + 32 * T) * 2
                         : static_cast<double>(receptors) * slots * (n / R + 8 * T) * 8;
    // While building: static synapses go straight into their rows (two
    // chunks of pending synapses per thread; in double mode the delays ride
    // in the target codes, in SpiNNaker mode each word has a 2-byte row key
    // until the rows are made); plastic synapses are first held as a list,
    // then sorted.
    double listed = 0;
    for (std::size_t k = 0; k < spec.projections.size(); ++k)
        if (spec.projections[k].synapse.stdp) listed += e.synapses_per_projection[k] / R;
    e.build_bytes =
        listed * 2 * sizeof(pending_synapse) +
        T * 2 * static_cast<double>(synapse_store::chunk_synapses) * sizeof(pending_synapse) +
        (spec.spinnaker.enabled ? e.synapses_per_rank * 2 : 0.0);
    return e;
}

double available_memory_bytes() {
    std::ifstream in("/proc/meminfo");
    std::string key;
    double value = 0;
    std::string unit;
    while (in >> key >> value >> unit)
        if (key == "MemAvailable:") return value * 1024.0;
    return 0;
}

}  // namespace ganglion
