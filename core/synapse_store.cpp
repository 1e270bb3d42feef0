#include "core/synapse_store.hpp"

#include <algorithm>
#include <cstring>

#include "core/error.hpp"

namespace ganglion {

void synapse_store::build(gid_type n_sources, std::vector<pending_synapse>&& pending) {
    // Counting sort by source straight into the final arrays (stable: a
    // row keeps the order of `pending`), then each row is sorted by delay,
    // stably, in place. Peak: pending (16 B) + rows (8 B) + delays (4 B).
    syn_index_.assign(n_sources + 1, 0);
    for (const auto& s : pending) {
        if (s.source >= n_sources) throw internal_error("synapse source gid out of range");
        ++syn_index_[s.source + 1];
    }
    for (gid_type g = 0; g < n_sources; ++g)
        syn_index_[g + 1] += syn_index_[g];
    const std::size_t m = pending.size();
    targets_.assign(m, 0);
    weights_.assign(m, 0.0f);
    std::vector<std::uint32_t> delays(m);
    {
        std::vector<std::uint64_t> next(syn_index_.begin(), syn_index_.end() - 1);
        for (const auto& s : pending) {
            const std::uint64_t k = next[s.source]++;
            targets_[k] = s.target_code;
            weights_[k] = s.weight;
            delays[k] = s.delay;
        }
    }
    std::vector<pending_synapse>().swap(pending);

    runs_.clear();
    run_index_.assign(n_sources + 1, 0);
    std::vector<std::uint32_t> order;
    std::vector<std::uint32_t> t_tmp, d_tmp;
    std::vector<float> w_tmp;
    for (gid_type g = 0; g < n_sources; ++g) {
        const std::uint64_t first = syn_index_[g], last = syn_index_[g + 1];
        if (!std::is_sorted(delays.begin() + first, delays.begin() + last)) {
            const auto len = static_cast<std::uint32_t>(last - first);
            order.resize(len);
            for (std::uint32_t i = 0; i < len; ++i)
                order[i] = i;
            std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
                return delays[first + a] < delays[first + b];
            });
            t_tmp.assign(targets_.begin() + first, targets_.begin() + last);
            w_tmp.assign(weights_.begin() + first, weights_.begin() + last);
            d_tmp.assign(delays.begin() + first, delays.begin() + last);
            for (std::uint32_t i = 0; i < len; ++i) {
                targets_[first + i] = t_tmp[order[i]];
                weights_[first + i] = w_tmp[order[i]];
                delays[first + i] = d_tmp[order[i]];
            }
        }
        for (std::uint64_t k = first; k < last; ++k) {
            if (k == first || delays[k] != delays[k - 1])
                runs_.push_back({delays[k], 0, shared_weight_run, weights_[k]});
            ++runs_.back().count;
        }
        run_index_[g + 1] = runs_.size();
    }
    // Keep weights only for runs whose synapses differ in weight (bitwise),
    // compacting weights_ in place (it held one per synapse until now).
    std::uint64_t kept = 0, k = 0;
    for (auto& r : runs_) {
        bool same = true;
        for (std::uint32_t i = 1; i < r.count && same; ++i)
            same = std::memcmp(&weights_[k + i], &weights_[k], sizeof(float)) == 0;
        if (!same) {
            if (kept + r.count >= shared_weight_run)
                throw error(
                    "more than 2^32 - 1 synapses with varying weights on one thread: "
                    "use more threads or ranks");
            r.weight_begin = static_cast<std::uint32_t>(kept);
            for (std::uint32_t i = 0; i < r.count; ++i)
                weights_[kept++] = weights_[k + i];
        }
        k += r.count;
    }
    weights_.resize(kept);
    weights_.shrink_to_fit();
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
                out.push_back({static_cast<std::uint32_t>(g), targets_[k], weight(runs_[r], c),
                               runs_[r].delay});
    }
    return out;
}

}  // namespace ganglion
