#include "io/spike_file.hpp"

#include <algorithm>
#include <set>
#include <utility>

#include "io/hdf5_common.hpp"

namespace ganglion {
namespace {

using hdf5::handle;

// ---------------------------------------------------------------------------------------
// Input checks

// Checks what each rank can check alone, then makes every rank agree, so that all ranks
// throw together or none does.
void check_input(const std::string& path, const std::vector<population_spikes>& pops,
                 communicator& comm) {
    std::string user_problem, bug;
    std::set<std::string> seen;
    hdf5::layout_hash layout;
    layout.add(pops.size());
    for (const auto& p : pops) {
        layout.add(p.name);
        layout.add(p.total);
        if (!hdf5::why_not_a_link_name(p.name).empty())
            user_problem = "population name '" + p.name + "' cannot be an HDF5 group name";
        else if (!seen.insert(p.name).second)
            user_problem = "population '" + p.name + "' is given twice";
        if (p.index.size() != p.node_id.size() || p.index.size() != p.time.size())
            bug = "population '" + p.name + "': index, node_id and time differ in length";
        for (const auto i : p.index)
            if (i >= p.total) {
                bug = "population '" + p.name + "': spike index " + std::to_string(i) +
                      " is not below the total " + std::to_string(p.total);
                break;
            }
    }
    std::vector<std::uint64_t> flags{user_problem.empty() ? 0u : 1u, bug.empty() ? 0u : 1u};
    comm.sum_in_place(flags);
    const bool agree = hdf5::ranks_agree(comm, layout);
    if (flags[0] > 0)
        throw spike_file_error(
            path, user_problem.empty() ? "bad population name on another rank" : user_problem);
    if (flags[1] > 0)
        throw internal_error("write_sonata_spikes('" + path +
                             "'): " + (bug.empty() ? "bad input on another rank" : bug));
    if (!agree)
        throw internal_error("write_sonata_spikes('" + path +
                             "'): the ranks disagree on the populations (names, order or totals)");

    // Same populations everywhere: now the counts can be compared element by element.
    std::vector<std::uint64_t> counts;
    for (const auto& p : pops)
        counts.push_back(p.index.size());
    comm.sum_in_place(counts);
    for (std::size_t k = 0; k < pops.size(); ++k)
        if (counts[k] != pops[k].total)
            throw internal_error("write_sonata_spikes('" + path + "'): population '" +
                                 pops[k].name + "' has " + std::to_string(counts[k]) +
                                 " spikes over all ranks, but total says " +
                                 std::to_string(pops[k].total));
}

// Columns of a spike block: node_ids (u64 column 0) and timestamps (f64 column 0).
constexpr std::size_t node_id_column = 0, time_column = 0;

// Moves every spike to the writer that owns its index (see hdf5::redistribute) and checks
// that each block is in (time, node id) order, as the "by_time" sorting attribute promises.
std::vector<hdf5::row_block> redistribute(const std::string& path,
                                          const std::vector<population_spikes>& pops,
                                          communicator& comm, int writers) {
    std::vector<hdf5::indexed_rows> tables;
    tables.reserve(pops.size());
    for (const auto& p : pops)
        tables.push_back({p.total, p.index, {p.node_id}, {p.time}});
    std::vector<hdf5::row_block> blocks;
    bool ok = hdf5::redistribute(tables, 1, 1, comm, writers, blocks);
    if (ok) {
        bool sorted = true;
        for (const auto& b : blocks) {
            const auto& ids = b.u64[node_id_column];
            const auto& times = b.f64[time_column];
            for (std::size_t k = 1; sorted && k < b.rows; ++k)
                if (times[k] < times[k - 1] || (times[k] == times[k - 1] && ids[k] < ids[k - 1]))
                    sorted = false;
        }
        ok = comm.sum(std::uint64_t{sorted ? 0u : 1u}) == 0;
    }
    if (!ok)
        throw internal_error("write_sonata_spikes('" + path +
                             "'): the spike indices are not a (time, node id) ordering of "
                             "0 .. total-1 over the ranks");
    return blocks;
}

// ---------------------------------------------------------------------------------------
// The collective write

bool write_u32_attribute(hid_t object, const char* name, const std::vector<std::uint32_t>& values,
                         std::string& detail) {
    const hsize_t n = values.size();
    handle space(n == 1 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, nullptr), H5Sclose);
    if (!space.valid()) return hdf5::fail(detail);
    handle attr(H5Acreate2(object, name, H5T_STD_U32LE, space.get(), H5P_DEFAULT, H5P_DEFAULT),
                H5Aclose);
    if (!attr.valid() || H5Awrite(attr.get(), H5T_NATIVE_UINT32, values.data()) < 0 ||
        !attr.close())
        return hdf5::fail(detail);
    return true;
}

// SONATA's `sorting`: an HDF5 enum over uint8 with the values libsonata reads.
bool write_sorting_attribute(hid_t group, std::string& detail) {
    handle type(H5Tenum_create(H5T_STD_U8LE), H5Tclose);
    if (!type.valid()) return hdf5::fail(detail);
    const std::pair<const char*, std::uint8_t> members[] = {
        {"none", 0}, {"by_id", 1}, {"by_time", 2}};
    for (const auto& [name, value] : members)
        if (H5Tenum_insert(type.get(), name, &value) < 0) return hdf5::fail(detail);
    handle space(H5Screate(H5S_SCALAR), H5Sclose);
    if (!space.valid()) return hdf5::fail(detail);
    handle attr(H5Acreate2(group, "sorting", type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
                H5Aclose);
    const std::uint8_t by_time = 2;
    if (!attr.valid() || H5Awrite(attr.get(), type.get(), &by_time) < 0 || !attr.close())
        return hdf5::fail(detail);
    return true;
}

// The file's contents: attributes, /spikes and one group per population.
void write_contents(hdf5::write_context& ctx, const std::vector<population_spikes>& pops,
                    const std::vector<hdf5::row_block>& blocks) {
    ctx.step("writing the file attributes", [&](std::string& detail) {
        return write_u32_attribute(ctx.file, "magic", {0x0A7A}, detail) &&
               write_u32_attribute(ctx.file, "version", {0, 1}, detail);
    });
    handle spikes;
    ctx.step("creating group /spikes", [&](std::string& detail) {
        spikes =
            handle(H5Gcreate2(ctx.file, "spikes", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
        return spikes.valid() || hdf5::fail(detail);
    });
    for (std::size_t p = 0; p < pops.size(); ++p) {
        const std::string where = "/spikes/" + pops[p].name;
        const auto& b = blocks[p];
        handle group;
        ctx.step("creating group " + where, [&](std::string& detail) {
            group = handle(H5Gcreate2(spikes.get(), pops[p].name.c_str(), H5P_DEFAULT, H5P_DEFAULT,
                                      H5P_DEFAULT),
                           H5Gclose);
            if (!group.valid()) return hdf5::fail(detail);
            return write_sorting_attribute(group.get(), detail);
        });
        hdf5::write_column(ctx, group.get(), where, "timestamps", pops[p].total, b.first,
                           std::span<const double>(b.f64[time_column]), "ms");
        hdf5::write_column(ctx, group.get(), where, "node_ids", pops[p].total, b.first,
                           std::span<const std::uint64_t>(b.u64[node_id_column]));
        ctx.step("closing " + where,
                 [&](std::string& detail) { return group.close() || hdf5::fail(detail); });
    }
    ctx.step("closing /spikes",
             [&](std::string& detail) { return spikes.close() || hdf5::fail(detail); });
}

}  // namespace

void write_sonata_spikes(const std::string& path, const std::vector<population_spikes>& pops,
                         communicator& comm) {
    const hdf5::quiet_errors quiet;
    check_input(path, pops, comm);
    const bool parallel = hdf5::is_parallel(comm);
    const auto blocks = redistribute(path, pops, comm, parallel ? comm.size() : 1);
    try {
        hdf5::write_atomically(path, comm, parallel, [&](hdf5::write_context& ctx) {
            write_contents(ctx, pops, blocks);
        });
    } catch (const hdf5::step_failed& failure) {
        throw spike_file_error(path, failure.what());
    }
}

// ---------------------------------------------------------------------------------------
// Reading

std::map<std::string, spike_trains> read_sonata_spikes(const std::string& path) {
    const hdf5::quiet_errors quiet;
    try {
        const handle file = hdf5::open_for_reading(path);
        const handle spikes = hdf5::open_group(file.get(), "spikes", "/spikes");
        std::map<std::string, spike_trains> result;
        // A population is a group; anything else under /spikes is not SONATA's business.
        for (const auto& name : hdf5::subgroup_names(spikes.get(), "/spikes")) {
            const std::string where = "/spikes/" + name;
            const handle group = hdf5::open_group(spikes.get(), name.c_str(), where);
            spike_trains trains;
            trains.node_ids = hdf5::read_1d<std::uint64_t>(group.get(), where, "node_ids");
            trains.timestamps = hdf5::read_1d<double>(group.get(), where, "timestamps");
            if (trains.node_ids.size() != trains.timestamps.size())
                throw hdf5::read_failed(
                    where + ": node_ids has " + std::to_string(trains.node_ids.size()) +
                    " elements, timestamps " + std::to_string(trains.timestamps.size()));
            result.emplace(name, std::move(trains));
        }
        return result;
    } catch (const hdf5::read_failed& e) {
        throw spike_file_error(path, e.what());
    }
}

}  // namespace ganglion
