// Tests for core/synapse_store.cpp (rows keyed by source, runs of equal
// delay) and core/deliver.cpp (spikes into ring buffers at step + delay).

#include "core/synapse_store.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "core/deliver.hpp"
#include "core/error.hpp"
#include "core/random.hpp"
#include "core/ring_buffer.hpp"
#include "core/spike_buffer.hpp"

namespace ganglion {
namespace {

bool same(const pending_synapse& a, const pending_synapse& b) {
    return a.source == b.source && a.target_code == b.target_code && a.weight == b.weight &&
           a.delay == b.delay;
}

// Unordered synapses with distinct weights (the weight is the input
// position), several delays per source and several synapses per delay.
std::vector<pending_synapse> shuffled_synapses(gid_type n_sources, std::size_t n, int max_delay) {
    random_stream rs(7, 99, 0);
    std::vector<pending_synapse> out;
    for (std::size_t k = 0; k < n; ++k) {
        const auto source = static_cast<std::uint32_t>(rs.below(n_sources));
        const auto index = static_cast<std::uint32_t>(rs.below(1000));
        const auto receptor = static_cast<std::uint32_t>(rs.below(3));
        const auto delay = static_cast<std::uint32_t>(1 + rs.below(max_delay));
        out.push_back({source, target_code::make(index, receptor), static_cast<float>(k), delay});
    }
    return out;
}

TEST(target_code, packs_receptor_and_index) {
    for (const std::uint32_t receptor : {0u, 1u, 7u, 15u})
        for (const std::uint32_t index : {0u, 1u, 12345u, target_code::max_index}) {
            const std::uint32_t c = target_code::make(index, receptor);
            EXPECT_EQ(target_code::index(c), index);
            EXPECT_EQ(target_code::receptor(c), receptor);
        }
    EXPECT_EQ(target_code::max_index, (1u << 28) - 1);
}

TEST(synapse_store, rows_are_keyed_by_source_and_sorted_by_delay_stably) {
    const gid_type n_sources = 50;
    const auto input = shuffled_synapses(n_sources, 5000, 6);
    synapse_store store;
    store.build(n_sources, std::vector<pending_synapse>(input));
    ASSERT_EQ(store.size(), input.size());
    EXPECT_EQ(store.targets().size(), input.size());
    // Every weight is different (k), so no run shares one: one weight each.
    EXPECT_EQ(store.weights().size(), input.size());

    // Expected rows: by source, then by delay, then by input order.
    std::vector<std::size_t> order(input.size());
    for (std::size_t k = 0; k < order.size(); ++k)
        order[k] = k;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return std::tie(input[a].source, input[a].delay) <
               std::tie(input[b].source, input[b].delay);
    });
    const auto& runs = store.runs();
    std::size_t pos = 0;
    for (gid_type g = 0; g < n_sources; ++g) {
        EXPECT_EQ(store.syn_begin(g), pos) << "row of source " << g;
        std::uint32_t last_delay = 0;
        for (std::uint64_t r = store.run_begin(g); r < store.run_end(g); ++r) {
            EXPECT_GT(runs[r].delay, last_delay) << "runs of one row have ascending delays";
            EXPECT_GT(runs[r].count, 0u);
            last_delay = runs[r].delay;
            for (std::uint32_t c = 0; c < runs[r].count; ++c, ++pos) {
                const auto& expect = input[order[pos]];
                EXPECT_EQ(expect.source, g);
                EXPECT_EQ(expect.delay, runs[r].delay);
                EXPECT_EQ(store.targets()[pos], expect.target_code);
                EXPECT_EQ(store.weight(runs[r], c), expect.weight);
            }
        }
    }
    EXPECT_EQ(pos, input.size());
}

TEST(synapse_store, to_list_round_trips) {
    const gid_type n_sources = 40;
    const auto input = shuffled_synapses(n_sources, 3000, 9);
    synapse_store a;
    a.build(n_sources, std::vector<pending_synapse>(input));
    const auto list = a.to_list();
    ASSERT_EQ(list.size(), input.size());
    // The list is the input sorted by (source, delay), stable.
    auto expect = input;
    std::stable_sort(expect.begin(), expect.end(),
                     [](const pending_synapse& x, const pending_synapse& y) {
                         return std::tie(x.source, x.delay) < std::tie(y.source, y.delay);
                     });
    for (std::size_t k = 0; k < list.size(); ++k)
        EXPECT_TRUE(same(list[k], expect[k])) << "synapse " << k;
    // Building from the list gives the same store.
    synapse_store b;
    b.build(n_sources, std::vector<pending_synapse>(list));
    EXPECT_EQ(b.targets(), a.targets());
    EXPECT_EQ(b.weights(), a.weights());
    const auto list_b = b.to_list();
    ASSERT_EQ(list_b.size(), list.size());
    for (std::size_t k = 0; k < list.size(); ++k)
        EXPECT_TRUE(same(list_b[k], list[k]));
}

