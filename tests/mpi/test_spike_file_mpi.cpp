// SONATA spike files written by all ranks with parallel HDF5. Registered at 1, 2 and 4
// ranks: whatever the rank count and however the spikes are spread over the ranks, the
// file holds exactly the same global list.
//
// Every rank makes every collective call of a test unconditionally; checks come after, so
// that a failed check on one rank cannot leave the others waiting.

#include <gtest/gtest.h>
#include <hdf5.h>
#include <mpi.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "comm/mpi_communicator.hpp"
#include "comm/serial_communicator.hpp"
#include "core/error.hpp"
#include "io/spike_file.hpp"

namespace {

namespace fs = std::filesystem;
using ganglion::population_spikes;

struct spike {
    std::uint64_t node;
    double time;
};

struct population {
    std::string name;
    std::vector<spike> spikes;  // in (time, node) order
};

// The known global list: 1000 spikes over four populations, one of them silent and one
// with fewer spikes than there are ranks. Times repeat (three spikes per time in "exc"),
// so the order within a time step is by node id.
std::vector<population> global_list() {
    std::vector<population> pops{{"exc", {}}, {"inh", {}}, {"tiny", {}}, {"silent", {}}};
    for (std::uint64_t k = 0; k < 700; ++k)
        pops[0].spikes.push_back({(k * 37) % 400, 0.1 * static_cast<double>((k / 3 * 7) % 233)});
    for (std::uint64_t k = 0; k < 297; ++k)
        pops[1].spikes.push_back({(k * 11) % 100, 0.25 * static_cast<double>((k * 13) % 297)});
    pops[2].spikes = {{2, 7.5}, {0, 3.25}, {1, 3.25}};
    for (auto& p : pops)
        std::sort(p.spikes.begin(), p.spikes.end(), [](const spike& a, const spike& b) {
            return a.time != b.time ? a.time < b.time : a.node < b.node;
        });
    return pops;
}

// Which rank holds the spike at `index` of population `pop`.
using placement = int (*)(std::size_t pop, std::uint64_t index, int ranks);

// This rank's part of the global list, each population's spikes given backwards so that
// the writer cannot rely on the order it receives them in.
std::vector<population_spikes> local_part(const std::vector<population>& global, placement where,
                                          int rank, int ranks) {
    std::vector<population_spikes> local;
    for (std::size_t p = 0; p < global.size(); ++p) {
        population_spikes ps;
        ps.name = global[p].name;
        ps.total = global[p].spikes.size();
        for (std::uint64_t i = ps.total; i-- > 0;) {
            if (where(p, i, ranks) != rank) continue;
            ps.index.push_back(i);
            ps.node_id.push_back(global[p].spikes[i].node);
            ps.time.push_back(global[p].spikes[i].time);
        }
        local.push_back(ps);
    }
    return local;
}

int round_robin(std::size_t, std::uint64_t i, int ranks) {
    return static_cast<int>(i % ranks);
}
int all_on_last_rank(std::size_t, std::uint64_t, int ranks) {
    return ranks - 1;
}
int scrambled(std::size_t p, std::uint64_t i, int ranks) {
    return static_cast<int>(((i + 1) * 2654435761u + p * 97) % 1000003 % ranks);
}

class SpikeFileMpi : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::path(GANGLION_BINARY_DIR) / "test_spike_file_mpi" /
               ("np" + std::to_string(comm_.size()));
        if (comm_.rank() == 0) fs::create_directories(dir_);
        comm_.barrier();
    }
    std::string file(const std::string& stem) const { return (dir_ / (stem + ".h5")).string(); }

    // Writes with every rank holding what `where` gives it; rank 0 then checks the file
    // against the global list.
    void write_and_check(const std::string& stem, placement where) {
        const auto global = global_list();
        const auto path = file(stem);
        ganglion::write_sonata_spikes(path, local_part(global, where, comm_.rank(), comm_.size()),
                                      comm_);
        if (comm_.rank() == 0) {
            expect_equals_global_list(path, global);
            EXPECT_FALSE(fs::exists(path + ".partial"));
            fs::remove(path);
        }
    }

    static void expect_equals_global_list(const std::string& path,
                                          const std::vector<population>& global) {
        const auto read = ganglion::read_sonata_spikes(path);
        EXPECT_EQ(read.size(), global.size());
        for (const auto& pop : global) {
            SCOPED_TRACE(pop.name);
            const auto it = read.find(pop.name);
            ASSERT_NE(it, read.end());
            std::vector<std::uint64_t> nodes;
            std::vector<double> times;
            for (const auto& s : pop.spikes) {
                nodes.push_back(s.node);
                times.push_back(s.time);
            }
            EXPECT_EQ(it->second.node_ids, nodes);
            EXPECT_EQ(it->second.timestamps, times);
        }
    }

    fs::path dir_;
    ganglion::mpi_communicator comm_;
};

