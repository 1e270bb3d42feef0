// Positions files: round trip, the layout (checked with the HDF5 C API, not with our own
// reader), the temporary ".partial" name, failures, and what a rank other than 0 does
// (with a communicator that plays one rank of two).

#include "io/positions_file.hpp"

#include <gtest/gtest.h>
#include <hdf5.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "comm/serial_communicator.hpp"
#include "core/error.hpp"
#include "core/space.hpp"

namespace {

namespace fs = std::filesystem;
using ganglion::cell_positions;
using population_list = std::vector<std::pair<std::string, cell_positions>>;

// One rank of two, where the other rank holds the same input (sums double, maxima are
// unchanged) unless `disagree`, and votes `other_vote` when the ranks agree on success.
class one_of_two_ranks final : public ganglion::communicator {
  public:
    explicit one_of_two_ranks(int rank) : rank_(rank) {}
    bool disagree = false;
    std::uint64_t other_vote = 0;

    int rank() const override { return rank_; }
    int size() const override { return 2; }
    int ranks_on_node() const override { return 2; }
    void allgather_spikes(const std::vector<std::uint64_t>&, std::vector<std::uint64_t>&) override {
        unexpected();
    }
    std::uint64_t sum(std::uint64_t x) override { return x + other_vote; }
    double sum(double) override { unexpected(); }
    double max(double) override { unexpected(); }
    std::uint64_t max(std::uint64_t x) override { return x; }
    void sum_in_place(std::vector<std::uint64_t>& x) override {
        for (auto& v : x)
            v *= 2;
        // write_positions sums (problem flag, layout hash): another hash on the other rank.
        if (disagree && !x.empty()) x.back() += 1;
    }
    void sum_in_place(std::vector<double>&) override { unexpected(); }
    std::vector<double> allgather(double) override { unexpected(); }
    void alltoallv(const std::vector<std::vector<std::uint64_t>>&,
                   std::vector<std::vector<std::uint64_t>>&) override {
        unexpected();
    }
    void alltoallv(const std::vector<std::vector<double>>&,
                   std::vector<std::vector<double>>&) override {
        unexpected();
    }
    void barrier() override {}
    [[noreturn]] void abort(int) override { unexpected(); }

  private:
    [[noreturn]] static void unexpected() {
        throw ganglion::internal_error("one_of_two_ranks: unexpected call");
    }
    int rank_;
};

class PositionsFile : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::path(GANGLION_BINARY_DIR) / "test_positions_file" /
               ::testing::UnitTest::GetInstance()->current_test_info()->name();
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override {
        if (!HasFailure()) fs::remove_all(dir_);
    }
    std::string file(const std::string& name) const { return (dir_ / name).string(); }

    // Positions that are not exact in decimal (a round trip must keep every bit), and an
    // empty population.
    static population_list populations() {
        ganglion::structure_spec sphere;
        sphere.k = ganglion::structure_spec::kind::random;
        sphere.boundary = ganglion::structure_spec::boundary_kind::sphere;
        sphere.radius = 0.3;
        ganglion::structure_spec grid;
        grid.k = ganglion::structure_spec::kind::grid2d;
        grid.dx = 0.1;
        grid.dy = 0.7;
        return {{"exc", ganglion::generate_positions(sphere, 37, 5, 0)},
                {"grid", ganglion::generate_positions(grid, 16, 5, 1)},
                {"none", {}}};
    }

    std::string write_error(const std::string& path, const population_list& pops,
                            ganglion::communicator& comm) {
        try {
            ganglion::write_positions(path, pops, comm);
        } catch (const ganglion::positions_file_error& e) {
            EXPECT_EQ(e.path(), path);
            return e.what();
        }
        return "(no error)";
    }

    fs::path dir_;
    ganglion::serial_communicator comm_;
};

struct h5 {
    hid_t id;
    herr_t (*close)(hid_t);
    ~h5() {
        if (id >= 0) close(id);
    }
};