TEST(synapse_store, has_row_only_for_sources_with_synapses) {
    synapse_store store;
    EXPECT_FALSE(store.has_row(0)) << "an unbuilt store has no rows";
    EXPECT_TRUE(store.to_list().empty());
    std::vector<pending_synapse> in = {{3, target_code::make(0, 0), 1.0f, 2},
                                       {7, target_code::make(1, 1), 2.0f, 1},
                                       {3, target_code::make(2, 0), 3.0f, 2}};
    store.build(10, std::move(in));
    for (gid_type g = 0; g < 10; ++g)
        EXPECT_EQ(store.has_row(g), g == 3 || g == 7) << g;
    EXPECT_FALSE(store.has_row(10));
    EXPECT_FALSE(store.has_row(11));
    EXPECT_FALSE(store.has_row(1ull << 40));
    EXPECT_EQ(store.run_end(3) - store.run_begin(3), 1u) << "one delay, one run";
    EXPECT_EQ(store.runs()[store.run_begin(3)].count, 2u);
    EXPECT_EQ(store.run_begin(0), store.run_end(0));
}

TEST(synapse_store, empty_build) {
    synapse_store store;
    store.build(5, {});
    EXPECT_EQ(store.size(), 0u);
    for (gid_type g = 0; g < 6; ++g)
        EXPECT_FALSE(store.has_row(g));
    EXPECT_TRUE(store.to_list().empty());
}

TEST(synapse_store, source_out_of_range_is_an_internal_error) {
    synapse_store store;
    std::vector<pending_synapse> in = {{5, 0, 1.0f, 1}};
    EXPECT_THROW(store.build(5, std::move(in)), internal_error);
}

TEST(synapse_store, eight_bytes_per_synapse_with_varying_weights_four_with_constant) {
    // 20 sources with 50 000 synapses each over 3 delays: the per-synapse
    // part dominates: a 32-bit target code, plus a float weight only when the
    // weights of a run differ (a constant-weight projection stores none).
    const gid_type n_sources = 20;
    for (const bool varying : {true, false}) {
        std::vector<pending_synapse> in;
        for (gid_type g = 0; g < n_sources; ++g)
            for (std::uint32_t k = 0; k < 50000; ++k)
                in.push_back({static_cast<std::uint32_t>(g), target_code::make(k, k % 2),
                              varying ? 0.5f + 1e-6f * static_cast<float>(k) : 0.5f, 1 + k % 3});
        const std::size_t n = in.size();
        synapse_store store;
        store.build(n_sources, std::move(in));
        ASSERT_EQ(store.size(), n);
        const double per_synapse = static_cast<double>(store.bytes()) / static_cast<double>(n);
        const double expected = varying ? 8.0 : 4.0;
        EXPECT_GE(per_synapse, expected) << (varying ? "varying" : "constant");
        EXPECT_LT(per_synapse, expected + 0.01) << (varying ? "varying" : "constant");
        EXPECT_EQ(store.weights().size(), varying ? n : 0u);
        // One run per (source, delay), not one per synapse.
        EXPECT_EQ(store.runs().size(), n_sources * 3);
        // Delivery gives each synapse its weight either way.
        const auto list = store.to_list();
        for (std::size_t i = 0; i < list.size(); i += 997) {
            const std::uint32_t k = target_code::index(list[i].target_code);
            EXPECT_EQ(list[i].weight, varying ? 0.5f + 1e-6f * static_cast<float>(k) : 0.5f);
        }
    }
}

// ---------------------------------------------------------------------------
// The two-pass build: start_counting, count, start_placing, place, finish

// The rows build() must make of `input`, worked out without synapse_store:
// rows by source; within a row by delay, else in input order; one run per
// delay of a row; a run shares its weight when all its weights are bitwise
// equal, else its weights follow those of the earlier unshared runs.
struct expected_rows {
    std::vector<std::uint64_t> run_index, syn_index;  // per source + 1
    std::vector<synapse_store::run> runs;
    std::vector<std::uint32_t> targets;
    std::vector<float> weights;
    std::vector<pending_synapse> list;
};

std::uint32_t bits(float w) {
    return std::bit_cast<std::uint32_t>(w);
}

