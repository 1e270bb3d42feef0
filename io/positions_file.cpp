#include "io/positions_file.hpp"

#include <hdf5.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <exception>
#include <filesystem>
#include <set>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>

namespace ganglion {
namespace {

namespace fs = std::filesystem;

// Owns one HDF5 identifier and closes it with the matching H5?close.
// (The same small helpers as in io/spike_file.cpp.)
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
        return close_(std::exchange(id_, H5I_INVALID_HID)) >= 0;
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
    return detail.empty() ? "HDF5 error" : detail;
}

// 'text', built by appending: GCC 12 at -O3 warns falsely (-Wrestrict) on
// "literal" + std::string&&.
std::string quoted(const std::string& text) {
    std::string q;
    q.reserve(text.size() + 2);
    q += '\'';
    q += text;
    q += '\'';
    return q;
}

// Why no file can be created at `file`, in words a user can act on; empty when the file
// system shows no reason.
std::string why_not_creatable(const std::string& file) {
    std::error_code ec;
    fs::path dir = fs::path(file).parent_path();
    if (dir.empty()) dir = ".";
    const std::string where = quoted(dir.string());
    if (!fs::exists(dir, ec)) return "directory " + where + " does not exist";
    if (!fs::is_directory(dir, ec)) return where + " is not a directory";
    if (::access(dir.c_str(), W_OK | X_OK) != 0) return "directory " + where + " is not writable";
    if (fs::is_directory(file, ec)) return quoted(file) + " is a directory";
    return {};
}

// Removes a regular file, if there is one; never a directory the user made.
void remove_file(const std::string& path) {
    std::error_code ec;
    if (fs::is_regular_file(path, ec)) fs::remove(path, ec);
}

// FNV-1a over the names, sizes and position bits: equal on every rank when the ranks
// agree. 32 bits, so that the sum over ranks cannot wrap around.
std::uint64_t layout_hash(const std::vector<std::pair<std::string, cell_positions>>& pops) {
    std::uint32_t h = 2166136261u;
    auto mix = [&h](const void* data, std::size_t n) {
        const auto* bytes = static_cast<const unsigned char*>(data);
        for (std::size_t i = 0; i < n; ++i) {
            h ^= bytes[i];
            h *= 16777619u;
        }
    };
    const std::uint64_t count = pops.size();
    mix(&count, sizeof count);
    for (const auto& [name, positions] : pops) {
        const std::uint64_t len = name.size(), n = positions.size();
        mix(&len, sizeof len);
        mix(name.data(), name.size());
        mix(&n, sizeof n);
        mix(positions.data(), positions.size() * sizeof(positions[0]));
    }
    return h;
}

struct write_failed : std::runtime_error {
    using std::runtime_error::runtime_error;
};

void check(bool ok, const std::string& what) {
    if (!ok) throw write_failed(what + ": " + hdf5_error_detail());
}

// A variable-length UTF-8 string, as h5py writes a Python str.
void write_string_attribute(hid_t object, const char* name, const std::string& value,
                            const std::string& where) {
    const std::string what = "writing attribute " + where + " " + name;
    h5_id type(H5Tcopy(H5T_C_S1), H5Tclose);
    check(type.valid() && H5Tset_size(type.get(), H5T_VARIABLE) >= 0 &&
              H5Tset_cset(type.get(), H5T_CSET_UTF8) >= 0,
          what);
    h5_id space(H5Screate(H5S_SCALAR), H5Sclose);
    check(space.valid(), what);
    h5_id attr(H5Acreate2(object, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
               H5Aclose);
    const char* data = value.c_str();
    check(attr.valid() && H5Awrite(attr.get(), type.get(), &data) >= 0 && attr.close(), what);
}

// Rank 0's part: the whole file at `partial`, closed when this returns or throws.
void write_file(const std::string& path, const std::string& partial,
                const std::vector<std::pair<std::string, cell_positions>>& pops) {
    // Found now rather than when renaming, after all the writing.
    std::error_code ec;
    if (fs::is_directory(path, ec)) throw write_failed(quoted(path) + " is a directory");
    h5_id file(H5Fcreate(partial.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
    if (!file.valid()) {
        std::string why = why_not_creatable(partial);
        if (why.empty()) why = hdf5_error_detail();
        throw write_failed("cannot create '" + partial + "': " + why);
    }
    h5_id group(H5Gcreate2(file.get(), "positions", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                H5Gclose);
    check(group.valid(), "creating group /positions");
    for (const auto& [name, positions] : pops) {
        const std::string where = "/positions/" + name;
        const hsize_t dims[2] = {positions.size(), 3};
        h5_id space(H5Screate_simple(2, dims, nullptr), H5Sclose);
        check(space.valid(), "creating dataset " + where);
        h5_id dataset(H5Dcreate2(group.get(), name.c_str(), H5T_IEEE_F64LE, space.get(),
                                 H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                      H5Dclose);
        check(dataset.valid(), "creating dataset " + where);
        write_string_attribute(dataset.get(), "columns", "x,y,z", where);
        // std::array<double, 3> rows are contiguous: the vector is the [n x 3] buffer.
        static_assert(sizeof(std::array<double, 3>) == 3 * sizeof(double));
        if (!positions.empty())
            check(H5Dwrite(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                           positions.data()) >= 0,
                  "writing dataset " + where);
        check(dataset.close(), "closing dataset " + where);
    }
    check(group.close(), "closing group /positions");
    check(file.close(), "closing '" + partial + "'");  // flushes everything to disk
    fs::rename(partial, path, ec);
    if (ec) throw write_failed("renaming '" + partial + "' to '" + path + "': " + ec.message());
}

}  // namespace

void write_positions(const std::string& path,
                     const std::vector<std::pair<std::string, cell_positions>>& populations,
                     communicator& comm) {
    // Input that every rank can check alone, then agreement, so that all ranks throw
    // together or none does.
    std::string problem;
    std::set<std::string> seen;
    for (const auto& [name, positions] : populations) {
        if (name.empty() || name == "." || name.find('/') != std::string::npos)
            problem = "population name '" + name + "' cannot be an HDF5 group name";
        else if (!seen.insert(name).second)
            problem = "population '" + name + "' is given twice";
    }
    const std::uint64_t hash = layout_hash(populations);
    std::vector<std::uint64_t> flags{problem.empty() ? 0u : 1u, hash};
    comm.sum_in_place(flags);
    const std::uint64_t max_hash = comm.max(hash);
    if (flags[0] > 0)
        throw positions_file_error(
            path, problem.empty() ? "bad population name on another rank" : problem);
    if (flags[1] != static_cast<std::uint64_t>(comm.size()) * max_hash)
        throw internal_error("write_positions('" + path +
                             "'): the ranks disagree on the populations or their positions");

    // Rank 0 writes alone; the others wait for its verdict. Written under a temporary
    // name and renamed only when complete, so that a file at `path` is always complete.
    const std::string partial = path + ".partial";
    std::string detail;
    if (comm.rank() == 0) {
        const quiet_hdf5_errors quiet;
        try {
            write_file(path, partial, populations);
        } catch (const std::exception& e) {
            detail = e.what();
            // Neither the partial file nor an older file at `path` may look like this
            // run's output. The file is closed by now.
            remove_file(partial);
            remove_file(path);
        }
    }
    if (comm.sum(std::uint64_t{detail.empty() ? 0u : 1u}) > 0)
        throw positions_file_error(path, comm.rank() == 0 ? detail : "writing failed on rank 0");
}

// ---------------------------------------------------------------------------------------
// Reading

std::map<std::string, cell_positions> read_positions(const std::string& path) {
    const quiet_hdf5_errors quiet;
    std::error_code ec;
    if (!fs::exists(path, ec)) throw positions_file_error(path, "no such file");
    if (fs::is_directory(path, ec)) throw positions_file_error(path, "is a directory");
    const htri_t is_hdf5 = H5Fis_hdf5(path.c_str());
    if (is_hdf5 < 0) throw positions_file_error(path, "cannot read: " + hdf5_error_detail());
    if (is_hdf5 == 0) throw positions_file_error(path, "not an HDF5 file");
    h5_id file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    if (!file.valid()) throw positions_file_error(path, "cannot open: " + hdf5_error_detail());
    if (H5Lexists(file.get(), "positions", H5P_DEFAULT) <= 0)
        throw positions_file_error(path, "no /positions group");
    h5_id group(H5Gopen2(file.get(), "positions", H5P_DEFAULT), H5Gclose);
    H5G_info_t info{};
    if (!group.valid() || H5Gget_info(group.get(), &info) < 0)
        throw positions_file_error(path, "cannot open group /positions: " + hdf5_error_detail());

    std::map<std::string, cell_positions> result;
    for (hsize_t k = 0; k < info.nlinks; ++k) {
        const ssize_t len = H5Lget_name_by_idx(group.get(), ".", H5_INDEX_NAME, H5_ITER_INC, k,
                                               nullptr, 0, H5P_DEFAULT);
        if (len < 0)
            throw positions_file_error(path, "cannot list /positions: " + hdf5_error_detail());
        std::string name(static_cast<std::size_t>(len) + 1, '\0');
        H5Lget_name_by_idx(group.get(), ".", H5_INDEX_NAME, H5_ITER_INC, k, name.data(),
                           name.size(), H5P_DEFAULT);
        name.resize(static_cast<std::size_t>(len));

        const std::string where = "/positions/" + name;
        h5_id dataset(H5Dopen2(group.get(), name.c_str(), H5P_DEFAULT), H5Dclose);
        if (!dataset.valid())
            throw positions_file_error(path,
                                       "cannot open dataset " + where + ": " + hdf5_error_detail());
        h5_id space(H5Dget_space(dataset.get()), H5Sclose);
        hsize_t dims[2] = {0, 0};
        if (!space.valid() || H5Sget_simple_extent_ndims(space.get()) != 2 ||
            H5Sget_simple_extent_dims(space.get(), dims, nullptr) < 0 || dims[1] != 3)
            throw positions_file_error(path, "dataset " + where + " is not [n x 3]");
        cell_positions positions(dims[0]);
        if (dims[0] > 0 && H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                                   positions.data()) < 0)
            throw positions_file_error(path,
                                       "cannot read dataset " + where + ": " + hdf5_error_detail());
        result.emplace(name, std::move(positions));
    }
    return result;
}

}  // namespace ganglion
