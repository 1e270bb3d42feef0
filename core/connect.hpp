#pragma once

// Connection building, from the postsynaptic side: a thread draws only the
// synapses of the targets it owns, from random streams keyed by
// (seed, projection, target gid) — or, for out-degree rules, by source gid,
// keeping the targets it owns. The synapses a target gets therefore do not
// depend on how many ranks or threads there are (invariant 1), and no rank
// communicates or holds another rank's synapses while building.

#include <array>
#include <cstdint>
#include <vector>

#include "core/layout.hpp"
#include "core/spec.hpp"
#include "core/synapse_store.hpp"

namespace ganglion {

// The time grid delays are rounded to.
struct delay_grid {
    double dt = 0.1;
    step_type min_steps = 1;  // D: min_delay in steps
    step_type max_steps = 1;
    // SpiNNaker mode: a delay that rounds to 0 steps becomes 1 step, the
    // hardware's shortest.
    bool at_least_one_step = false;
    // A delay in ms on the grid: rounded to the nearest step (invariant 2).
    step_type to_steps(double delay_ms) const;
};

// Positions of every neuron, per population (PyNN: a population without a
// structure sits on a Line, cell i at (i, 0, 0)).
using network_positions = std::vector<std::vector<std::array<double, 3>>>;
network_positions compute_positions(const model_spec& spec);

// Turns random-sample views (PyNN's sample(n)) into index views with the
// run's seed; call once the seed is final (after command-line overrides).
void resolve_views(model_spec& spec);

// A view as a list of gids: a contiguous range, or explicit gids.
class resolved_view {
  public:
    resolved_view(const model_spec& spec, const view_spec& v);
    std::uint64_t size() const { return size_; }
    gid_type gid(std::uint64_t k) const { return gids_.empty() ? first_ + k : gids_[k]; }
    bool contiguous() const { return gids_.empty(); }
    // The position of gid g in the view, if it is in it (first occurrence).
    std::optional<std::uint64_t> find(gid_type g) const;
    // Every position of gid g in the view, ascending (a neuron may appear
    // more than once in an assembly).
    std::vector<std::uint64_t> find_all(gid_type g) const;

  private:
    gid_type first_ = 0;
    std::uint64_t size_ = 0;
    std::vector<gid_type> gids_;
    std::vector<std::pair<gid_type, std::uint64_t>> sorted_;  // for find() when not contiguous
};

// Receives the synapses draw_projection draws, one at a time.
class synapse_sink {
  public:
    virtual void put(const pending_synapse& s) = 0;

  protected:
    ~synapse_sink() = default;
};

// What draw_projection draws: everything, or only which (source, target)
// pairs connect (weight 0, delay 0; the delay is not checked). The pairs
// and their order are the same either way: weights and delays come from
// their own streams (purpose::connection_values), so that a counting pass
// costs only the connectivity draws.
enum class draw_what { everything, pairs_only };

// Gives `out` the synapses of projection `k` whose targets `layout`'s
// thread owns, in a fixed order; returns how many. `receptor` is the
// receptor index of spec.projections[k].receptor_type in the post
// population's model.
std::uint64_t draw_projection(const model_spec& spec, std::size_t k, std::uint32_t receptor,
                              const thread_layout& layout, const delay_grid& grid,
                              const network_positions& positions, synapse_sink& out,
                              draw_what what = draw_what::everything);
// The same, appended to a list.
std::uint64_t draw_projection(const model_spec& spec, std::size_t k, std::uint32_t receptor,
                              const thread_layout& layout, const delay_grid& grid,
                              const network_positions& positions,
                              std::vector<pending_synapse>& out);

// The number of synapses a projection is expected to have (before drawing),
// for memory estimates.
double expected_synapses(const model_spec& spec, std::size_t k);

}  // namespace ganglion