expected_rows rows_of(gid_type n_sources, const std::vector<pending_synapse>& input) {
    expected_rows e;
    e.list = input;
    std::stable_sort(e.list.begin(), e.list.end(),
                     [](const pending_synapse& x, const pending_synapse& y) {
                         return std::tie(x.source, x.delay) < std::tie(y.source, y.delay);
                     });
    e.run_index.assign(n_sources + 1, 0);
    e.syn_index.assign(n_sources + 1, 0);
    std::size_t k = 0;
    for (gid_type g = 0; g < n_sources; ++g) {
        e.syn_index[g] = k;
        while (k < e.list.size() && e.list[k].source == g) {
            std::size_t end = k;
            bool shared = true;
            while (end < e.list.size() && e.list[end].source == g &&
                   e.list[end].delay == e.list[k].delay) {
                shared = shared && bits(e.list[end].weight) == bits(e.list[k].weight);
                ++end;
            }
            synapse_store::run r{e.list[k].delay, static_cast<std::uint32_t>(end - k),
                                 synapse_store::shared_weight_run, e.list[k].weight};
            if (!shared) r.weight_begin = static_cast<std::uint32_t>(e.weights.size());
            for (std::size_t i = k; i < end; ++i) {
                e.targets.push_back(e.list[i].target_code);
                if (!shared) e.weights.push_back(e.list[i].weight);
            }
            e.runs.push_back(r);
            k = end;
        }
        e.run_index[g + 1] = e.runs.size();
    }
    e.syn_index[n_sources] = k;
    return e;
}

using run_tuple = std::tuple<std::uint32_t, std::uint32_t, std::uint32_t, std::uint32_t>;
using synapse_tuple = std::tuple<std::uint32_t, std::uint32_t, std::uint32_t, std::uint32_t>;

template <class Runs>
std::vector<run_tuple> runs_of(const Runs& runs) {
    std::vector<run_tuple> out;
    for (const auto& r : runs)
        out.emplace_back(r.delay, r.count, r.weight_begin, bits(r.weight));
    return out;
}
std::vector<synapse_tuple> tuples_of(const std::vector<pending_synapse>& list) {
    std::vector<synapse_tuple> out;
    for (const auto& s : list)
        out.emplace_back(s.source, s.target_code, bits(s.weight), s.delay);
    return out;
}
template <class T>
std::vector<std::uint32_t> words_of(const big_vector<T>& v) {
    std::vector<std::uint32_t> out;
    for (const T x : v)
        out.push_back(std::bit_cast<std::uint32_t>(x));
    return out;
}
std::vector<std::uint32_t> words_of(const std::vector<float>& v) {
    std::vector<std::uint32_t> out;
    for (const float x : v)
        out.push_back(bits(x));
    return out;
}

// Everything the store shows: its arrays, its row boundaries and its list.
void expect_rows(const synapse_store& store, gid_type n_sources, const expected_rows& e) {
    EXPECT_EQ(store.size(), e.targets.size());
    EXPECT_EQ(std::vector<std::uint32_t>(store.targets().begin(), store.targets().end()),
              e.targets);
    EXPECT_EQ(words_of(store.weights()), words_of(e.weights));
    EXPECT_EQ(runs_of(store.runs()), runs_of(e.runs));
    std::vector<std::uint64_t> run_begin, run_end, syn_begin, want_begin, want_end;
    for (gid_type g = 0; g < n_sources; ++g) {
        run_begin.push_back(store.run_begin(g));
        run_end.push_back(store.run_end(g));
        syn_begin.push_back(store.syn_begin(g));
        want_begin.push_back(e.run_index[g]);
        want_end.push_back(e.run_index[g + 1]);
        EXPECT_EQ(store.has_row(g), e.run_index[g] != e.run_index[g + 1]) << "source " << g;
    }
    EXPECT_EQ(run_begin, want_begin);
    EXPECT_EQ(run_end, want_end);
    EXPECT_EQ(syn_begin, std::vector<std::uint64_t>(e.syn_index.begin(), e.syn_index.end() - 1));
    EXPECT_FALSE(store.has_row(n_sources));
    EXPECT_EQ(tuples_of(store.to_list()), tuples_of(e.list));
}

