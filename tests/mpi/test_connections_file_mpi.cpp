// Connections files written by all ranks with parallel HDF5. Registered at 1, 2 and 4 ranks:
// the connections of a known global list are dealt to the ranks by post_index % ranks, in
// scrambled order, and the file must hold the global list sorted by (post, pre, delay,
// weight), bit for bit the same file contents as one written by one rank alone.
//
// Every rank makes every collective call of a test unconditionally; checks come after, so
// that a failed check on one rank cannot leave the others waiting.

#include <gtest/gtest.h>
#include <hdf5.h>
#include <mpi.h>
#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <tuple>
#include <vector>

#include "comm/mpi_communicator.hpp"
#include "comm/serial_communicator.hpp"
#include "core/error.hpp"
#include "io/connections_file.hpp"

namespace {

namespace fs = std::filesystem;
using ganglion::projection_connections;

struct connection {
    std::uint64_t pre, post;
    double weight, delay;
};

struct projection {
    std::string label;
    std::vector<connection> connections;  // in no particular order
};

std::uint64_t mix(std::uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    return x ^ (x >> 33);
}

// The known global list: an excitatory projection with multapses (same pre and post,
// different delays) and weights that are not exact in binary, an inhibitory one with
// negative weights, one onto fewer posts than there are ranks, and an empty one.
std::vector<projection> global_list(std::uint64_t n_exc = 3000) {
    std::vector<projection> list{{"exc→exc", {}}, {"inh→exc", {}}, {"tiny", {}}, {"empty", {}}};
    for (std::uint64_t k = 0; k < n_exc; ++k) {
        const auto h = mix(k);
        list[0].connections.push_back({h % 400, (h >> 20) % 300,
                                       0.001 * static_cast<double>((h >> 40) % 97),
                                       0.1 * static_cast<double>(1 + (h >> 50) % 30)});
    }
    // Multapses: a second synapse for every tenth, with another delay.
    for (std::uint64_t k = 0; k < n_exc; k += 10) {
        auto c = list[0].connections[k];
        c.delay += 0.5;
        list[0].connections.push_back(c);
    }
    for (std::uint64_t k = 0; k < 700; ++k) {
        const auto h = mix(k + 1000003);
        list[1].connections.push_back(
            {h % 100, (h >> 17) % 300, -0.01 * static_cast<double>(1 + (h >> 33) % 7), 0.1});
    }
    list[2].connections = {{5, 1, 0.5, 1.0}, {2, 0, 0.25, 2.0}, {2, 0, 0.25, 1.0}};
    return list;
}

std::vector<connection> sorted(std::vector<connection> c) {
    std::sort(c.begin(), c.end(), [](const connection& a, const connection& b) {
        return std::tie(a.post, a.pre, a.delay, a.weight) <
               std::tie(b.post, b.pre, b.delay, b.weight);
    });
    return c;
}

// This rank's part: the connections onto its posts (post % ranks == rank), scrambled with
// `seed` so that the writer cannot rely on the order it receives them in.
std::vector<projection_connections> local_part(const std::vector<projection>& global, int rank,
                                               int ranks, std::uint64_t seed) {
    std::vector<projection_connections> local;
    for (const auto& p : global) {
        std::vector<std::pair<std::uint64_t, connection>> mine;
        for (std::size_t k = 0; k < p.connections.size(); ++k)
            if (p.connections[k].post % static_cast<std::uint64_t>(ranks) ==
                static_cast<std::uint64_t>(rank))
                mine.push_back({mix(k * 7919 + seed), p.connections[k]});
        std::sort(mine.begin(), mine.end(),
                  [](const auto& a, const auto& b) { return a.first < b.first; });
        projection_connections pc;
        pc.label = p.label;
        for (const auto& [key, c] : mine) {
            pc.pre_index.push_back(c.pre);
            pc.post_index.push_back(c.post);
            pc.weight.push_back(c.weight);
            pc.delay.push_back(c.delay);
        }
        local.push_back(std::move(pc));
    }
    return local;
}

// Runs h5_equal on two files; its exit code (-1 if it could not run).
int h5_equal(const std::string& a, const std::string& b, const std::string& log) {
    const std::string command =
        std::string(GANGLION_H5_EQUAL) + " '" + a + "' '" + b + "' > '" + log + "' 2>&1";
    const int status = std::system(command.c_str());
    return status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

class ConnectionsFileMpi : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::path(GANGLION_BINARY_DIR) / "test_connections_file_mpi" /
               ("np" + std::to_string(comm_.size()));
        if (comm_.rank() == 0) fs::create_directories(dir_);
        comm_.barrier();
    }
    std::string file(const std::string& stem) const { return (dir_ / (stem + ".h5")).string(); }

