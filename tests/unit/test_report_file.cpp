// SONATA report files with the serial communicator: round trip, the layout other SONATA
// readers rely on (checked with the HDF5 C API, not with our own reader), and failures.

#include "io/report_file.hpp"

#include <gtest/gtest.h>
#include <hdf5.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "comm/serial_communicator.hpp"
#include "core/error.hpp"

namespace {

namespace fs = std::filesystem;
using ganglion::population_report;

// A value that is not exact in binary, different for every (population, time, cell).
double value(std::size_t pop, std::uint64_t t, std::uint64_t c) {
    return -65.0 + 0.1 * static_cast<double>(t) + 1e-3 * static_cast<double>(c) +
           0.37 * static_cast<double>(pop);
}

// A population held whole by one rank.
population_report make_population(const std::string& name, std::size_t index,
                                  std::vector<std::uint64_t> node_ids, std::uint64_t n_times,
                                  double t_start, double t_step) {
    population_report p;
    p.name = name;
    p.node_ids = std::move(node_ids);
    p.n_times = n_times;
    p.t_start = t_start;
    p.t_step = t_step;
    for (std::uint64_t c = 0; c < p.node_ids.size(); ++c)
        p.local_columns.push_back(c);
    for (std::uint64_t t = 0; t < n_times; ++t)
        for (std::uint64_t c = 0; c < p.node_ids.size(); ++c)
            p.local_data.push_back(value(index, t, c));
    return p;
}

class ReportFile : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::path(GANGLION_BINARY_DIR) / "test_report_file" /
               ::testing::UnitTest::GetInstance()->current_test_info()->name();
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override {
        if (!HasFailure()) fs::remove_all(dir_);
    }
    std::string file(const std::string& name) const { return (dir_ / name).string(); }

    // Contiguous ids, and scattered ids.
    static std::vector<population_report> two_populations() {
        std::vector<std::uint64_t> exc;
        for (std::uint64_t k = 0; k < 10; ++k)
            exc.push_back(k);
        return {make_population("exc", 0, exc, 25, 0.0, 0.1),
                make_population("inh", 1, {3, 17, 40, 41, 1000}, 13, 2.5, 0.25)};
    }

    fs::path dir_;
    ganglion::serial_communicator comm_;
};

void expect_read_back(const std::string& path, const std::vector<population_report>& pops) {
    const auto read = ganglion::read_sonata_report(path);
    ASSERT_EQ(read.size(), pops.size());
    for (std::size_t k = 0; k < pops.size(); ++k) {
        const auto& p = pops[k];
        SCOPED_TRACE(p.name);
        const auto it = read.find(p.name);
        ASSERT_NE(it, read.end());
        const auto& r = it->second;
        EXPECT_EQ(r.node_ids, p.node_ids);
        EXPECT_EQ(r.n_times, p.n_times);
        EXPECT_EQ(r.time[0], p.t_start);
        EXPECT_EQ(r.time[1], p.t_start + static_cast<double>(p.n_times) * p.t_step);
        EXPECT_EQ(r.time[2], p.t_step);
        ASSERT_EQ(r.data.size(), p.local_data.size());
        // Bit for bit.
        EXPECT_EQ(std::memcmp(r.data.data(), p.local_data.data(), r.data.size() * sizeof(double)),
                  0);
    }
}

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
    EXPECT_GE(attr.id, 0) << name;
    h5 type{H5Aget_type(attr.id), H5Tclose};
    EXPECT_EQ(H5Tget_class(type.id), H5T_STRING);
    EXPECT_TRUE(H5Tis_variable_str(type.id) > 0) << name << " is not a variable-length string";
    h5 mem{H5Tcopy(H5T_C_S1), H5Tclose};
    H5Tset_size(mem.id, H5T_VARIABLE);
    H5Tset_cset(mem.id, H5T_CSET_UTF8);
    char* value = nullptr;
    EXPECT_GE(H5Aread(attr.id, mem.id, &value), 0);
    std::string s = value ? value : "";
    H5free_memory(value);
    return s;
}

// The file type and shape of a dataset.
void expect_dataset(hid_t file, const char* path, hid_t type, std::vector<hsize_t> dims) {
    SCOPED_TRACE(path);
    h5 dataset{H5Dopen2(file, path, H5P_DEFAULT), H5Dclose};
    ASSERT_GE(dataset.id, 0);
    h5 t{H5Dget_type(dataset.id), H5Tclose};
    EXPECT_GT(H5Tequal(t.id, type), 0);
    h5 space{H5Dget_space(dataset.id), H5Sclose};
    const int rank = H5Sget_simple_extent_ndims(space.id);
    ASSERT_EQ(rank, static_cast<int>(dims.size()));
    std::vector<hsize_t> got(dims.size());
    H5Sget_simple_extent_dims(space.id, got.data(), nullptr);
    EXPECT_EQ(got, dims);
}

template <class T>
std::vector<T> read_all(hid_t file, const char* path, hid_t memtype, std::size_t n) {
    h5 dataset{H5Dopen2(file, path, H5P_DEFAULT), H5Dclose};
    std::vector<T> values(n);
    EXPECT_GE(H5Dread(dataset.id, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), 0)
        << path;
    return values;
}

// ---- tests -------------------------------------------------------------------------------

TEST_F(ReportFile, RoundTripKeepsEveryPopulationAndEveryBit) {
    const auto pops = two_populations();
    const auto path = file("v.h5");
    ganglion::write_sonata_report(path, "v", "mV", pops, comm_);
    EXPECT_TRUE(fs::exists(path));
    EXPECT_FALSE(fs::exists(path + ".partial"));
    expect_read_back(path, pops);
}

