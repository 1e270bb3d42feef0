// SONATA spike files with the serial communicator: round trip, the layout other SONATA
// readers rely on (checked with the HDF5 C API, not with our own reader), and failures.

#include "io/spike_file.hpp"

#include <gtest/gtest.h>
#include <hdf5.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "comm/serial_communicator.hpp"
#include "core/error.hpp"

namespace {

namespace fs = std::filesystem;
using ganglion::population_spikes;

struct spike {
    std::uint64_t node;
    double time;
};

// A population holding all its spikes, in (time, node) order, as one rank would.
population_spikes make_population(const std::string& name, std::vector<spike> spikes) {
    std::sort(spikes.begin(), spikes.end(), [](const spike& a, const spike& b) {
        return a.time != b.time ? a.time < b.time : a.node < b.node;
    });
    population_spikes p;
    p.name = name;
    p.total = spikes.size();
    for (std::size_t k = 0; k < spikes.size(); ++k) {
        p.index.push_back(k);
        p.node_id.push_back(spikes[k].node);
        p.time.push_back(spikes[k].time);
    }
    return p;
}

// Times such as 0.1 * k are not exact in binary: a round trip must keep every bit.
std::vector<spike> excitatory_spikes() {
    std::vector<spike> s;
    for (std::uint64_t k = 0; k < 57; ++k)
        s.push_back({(k * 7) % 13, 0.1 * static_cast<double>(k / 2)});
    return s;
}

class SpikeFile : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::path(GANGLION_BINARY_DIR) / "test_spike_file" /
               ::testing::UnitTest::GetInstance()->current_test_info()->name();
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override {
        if (!HasFailure()) fs::remove_all(dir_);
    }
    std::string file(const std::string& name) const { return (dir_ / name).string(); }

