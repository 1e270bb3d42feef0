#include "io/hdf5_common.hpp"

#include <unistd.h>

#include <algorithm>
#include <exception>
#include <filesystem>
#include <system_error>

#include "core/error.hpp"

#ifdef GANGLION_HAVE_MPI
#include "comm/mpi_communicator.hpp"
#endif

// Parallel writing needs both ganglion's MPI communicator and an MPI build of HDF5;
// otherwise rank 0 writes with HDF5's default (sec2) file driver.
#if defined(GANGLION_HAVE_MPI) && defined(H5_HAVE_PARALLEL)
#define GANGLION_PARALLEL_HDF5 1
#endif

namespace ganglion::hdf5 {

namespace fs = std::filesystem;

std::string error_detail() {
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

bool fail(std::string& detail) {
    detail = error_detail();
    return false;
}

std::string why_not_creatable(const std::string& file) {
    std::error_code ec;
    fs::path dir = fs::path(file).parent_path();
    if (dir.empty()) dir = ".";
    // Appended piece by piece: "'" + string trips a false -Wrestrict in GCC 12.
    std::string quoted_dir = "'";
    quoted_dir += dir.string();
    quoted_dir += "'";
    if (!fs::exists(dir, ec)) return "directory " + quoted_dir + " does not exist";
    if (!fs::is_directory(dir, ec)) return quoted_dir + " is not a directory";
    if (::access(dir.c_str(), W_OK | X_OK) != 0)
        return "directory " + quoted_dir + " is not writable";
    if (fs::is_directory(file, ec)) return "'" + file + "' is a directory";
    return {};
}

std::string why_not_a_link_name(const std::string& name) {
    if (name.empty()) return "an empty name";
    if (name == ".") return "'.' means the group itself";
    if (name.find('/') != std::string::npos) return "'/' separates groups";
    return {};
}

// ---------------------------------------------------------------------------------------
// Agreement between ranks

void lockstep::agree(bool ok, const std::string& what, const std::string& detail) {
    const std::uint64_t failed = comm_.sum(std::uint64_t{ok ? 0u : 1u});
    if (failed == 0) return;
    if (ok) throw step_failed(what + " failed on " + std::to_string(failed) + " other rank(s)");
    throw step_failed(what + " failed" + (detail.empty() ? "" : ": " + detail));
}

void layout_hash::add(const void* data, std::size_t n) {
    const auto* bytes = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < n; ++i) {
        h_ ^= bytes[i];
        h_ *= 16777619u;
    }
}

bool ranks_agree(communicator& comm, const layout_hash& hash) {
    // Equal everywhere exactly when the sum is size times the maximum.
    const std::uint64_t sum = comm.sum(hash.value());
    const std::uint64_t max = comm.max(hash.value());
    return sum == static_cast<std::uint64_t>(comm.size()) * max;
}

// ---------------------------------------------------------------------------------------
// Redistribution

std::uint64_t block_start(std::uint64_t total, std::uint64_t r, std::uint64_t parts) {
    r = std::min(r, parts);
    return total / parts * r + total % parts * r / parts;
}

bool redistribute(const std::vector<indexed_rows>& tables, std::size_t n_u64, std::size_t n_f64,
                  communicator& comm, int writers, std::vector<row_block>& blocks) {
    const int ranks = comm.size();
    const std::size_t ntables = tables.size();
    for (const auto& t : tables) {
        bool ragged = t.u64.size() != n_u64 || t.f64.size() != n_f64;
        for (const auto& c : t.u64)
            ragged = ragged || c.size() != t.index.size();
        for (const auto& c : t.f64)
            ragged = ragged || c.size() != t.index.size();
        if (ragged)
            throw internal_error("hdf5::redistribute: a table's columns differ from the index");
    }
    bool bad = false;

    // A row travels with its position in the concatenation of all tables, so that one
    // exchange carries them all: [position, u64 columns...] in one message, the f64 columns
    // in another.
    const std::size_t stride = 1 + n_u64;
    std::vector<std::uint64_t> offset(ntables + 1, 0);
    for (std::size_t p = 0; p < ntables; ++p)
        offset[p + 1] = offset[p] + tables[p].total;

    // The owner of every row, counted first so that each message is allocated once.
    std::vector<std::vector<int>> owners(ntables);
    std::vector<std::size_t> per_rank(ranks, 0);
    std::vector<std::uint64_t> starts(writers + 1);
    for (std::size_t p = 0; p < ntables; ++p) {
        const auto& t = tables[p];
        for (int w = 0; w <= writers; ++w)
            starts[w] = block_start(t.total, w, writers);
        owners[p].resize(t.index.size());
        for (std::size_t k = 0; k < t.index.size(); ++k) {
            if (t.index[k] >= t.total) {
                owners[p][k] = -1;  // nowhere to go: its position stays empty, found below
                bad = true;
                continue;
            }
            const auto owner =
                std::upper_bound(starts.begin(), starts.end(), t.index[k]) - starts.begin() - 1;
            owners[p][k] = static_cast<int>(owner);
            ++per_rank[owner];
        }
    }
    std::vector<std::vector<std::uint64_t>> send_u64(ranks), recv_u64;
    std::vector<std::vector<double>> send_f64(ranks), recv_f64;
    for (int r = 0; r < ranks; ++r) {
        send_u64[r].reserve(stride * per_rank[r]);
        send_f64[r].reserve(n_f64 * per_rank[r]);
    }
    for (std::size_t p = 0; p < ntables; ++p) {
        const auto& t = tables[p];
        for (std::size_t k = 0; k < t.index.size(); ++k) {
            const int owner = owners[p][k];
            if (owner < 0) continue;
            send_u64[owner].push_back(offset[p] + t.index[k]);
            for (const auto& c : t.u64)
                send_u64[owner].push_back(c[k]);
            for (const auto& c : t.f64)
                send_f64[owner].push_back(c[k]);
        }
    }
    owners.clear();
    comm.alltoallv(send_u64, recv_u64);
    send_u64.clear();
    if (n_f64 > 0) {
        comm.alltoallv(send_f64, recv_f64);
        send_f64.clear();
    } else {
        recv_f64.assign(ranks, {});
    }

    blocks.assign(ntables, {});
    std::vector<std::vector<char>> filled(ntables);
    const auto me = static_cast<std::uint64_t>(comm.rank());
    for (std::size_t p = 0; p < ntables; ++p) {
        auto& b = blocks[p];
        b.first = block_start(tables[p].total, me, writers);
        b.rows = block_start(tables[p].total, me + 1, writers) - b.first;
        b.u64.assign(n_u64, std::vector<std::uint64_t>(b.rows));
        b.f64.assign(n_f64, std::vector<double>(b.rows));
        filled[p].assign(b.rows, 0);
    }
    for (int src = 0; src < ranks; ++src) {
        const auto& u = recv_u64[src];
        const auto& f = recv_f64[src];
        const std::size_t rows = u.size() / stride;
        if (u.size() != stride * rows || f.size() != n_f64 * rows) {
            bad = true;
            continue;
        }
        for (std::size_t j = 0; j < rows; ++j) {
            const std::uint64_t g = u[stride * j];
            const auto p = std::upper_bound(offset.begin(), offset.end(), g) - offset.begin() - 1;
            if (p < 0 || static_cast<std::size_t>(p) >= ntables) {
                bad = true;
                continue;
            }
            auto& b = blocks[p];
            const std::uint64_t i = g - offset[p];
            if (i < b.first || i - b.first >= b.rows || filled[p][i - b.first]) {
                bad = true;  // a duplicate position, or one sent to the wrong rank
                continue;
            }
            const std::uint64_t slot = i - b.first;
            filled[p][slot] = 1;
            for (std::size_t c = 0; c < n_u64; ++c)
                b.u64[c][slot] = u[stride * j + 1 + c];
            for (std::size_t c = 0; c < n_f64; ++c)
                b.f64[c][slot] = f[n_f64 * j + c];
        }
    }
    // Every slot filled exactly once.
    for (std::size_t p = 0; p < ntables; ++p)
        if (std::find(filled[p].begin(), filled[p].end(), 0) != filled[p].end()) bad = true;
    return comm.sum(std::uint64_t{bad ? 1u : 0u}) == 0;
}

// ---------------------------------------------------------------------------------------
// Writing

bool is_parallel(communicator& comm) {
#ifdef GANGLION_PARALLEL_HDF5
    return dynamic_cast<mpi_communicator*>(&comm) != nullptr;
#else
    (void)comm;
    return false;
#endif
}

handle file_access(communicator& comm, bool parallel) {
    handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
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

handle transfer_properties(bool parallel) {
    handle dxpl(H5Pcreate(H5P_DATASET_XFER), H5Pclose);
#ifdef GANGLION_PARALLEL_HDF5
    if (parallel && dxpl.valid() && H5Pset_dxpl_mpio(dxpl.get(), H5FD_MPIO_COLLECTIVE) < 0)
        return {};
#else
    (void)parallel;
#endif
    return dxpl;
}

handle create_dataset(hid_t group, const char* name, hid_t type, std::span<const hsize_t> dims) {
    handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose);
    handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
    if (!space.valid() || !dcpl.valid() || H5Pset_fill_time(dcpl.get(), H5D_FILL_TIME_NEVER) < 0)
        return {};
    return handle(H5Dcreate2(group, name, type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                  H5Dclose);
}

handle create_dataset(hid_t group, const char* name, hid_t type, std::uint64_t n) {
    const hsize_t dims[1] = {n};
    return create_dataset(group, name, type, std::span<const hsize_t>(dims));
}

bool write_block(hid_t dataset, hid_t memtype, hid_t transfer, std::uint64_t first,
                 std::size_t count, const void* data, std::string& detail) {
    const hsize_t start = first, n = count;
    handle file_space(H5Dget_space(dataset), H5Sclose);
    handle mem_space(H5Screate_simple(1, &n, nullptr), H5Sclose);
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

bool write_string_attribute(hid_t object, const char* name, const std::string& value,
                            std::string& detail) {
    handle type(H5Tcopy(H5T_C_S1), H5Tclose);
    if (!type.valid() || H5Tset_size(type.get(), H5T_VARIABLE) < 0 ||
        H5Tset_cset(type.get(), H5T_CSET_UTF8) < 0)
        return fail(detail);
    handle space(H5Screate(H5S_SCALAR), H5Sclose);
    if (!space.valid()) return fail(detail);
    handle attr(H5Acreate2(object, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
                H5Aclose);
    const char* data = value.c_str();
    if (!attr.valid() || H5Awrite(attr.get(), type.get(), &data) < 0 || !attr.close())
        return fail(detail);
    return true;
}

namespace {

void write_column(write_context& ctx, hid_t group, const std::string& where, const char* name,
                  std::uint64_t total, std::uint64_t first, const void* data, std::size_t count,
                  hid_t file_type, hid_t mem_type, const char* units) {
    const std::string dataset_path = where + "/" + name;
    handle dataset;
    ctx.step("creating dataset " + dataset_path, [&](std::string& detail) {
        dataset = create_dataset(group, name, file_type, total);
        if (!dataset.valid()) return fail(detail);
        return units == nullptr || write_string_attribute(dataset.get(), "units", units, detail);
    });
    // An empty table keeps its empty datasets; there is nothing to transfer.
    if (total > 0)
        ctx.step("writing " + dataset_path, [&](std::string& detail) {
            return write_block(dataset.get(), mem_type, ctx.transfer, first, count, data, detail);
        });
    ctx.step("closing " + dataset_path,
             [&](std::string& detail) { return dataset.close() || fail(detail); });
}

// Removes a regular file, if there is one; never a directory the user made.
void remove_file(const std::string& path) {
    std::error_code ec;
    if (fs::is_regular_file(path, ec)) fs::remove(path, ec);
}

}  // namespace

void write_column(write_context& ctx, hid_t group, const std::string& where, const char* name,
                  std::uint64_t total, std::uint64_t first, std::span<const std::uint64_t> data,
                  const char* units) {
    write_column(ctx, group, where, name, total, first, data.data(), data.size(), H5T_STD_U64LE,
                 H5T_NATIVE_UINT64, units);
}

void write_column(write_context& ctx, hid_t group, const std::string& where, const char* name,
                  std::uint64_t total, std::uint64_t first, std::span<const double> data,
                  const char* units) {
    write_column(ctx, group, where, name, total, first, data.data(), data.size(), H5T_IEEE_F64LE,
                 H5T_NATIVE_DOUBLE, units);
}

void write_atomically(const std::string& path, communicator& comm, bool parallel,
                      const std::function<void(write_context&)>& contents) {
    // In parallel every rank makes every HDF5 call; otherwise rank 0 alone.
    const bool here = parallel || comm.rank() == 0;
    const std::string partial = path + ".partial";
    lockstep steps(comm);
    try {
        {
            // Every HDF5 object is closed when this block is left, normally or by an
            // exception, on every rank in the same order (closing is collective in parallel).
            handle file;
            try {
                steps.step(here, "creating '" + partial + "'", [&](std::string& detail) {
                    // Found now rather than when renaming, after all the writing.
                    std::error_code ec;
                    if (fs::is_directory(path, ec)) {
                        detail = "'" + path + "' is a directory";
                        return false;
                    }
                    const handle fapl = file_access(comm, parallel);
                    if (fapl.valid())
                        file = handle(
                            H5Fcreate(partial.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()),
                            H5Fclose);
                    if (file.valid()) return true;
                    detail = why_not_creatable(partial);
                    if (detail.empty()) detail = error_detail();
                    return false;
                });
            } catch (const step_failed&) {
                // Creating is collective: HDF5 opens the file on all ranks or on none. Should
                // a rank still hold it, closing it alone would wait forever for the others;
                // ending the job is the only way out that does not hang.
                if (parallel && file.valid()) comm.abort(1);
                throw;
            }
            handle transfer;
            steps.step(here, "setting up the data transfer", [&](std::string& detail) {
                transfer = transfer_properties(parallel);
                return transfer.valid() || fail(detail);
            });
            write_context ctx{file.get(), transfer.get(), steps, here, parallel};
            contents(ctx);
            steps.step(here, "closing '" + partial + "'", [&](std::string& detail) {
                const bool ok_transfer = transfer.close();
                const bool ok_file = file.close();  // flushes everything to disk
                return (ok_transfer && ok_file) || fail(detail);
            });
        }
        steps.step(comm.rank() == 0, "renaming '" + partial + "' to '" + path + "'",
                   [&](std::string& detail) {
                       std::error_code ec;
                       fs::rename(partial, path, ec);
                       if (ec) detail = ec.message();
                       return !ec;
                   });
    } catch (const step_failed&) {
        // Neither the partial file nor an older file at `path` may look like this run's
        // output. Every rank has closed the file by now.
        if (comm.rank() == 0) {
            remove_file(partial);
            remove_file(path);
        }
        comm.barrier();
        throw;
    }
}

// ---------------------------------------------------------------------------------------
// Reading

handle open_for_reading(const std::string& path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) throw read_failed("no such file");
    if (fs::is_directory(path, ec)) throw read_failed("is a directory");
    const htri_t is_hdf5 = H5Fis_hdf5(path.c_str());
    if (is_hdf5 < 0) throw read_failed("cannot read: " + error_detail());
    if (is_hdf5 == 0) throw read_failed("not an HDF5 file");
    handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    if (!file.valid()) throw read_failed("cannot open: " + error_detail());
    return file;
}

handle open_group(hid_t parent, const char* name, const std::string& where) {
    if (H5Lexists(parent, name, H5P_DEFAULT) <= 0) throw read_failed("no " + where + " group");
    handle group(H5Gopen2(parent, name, H5P_DEFAULT), H5Gclose);
    if (!group.valid()) throw read_failed("cannot open group " + where + ": " + error_detail());
    return group;
}

std::vector<std::string> member_names(hid_t group, const std::string& where) {
    H5G_info_t info{};
    if (H5Gget_info(group, &info) < 0)
        throw read_failed("cannot list group " + where + ": " + error_detail());
    std::vector<std::string> names;
    for (hsize_t k = 0; k < info.nlinks; ++k) {
        const ssize_t len =
            H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, k, nullptr, 0, H5P_DEFAULT);
        if (len < 0) throw read_failed("cannot list " + where + ": " + error_detail());
        std::string name(static_cast<std::size_t>(len) + 1, '\0');
        H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, k, name.data(), name.size(),
                           H5P_DEFAULT);
        name.resize(static_cast<std::size_t>(len));
        names.push_back(std::move(name));
    }
    return names;
}

std::vector<std::string> subgroup_names(hid_t group, const std::string& where) {
    std::vector<std::string> names;
    for (auto& name : member_names(group, where)) {
        handle object(H5Oopen(group, name.c_str(), H5P_DEFAULT), H5Oclose);
        if (!object.valid())
            throw read_failed("cannot open " + where + "/" + name + ": " + error_detail());
        if (H5Iget_type(object.get()) == H5I_GROUP) names.push_back(std::move(name));
    }
    return names;
}

namespace {
template <class T>
hid_t native_type();
template <>
hid_t native_type<std::uint64_t>() {
    return H5T_NATIVE_UINT64;
}
template <>
hid_t native_type<double>() {
    return H5T_NATIVE_DOUBLE;
}
}  // namespace

template <class T>
std::vector<T> read_1d(hid_t group, const std::string& where, const char* name) {
    const std::string dataset_path = where + "/" + name;
    if (H5Lexists(group, name, H5P_DEFAULT) <= 0)
        throw read_failed("dataset " + dataset_path + " is missing");
    handle dataset(H5Dopen2(group, name, H5P_DEFAULT), H5Dclose);
    if (!dataset.valid())
        throw read_failed("cannot open dataset " + dataset_path + ": " + error_detail());
    handle space(H5Dget_space(dataset.get()), H5Sclose);
    if (!space.valid() || H5Sget_simple_extent_ndims(space.get()) != 1)
        throw read_failed("dataset " + dataset_path + " is not one-dimensional");
    const hssize_t n = H5Sget_simple_extent_npoints(space.get());
    if (n < 0)
        throw read_failed("cannot get the size of dataset " + dataset_path + ": " + error_detail());
    std::vector<T> values(static_cast<std::size_t>(n));
    if (n > 0 &&
        H5Dread(dataset.get(), native_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0)
        throw read_failed("cannot read dataset " + dataset_path + ": " + error_detail());
    return values;
}

template std::vector<std::uint64_t> read_1d(hid_t, const std::string&, const char*);
template std::vector<double> read_1d(hid_t, const std::string&, const char*);

}  // namespace ganglion::hdf5
