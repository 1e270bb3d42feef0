#pragma once

// What every HDF5 file of ganglion's needs, written once: owned identifiers, errors as
// messages instead of HDF5's stderr dumps, the lockstep that keeps ranks from waiting for
// each other in a collective call that one of them never makes, the redistribution of rows
// to contiguous blocks by their global position, collective hyperslab writes, and the
// temporary name + rename that keeps an incomplete file from ever looking complete
// (invariant 3). The spike and the connection files are both built from these parts.
//
// Internal to io/: the header includes <hdf5.h>.

#include <hdf5.h>

#include <cstdint>
#include <functional>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/communicator.hpp"

namespace ganglion::hdf5 {

// Owns one HDF5 identifier and closes it with the matching H5?close.
class handle {
  public:
    using closer = herr_t (*)(hid_t);
    handle() = default;
    handle(hid_t id, closer close) : id_(id), close_(close) {}
    handle(handle&& other) noexcept
        : id_(std::exchange(other.id_, H5I_INVALID_HID)), close_(other.close_) {}
    handle& operator=(handle&& other) noexcept {
        if (this != &other) {
            close();
            id_ = std::exchange(other.id_, H5I_INVALID_HID);
            close_ = other.close_;
        }
        return *this;
    }
    handle(const handle&) = delete;
    handle& operator=(const handle&) = delete;
    ~handle() { close(); }

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

// HDF5 prints its error stack to stderr by default; while one of these lives, errors become
// exceptions with a message instead. The previous setting comes back on exit.
class quiet_errors {
  public:
    quiet_errors() {
        H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
        H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    }
    ~quiet_errors() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }
    quiet_errors(const quiet_errors&) = delete;
    quiet_errors& operator=(const quiet_errors&) = delete;

  private:
    H5E_auto2_t func_ = nullptr;
    void* data_ = nullptr;
};

// The innermost description on HDF5's error stack, the most specific one.
std::string error_detail();

// Puts error_detail() into `detail` and returns false: `return ok || fail(detail);`.
bool fail(std::string& detail);

// Why no file can be created at `file`, in words a user can act on; empty when the file
// system shows no reason.
std::string why_not_creatable(const std::string& file);

// Empty when `name` can be one HDF5 link (a group or dataset name), else why not.
std::string why_not_a_link_name(const std::string& name);

// ---------------------------------------------------------------------------------------
// Agreement between ranks

// Thrown on every rank together when a step failed on any rank; what() says which step
// and, on the rank that failed, why.
struct step_failed : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Runs a write as a sequence of steps that every rank calls in the same order. A step's
// HDF5 work runs on the ranks that take part; then all ranks agree whether it worked
// everywhere before any rank goes on, so a rank that failed never leaves the others waiting
// in a collective HDF5 call, and all ranks throw step_failed together.
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
        agree(ok, what, detail);
    }

  private:
    void agree(bool ok, const std::string& what, const std::string& detail);
    communicator& comm_;
};

// FNV-1a, 32 bits so that a sum over ranks cannot wrap around: ranks_agree() compares the
// hashes of what every rank believes the file's layout is.
class layout_hash {
  public:
    void add(const void* data, std::size_t n);
    void add(std::uint64_t x) { add(&x, sizeof x); }
    void add(const std::string& s) {
        add(s.size());
        add(s.data(), s.size());
    }
    std::uint64_t value() const { return h_; }

  private:
    std::uint32_t h_ = 2166136261u;
};

// Collective: true on every rank when every rank passed the same hash.
bool ranks_agree(communicator& comm, const layout_hash& hash);

// ---------------------------------------------------------------------------------------
// Redistribution: rows to the writers that own their positions

// First row of block r when `total` rows are cut into `parts` contiguous blocks
// [r*total/parts, (r+1)*total/parts), computed without overflowing 64 bits.
std::uint64_t block_start(std::uint64_t total, std::uint64_t r, std::uint64_t parts);

// One table (a population's spikes, a projection's connections) as one rank holds it: the
// table has `total` rows over all ranks, and row k of this rank belongs at position index[k]
// of the table's datasets. Its values are u64[c][k] and f64[c][k], one span per column.
struct indexed_rows {
    std::uint64_t total = 0;
    std::span<const std::uint64_t> index;
    std::vector<std::span<const std::uint64_t>> u64;
    std::vector<std::span<const double>> f64;
};

// One writer's contiguous part of a table's datasets: rows first .. first + rows - 1.
struct row_block {
    std::uint64_t first = 0;
    std::uint64_t rows = 0;
    std::vector<std::vector<std::uint64_t>> u64;
    std::vector<std::vector<double>> f64;
};

