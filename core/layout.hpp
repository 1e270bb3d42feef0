#pragma once

// Where each population's neurons sit in one thread's arrays: the thread's
// neurons of population p, in gid order, take thread-local indices offset ..
// offset + count - 1. By default they are the gids first_owned,
// first_owned + R*T, ...; in SpiNNaker mode (core/partition.hpp) they are
// the whole cores first_core, first_core + R*T, ... of the population (core
// numbers relative to the population), 256 neurons each but the last.

#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/error.hpp"
#include "core/partition.hpp"
#include "core/spec.hpp"

namespace ganglion {

class thread_layout {
  public:
    thread_layout(const model_spec& spec, const partition& part, int thread);

    struct population_part {
        gid_type first_gid;            // of the population
        gid_type size;                 // of the population
        gid_type first_owned;          // first gid of the population this thread owns
        std::uint64_t count;           // how many this thread owns
        std::uint64_t offset;          // thread-local index of first_owned
        std::uint64_t first_core = 0;  // SpiNNaker mode: first owned core of the population
    };

    int thread() const { return thread_; }
    const partition& part() const { return part_; }
    const std::vector<population_part>& populations() const { return pops_; }
    std::uint64_t n_local() const { return n_local_; }

    bool owns(gid_type g) const {
        return part_.rank_of(g) == part_.rank && part_.thread_of(g) == thread_;
    }
    // Thread-local index of an owned gid of population p.
    std::uint64_t local_index(std::size_t p, gid_type g) const {
        const auto& pp = pops_[p];
        if (!part_.cores) return pp.offset + (g - pp.first_owned) / part_.n_vps();
        const std::uint64_t cs = part_.cores->core_size;
        const std::uint64_t i = g - pp.first_gid;
        return pp.offset + (i / cs - pp.first_core) / part_.n_vps() * cs + i % cs;
    }
    // The c-th gid (in gid order) of population p this thread owns.
    gid_type owned_gid(std::size_t p, std::uint64_t c) const {
        const auto& pp = pops_[p];
        if (!part_.cores) return pp.first_owned + c * part_.n_vps();
        const std::uint64_t cs = part_.cores->core_size;
        return pp.first_gid + (pp.first_core + c / cs * part_.n_vps()) * cs + c % cs;
    }
    std::vector<gid_type> owned_gids(std::size_t p) const;
    // The population of a thread-local index.
    std::size_t population_at(std::uint64_t index) const {
        const auto it = std::upper_bound(
            pops_.begin(), pops_.end(), index,
            [](std::uint64_t i, const population_part& pp) { return i < pp.offset; });
        return static_cast<std::size_t>(it - pops_.begin()) - 1;
    }
    // The gid at a thread-local index (inverse of local_index).
    gid_type gid_at(std::uint64_t index) const {
        const std::size_t p = population_at(index);
        return owned_gid(p, index - pops_[p].offset);
    }

  private:
    partition part_;
    int thread_;
    std::vector<population_part> pops_;
    std::uint64_t n_local_ = 0;
};

// Views: a whole population, some of its neurons, or an assembly of views,
// by position (core/connect.hpp's resolved_view is the fast form).
inline std::uint64_t view_size(const model_spec& spec, const view_spec& v) {
    if (v.is_assembly()) {
        std::uint64_t n = 0;
        for (const auto& part : v.parts)
            n += view_size(spec, part);
        return n;
    }
    if (v.sample) return *v.sample;
    return v.indices ? v.indices->size() : spec.populations[v.population].size;
}
inline gid_type view_gid(const model_spec& spec, const view_spec& v, std::uint64_t k) {
    if (v.is_assembly()) {
        for (const auto& part : v.parts) {
            const std::uint64_t n = view_size(spec, part);
            if (k < n) return view_gid(spec, part, k);
            k -= n;
        }
        throw internal_error("view_gid: position beyond the assembly");
    }
    return spec.first_gid(v.population) + (v.indices ? (*v.indices)[k] : k);
}

}  // namespace ganglion
