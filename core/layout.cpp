#include "core/layout.hpp"

namespace ganglion {

thread_layout::thread_layout(const model_spec& spec, const partition& part, int thread)
    : part_(part), thread_(thread) {
    gid_type first = 0;
    for (const auto& pop : spec.populations) {
        population_part pp;
        pp.first_gid = first;
        pp.size = pop.size;
        pp.first_owned = part.first_owned(first, thread);
        pp.count = part.count_owned(first, pop.size, thread);
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
        out.push_back(pp.first_owned + k * part_.n_vps());
    return out;
}

}  // namespace ganglion
