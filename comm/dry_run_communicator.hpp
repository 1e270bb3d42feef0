#pragma once

// One process standing in for P ranks, to measure at scale what each rank
// does with the exchanged spikes without a cluster (Arbor's dry-run mode).
// The process plays one rank of P; whatever the other ranks would
// contribute is made up from this rank's own contribution, as if every rank
// ran the same load:
//   - allgather_spikes returns what MPI_Allgatherv would on P ranks: rank by
//     rank, each rank's words. The other ranks' words are copies of this
//     rank's, with each gid moved to the corresponding neuron of that rank
//     under the round-robin partition (gid g lives on rank g % P): local g
//     becomes g - g % P + r on rank r. Copies of gids at or beyond the
//     network size are dropped, as those neurons do not exist;
//   - reductions give what P identical ranks would: sum = P * x, max = x;
//   - alltoallv: every rank sends this rank what this rank sends itself
//     (identical ranks; the contents are not remapped).
// Nothing is communicated, so it measures the work after the exchange (and
// the memory it needs), never the network; bench/micro/bench_exchange.cpp
// models the network separately.

#include <cstdint>
#include <vector>

#include "core/communicator.hpp"
#include "core/types.hpp"

namespace ganglion {

class dry_run_communicator final : public communicator {
  public:
    // `n_ranks` ranks stand in, this process plays `rank`; `n_gids` neurons
    // and sources in the network (gids 0 .. n_gids - 1).
    dry_run_communicator(int n_ranks, gid_type n_gids, int rank = 0);

    int rank() const override { return rank_; }
    int size() const override { return n_ranks_; }
    // This process is alone on its node: the memory it reports is one rank's.
    int ranks_on_node() const override { return 1; }
    gid_type n_gids() const { return n_gids_; }

    // `local` may hold only gids of this rank (g % P == rank) below n_gids;
    // anything else is a caller's bug (internal_error).
    void allgather_spikes(const std::vector<std::uint64_t>& local,
                          std::vector<std::uint64_t>& global) override;

    std::uint64_t sum(std::uint64_t x) override;
    double sum(double x) override;
    double max(double x) override { return x; }
    std::uint64_t max(std::uint64_t x) override { return x; }
    void sum_in_place(std::vector<std::uint64_t>& x) override;
    void sum_in_place(std::vector<double>& x) override;
    std::vector<double> allgather(double x) override;
    void alltoallv(const std::vector<std::vector<std::uint64_t>>& send,
                   std::vector<std::vector<std::uint64_t>>& recv) override;
    void alltoallv(const std::vector<std::vector<double>>& send,
                   std::vector<std::vector<double>>& recv) override;
    void barrier() override {}
    [[noreturn]] void abort(int code) override;

  private:
    int n_ranks_;
    int rank_;
    gid_type n_gids_;
};

}  // namespace ganglion
