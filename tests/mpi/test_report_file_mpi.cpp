// SONATA report files written by all ranks with parallel HDF5. Registered at 1, 2 and 4
// ranks: the columns (cells) of a known global array are dealt to the ranks in two patterns,
// and the file must hold the global array bit for bit, with the same contents as a file
// written by one rank alone.
//
// Every rank makes every collective call of a test unconditionally; checks come after, so
// that a failed check on one rank cannot leave the others waiting.

#include <gtest/gtest.h>
#include <mpi.h>
#include <sys/wait.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "comm/mpi_communicator.hpp"
#include "comm/serial_communicator.hpp"
#include "core/error.hpp"
#include "io/report_file.hpp"

namespace {

namespace fs = std::filesystem;
using ganglion::population_report;

// The known global array of one population.
struct population {
    std::string name;
    std::vector<std::uint64_t> node_ids;
    std::uint64_t n_times;
    double t_start, t_step;
    std::vector<double> data;  // row-major [n_times][node_ids.size()]
};

population make(const std::string& name, std::vector<std::uint64_t> ids, std::uint64_t n_times,
                double t_start, double t_step, std::uint64_t seed) {
    population p{name, std::move(ids), n_times, t_start, t_step, {}};
    for (std::uint64_t t = 0; t < n_times; ++t)
        for (std::uint64_t c = 0; c < p.node_ids.size(); ++c)
            p.data.push_back(-70.0 + 0.1 * static_cast<double>(t) +
                             1e-3 * static_cast<double>(c * 7 + seed) / 3.0);
    return p;
}

// More cells than ranks with scattered ids, fewer cells than ranks, fewer times than ranks,
// no cells, no times.
std::vector<population> global_array(std::uint64_t n_times = 50) {
    std::vector<std::uint64_t> exc;
    for (std::uint64_t k = 0; k < 37; ++k)
        exc.push_back(5 * k + k % 3);
    std::vector<std::uint64_t> twenty;
    for (std::uint64_t k = 0; k < 20; ++k)
        twenty.push_back(k);
    return {make("exc", exc, n_times, 0.0, 0.1, 1), make("inh", {4, 9, 11}, 7, 0.5, 0.025, 2),
            make("few_times", twenty, 2, 10.0, 1.0, 3), make("no_cells", {}, 30, 0.0, 0.1, 4),
            make("no_times", {1, 2, 3, 4, 5}, 0, 0.0, 0.1, 5)};
}

// This rank's part: the columns for which owner(c, n_cells) == rank.
using dealer = std::function<int(std::uint64_t c, std::uint64_t n_cells, int ranks)>;

std::vector<population_report> local_part(const std::vector<population>& global, int rank,
                                          int ranks, const dealer& owner) {
    std::vector<population_report> local;
    for (const auto& g : global) {
        population_report p;
        p.name = g.name;
        p.node_ids = g.node_ids;
        p.n_times = g.n_times;
        p.t_start = g.t_start;
        p.t_step = g.t_step;
        const std::uint64_t n = g.node_ids.size();
        for (std::uint64_t c = 0; c < n; ++c)
            if (owner(c, n, ranks) == rank) p.local_columns.push_back(c);
        for (std::uint64_t t = 0; t < g.n_times; ++t)
            for (const auto c : p.local_columns)
                p.local_data.push_back(g.data[t * n + c]);
        local.push_back(std::move(p));
    }
    return local;
}

int round_robin(std::uint64_t c, std::uint64_t, int ranks) {
    return static_cast<int>(c % static_cast<std::uint64_t>(ranks));
}
// Contiguous blocks of columns, the last block on rank 0.
int reversed_blocks(std::uint64_t c, std::uint64_t n, int ranks) {
    return ranks - 1 - static_cast<int>(c * static_cast<std::uint64_t>(ranks) / n);
}

// Runs h5_equal on two files; its exit code (-1 if it could not run).
int h5_equal(const std::string& a, const std::string& b, const std::string& log) {
    const std::string command =
        std::string(GANGLION_H5_EQUAL) + " '" + a + "' '" + b + "' > '" + log + "' 2>&1";
    const int status = std::system(command.c_str());
    return status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

class ReportFileMpi : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::path(GANGLION_BINARY_DIR) / "test_report_file_mpi" /
               ("np" + std::to_string(comm_.size()));
        if (comm_.rank() == 0) fs::create_directories(dir_);
        comm_.barrier();
    }
    std::string file(const std::string& stem) const { return (dir_ / (stem + ".h5")).string(); }

