// Tests for SpiNNaker mode's core partition (core/partition.hpp with `cores`
// set) and the thread layout it gives (core/layout.hpp): populations cut into
// cores of at most core_size contiguous gids, core c on virtual process
// c % (R*T), i.e. rank (c % (R*T)) % R and thread (c % (R*T)) / R; and, per
// thread, the owned neurons in gid order at thread-local indices 0 ..
// n_local - 1. Everything is checked against brute force over every gid, with
// small cores (4 and 7 neurons) so that many cores fit in few gids, and with
// the hardware's 256 on a few cases.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/layout.hpp"
#include "core/partition.hpp"
#include "core/spec.hpp"

namespace ganglion {
namespace {

model_spec spec_of(const std::vector<std::uint64_t>& sizes) {
    model_spec spec;
    for (std::size_t p = 0; p < sizes.size(); ++p) {
        population_spec pop;
        pop.name = "p" + std::to_string(p);
        pop.model = "IF_curr_exp";
        pop.size = sizes[p];
        spec.populations.push_back(pop);
    }
    return spec;
}

std::string describe(const std::vector<std::uint64_t>& sizes, std::uint64_t cs, int R, int T) {
    std::string s = "sizes {";
    for (const auto n : sizes)
        s += std::to_string(n) + " ";
    return s + "} core_size " + std::to_string(cs) + " R=" + std::to_string(R) +
           " T=" + std::to_string(T);
}

// Population size lists for a core size: whole numbers of cores, a partial
// last core, a single neuron, and k cores plus one neuron.
std::vector<std::vector<std::uint64_t>> size_lists(std::uint64_t cs) {
    return {{cs},
            {1},
            {cs + 1},
            {3 * cs},
            {2 * cs + 3},
            {1, cs, 1},
            {cs * 2, cs + 1, 1, cs - 1},
            {cs - 1, 5 * cs + 1, 2, 3 * cs},
            {1, 1, 1, cs + 1, 4 * cs}};
}

// The core of every gid, worked out independently: population by population,
// ceil(size / cs) cores, numbered on over populations in gid order.
struct expected_cores {
    std::vector<std::uint64_t> core_of_gid;
    std::vector<std::size_t> population_of_gid;
    std::vector<std::uint64_t> n_cores_of_population;
    std::uint64_t n_cores = 0;
};
expected_cores cores_by_hand(const std::vector<std::uint64_t>& sizes, std::uint64_t cs) {
    expected_cores e;
    for (std::size_t p = 0; p < sizes.size(); ++p) {
        std::uint64_t in_core = 0, cores = 0;
        for (std::uint64_t i = 0; i < sizes[p]; ++i) {
            if (in_core == 0) {
                ++e.n_cores;
                ++cores;
            }
            e.core_of_gid.push_back(e.n_cores - 1);
            e.population_of_gid.push_back(p);
            in_core = (in_core + 1) % cs;
        }
        e.n_cores_of_population.push_back(cores);
    }
    return e;
}

TEST(core_map, cuts_populations_into_cores_of_at_most_core_size) {
    for (const std::uint64_t cs : {4ull, 7ull, 256ull})
        for (const auto& sizes : size_lists(cs)) {
            SCOPED_TRACE(describe(sizes, cs, 1, 1));
            const core_map map(sizes, cs);
            const expected_cores e = cores_by_hand(sizes, cs);
            EXPECT_EQ(map.core_size, cs);
            EXPECT_EQ(map.n_cores(), e.n_cores);
            ASSERT_EQ(map.first_gid.size(), sizes.size() + 1);
            ASSERT_EQ(map.first_core.size(), sizes.size() + 1);
            std::vector<std::uint64_t> per_core(e.n_cores, 0);
            for (gid_type g = 0; g < e.core_of_gid.size(); ++g) {
                EXPECT_EQ(map.core_of(g), e.core_of_gid[g]) << "gid " << g;
                EXPECT_EQ(map.population_of(g), e.population_of_gid[g]) << "gid " << g;
                ++per_core[e.core_of_gid[g]];
            }
            for (const auto n : per_core) {
                EXPECT_GE(n, 1u);
                EXPECT_LE(n, cs);
            }
            for (std::size_t p = 0; p < sizes.size(); ++p)
                EXPECT_EQ(map.first_core[p + 1] - map.first_core[p], e.n_cores_of_population[p]);
        }
    // The hardware's default, by hand: 256 | 257 | 1 | 512 neurons.
    const core_map map({256, 257, 1, 512});
    EXPECT_EQ(map.core_size, 256u);
    EXPECT_EQ(map.first_core, (std::vector<std::uint64_t>{0, 1, 3, 4, 6}));
    EXPECT_EQ(map.first_gid, (std::vector<gid_type>{0, 256, 513, 514, 1026}));
    EXPECT_EQ(map.core_of(255), 0u);
    EXPECT_EQ(map.core_of(256), 1u);
    EXPECT_EQ(map.core_of(511), 1u);
    EXPECT_EQ(map.core_of(512), 2u);  // the 257th neuron of the second population
    EXPECT_EQ(map.core_of(513), 3u);
    EXPECT_EQ(map.core_of(514), 4u);
    EXPECT_EQ(map.core_of(769), 4u);
    EXPECT_EQ(map.core_of(770), 5u);
    EXPECT_EQ(map.core_of(1025), 5u);
}

// Every gid has exactly one owner (rank, thread), the owner of every gid of
// a core is the core's, and cores are dealt round-robin over R*T virtual
// processes: core c on rank (c % (R*T)) % R, thread (c % (R*T)) / R.
TEST(core_partition, every_gid_has_one_owner_and_whole_cores_are_dealt_round_robin) {
    for (const std::uint64_t cs : {4ull, 7ull, 256ull})
        for (const auto& sizes : size_lists(cs)) {
            if (cs == 256 && sizes.size() > 3) continue;  // a few cases at the hardware's size
            const expected_cores e = cores_by_hand(sizes, cs);
            const auto map = std::make_shared<const core_map>(sizes, cs);
            const model_spec spec = spec_of(sizes);
            for (int R = 1; R <= 4; ++R)
                for (int T = 1; T <= 3; ++T) {
                    SCOPED_TRACE(describe(sizes, cs, R, T));
                    const auto m = static_cast<std::uint64_t>(R * T);
                    std::vector<thread_layout> layouts;
                    for (int r = 0; r < R; ++r)
                        for (int t = 0; t < T; ++t)
                            layouts.emplace_back(spec, partition{R, r, T, map}, t);
                    std::vector<std::pair<int, int>> core_owner(e.n_cores, {-1, -1});
                    for (gid_type g = 0; g < e.core_of_gid.size(); ++g) {
                        const std::uint64_t c = e.core_of_gid[g];
                        const std::uint64_t vp = c % m;
                        const int rank = static_cast<int>(vp % R),
                                  thread = static_cast<int>(vp / R);
                        // Any rank's partition object says the same.
                        for (int r = 0; r < R; ++r) {
                            const partition part{R, r, T, map};
                            EXPECT_EQ(part.vp_of(g), vp) << "gid " << g;
                            EXPECT_EQ(part.rank_of(g), rank) << "gid " << g;
                            EXPECT_EQ(part.thread_of(g), thread) << "gid " << g;
                            EXPECT_EQ(part.is_local(g), r == rank) << "gid " << g;
                        }
                        int owners = 0;
                        for (int r = 0; r < R; ++r)
                            for (int t = 0; t < T; ++t)
                                if (layouts[static_cast<std::size_t>(r * T + t)].owns(g)) {
                                    ++owners;
                                    EXPECT_EQ(r, rank) << "gid " << g;
                                    EXPECT_EQ(t, thread) << "gid " << g;
                                }
                        EXPECT_EQ(owners, 1) << "gid " << g;
                        // All gids of a core have the core's first gid's owner.
                        if (core_owner[c].first < 0) core_owner[c] = {rank, thread};
                        EXPECT_EQ(core_owner[c], std::make_pair(rank, thread)) << "gid " << g;
                    }
                    // Every neuron is somewhere, once.
                    std::uint64_t total = 0;
                    for (const auto& l : layouts)
                        total += l.n_local();
                    EXPECT_EQ(total, e.core_of_gid.size());
                }
        }
}

// The layout of each thread: thread-local indices are a bijection onto 0 ..
// n_local - 1, population by population (offsets consistent), in gid order
// within a population; gid_at and owned_gid invert local_index; owned_gids
// lists the owned gids ascending; the population parts say what was owned.
TEST(core_layout, local_indices_are_a_gid_ordered_bijection_and_invert) {
    for (const std::uint64_t cs : {4ull, 7ull, 256ull})
        for (const auto& sizes : size_lists(cs)) {
            if (cs == 256 && sizes.size() > 3) continue;
            const expected_cores e = cores_by_hand(sizes, cs);
            const auto map = std::make_shared<const core_map>(sizes, cs);
            const model_spec spec = spec_of(sizes);
            for (int R = 1; R <= 4; ++R)
                for (int T = 1; T <= 3; ++T)
                    for (int r = 0; r < R; ++r)
                        for (int t = 0; t < T; ++t) {
                            SCOPED_TRACE(describe(sizes, cs, R, T) + " rank " + std::to_string(r) +
                                         " thread " + std::to_string(t));
                            const partition part{R, r, T, map};
                            const thread_layout layout(spec, part, t);
                            const auto m = static_cast<std::uint64_t>(R * T);
                            const std::uint64_t my_vp = static_cast<std::uint64_t>(t) * R + r;
                            ASSERT_EQ(layout.populations().size(), sizes.size());
                            // Owned gids by brute force, per population.
                            std::vector<std::vector<gid_type>> owned(sizes.size());
                            for (gid_type g = 0; g < e.core_of_gid.size(); ++g) {
                                const bool mine = e.core_of_gid[g] % m == my_vp;
                                EXPECT_EQ(layout.owns(g), mine) << "gid " << g;
                                if (mine) owned[e.population_of_gid[g]].push_back(g);
                            }
                            std::vector<int> hit(layout.n_local(), 0);
                            std::uint64_t offset = 0;
                            gid_type first_gid = 0;
                            for (std::size_t p = 0; p < sizes.size(); ++p) {
                                const auto& pp = layout.populations()[p];
                                EXPECT_EQ(pp.first_gid, first_gid) << "population " << p;
                                EXPECT_EQ(pp.size, sizes[p]) << "population " << p;
                                EXPECT_EQ(pp.count, owned[p].size()) << "population " << p;
                                EXPECT_EQ(pp.offset, offset) << "population " << p;
                                if (!owned[p].empty()) {
                                    EXPECT_EQ(pp.first_owned, owned[p].front());
                                    EXPECT_EQ(pp.first_core, e.core_of_gid[owned[p].front()] -
                                                                 e.core_of_gid[first_gid]);
                                }
                                EXPECT_EQ(layout.owned_gids(p), owned[p]) << "population " << p;
                                for (std::uint64_t k = 0; k < owned[p].size(); ++k) {
                                    const gid_type g = owned[p][k];
                                    const std::uint64_t i = layout.local_index(p, g);
                                    // Gid order within the population: the k-th owned gid.
                                    EXPECT_EQ(i, offset + k) << "gid " << g;
                                    if (i < hit.size()) ++hit[i];
                                    EXPECT_EQ(layout.gid_at(i), g) << "index " << i;
                                    EXPECT_EQ(layout.owned_gid(p, i - pp.offset), g);
                                }
                                offset += owned[p].size();
                                first_gid += sizes[p];
                            }
                            EXPECT_EQ(layout.n_local(), offset);
                            for (std::size_t i = 0; i < hit.size(); ++i)
                                EXPECT_EQ(hit[i], 1) << "index " << i;
                        }
        }
}

// A case by hand: sizes {10, 5}, cores of 4: cores 0 = gids 0-3, 1 = 4-7, 2 =
// 8-9, 3 = 10-13, 4 = 14. Two ranks, one thread: rank 0 has cores 0, 2, 4,
// rank 1 cores 1, 3.
TEST(core_layout, hand_worked_two_ranks) {
    const std::vector<std::uint64_t> sizes = {10, 5};
    const auto map = std::make_shared<const core_map>(sizes, 4);
    const model_spec spec = spec_of(sizes);
    const thread_layout r0(spec, partition{2, 0, 1, map}, 0);
    const thread_layout r1(spec, partition{2, 1, 1, map}, 0);
    EXPECT_EQ(r0.owned_gids(0), (std::vector<gid_type>{0, 1, 2, 3, 8, 9}));
    EXPECT_EQ(r0.owned_gids(1), (std::vector<gid_type>{14}));
    EXPECT_EQ(r1.owned_gids(0), (std::vector<gid_type>{4, 5, 6, 7}));
    EXPECT_EQ(r1.owned_gids(1), (std::vector<gid_type>{10, 11, 12, 13}));
    EXPECT_EQ(r0.n_local(), 7u);
    EXPECT_EQ(r1.n_local(), 8u);
    EXPECT_EQ(r0.local_index(0, 8), 4u);
    EXPECT_EQ(r0.local_index(1, 14), 6u);
    EXPECT_EQ(r1.local_index(1, 12), 6u);
    EXPECT_EQ(r0.gid_at(5), 9u);
    EXPECT_EQ(r1.gid_at(4), 10u);
    EXPECT_EQ(r0.populations()[1].first_core, 1u);  // the population's second core
    EXPECT_EQ(r1.populations()[1].first_core, 0u);
}

// Without `cores` the partition is the old round-robin by gid: vp = g % (R*T).
TEST(core_partition, without_cores_the_round_robin_is_unchanged) {
    const std::vector<std::uint64_t> sizes = {10, 7};
    const model_spec spec = spec_of(sizes);
    // 3 ranks, 2 threads: rank 1, thread 0 is vp 1: gids 1, 7 | 13.
    const partition part{3, 1, 2};
    EXPECT_EQ(part.cores, nullptr);
    for (gid_type g = 0; g < 17; ++g) {
        EXPECT_EQ(part.vp_of(g), g % 6);
        EXPECT_EQ(part.rank_of(g), static_cast<int>(g % 6 % 3));
        EXPECT_EQ(part.thread_of(g), static_cast<int>(g % 6 / 3));
    }
    const thread_layout layout(spec, part, 0);
    EXPECT_EQ(layout.owned_gids(0), (std::vector<gid_type>{1, 7}));
    EXPECT_EQ(layout.owned_gids(1), (std::vector<gid_type>{13}));
    EXPECT_EQ(layout.n_local(), 3u);
    EXPECT_EQ(layout.local_index(0, 7), 1u);
    EXPECT_EQ(layout.local_index(1, 13), 2u);
    EXPECT_EQ(layout.gid_at(2), 13u);
    EXPECT_TRUE(layout.owns(7));
    EXPECT_FALSE(layout.owns(4));  // vp 4: rank 1, thread 1
    // Rank 1, thread 1 (vp 4): gids 4 | 10, 16.
    const thread_layout other(spec, part, 1);
    EXPECT_EQ(other.owned_gids(0), (std::vector<gid_type>{4}));
    EXPECT_EQ(other.owned_gids(1), (std::vector<gid_type>{10, 16}));
    EXPECT_EQ(other.local_index(1, 16), 2u);
    // The same sizes with cores of 4 give a different owner for gid 1.
    const partition with_cores{3, 1, 2, std::make_shared<const core_map>(sizes, 4)};
    EXPECT_EQ(with_cores.vp_of(1), 0u);
    EXPECT_EQ(with_cores.vp_of(4), 1u);
}

}  // namespace
}  // namespace ganglion
