#include "core/estimate.hpp"

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
    double runs = 0, per_synapse = 0;
    for (std::size_t k = 0; k < spec.projections.size(); ++k) {
        const auto& proj = spec.projections[k];
        const double rows = static_cast<double>(view_size(spec, proj.pre)) * T;
        double delays = 1;
        if (proj.connector.k == connector_spec::kind::from_list && proj.connector.rows_have_weights)
            delays = std::max(1.0, static_cast<double>(proj.connector.rows.size()));
        else if (!proj.synapse.delay.is_constant())
            delays = std::floor((std::min(proj.synapse.delay.upper_bound(), max_delay) -
                                 std::max(proj.synapse.delay.lower_bound(), min_delay)) /
                                dt) +
                     1;
        const double m = e.synapses_per_projection[k] / R / rows;
        if (rows > 0) runs += rows * delays * -std::expm1(-m / delays);
        // A target code each; a weight each unless the projection's weight
        // is one constant (then its runs share it: core/synapse_store.hpp).
        // A source whose projections have different constant weights at the
        // same delay stores them per synapse: a few percent here at most.
        const bool constant_weight = proj.synapse.weight.is_constant() &&
                                     !(proj.connector.k == connector_spec::kind::from_list &&
                                       proj.connector.rows_have_weights);
        per_synapse += e.synapses_per_projection[k] / R * (constant_weight ? 4.0 : 8.0);
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
    const double slots =
        std::max(1.0, std::round(min_delay / dt)) + std::max(1.0, std::round(max_delay / dt));
    std::size_t receptors = 1;
    for (const auto& pop : spec.populations) {
        const model_entry* m = models.find(pop.model);
        const double local = static_cast<double>(pop.size) / R;
        if (!m) continue;
        receptors = std::max(receptors, m->info.receptors.size());
        // State variables plus a refractory counter and a spike flag.
        e.state_bytes += local * (8.0 * m->info.state.size() + 5.0);
    }
    e.buffer_bytes = static_cast<double>(receptors) * slots * (n / R + 8 * T) * 8;
    // While building, each synapse is first held unsorted, then sorted.
    e.build_bytes = e.synapses_per_rank * 2 * sizeof(pending_synapse);
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
