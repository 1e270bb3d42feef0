// Tests for comm/dry_run_communicator.hpp: one process answering as P ranks
// would, with the other ranks' spikes made from this rank's under the
// round-robin partition.

#include "comm/dry_run_communicator.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "core/error.hpp"
#include "core/spike_buffer.hpp"

namespace ganglion {
namespace {

// Spikes of rank `rank` of `P`: every local gid below n_gids once, lags
// cycling 0..2, in emission order (lag, then gid), as one thread's buffer.
std::vector<std::uint64_t> local_words(int P, int rank, gid_type n_gids) {
    std::vector<std::uint64_t> words;
    for (step_type lag = 0; lag < 3; ++lag)
        for (gid_type g = static_cast<gid_type>(rank); g < n_gids; g += static_cast<gid_type>(P))
            if (static_cast<step_type>(g / static_cast<gid_type>(P)) % 3 == lag)
                words.push_back(spike_word::pack(g, lag));
    return words;
}

TEST(dry_run_communicator, plays_the_rank_it_is_given) {
    const dry_run_communicator comm(16, 1000, 5);
    EXPECT_EQ(comm.size(), 16);
    EXPECT_EQ(comm.rank(), 5);
    EXPECT_EQ(comm.ranks_on_node(), 1);
    EXPECT_EQ(comm.n_gids(), 1000u);
    EXPECT_EQ(dry_run_communicator(4, 10).rank(), 0);
}

TEST(dry_run_communicator, rejects_impossible_setups) {
    EXPECT_THROW(dry_run_communicator(0, 10), error);
    EXPECT_THROW(dry_run_communicator(4, 10, 4), error);
    EXPECT_THROW(dry_run_communicator(4, 10, -1), error);
    EXPECT_THROW(dry_run_communicator(4, spike_word::max_gid + 2), error);
    EXPECT_NO_THROW(dry_run_communicator(4, spike_word::max_gid + 1));
}

// n_gids a multiple of P: every rank has as many neurons as rank 0, so the
// gather holds P copies; each rank's block holds only its own gids, blocks
// in rank order, each the local block with gids moved and lags kept.
TEST(dry_run_communicator, gathers_one_block_per_rank_in_rank_order) {
    for (const int P : {1, 2, 3, 8, 64}) {
        const gid_type n_gids = 12 * static_cast<gid_type>(P);
        dry_run_communicator comm(P, n_gids);
        const auto local = local_words(P, 0, n_gids);
        ASSERT_EQ(local.size(), 12u);
        std::vector<std::uint64_t> global{42};  // replaced, not appended to
        comm.allgather_spikes(local, global);
        ASSERT_EQ(global.size(), static_cast<std::size_t>(P) * local.size()) << "P=" << P;
        for (int r = 0; r < P; ++r)
            for (std::size_t i = 0; i < local.size(); ++i) {
                const std::uint64_t w = global[static_cast<std::size_t>(r) * local.size() + i];
                EXPECT_EQ(spike_word::gid(w) % static_cast<gid_type>(P), static_cast<gid_type>(r));
                EXPECT_EQ(spike_word::gid(w), spike_word::gid(local[i]) + static_cast<gid_type>(r));
                EXPECT_EQ(spike_word::lag(w), spike_word::lag(local[i]));
            }
    }
}

// What P real ranks would gather when each rank's i-th neuron does what
// the played rank's i-th neuron does: the words of rank 0, then rank 1, ...,
// each in its own emission order. With n_gids not a multiple of P the ranks
// own 15 or 14 neurons; playing a rank with 14, the copies lack the others'
// 15th neuron, and playing one with 15, the copies beyond n_gids are dropped.
TEST(dry_run_communicator, equals_the_gather_of_p_ranks_with_the_same_activity) {
    const int P = 7;
    const gid_type n_gids = 100;  // ranks 0 and 1 own 15 neurons, ranks 2-6 own 14
    for (const int me : {0, 1, 3, 6}) {
        dry_run_communicator comm(P, n_gids, me);
        const auto local = local_words(P, me, n_gids);
        const std::size_t n_local = local.size();
        ASSERT_EQ(n_local, me <= 1 ? 15u : 14u);
        std::vector<std::uint64_t> expected;
        for (int r = 0; r < P; ++r) {
            auto words = local_words(P, r, n_gids);
            const gid_type beyond =
                static_cast<gid_type>(r) + n_local * P;  // first local index too many
            std::erase_if(words, [&](std::uint64_t w) { return spike_word::gid(w) >= beyond; });
            expected.insert(expected.end(), words.begin(), words.end());
        }
        std::vector<std::uint64_t> global;
        comm.allgather_spikes(local, global);
        EXPECT_EQ(global.size(), me <= 1 ? 100u : 98u) << "me=" << me;
        EXPECT_EQ(global, expected) << "me=" << me;
    }
}

TEST(dry_run_communicator, gathers_nothing_from_nothing) {
    dry_run_communicator comm(1024, 77169);
    std::vector<std::uint64_t> global{1, 2, 3};
    comm.allgather_spikes({}, global);
    EXPECT_TRUE(global.empty());
}

TEST(dry_run_communicator, refuses_spikes_of_other_ranks) {
    dry_run_communicator comm(4, 100, 1);
    std::vector<std::uint64_t> global;
    EXPECT_THROW(comm.allgather_spikes({spike_word::pack(4, 0)}, global), internal_error);
    EXPECT_THROW(comm.allgather_spikes({spike_word::pack(101, 0)}, global), internal_error);
    EXPECT_NO_THROW(comm.allgather_spikes({spike_word::pack(97, 0)}, global));
    // 97 is local neuron 24 of rank 1; rank 0 has gid 96, ranks 2 and 3
    // would have 98 and 99.
    EXPECT_EQ(global, (std::vector<std::uint64_t>{96, 97, 98, 99}));
}

TEST(dry_run_communicator, reduces_as_identical_ranks) {
    dry_run_communicator comm(32, 1000);
    EXPECT_EQ(comm.sum(std::uint64_t{7}), 224u);
    EXPECT_DOUBLE_EQ(comm.sum(1.5), 48.0);
    EXPECT_EQ(comm.max(std::uint64_t{7}), 7u);
    EXPECT_DOUBLE_EQ(comm.max(-2.5), -2.5);
    std::vector<std::uint64_t> u{0, 1, 3};
    comm.sum_in_place(u);
    EXPECT_EQ(u, (std::vector<std::uint64_t>{0, 32, 96}));
    std::vector<double> d{0.5, -1.0};
    comm.sum_in_place(d);
    EXPECT_EQ(d, (std::vector<double>{16.0, -32.0}));
    EXPECT_EQ(comm.allgather(2.25), std::vector<double>(32, 2.25));
    comm.barrier();
}

TEST(dry_run_communicator, alltoallv_receives_from_every_rank_what_it_sends_itself) {
    dry_run_communicator comm(3, 1000, 1);
    const std::vector<std::vector<std::uint64_t>> send{{1}, {2, 3}, {}};
    std::vector<std::vector<std::uint64_t>> recv;
    comm.alltoallv(send, recv);
    EXPECT_EQ(recv, (std::vector<std::vector<std::uint64_t>>(3, {2, 3})));
    std::vector<std::vector<double>> dsend{{}, {0.5}, {1.5}}, drecv;
    comm.alltoallv(dsend, drecv);
    EXPECT_EQ(drecv, (std::vector<std::vector<double>>(3, {0.5})));
    EXPECT_THROW(comm.alltoallv(std::vector<std::vector<double>>(2), drecv), internal_error);
}

}  // namespace
}  // namespace ganglion
