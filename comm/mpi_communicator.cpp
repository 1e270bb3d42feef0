#include "comm/mpi_communicator.hpp"

#include <cstdlib>
#include <limits>

#include "core/error.hpp"

namespace ganglion {

namespace {
void check(int rc, const char* what) {
    if (rc != MPI_SUCCESS) throw error(std::string("MPI call failed: ") + what);
}

template <class T>
MPI_Datatype mpi_type();
template <>
MPI_Datatype mpi_type<std::uint64_t>() {
    return MPI_UINT64_T;
}
template <>
MPI_Datatype mpi_type<double>() {
    return MPI_DOUBLE;
}

int to_int_count(std::size_t n) {
    if (n > static_cast<std::size_t>(std::numeric_limits<int>::max()))
        throw error("MPI message of " + std::to_string(n) +
                    " elements exceeds the int count limit");
    return static_cast<int>(n);
}

template <class T>
void alltoallv_impl(MPI_Comm comm, int size, const std::vector<std::vector<T>>& send,
                    std::vector<std::vector<T>>& recv) {
    if (static_cast<int>(send.size()) != size)
        throw internal_error("alltoallv: send has " + std::to_string(send.size()) + " parts");
    std::vector<int> scount(size), sdispl(size), rcount(size), rdispl(size);
    std::vector<T> sbuf;
    for (int r = 0; r < size; ++r) {
        scount[r] = to_int_count(send[r].size());
        sdispl[r] = to_int_count(sbuf.size());
        sbuf.insert(sbuf.end(), send[r].begin(), send[r].end());
    }
    check(MPI_Alltoall(scount.data(), 1, MPI_INT, rcount.data(), 1, MPI_INT, comm), "Alltoall");
    std::size_t total = 0;
    for (int r = 0; r < size; ++r) {
        rdispl[r] = to_int_count(total);
        total += rcount[r];
    }
    std::vector<T> rbuf(total);
    check(MPI_Alltoallv(sbuf.data(), scount.data(), sdispl.data(), mpi_type<T>(), rbuf.data(),
                        rcount.data(), rdispl.data(), mpi_type<T>(), comm),
          "Alltoallv");
    recv.assign(size, {});
    for (int r = 0; r < size; ++r)
        recv[r].assign(rbuf.begin() + rdispl[r], rbuf.begin() + rdispl[r] + rcount[r]);
}
}  // namespace

mpi_environment::mpi_environment(int& argc, char**& argv) {
    int provided = 0;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    // Errors come back as return codes, so they become exceptions with a
    // message instead of Open MPI's default abort.
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
}

mpi_environment::~mpi_environment() {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized) MPI_Finalize();
}

mpi_communicator::mpi_communicator(MPI_Comm comm) : comm_(comm) {
    MPI_Comm_rank(comm_, &rank_);
    MPI_Comm_size(comm_, &size_);
    MPI_Comm node;
    if (MPI_Comm_split_type(comm_, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &node) ==
        MPI_SUCCESS) {
        MPI_Comm_size(node, &ranks_on_node_);
        MPI_Comm_free(&node);
    }
    counts_.resize(size_);
    displs_.resize(size_);
}

void mpi_communicator::allgather_spikes(const std::vector<std::uint64_t>& local,
                                        std::vector<std::uint64_t>& global) {
    const int n = to_int_count(local.size());
    check(MPI_Allgather(&n, 1, MPI_INT, counts_.data(), 1, MPI_INT, comm_), "Allgather");
    std::size_t total = 0;
    for (int r = 0; r < size_; ++r) {
        displs_[r] = to_int_count(total);
        total += counts_[r];
    }
    global.resize(total);
    check(MPI_Allgatherv(local.data(), n, MPI_UINT64_T, global.data(), counts_.data(),
                         displs_.data(), MPI_UINT64_T, comm_),
          "Allgatherv");
}

std::uint64_t mpi_communicator::sum(std::uint64_t x) {
    std::uint64_t y = 0;
    check(MPI_Allreduce(&x, &y, 1, MPI_UINT64_T, MPI_SUM, comm_), "Allreduce");
    return y;
}
double mpi_communicator::sum(double x) {
    double y = 0;
    check(MPI_Allreduce(&x, &y, 1, MPI_DOUBLE, MPI_SUM, comm_), "Allreduce");
    return y;
}
double mpi_communicator::max(double x) {
    double y = 0;
    check(MPI_Allreduce(&x, &y, 1, MPI_DOUBLE, MPI_MAX, comm_), "Allreduce");
    return y;
}
std::uint64_t mpi_communicator::max(std::uint64_t x) {
    std::uint64_t y = 0;
    check(MPI_Allreduce(&x, &y, 1, MPI_UINT64_T, MPI_MAX, comm_), "Allreduce");
    return y;
}
void mpi_communicator::sum_in_place(std::vector<std::uint64_t>& x) {
    check(
        MPI_Allreduce(MPI_IN_PLACE, x.data(), to_int_count(x.size()), MPI_UINT64_T, MPI_SUM, comm_),
        "Allreduce");
}
void mpi_communicator::sum_in_place(std::vector<double>& x) {
    check(MPI_Allreduce(MPI_IN_PLACE, x.data(), to_int_count(x.size()), MPI_DOUBLE, MPI_SUM, comm_),
          "Allreduce");
}
std::vector<double> mpi_communicator::allgather(double x) {
    std::vector<double> out(size_);
    check(MPI_Allgather(&x, 1, MPI_DOUBLE, out.data(), 1, MPI_DOUBLE, comm_), "Allgather");
    return out;
}
void mpi_communicator::alltoallv(const std::vector<std::vector<std::uint64_t>>& send,
                                 std::vector<std::vector<std::uint64_t>>& recv) {
    alltoallv_impl(comm_, size_, send, recv);
}
void mpi_communicator::alltoallv(const std::vector<std::vector<double>>& send,
                                 std::vector<std::vector<double>>& recv) {
    alltoallv_impl(comm_, size_, send, recv);
}
void mpi_communicator::barrier() {
    check(MPI_Barrier(comm_), "Barrier");
}

void mpi_communicator::abort(int code) {
    MPI_Abort(comm_, code);
    std::_Exit(code);
}

}  // namespace ganglion
