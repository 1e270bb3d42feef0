#pragma once

// SONATA spike files (HDF5): one file for the whole run, written by every rank
// together with parallel HDF5, and a serial reader.
//
// Layout, as the SONATA spec (AllenInstitute/sonata, "Spike file") and the
// BlueBrain readers/writers (libsonata, libsonatareport) have it:
//   /                      attributes `magic` (uint32 0x0A7A), `version` (uint32[2] {0, 1})
//   /spikes/<population>   attribute `sorting`: HDF5 enum (base uint8) none=0, by_id=1,
//                          by_time=2; ganglion always writes by_time
//   .../timestamps         float64 [N], attribute `units` = "ms" (variable-length UTF-8)
//   .../node_ids           uint64 [N], population-relative ids

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/communicator.hpp"
#include "core/error.hpp"

namespace ganglion {

// One population's recorded spikes, as one rank holds them.
struct population_spikes {
    std::string name;
    std::uint64_t total = 0;  // number of spikes of this population over all ranks
    // This rank's spikes, any subset of the population's spikes: `index` is the spike's
    // position in the population's global order (sorted by time, then node id), so the
    // indices of all ranks together are exactly 0 .. total-1.
    std::vector<std::uint64_t> index;
    std::vector<std::uint64_t> node_id;  // population-relative id (0 .. size-1)
    std::vector<double> time;            // ms
};

// A spike file that cannot be written or read; `path` is the file the user named.
class spike_file_error : public error {
  public:
    spike_file_error(std::string path, const std::string& problem)
        : error("SONATA spike file '" + path + "': " + problem), path_(std::move(path)) {}
    const std::string& path() const { return path_; }

  private:
    std::string path_;
};

// Writes one SONATA spike file with every rank taking part (collective). The file is
// written as `path + ".partial"` and renamed to `path` by rank 0 only after every rank
// has closed it successfully, so a file at `path` is always complete. On failure every
// rank throws spike_file_error naming the path (the ranks agree on success before each
// step that could block), and neither the ".partial" file nor an older file at `path`
// is left behind. Inconsistent input (indices that are not exactly 0 .. total-1 over
// the ranks, ranks disagreeing on the populations) throws internal_error on every rank.
//
// With an mpi_communicator the ranks write their parts of each dataset collectively
// (MPI-IO); with any other communicator rank 0 gathers the spikes and writes alone.
void write_sonata_spikes(const std::string& path, const std::vector<population_spikes>& pops,
                         communicator& comm);

// Reads a SONATA spike file (serial, any process): population name -> (node_ids, timestamps),
// in file order. Throws spike_file_error naming the path for a missing or unreadable file,
// a missing /spikes group or a missing dataset.
struct spike_trains {
    std::vector<std::uint64_t> node_ids;
    std::vector<double> timestamps;
};
std::map<std::string, spike_trains> read_sonata_spikes(const std::string& path);

}  // namespace ganglion
