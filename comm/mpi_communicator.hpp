#pragma once

#include <mpi.h>

#include "core/communicator.hpp"

namespace ganglion {

// Initialises MPI for the lifetime of the object (with MPI_THREAD_FUNNELED:
// only the master thread calls MPI) and finalises it.
class mpi_environment {
  public:
    mpi_environment(int& argc, char**& argv);
    ~mpi_environment();
    mpi_environment(const mpi_environment&) = delete;
    mpi_environment& operator=(const mpi_environment&) = delete;
};

class mpi_communicator final : public communicator {
  public:
    explicit mpi_communicator(MPI_Comm comm = MPI_COMM_WORLD);
    int rank() const override { return rank_; }
    int size() const override { return size_; }
    int ranks_on_node() const override { return ranks_on_node_; }
    MPI_Comm native() const { return comm_; }

    void allgather_spikes(const std::vector<std::uint64_t>& local,
                          std::vector<std::uint64_t>& global) override;
    std::uint64_t sum(std::uint64_t x) override;
    double sum(double x) override;
    double max(double x) override;
    std::uint64_t max(std::uint64_t x) override;
    void sum_in_place(std::vector<std::uint64_t>& x) override;
    void sum_in_place(std::vector<double>& x) override;
    std::vector<double> allgather(double x) override;
    void alltoallv(const std::vector<std::vector<std::uint64_t>>& send,
                   std::vector<std::vector<std::uint64_t>>& recv) override;
    void alltoallv(const std::vector<std::vector<double>>& send,
                   std::vector<std::vector<double>>& recv) override;
    void barrier() override;
    [[noreturn]] void abort(int code) override;

  private:
    MPI_Comm comm_;
    int rank_ = 0, size_ = 1, ranks_on_node_ = 1;
    std::vector<int> counts_, displs_;
};

}  // namespace ganglion