    std::vector<population_spikes> two_populations() const {
        return {make_population("exc", excitatory_spikes()), make_population("inh", {})};
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

std::vector<std::uint32_t> read_u32_attribute(hid_t object, const char* name) {
    h5 attr{H5Aopen(object, name, H5P_DEFAULT), H5Aclose};
    EXPECT_GE(attr.id, 0) << name;
    h5 type{H5Aget_type(attr.id), H5Tclose};
    EXPECT_TRUE(H5Tequal(type.id, H5T_STD_U32LE) > 0) << name << " is not uint32";
    h5 space{H5Aget_space(attr.id), H5Sclose};
    std::vector<std::uint32_t> values(H5Sget_simple_extent_npoints(space.id));
    EXPECT_GE(H5Aread(attr.id, H5T_NATIVE_UINT32, values.data()), 0);
    return values;
}

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

// The name of an enum attribute's value, e.g. "by_time".
std::string read_enum_attribute(hid_t object, const char* name) {
    h5 attr{H5Aopen(object, name, H5P_DEFAULT), H5Aclose};
    EXPECT_GE(attr.id, 0) << name;
    h5 type{H5Aget_type(attr.id), H5Tclose};
    EXPECT_EQ(H5Tget_class(type.id), H5T_ENUM) << name << " is not an enum";
    EXPECT_EQ(H5Tget_size(type.id), 1u);
    std::uint8_t value = 255;
    EXPECT_GE(H5Aread(attr.id, type.id, &value), 0);
    char label[32] = {};
    EXPECT_GE(H5Tenum_nameof(type.id, &value, label, sizeof label), 0);
    // The other members, as libsonata declares them.
    for (const auto& [member, expected] :
         {std::pair<const char*, int>{"none", 0}, {"by_id", 1}, {"by_time", 2}}) {
        std::uint8_t v = 255;
        EXPECT_GE(H5Tenum_valueof(type.id, member, &v), 0) << member;
        EXPECT_EQ(v, expected) << member;
    }
    return label;
}

// ---- tests -------------------------------------------------------------------------------

TEST_F(SpikeFile, RoundTripKeepsEveryPopulationAndEveryBit) {
    const auto pops = two_populations();
    const auto path = file("spikes.h5");
    ganglion::write_sonata_spikes(path, pops, comm_);

    const auto read = ganglion::read_sonata_spikes(path);
    ASSERT_EQ(read.size(), 2u);
    ASSERT_EQ(read.count("exc"), 1u);
    ASSERT_EQ(read.count("inh"), 1u);
    EXPECT_EQ(read.at("exc").node_ids, pops[0].node_id);
    EXPECT_EQ(read.at("exc").timestamps, pops[0].time);  // exact, bit for bit
    EXPECT_TRUE(read.at("inh").node_ids.empty());
    EXPECT_TRUE(read.at("inh").timestamps.empty());
}

TEST_F(SpikeFile, LayoutAndAttributesFollowSonata) {
    const auto path = file("spikes.h5");
    ganglion::write_sonata_spikes(path, two_populations(), comm_);

    h5 f{H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose};
    ASSERT_GE(f.id, 0);
    EXPECT_EQ(read_u32_attribute(f.id, "magic"), std::vector<std::uint32_t>{0x0A7A});
    EXPECT_EQ(read_u32_attribute(f.id, "version"), (std::vector<std::uint32_t>{0, 1}));

    for (const auto& [name, n] : {std::pair<std::string, hssize_t>{"exc", 57}, {"inh", 0}}) {
        SCOPED_TRACE(name);
        const std::string where = "/spikes/" + name;
        h5 group{H5Gopen2(f.id, where.c_str(), H5P_DEFAULT), H5Gclose};
        ASSERT_GE(group.id, 0);
        EXPECT_EQ(read_enum_attribute(group.id, "sorting"), "by_time");

        h5 times{H5Dopen2(group.id, "timestamps", H5P_DEFAULT), H5Dclose};
        ASSERT_GE(times.id, 0);
        h5 times_type{H5Dget_type(times.id), H5Tclose};
        EXPECT_TRUE(H5Tequal(times_type.id, H5T_IEEE_F64LE) > 0);
        h5 times_space{H5Dget_space(times.id), H5Sclose};
        EXPECT_EQ(H5Sget_simple_extent_ndims(times_space.id), 1);
        EXPECT_EQ(H5Sget_simple_extent_npoints(times_space.id), n);
        EXPECT_EQ(read_string_attribute(times.id, "units"), "ms");

        h5 ids{H5Dopen2(group.id, "node_ids", H5P_DEFAULT), H5Dclose};
        ASSERT_GE(ids.id, 0);
        h5 ids_type{H5Dget_type(ids.id), H5Tclose};
        EXPECT_TRUE(H5Tequal(ids_type.id, H5T_STD_U64LE) > 0);
        h5 ids_space{H5Dget_space(ids.id), H5Sclose};
        EXPECT_EQ(H5Sget_simple_extent_ndims(ids_space.id), 1);
        EXPECT_EQ(H5Sget_simple_extent_npoints(ids_space.id), n);
    }
}

TEST_F(SpikeFile, SpikesGoWhereTheirIndexSaysInWhateverOrderTheyAreGiven) {
    const auto sorted = make_population("exc", excitatory_spikes());
    population_spikes shuffled = sorted;
    shuffled.index.clear();
    shuffled.node_id.clear();
    shuffled.time.clear();
    for (std::size_t k = sorted.total; k-- > 0;) {  // backwards
        shuffled.index.push_back(sorted.index[k]);
        shuffled.node_id.push_back(sorted.node_id[k]);
        shuffled.time.push_back(sorted.time[k]);
    }
    const auto path = file("spikes.h5");
    ganglion::write_sonata_spikes(path, {shuffled}, comm_);
    const auto read = ganglion::read_sonata_spikes(path);
    EXPECT_EQ(read.at("exc").node_ids, sorted.node_id);
    EXPECT_EQ(read.at("exc").timestamps, sorted.time);
}

TEST_F(SpikeFile, NoPartialFileRemainsAfterSuccess) {
    const auto path = file("spikes.h5");
    ganglion::write_sonata_spikes(path, two_populations(), comm_);
    EXPECT_TRUE(fs::is_regular_file(path));
    EXPECT_FALSE(fs::exists(path + ".partial"));
}

TEST_F(SpikeFile, WritingAgainReplacesTheFile) {
    const auto path = file("spikes.h5");
    ganglion::write_sonata_spikes(path, two_populations(), comm_);
    const auto second = make_population("other", {{3, 1.5}, {1, 2.5}});
    ganglion::write_sonata_spikes(path, {second}, comm_);
    const auto read = ganglion::read_sonata_spikes(path);
    ASSERT_EQ(read.size(), 1u);
    EXPECT_EQ(read.at("other").node_ids, (std::vector<std::uint64_t>{3, 1}));
    EXPECT_EQ(read.at("other").timestamps, (std::vector<double>{1.5, 2.5}));
}

TEST_F(SpikeFile, MissingDirectoryIsAnErrorNamingThePathAndLeavesNoFile) {
    const auto missing = dir_ / "no_such_directory";
    const auto path = (missing / "spikes.h5").string();
    try {
        ganglion::write_sonata_spikes(path, two_populations(), comm_);
        FAIL() << "no error for a missing directory";
    } catch (const ganglion::spike_file_error& e) {
        const std::string message = e.what();
        EXPECT_EQ(e.path(), path);
        EXPECT_NE(message.find(path), std::string::npos) << message;
        EXPECT_NE(message.find("does not exist"), std::string::npos) << message;
    }
    EXPECT_FALSE(fs::exists(missing));
    EXPECT_FALSE(fs::exists(path));
    EXPECT_FALSE(fs::exists(path + ".partial"));
}

TEST_F(SpikeFile, ErrorsAreGanglionErrors) {
    const auto path = (dir_ / "no_such_directory" / "spikes.h5").string();
    EXPECT_THROW(ganglion::write_sonata_spikes(path, two_populations(), comm_), ganglion::error);
}

// A failed write must not leave an older, complete-looking file at the path either.
TEST_F(SpikeFile, FailedWriteLeavesNoOlderFileAtThePath) {
    const auto path = file("spikes.h5");
    ganglion::write_sonata_spikes(path, two_populations(), comm_);
    ASSERT_TRUE(fs::exists(path));
    fs::create_directory(path + ".partial");  // the temporary file cannot be created
    EXPECT_THROW(ganglion::write_sonata_spikes(path, two_populations(), comm_),
                 ganglion::spike_file_error);
    EXPECT_FALSE(fs::exists(path));
    EXPECT_TRUE(fs::is_directory(path + ".partial"));  // not ours to delete: a directory
}

TEST_F(SpikeFile, BadPopulationNameIsAUserError) {
    const auto path = file("spikes.h5");
    auto pops = two_populations();
    pops[0].name = "layer/exc";
    try {
        ganglion::write_sonata_spikes(path, pops, comm_);
        FAIL() << "no error for a population name with '/'";
    } catch (const ganglion::spike_file_error& e) {
        EXPECT_NE(std::string(e.what()).find("layer/exc"), std::string::npos) << e.what();
    }
    pops[0].name = "inh";  // twice
    EXPECT_THROW(ganglion::write_sonata_spikes(path, pops, comm_), ganglion::spike_file_error);
    EXPECT_FALSE(fs::exists(path));
}

TEST_F(SpikeFile, InconsistentIndicesAreInternalErrors) {
    const auto path = file("spikes.h5");
    auto pops = two_populations();
    auto out_of_range = pops;
    out_of_range[0].index.back() = out_of_range[0].total;
    EXPECT_THROW(ganglion::write_sonata_spikes(path, out_of_range, comm_),
                 ganglion::internal_error);
    auto duplicate = pops;
    duplicate[0].index[1] = duplicate[0].index[0];
    EXPECT_THROW(ganglion::write_sonata_spikes(path, duplicate, comm_), ganglion::internal_error);
    auto wrong_total = pops;
    wrong_total[1].total = 4;
    EXPECT_THROW(ganglion::write_sonata_spikes(path, wrong_total, comm_), ganglion::internal_error);
    auto not_by_time = pops;
    std::swap(not_by_time[0].index[0], not_by_time[0].index.back());
    EXPECT_THROW(ganglion::write_sonata_spikes(path, not_by_time, comm_), ganglion::internal_error);
    auto ragged = pops;
    ragged[0].time.pop_back();
    EXPECT_THROW(ganglion::write_sonata_spikes(path, ragged, comm_), ganglion::internal_error);
    EXPECT_FALSE(fs::exists(path));
    EXPECT_FALSE(fs::exists(path + ".partial"));
}

TEST_F(SpikeFile, ReadingAMissingFileNamesIt) {
    const auto path = file("absent.h5");
    try {
        ganglion::read_sonata_spikes(path);
        FAIL() << "no error for a missing file";
    } catch (const ganglion::spike_file_error& e) {
        EXPECT_EQ(e.path(), path);
        EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
}

TEST_F(SpikeFile, ReadingANonHdf5FileIsAnError) {
    const auto path = file("text.h5");
    std::ofstream(path) << "0.1 3\n";
    EXPECT_THROW(ganglion::read_sonata_spikes(path), ganglion::spike_file_error);
}

TEST_F(SpikeFile, ReadingAPopulationWithoutNodeIdsNamesTheDataset) {
    const auto path = file("broken.h5");
    {
        h5 f{H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose};
        ASSERT_GE(f.id, 0);
        h5 lcpl{H5Pcreate(H5P_LINK_CREATE), H5Pclose};
        H5Pset_create_intermediate_group(lcpl.id, 1);
        h5 g{H5Gcreate2(f.id, "/spikes/exc", lcpl.id, H5P_DEFAULT, H5P_DEFAULT), H5Gclose};
        ASSERT_GE(g.id, 0);
        const hsize_t n = 2;
        const double t[] = {1.0, 2.0};
        h5 space{H5Screate_simple(1, &n, nullptr), H5Sclose};
        h5 d{H5Dcreate2(g.id, "timestamps", H5T_IEEE_F64LE, space.id, H5P_DEFAULT, H5P_DEFAULT,
                        H5P_DEFAULT),
             H5Dclose};
        ASSERT_GE(H5Dwrite(d.id, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, t), 0);
    }
    try {
        ganglion::read_sonata_spikes(path);
        FAIL() << "no error for a missing node_ids dataset";
    } catch (const ganglion::spike_file_error& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find(path), std::string::npos) << message;
        EXPECT_NE(message.find("/spikes/exc/node_ids"), std::string::npos) << message;
    }
}

TEST_F(SpikeFile, ReadingAFileWithoutSpikesGroupIsAnError) {
    const auto path = file("empty.h5");
    {
        h5 f{H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose};
        ASSERT_GE(f.id, 0);
    }
    EXPECT_THROW(ganglion::read_sonata_spikes(path), ganglion::spike_file_error);
}

// Other writers (bmtk) store node ids as uint32: the reader converts.
TEST_F(SpikeFile, ReaderAcceptsOtherIntegerWidths) {
    const auto path = file("uint32.h5");
    {
        h5 f{H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose};
        h5 lcpl{H5Pcreate(H5P_LINK_CREATE), H5Pclose};
        H5Pset_create_intermediate_group(lcpl.id, 1);
        h5 g{H5Gcreate2(f.id, "/spikes/v1", lcpl.id, H5P_DEFAULT, H5P_DEFAULT), H5Gclose};
        const hsize_t n = 3;
        const std::uint32_t ids[] = {4, 0, 4000000000u};
        const double t[] = {0.5, 0.75, 1.0};
        h5 space{H5Screate_simple(1, &n, nullptr), H5Sclose};
        h5 di{H5Dcreate2(g.id, "node_ids", H5T_STD_U32LE, space.id, H5P_DEFAULT, H5P_DEFAULT,
                         H5P_DEFAULT),
              H5Dclose};
        h5 dt{H5Dcreate2(g.id, "timestamps", H5T_IEEE_F64LE, space.id, H5P_DEFAULT, H5P_DEFAULT,
                         H5P_DEFAULT),
              H5Dclose};
        ASSERT_GE(H5Dwrite(di.id, H5T_NATIVE_UINT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, ids), 0);
        ASSERT_GE(H5Dwrite(dt.id, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, t), 0);
    }
    const auto read = ganglion::read_sonata_spikes(path);
    EXPECT_EQ(read.at("v1").node_ids, (std::vector<std::uint64_t>{4, 0, 4000000000u}));
    EXPECT_EQ(read.at("v1").timestamps, (std::vector<double>{0.5, 0.75, 1.0}));
}

}  // namespace
