#include "core/synapse_store.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>

#include "core/error.hpp"

namespace ganglion {

void synapse_store::build(gid_type n_sources, std::vector<pending_synapse>&& pending) {
    step_type max_delay = 0;
    std::uint32_t max_index = 0;
    start_counting(n_sources);
    for (const auto& s : pending) {
        count(s.source);
        max_delay = std::max<step_type>(max_delay, s.delay);
        max_index = std::max(max_index, target_code::index(s.target_code));
    }
    start_placing(max_delay, max_index);
    for (const auto& s : pending)
        place(s);
    std::vector<pending_synapse>().swap(pending);
    finish();
}

void synapse_store::start_counting(gid_type n_sources) {
    syn_index_.assign(n_sources + 1, 0);
    run_index_.clear();
    runs_.clear();
    targets_.clear();
    weights_.clear();
    next_.clear();
    big_vector<std::uint32_t>().swap(delays_);
}

void synapse_store::start_placing(step_type max_delay, std::uint32_t max_index) {
    const std::size_t n_sources = syn_index_.size() - 1;
    for (std::size_t g = 0; g < n_sources; ++g)
        syn_index_[g + 1] += syn_index_[g];
    next_.assign(syn_index_.begin(), syn_index_.end() - 1);
    const std::size_t m = syn_index_.back();
    // Not zeroed: place() writes every element (finish() checks the counts).
    targets_.resize(m);
    weights_.resize(m);
    chunks_.start(m, n_sources);
    const int index_bits = std::bit_width(max_index);
    const int delay_bits =
        std::bit_width(static_cast<std::uint64_t>(std::max<step_type>(max_delay, 0)));
    if (index_bits + delay_bits <= target_code::receptor_shift) {
        delay_shift_ = index_bits;
        delay_mask_ = (std::uint32_t{1} << delay_bits) - 1;
    } else {
        delay_shift_ = 0;
        delay_mask_ = 0;
        delays_.resize(m);
    }
}

void synapse_store::place_out_of_bounds() {
    throw internal_error(
        "synapse_store: a delay or index beyond the bounds given to start_placing");
}

void synapse_store::source_out_of_range() {
    throw internal_error("synapse source gid out of range");
}

void synapse_store::place_overflow() {
    throw internal_error("synapse_store: a row got more synapses than were counted");
}

void synapse_store::finish() {
    chunks_.flush([this](const pending_synapse& x) { place_now(x); });
    chunks_.release();
    for (std::size_t g = 0; g + 1 < syn_index_.size(); ++g)
        if (next_[g] != syn_index_[g + 1])
            throw internal_error("synapse_store: a row got fewer synapses than were counted");
    std::vector<std::uint64_t>().swap(next_);
    if (delays_.empty()) {
        const int shift = delay_shift_;
        const std::uint32_t mask = delay_mask_;
        make_runs([&, shift, mask](std::uint64_t k) { return (targets_[k] >> shift) & mask; });
        const std::uint32_t clear = ~(mask << shift);
        for (auto& code : targets_)
            code &= clear;
    } else {
        make_runs([&](std::uint64_t k) { return delays_[k]; });
        big_vector<std::uint32_t>().swap(delays_);
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
    // Give the tail back without copying the rest (shrink_to_fit would hold
    // both copies at once).
    release_unused(weights_);
}

template <class DelayAt>
void synapse_store::make_runs(DelayAt delay_at) {
    // Each row is sorted by delay, stably: a counting sort over the row's
    // delay range when that range is short (the usual case), else a stable
    // sort of positions. Then one run per delay of each row.
    const std::size_t n_sources = syn_index_.size() - 1;
    const bool separate = !delays_.empty();
    std::vector<std::uint32_t> t_tmp, d_tmp, histogram, order;
    std::vector<float> w_tmp;
    std::uint64_t n_runs = 0;
    for (std::size_t g = 0; g < n_sources; ++g) {
        const std::uint64_t first = syn_index_[g], last = syn_index_[g + 1];
        if (first == last) continue;
        const auto len = static_cast<std::uint32_t>(last - first);
        d_tmp.resize(len);
        bool sorted = true;
        for (std::uint32_t i = 0; i < len; ++i) {
            d_tmp[i] = delay_at(first + i);
            sorted = sorted && (i == 0 || d_tmp[i] >= d_tmp[i - 1]);
        }
        if (!sorted) {
            std::uint32_t* t = targets_.data() + first;
            float* w = weights_.data() + first;
            std::uint32_t* d = separate ? delays_.data() + first : nullptr;
            t_tmp.assign(t, t + len);
            w_tmp.assign(w, w + len);
            const auto [lo, hi] = std::minmax_element(d_tmp.begin(), d_tmp.end());
            const std::uint64_t range = static_cast<std::uint64_t>(*hi - *lo) + 1;
            auto move = [&](std::uint32_t from, std::uint32_t to) {
                t[to] = t_tmp[from];
                w[to] = w_tmp[from];
                if (d) d[to] = d_tmp[from];
            };
            if (range <= 4ull * len + 64) {
                histogram.assign(range + 1, 0);
                for (std::uint32_t i = 0; i < len; ++i)
                    ++histogram[d_tmp[i] - *lo + 1];
                for (std::uint64_t b = 1; b <= range; ++b)
                    histogram[b] += histogram[b - 1];
                for (std::uint32_t i = 0; i < len; ++i)
                    move(i, histogram[d_tmp[i] - *lo]++);
            } else {
                order.resize(len);
                for (std::uint32_t i = 0; i < len; ++i)
                    order[i] = i;
                std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
                    return d_tmp[a] < d_tmp[b];
                });
                for (std::uint32_t i = 0; i < len; ++i)
                    move(order[i], i);
            }
        }
        for (std::uint64_t k = first; k < last; ++k)  // now sorted
            n_runs += k == first || delay_at(k) != delay_at(k - 1);
    }
    runs_.clear();
    runs_.reserve(n_runs);
    run_index_.assign(n_sources + 1, 0);
    for (std::size_t g = 0; g < n_sources; ++g) {
        std::uint32_t previous = 0;
        for (std::uint64_t k = syn_index_[g]; k < syn_index_[g + 1]; ++k) {
            const std::uint32_t delay = delay_at(k);
            if (k == syn_index_[g] || delay != previous)
                runs_.push_back({delay, 0, shared_weight_run, weights_[k]});
            ++runs_.back().count;
            previous = delay;
        }
        run_index_[g + 1] = runs_.size();
    }
}

std::size_t synapse_store::bytes() const {
    // weights_ may keep capacity whose pages were given back (release_unused).
    return targets_.capacity() * sizeof(std::uint32_t) + weights_.size() * sizeof(float) +
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
