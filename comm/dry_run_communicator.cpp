#include "comm/dry_run_communicator.hpp"

#include <cstdlib>
#include <string>

#include "core/error.hpp"
#include "core/spike_buffer.hpp"

namespace ganglion {

dry_run_communicator::dry_run_communicator(int n_ranks, gid_type n_gids, int rank)
    : n_ranks_(n_ranks), rank_(rank), n_gids_(n_gids) {
    if (n_ranks < 1)
        throw error("dry run: number of ranks must be at least 1, got " + std::to_string(n_ranks));
    if (rank < 0 || rank >= n_ranks)
        throw error("dry run: rank must be in [0, " + std::to_string(n_ranks - 1) + "], got " +
                    std::to_string(rank));
    if (n_gids > spike_word::max_gid + 1)
        throw error("dry run: " + std::to_string(n_gids) + " gids exceed the spike word's " +
                    std::to_string(spike_word::gid_bits) + "-bit gid field");
}

void dry_run_communicator::allgather_spikes(const std::vector<std::uint64_t>& local,
                                            std::vector<std::uint64_t>& global) {
    const auto P = static_cast<gid_type>(n_ranks_);
    const auto me = static_cast<gid_type>(rank_);
    for (const std::uint64_t w : local) {
        const gid_type g = spike_word::gid(w);
        if (g >= n_gids_ || g % P != me)
            throw internal_error("dry run: spike of gid " + std::to_string(g) + " given to rank " +
                                 std::to_string(rank_) + " of " + std::to_string(n_ranks_) +
                                 " (network of " + std::to_string(n_gids_) + " gids)");
    }
    global.clear();
    global.reserve(local.size() * P);
    // A local gid g (g % P == me) is g - me + r on rank r. The shift stays
    // inside the gid field (the result is in [0, n_gids)), so it can be
    // added to the whole word, leaving the lag bits alone.
    for (gid_type r = 0; r < P; ++r) {
        if (r <= me) {
            const std::uint64_t down = me - r;
            for (const std::uint64_t w : local)
                global.push_back(w - down);
        } else {
            const std::uint64_t up = r - me;
            for (const std::uint64_t w : local)
                if (spike_word::gid(w) + up < n_gids_) global.push_back(w + up);
        }
    }
}

std::uint64_t dry_run_communicator::sum(std::uint64_t x) {
    return static_cast<std::uint64_t>(n_ranks_) * x;
}
double dry_run_communicator::sum(double x) {
    return n_ranks_ * x;
}
void dry_run_communicator::sum_in_place(std::vector<std::uint64_t>& x) {
    for (auto& v : x)
        v *= static_cast<std::uint64_t>(n_ranks_);
}
void dry_run_communicator::sum_in_place(std::vector<double>& x) {
    for (auto& v : x)
        v *= n_ranks_;
}
std::vector<double> dry_run_communicator::allgather(double x) {
    return std::vector<double>(static_cast<std::size_t>(n_ranks_), x);
}

namespace {
template <class T>
void identical_alltoallv(int n_ranks, int rank, const std::vector<std::vector<T>>& send,
                         std::vector<std::vector<T>>& recv) {
    if (static_cast<int>(send.size()) != n_ranks)
        throw internal_error("alltoallv: send has " + std::to_string(send.size()) + " parts for " +
                             std::to_string(n_ranks) + " ranks");
    // Copy first: send and recv may be the same vector.
    std::vector<T> to_me = send[static_cast<std::size_t>(rank)];
    recv.assign(static_cast<std::size_t>(n_ranks), to_me);
}
}  // namespace

void dry_run_communicator::alltoallv(const std::vector<std::vector<std::uint64_t>>& send,
                                     std::vector<std::vector<std::uint64_t>>& recv) {
    identical_alltoallv(n_ranks_, rank_, send, recv);
}
void dry_run_communicator::alltoallv(const std::vector<std::vector<double>>& send,
                                     std::vector<std::vector<double>>& recv) {
    identical_alltoallv(n_ranks_, rank_, send, recv);
}

void dry_run_communicator::abort(int code) {
    std::_Exit(code);
}

}  // namespace ganglion