// Two stores are the same.
void expect_same_store(const synapse_store& a, const synapse_store& b, gid_type n_sources) {
    EXPECT_EQ(words_of(a.targets()), words_of(b.targets()));
    EXPECT_EQ(words_of(a.weights()), words_of(b.weights()));
    EXPECT_EQ(runs_of(a.runs()), runs_of(b.runs()));
    for (gid_type g = 0; g < n_sources; ++g) {
        EXPECT_EQ(a.run_begin(g), b.run_begin(g)) << "source " << g;
        EXPECT_EQ(a.run_end(g), b.run_end(g)) << "source " << g;
        EXPECT_EQ(a.syn_begin(g), b.syn_begin(g)) << "source " << g;
    }
    EXPECT_EQ(tuples_of(a.to_list()), tuples_of(b.to_list()));
}

synapse_store two_pass(gid_type n_sources, const std::vector<pending_synapse>& input,
                       step_type max_delay, std::uint32_t max_index) {
    synapse_store store;
    store.start_counting(n_sources);
    for (const auto& s : input)
        store.count(s.source);
    store.start_placing(max_delay, max_index);
    for (const auto& s : input)
        store.place(s);
    store.finish();
    return store;
}

// Rows of every shape, by source % 8, with target indices up to max_index
// (max_index itself included), receptors 0 to 15 and delays up to max_delay
// (included); then the rows' synapses interleaved at random, each row
// keeping its order. Unless constant, a weight is its synapse's position
// in its row, so that the order within a run shows.
std::vector<pending_synapse> rows_of_every_shape(gid_type n_sources, std::uint32_t max_index,
                                                 std::uint32_t max_delay) {
    random_stream rs(11, 22, max_index);
    std::vector<std::vector<pending_synapse>> rows(n_sources);
    auto index = [&] { return static_cast<std::uint32_t>(rs.below(std::uint64_t{max_index} + 1)); };
    auto delay_below = [&](std::uint32_t n) {
        return static_cast<std::uint32_t>(rs.below(std::uint64_t{n} + 1));
    };
    for (gid_type g = 0; g < n_sources; ++g) {
        auto& row = rows[g];
        auto add = [&](std::uint32_t delay, float weight) {
            const auto receptor = static_cast<std::uint32_t>(rs.below(16));
            row.push_back({static_cast<std::uint32_t>(g), target_code::make(index(), receptor),
                           weight, delay});
        };
        auto position = [&] { return static_cast<float>(row.size()) + 0.5f; };
        switch (g % 8) {
            case 0:  // empty
                break;
            case 1:  // one synapse
                add(delay_below(max_delay), 0.75f);
                break;
            case 2:  // already sorted, constant weight: runs share it
                for (std::uint32_t d = 0; d <= std::min(max_delay, 9u); ++d)
                    for (int c = 0; c < 5; ++c)
                        add(max_delay - std::min(max_delay, 9u) + d, 1.5f);
                break;
            case 3:  // unsorted, short range: counting sort; varying weights
                for (int c = 0; c < 200; ++c)
                    add(max_delay - std::min(max_delay, 12u) +
                            delay_below(std::min(max_delay, 12u)),
                        position());
                break;
            case 4:  // unsorted, some runs with one weight, others varying
                for (int c = 0; c < 120; ++c) {
                    const std::uint32_t d = delay_below(std::min(max_delay, 7u));
                    add(d, d % 2 == 0 ? -2.0f : position());
                }
                break;
            case 5: {  // a wide delay range in few synapses: the stable_sort path
                const std::uint32_t lo = 0, hi = max_delay, mid = max_delay / 2;
                for (const std::uint32_t d : {hi, lo, mid, hi, lo, hi, mid, lo})
                    add(d, position());
                break;
            }
            case 6:  // a long row of few, widely spaced delays (range > 4 len + 64
                     // when max_delay is large): many equal delays out of order
                for (int c = 0; c < 300; ++c) {
                    const std::uint32_t choice[] = {max_delay, 0, max_delay / 3,
                                                    max_delay - (max_delay > 0)};
                    add(choice[rs.below(4)], position());
                }
                break;
            case 7:  // +0 and -0: equal, but not bitwise, so not shared
                for (int c = 0; c < 6; ++c)
                    add(max_delay, c == 4 ? -0.0f : 0.0f);
                add(0, 0.0f);
                add(0, 0.0f);
                break;
        }
    }
    // The extremes appear: index max_index with receptor 15 at max_delay.
    rows[1].push_back({1, target_code::make(max_index, 15), 3.0f, max_delay});
    std::vector<pending_synapse> out;
    std::vector<std::size_t> next(n_sources, 0);
    std::vector<gid_type> left;
    for (gid_type g = 0; g < n_sources; ++g)
        if (!rows[g].empty()) left.push_back(g);
    while (!left.empty()) {
        const std::size_t pick = rs.below(left.size());
        const gid_type g = left[pick];
        out.push_back(rows[g][next[g]++]);
        if (next[g] == rows[g].size()) {
            left[pick] = left.back();
            left.pop_back();
        }
    }
    return out;
}

