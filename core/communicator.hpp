#pragma once

// What the engine needs from the ranks it runs on. comm/ implements it with
// MPI and serially (one rank); the engine never calls MPI itself.

#include <cstdint>
#include <string>
#include <vector>

namespace ganglion {

class communicator {
  public:
    virtual ~communicator() = default;
    virtual int rank() const = 0;
    virtual int size() const = 0;
    // How many ranks share this rank's node (its memory).
    virtual int ranks_on_node() const = 0;

    // Every rank contributes its packed spike words; every rank receives the
    // words of all ranks, rank by rank (MPI_Allgather of counts, then
    // MPI_Allgatherv of the words).
    virtual void allgather_spikes(const std::vector<std::uint64_t>& local,
                                  std::vector<std::uint64_t>& global) = 0;

    virtual std::uint64_t sum(std::uint64_t x) = 0;
    virtual double sum(double x) = 0;
    virtual double max(double x) = 0;
    virtual std::uint64_t max(std::uint64_t x) = 0;
    // Element-wise sum of a vector across ranks, in place.
    virtual void sum_in_place(std::vector<std::uint64_t>& x) = 0;
    virtual void sum_in_place(std::vector<double>& x) = 0;
    // The values of one double from every rank, by rank.
    virtual std::vector<double> allgather(double x) = 0;

    // Each rank sends send[r] to rank r and receives recv[r] from rank r.
    virtual void alltoallv(const std::vector<std::vector<std::uint64_t>>& send,
                           std::vector<std::vector<std::uint64_t>>& recv) = 0;
    virtual void alltoallv(const std::vector<std::vector<double>>& send,
                           std::vector<std::vector<double>>& recv) = 0;

    virtual void barrier() = 0;
    // Ends the whole job now, on every rank, with this exit code. Used when
    // one rank fails where the others cannot know (never returns).
    [[noreturn]] virtual void abort(int code) = 0;
};

}  // namespace ganglion
