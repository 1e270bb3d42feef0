#include "io/spike_file.hpp"

#include <hdf5.h>
#include <unistd.h>

#include <algorithm>
#include <exception>
#include <filesystem>
#include <set>
#include <stdexcept>
#include <system_error>
#include <utility>

#ifdef GANGLION_HAVE_MPI
#include "comm/mpi_communicator.hpp"
#endif

// Parallel writing needs both ganglion's MPI communicator and an MPI build of HDF5;
// otherwise rank 0 writes with HDF5's default (sec2) file driver.
#if defined(GANGLION_HAVE_MPI) && defined(H5_HAVE_PARALLEL)
#define GANGLION_PARALLEL_HDF5 1
#endif

namespace ganglion {
namespace {

namespace fs = std::filesystem;

// Owns one HDF5 identifier and closes it with the matching H5?close.
class h5_id {
  public:
    using closer = herr_t (*)(hid_t);
    h5_id() = default;
    h5_id(hid_t id, closer close) : id_(id), close_(close) {}
    h5_id(h5_id&& other) noexcept
        : id_(std::exchange(other.id_, H5I_INVALID_HID)), close_(other.close_) {}
    h5_id& operator=(h5_id&& other) noexcept {
        if (this != &other) {
            close();
            id_ = std::exchange(other.id_, H5I_INVALID_HID);
            close_ = other.close_;
        }
        return *this;
    }
    h5_id(const h5_id&) = delete;
    h5_id& operator=(const h5_id&) = delete;
    ~h5_id() { close(); }

    hid_t get() const { return id_; }
    bool valid() const { return id_ >= 0; }
    // Closes now; false if HDF5 reported an error (closing a file flushes it).
    bool close() {
        if (id_ < 0) return true;
        const herr_t rc = close_(std::exchange(id_, H5I_INVALID_HID));
        return rc >= 0;
    }

  private:
    hid_t id_ = H5I_INVALID_HID;
    closer close_ = nullptr;
};

// HDF5 prints its error stack to stderr by default; here errors become exceptions with a
// message instead. The previous setting comes back on exit.
class quiet_hdf5_errors {
  public:
    quiet_hdf5_errors() {
        H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
        H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    }
    ~quiet_hdf5_errors() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }
    quiet_hdf5_errors(const quiet_hdf5_errors&) = delete;
    quiet_hdf5_errors& operator=(const quiet_hdf5_errors&) = delete;