    static void expect_equals_sorted_list(const std::string& path,
                                          const std::vector<projection>& global) {
        const auto read = ganglion::read_connections(path);
        EXPECT_EQ(read.size(), global.size());
        for (const auto& p : global) {
            SCOPED_TRACE(p.label);
            const auto it = read.find(p.label);
            ASSERT_NE(it, read.end());
            const auto expected = sorted(p.connections);
            const auto& t = it->second;
            ASSERT_EQ(t.post_index.size(), expected.size());
            ASSERT_EQ(t.pre_index.size(), expected.size());
            ASSERT_EQ(t.weight.size(), expected.size());
            ASSERT_EQ(t.delay.size(), expected.size());
            for (std::size_t k = 0; k < expected.size(); ++k) {
                if (t.pre_index[k] != expected[k].pre || t.post_index[k] != expected[k].post ||
                    t.weight[k] != expected[k].weight || t.delay[k] != expected[k].delay) {
                    ADD_FAILURE() << "connection " << k << " is (" << t.pre_index[k] << ", "
                                  << t.post_index[k] << ", " << t.weight[k] << ", " << t.delay[k]
                                  << "), expected (" << expected[k].pre << ", " << expected[k].post
                                  << ", " << expected[k].weight << ", " << expected[k].delay << ")";
                    break;
                }
            }
        }
    }

    // Writes the global list with every rank holding its posts' connections, and rank 0
    // checks the file against the sorted list and against a file it writes alone.
    void write_and_check(const std::string& stem, const std::vector<projection>& global) {
        const auto path = file(stem);
        ganglion::write_connections(path, local_part(global, comm_.rank(), comm_.size(), 1), comm_);
        if (comm_.rank() != 0) return;
        EXPECT_FALSE(fs::exists(path + ".partial"));
        expect_equals_sorted_list(path, global);

        // One rank alone through the serial communicator, the connections in another order.
        const auto serial_path = file(stem + "_serial");
        ganglion::serial_communicator serial;
        ganglion::write_connections(serial_path, local_part(global, 0, 1, 2), serial);
        EXPECT_EQ(h5_equal(path, serial_path, (dir_ / (stem + "_h5_equal.log")).string()), 0)
            << "see " << (dir_ / (stem + "_h5_equal.log")).string();
        if (!::testing::Test::HasFailure()) {
            fs::remove(path);
            fs::remove(serial_path);
        }
    }

    fs::path dir_;
    ganglion::mpi_communicator comm_;
};

TEST_F(ConnectionsFileMpi, PostsDealtToRanksGiveTheSortedGlobalList) {
    write_and_check("connections", global_list());
}

// Many connections, so that collective buffering has real work.
TEST_F(ConnectionsFileMpi, LargeFileRoundTrips) {
    write_and_check("large", global_list(200000));
}

// Every rank gets the error, naming the path; nobody hangs; no file appears.
TEST_F(ConnectionsFileMpi, MissingDirectoryFailsOnEveryRank) {
    const auto path = (dir_ / "no_such_directory" / "connections.h5").string();
    std::string message;
    try {
        ganglion::write_connections(path, local_part(global_list(), comm_.rank(), comm_.size(), 1),
                                    comm_);
    } catch (const ganglion::connections_file_error& e) {
        message = e.what();
    }
    EXPECT_NE(message.find(path), std::string::npos) << "message: '" << message << "'";
    EXPECT_NE(message.find("does not exist"), std::string::npos) << message;
    comm_.barrier();
    EXPECT_FALSE(fs::exists(path));
    EXPECT_FALSE(fs::exists(path + ".partial"));
}