TEST_F(ReportFile, LayoutIsSonatas) {
    const auto pops = two_populations();
    const auto path = file("v.h5");
    ganglion::write_sonata_report(path, "v", "mV", pops, comm_);

    h5 f{H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose};
    ASSERT_GE(f.id, 0);
    // exc: 25 x 10, inh: 13 x 5.
    expect_dataset(f.id, "/report/exc/data", H5T_IEEE_F64LE, {25, 10});
    expect_dataset(f.id, "/report/inh/data", H5T_IEEE_F64LE, {13, 5});
    expect_dataset(f.id, "/report/inh/mapping/node_ids", H5T_STD_U64LE, {5});
    expect_dataset(f.id, "/report/inh/mapping/index_pointers", H5T_STD_U64LE, {6});
    expect_dataset(f.id, "/report/inh/mapping/element_ids", H5T_STD_U32LE, {5});
    expect_dataset(f.id, "/report/inh/mapping/time", H5T_IEEE_F64LE, {3});

    {
        h5 data{H5Dopen2(f.id, "/report/inh/data", H5P_DEFAULT), H5Dclose};
        EXPECT_EQ(read_string_attribute(data.id, "units"), "mV");
        EXPECT_EQ(read_string_attribute(data.id, "variable"), "v");
        h5 time{H5Dopen2(f.id, "/report/inh/mapping/time", H5P_DEFAULT), H5Dclose};
        EXPECT_EQ(read_string_attribute(time.id, "units"), "ms");
    }
    EXPECT_EQ(read_all<std::uint64_t>(f.id, "/report/inh/mapping/node_ids", H5T_NATIVE_UINT64, 5),
              (std::vector<std::uint64_t>{3, 17, 40, 41, 1000}));
    EXPECT_EQ(
        read_all<std::uint64_t>(f.id, "/report/inh/mapping/index_pointers", H5T_NATIVE_UINT64, 6),
        (std::vector<std::uint64_t>{0, 1, 2, 3, 4, 5}));
    EXPECT_EQ(
        read_all<std::uint32_t>(f.id, "/report/inh/mapping/element_ids", H5T_NATIVE_UINT32, 5),
        (std::vector<std::uint32_t>(5, 0)));
    EXPECT_EQ(read_all<double>(f.id, "/report/inh/mapping/time", H5T_NATIVE_DOUBLE, 3),
              (std::vector<double>{2.5, 2.5 + 13 * 0.25, 0.25}));
    // Row-major: row t is time t, column c is node_ids[c].
    const auto data = read_all<double>(f.id, "/report/exc/data", H5T_NATIVE_DOUBLE, 250);
    EXPECT_EQ(data[3 * 10 + 7], value(0, 3, 7));
}

TEST_F(ReportFile, EmptyPopulationsGiveEmptyDatasets) {
    std::vector<population_report> pops{make_population("no_cells", 0, {}, 20, 0.0, 0.1),
                                        make_population("no_times", 1, {1, 2, 3}, 0, 0.0, 0.1)};
    const auto path = file("empty.h5");
    ganglion::write_sonata_report(path, "gsyn_exc", "uS", pops, comm_);
    expect_read_back(path, pops);
    h5 f{H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose};
    expect_dataset(f.id, "/report/no_cells/data", H5T_IEEE_F64LE, {20, 0});
    expect_dataset(f.id, "/report/no_cells/mapping/index_pointers", H5T_STD_U64LE, {1});
    expect_dataset(f.id, "/report/no_times/data", H5T_IEEE_F64LE, {0, 3});
}

TEST_F(ReportFile, MissingDirectoryIsAnErrorNamingThePathAndLeavesNoFile) {
    const auto missing = dir_ / "no_such_directory";
    const auto path = (missing / "v.h5").string();
    try {
        ganglion::write_sonata_report(path, "v", "mV", two_populations(), comm_);
        FAIL() << "no error";
    } catch (const ganglion::report_file_error& e) {
        EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos) << e.what();
        EXPECT_EQ(e.path(), path);
    }
    EXPECT_FALSE(fs::exists(missing));
    EXPECT_FALSE(fs::exists(path + ".partial"));
}

TEST_F(ReportFile, OlderFileIsReplaced) {
    const auto path = file("v.h5");
    ganglion::write_sonata_report(path, "v", "mV", two_populations(), comm_);
    const std::vector<population_report> one{make_population("exc", 3, {5, 6}, 4, 1.0, 0.5)};
    ganglion::write_sonata_report(path, "v", "mV", one, comm_);
    expect_read_back(path, one);
}

TEST_F(ReportFile, BadPopulationNameIsAUserError) {
    EXPECT_THROW(ganglion::write_sonata_report(
                     file("v.h5"), "v", "mV", {make_population("a/b", 0, {1}, 2, 0.0, 0.1)}, comm_),
                 ganglion::report_file_error);
}

TEST_F(ReportFile, InconsistentInputIsAnInternalError) {
    auto pops = two_populations();
    pops[0].local_data.pop_back();
    EXPECT_THROW(ganglion::write_sonata_report(file("v.h5"), "v", "mV", pops, comm_),
                 ganglion::internal_error);
    pops = two_populations();
    pops[1].local_columns.pop_back();  // a column no rank holds
    pops[1].local_data.resize(pops[1].n_times * pops[1].local_columns.size());
    EXPECT_THROW(ganglion::write_sonata_report(file("v.h5"), "v", "mV", pops, comm_),
                 ganglion::internal_error);
    EXPECT_FALSE(fs::exists(file("v.h5")));
}

TEST_F(ReportFile, ReadingAMissingFileNamesThePath) {
    const auto path = file("absent.h5");
    try {
        ganglion::read_sonata_report(path);
        FAIL() << "no error";
    } catch (const ganglion::report_file_error& e) {
        EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
}

}  // namespace