// (max_index, max_delay) of the synapses, and what they leave of the
// target code's 28 low bits: index bits + delay bits <= 28 packs the delays
// into the codes while building, more needs the separate delay array.
struct delay_mode {
    std::uint32_t max_index, max_delay;
    const char* what;
};
const delay_mode delay_modes[] = {
    {999, 255, "packed: 10 + 8 bits"},
    {(1u << 20) - 1, 255, "packed, all 28 bits: 20 + 8"},
    {target_code::max_index, 0, "packed: 28 index bits, delays all 0"},
    {1u << 20, 255, "separate: 21 + 8 bits"},
    {(1u << 20) + 5, 5000, "separate: 21 + 13 bits"},
    {target_code::max_index, 1, "separate: 28 + 1 bits"},
};

// build() and the two passes (bounds exactly the synapses' largest delay
// and index) both give the rows `want`, and the same store.
void expect_build_and_two_pass_agree(gid_type n_sources, const std::vector<pending_synapse>& input,
                                     const delay_mode& mode, const expected_rows& want) {
    synapse_store built;
    built.build(n_sources, std::vector<pending_synapse>(input));
    {
        SCOPED_TRACE("build");
        expect_rows(built, n_sources, want);
    }
    {
        SCOPED_TRACE("two passes, the exact largest delay and index");
        const synapse_store placed = two_pass(n_sources, input, mode.max_delay, mode.max_index);
        expect_rows(placed, n_sources, want);
        expect_same_store(placed, built, n_sources);
    }
}

TEST(synapse_store_two_pass, makes_the_rows_build_makes_in_both_delay_modes) {
    const gid_type n_sources = 67;  // the last rows: sources 64 (empty) to 66
    for (const auto& mode : delay_modes) {
        SCOPED_TRACE(mode.what);
        const auto input = rows_of_every_shape(n_sources, mode.max_index, mode.max_delay);
        for (const auto& s : input) {
            ASSERT_LE(s.delay, mode.max_delay);
            ASSERT_LE(target_code::index(s.target_code), mode.max_index);
        }
        const expected_rows want = rows_of(n_sources, input);
        ASSERT_GT(want.runs.size(), 50u);
        ASSERT_GT(want.weights.size(), 0u);

        expect_build_and_two_pass_agree(n_sources, input, mode, want);
        {
            // Bounds above the synapses' (as simulation passes max_delay and
            // the thread's last neuron): the same rows.
            SCOPED_TRACE("two passes, larger bounds");
            const std::uint32_t index_bound =
                mode.max_index < target_code::max_index ? mode.max_index + 7 : mode.max_index;
            const synapse_store placed =
                two_pass(n_sources, input, mode.max_delay + 3, index_bound);
            expect_rows(placed, n_sources, want);
        }
        {
            SCOPED_TRACE("two passes, bounds that force the separate delays");
            const synapse_store placed =
                two_pass(n_sources, input, 1 << 20, target_code::max_index);
            expect_rows(placed, n_sources, want);
        }
    }
}

TEST(synapse_store_two_pass, equal_delays_keep_placement_order_in_every_sort) {
    // One row per sort path, weights numbering the placement order; the
    // sources' synapses interleaved. Row 0: counting sort (range 10, 64
    // synapses); row 1: stable sort (range 4001 > 4 * 64 + 64); row 2: in
    // order already.
    for (const std::uint32_t max_index : {100u, (1u << 20) + 1}) {
        SCOPED_TRACE("max_index " + std::to_string(max_index));
        std::vector<pending_synapse> input;
        random_stream rs(3, 4, max_index);
        for (std::uint32_t c = 0; c < 64; ++c)
            for (std::uint32_t g = 0; g < 3; ++g) {
                const std::uint32_t delay = g == 0 ? 1 + static_cast<std::uint32_t>(rs.below(10))
                                            : g == 1
                                                ? 1 + 4000 * static_cast<std::uint32_t>(rs.below(2))
                                                : 1 + c / 8;
                input.push_back(
                    {g, target_code::make(max_index - c, g), static_cast<float>(c), delay});
            }
        const synapse_store store = two_pass(3, input, 4001, max_index);
        expect_rows(store, 3, rows_of(3, input));
        for (gid_type g = 0; g < 3; ++g)
            for (std::uint64_t r = store.run_begin(g); r < store.run_end(g); ++r) {
                const auto& run = store.runs()[r];
                for (std::uint32_t i = 1; i < run.count; ++i)
                    EXPECT_LT(store.weight(run, i - 1), store.weight(run, i))
                        << "source " << g << " delay " << run.delay;
            }
    }
}

