// Cell positions files written by 1, 2 and 4 ranks. Every rank holds every position, so
// rank 0 alone writes the file and the other ranks follow its verdict: one complete file
// with the same positions however many ranks there are, and a failure that reaches every
// rank without leaving any of them waiting.
//
// Every rank makes every collective call of a test unconditionally; checks come after, so
// that a failed check on one rank cannot leave the others waiting.

#include <gtest/gtest.h>
#include <mpi.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "comm/mpi_communicator.hpp"
#include "core/error.hpp"
#include "core/space.hpp"
#include "io/positions_file.hpp"

namespace {

namespace fs = std::filesystem;
using ganglion::cell_positions;
using population_list = std::vector<std::pair<std::string, cell_positions>>;

// The same on every rank: generate_positions depends only on its arguments. Positions that
// are not exact in decimal, so that the round trip must keep every bit, and an empty
// population.
population_list populations() {
    ganglion::structure_spec sphere;
    sphere.k = ganglion::structure_spec::kind::random;
    sphere.boundary = ganglion::structure_spec::boundary_kind::sphere;
    sphere.radius = 0.3;
    ganglion::structure_spec grid;
    grid.k = ganglion::structure_spec::kind::grid2d;
    grid.dx = 0.1;
    grid.dy = 0.7;
    return {{"exc", ganglion::generate_positions(sphere, 1000, 5, 0)},
            {"grid", ganglion::generate_positions(grid, 64, 5, 1)},
            {"none", {}}};
}

class PositionsFileMpi : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::path(GANGLION_BINARY_DIR) / "test_positions_file_mpi" /
               ("np" + std::to_string(comm_.size())) /
               ::testing::UnitTest::GetInstance()->current_test_info()->name();
        if (comm_.rank() == 0) {
            fs::remove_all(dir_);
            fs::create_directories(dir_);
        }
        comm_.barrier();
    }
    void TearDown() override {
        comm_.barrier();
        if (comm_.rank() == 0 && !HasFailure()) fs::remove_all(dir_);
    }
    std::string file(const std::string& name) const { return (dir_ / name).string(); }

    // The message of the positions_file_error that write_positions throws, or "(no error)".
    std::string write_error(const std::string& path, const population_list& pops) {
        try {
            ganglion::write_positions(path, pops, comm_);
        } catch (const ganglion::positions_file_error& e) {
            EXPECT_EQ(e.path(), path);
            return e.what();
        }
        return "(no error)";
    }

    // What the directory holds, by name.
    std::vector<std::string> listing() const {
        std::vector<std::string> names;
        for (const auto& entry : fs::directory_iterator(dir_))
            names.push_back(entry.path().filename().string());
        return names;
    }

    fs::path dir_;
    ganglion::mpi_communicator comm_;
};

// One file, nothing beside it, and every rank reads back exactly what every rank passed.
TEST_F(PositionsFileMpi, SamePositionsOnEveryRankGiveOneFile) {
    const auto pops = populations();
    const auto path = file("positions.h5");
    ganglion::write_positions(path, pops, comm_);
    comm_.barrier();
    EXPECT_EQ(listing(), std::vector<std::string>{"positions.h5"});
    const auto read = ganglion::read_positions(path);
    ASSERT_EQ(read.size(), pops.size());
    for (const auto& [name, positions] : pops) {
        ASSERT_EQ(read.count(name), 1u) << name;
        EXPECT_EQ(read.at(name), positions) << name;  // exact, bit for bit
    }
}

// Written twice in a row to the same path: the second file replaces the first, and a stale
// ".partial" left by a killed run goes too.
TEST_F(PositionsFileMpi, ReplacesAnOlderFileAndAStalePartialFile) {
    const auto path = file("positions.h5");
    if (comm_.rank() == 0) {
        std::ofstream(path) << "old";
        std::ofstream(path + ".partial") << "left over from a run that was killed";
    }
    comm_.barrier();
    ganglion::write_positions(path, populations(), comm_);
    comm_.barrier();
    EXPECT_EQ(listing(), std::vector<std::string>{"positions.h5"});
    EXPECT_EQ(ganglion::read_positions(path).size(), 3u);
}

// Every rank gets the error, naming the path; rank 0 says why; nobody hangs; no file
// appears.
TEST_F(PositionsFileMpi, MissingDirectoryFailsOnEveryRank) {
    const auto path = file("no_such_directory/positions.h5");
    const std::string message = write_error(path, populations());
    EXPECT_NE(message.find(path), std::string::npos) << message;
    if (comm_.rank() == 0)
        EXPECT_NE(message.find("does not exist"), std::string::npos) << message;
    else
        EXPECT_NE(message.find("failed on rank 0"), std::string::npos) << message;
    comm_.barrier();
    EXPECT_FALSE(fs::exists(path));
    EXPECT_FALSE(fs::exists(path + ".partial"));
}

// Creating the file fails on rank 0 (a directory has the temporary name): every rank throws,
// and an older file at the path, which must not pass for this run's output, is gone.
TEST_F(PositionsFileMpi, FailureOnRankZeroRemovesAnOlderFileOnEveryRanksView) {
    const auto path = file("positions.h5");
    if (comm_.rank() == 0) {
        std::ofstream(path) << "old";
        fs::create_directories(path + ".partial");
    }
    comm_.barrier();
    const std::string message = write_error(path, populations());
    EXPECT_NE(message, "(no error)");
    comm_.barrier();
    EXPECT_FALSE(fs::exists(path));
    EXPECT_TRUE(fs::is_directory(path + ".partial"));
}

// A population name that is bad on one rank only: every rank throws before any file is
// touched.
TEST_F(PositionsFileMpi, BadNameOnOneRankFailsOnEveryRank) {
    const auto path = file("positions.h5");
    auto pops = populations();
    const bool last = comm_.rank() == comm_.size() - 1;
    if (last) pops[1].first = "a/b";
    const std::string message = write_error(path, pops);
    if (last)
        EXPECT_NE(message.find("cannot be an HDF5 group name"), std::string::npos) << message;
    else
        EXPECT_NE(message.find("bad population name on another rank"), std::string::npos)
            << message;
    comm_.barrier();
    EXPECT_FALSE(fs::exists(path));
    EXPECT_FALSE(fs::exists(path + ".partial"));
}

// Ranks that hold different positions are a bug: every rank throws internal_error, and no
// file is written.
TEST_F(PositionsFileMpi, RanksDisagreeingOnPositionsFailOnEveryRank) {
    const auto path = file("positions.h5");
    auto pops = populations();
    if (comm_.size() > 1 && comm_.rank() == comm_.size() - 1) pops[0].second[17][2] += 1e-12;
    bool threw = false;
    try {
        ganglion::write_positions(path, pops, comm_);
    } catch (const ganglion::internal_error&) {
        threw = true;
    }
    // One rank alone cannot disagree with itself.
    EXPECT_EQ(threw, comm_.size() > 1);
    comm_.barrier();
    EXPECT_EQ(fs::exists(path), comm_.size() == 1);
    EXPECT_FALSE(fs::exists(path + ".partial"));
}

}  // namespace
