// Delivery at arrival (core/deliver.hpp arrival_queue) against delivery at
// emission (deliver_spikes), and the Poisson drive (core/poisson_drive.hpp)
// against drawing each source's count on its own.

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <tuple>
#include <utility>
#include <vector>

#include "core/deliver.hpp"
#include "core/poisson.hpp"
#include "core/poisson_drive.hpp"
#include "core/ring_buffer.hpp"
#include "core/spike_buffer.hpp"
#include "core/synapse_store.hpp"

namespace ganglion {
namespace {

constexpr std::uint32_t n_sources = 60, n_neurons = 24;

// Rows with every delay in [D, max_delay], multapses (the same target twice
// with the same delay), constant-weight runs (a projection with one weight)
// and weights of very different sizes, so that adding in another order
// would change the sums' last bits.
synapse_store make_store(std::uint32_t D, std::uint32_t max_delay, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<std::uint32_t> target(0, n_neurons - 1), delay(D, max_delay),
        receptor(0, 1), count(0, 40);
    std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
    std::vector<pending_synapse> pending;
    for (std::uint32_t g = 0; g < n_sources; ++g) {
        const bool constant = g % 5 == 0;
        const float scale = g % 3 == 0 ? 1e6f : 1e-3f;
        for (std::uint32_t k = count(rng); k > 0; --k) {
            const std::uint32_t t = target(rng), d = delay(rng), r = receptor(rng);
            const float w = constant ? 0.75f : scale * unit(rng);
            pending.push_back({g, target_code::make(t, r), w, d});
            if (k % 7 == 0) pending.push_back({g, target_code::make(t, r), w * 0.5f, d});
        }
    }
    synapse_store store;
    store.build(n_sources, std::move(pending));
    return store;
}

// Spikes of `intervals` intervals of D steps: sorted words, some sources
// twice in a step, some sources without a row.
std::vector<std::vector<std::uint64_t>> make_spikes(std::uint32_t D, int intervals, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<std::uint32_t> source(0, n_sources + 5), count(0, 6),
        lag(0, D - 1);
    std::vector<std::vector<std::uint64_t>> out(intervals);
    for (auto& words : out) {
        for (std::uint32_t k = count(rng); k > 0; --k) {
            const std::uint64_t w = spike_word::pack(source(rng), lag(rng));
            words.push_back(w);
            if (k == 3) words.push_back(w);
        }
        std::sort(words.begin(), words.end());
    }
    return out;
}

bool same_bits(double a, double b) {
    return std::memcmp(&a, &b, sizeof a) == 0;
}

struct delay_case {
    std::uint32_t D, max_delay;
};

class arrival_queue_cases : public ::testing::TestWithParam<delay_case> {};

TEST_P(arrival_queue_cases, gives_every_cell_the_sum_of_push_delivery_bit_for_bit) {
    const auto [D, max_delay] = GetParam();
    const int intervals = 40;
    const synapse_store store = make_store(D, max_delay, 1 + D);
    const auto spikes = make_spikes(D, intervals, 2 + D);
    // Buffers long enough never to wrap: every cell keeps what it got.
    const std::size_t n_slots = intervals * D + max_delay + 2 * D;
    ring_buffer push(2, n_slots, n_neurons), pull(2, n_slots, n_neurons);
    arrival_queue queue;
    std::uint64_t pushed = 0, pulled = 0;
    for (int i = 0; i < intervals; ++i) {
        const step_type first = static_cast<step_type>(i) * D, last = first + D;
        pushed += deliver_spikes(store, push, spikes[i], first);
        queue.add(store, spikes[i], first, first);
        // Nothing arrives in the interval the spikes were emitted in.
        for (std::size_t r = 0; r < 2; ++r)
            for (step_type s = last; s < last + static_cast<step_type>(D); ++s)
                for (std::size_t n = 0; n < n_neurons; ++n)
                    ASSERT_EQ(pull.row(r, s)[n], 0.0) << "step " << s << " written too early";
        pulled += queue.deliver(store, pull, last, last + D);
    }
    // The rest arrives later.
    const step_type end = static_cast<step_type>(intervals) * D;
    pulled += queue.deliver(store, pull, end + D, end + D + max_delay);
    EXPECT_EQ(queue.size(), 0u) << "every row done";
    EXPECT_EQ(pulled, pushed);
    EXPECT_GT(pushed, 1000u);
    int differ = 0, nonzero = 0;
    for (std::size_t r = 0; r < 2; ++r)
        for (step_type s = 0; s < static_cast<step_type>(n_slots); ++s)
            for (std::size_t n = 0; n < n_neurons; ++n) {
                differ += !same_bits(push.row(r, s)[n], pull.row(r, s)[n]);
                nonzero += push.row(r, s)[n] != 0.0;
            }
    EXPECT_EQ(differ, 0);
    EXPECT_GT(nonzero, 100);
}

TEST_P(arrival_queue_cases, restarted_from_the_recent_spikes_continues_the_same) {
    // A checkpoint keeps the spikes of the last max_delay steps and restarts
    // the queue with the runs arriving before the next interval's end
    // taken as delivered (simulation::restore).
    const auto [D, max_delay] = GetParam();
    const int intervals = 30, cut = 17;
    const synapse_store store = make_store(D, max_delay, 3 + D);
    const auto spikes = make_spikes(D, intervals, 4 + D);
    const std::size_t n_slots = intervals * D + max_delay + 2 * D;
    ring_buffer a(2, n_slots, n_neurons), b(2, n_slots, n_neurons);
    arrival_queue qa, qb;
    for (int i = 0; i < intervals; ++i) {
        const step_type first = static_cast<step_type>(i) * D, last = first + D;
        qa.add(store, spikes[i], first, first);
        qa.deliver(store, a, last, last + D);
        if (i < cut) {
            qb.add(store, spikes[i], first, first);
            qb.deliver(store, b, last, last + D);
        } else if (i == cut) {
            // Checkpoint after this interval, then restart: a fresh queue
            // from the spikes of every interval so far.
            qb.add(store, spikes[i], first, first);
            qb.deliver(store, b, last, last + D);
            arrival_queue fresh;
            for (int k = 0; k <= i; ++k)
                for (const std::uint64_t w : spikes[k])
                    fresh.add(store, spike_word::gid(w),
                              static_cast<step_type>(k) * D + spike_word::lag(w), last + D);
            qb = std::move(fresh);
        } else {
            qb.add(store, spikes[i], first, first);
            qb.deliver(store, b, last, last + D);
        }
    }
    const step_type end = static_cast<step_type>(intervals) * D;
    qa.deliver(store, a, end + D, end + D + max_delay);
    qb.deliver(store, b, end + D, end + D + max_delay);
    int differ = 0;
    for (std::size_t r = 0; r < 2; ++r)
        for (step_type s = 0; s < static_cast<step_type>(n_slots); ++s)
            for (std::size_t n = 0; n < n_neurons; ++n)
                differ += !same_bits(a.row(r, s)[n], b.row(r, s)[n]);
    EXPECT_EQ(differ, 0);
}

INSTANTIATE_TEST_SUITE_P(delays, arrival_queue_cases,
                         ::testing::Values(delay_case{1, 1}, delay_case{1, 12}, delay_case{3, 3},
                                           delay_case{3, 20}, delay_case{5, 9}));

TEST(arrival_queue, writes_only_the_rows_of_the_steps_asked_for) {
    // Source 0: delays 2 and 4 onto neuron 1; source 1: delay 3 onto neuron 0.
    synapse_store store;
    store.build(2, {{0, target_code::make(1, 0), 1.0f, 2},
                    {0, target_code::make(1, 1), 2.0f, 4},
                    {1, target_code::make(0, 0), 4.0f, 3}});
    ring_buffer buffer(2, 16, 2);
    arrival_queue queue;
    queue.add(store, {spike_word::pack(0, 0), spike_word::pack(1, 0), spike_word::pack(5, 0)}, 10,
              10);
    EXPECT_EQ(queue.size(), 2u) << "gid 5 has no row";
    EXPECT_EQ(queue.deliver(store, buffer, 11, 13), 1u);  // step 12 only
    EXPECT_EQ(buffer.row(0, 12)[1], 1.0);
    EXPECT_EQ(buffer.row(0, 13)[0], 0.0) << "step 13 not asked for yet";
    EXPECT_EQ(queue.deliver(store, buffer, 13, 15), 2u);
    EXPECT_EQ(buffer.row(0, 13)[0], 4.0);
    EXPECT_EQ(buffer.row(1, 14)[1], 2.0);
    EXPECT_EQ(queue.size(), 0u);
    double sum = 0;
    for (const double x : buffer.data())
        sum += x;
    EXPECT_EQ(sum, 7.0) << "nothing else written";
}

TEST(arrival_queue, runs_arriving_before_not_before_count_as_delivered) {
    synapse_store store;
    store.build(1, {{0, target_code::make(0, 0), 1.0f, 2}, {0, target_code::make(0, 0), 2.0f, 5}});
    ring_buffer buffer(1, 16, 1);
    arrival_queue queue;
    queue.add(store, 0, 10, 13);  // the delay-2 run (step 12) was delivered
    EXPECT_EQ(queue.deliver(store, buffer, 12, 16), 1u);
    EXPECT_EQ(buffer.row(0, 12)[0], 0.0);
    EXPECT_EQ(buffer.row(0, 15)[0], 2.0);
    queue.add(store, 0, 10, 16);  // both arrived: nothing queued
    EXPECT_EQ(queue.size(), 0u);
}

// ---------------------------------------------------------------------------
// poisson_drive

// Population A (gids 100..139): uniform, all direct with one delay and
// weight. Population B (gids 200..229): direct with their own delays,
// receptors and weights, except every 4th source, which has other synapses
// here (handed back). Population C (gids 300..309): one-to-one onto neurons
// 5..14 (the consecutive-target loop), of delay `c_delay`.
struct three_populations {
    std::vector<gid_type> ga, gb, gc;
    std::vector<poisson_drive::direct_synapse> da, db, dc;
};
three_populations make_three_populations(std::uint32_t c_delay) {
    three_populations t;
    for (std::uint32_t i = 0; i < 40; ++i) {
        t.ga.push_back(100 + i);
        t.da.push_back({i % 20, 0, 3, 0.5f});
    }
    for (std::uint32_t i = 0; i < 30; ++i) {
        t.gb.push_back(200 + i);
        t.db.push_back(i % 4 == 0 ? poisson_drive::direct_synapse{}
                                  : poisson_drive::direct_synapse{(i * 7) % 20, i % 2, 1 + i % 5,
                                                                  -0.25f * static_cast<float>(i)});
    }
    for (std::uint32_t i = 0; i < 10; ++i) {
        t.gc.push_back(300 + i);
        t.dc.push_back({5 + i, 1, c_delay, 0.125f});
    }
    return t;
}

TEST(poisson_drive, equals_each_source_drawn_on_its_own_in_gid_order) {
    const double dt = 0.1;
    const poisson_process fast = poisson_process::make(16000.0, 0.0, 1e9, dt, 9, 3);
    const poisson_process slow = poisson_process::make(300.0, 2.0, 5.0, dt, 9, 4);  // steps 20..70
    const auto [ga, gb, gc, da, db, dc] = make_three_populations(2);
    poisson_drive drive;
    drive.add_population(fast, ga, da);
    drive.add_population(slow, gb, db);
    drive.add_population(fast, gc, dc);
    EXPECT_EQ(drive.size(), 80u);
    const std::size_t n_slots = 120;
    ring_buffer got(2, n_slots, 20), want(2, n_slots, 20);
    std::vector<std::pair<gid_type, int>> handed, expected;
    for (step_type s = 0; s < 100; ++s) {
        drive.step(s, got, [&](gid_type g, int k) { handed.emplace_back(g, k); });
        auto add = [&](const poisson_process& p, gid_type g,
                       const poisson_drive::direct_synapse& d) {
            if (!p.active(s)) return;
            const int k = p.count(g, s);
            if (d.index == poisson_drive::direct_synapse::none) {
                if (k > 0) expected.emplace_back(g, k);
                return;
            }
            if (k > 0)
                want.row(d.receptor, s + d.delay)[d.index] +=
                    static_cast<double>(d.weight) * static_cast<double>(k);
        };
        for (std::size_t i = 0; i < ga.size(); ++i)
            add(fast, ga[i], da[i]);
        for (std::size_t i = 0; i < gb.size(); ++i)
            add(slow, gb[i], db[i]);
        for (std::size_t i = 0; i < gc.size(); ++i)
            add(fast, gc[i], dc[i]);
    }
    EXPECT_EQ(handed, expected);
    EXPECT_FALSE(expected.empty());
    int differ = 0;
    double total = 0;
    for (std::size_t k = 0; k < got.data().size(); ++k) {
        differ += !same_bits(got.data()[k], want.data()[k]);
        total += got.data()[k];
    }
    EXPECT_EQ(differ, 0);
    EXPECT_NE(total, 0.0);
}

TEST(poisson_drive, saturates_spinnaker_slots_as_one_spike_at_a_time) {
    // SpiNNaker mode: 16-bit slots, whole-number weights. Weights large
    // enough that a step's counts often overflow a slot: the drive must leave
    // every slot and the saturation count as adding each spike on its own,
    // in gid order, would.
    const double dt = 0.1;
    const poisson_process fast = poisson_process::make(16000.0, 0.0, 1e9, dt, 11, 3);
    std::vector<gid_type> ga, gb, gc;
    std::vector<poisson_drive::direct_synapse> da, db, dc;
    for (std::uint32_t i = 0; i < 40; ++i) {  // uniform, two sources per cell
        ga.push_back(100 + i);
        da.push_back({i % 20, 0, 3, static_cast<float>(0x5000)});
    }
    for (std::uint32_t i = 0; i < 30; ++i) {  // own delays, receptors, weights
        gb.push_back(200 + i);
        db.push_back(
            i % 4 == 0 ? poisson_drive::direct_synapse{}
                       : poisson_drive::direct_synapse{(i * 7) % 20, i % 2, 1 + i % 5,
                                                       static_cast<float>((i * 0x1234) & 0xFFFF)});
    }
    for (std::uint32_t i = 0; i < 10; ++i) {  // one-to-one onto consecutive cells
        gc.push_back(300 + i);
        dc.push_back({5 + i, 1, 2, static_cast<float>(0x7000)});
    }
    poisson_drive drive;
    drive.add_population(fast, ga, da);
    drive.add_population(fast, gb, db);
    drive.add_population(fast, gc, dc);
    const std::size_t n_slots = 120;
    fixed_ring_buffer got(2, n_slots, 20), want(2, n_slots, 20);
    std::uint64_t got_saturations = 0, want_saturations = 0;
    std::size_t handed = 0;
    for (step_type s = 0; s < 100; ++s) {
        drive.step(
            s, got, [&](gid_type, int) { ++handed; }, &got_saturations);
        auto add = [&](gid_type g, const poisson_drive::direct_synapse& d) {
            if (d.index == poisson_drive::direct_synapse::none) return;
            std::uint16_t& x = want.row(d.receptor, s + d.delay)[d.index];
            for (int k = fast.count(g, s); k > 0; --k)
                x = static_cast<std::uint16_t>(
                    fixed::accumulate(x, static_cast<std::uint32_t>(d.weight), want_saturations));
        };
        for (std::size_t i = 0; i < ga.size(); ++i)
            add(ga[i], da[i]);
        for (std::size_t i = 0; i < gb.size(); ++i)
            add(gb[i], db[i]);
        for (std::size_t i = 0; i < gc.size(); ++i)
            add(gc[i], dc[i]);
    }
    EXPECT_GT(handed, 0u);
    EXPECT_GT(want_saturations, 100u) << "the test should saturate";
    EXPECT_EQ(got_saturations, want_saturations);
    EXPECT_TRUE(got.data() == want.data()) << "the slots differ";
}

TEST(poisson_drive, drawn_at_arrival_adds_what_emission_pushed_d_steps_earlier) {
    // The same three kinds of population as above (uniform, per-source
    // synapses with some sources handed back, one-to-one), each of one delay
    // d. Drawn at arrival into a buffer of D slots, row t read and cleared
    // after arrive(t): every row must hold, bit for bit, what step() pushed
    // into it at emission, d steps earlier, and each handed-back source must
    // come with its emission step. (Each population has receptors of its
    // own: where two populations of different delays meet in one cell,
    // arrival adds them in population order, emission in step order.)
    const double dt = 0.1;
    const poisson_process fast = poisson_process::make(16000.0, 0.0, 1e9, dt, 9, 3);
    const poisson_process late = poisson_process::make(3000.0, 2.0, 5.0, dt, 9, 4);  // 20..50
    constexpr std::uint32_t da = 3, db = 7, dc = 12, D = 2;
    std::vector<gid_type> ga, gb, gc;
    std::vector<poisson_drive::direct_synapse> xa, xb, xc;
    for (std::uint32_t i = 0; i < 40; ++i) {
        ga.push_back(100 + i);
        xa.push_back({i % 20, 0, da, 0.5f});
    }
    for (std::uint32_t i = 0; i < 30; ++i) {
        gb.push_back(200 + i);
        xb.push_back(i % 4 == 0 ? poisson_drive::direct_synapse{}
                                : poisson_drive::direct_synapse{(i * 7) % 20, 1 + i % 2, db,
                                                                -0.25f * static_cast<float>(i)});
    }
    for (std::uint32_t i = 0; i < 10; ++i) {
        gc.push_back(300 + i);
        xc.push_back({5 + i, 3, dc, 0.125f});
    }
    poisson_drive pushed, arriving;
    pushed.add_population(fast, ga, xa);
    pushed.add_population(late, gb, xb);
    pushed.add_population(fast, gc, xc);
    arriving.add_population(fast, ga, xa, da);
    arriving.add_population(late, gb, xb, db);
    arriving.add_population(fast, gc, xc, dc);
    // Pushed at emission into a buffer that never wraps.
    ring_buffer want(4, 100 + dc, 20), got(4, D, 20);
    std::vector<std::tuple<gid_type, int, step_type>> handed, expected;
    for (step_type s = 0; s < 100; ++s)
        pushed.step(s, want, [&](gid_type g, int k) { expected.emplace_back(g, k, s); });
    int differ = 0, nonzero = 0;
    for (step_type t = 0; t < 100 + static_cast<step_type>(da); ++t) {
        arriving.arrive(t, got, [&](gid_type g, int k, step_type s) {
            EXPECT_EQ(s, t - static_cast<step_type>(db)) << "only population B hands back";
            handed.emplace_back(g, k, s);
        });
        for (std::size_t r = 0; r < 4; ++r)
            for (std::size_t i = 0; i < 20; ++i) {
                differ += !same_bits(got.row(r, t)[i], want.row(r, t)[i]);
                nonzero += got.row(r, t)[i] != 0;
                got.row(r, t)[i] = 0;
            }
    }
    EXPECT_EQ(differ, 0);
    EXPECT_GT(nonzero, 1000);
    // Handed back in emission order; the arrival run ends 3 steps after the
    // last emission step, so B's spikes of steps > 96 were not drawn yet.
    std::vector<std::tuple<gid_type, int, step_type>> expected_drawn;
    for (const auto& e : expected)
        if (std::get<2>(e) + static_cast<step_type>(db) < 100 + static_cast<step_type>(da))
            expected_drawn.push_back(e);
    EXPECT_EQ(handed, expected_drawn);
    EXPECT_FALSE(handed.empty());
}

TEST(poisson_drive, an_arrival_delay_must_be_every_direct_synapse_s) {
    const poisson_process p = poisson_process::make(10.0, 0.0, 100.0, 0.1, 1, 1);
    poisson_drive drive;
    EXPECT_ANY_THROW(drive.add_population(p, {10, 11}, {{0, 0, 3, 1.0f}, {1, 0, 4, 1.0f}}, 3));
    EXPECT_NO_THROW(drive.add_population(p, {20, 21}, {{0, 0, 3, 1.0f}, {}}, 3));
}

TEST(poisson_drive, populations_must_come_in_gid_order) {
    const poisson_process p = poisson_process::make(10.0, 0.0, 100.0, 0.1, 1, 1);
    poisson_drive drive;
    drive.add_population(p, {10, 11}, {{0, 0, 1, 1.0f}, {1, 0, 1, 1.0f}});
    EXPECT_ANY_THROW(drive.add_population(p, {5}, {{0, 0, 1, 1.0f}}));
    EXPECT_ANY_THROW(drive.add_population(p, {20, 21}, {{0, 0, 1, 1.0f}}));
}

TEST(poisson_drive, drawing_ahead_gives_the_words_of_drawing_in_place) {
    // Two drives of the same three populations (uniform; per-source synapses
    // with some sources handed back; one drawn at arrival): one draws ahead
    // between steps by varying amounts (as a thread waiting at a barrier
    // does: sometimes part of a block, sometimes all of it, sometimes none),
    // the other never. Every row and every handed-back count must be the
    // same, bit for bit.
    const double dt = 0.1;
    const poisson_process fast = poisson_process::make(16000.0, 0.0, 1e9, dt, 9, 3);
    const poisson_process late = poisson_process::make(3000.0, 2.0, 5.0, dt, 9, 4);  // 20..50
    const auto [ga, gb, gc, xa, xb, xc] = make_three_populations(4);
    poisson_drive ahead, in_place;
    for (poisson_drive* d : {&ahead, &in_place}) {
        d->add_population(fast, ga, xa);
        d->add_population(late, gb, xb);
        d->add_population(fast, gc, xc, 4);
    }
    EXPECT_FALSE(ahead.work_ahead(100)) << "nothing in use yet, nothing to draw ahead";
    const std::size_t n_slots = 16;
    ring_buffer got(2, n_slots, 20), want(2, n_slots, 20);
    std::vector<std::tuple<gid_type, int, step_type>> got_handed, want_handed;
    int drawn_ahead = 0;
    for (step_type s = 0; s < 120; ++s) {
        for (int k = 0; k < s % 5; ++k)  // 0 to 4 chunks of 7 sources
            drawn_ahead += ahead.work_ahead(7) ? 1 : 0;
        if (s % 16 == 9)
            while (ahead.work_ahead(1000))
                ++drawn_ahead;
        ahead.step(s, got, [&](gid_type g, int k) { got_handed.emplace_back(g, k, s); });
        in_place.step(s, want, [&](gid_type g, int k) { want_handed.emplace_back(g, k, s); });
        ahead.arrive(s, got,
                     [&](gid_type g, int k, step_type e) { got_handed.emplace_back(g, k, e); });
        in_place.arrive(s, want,
                        [&](gid_type g, int k, step_type e) { want_handed.emplace_back(g, k, e); });
        for (std::size_t r = 0; r < 2; ++r)
            for (std::size_t i = 0; i < 20; ++i) {
                ASSERT_EQ(got.row(r, s)[i], want.row(r, s)[i]) << "step " << s;
                got.row(r, s)[i] = want.row(r, s)[i] = 0;
            }
    }
    EXPECT_GT(drawn_ahead, 50) << "a test that cannot fail";
    EXPECT_GT(want_handed.size(), 10u);
    EXPECT_EQ(got_handed, want_handed);
    // And each handed-back count is the source's own (the two drives share
    // their code).
    for (const auto& [g, k, e] : got_handed)
        EXPECT_EQ(k, late.count(g, e)) << "source " << g << " step " << e;
}

}  // namespace
}  // namespace ganglion
