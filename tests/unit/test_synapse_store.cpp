// Tests for core/synapse_store.cpp (rows keyed by source, runs of equal
// delay) and core/deliver.cpp (spikes into ring buffers at step + delay).

#include "core/synapse_store.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
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

}  // namespace
}  // namespace ganglion
