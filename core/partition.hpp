#pragma once

// Which rank and thread own a gid.
//
// Default, as in NEST's virtual processes and NEURON's ParallelNetManager
// round-robin: with R ranks and T threads there are R*T virtual processes,
// gid g belongs to vp = g % (R*T), which lives on rank vp % R (= g % R) and
// thread vp / R.
//
// SpiNNaker mode (`cores` set): each population is cut into cores of at most
// 256 contiguous gids (the last core of a population may be smaller), cores
// are numbered over all populations in gid order, and core c belongs to
// vp = c % (R*T): whole cores are dealt round-robin to ranks and threads.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "core/types.hpp"

namespace ganglion {

// Populations cut into cores of at most `core_size` neurons.
struct core_map {
    static constexpr std::uint64_t default_core_size = 256;
    std::uint64_t core_size = default_core_size;
    std::vector<gid_type> first_gid;        // per population, plus the total at the end
    std::vector<std::uint64_t> first_core;  // per population, plus the total at the end

    core_map() = default;
    core_map(const std::vector<std::uint64_t>& population_sizes,
             std::uint64_t size = default_core_size)
        : core_size(size) {
        first_gid.push_back(0);
        first_core.push_back(0);
        for (const auto n : population_sizes) {
            first_gid.push_back(first_gid.back() + n);
            first_core.push_back(first_core.back() + (n + core_size - 1) / core_size);
        }
    }
    std::uint64_t n_cores() const { return first_core.back(); }
    std::size_t population_of(gid_type g) const {
        return static_cast<std::size_t>(std::upper_bound(first_gid.begin(), first_gid.end(), g) -
                                        first_gid.begin() - 1);
    }
    std::uint64_t core_of(gid_type g) const {
        const std::size_t p = population_of(g);
        return first_core[p] + (g - first_gid[p]) / core_size;
    }
};

struct partition {
    int n_ranks = 1;
    int rank = 0;
    int n_threads = 1;
    std::shared_ptr<const core_map> cores;  // null: round-robin by gid

    partition() = default;
    partition(int ranks, int this_rank, int threads, std::shared_ptr<const core_map> c = nullptr)
        : n_ranks(ranks), rank(this_rank), n_threads(threads), cores(std::move(c)) {}

    std::uint64_t n_vps() const { return static_cast<std::uint64_t>(n_ranks) * n_threads; }
    std::uint64_t vp_of(gid_type g) const { return (cores ? cores->core_of(g) : g) % n_vps(); }
    int rank_of(gid_type g) const { return static_cast<int>(vp_of(g) % n_ranks); }
    int thread_of(gid_type g) const { return static_cast<int>(vp_of(g) / n_ranks); }
    bool is_local(gid_type g) const { return rank_of(g) == rank; }
    std::uint64_t vp_of_thread(int thread) const {
        return static_cast<std::uint64_t>(thread) * n_ranks + rank;
    }
    // Round-robin by gid only: the first gid >= `first` owned by `thread` of
    // this rank, and how many gids of [first, first + size) it owns.
    gid_type first_owned(gid_type first, int thread) const {
        const std::uint64_t m = n_vps();
        const std::uint64_t vp = vp_of_thread(thread);
        return first + (vp + m - first % m) % m;
    }
    std::uint64_t count_owned(gid_type first, std::uint64_t size, int thread) const {
        const gid_type g0 = first_owned(first, thread);
        if (g0 >= first + size) return 0;
        return (first + size - 1 - g0) / n_vps() + 1;
    }
};

}  // namespace ganglion