std::string read_string_attribute(hid_t object, const char* name) {
    h5 attr{H5Aopen(object, name, H5P_DEFAULT), H5Aclose};
    EXPECT_GE(attr.id, 0) << name;
    h5 type{H5Aget_type(attr.id), H5Tclose};
    EXPECT_EQ(H5Tget_class(type.id), H5T_STRING);
    EXPECT_TRUE(H5Tis_variable_str(type.id) > 0) << name << " is not a variable-length string";
    EXPECT_EQ(H5Tget_cset(type.id), H5T_CSET_UTF8);
    h5 mem{H5Tcopy(H5T_C_S1), H5Tclose};
    H5Tset_size(mem.id, H5T_VARIABLE);
    H5Tset_cset(mem.id, H5T_CSET_UTF8);
    char* value = nullptr;
    EXPECT_GE(H5Aread(attr.id, mem.id, &value), 0);
    std::string s = value ? value : "";
    H5free_memory(value);
    return s;
}

TEST_F(PositionsFile, RoundTripKeepsEveryPopulationAndEveryBit) {
    const auto pops = populations();
    const auto path = file("positions.h5");
    ganglion::write_positions(path, pops, comm_);
    EXPECT_TRUE(fs::exists(path));
    EXPECT_FALSE(fs::exists(path + ".partial"));

    const auto read = ganglion::read_positions(path);
    ASSERT_EQ(read.size(), 3u);
    for (const auto& [name, positions] : pops) {
        ASSERT_EQ(read.count(name), 1u) << name;
        EXPECT_EQ(read.at(name), positions) << name;  // exact, bit for bit
    }
}

TEST_F(PositionsFile, LayoutIsFloat64RowsWithColumnsAttributeAndNoUnits) {
    const auto pops = populations();
    const auto path = file("positions.h5");
    ganglion::write_positions(path, pops, comm_);

    h5 f{H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose};
    ASSERT_GE(f.id, 0);
    for (const auto& [name, positions] : pops) {
        SCOPED_TRACE(name);
        const std::string where = "/positions/" + name;
        h5 dataset{H5Dopen2(f.id, where.c_str(), H5P_DEFAULT), H5Dclose};
        ASSERT_GE(dataset.id, 0);
        h5 type{H5Dget_type(dataset.id), H5Tclose};
        EXPECT_TRUE(H5Tequal(type.id, H5T_IEEE_F64LE) > 0);
        h5 space{H5Dget_space(dataset.id), H5Sclose};
        ASSERT_EQ(H5Sget_simple_extent_ndims(space.id), 2);
        hsize_t dims[2] = {0, 0};
        H5Sget_simple_extent_dims(space.id, dims, nullptr);
        EXPECT_EQ(dims[0], positions.size());
        EXPECT_EQ(dims[1], 3u);
        EXPECT_EQ(read_string_attribute(dataset.id, "columns"), "x,y,z");
        EXPECT_EQ(H5Aexists(dataset.id, "units"), 0);
        // Row-major: element (i, k) is coordinate k of cell i.
        if (!positions.empty()) {
            std::vector<double> raw(positions.size() * 3);
            ASSERT_GE(
                H5Dread(dataset.id, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()),
                0);
            EXPECT_EQ(raw[3 * 2 + 1], positions[2][1]);
            EXPECT_EQ(raw[3 * 5 + 2], positions[5][2]);
        }
    }
}

TEST_F(PositionsFile, ReplacesAnOlderFileAndAStalePartialFile) {
    const auto path = file("positions.h5");
    std::ofstream(path) << "old";
    std::ofstream(path + ".partial") << "left over from a run that was killed";
    ganglion::write_positions(path, populations(), comm_);
    EXPECT_FALSE(fs::exists(path + ".partial"));
    EXPECT_EQ(ganglion::read_positions(path).size(), 3u);
}

TEST_F(PositionsFile, MissingDirectoryFailsNamingThePathAndLeavesNothing) {
    const auto path = file("no/such/dir/positions.h5");
    const std::string text = write_error(path, populations(), comm_);
    EXPECT_NE(text.find(path), std::string::npos) << text;
    EXPECT_NE(text.find("does not exist"), std::string::npos) << text;
    EXPECT_FALSE(fs::exists(path + ".partial"));
    EXPECT_FALSE(fs::exists(path));
}

TEST_F(PositionsFile, PathThatIsADirectoryFailsAndTheDirectoryStays) {
    const auto path = file("out");
    fs::create_directories(path);
    const std::string text = write_error(path, populations(), comm_);
    EXPECT_NE(text.find("is a directory"), std::string::npos) << text;
    EXPECT_TRUE(fs::is_directory(path));
    EXPECT_FALSE(fs::exists(path + ".partial"));
}

