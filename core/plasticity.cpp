#include "core/plasticity.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "core/ring_buffer.hpp"
#include "core/synapse_store.hpp"

namespace ganglion {

void post_history::drop_paired_before(step_type step) {
    for (std::size_t i = 0; i < spikes_.size(); ++i) {
        auto& s = spikes_[i];
        std::size_t n = 0;
        while (n < s.size() && s[n].step < step && s[n].paired >= incoming_[i])
            ++n;
        s.erase(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(n));
    }
}

std::size_t post_history::size() const {
    std::size_t n = 0;
    for (const auto& s : spikes_)
        n += s.size();
    return n;
}

void plastic_store::build(gid_type n_sources, std::vector<pending>&& synapses) {
    // Rows by source; within a row by rule (projection), each stable.
    std::stable_sort(synapses.begin(), synapses.end(), [](const pending& a, const pending& b) {
        return a.source != b.source ? a.source < b.source : a.rule < b.rule;
    });
    seg_index_.assign(n_sources + 1, 0);
    segments_.clear();
    synapses_.clear();
    synapses_.reserve(synapses.size());
    std::size_t i = 0;
    for (gid_type g = 0; g < n_sources; ++g) {
        while (i < synapses.size() && synapses[i].source == g) {
            segment seg;
            seg.rule = synapses[i].rule;
            seg.begin = synapses_.size();
            while (i < synapses.size() && synapses[i].source == g && synapses[i].rule == seg.rule)
                synapses_.push_back(synapses[i++].s);
            seg.end = synapses_.size();
            segments_.push_back(seg);
        }
        seg_index_[g + 1] = segments_.size();
    }
    if (i != synapses.size()) throw internal_error("plastic synapse source out of range");
    std::vector<pending>().swap(synapses);
}

std::size_t plastic_store::bytes() const {
    return seg_index_.size() * sizeof(std::uint64_t) + segments_.size() * sizeof(segment) +
           synapses_.size() * sizeof(synapse);
}

void plastic_store::deliver(gid_type source, step_type step, const std::vector<stdp_spec>& rules,
                            double dt, post_history& history, ring_buffer& buffer) {
    for (std::uint64_t si = seg_index_[source]; si < seg_index_[source + 1]; ++si) {
        segment& seg = segments_[si];
        const stdp_spec& rule = rules[seg.rule];
        const double inv_tp = dt / rule.tau_plus, inv_tm = dt / rule.tau_minus;
        // K- sums the post spikes within 40 tau_minus (see the header).
        const auto k_minus_span = static_cast<step_type>(std::ceil(40.0 * rule.tau_minus / dt));
        const auto by_step = [](const post_history::entry& e, step_type t) { return e.step < t; };
        const auto step_by = [](step_type t, const post_history::entry& e) { return t < e.step; };
        const bool first_spike = seg.t_last == std::numeric_limits<step_type>::min();
        for (std::uint64_t k = seg.begin; k < seg.end; ++k) {
            synapse& s = synapses_[k];
            const std::uint32_t neuron = target_code::index(s.target_code);
            const auto d = static_cast<step_type>(s.delay);
            std::vector<post_history::entry>& post = history.of(neuron);
            double w = s.weight;
            // Facilitation: post spikes in (t_last - d, step - d], paired with the
            // pre trace as it was at t_post + d (before the first pre spike the
            // trace is 0: the spikes are only marked as paired).
            auto it = first_spike
                          ? post.begin()
                          : std::upper_bound(post.begin(), post.end(), seg.t_last - d, step_by);
            for (; it != post.end() && it->step <= step - d; ++it) {
                ++it->paired;
                if (!first_spike)
                    w = rule.facilitate(
                        w, seg.k_plus *
                               std::exp(-static_cast<double>(it->step + d - seg.t_last) * inv_tp));
            }
            // Depression: the post trace just before step - d.
            const auto end = std::lower_bound(post.begin(), post.end(), step - d, by_step);
            auto from = std::lower_bound(post.begin(), end, step - d - k_minus_span, by_step);
            if (from != end) {
                double k_minus = 0;
                for (; from != end; ++from)
                    k_minus += std::exp(-static_cast<double>(step - d - from->step) * inv_tm);
                w = rule.depress(w, k_minus);
            }
            s.weight = w;
            buffer.add(target_code::receptor(s.target_code), step + d, neuron, w);
        }
        seg.k_plus =
            first_spike
                ? 1.0
                : seg.k_plus * std::exp(-static_cast<double>(step - seg.t_last) * inv_tp) + 1.0;
        seg.t_last = step;
    }
}

}  // namespace ganglion
