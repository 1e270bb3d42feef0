// Connections files with the serial communicator: HDF5 round trip, the sorted order and the
// layout (checked with the HDF5 C API, not with our own reader), failures, and PyNN's text
// format.

#include "io/connections_file.hpp"

#include <gtest/gtest.h>
#include <hdf5.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <tuple>
#include <vector>

#include "comm/serial_communicator.hpp"
#include "core/error.hpp"

namespace {

namespace fs = std::filesystem;
using ganglion::connection_table;
using ganglion::connections_file_error;
using ganglion::projection_connections;

struct connection {
    std::uint64_t pre, post;
    double weight, delay;
};

projection_connections make_projection(const std::string& label,
                                       const std::vector<connection>& connections) {
    projection_connections p;
    p.label = label;
    for (const auto& c : connections) {
        p.pre_index.push_back(c.pre);
        p.post_index.push_back(c.post);
        p.weight.push_back(c.weight);
        p.delay.push_back(c.delay);
    }
    return p;
}

// Not in file order: posts descend, a post's connections are mixed up, and two connections
// share pre and post (a multapse) and differ in delay, two others only in weight. Weights
// such as 0.1 * k are not exact in binary: a round trip must keep every bit.
std::vector<connection> unsorted_connections() {
    return {{3, 9, 0.5, 1.5},
            {1, 9, 0.25, 1.0},
            {0, 4, -0.3, 2.0},
            {2, 4, 0.1, 1.0},
            {2, 4, 0.1, 0.5},
            {7, 0, 0.7, 0.1},
            {0, 4, -0.2, 2.0},
            {5, 2, 0.3, 3.0},
            {1, 9, 0.25, 0.2},
            {6, 0, 0.1, 1.1},
            {5, 2, 0.30000000000000004, 3.0}};
}

// The same connections in the order the file must hold them: (post, pre, delay, weight).
std::vector<connection> sorted(std::vector<connection> c) {
    std::sort(c.begin(), c.end(), [](const connection& a, const connection& b) {
        return std::tie(a.post, a.pre, a.delay, a.weight) <
               std::tie(b.post, b.pre, b.delay, b.weight);
    });
    return c;
}

void expect_table(const connection_table& t, const std::vector<connection>& expected) {
    ASSERT_EQ(t.pre_index.size(), expected.size());
    ASSERT_EQ(t.post_index.size(), expected.size());
    ASSERT_EQ(t.weight.size(), expected.size());
    ASSERT_EQ(t.delay.size(), expected.size());
    for (std::size_t k = 0; k < expected.size(); ++k) {
        SCOPED_TRACE("connection " + std::to_string(k));
        EXPECT_EQ(t.pre_index[k], expected[k].pre);
        EXPECT_EQ(t.post_index[k], expected[k].post);
        EXPECT_EQ(t.weight[k], expected[k].weight);  // exact, bit for bit
        EXPECT_EQ(t.delay[k], expected[k].delay);
    }
}

class ConnectionsFile : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::path(GANGLION_BINARY_DIR) / "test_connections_file" /
               ::testing::UnitTest::GetInstance()->current_test_info()->name();
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override {
        if (!HasFailure()) fs::remove_all(dir_);
    }
    std::string file(const std::string& name) const { return (dir_ / name).string(); }
    std::string text_file(const std::string& name, const std::string& contents) const {
        const auto path = file(name);
        std::ofstream(path) << contents;
        return path;
    }

    std::vector<projection_connections> two_projections() const {
        return {make_projection("exc→inh", unsorted_connections()), make_projection("empty", {})};
    }

    fs::path dir_;
    ganglion::serial_communicator comm_;
};

// ---- HDF5 C API helpers for the layout checks --------------------------------------------

struct h5 {
    hid_t id;
    herr_t (*close)(hid_t);
    ~h5() {
        if (id >= 0) close(id);
    }
};

std::string read_string_attribute(hid_t object, const char* name) {
    h5 attr{H5Aopen(object, name, H5P_DEFAULT), H5Aclose};
    if (attr.id < 0) return "<missing>";
    h5 type{H5Tcopy(H5T_C_S1), H5Tclose};
    H5Tset_size(type.id, H5T_VARIABLE);
    H5Tset_cset(type.id, H5T_CSET_UTF8);
    char* value = nullptr;
    if (H5Aread(attr.id, type.id, &value) < 0 || value == nullptr) return "<unreadable>";
    std::string result = value;
    H5free_memory(value);
    return result;
}