TEST_F(PositionsFile, FailureRemovesAnOlderFileButNeverADirectory) {
    // The temporary name is taken by a directory: creating the file fails. An older file at
    // the path must not pass for this run's output; the user's directory stays.
    const auto path = file("positions.h5");
    std::ofstream(path) << "old";
    fs::create_directories(path + ".partial");
    const std::string text = write_error(path, populations(), comm_);
    EXPECT_NE(text.find(".partial"), std::string::npos) << text;
    EXPECT_FALSE(fs::exists(path));
    EXPECT_TRUE(fs::is_directory(path + ".partial"));
}

TEST_F(PositionsFile, BadOrRepeatedPopulationNamesFailBeforeAnyFileIsTouched) {
    const auto path = file("positions.h5");
    std::ofstream(path) << "old";
    for (const std::string bad : {"", ".", "a/b"}) {
        const std::string text = write_error(path, {{bad, {}}}, comm_);
        EXPECT_NE(text.find("cannot be an HDF5 group name"), std::string::npos) << text;
    }
    const std::string twice = write_error(path, {{"exc", {}}, {"exc", {}}}, comm_);
    EXPECT_NE(twice.find("'exc' is given twice"), std::string::npos) << twice;
    EXPECT_TRUE(fs::is_regular_file(path));
    EXPECT_FALSE(fs::exists(path + ".partial"));
}

TEST_F(PositionsFile, OtherRanksDoNotWriteAndFollowRankZerosVerdict) {
    const auto path = file("positions.h5");
    one_of_two_ranks rank1(1);
    ganglion::write_positions(path, populations(), rank1);
    EXPECT_FALSE(fs::exists(path));  // rank 0 writes; here it "succeeded" elsewhere
    EXPECT_FALSE(fs::exists(path + ".partial"));

    rank1.other_vote = 1;  // rank 0 failed
    const std::string text = write_error(path, populations(), rank1);
    EXPECT_NE(text.find("failed on rank 0"), std::string::npos) << text;
}

TEST_F(PositionsFile, RankZeroWritesForAllAndRanksThatDisagreeAreABug) {
    const auto path = file("positions.h5");
    one_of_two_ranks rank0(0);
    ganglion::write_positions(path, populations(), rank0);
    EXPECT_EQ(ganglion::read_positions(path).size(), 3u);

    one_of_two_ranks confused(0);
    confused.disagree = true;
    EXPECT_THROW(ganglion::write_positions(file("other.h5"), populations(), confused),
                 ganglion::internal_error);
    EXPECT_FALSE(fs::exists(file("other.h5")));
}

TEST_F(PositionsFile, ReadErrorsNameThePath) {
    auto read_error = [](const std::string& path) -> std::string {
        try {
            ganglion::read_positions(path);
        } catch (const ganglion::positions_file_error& e) {
            EXPECT_EQ(e.path(), path);
            return e.what();
        }
        return "(no error)";
    };
    EXPECT_NE(read_error(file("missing.h5")).find("no such file"), std::string::npos);
    std::ofstream(file("text.h5")) << "not HDF5";
    EXPECT_NE(read_error(file("text.h5")).find("not an HDF5 file"), std::string::npos);

    // An HDF5 file without /positions, and one with a dataset that is not [n x 3].
    const auto empty = file("empty.h5");
    {
        h5 f{H5Fcreate(empty.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose};
        ASSERT_GE(f.id, 0);
    }
    EXPECT_NE(read_error(empty).find("no /positions group"), std::string::npos);
    const auto wrong = file("wrong.h5");
    {
        h5 f{H5Fcreate(wrong.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose};
        h5 g{H5Gcreate2(f.id, "positions", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose};
        const hsize_t dims[2] = {4, 2};
        h5 space{H5Screate_simple(2, dims, nullptr), H5Sclose};
        h5 d{H5Dcreate2(g.id, "exc", H5T_IEEE_F64LE, space.id, H5P_DEFAULT, H5P_DEFAULT,
                        H5P_DEFAULT),
             H5Dclose};
        ASSERT_GE(d.id, 0);
    }
    const std::string text = read_error(wrong);
    EXPECT_NE(text.find("/positions/exc is not [n x 3]"), std::string::npos) << text;
}

}  // namespace
