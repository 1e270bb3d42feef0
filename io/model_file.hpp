#pragma once

// The model file reader: JSON in PyNN's vocabulary and units (ms, mV, nA, nF,
// uS, Hz) to a checked model_spec. Every bad key or value is reported as a
// model_file_error naming the key's JSON path (e.g.
// `projections[2].connector.p_connect`), what was given and what is allowed.

#include <map>
#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "core/model.hpp"
#include "core/spec.hpp"

namespace ganglion {

// Reads, parses and checks a model file. Throws error for a missing/unreadable file or invalid JSON
// (message names the file, and for a JSON syntax error the byte/line), model_file_error for a bad
// key/value (including a key given twice in one object).
// `constant_overrides` replace values of the file's "constants" (`--set`);
// naming a constant the file does not have is an error.
model_spec read_model_file(const std::string& path, const model_registry& models,
                           const std::map<std::string, double>& constant_overrides = {});

// The same from parsed JSON (for tests).
// `base_dir` is where relative file names in the model (FromFileConnector) are found.
model_spec parse_model(const nlohmann::json& doc, const model_registry& models,
                       const std::map<std::string, double>& constant_overrides = {},
                       const std::string& base_dir = ".");

// The command line's --arithmetic (double | spinnaker) and --dt (ms), over
// what the file says; in SpiNNaker mode dt defaults to 1 ms and must be 1.0
// or 0.1 ms, and the model must be one SpiNNaker mode can run
// (spinnaker::check_model; model_file_error otherwise).
void set_arithmetic(model_spec& spec, const model_registry& models,
                    const std::optional<std::string>& arithmetic, const std::optional<double>& dt);

}  // namespace ganglion
