// Tests for core/partition.hpp and core/layout.hpp: which rank and thread own
// a gid, and where a thread's neurons sit in its arrays.

#include "core/partition.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <vector>

#include "core/layout.hpp"
#include "core/spec.hpp"

namespace ganglion {
namespace {

// Every (ranks, threads) combination the distributed tests use, and some odd
// ones so that R*T shares no factor with the population sizes.
const std::vector<std::pair<int, int>> splits = {{1, 1}, {2, 1}, {1, 2}, {4, 1}, {2, 2}, {3, 3},
                                                 {1, 4}, {5, 2}, {7, 3}, {3, 1}, {1, 7}, {4, 4}};

TEST(partition, rank_of_is_gid_modulo_ranks) {
    for (const auto& [R, T] : splits) {
        const partition part{R, 0, T};
        for (gid_type g = 0; g < 500; ++g)
            EXPECT_EQ(part.rank_of(g), static_cast<int>(g % R)) << "g=" << g << " R=" << R;
    }
    // 64-bit gids.
    const partition part{7, 0, 3};
    const gid_type big = (1ull << 47) + 12345;
    EXPECT_EQ(part.rank_of(big), static_cast<int>(big % 7));
    EXPECT_EQ(part.thread_of(big), static_cast<int>((big % 21) / 7));
}

TEST(partition, thread_of_is_virtual_process_divided_by_ranks) {
    for (const auto& [R, T] : splits) {
        const partition part{R, 0, T};
        EXPECT_EQ(part.n_vps(), static_cast<std::uint64_t>(R) * T);
        for (gid_type g = 0; g < 500; ++g) {
            const std::uint64_t vp = g % (static_cast<std::uint64_t>(R) * T);
            EXPECT_EQ(part.thread_of(g), static_cast<int>(vp / R));
            EXPECT_GE(part.thread_of(g), 0);
            EXPECT_LT(part.thread_of(g), T);
            // The vp of a gid's thread on its rank is the gid's vp.
            const partition on_rank{R, part.rank_of(g), T};
            EXPECT_EQ(on_rank.vp_of_thread(part.thread_of(g)), vp);
        }
    }
}

TEST(partition, is_local_means_rank_of_is_this_rank) {
    for (const auto& [R, T] : splits)
        for (int r = 0; r < R; ++r) {
            const partition part{R, r, T};
            for (gid_type g = 0; g < 200; ++g)
                EXPECT_EQ(part.is_local(g), static_cast<int>(g % R) == r);
        }
}

TEST(partition, first_owned_and_count_owned_match_brute_force) {
    const std::vector<gid_type> firsts = {0, 1, 2, 3, 5, 7, 11, 16, 63, 100, 1001};
    const std::vector<std::uint64_t> sizes = {0, 1, 2, 3, 4, 5, 8, 9, 17, 31, 64, 100, 257};
    for (const auto& [R, T] : splits)
        for (int r = 0; r < R; ++r) {
            const partition part{R, r, T};
            for (int t = 0; t < T; ++t)
                for (const gid_type first : firsts) {
                    // first_owned: the smallest owned gid >= first.
                    gid_type expect_first = first;
                    while (!(part.rank_of(expect_first) == r && part.thread_of(expect_first) == t))
                        ++expect_first;
                    EXPECT_EQ(part.first_owned(first, t), expect_first)
                        << "R=" << R << " r=" << r << " T=" << T << " t=" << t
                        << " first=" << first;
                    for (const std::uint64_t size : sizes) {
                        std::uint64_t expect_count = 0;
                        for (gid_type g = first; g < first + size; ++g)
                            if (part.rank_of(g) == r && part.thread_of(g) == t) ++expect_count;
                        EXPECT_EQ(part.count_owned(first, size, t), expect_count)
                            << "R=" << R << " r=" << r << " T=" << T << " t=" << t
                            << " first=" << first << " size=" << size;
                    }
                }
        }
}

TEST(partition, every_gid_is_owned_by_exactly_one_rank_and_thread) {
    for (const auto& [R, T] : splits) {
        const gid_type n = 1000;
        std::vector<int> owners(n, 0);
        std::uint64_t total = 0;
        for (int r = 0; r < R; ++r) {
            const partition part{R, r, T};
            for (int t = 0; t < T; ++t) {
                const gid_type g0 = part.first_owned(0, t);
                const std::uint64_t c = part.count_owned(0, n, t);
                total += c;
                for (std::uint64_t k = 0; k < c; ++k) {
                    const gid_type g = g0 + k * part.n_vps();
                    ASSERT_LT(g, n);
                    EXPECT_EQ(part.rank_of(g), r);
                    EXPECT_EQ(part.thread_of(g), t);
                    ++owners[g];
                }
            }
        }
        EXPECT_EQ(total, n);
        for (gid_type g = 0; g < n; ++g)
            EXPECT_EQ(owners[g], 1) << "gid " << g << " R=" << R << " T=" << T;
    }
}

// ---------------------------------------------------------------------------
// thread_layout

model_spec three_populations() {
    model_spec spec;
    for (const auto& [name, size] : std::vector<std::pair<const char*, std::uint64_t>>{
             {"a", 13}, {"b", 1}, {"c", 0}, {"d", 29}, {"e", 7}}) {
        population_spec p;
        p.name = name;
        p.model = "IF_curr_exp";
        p.size = size;
        spec.populations.push_back(p);
    }
    return spec;
}

TEST(thread_layout, offsets_and_local_indices_follow_owned_gids) {
    const model_spec spec = three_populations();
    for (const auto& [R, T] : splits)
        for (int r = 0; r < R; ++r)
            for (int t = 0; t < T; ++t) {
                const partition part{R, r, T};
                const thread_layout layout(spec, part, t);
                EXPECT_EQ(layout.thread(), t);
                ASSERT_EQ(layout.populations().size(), spec.populations.size());
                std::uint64_t next_index = 0;
                for (std::size_t p = 0; p < spec.populations.size(); ++p) {
                    const auto& pp = layout.populations()[p];
                    EXPECT_EQ(pp.first_gid, spec.first_gid(p));
                    EXPECT_EQ(pp.size, spec.populations[p].size);
                    EXPECT_EQ(pp.offset, next_index) << "populations are packed in order";
                    // Brute force: the owned gids of the population, ascending.
                    std::vector<gid_type> expect;
                    for (gid_type g = pp.first_gid; g < pp.first_gid + pp.size; ++g)
                        if (part.rank_of(g) == r && part.thread_of(g) == t) expect.push_back(g);
                    EXPECT_EQ(layout.owned_gids(p), expect);
                    EXPECT_EQ(pp.count, expect.size());
                    for (std::size_t k = 0; k < expect.size(); ++k) {
                        EXPECT_TRUE(layout.owns(expect[k]));
                        EXPECT_EQ(layout.local_index(p, expect[k]), pp.offset + k);
                    }
                    next_index += pp.count;
                }
                EXPECT_EQ(layout.n_local(), next_index);
                for (gid_type g = 0; g < spec.total_neurons(); ++g)
                    EXPECT_EQ(layout.owns(g), part.rank_of(g) == r && part.thread_of(g) == t);
            }
}

TEST(thread_layout, local_indices_of_all_threads_cover_every_neuron_once) {
    const model_spec spec = three_populations();
    for (const auto& [R, T] : splits) {
        std::uint64_t total = 0;
        std::set<gid_type> seen;
        for (int r = 0; r < R; ++r)
            for (int t = 0; t < T; ++t) {
                const thread_layout layout(spec, partition{R, r, T}, t);
                total += layout.n_local();
                std::set<std::uint64_t> indices;
                for (std::size_t p = 0; p < spec.populations.size(); ++p)
                    for (const gid_type g : layout.owned_gids(p)) {
                        EXPECT_TRUE(seen.insert(g).second) << "gid " << g << " owned twice";
                        indices.insert(layout.local_index(p, g));
                    }
                // Local indices are exactly 0 .. n_local - 1.
                EXPECT_EQ(indices.size(), layout.n_local());
                if (!indices.empty()) {
                    EXPECT_EQ(*indices.rbegin(), layout.n_local() - 1);
                }
            }
        EXPECT_EQ(total, spec.total_neurons());
        EXPECT_EQ(seen.size(), spec.total_neurons());
    }
}

TEST(view, view_size_and_view_gid) {
    model_spec spec = three_populations();
    view_spec whole;
    whole.population = 3;
    EXPECT_EQ(view_size(spec, whole), 29u);
    EXPECT_EQ(view_gid(spec, whole, 0), 14u);
    EXPECT_EQ(view_gid(spec, whole, 28), 42u);
    view_spec some;
    some.population = 3;
    some.indices = std::vector<std::uint64_t>{5, 0, 28};
    EXPECT_EQ(view_size(spec, some), 3u);
    EXPECT_EQ(view_gid(spec, some, 0), 19u);
    EXPECT_EQ(view_gid(spec, some, 1), 14u);
    EXPECT_EQ(view_gid(spec, some, 2), 42u);
    EXPECT_EQ(spec.total_neurons(), 50u);
    EXPECT_EQ(spec.find_population("d"), std::optional<std::size_t>(3));
    EXPECT_EQ(spec.find_population("zz"), std::nullopt);
}

}  // namespace
}  // namespace ganglion