// ---- HDF5 ----------------------------------------------------------------------------------

TEST_F(ConnectionsFile, RoundTripKeepsEveryProjectionIncludingAnEmptyOne) {
    const auto path = file("connections.h5");
    ganglion::write_connections(path, two_projections(), comm_);
    EXPECT_TRUE(fs::is_regular_file(path));
    EXPECT_FALSE(fs::exists(path + ".partial"));

    const auto read = ganglion::read_connections(path);
    ASSERT_EQ(read.size(), 2u);
    ASSERT_EQ(read.count("exc→inh"), 1u);
    ASSERT_EQ(read.count("empty"), 1u);
    expect_table(read.at("exc→inh"), sorted(unsorted_connections()));
    expect_table(read.at("empty"), {});
}

TEST_F(ConnectionsFile, ConnectionsAreSortedByPostThenPreThenDelayThenWeight) {
    const auto path = file("connections.h5");
    ganglion::write_connections(path, {make_projection("p", unsorted_connections())}, comm_);
    const auto t = ganglion::read_connections(path).at("p");
    ASSERT_EQ(t.post_index.size(), unsorted_connections().size());
    EXPECT_EQ(t.post_index, (std::vector<std::uint64_t>{0, 0, 2, 2, 4, 4, 4, 4, 9, 9, 9}));
    EXPECT_EQ(t.pre_index, (std::vector<std::uint64_t>{6, 7, 5, 5, 0, 0, 2, 2, 1, 1, 3}));
    // Same (post, pre): by delay, then by weight.
    EXPECT_EQ(t.delay[6], 0.5);
    EXPECT_EQ(t.delay[7], 1.0);
    EXPECT_EQ(t.weight[2], 0.3);
    EXPECT_EQ(t.weight[3], 0.30000000000000004);
    EXPECT_EQ(t.weight[4], -0.3);
    EXPECT_EQ(t.weight[5], -0.2);
    EXPECT_EQ(t.delay[8], 0.2);
    EXPECT_EQ(t.delay[9], 1.0);
}

// Whatever order the connections come in, the file is the same.
TEST_F(ConnectionsFile, InputOrderDoesNotChangeTheFile) {
    auto reversed = unsorted_connections();
    std::reverse(reversed.begin(), reversed.end());
    ganglion::write_connections(file("a.h5"), {make_projection("p", unsorted_connections())},
                                comm_);
    ganglion::write_connections(file("b.h5"), {make_projection("p", reversed)}, comm_);
    expect_table(ganglion::read_connections(file("b.h5")).at("p"), sorted(unsorted_connections()));
    const auto a = ganglion::read_connections(file("a.h5")).at("p");
    const auto b = ganglion::read_connections(file("b.h5")).at("p");
    EXPECT_EQ(a.pre_index, b.pre_index);
    EXPECT_EQ(a.post_index, b.post_index);
    EXPECT_EQ(a.weight, b.weight);
    EXPECT_EQ(a.delay, b.delay);
}

TEST_F(ConnectionsFile, LayoutTypesAndUnits) {
    const auto path = file("connections.h5");
    ganglion::write_connections(path, two_projections(), comm_);
    h5 f{H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose};
    ASSERT_GE(f.id, 0);
    for (const auto& [label, n] : {std::pair<std::string, hssize_t>{"exc→inh", 11}, {"empty", 0}}) {
        SCOPED_TRACE(label);
        const std::string where = "/projections/" + label;
        h5 group{H5Gopen2(f.id, where.c_str(), H5P_DEFAULT), H5Gclose};
        ASSERT_GE(group.id, 0);
        for (const auto& [name, type] : {std::pair<const char*, hid_t>{"pre_index", H5T_STD_U64LE},
                                         {"post_index", H5T_STD_U64LE},
                                         {"weight", H5T_IEEE_F64LE},
                                         {"delay", H5T_IEEE_F64LE}}) {
            SCOPED_TRACE(name);
            h5 d{H5Dopen2(group.id, name, H5P_DEFAULT), H5Dclose};
            ASSERT_GE(d.id, 0);
            h5 t{H5Dget_type(d.id), H5Tclose};
            EXPECT_GT(H5Tequal(t.id, type), 0);
            h5 space{H5Dget_space(d.id), H5Sclose};
            EXPECT_EQ(H5Sget_simple_extent_ndims(space.id), 1);
            EXPECT_EQ(H5Sget_simple_extent_npoints(space.id), n);
        }
        h5 weight{H5Dopen2(group.id, "weight", H5P_DEFAULT), H5Dclose};
        EXPECT_EQ(read_string_attribute(weight.id, "units"), "uS or nA");
        h5 delay{H5Dopen2(group.id, "delay", H5P_DEFAULT), H5Dclose};
        EXPECT_EQ(read_string_attribute(delay.id, "units"), "ms");
    }
}