TEST_F(SpikeFileMpi, RoundRobinSpikesGiveTheGlobalList) {
    write_and_check("round_robin", round_robin);
}

TEST_F(SpikeFileMpi, AllSpikesOnOneRankGiveTheGlobalList) {
    write_and_check("one_rank", all_on_last_rank);
}

TEST_F(SpikeFileMpi, ScrambledSpikesGiveTheGlobalList) {
    write_and_check("scrambled", scrambled);
}

// The parallel writer and the serial one (rank 0 alone, sec2 driver) store the same spikes.
TEST_F(SpikeFileMpi, ParallelFileEqualsSerialFile) {
    const auto global = global_list();
    const auto parallel_path = file("parallel");
    const auto serial_path = file("serial");
    ganglion::write_sonata_spikes(parallel_path,
                                  local_part(global, scrambled, comm_.rank(), comm_.size()), comm_);
    if (comm_.rank() == 0) {
        ganglion::serial_communicator serial;
        ganglion::write_sonata_spikes(serial_path, local_part(global, round_robin, 0, 1), serial);
        const auto a = ganglion::read_sonata_spikes(parallel_path);
        const auto b = ganglion::read_sonata_spikes(serial_path);
        ASSERT_EQ(a.size(), b.size());
        for (const auto& [name, trains] : a) {
            EXPECT_EQ(trains.node_ids, b.at(name).node_ids) << name;
            EXPECT_EQ(trains.timestamps, b.at(name).timestamps) << name;
        }
        fs::remove(parallel_path);
        fs::remove(serial_path);
    }
}

// Attributes written through MPI-IO (collective metadata writes) read back as SONATA has them.
TEST_F(SpikeFileMpi, AttributesSurviveTheParallelDriver) {
    const auto path = file("attributes");
    ganglion::write_sonata_spikes(
        path, local_part(global_list(), round_robin, comm_.rank(), comm_.size()), comm_);
    if (comm_.rank() != 0) return;
    const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    ASSERT_GE(f, 0);
    std::uint32_t magic = 0;
    const hid_t a_magic = H5Aopen(f, "magic", H5P_DEFAULT);
    EXPECT_GE(H5Aread(a_magic, H5T_NATIVE_UINT32, &magic), 0);
    EXPECT_EQ(magic, 0x0A7Au);
    H5Aclose(a_magic);

    const hid_t a_sorting = H5Aopen_by_name(f, "/spikes/exc", "sorting", H5P_DEFAULT, H5P_DEFAULT);
    ASSERT_GE(a_sorting, 0);
    const hid_t enum_type = H5Aget_type(a_sorting);
    std::uint8_t sorting = 0;
    EXPECT_GE(H5Aread(a_sorting, enum_type, &sorting), 0);
    char label[16] = {};
    EXPECT_GE(H5Tenum_nameof(enum_type, &sorting, label, sizeof label), 0);
    EXPECT_STREQ(label, "by_time");
    H5Tclose(enum_type);
    H5Aclose(a_sorting);

    const hid_t a_units =
        H5Aopen_by_name(f, "/spikes/silent/timestamps", "units", H5P_DEFAULT, H5P_DEFAULT);
    ASSERT_GE(a_units, 0);
    const hid_t str = H5Tcopy(H5T_C_S1);
    H5Tset_size(str, H5T_VARIABLE);
    H5Tset_cset(str, H5T_CSET_UTF8);
    char* units = nullptr;
    EXPECT_GE(H5Aread(a_units, str, &units), 0);
    EXPECT_STREQ(units, "ms");
    H5free_memory(units);
    H5Tclose(str);
    H5Aclose(a_units);
    H5Fclose(f);
    fs::remove(path);
}