TEST(synapse_store_two_pass, one_synapse_rows_and_empty_rows) {
    // Sources 0, 2, 4, ... have one synapse each, the others none (the first
    // and last sources included).
    const gid_type n_sources = 41;
    std::vector<pending_synapse> input;
    for (std::uint32_t g = n_sources - 1; g < n_sources; g -= 2)
        input.push_back({g, target_code::make(g * 3, g % 16), 0.5f * static_cast<float>(g), g});
    const synapse_store store = two_pass(n_sources, input, n_sources, 200);
    expect_rows(store, n_sources, rows_of(n_sources, input));
    EXPECT_EQ(store.runs().size(), 21u);
    EXPECT_TRUE(store.weights().empty()) << "a run of one synapse shares its weight";
    EXPECT_TRUE(store.has_row(0));
    EXPECT_FALSE(store.has_row(1));
    EXPECT_TRUE(store.has_row(40));
}

TEST(synapse_store_two_pass, no_synapses_at_all) {
    synapse_store store;
    store.start_counting(4);
    store.start_placing(100, 1000);
    store.finish();
    EXPECT_EQ(store.size(), 0u);
    EXPECT_TRUE(store.runs().empty());
    for (gid_type g = 0; g < 5; ++g)
        EXPECT_FALSE(store.has_row(g));
    EXPECT_TRUE(store.to_list().empty());
}

TEST(synapse_store_two_pass, constant_and_varying_weights) {
    // Source 0: one delay, one weight (shared); source 1: one delay, weights
    // differing in the last bit (kept); source 2: two delays, the first
    // constant, the second not.
    const float w = 0.3f, w_next = std::nextafter(w, 1.0f);
    const std::vector<pending_synapse> input = {{0, 1, w, 2},    {1, 2, w, 2},      {2, 3, 1.0f, 5},
                                                {0, 4, w, 2},    {1, 5, w_next, 2}, {2, 6, 2.0f, 4},
                                                {2, 7, 1.0f, 5}, {2, 8, 3.0f, 4},   {0, 9, w, 2}};
    for (const std::uint32_t max_index : {9u, target_code::max_index}) {
        const synapse_store store = two_pass(3, input, 5, max_index);
        expect_rows(store, 3, rows_of(3, input));
        ASSERT_EQ(store.runs().size(), 4u);
        const auto& runs = store.runs();
        EXPECT_TRUE(runs[0].shared());
        EXPECT_EQ(runs[0].weight, w);
        EXPECT_EQ(runs[0].count, 3u);
        EXPECT_FALSE(runs[1].shared());
        EXPECT_EQ(runs[1].weight_begin, 0u);
        EXPECT_FALSE(runs[2].shared()) << "source 2, delay 4: weights 2 and 3";
        EXPECT_EQ(runs[2].delay, 4u);
        EXPECT_EQ(runs[2].weight_begin, 2u);
        EXPECT_TRUE(runs[3].shared()) << "source 2, delay 5: weight 1 twice";
        EXPECT_EQ(runs[3].weight, 1.0f);
        EXPECT_EQ(words_of(store.weights()), words_of(std::vector<float>{w, w_next, 2.0f, 3.0f}));
    }
}

TEST(synapse_store_two_pass, placing_more_than_counted_is_an_internal_error) {
    for (const std::uint32_t max_index : {10u, target_code::max_index}) {
        synapse_store store;
        store.start_counting(3);
        store.count(1);
        store.count(1);
        store.count(2);
        store.start_placing(4, max_index);
        EXPECT_NO_THROW(store.place({1, 5, 1.0f, 4}));
        EXPECT_NO_THROW(store.place({2, 6, 1.0f, 3}));
        EXPECT_NO_THROW(store.place({1, 7, 1.0f, 2}));
        EXPECT_THROW(store.place({1, 8, 1.0f, 1}), internal_error) << "a third for source 1";
        EXPECT_THROW(store.place({2, 8, 1.0f, 1}), internal_error) << "a second for source 2";
        EXPECT_THROW(store.place({0, 8, 1.0f, 1}), internal_error) << "source 0 counted none";
    }
}

