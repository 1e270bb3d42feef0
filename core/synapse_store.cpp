#include "core/synapse_store.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace ganglion {

void synapse_store::build(gid_type n_sources, std::vector<pending_synapse>&& pending) {
    // Counting sort by source (stable), then a stable sort of each row by delay.
    syn_index_.assign(n_sources + 1, 0);
    for (const auto& s : pending) {
        if (s.source >= n_sources) throw internal_error("synapse source gid out of range");
        ++syn_index_[s.source + 1];
    }
    for (gid_type g = 0; g < n_sources; ++g)
        syn_index_[g + 1] += syn_index_[g];
    std::vector<pending_synapse> sorted(pending.size());
    {
        std::vector<std::uint64_t> next(syn_index_.begin(), syn_index_.end() - 1);
        for (const auto& s : pending)
            sorted[next[s.source]++] = s;
    }
    pending.clear();
    pending.shrink_to_fit();

    targets_.resize(sorted.size());
    weights_.resize(sorted.size());
    runs_.clear();
    run_index_.assign(n_sources + 1, 0);
    for (gid_type g = 0; g < n_sources; ++g) {
        auto first = sorted.begin() + static_cast<std::ptrdiff_t>(syn_index_[g]);
        auto last = sorted.begin() + static_cast<std::ptrdiff_t>(syn_index_[g + 1]);
        std::stable_sort(first, last, [](const pending_synapse& a, const pending_synapse& b) {
            return a.delay < b.delay;
        });
        for (auto it = first; it != last; ++it) {
            const auto k = static_cast<std::size_t>(it - sorted.begin());
            targets_[k] = it->target_code;
            weights_[k] = it->weight;
            if (it == first || it->delay != (it - 1)->delay) runs_.push_back({it->delay, 0});
            ++runs_.back().count;
        }
        run_index_[g + 1] = runs_.size();
    }
    runs_.shrink_to_fit();
}

std::size_t synapse_store::bytes() const {
    return targets_.capacity() * sizeof(std::uint32_t) + weights_.capacity() * sizeof(float) +
           runs_.capacity() * sizeof(run) + run_index_.capacity() * sizeof(std::uint64_t) +
           syn_index_.capacity() * sizeof(std::uint64_t);
}

std::vector<pending_synapse> synapse_store::to_list() const {
    std::vector<pending_synapse> out;
    out.reserve(size());
    if (run_index_.empty()) return out;
    for (gid_type g = 0; g + 1 < run_index_.size(); ++g) {
        std::uint64_t k = syn_index_[g];
        for (std::uint64_t r = run_index_[g]; r < run_index_[g + 1]; ++r)
            for (std::uint32_t c = 0; c < runs_[r].count; ++c, ++k)
                out.push_back({g, targets_[k], weights_[k], runs_[r].delay});
    }
    return out;
}

}  // namespace ganglion