// Collective. Moves every row to the writer that owns its position: with `writers` writing
// ranks, rank r < writers gets the block [r*total/writers, (r+1)*total/writers) of every
// table, the other ranks empty blocks. One exchange carries all tables. Every table has
// `n_u64` and `n_f64` columns (the same on every rank). Returns false, on every rank, when
// the indices of some table are not exactly 0 .. total-1 over the ranks (an index given
// twice, one missing, one past the total); the blocks are then incomplete.
bool redistribute(const std::vector<indexed_rows>& tables, std::size_t n_u64, std::size_t n_f64,
                  communicator& comm, int writers, std::vector<row_block>& blocks);

// ---------------------------------------------------------------------------------------
// Writing

// Whether `comm` can write one file collectively: ganglion's MPI communicator and an MPI
// build of HDF5. Otherwise rank 0 writes alone with HDF5's default (sec2) driver.
bool is_parallel(communicator& comm);

// File access: MPI-IO over the communicator's ranks with collective metadata writes when
// `parallel`, HDF5's default (sec2) driver otherwise. Invalid on failure.
handle file_access(communicator& comm, bool parallel);

// Raw data transfer: collective MPI-IO when `parallel`, so the ranks' blocks go out as a few
// large writes. Invalid on failure.
handle transfer_properties(bool parallel);

// A fixed-size dataset of shape `dims` (rows first), contiguous; never filled, since every
// element is written. Invalid on failure.
handle create_dataset(hid_t group, const char* name, hid_t type, std::span<const hsize_t> dims);
// The 1-D case: `n` elements.
handle create_dataset(hid_t group, const char* name, hid_t type, std::uint64_t n);

// Writes `count` elements at `first` of a 1-D dataset. Collective in parallel: a rank with
// nothing to write still takes part, with empty selections.
bool write_block(hid_t dataset, hid_t memtype, hid_t transfer, std::uint64_t first,
                 std::size_t count, const void* data, std::string& detail);

// A variable-length UTF-8 string attribute, as h5py writes a Python str.
bool write_string_attribute(hid_t object, const char* name, const std::string& value,
                            std::string& detail);

// What the contents of a file see while write_atomically writes it.
struct write_context {
    hid_t file;      // the open file (valid where `here`)
    hid_t transfer;  // dataset transfer properties for write_block
    lockstep& steps;
    bool here;  // whether this rank makes HDF5 calls: every rank in parallel, else rank 0
    bool parallel;

    // One lockstep step of HDF5 work on the ranks that make HDF5 calls.
    template <class Work>
    void step(const std::string& what, Work&& work) {
        steps.step(here, what, std::forward<Work>(work));
    }
};

// Creates dataset `where`/`name` of `total` elements in `group` (with a `units` attribute
// unless `units` is null), writes this rank's block [first, first + data.size()) into it and
// closes it; three steps.
void write_column(write_context& ctx, hid_t group, const std::string& where, const char* name,
                  std::uint64_t total, std::uint64_t first, std::span<const std::uint64_t> data,
                  const char* units = nullptr);
void write_column(write_context& ctx, hid_t group, const std::string& where, const char* name,
                  std::uint64_t total, std::uint64_t first, std::span<const double> data,
                  const char* units = nullptr);

// Collective. Writes one HDF5 file: creates `path` + ".partial" (with MPI-IO when
// `parallel`, else on rank 0 alone), lets `contents` fill it, closes it, and has rank 0
// rename it to `path` only after every rank has closed it, so a file at `path` is always
// complete. `contents` does everything that can fail inside ctx.step, so that the ranks stay
// in step. On failure every rank throws step_failed, after rank 0 has removed both the
// ".partial" file and any older file at `path` (never a directory).
void write_atomically(const std::string& path, communicator& comm, bool parallel,
                      const std::function<void(write_context&)>& contents);

// ---------------------------------------------------------------------------------------
// Reading (serial)

// Thrown by the readers below with a problem in words; the caller adds the file's path by
// rethrowing it as its own error type.
struct read_failed : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Opens an existing HDF5 file read-only: "no such file", "is a directory", "not an HDF5
// file", ...
handle open_for_reading(const std::string& path);

// The names of all links directly under `group` (`where` is its path, for messages), in
// name order.
std::vector<std::string> member_names(hid_t group, const std::string& where);

// The names of the groups directly under `group` (`where` is its path, for messages), in
// name order; other kinds of members are left out.
std::vector<std::string> subgroup_names(hid_t group, const std::string& where);

// Opens the group `name` under `parent` (`where` names it in messages).
handle open_group(hid_t parent, const char* name, const std::string& where);

// Reads the whole 1-D dataset `name` in `group`, converted to T (std::uint64_t or double)
// from whatever numeric type the file holds. `where` is the group's path, for messages.
template <class T>
std::vector<T> read_1d(hid_t group, const std::string& where, const char* name);
extern template std::vector<std::uint64_t> read_1d(hid_t, const std::string&, const char*);
extern template std::vector<double> read_1d(hid_t, const std::string&, const char*);

}  // namespace ganglion::hdf5
