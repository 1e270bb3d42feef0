#include "core/poisson_drive.hpp"

#include "core/error.hpp"
#include "core/random.hpp"

namespace ganglion {

void poisson_drive::add_population(const poisson_process& process,
                                   const std::vector<gid_type>& gids,
                                   const std::vector<direct_synapse>& direct,
                                   std::optional<std::uint32_t> arrival_delay) {
    if (direct.size() != gids.size())
        throw internal_error("poisson_drive: one direct synapse (or none) per source");
    if (gids.empty()) return;
    if (!gids_.empty() && gids.front() <= gids_.back())
        throw internal_error("poisson_drive: populations must come in gid order");
    population pop;
    pop.process = &process;
    pop.begin = gids_.size();
    pop.end = gids_.size() + gids.size();
    if (arrival_delay) {
        for (const direct_synapse& d : direct)
            if (d.index != direct_synapse::none && d.delay != *arrival_delay)
                throw internal_error(
                    "poisson_drive: a direct synapse's delay is not the arrival delay");
        pop.at_arrival = true;
        pop.arrival_delay = *arrival_delay;
    }
    pop.all_direct = true;
    for (const direct_synapse& d : direct)
        pop.all_direct = pop.all_direct && d.index != direct_synapse::none;
    pop.uniform = pop.all_direct;
    pop.common = direct.front();
    pop.contiguous = true;
    for (std::size_t i = 0; i < direct.size(); ++i) {
        const direct_synapse& d = direct[i];
        pop.uniform = pop.uniform && d.delay == pop.common.delay &&
                      d.receptor == pop.common.receptor && d.weight == pop.common.weight;
        pop.contiguous = pop.contiguous && d.index == pop.common.index + i;
    }
    pop.contiguous = pop.contiguous && pop.uniform;
    gids_.insert(gids_.end(), gids.begin(), gids.end());
    direct_.insert(direct_.end(), direct.begin(), direct.end());
    for (const direct_synapse& d : direct)
        index_.push_back(d.index);
    words_.resize(16 * gids_.size());
    populations_.push_back(pop);
}

void poisson_drive::refill(population& pop, std::uint64_t block, int half, std::size_t j0,
                           std::size_t j1) {
    const poisson_process& proc = *pop.process;
    const std::size_t n = pop.end - pop.begin;
    std::uint32_t* w = words(pop, half, 0);
    for (std::size_t j = j0; j < j1; ++j) {
        const auto b = philox(proc.seed, proc.purpose, gids_[pop.begin + j], block);
        for (int i = 0; i < 8; ++i)  // word i of the block is step 8 block + i
            w[static_cast<std::size_t>(i) * n + j] = poisson_process::word_of(b, i);
    }
}

void poisson_drive::use_block(population& pop, std::uint64_t block) {
    const std::size_t n = pop.end - pop.begin;
    if (pop.ahead == block + 1) {
        refill(pop, block, 1 - pop.half, pop.ahead_done, n);
        pop.half = 1 - pop.half;
    } else {
        refill(pop, block, pop.half, 0, n);
    }
    pop.block = block + 1;
    pop.ahead = block + 2;
    pop.ahead_done = 0;
}

bool poisson_drive::work_ahead(std::size_t max_sources) {
    for (population& pop : populations_) {
        const std::size_t n = pop.end - pop.begin;
        if (pop.ahead == 0 || pop.ahead_done == n) continue;
        const std::size_t j1 = std::min(n, pop.ahead_done + max_sources);
        refill(pop, pop.ahead - 1, 1 - pop.half, pop.ahead_done, j1);
        pop.ahead_done = j1;
        return true;
    }
    return false;
}

std::size_t poisson_drive::bytes() const {
    return gids_.capacity() * sizeof(gid_type) + direct_.capacity() * sizeof(direct_synapse) +
           index_.capacity() * sizeof(std::uint32_t) + words_.capacity() * sizeof(std::uint32_t) +
           populations_.capacity() * sizeof(population);
}

}  // namespace ganglion
