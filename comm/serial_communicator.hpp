#pragma once

#include "core/communicator.hpp"

namespace ganglion {

// One rank, no MPI: the same interface, so a build without MPI gives the
// same results as a 1-rank MPI run.
class serial_communicator final : public communicator {
  public:
    int rank() const override { return 0; }
    int size() const override { return 1; }
    int ranks_on_node() const override { return 1; }
    void allgather_spikes(const std::vector<std::uint64_t>& local,
                          std::vector<std::uint64_t>& global) override {
        global = local;
    }
    std::uint64_t sum(std::uint64_t x) override { return x; }
    double sum(double x) override { return x; }
    double max(double x) override { return x; }
    std::uint64_t max(std::uint64_t x) override { return x; }
    void sum_in_place(std::vector<std::uint64_t>&) override {}
    void sum_in_place(std::vector<double>&) override {}
    std::vector<double> allgather(double x) override { return {x}; }
    void alltoallv(const std::vector<std::vector<std::uint64_t>>& send,
                   std::vector<std::vector<std::uint64_t>>& recv) override {
        recv = send;
    }
    void alltoallv(const std::vector<std::vector<double>>& send,
                   std::vector<std::vector<double>>& recv) override {
        recv = send;
    }
    void barrier() override {}
    [[noreturn]] void abort(int code) override;
};

}  // namespace ganglion