TEST(synapse_store_two_pass, placing_fewer_than_counted_is_an_internal_error_at_finish) {
    for (const std::uint32_t max_index : {10u, target_code::max_index}) {
        synapse_store store;
        store.start_counting(4);
        store.count(0);
        store.count(2);
        store.count(2);
        store.count(3);
        store.start_placing(4, max_index);
        store.place({2, 1, 1.0f, 4});
        store.place({0, 1, 1.0f, 4});
        store.place({3, 1, 1.0f, 4});
        EXPECT_THROW(store.finish(), internal_error) << "source 2 got one of two";
    }
}

// Whether an internal_error comes from place() or finish() when the counts
// are `counted` and the synapses placed are `placed`.
bool internal_error_by_finish(gid_type n_sources, const std::vector<pending_synapse>& counted,
                              const std::vector<pending_synapse>& placed, std::uint32_t max_index) {
    synapse_store store;
    store.start_counting(n_sources);
    for (const auto& s : counted)
        store.count(s.source);
    store.start_placing(5000, max_index);
    try {
        for (const auto& s : placed)
            store.place(s);
        store.finish();
    } catch (const internal_error&) {
        return true;
    }
    return false;
}

TEST(synapse_store_two_pass, large_stores_placed_in_chunks_are_the_same) {
    // Over a million synapses (placement may then group them by source a
    // chunk at a time): rows spanning chunks keep their order.
    const gid_type n_sources = 16000;
    for (const auto& mode : {delay_modes[0], delay_modes[4]}) {
        SCOPED_TRACE(mode.what);
        const auto input = rows_of_every_shape(n_sources, mode.max_index, mode.max_delay);
        // Two chunks and a part (chunks are used when there are more synapses
        // than a chunk and not too many sources).
        ASSERT_GT(input.size(), 2 * synapse_store::chunk_synapses);
        ASSERT_LE(n_sources, 8 * synapse_store::chunk_synapses);
        const expected_rows want = rows_of(n_sources, input);
        expect_build_and_two_pass_agree(n_sources, input, mode, want);
        // One synapse more than counted, early or last; one fewer.
        for (const std::size_t at : {std::size_t{10}, input.size()}) {
            auto more = input;
            more.insert(more.begin() + static_cast<std::ptrdiff_t>(at), input[at - 1]);
            EXPECT_TRUE(internal_error_by_finish(n_sources, input, more, mode.max_index))
                << "one more at " << at;
        }
        auto fewer = input;
        fewer.erase(fewer.begin() + 777);
        EXPECT_TRUE(internal_error_by_finish(n_sources, input, fewer, mode.max_index));
        EXPECT_FALSE(internal_error_by_finish(n_sources, input, input, mode.max_index));
    }
}

TEST(synapse_store_two_pass, a_store_can_be_built_again) {
    // Built once with separate delays, then again with packed ones, then
    // with separate ones: each time as if new.
    const gid_type n_sources = 24;
    synapse_store store;
    for (const auto& mode : {delay_modes[4], delay_modes[0], delay_modes[5]}) {
        SCOPED_TRACE(mode.what);
        const auto input = rows_of_every_shape(n_sources, mode.max_index, mode.max_delay);
        store.start_counting(n_sources);
        for (const auto& s : input)
            store.count(s.source);
        store.start_placing(mode.max_delay, mode.max_index);
        for (const auto& s : input)
            store.place(s);
        store.finish();
        expect_rows(store, n_sources, rows_of(n_sources, input));
    }
}

// ---------------------------------------------------------------------------
// deliver_spikes