TEST_F(ConnectionsFile, NoProjectionsGiveAnEmptyProjectionsGroup) {
    const auto path = file("connections.h5");
    ganglion::write_connections(path, {}, comm_);
    EXPECT_TRUE(ganglion::read_connections(path).empty());
}

TEST_F(ConnectionsFile, MissingDirectoryIsAnErrorNamingThePathAndLeavesNoFile) {
    const auto missing = dir_ / "no_such_directory";
    const auto path = (missing / "connections.h5").string();
    try {
        ganglion::write_connections(path, two_projections(), comm_);
        FAIL() << "no error for a missing directory";
    } catch (const connections_file_error& e) {
        const std::string message = e.what();
        EXPECT_EQ(e.path(), path);
        EXPECT_NE(message.find(path), std::string::npos) << message;
        EXPECT_NE(message.find("does not exist"), std::string::npos) << message;
    }
    EXPECT_FALSE(fs::exists(missing));
}

TEST_F(ConnectionsFile, FailedWriteLeavesNoOlderFileAtThePath) {
    const auto path = file("connections.h5");
    ganglion::write_connections(path, two_projections(), comm_);
    ASSERT_TRUE(fs::exists(path));
    fs::create_directory(path + ".partial");  // the temporary file cannot be created
    EXPECT_THROW(ganglion::write_connections(path, two_projections(), comm_),
                 connections_file_error);
    EXPECT_FALSE(fs::exists(path));
    EXPECT_TRUE(fs::is_directory(path + ".partial"));  // not ours to delete: a directory
}

TEST_F(ConnectionsFile, BadLabelIsAUserErrorNamingIt) {
    const auto path = file("connections.h5");
    auto projections = two_projections();
    projections[0].label = "exc/inh";
    try {
        ganglion::write_connections(path, projections, comm_);
        FAIL() << "no error for a label with '/'";
    } catch (const connections_file_error& e) {
        EXPECT_NE(std::string(e.what()).find("exc/inh"), std::string::npos) << e.what();
    }
    projections[0].label = "empty";  // twice
    EXPECT_THROW(ganglion::write_connections(path, projections, comm_), connections_file_error);
    EXPECT_FALSE(fs::exists(path));
}

TEST_F(ConnectionsFile, RaggedColumnsAreInternalErrors) {
    const auto path = file("connections.h5");
    auto projections = two_projections();
    projections[0].delay.pop_back();
    EXPECT_THROW(ganglion::write_connections(path, projections, comm_), ganglion::internal_error);
    EXPECT_FALSE(fs::exists(path));
}

TEST_F(ConnectionsFile, ReadingAMissingFileNamesIt) {
    const auto path = file("absent.h5");
    try {
        ganglion::read_connections(path);
        FAIL() << "no error for a missing file";
    } catch (const connections_file_error& e) {
        EXPECT_EQ(e.path(), path);
        EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
}

TEST_F(ConnectionsFile, ReadingAFileWithoutProjectionsGroupIsAnError) {
    const auto path = file("empty.h5");
    {
        h5 f{H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose};
        ASSERT_GE(f.id, 0);
    }
    EXPECT_THROW(ganglion::read_connections(path), connections_file_error);
}

TEST_F(ConnectionsFile, ReadingAProjectionWithoutDelayNamesTheDataset) {
    const auto path = file("broken.h5");
    {
        h5 f{H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose};
        h5 lcpl{H5Pcreate(H5P_LINK_CREATE), H5Pclose};
        H5Pset_create_intermediate_group(lcpl.id, 1);
        h5 g{H5Gcreate2(f.id, "/projections/p", lcpl.id, H5P_DEFAULT, H5P_DEFAULT), H5Gclose};
        const hsize_t n = 1;
        h5 space{H5Screate_simple(1, &n, nullptr), H5Sclose};
        const std::uint64_t index = 0;
        const double weight = 0.5;
        for (const char* name : {"pre_index", "post_index"}) {
            h5 d{H5Dcreate2(g.id, name, H5T_STD_U64LE, space.id, H5P_DEFAULT, H5P_DEFAULT,
                            H5P_DEFAULT),
                 H5Dclose};
            ASSERT_GE(H5Dwrite(d.id, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, &index), 0);
        }
        h5 d{H5Dcreate2(g.id, "weight", H5T_IEEE_F64LE, space.id, H5P_DEFAULT, H5P_DEFAULT,
                        H5P_DEFAULT),
             H5Dclose};
        ASSERT_GE(H5Dwrite(d.id, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, &weight), 0);
    }
    try {
        ganglion::read_connections(path);
        FAIL() << "no error for a missing delay dataset";
    } catch (const connections_file_error& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find(path), std::string::npos) << message;
        EXPECT_NE(message.find("/projections/p/delay"), std::string::npos) << message;
    }
}

