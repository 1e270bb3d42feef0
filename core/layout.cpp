#include "core/layout.hpp"

#include <algorithm>

namespace ganglion {

thread_layout::thread_layout(const model_spec& spec, const partition& part, int thread)
    : part_(part), thread_(thread) {
    gid_type first = 0;
    for (const auto& pop : spec.populations) {
        population_part pp;
        pp.first_gid = first;
        pp.size = pop.size;
        if (part.cores) {
            // Owned cores of the population: k = first_core, first_core + m, ...
            const std::uint64_t m = part.n_vps();
            const std::uint64_t cs = part.cores->core_size;
            const std::uint64_t c0 = part.cores->first_core[pops_.size()];
            const std::uint64_t n_cores = (pop.size + cs - 1) / cs;
            pp.first_core = (part.vp_of_thread(thread) + m - c0 % m) % m;
            pp.count = 0;
            for (std::uint64_t k = pp.first_core; k < n_cores; k += m)
                pp.count += std::min(cs, pop.size - k * cs);
            pp.first_owned = first + pp.first_core * cs;
        } else {
            pp.first_owned = part.first_owned(first, thread);
            pp.count = part.count_owned(first, pop.size, thread);
        }
        pp.offset = n_local_;
        n_local_ += pp.count;
        pops_.push_back(pp);
        first += pop.size;
    }
}

std::vector<gid_type> thread_layout::owned_gids(std::size_t p) const {
    std::vector<gid_type> out;
    const auto& pp = pops_[p];
    out.reserve(pp.count);
    for (std::uint64_t k = 0; k < pp.count; ++k)
        out.push_back(owned_gid(p, k));
    return out;
}

}  // namespace ganglion