TEST(deliver_spikes, adds_weights_at_step_plus_delay_to_receptor_and_neuron) {
    // Sources 0..5; neurons 0..3 of the thread; receptors 0 and 1.
    std::vector<pending_synapse> in = {
        {2, target_code::make(0, 0), 0.5f, 3},   {2, target_code::make(3, 1), -1.25f, 3},
        {2, target_code::make(1, 0), 2.0f, 5},   {4, target_code::make(0, 0), 0.25f, 4},
        {4, target_code::make(0, 0), 0.125f, 4}, {5, target_code::make(2, 1), 8.0f, 1}};
    synapse_store store;
    store.build(6, std::move(in));
    const std::size_t n_slots = 8;
    ring_buffer buffer(2, n_slots, 4);

    // Interval starting at step 100: source 2 at step 101, source 4 at step
    // 100 and 102, source 1 (no synapses) at 100, gid 9 (beyond the store) at 101.
    const step_type first = 100;
    std::vector<std::uint64_t> words = {spike_word::pack(2, 1), spike_word::pack(4, 0),
                                        spike_word::pack(4, 2), spike_word::pack(1, 0),
                                        spike_word::pack(9, 1)};
    std::sort(words.begin(), words.end());
    const std::uint64_t events = deliver_spikes(store, buffer, words, first);
    EXPECT_EQ(events, 3u + 2u + 2u);

    // (receptor, step, neuron) -> value. Cell (0, 104, 0) receives source 2
    // (101 + 3) and source 4 (100 + 4).
    const std::map<std::tuple<std::size_t, step_type, std::size_t>, double> expect = {
        {{0, 104, 0}, 0.5 + 0.25 + 0.125},
        {{1, 104, 3}, -1.25},         // source 2 at 101 + 3, receptor 1
        {{0, 106, 1}, 2.0},           // source 2 at 101 + 5
        {{0, 106, 0}, 0.25 + 0.125},  // source 4 at 102 + 4
    };
    for (std::size_t r = 0; r < 2; ++r)
        for (step_type s = first; s < first + static_cast<step_type>(n_slots); ++s)
            for (std::size_t i = 0; i < 4; ++i) {
                const auto it = expect.find({r, s, i});
                const double want = it == expect.end() ? 0.0 : it->second;
                EXPECT_EQ(buffer.row(r, s)[i], want)
                    << "receptor " << r << " step " << s << " neuron " << i;
            }
}

TEST(deliver_spikes, nothing_to_deliver) {
    synapse_store store;
    store.build(3, {});
    ring_buffer buffer(1, 4, 2);
    EXPECT_EQ(deliver_spikes(store, buffer, {spike_word::pack(0, 0), spike_word::pack(2, 1)}, 0),
              0u);
    for (const double x : buffer.data())
        EXPECT_EQ(x, 0.0);
}

TEST(deliver_spikes, a_source_spiking_twice_in_a_step_delivers_twice) {
    std::vector<pending_synapse> in = {{0, target_code::make(1, 0), 1.5f, 2}};
    synapse_store store;
    store.build(1, std::move(in));
    ring_buffer buffer(1, 4, 2);
    const std::uint64_t w = spike_word::pack(0, 0);
    EXPECT_EQ(deliver_spikes(store, buffer, {w, w}, 10), 2u);
    EXPECT_EQ(buffer.row(0, 12)[1], 3.0);
}

TEST(spike_word, packs_gid_and_lag_and_sorts_by_step_then_gid) {
    EXPECT_EQ(spike_word::gid(spike_word::pack(spike_word::max_gid, 5)), spike_word::max_gid);
    EXPECT_EQ(spike_word::lag(spike_word::pack(spike_word::max_gid, 5)), 5);
    EXPECT_EQ(spike_word::lag(spike_word::pack(3, spike_word::max_interval_steps - 1)),
              spike_word::max_interval_steps - 1);
    EXPECT_LT(spike_word::pack(1000, 0), spike_word::pack(0, 1));
    EXPECT_LT(spike_word::pack(3, 2), spike_word::pack(4, 2));
    spike_buffer b;
    b.start_interval(40);
    b.emit(7, 42);
    b.emit(2, 40);
    ASSERT_EQ(b.words().size(), 2u);
    EXPECT_EQ(spike_word::lag(b.words()[0]), 2);
    EXPECT_EQ(spike_word::gid(b.words()[0]), 7u);
    EXPECT_EQ(b.first_step(), 40);
    b.start_interval(50);
    EXPECT_TRUE(b.words().empty());
}

TEST(spike_buffer, emit_flagged_emits_each_nonzero_flag_once_in_order) {
    // Flags of any nonzero value (several bits in one byte, every byte of a
    // word), runs of silence, and lengths that are not a multiple of 8.
    random_stream rs(4, 1, 0);
    for (const std::size_t n : {0u, 1u, 7u, 8u, 9u, 64u, 203u}) {
        for (const double p : {0.0, 0.05, 0.5, 1.0}) {
            std::vector<std::uint8_t> flags(n);
            std::vector<gid_type> gids(n);
            std::vector<std::uint64_t> want;
            for (std::size_t i = 0; i < n; ++i) {
                gids[i] = 1000 + 3 * i;
                if (rs.uniform() < p) flags[i] = static_cast<std::uint8_t>(1 + rs.below(255));
                if (flags[i]) want.push_back(spike_word::pack(gids[i], 4));
            }
            spike_buffer b;
            b.start_interval(10);
            b.emit_flagged(flags.data(), gids.data(), n, 14);
            EXPECT_EQ(b.words(), want) << n << " flags, p " << p;
        }
    }
}

}  // namespace
}  // namespace ganglion