  private:
    H5E_auto2_t func_ = nullptr;
    void* data_ = nullptr;
};

// The innermost description on HDF5's error stack, the most specific one.
std::string hdf5_error_detail() {
    std::string detail;
    H5Ewalk2(
        H5E_DEFAULT, H5E_WALK_DOWNWARD,
        [](unsigned, const H5E_error2_t* e, void* out) -> herr_t {
            if (e->desc && *e->desc) *static_cast<std::string*>(out) = e->desc;
            return 0;
        },
        &detail);
    return detail;
}

// Why no file can be created at `file`, in words a user can act on; empty when the
// file system shows no reason.
std::string why_not_creatable(const std::string& file) {
    std::error_code ec;
    fs::path dir = fs::path(file).parent_path();
    if (dir.empty()) dir = ".";
    if (!fs::exists(dir, ec)) return "directory '" + dir.string() + "' does not exist";
    if (!fs::is_directory(dir, ec)) return "'" + dir.string() + "' is not a directory";
    if (::access(dir.c_str(), W_OK | X_OK) != 0)
        return "directory '" + dir.string() + "' is not writable";
    if (fs::is_directory(file, ec)) return "'" + file + "' is a directory";
    return {};
}

// ---------------------------------------------------------------------------------------
// Input checks and redistribution

// First spike of block r when `total` spikes are cut into `parts` contiguous blocks
// [r*total/parts, (r+1)*total/parts), computed without overflowing 64 bits.
std::uint64_t block_start(std::uint64_t total, std::uint64_t r, std::uint64_t parts) {
    r = std::min(r, parts);
    return total / parts * r + total % parts * r / parts;
}

// FNV-1a over the population names and totals: equal on every rank when the ranks agree.
std::uint64_t layout_hash(const std::vector<population_spikes>& pops) {
    std::uint32_t h = 2166136261u;
    auto mix = [&h](const void* data, std::size_t n) {
        const auto* bytes = static_cast<const unsigned char*>(data);
        for (std::size_t i = 0; i < n; ++i) {
            h ^= bytes[i];
            h *= 16777619u;
        }
    };
    const std::uint64_t n = pops.size();
    mix(&n, sizeof n);
    for (const auto& p : pops) {
        const std::uint64_t len = p.name.size();
        mix(&len, sizeof len);
        mix(p.name.data(), p.name.size());
        mix(&p.total, sizeof p.total);
    }
    // 32 bits, so that the sum over ranks below cannot wrap around.
    return h;
}

// Checks what each rank can check alone, then makes every rank agree, so that all ranks
// throw together or none does.
void check_input(const std::string& path, const std::vector<population_spikes>& pops,
                 communicator& comm) {
    std::string user_problem, bug;
    std::set<std::string> seen;
    for (const auto& p : pops) {
        if (p.name.empty() || p.name == "." || p.name.find('/') != std::string::npos)
            user_problem = "population name '" + p.name + "' cannot be an HDF5 group name";
        else if (!seen.insert(p.name).second)
            user_problem = "population '" + p.name + "' is given twice";
        if (p.index.size() != p.node_id.size() || p.index.size() != p.time.size())
            bug = "population '" + p.name + "': index, node_id and time differ in length";
        for (const auto i : p.index)
            if (i >= p.total) {
                bug = "population '" + p.name + "': spike index " + std::to_string(i) +
                      " is not below the total " + std::to_string(p.total);
                break;
            }
    }
    const std::uint64_t hash = layout_hash(pops);
    std::vector<std::uint64_t> flags{user_problem.empty() ? 0u : 1u, bug.empty() ? 0u : 1u, hash};
    comm.sum_in_place(flags);
    const std::uint64_t max_hash = comm.max(hash);
    const auto ranks = static_cast<std::uint64_t>(comm.size());
    if (flags[0] > 0)
        throw spike_file_error(
            path, user_problem.empty() ? "bad population name on another rank" : user_problem);
    if (flags[1] > 0)
        throw internal_error("write_sonata_spikes('" + path +
                             "'): " + (bug.empty() ? "bad input on another rank" : bug));
    if (flags[2] != ranks * max_hash)
        throw internal_error("write_sonata_spikes('" + path +
                             "'): the ranks disagree on the populations (names, order or totals)");

    // Same populations everywhere: now the counts can be compared element by element.
    std::vector<std::uint64_t> counts;
    for (const auto& p : pops)
        counts.push_back(p.index.size());
    comm.sum_in_place(counts);
    for (std::size_t k = 0; k < pops.size(); ++k)
        if (counts[k] != pops[k].total)
            throw internal_error("write_sonata_spikes('" + path + "'): population '" +
                                 pops[k].name + "' has " + std::to_string(counts[k]) +
                                 " spikes over all ranks, but total says " +
                                 std::to_string(pops[k].total));
}

// One writer's contiguous part of a population's datasets.
struct block {
    std::uint64_t first = 0;  // position of its first spike in the population's datasets
    std::vector<std::uint64_t> node_ids;
    std::vector<double> times;
};

// Moves every spike to the writer that owns its index: with `writers` writing ranks,
// rank r < writers gets the block [r*total/writers, (r+1)*total/writers) of every
// population, the other ranks nothing.
std::vector<block> redistribute(const std::string& path, const std::vector<population_spikes>& pops,
                                communicator& comm, int writers) {
    const int ranks = comm.size();
    const std::size_t npops = pops.size();
    // A spike travels with its position in the concatenation of all populations, so that
    // one exchange carries them all.
    std::vector<std::uint64_t> offset(npops + 1, 0);
    for (std::size_t p = 0; p < npops; ++p)
        offset[p + 1] = offset[p] + pops[p].total;

    std::vector<std::vector<std::uint64_t>> send_ids(ranks), recv_ids;
    std::vector<std::vector<double>> send_times(ranks), recv_times;
    // The owner of every spike, counted first so that each message is allocated once.
    std::vector<std::vector<int>> owners(npops);
    std::vector<std::size_t> per_rank(ranks, 0);
    std::vector<std::uint64_t> starts(writers + 1);
    for (std::size_t p = 0; p < npops; ++p) {
        const auto& pop = pops[p];
        for (int w = 0; w <= writers; ++w)
            starts[w] = block_start(pop.total, w, writers);
        owners[p].resize(pop.index.size());
        for (std::size_t k = 0; k < pop.index.size(); ++k) {
            const auto owner =
                std::upper_bound(starts.begin(), starts.end(), pop.index[k]) - starts.begin() - 1;
            owners[p][k] = static_cast<int>(owner);
            ++per_rank[owner];
        }
    }
    for (int r = 0; r < ranks; ++r) {
        send_ids[r].reserve(2 * per_rank[r]);
        send_times[r].reserve(per_rank[r]);
    }
    for (std::size_t p = 0; p < npops; ++p) {
        const auto& pop = pops[p];
        for (std::size_t k = 0; k < pop.index.size(); ++k) {
            const int owner = owners[p][k];
            send_ids[owner].push_back(offset[p] + pop.index[k]);
            send_ids[owner].push_back(pop.node_id[k]);
            send_times[owner].push_back(pop.time[k]);
        }
    }
    owners.clear();
    comm.alltoallv(send_ids, recv_ids);
    comm.alltoallv(send_times, recv_times);

    std::vector<block> blocks(npops);
    std::vector<std::vector<char>> filled(npops);
    const auto me = static_cast<std::uint64_t>(comm.rank());
    for (std::size_t p = 0; p < npops; ++p) {
        blocks[p].first = block_start(pops[p].total, me, writers);
        const auto n = block_start(pops[p].total, me + 1, writers) - blocks[p].first;
        blocks[p].node_ids.resize(n);
        blocks[p].times.resize(n);
        filled[p].assign(n, 0);
    }
    bool bad = false;
    for (int src = 0; src < ranks; ++src) {
        const auto& ids = recv_ids[src];
        const auto& times = recv_times[src];
        if (ids.size() != 2 * times.size()) {
            bad = true;
            continue;
        }
        for (std::size_t j = 0; j < times.size(); ++j) {
            const std::uint64_t g = ids[2 * j];
            const auto p = std::upper_bound(offset.begin(), offset.end(), g) - offset.begin() - 1;
            if (p < 0 || static_cast<std::size_t>(p) >= npops) {
                bad = true;
                continue;
            }
            auto& b = blocks[p];
            const std::uint64_t i = g - offset[p];
            if (i < b.first || i - b.first >= b.times.size() || filled[p][i - b.first]) {
                bad = true;  // a duplicate index, or one sent to the wrong rank
                continue;
            }
            filled[p][i - b.first] = 1;
            b.node_ids[i - b.first] = ids[2 * j + 1];
            b.times[i - b.first] = times[j];
        }
    }
    // Every slot filled exactly once, and the block in (time, node id) order as the
    // "by_time" sorting attribute promises.
    for (std::size_t p = 0; p < npops; ++p) {
        const auto& b = blocks[p];
        if (std::find(filled[p].begin(), filled[p].end(), 0) != filled[p].end()) bad = true;
        for (std::size_t k = 1; !bad && k < b.times.size(); ++k)
            if (b.times[k] < b.times[k - 1] ||
                (b.times[k] == b.times[k - 1] && b.node_ids[k] < b.node_ids[k - 1]))
                bad = true;
    }
    if (comm.sum(std::uint64_t{bad ? 1u : 0u}) > 0)
        throw internal_error("write_sonata_spikes('" + path +
                             "'): the spike indices are not a (time, node id) ordering of "
                             "0 .. total-1 over the ranks");
    return blocks;
}

// ---------------------------------------------------------------------------------------
// The collective write

struct step_failed : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Runs the write as a sequence of steps that every rank calls in the same order. A step's
// HDF5 work runs on the ranks that take part; then all ranks agree whether it worked
// everywhere before any rank goes on, so a rank that failed never leaves the others waiting
// in a collective HDF5 call, and all ranks throw together.
class lockstep {
  public:
    explicit lockstep(communicator& comm) : comm_(comm) {}

