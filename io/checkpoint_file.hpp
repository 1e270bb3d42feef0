#pragma once

// Checkpoint directories (Boost.Serialization): every rank writes its part
// of the state (core/checkpoint.hpp) as DIR/rank_<r>.bin, rank 0 a
// manifest.json with the format version, the model's hash, ranks, threads,
// step and each part's size and FNV-1a hash. The directory is assembled as
// DIR.partial and renamed to DIR once every rank's part is complete, so a
// directory named DIR is always a complete checkpoint (the previous one is
// replaced only then).
//
// Reading checks the manifest (version, model hash) and every part's size
// and hash before deserialising: a corrupt, truncated or mismatched
// checkpoint is a checkpoint_error naming what is wrong.

#include <cstdint>
#include <string>
#include <vector>

#include "core/checkpoint.hpp"
#include "core/communicator.hpp"
#include "core/error.hpp"

namespace ganglion {

class checkpoint_error : public error {
  public:
    checkpoint_error(const std::string& dir, const std::string& problem)
        : error("checkpoint '" + dir + "': " + problem) {}
};

// 3: SpiNNaker mode's ring buffer holds D + 16 slots (the delay extension);
// its later delay stages are rebuilt from the pending spikes.
// 4: double mode draws a Poisson population of one delay when its spikes
// arrive (plan_delivery): its input is in the buffer for steps < step + D
// only, and the buffer may hold only D slots.
constexpr int checkpoint_format_version = 5;

struct checkpoint_info {
    std::string model_hash;  // hex FNV-1a of the model (file, seed, constants)
    int threads = 1;
    double time_ms = 0;
};

// FNV-1a (64-bit) of bytes, as 16 hex digits.
std::string fnv1a_hex(const std::string& bytes);

// Collective: writes `state` (this rank's part) into dir.
void write_checkpoint(const std::string& dir, const checkpoint_state& state,
                      const checkpoint_info& info, communicator& comm);

// Collective: every rank reads every part of the checkpoint in dir (written
// on any number of ranks), after checking it against `model_hash`.
std::vector<checkpoint_state> read_checkpoint(const std::string& dir,
                                              const std::string& model_hash);

}  // namespace ganglion