// Many spikes, so that collective buffering has real work: 200000 spikes, scrambled.
TEST_F(SpikeFileMpi, LargeFileRoundTrips) {
    population big{"big", {}};
    for (std::uint64_t k = 0; k < 200000; ++k)
        big.spikes.push_back({(k * 7919) % 4000, 0.1 * static_cast<double>(k / 20)});
    std::sort(big.spikes.begin(), big.spikes.end(), [](const spike& a, const spike& b) {
        return a.time != b.time ? a.time < b.time : a.node < b.node;
    });
    const std::vector<population> global{big};
    const auto path = file("large");
    ganglion::write_sonata_spikes(path, local_part(global, scrambled, comm_.rank(), comm_.size()),
                                  comm_);
    if (comm_.rank() == 0) {
        expect_equals_global_list(path, global);
        fs::remove(path);
    }
}

// Every rank gets the error, naming the path; nobody hangs; no file appears.
TEST_F(SpikeFileMpi, MissingDirectoryFailsOnEveryRank) {
    const auto path = (dir_ / "no_such_directory" / "spikes.h5").string();
    std::string message;
    try {
        ganglion::write_sonata_spikes(
            path, local_part(global_list(), round_robin, comm_.rank(), comm_.size()), comm_);
    } catch (const ganglion::spike_file_error& e) {
        message = e.what();
    }
    EXPECT_NE(message.find(path), std::string::npos) << "message: '" << message << "'";
    EXPECT_NE(message.find("does not exist"), std::string::npos) << message;
    comm_.barrier();
    EXPECT_FALSE(fs::exists(path));
    EXPECT_FALSE(fs::exists(path + ".partial"));
}

// A bad spike on one rank only: every rank throws, none waits for the others. The last
// rank's first spike claims index 0, which rank 0 holds too, and index 699 goes missing:
// the counts still add up, only the exchange shows it.
TEST_F(SpikeFileMpi, BadInputOnOneRankFailsOnEveryRank) {
    const auto path = file("bad_input");
    auto local = local_part(global_list(), round_robin, comm_.rank(), comm_.size());
    if (comm_.rank() == comm_.size() - 1) local[0].index[0] = 0;
    bool threw = false;
    try {
        ganglion::write_sonata_spikes(path, local, comm_);
    } catch (const ganglion::internal_error&) {
        threw = true;
    }
    EXPECT_TRUE(threw);
    comm_.barrier();
    EXPECT_FALSE(fs::exists(path));
}

TEST_F(SpikeFileMpi, RanksDisagreeingOnPopulationsFailOnEveryRank) {
    const auto path = file("disagree");
    auto local = local_part(global_list(), round_robin, comm_.rank(), comm_.size());
    if (comm_.rank() == comm_.size() - 1) local[1].name = comm_.size() > 1 ? "other" : "inh";
    bool threw = false;
    try {
        ganglion::write_sonata_spikes(path, local, comm_);
    } catch (const ganglion::internal_error&) {
        threw = true;
    }
    // One rank alone cannot disagree with itself.
    EXPECT_EQ(threw, comm_.size() > 1);
    comm_.barrier();
    if (comm_.rank() == 0) fs::remove(path);
}

}  // namespace