    // `work(detail)` returns false, and may say why in `detail`, when it fails.
    template <class Work>
    void step(bool here, const std::string& what, Work&& work) {
        std::string detail;
        bool ok = true;
        if (here) {
            try {
                ok = work(detail);
            } catch (const std::exception& e) {
                ok = false;
                detail = e.what();
            }
        }
        const std::uint64_t failed = comm_.sum(std::uint64_t{ok ? 0u : 1u});
        if (failed == 0) return;
        if (ok) throw step_failed(what + " failed on " + std::to_string(failed) + " other rank(s)");
        throw step_failed(what + " failed" + (detail.empty() ? "" : ": " + detail));
    }

  private:
    communicator& comm_;
};

bool fail(std::string& detail) {
    detail = hdf5_error_detail();
    return false;
}

bool write_u32_attribute(hid_t object, const char* name, const std::vector<std::uint32_t>& values,
                         std::string& detail) {
    const hsize_t n = values.size();
    h5_id space(n == 1 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, nullptr), H5Sclose);
    if (!space.valid()) return fail(detail);
    h5_id attr(H5Acreate2(object, name, H5T_STD_U32LE, space.get(), H5P_DEFAULT, H5P_DEFAULT),
               H5Aclose);
    if (!attr.valid() || H5Awrite(attr.get(), H5T_NATIVE_UINT32, values.data()) < 0 ||
        !attr.close())
        return fail(detail);
    return true;
}