    static void expect_equals_global(const std::string& path,
                                     const std::vector<population>& global) {
        const auto read = ganglion::read_sonata_report(path);
        EXPECT_EQ(read.size(), global.size());
        for (const auto& g : global) {
            SCOPED_TRACE(g.name);
            const auto it = read.find(g.name);
            ASSERT_NE(it, read.end());
            const auto& r = it->second;
            EXPECT_EQ(r.node_ids, g.node_ids);
            EXPECT_EQ(r.n_times, g.n_times);
            EXPECT_EQ(r.time[0], g.t_start);
            EXPECT_EQ(r.time[1], g.t_start + static_cast<double>(g.n_times) * g.t_step);
            EXPECT_EQ(r.time[2], g.t_step);
            ASSERT_EQ(r.data.size(), g.data.size());
            EXPECT_EQ(std::memcmp(r.data.data(), g.data.data(), g.data.size() * sizeof(double)), 0);
        }
    }

    // Writes the global array dealt to the ranks by `owner`; rank 0 checks the file against
    // the array and against a file it writes alone.
    void write_and_check(const std::string& stem, const std::vector<population>& global,
                         const dealer& owner) {
        const auto path = file(stem);
        ganglion::write_sonata_report(path, "v", "mV",
                                      local_part(global, comm_.rank(), comm_.size(), owner), comm_);
        if (comm_.rank() != 0) return;
        EXPECT_FALSE(fs::exists(path + ".partial"));
        expect_equals_global(path, global);

        const auto serial_path = file(stem + "_serial");
        ganglion::serial_communicator serial;
        ganglion::write_sonata_report(serial_path, "v", "mV", local_part(global, 0, 1, owner),
                                      serial);
        const auto log = (dir_ / (stem + "_h5_equal.log")).string();
        EXPECT_EQ(h5_equal(path, serial_path, log), 0) << "see " << log;
        if (!::testing::Test::HasFailure()) {
            fs::remove(path);
            fs::remove(serial_path);
            fs::remove(log);
        }
    }

    fs::path dir_;
    ganglion::mpi_communicator comm_;
};

TEST_F(ReportFileMpi, ColumnsDealtRoundRobinGiveTheGlobalArray) {
    write_and_check("round_robin", global_array(), round_robin);
}

TEST_F(ReportFileMpi, ColumnsInReversedBlocksGiveTheGlobalArray) {
    write_and_check("reversed_blocks", global_array(), reversed_blocks);
}

// Many samples, so that collective buffering has real work.
TEST_F(ReportFileMpi, LargeFileRoundTrips) {
    write_and_check("large", global_array(20000), round_robin);
}

// Every rank gets the error, naming the path; nobody hangs; no file appears.
TEST_F(ReportFileMpi, MissingDirectoryFailsOnEveryRank) {
    const auto path = (dir_ / "no_such_directory" / "v.h5").string();
    std::string message;
    try {
        ganglion::write_sonata_report(
            path, "v", "mV", local_part(global_array(), comm_.rank(), comm_.size(), round_robin),
            comm_);
    } catch (const ganglion::report_file_error& e) {
        message = e.what();
    }
    EXPECT_NE(message.find(path), std::string::npos) << message;
    EXPECT_FALSE(fs::exists(path + ".partial"));
}

// A column held by two ranks (and so one by none, with more than one rank) is a bug, found
// on every rank.
TEST_F(ReportFileMpi, ColumnOnTwoRanksIsAnInternalErrorOnEveryRank) {
    const auto global = global_array();
    auto local = local_part(global, comm_.rank(), comm_.size(), round_robin);
    if (comm_.size() > 1) {
        // Every rank claims column 0 of "inh" instead of its own first column.
        auto& p = local[1];
        if (!p.local_columns.empty() && p.local_columns[0] != 0) {
            p.local_columns[0] = 0;
            for (std::uint64_t t = 0; t < p.n_times; ++t)
                p.local_data[t * p.local_columns.size()] = global[1].data[t * 3];
        }
    } else {
        local[1].local_columns.pop_back();
        local[1].local_data.resize(local[1].n_times * local[1].local_columns.size());
    }
    bool thrown = false;
    try {
        ganglion::write_sonata_report(file("bad"), "v", "mV", local, comm_);
    } catch (const ganglion::internal_error&) {
        thrown = true;
    }
    EXPECT_TRUE(thrown);
}

}  // namespace
