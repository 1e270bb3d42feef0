#pragma once

// Connectivity files: what PyNN's Projection.save writes and FromFileConnector reads.
//
// HDF5, written by every rank together (parallel HDF5, as the spike files):
//   /projections/<label>/pre_index    uint64 [N]  position in the projection's pre view
//   /projections/<label>/post_index   uint64 [N]  position in the post view
//   /projections/<label>/weight       float64 [N], attribute `units` = "uS or nA"
//   /projections/<label>/delay        float64 [N], attribute `units` = "ms"
//   /projections/<label>/pre_gid      uint64 [N]  global id of the source (when given)
//   /projections/<label>/post_gid     uint64 [N]  global id of the target (when given)
// Each projection's connections are sorted by (post_index, pre_index, delay, weight), the
// doubles in IEEE total order, so that the file is bit-for-bit the same for every ranks x
// threads split (invariant 1).
//
// Text, as PyNN's Projection.save("all", file) writes it: '#' header lines, among them
// "# columns = ['i', 'j', 'weight', 'delay']", then one connection per line.

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/communicator.hpp"
#include "core/error.hpp"

namespace ganglion {

// One projection's connections as one rank holds them. Every connection of a given
// post_index is on the same rank (ranks own targets), in any order.
struct projection_connections {
    std::string label;
    std::vector<std::uint64_t> pre_index, post_index;  // positions in the pre and post views
    std::vector<double> weight, delay;                 // uS or nA; ms
    // Global ids of source and target, written as pre_gid and post_gid when
    // with_gids (the same for every projection of one write and every rank).
    bool with_gids = false;
    std::vector<std::uint64_t> pre_gid, post_gid;
};

// A connections file that cannot be written or read; `path` is the file the user named,
// `line` the line of a text file (0 when there is none).
class connections_file_error : public error {
  public:
    connections_file_error(std::string path, const std::string& problem)
        : error("connections file '" + path + "': " + problem), path_(std::move(path)) {}
    connections_file_error(std::string path, std::size_t line, const std::string& problem)
        : error("connections file '" + path + "', line " + std::to_string(line) + ": " + problem),
          path_(std::move(path)),
          line_(line) {}
    const std::string& path() const { return path_; }
    std::size_t line() const { return line_; }

  private:
    std::string path_;
    std::size_t line_ = 0;
};

// Collective. Writes /projections/<label>/{pre_index, post_index, weight, delay} for every
// projection (the ranks give the same labels in the same order), each projection sorted as
// described above. Written as `path + ".partial"` and renamed when complete; on failure every
// rank throws connections_file_error naming the path and no file is left at `path`. A label
// that cannot be an HDF5 group name, or one given twice, is a connections_file_error too.
// Inconsistent input (columns of different lengths, ranks disagreeing on the labels, the
// connections of one post_index on more than one rank) throws internal_error on every rank.
//
// With an mpi_communicator the ranks write their parts of each dataset collectively
// (MPI-IO); with any other communicator rank 0 gathers the connections and writes alone.
void write_connections(const std::string& path,
                       const std::vector<projection_connections>& projections, communicator& comm);

// One projection's connections as a file holds them.
struct connection_table {
    std::vector<std::uint64_t> pre_index, post_index;
    std::vector<double> weight, delay;  // empty when the file has no such column
};

// Reads an HDF5 file written by write_connections (serial, any process): label -> table,
// in file order. Throws connections_file_error naming the path for a missing or unreadable
// file, a missing /projections group, a missing dataset or datasets of different lengths.
std::map<std::string, connection_table> read_connections(const std::string& path);

// Reads PyNN's text format (Projection.save("all", file)): lines "i j weight delay" or
// "i j", separated by blanks or tabs; '#' lines are comments, except that a header
// "# columns = ['i', 'j', ...]" says which column is which (other columns, such as the
// parameters of a plastic synapse, are skipped); blank lines are ignored. Without a header
// the columns are i, j and optionally weight and delay. i and j must be non-negative
// integers (written as 2 or 2.0); weight and delay finite numbers. Columns the file does not
// have are left empty. Errors name the file and the line.
connection_table read_connections_text(const std::string& path);

}  // namespace ganglion