// A variable-length UTF-8 string, as h5py writes a Python str and libsonatareport `units`.
bool write_string_attribute(hid_t object, const char* name, const std::string& value,
                            std::string& detail) {
    h5_id type(H5Tcopy(H5T_C_S1), H5Tclose);
    if (!type.valid() || H5Tset_size(type.get(), H5T_VARIABLE) < 0 ||
        H5Tset_cset(type.get(), H5T_CSET_UTF8) < 0)
        return fail(detail);
    h5_id space(H5Screate(H5S_SCALAR), H5Sclose);
    if (!space.valid()) return fail(detail);
    h5_id attr(H5Acreate2(object, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
               H5Aclose);
    const char* data = value.c_str();
    if (!attr.valid() || H5Awrite(attr.get(), type.get(), &data) < 0 || !attr.close())
        return fail(detail);
    return true;
}

// SONATA's `sorting`: an HDF5 enum over uint8 with the values libsonata reads.
bool write_sorting_attribute(hid_t group, std::string& detail) {
    h5_id type(H5Tenum_create(H5T_STD_U8LE), H5Tclose);
    if (!type.valid()) return fail(detail);
    const std::pair<const char*, std::uint8_t> members[] = {
        {"none", 0}, {"by_id", 1}, {"by_time", 2}};
    for (const auto& [name, value] : members)
        if (H5Tenum_insert(type.get(), name, &value) < 0) return fail(detail);
    h5_id space(H5Screate(H5S_SCALAR), H5Sclose);
    if (!space.valid()) return fail(detail);
    h5_id attr(H5Acreate2(group, "sorting", type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
               H5Aclose);
    const std::uint8_t by_time = 2;
    if (!attr.valid() || H5Awrite(attr.get(), type.get(), &by_time) < 0 || !attr.close())
        return fail(detail);
    return true;
}

// A fixed-size 1-D dataset of `n` elements, contiguous; never filled, since every element
// is written.
h5_id create_dataset(hid_t group, const char* name, hid_t type, std::uint64_t n) {
    const hsize_t dims = n;
    h5_id space(H5Screate_simple(1, &dims, nullptr), H5Sclose);
    h5_id dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
    if (!space.valid() || !dcpl.valid() || H5Pset_fill_time(dcpl.get(), H5D_FILL_TIME_NEVER) < 0)
        return {};
    return h5_id(H5Dcreate2(group, name, type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                 H5Dclose);
}

// Writes `count` elements at `first` of a 1-D dataset. Collective in parallel: a rank with
// nothing to write still takes part, with empty selections.
bool write_block(hid_t dataset, hid_t memtype, hid_t transfer, std::uint64_t first,
                 std::size_t count, const void* data, std::string& detail) {
    const hsize_t start = first, n = count;
    h5_id file_space(H5Dget_space(dataset), H5Sclose);
    h5_id mem_space(H5Screate_simple(1, &n, nullptr), H5Sclose);
    if (!file_space.valid() || !mem_space.valid()) return fail(detail);
    if (count == 0) {
        if (H5Sselect_none(file_space.get()) < 0 || H5Sselect_none(mem_space.get()) < 0)
            return fail(detail);
    } else if (H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, &start, nullptr, &n, nullptr) <
               0) {
        return fail(detail);
    }
    // HDF5 wants a buffer even for an empty selection.
    static const std::uint64_t nothing = 0;
    if (H5Dwrite(dataset, memtype, mem_space.get(), file_space.get(), transfer,
                 count > 0 ? data : &nothing) < 0)
        return fail(detail);
    return true;
}

// File access: MPI-IO over the communicator's ranks when writing in parallel, HDF5's
// default (sec2) driver otherwise.
h5_id file_access(communicator& comm, bool parallel) {
    h5_id fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
#ifdef GANGLION_PARALLEL_HDF5
    if (parallel && fapl.valid()) {
        const auto& mpi = dynamic_cast<const mpi_communicator&>(comm);
        // Metadata written collectively: fewer, larger writes at scale.
        if (H5Pset_fapl_mpio(fapl.get(), mpi.native(), MPI_INFO_NULL) < 0 ||
            H5Pset_coll_metadata_write(fapl.get(), true) < 0)
            return {};
    }
#else
    (void)comm;
    (void)parallel;
#endif
    return fapl;
}

// Raw data transfer: collective MPI-IO in parallel, so the ranks' blocks go out as a few
// large writes.
h5_id transfer_properties(bool parallel) {
    h5_id dxpl(H5Pcreate(H5P_DATASET_XFER), H5Pclose);
#ifdef GANGLION_PARALLEL_HDF5
    if (parallel && dxpl.valid() && H5Pset_dxpl_mpio(dxpl.get(), H5FD_MPIO_COLLECTIVE) < 0)
        return {};
#else
    (void)parallel;
#endif
    return dxpl;
}

bool is_parallel(communicator& comm) {
#ifdef GANGLION_PARALLEL_HDF5
    return dynamic_cast<mpi_communicator*>(&comm) != nullptr;
#else
    (void)comm;
    return false;
#endif
}

// Writes the whole file at `path` + ".partial" and closes it. Every HDF5 object is closed when this
// returns or throws, on every rank in the same order (closing is collective in parallel).
void write_file(const std::string& path, const std::vector<population_spikes>& pops,
                const std::vector<block>& blocks, communicator& comm, lockstep& steps,
                bool parallel) {
    // In parallel every rank makes every HDF5 call; otherwise rank 0 alone.
    const bool here = parallel || comm.rank() == 0;
    const std::string partial = path + ".partial";
    h5_id file;
    try {
        steps.step(here, "creating '" + partial + "'", [&](std::string& detail) {
            // Found now rather than when renaming, after all the writing.
            std::error_code ec;
            if (fs::is_directory(path, ec)) {
                detail = "'" + path + "' is a directory";
                return false;
            }
            const h5_id fapl = file_access(comm, parallel);
            if (fapl.valid())
                file = h5_id(H5Fcreate(partial.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()),
                             H5Fclose);
            if (file.valid()) return true;
            detail = why_not_creatable(partial);
            if (detail.empty()) detail = hdf5_error_detail();
            return false;
        });
    } catch (const step_failed&) {
        // Creating is collective: HDF5 opens the file on all ranks or on none. Should a
        // rank still hold it, closing it alone would wait forever for the others; ending
        // the job is the only way out that does not hang.
        if (parallel && file.valid()) comm.abort(1);
        throw;
    }

    steps.step(here, "writing the file attributes", [&](std::string& detail) {
        return write_u32_attribute(file.get(), "magic", {0x0A7A}, detail) &&
               write_u32_attribute(file.get(), "version", {0, 1}, detail);
    });
    h5_id spikes;
    steps.step(here, "creating group /spikes", [&](std::string& detail) {
        spikes = h5_id(H5Gcreate2(file.get(), "spikes", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                       H5Gclose);
        return spikes.valid() || fail(detail);
    });
    h5_id transfer;
    steps.step(here, "setting up the data transfer", [&](std::string& detail) {
        transfer = transfer_properties(parallel);
        return transfer.valid() || fail(detail);
    });

    for (std::size_t p = 0; p < pops.size(); ++p) {
        const std::string where = "/spikes/" + pops[p].name;
        const std::uint64_t total = pops[p].total;
        const block& b = blocks[p];
        h5_id group, times, ids;
        steps.step(here, "creating group " + where, [&](std::string& detail) {
            group = h5_id(H5Gcreate2(spikes.get(), pops[p].name.c_str(), H5P_DEFAULT, H5P_DEFAULT,
                                     H5P_DEFAULT),
                          H5Gclose);
            if (!group.valid()) return fail(detail);
            return write_sorting_attribute(group.get(), detail);
        });
        steps.step(here, "creating dataset " + where + "/timestamps", [&](std::string& detail) {
            times = create_dataset(group.get(), "timestamps", H5T_IEEE_F64LE, total);
            if (!times.valid()) return fail(detail);
            return write_string_attribute(times.get(), "units", "ms", detail);
        });
        steps.step(here, "creating dataset " + where + "/node_ids", [&](std::string& detail) {
            ids = create_dataset(group.get(), "node_ids", H5T_STD_U64LE, total);
            return ids.valid() || fail(detail);
        });
        // An empty population keeps its empty datasets; there is nothing to transfer.
        if (total > 0) {
            steps.step(here, "writing " + where + "/timestamps", [&](std::string& detail) {
                return write_block(times.get(), H5T_NATIVE_DOUBLE, transfer.get(), b.first,
                                   b.times.size(), b.times.data(), detail);
            });
            steps.step(here, "writing " + where + "/node_ids", [&](std::string& detail) {
                return write_block(ids.get(), H5T_NATIVE_UINT64, transfer.get(), b.first,
                                   b.node_ids.size(), b.node_ids.data(), detail);
            });
        }
        steps.step(here, "closing " + where, [&](std::string& detail) {
            const bool ok_times = times.close(), ok_ids = ids.close(), ok_group = group.close();
            return (ok_times && ok_ids && ok_group) || fail(detail);
        });
    }
    steps.step(here, "closing '" + partial + "'", [&](std::string& detail) {
        const bool ok_transfer = transfer.close(), ok_spikes = spikes.close();
        const bool ok_file = file.close();  // flushes everything to disk
        return (ok_transfer && ok_spikes && ok_file) || fail(detail);
    });
}

// Removes a regular file, if there is one; never a directory the user made.
void remove_file(const std::string& path) {
    std::error_code ec;
    if (fs::is_regular_file(path, ec)) fs::remove(path, ec);
}

}  // namespace

void write_sonata_spikes(const std::string& path, const std::vector<population_spikes>& pops,
                         communicator& comm) {
    const quiet_hdf5_errors quiet;
    check_input(path, pops, comm);
    const bool parallel = is_parallel(comm);
    const auto blocks = redistribute(path, pops, comm, parallel ? comm.size() : 1);

    // Written under a temporary name and renamed only when every rank has closed it, so
    // that a file at `path` is always complete.
    const std::string partial = path + ".partial";
    lockstep steps(comm);
    try {
        write_file(path, pops, blocks, comm, steps, parallel);
        steps.step(comm.rank() == 0, "renaming '" + partial + "' to '" + path + "'",
                   [&](std::string& detail) {
                       std::error_code ec;
                       fs::rename(partial, path, ec);
                       if (ec) detail = ec.message();
                       return !ec;
                   });
    } catch (const step_failed& failure) {
        // Neither the partial file nor an older file at `path` may look like this run's
        // output. Every rank has closed the file by now.
        if (comm.rank() == 0) {
            remove_file(partial);
            remove_file(path);
        }
        comm.barrier();
        throw spike_file_error(path, failure.what());
    }
}

// ---------------------------------------------------------------------------------------
// Reading

namespace {

template <class T>
std::vector<T> read_1d(const std::string& path, hid_t group, const std::string& where,
                       const char* name, hid_t memtype) {
    const std::string dataset_path = where + "/" + name;
    if (H5Lexists(group, name, H5P_DEFAULT) <= 0)
        throw spike_file_error(path, "dataset " + dataset_path + " is missing");
    h5_id dataset(H5Dopen2(group, name, H5P_DEFAULT), H5Dclose);
    if (!dataset.valid())
        throw spike_file_error(path,
                               "cannot open dataset " + dataset_path + ": " + hdf5_error_detail());
    h5_id space(H5Dget_space(dataset.get()), H5Sclose);
    if (!space.valid() || H5Sget_simple_extent_ndims(space.get()) != 1)
        throw spike_file_error(path, "dataset " + dataset_path + " is not one-dimensional");
    const hssize_t n = H5Sget_simple_extent_npoints(space.get());
    if (n < 0)
        throw spike_file_error(
            path, "cannot get the size of dataset " + dataset_path + ": " + hdf5_error_detail());
    std::vector<T> values(static_cast<std::size_t>(n));
    if (n > 0 && H5Dread(dataset.get(), memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0)
        throw spike_file_error(path,
                               "cannot read dataset " + dataset_path + ": " + hdf5_error_detail());
    return values;
}

}  // namespace

std::map<std::string, spike_trains> read_sonata_spikes(const std::string& path) {
    const quiet_hdf5_errors quiet;
    std::error_code ec;
    if (!fs::exists(path, ec)) throw spike_file_error(path, "no such file");
    if (fs::is_directory(path, ec)) throw spike_file_error(path, "is a directory");
    const htri_t is_hdf5 = H5Fis_hdf5(path.c_str());
    if (is_hdf5 < 0) throw spike_file_error(path, "cannot read: " + hdf5_error_detail());
    if (is_hdf5 == 0) throw spike_file_error(path, "not an HDF5 file");
    h5_id file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    if (!file.valid()) throw spike_file_error(path, "cannot open: " + hdf5_error_detail());
    if (H5Lexists(file.get(), "spikes", H5P_DEFAULT) <= 0)
        throw spike_file_error(path, "no /spikes group");
    h5_id spikes(H5Gopen2(file.get(), "spikes", H5P_DEFAULT), H5Gclose);
    H5G_info_t info{};
    if (!spikes.valid() || H5Gget_info(spikes.get(), &info) < 0)
        throw spike_file_error(path, "cannot open group /spikes: " + hdf5_error_detail());

    std::map<std::string, spike_trains> result;
    for (hsize_t k = 0; k < info.nlinks; ++k) {
        const ssize_t len = H5Lget_name_by_idx(spikes.get(), ".", H5_INDEX_NAME, H5_ITER_INC, k,
                                               nullptr, 0, H5P_DEFAULT);
        if (len < 0) throw spike_file_error(path, "cannot list /spikes: " + hdf5_error_detail());
        std::string name(static_cast<std::size_t>(len) + 1, '\0');
        H5Lget_name_by_idx(spikes.get(), ".", H5_INDEX_NAME, H5_ITER_INC, k, name.data(),
                           name.size(), H5P_DEFAULT);
        name.resize(static_cast<std::size_t>(len));

        const std::string where = "/spikes/" + name;
        h5_id object(H5Oopen(spikes.get(), name.c_str(), H5P_DEFAULT), H5Oclose);
        if (!object.valid())
            throw spike_file_error(path, "cannot open " + where + ": " + hdf5_error_detail());
        // A population is a group; anything else under /spikes is not SONATA's business.
        if (H5Iget_type(object.get()) != H5I_GROUP) continue;

        spike_trains trains;
        trains.node_ids =
            read_1d<std::uint64_t>(path, object.get(), where, "node_ids", H5T_NATIVE_UINT64);
        trains.timestamps =
            read_1d<double>(path, object.get(), where, "timestamps", H5T_NATIVE_DOUBLE);
        if (trains.node_ids.size() != trains.timestamps.size())
            throw spike_file_error(
                path, where + ": node_ids has " + std::to_string(trains.node_ids.size()) +
                          " elements, timestamps " + std::to_string(trains.timestamps.size()));
        result.emplace(name, std::move(trains));
    }
    return result;
}

}  // namespace ganglion
