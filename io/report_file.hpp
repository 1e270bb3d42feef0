#pragma once

// SONATA report files (HDF5): the sampled values of one state variable (membrane potential,
// a conductance, ...) of the recorded cells of every population, written by every rank
// together with parallel HDF5, and a serial reader.
//
// Layout, as the SONATA spec (AllenInstitute/sonata, "Frame oriented node element
// recordings") and libsonata's reader have it, with one element per cell (its soma):
//   /report/<population>/data                  float64 [n_times x n_cells], attributes
//                                              `units` = unit and `variable` = variable name
//   /report/<population>/mapping/node_ids      uint64 [n_cells], population-relative ids
//   .../mapping/index_pointers                 uint64 [n_cells + 1] = 0, 1, ..., n_cells
//   .../mapping/element_ids                    uint32 [n_cells] = 0
//   .../mapping/time                           float64 [3] = {start, stop, step}, attribute
//                                              `units` = "ms"

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/communicator.hpp"
#include "core/error.hpp"

namespace ganglion {

// One population's recorded values of one variable, as one rank holds them.
struct population_report {
    std::string name;                     // population
    std::vector<std::uint64_t> node_ids;  // all recorded cells, ascending; the same on every rank
    std::vector<std::uint64_t>
        local_columns;               // positions in node_ids of this rank's cells, ascending
    std::uint64_t n_times = 0;       // samples (the same on every rank)
    double t_start = 0, t_step = 0;  // ms: sample k is at t_start + k * t_step
    std::vector<double> local_data;  // row-major [n_times][local_columns.size()]
};

// A report file that cannot be written or read; `path` is the file the user named.
class report_file_error : public error {
  public:
    report_file_error(std::string path, const std::string& problem)
        : error("SONATA report file '" + path + "': " + problem), path_(std::move(path)) {}
    const std::string& path() const { return path_; }

  private:
    std::string path_;
};

// Collective. Writes one SONATA report file for one variable (layout above). Every value is
// written exactly once, and the file is the same for any number of ranks: with an
// mpi_communicator (and a parallel HDF5) rank r writes the rows (times)
// [block_start(n_times, r, R), block_start(n_times, r + 1, R)) of every population as one
// collective hyperslab, after one exchange that brings it those rows' values; otherwise rank 0
// gathers everything and writes alone. The file is written as `path + ".partial"` and renamed
// by rank 0 once every rank has closed it. On failure every rank throws report_file_error
// naming the path, and neither the ".partial" file nor an older file at `path` is left.
// Inconsistent input (ranks disagreeing on populations, node ids, times; columns given twice
// or by no rank; data of the wrong size) throws internal_error on every rank.
void write_sonata_report(const std::string& path, const std::string& variable,
                         const std::string& unit, const std::vector<population_report>& pops,
                         communicator& comm);

// One population of a report file as read back.
struct report_data {
    std::vector<std::uint64_t> node_ids;
    std::array<double, 3> time{};  // start, stop, step (ms)
    std::uint64_t n_times = 0;
    std::vector<double> data;  // row-major [n_times][node_ids.size()]
};

// Reads a SONATA report file (serial, any process): population name -> its data. Throws
// report_file_error naming the path for a missing or unreadable file, a missing /report group
// or a missing or malformed dataset.
std::map<std::string, report_data> read_sonata_report(const std::string& path);

}  // namespace ganglion
