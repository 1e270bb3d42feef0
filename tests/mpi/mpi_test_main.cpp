// The main of every GoogleTest binary run under mpiexec (tests/mpi/*.cmake):
// initialises MPI, lets only rank 0 print GoogleTest's report, prints the
// failed assertions of the other ranks, and fails the run when a test failed
// on any rank.

#include <gtest/gtest.h>
#include <mpi.h>

#include <cstdio>

#include "comm/mpi_communicator.hpp"

namespace {

// Prints failed assertions of ranks other than 0, which have no printer of their own.
class failure_printer : public ::testing::EmptyTestEventListener {
  public:
    explicit failure_printer(int rank) : rank_(rank) {}
    void OnTestPartResult(const ::testing::TestPartResult& result) override {
        if (result.failed())
            std::fprintf(stderr, "[rank %d] %s:%d: failure\n%s\n", rank_,
                         result.file_name() ? result.file_name() : "?", result.line_number(),
                         result.summary());
    }

  private:
    int rank_;
};

}  // namespace

int main(int argc, char** argv) {
    ganglion::mpi_environment mpi(argc, argv);
    ::testing::InitGoogleTest(&argc, argv);
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (rank != 0) {
        auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
        delete listeners.Release(listeners.default_result_printer());
        listeners.Append(new failure_printer(rank));
    }
    const int local = RUN_ALL_TESTS();
    // A test that failed on any rank fails the run.
    int global = 0;
    MPI_Allreduce(&local, &global, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    return global;
}