// ---- PyNN's text format --------------------------------------------------------------------

// What PyNN's Projection.save("all", file) writes: metadata lines, the columns, tab-separated
// values formatted with %r (so indices are floats).
TEST_F(ConnectionsFile, TextWithPynnHeader) {
    const auto path = text_file("pynn.txt",
                                "# columns = ['i', 'j', 'weight', 'delay']\n"
                                "# label = 'exc→inh'\n"
                                "0.0\t3.0\t0.004\t1.5\n"
                                "2.0\t3.0\t0.1\t0.1\n"
                                "17.0\t0.0\t-0.05\t2.0\n");
    const auto t = ganglion::read_connections_text(path);
    EXPECT_EQ(t.pre_index, (std::vector<std::uint64_t>{0, 2, 17}));
    EXPECT_EQ(t.post_index, (std::vector<std::uint64_t>{3, 3, 0}));
    EXPECT_EQ(t.weight, (std::vector<double>{0.004, 0.1, -0.05}));
    EXPECT_EQ(t.delay, (std::vector<double>{1.5, 0.1, 2.0}));
}

// The header says which column is which, whatever the order, and columns ganglion does not
// use (a plastic synapse's parameters) are skipped.
TEST_F(ConnectionsFile, TextHeaderChoosesTheColumns) {
    const auto path = text_file("reordered.txt",
                                "# columns = [\"delay\", 'j', 'tau_plus', 'i', 'weight']\n"
                                "1.0 4 20.0 7 0.5\n"
                                "2.5 1 20.0 0 0.25\n");
    const auto t = ganglion::read_connections_text(path);
    EXPECT_EQ(t.pre_index, (std::vector<std::uint64_t>{7, 0}));
    EXPECT_EQ(t.post_index, (std::vector<std::uint64_t>{4, 1}));
    EXPECT_EQ(t.weight, (std::vector<double>{0.5, 0.25}));
    EXPECT_EQ(t.delay, (std::vector<double>{1.0, 2.5}));
}

TEST_F(ConnectionsFile, TextWithOnlyIAndJLeavesWeightAndDelayEmpty) {
    for (const std::string header : {"", "# columns = ['i', 'j']\n"}) {
        SCOPED_TRACE(header.empty() ? "without header" : "with header");
        const auto path = text_file("ij.txt", header + "0 1\n2 3\n4.0 5.0\n");
        const auto t = ganglion::read_connections_text(path);
        EXPECT_EQ(t.pre_index, (std::vector<std::uint64_t>{0, 2, 4}));
        EXPECT_EQ(t.post_index, (std::vector<std::uint64_t>{1, 3, 5}));
        EXPECT_TRUE(t.weight.empty());
        EXPECT_TRUE(t.delay.empty());
    }
}

TEST_F(ConnectionsFile, TextCommentsAndBlankLinesAreIgnored) {
    const auto path = text_file("comments.txt",
                                "# saved by hand\n"
                                "\n"
                                "   # indented comment\n"
                                "1 2 0.5 1.0\r\n"
                                "\t\n"
                                "# columns of nothing: not a header\n"
                                "3 4 0.25 2.0\n");
    const auto t = ganglion::read_connections_text(path);
    EXPECT_EQ(t.pre_index, (std::vector<std::uint64_t>{1, 3}));
    EXPECT_EQ(t.post_index, (std::vector<std::uint64_t>{2, 4}));
    EXPECT_EQ(t.weight, (std::vector<double>{0.5, 0.25}));
    EXPECT_EQ(t.delay, (std::vector<double>{1.0, 2.0}));
}