// The writer relies on ranks owning their targets: a post whose connections are on two ranks
// is a bug in the caller, found on every rank.
TEST_F(ConnectionsFileMpi, OnePostOnTwoRanksFailsOnEveryRank) {
    const auto path = file("split_post");
    auto local = local_part(global_list(), comm_.rank(), comm_.size(), 1);
    // The last rank takes a copy of one of rank 0's connections onto post 0.
    if (comm_.size() > 1 && comm_.rank() == comm_.size() - 1) {
        auto& tiny = local[2];
        tiny.pre_index.push_back(9);
        tiny.post_index.push_back(0);
        tiny.weight.push_back(0.125);
        tiny.delay.push_back(1.0);
    }
    bool threw = false;
    try {
        ganglion::write_connections(path, local, comm_);
    } catch (const ganglion::internal_error&) {
        threw = true;
    }
    EXPECT_EQ(threw, comm_.size() > 1);
    comm_.barrier();
    if (comm_.rank() == 0) fs::remove(path);
    if (comm_.size() > 1) {
        EXPECT_FALSE(fs::exists(path));
    }
}

TEST_F(ConnectionsFileMpi, RanksDisagreeingOnLabelsFailOnEveryRank) {
    const auto path = file("disagree");
    auto local = local_part(global_list(), comm_.rank(), comm_.size(), 1);
    if (comm_.rank() == comm_.size() - 1 && comm_.size() > 1) local[1].label = "other";
    bool threw = false;
    try {
        ganglion::write_connections(path, local, comm_);
    } catch (const ganglion::internal_error&) {
        threw = true;
    }
    EXPECT_EQ(threw, comm_.size() > 1);
    comm_.barrier();
    if (comm_.rank() == 0) fs::remove(path);
}

// ---- h5_equal itself (rank 0 only, no collective calls) ------------------------------------

// Opens `path` for writing and hands the file to `change`.
template <class Change>
void modify(const std::string& path, Change&& change) {
    const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    ASSERT_GE(f, 0);
    change(f);
    H5Fclose(f);
}

TEST_F(ConnectionsFileMpi, H5EqualSeesEveryDifference) {
    if (comm_.rank() != 0) return;
    ganglion::serial_communicator serial;
    const auto a = file("h5_equal_a"), b = file("h5_equal_b");
    const auto log = [this](const std::string& what) {
        return (dir_ / ("h5_equal_" + what + ".log")).string();
    };
    ganglion::write_connections(a, local_part(global_list(), 0, 1, 1), serial);
    ganglion::write_connections(b, local_part(global_list(), 0, 1, 2), serial);
    EXPECT_EQ(h5_equal(a, b, log("equal")), 0) << "equal files";

    // One weight one unit in the last place larger.
    const auto changed = file("h5_equal_changed");
    fs::copy_file(b, changed, fs::copy_options::overwrite_existing);
    modify(changed, [](hid_t f) {
        const hid_t d = H5Dopen2(f, "/projections/exc→exc/weight", H5P_DEFAULT);
        ASSERT_GE(d, 0);
        const hid_t space = H5Dget_space(d);
        const hsize_t at = 17, one = 1;
        H5Sselect_hyperslab(space, H5S_SELECT_SET, &at, nullptr, &one, nullptr);
        const hid_t mem = H5Screate_simple(1, &one, nullptr);
        double w = 0;
        ASSERT_GE(H5Dread(d, H5T_NATIVE_DOUBLE, mem, space, H5P_DEFAULT, &w), 0);
        w = std::nextafter(w, 1.0);
        ASSERT_GE(H5Dwrite(d, H5T_NATIVE_DOUBLE, mem, space, H5P_DEFAULT, &w), 0);
        H5Sclose(mem);
        H5Sclose(space);
        H5Dclose(d);
    });
    EXPECT_EQ(h5_equal(a, changed, log("changed")), 1) << "one changed value";

    const auto missing = file("h5_equal_missing");
    fs::copy_file(b, missing, fs::copy_options::overwrite_existing);
    modify(missing,
           [](hid_t f) { ASSERT_GE(H5Ldelete(f, "/projections/tiny/delay", H5P_DEFAULT), 0); });
    EXPECT_EQ(h5_equal(a, missing, log("missing")), 1) << "a missing dataset";
    EXPECT_EQ(h5_equal(missing, a, log("missing_reversed")), 1)
        << "a missing dataset, other way round";

    // Only empty projections: nothing to compare.
    const auto empty = file("h5_equal_empty");
    ganglion::write_connections(
        empty, {projection_connections{"none", {}, {}, {}, {}, false, {}, {}}}, serial);
    EXPECT_EQ(h5_equal(empty, empty, log("empty")), 1) << "nothing to compare";

    if (!HasFailure())
        for (const auto& path : {a, b, changed, missing, empty})
            fs::remove(path);
}

}  // namespace
