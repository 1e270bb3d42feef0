#include "io/checkpoint_file.hpp"

#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace boost::serialization {

template <class A>
void serialize(A& a, ganglion::checkpoint_state::population_part& p, unsigned) {
    a& p.name& p.model& p.size& p.width& p.gids& p.values& p.spike_index& p.spike_node& p
        .spike_time& p.probe_gids& p.probe_values;
}
template <class A>
void serialize(A& a, ganglion::checkpoint_state::plastic_synapse& s, unsigned) {
    a& s.source& s.target& s.projection& s.occurrence& s.weight;
}
template <class A>
void serialize(A& a, ganglion::checkpoint_state::pre_trace& t, unsigned) {
    a& t.source& t.projection& t.k_plus& t.t_last;
}
template <class A>
void serialize(A& a, ganglion::checkpoint_state& c, unsigned) {
    a& c.step& c.populations& c.spike_counts& c.recorded_counts& c.n_receptors& c.n_slots& c
        .buffer_gids& c.buffer_values& c.plastic& c.traces& c.history_gids& c.history_counts& c
        .history_steps& c.history_paired& c.pending_steps& c.pending_gids;
}

}  // namespace boost::serialization

namespace ganglion {

namespace fs = std::filesystem;

std::string fnv1a_hex(const std::string& bytes) {
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (const unsigned char c : bytes) {
        h ^= c;
        h *= 0x100000001b3ull;
    }
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

namespace {

std::string part_name(int rank) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "rank_%05d.bin", rank);
    return buf;
}

std::string read_bytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return {};
    std::ostringstream os;
    os << in.rdbuf();
    return os.str();
}

void write_bytes(const fs::path& path, const std::string& bytes) {
    const fs::path tmp = path.string() + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        out.flush();
        if (!out) throw error("cannot write " + tmp.string());
    }
    fs::rename(tmp, path);
}

}  // namespace

void write_checkpoint(const std::string& dir, const checkpoint_state& state,
                      const checkpoint_info& info, communicator& comm) {
    const fs::path final_dir(dir);
    const fs::path partial = final_dir.string() + ".partial";
    // Rank 0 prepares the directory; every rank learns whether it could.
    std::uint64_t failed = 0;
    if (comm.rank() == 0) {
        std::error_code ec;
        fs::remove_all(partial, ec);
        fs::create_directories(partial, ec);
        failed = ec ? 1 : 0;
    }
    if (comm.max(failed) > 0) throw checkpoint_error(dir, "cannot create " + partial.string());

    std::ostringstream os;
    {
        boost::archive::binary_oarchive oa(os);
        oa << state;
    }
    const std::string bytes = os.str();
    failed = 0;
    try {
        write_bytes(partial / part_name(comm.rank()), bytes);
    } catch (const std::exception&) {
        failed = 1;
    }
    if (comm.max(failed) > 0)
        throw checkpoint_error(dir, "a rank could not write its part into " + partial.string());

    // Sizes and hashes of every part, for the manifest.
    std::vector<std::uint64_t> sizes(comm.size(), 0), hashes(comm.size(), 0);
    sizes[comm.rank()] = bytes.size();
    hashes[comm.rank()] = std::stoull(fnv1a_hex(bytes), nullptr, 16);
    comm.sum_in_place(sizes);
    comm.sum_in_place(hashes);
    failed = 0;
    if (comm.rank() == 0) {
        try {
            nlohmann::json m;
            m["format"] = "ganglion checkpoint";
            m["version"] = checkpoint_format_version;
            m["model_hash"] = info.model_hash;
            m["ranks"] = comm.size();
            m["threads"] = info.threads;
            m["step"] = state.step;
            m["time_ms"] = info.time_ms;
            for (int r = 0; r < comm.size(); ++r) {
                char hex[17];
                std::snprintf(hex, sizeof hex, "%016llx",
                              static_cast<unsigned long long>(hashes[r]));
                m["parts"].push_back({{"file", part_name(r)}, {"bytes", sizes[r]}, {"fnv1a", hex}});
            }
            write_bytes(partial / "manifest.json", m.dump(2) + "\n");
            // Replace the previous checkpoint only now that this one is complete.
            const fs::path old = final_dir.string() + ".old";
            fs::remove_all(old);
            if (fs::exists(final_dir)) fs::rename(final_dir, old);
            fs::rename(partial, final_dir);
            fs::remove_all(old);
        } catch (const std::exception& e) {
            failed = 1;
        }
    }
    if (comm.max(failed) > 0) throw checkpoint_error(dir, "cannot complete the checkpoint");
}

std::vector<checkpoint_state> read_checkpoint(const std::string& dir,
                                              const std::string& model_hash) {
    const fs::path d(dir);
    const std::string manifest_text = read_bytes(d / "manifest.json");
    if (manifest_text.empty())
        throw checkpoint_error(dir, fs::exists(d) ? "manifest.json is missing or empty: not a "
                                                    "complete checkpoint"
                                                  : "no such directory");
    nlohmann::json m;
    try {
        m = nlohmann::json::parse(manifest_text);
    } catch (const std::exception&) {
        throw checkpoint_error(dir, "manifest.json is not valid JSON (corrupt checkpoint)");
    }
    if (!m.is_object() || m.value("format", "") != "ganglion checkpoint")
        throw checkpoint_error(dir, "manifest.json is not a ganglion checkpoint manifest");
    const int version = m.value("version", -1);
    if (version != checkpoint_format_version)
        throw checkpoint_error(dir, "format version " + std::to_string(version) +
                                        "; this ganglion reads version " +
                                        std::to_string(checkpoint_format_version));
    if (m.value("model_hash", "") != model_hash)
        throw checkpoint_error(
            dir, "it was written for another model (model hash " + m.value("model_hash", "?") +
                     ", this run's is " + model_hash +
                     "): restore with the same model file, seed and --set constants");
    if (!m.contains("parts") || !m["parts"].is_array() || m["parts"].empty())
        throw checkpoint_error(dir, "manifest.json lists no parts");
    std::vector<checkpoint_state> parts;
    for (const auto& p : m["parts"]) {
        const std::string file = p.value("file", "");
        const std::string bytes = read_bytes(d / file);
        if (bytes.size() != p.value("bytes", std::uint64_t{0}) || bytes.empty())
            throw checkpoint_error(dir, file + " has " + std::to_string(bytes.size()) +
                                            " bytes, the manifest says " +
                                            std::to_string(p.value("bytes", std::uint64_t{0})) +
                                            " (truncated or missing)");
        if (fnv1a_hex(bytes) != p.value("fnv1a", ""))
            throw checkpoint_error(dir,
                                   file + " does not match its hash in the manifest (corrupt)");
        checkpoint_state s;
        try {
            std::istringstream is(bytes);
            boost::archive::binary_iarchive ia(is);
            ia >> s;
        } catch (const std::exception& e) {
            throw checkpoint_error(dir, file + " cannot be read: " + e.what());
        }
        parts.push_back(std::move(s));
    }
    return parts;
}

}  // namespace ganglion
