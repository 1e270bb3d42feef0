#pragma once

// Cell positions (HDF5): where every cell of every population with a spatial
// structure sits, as core/space.hpp generates them, for analysis and plots.
//
// Layout:
//   /positions/<population>   float64 [n x 3], row i = cell i (population-relative
//                             index), attribute `columns` = "x,y,z" (variable-length
//                             UTF-8). No `units` attribute: as in PyNN, positions are in
//                             whatever unit the structure's parameters (dx, ...) are in.

#include <array>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/communicator.hpp"
#include "core/error.hpp"

namespace ganglion {

// A positions file that cannot be written or read; `path` is the file the user named.
class positions_file_error : public error {
  public:
    positions_file_error(std::string path, const std::string& problem)
        : error("positions file '" + path + "': " + problem), path_(std::move(path)) {}
    const std::string& path() const { return path_; }

  private:
    std::string path_;
};

using cell_positions = std::vector<std::array<double, 3>>;

// Writes the positions of the given populations, in that order. Every rank holds every
// position (generate_positions gives the same everywhere), so rank 0 alone writes, with
// HDF5's default file driver, to `path + ".partial"`, and renames it to `path` when it is
// complete. All ranks call this (collective) and agree on the outcome: on failure every
// rank throws positions_file_error naming the path, and neither the ".partial" file nor
// an older file at `path` is left behind. A population name that cannot be an HDF5 group
// name, or a name given twice, throws positions_file_error on every rank before any file
// is touched; ranks holding different populations or positions throw internal_error.
void write_positions(const std::string& path,
                     const std::vector<std::pair<std::string, cell_positions>>& populations,
                     communicator& comm);

// Reads a positions file (serial, any process): population name -> positions. Throws
// positions_file_error naming the path for a missing or unreadable file, a missing
// /positions group or a dataset that is not [n x 3].
std::map<std::string, cell_positions> read_positions(const std::string& path);

}  // namespace ganglion