// numpy 2 formats a float64 with %r as "np.float64(0.5)".
TEST_F(ConnectionsFile, TextAcceptsNumpyReprs) {
    const auto path = text_file("numpy2.txt",
                                "# columns = ['i', 'j', 'weight', 'delay']\n"
                                "np.float64(1.0)\tnp.float64(2.0)\tnp.float64(0.5)\t"
                                "np.float64(1.5)\n");
    const auto t = ganglion::read_connections_text(path);
    EXPECT_EQ(t.pre_index, (std::vector<std::uint64_t>{1}));
    EXPECT_EQ(t.post_index, (std::vector<std::uint64_t>{2}));
    EXPECT_EQ(t.weight, (std::vector<double>{0.5}));
    EXPECT_EQ(t.delay, (std::vector<double>{1.5}));
}

// The message names the file and the line, so a user can find it.
void expect_text_error(const std::string& path, std::size_t line, const std::string& part) {
    try {
        ganglion::read_connections_text(path);
        FAIL() << "no error; expected one on line " << line;
    } catch (const connections_file_error& e) {
        const std::string message = e.what();
        EXPECT_EQ(e.path(), path);
        EXPECT_EQ(e.line(), line) << message;
        EXPECT_NE(message.find(path), std::string::npos) << message;
        EXPECT_NE(message.find("line " + std::to_string(line)), std::string::npos) << message;
        EXPECT_NE(message.find(part), std::string::npos) << message;
    }
}

TEST_F(ConnectionsFile, TextBadLineNamesItsLineNumber) {
    expect_text_error(text_file("bad_number.txt", "# header\n0 1 0.5 1.0\n2 3 heavy 1.0\n"), 3,
                      "'heavy' is not a number");
    expect_text_error(text_file("short.txt", "0 1 0.5 1.0\n\n2 3 0.5\n"), 3, "3 columns");
    expect_text_error(text_file("long.txt", "# columns = ['i', 'j']\n0 1 0.5\n"), 2,
                      "the columns header names 2");
    expect_text_error(text_file("one.txt", "7\n"), 1, "1 columns");
    expect_text_error(text_file("nan.txt", "0 1 nan 1.0\n"), 1, "not a finite number");
    expect_text_error(text_file("late_header.txt", "0 1\n# columns = ['j', 'i']\n"), 2,
                      "after the first connection");
    expect_text_error(text_file("no_j.txt", "# columns = ['i', 'weight']\n"), 1, "'j'");
    expect_text_error(text_file("bad_header.txt", "# columns = i, j\n"), 1, "columns header");
}

TEST_F(ConnectionsFile, TextIndexMustBeANonNegativeInteger) {
    expect_text_error(text_file("fraction.txt", "0 1\n2.5 3\n"), 2,
                      "column i: '2.5' is not a non-negative integer");
    expect_text_error(text_file("negative.txt", "0 -1\n"), 1,
                      "column j: '-1' is not a non-negative integer");
    expect_text_error(text_file("word.txt", "# columns = ['i', 'j']\nzero 1\n"), 2,
                      "column i: 'zero'");
    // Integers beyond 2^53 are read exactly, not through a double.
    const auto t = ganglion::read_connections_text(text_file("big.txt", "9007199254740993 1e3\n"));
    EXPECT_EQ(t.pre_index, (std::vector<std::uint64_t>{9007199254740993u}));
    EXPECT_EQ(t.post_index, (std::vector<std::uint64_t>{1000}));
}

TEST_F(ConnectionsFile, TextMissingFileNamesIt) {
    const auto path = file("absent.txt");
    try {
        ganglion::read_connections_text(path);
        FAIL() << "no error for a missing file";
    } catch (const connections_file_error& e) {
        EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
        EXPECT_EQ(e.line(), 0u);
    }
}

TEST_F(ConnectionsFile, TextWithNoConnectionsIsEmpty) {
    const auto t = ganglion::read_connections_text(
        text_file("none.txt", "# columns = ['i', 'j', 'weight', 'delay']\n"));
    EXPECT_TRUE(t.pre_index.empty());
    EXPECT_TRUE(t.post_index.empty());
    EXPECT_TRUE(t.weight.empty());
    EXPECT_TRUE(t.delay.empty());
}

}  // namespace
