#pragma once

// Which rank and thread own a gid. As in NEST's virtual processes and
// NEURON's ParallelNetManager round-robin: with R ranks and T threads there
// are R*T virtual processes, gid g belongs to vp = g % (R*T), which lives on
// rank vp % R (= g % R) and thread vp / R.

#include <cstddef>

#include "core/types.hpp"

namespace ganglion {

struct partition {
    int n_ranks = 1;
    int rank = 0;
    int n_threads = 1;

    std::uint64_t n_vps() const { return static_cast<std::uint64_t>(n_ranks) * n_threads; }
    int rank_of(gid_type g) const { return static_cast<int>(g % n_ranks); }
    int thread_of(gid_type g) const { return static_cast<int>((g % n_vps()) / n_ranks); }
    bool is_local(gid_type g) const { return rank_of(g) == rank; }
    std::uint64_t vp_of_thread(int thread) const {
        return static_cast<std::uint64_t>(thread) * n_ranks + rank;
    }
    // The first gid >= `first` owned by `thread` of this rank.
    gid_type first_owned(gid_type first, int thread) const {
        const std::uint64_t m = n_vps();
        const std::uint64_t vp = vp_of_thread(thread);
        return first + (vp + m - first % m) % m;
    }
    // How many gids of [first, first + size) `thread` of this rank owns.
    std::uint64_t count_owned(gid_type first, std::uint64_t size, int thread) const {
        const gid_type g0 = first_owned(first, thread);
        if (g0 >= first + size) return 0;
        return (first + size - 1 - g0) / n_vps() + 1;
    }
};

}  // namespace ganglion
