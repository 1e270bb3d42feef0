#include "io/report_file.hpp"

#include <algorithm>
#include <bit>
#include <set>
#include <span>
#include <utility>

#include "io/hdf5_common.hpp"

namespace ganglion {
namespace {

using hdf5::handle;

// ---------------------------------------------------------------------------------------
// Input checks

// Checks what each rank can check alone, then makes every rank agree, so that all ranks
// throw together or none does.
void check_input(const std::string& path, const std::string& variable,
                 const std::vector<population_report>& pops, communicator& comm) {
    std::string user_problem, bug;
    std::set<std::string> seen;
    hdf5::layout_hash layout;
    layout.add(variable);
    layout.add(pops.size());
    for (const auto& p : pops) {
        const std::size_t n_cells = p.node_ids.size();
        layout.add(p.name);
        layout.add(p.n_times);
        layout.add(std::bit_cast<std::uint64_t>(p.t_start));
        layout.add(std::bit_cast<std::uint64_t>(p.t_step));
        layout.add(n_cells);
        layout.add(p.node_ids.data(), n_cells * sizeof(std::uint64_t));
        const std::string which = "population '" + p.name + "': ";
        if (!hdf5::why_not_a_link_name(p.name).empty())
            user_problem = "population name '" + p.name + "' cannot be an HDF5 group name";
        else if (!seen.insert(p.name).second)
            user_problem = "population '" + p.name + "' is given twice";
        if (!std::is_sorted(p.node_ids.begin(), p.node_ids.end()) ||
            std::adjacent_find(p.node_ids.begin(), p.node_ids.end()) != p.node_ids.end())
            bug = which + "node_ids are not strictly ascending";
        for (std::size_t k = 0; k < p.local_columns.size(); ++k)
            if (p.local_columns[k] >= n_cells ||
                (k > 0 && p.local_columns[k] <= p.local_columns[k - 1])) {
                bug = which + "local_columns are not strictly ascending positions below " +
                      std::to_string(n_cells);
                break;
            }
        if (p.n_times != 0 && p.local_columns.size() > static_cast<std::uint64_t>(-1) / p.n_times)
            bug = which + "n_times x columns overflows";
        else if (p.local_data.size() != p.n_times * p.local_columns.size())
            bug = which + "local_data has " + std::to_string(p.local_data.size()) +
                  " values, not n_times x local columns = " +
                  std::to_string(p.n_times * p.local_columns.size());
    }
    std::vector<std::uint64_t> flags{user_problem.empty() ? 0u : 1u, bug.empty() ? 0u : 1u};
    comm.sum_in_place(flags);
    const bool agree = hdf5::ranks_agree(comm, layout);
    if (flags[0] > 0)
        throw report_file_error(
            path, user_problem.empty() ? "bad population name on another rank" : user_problem);
    if (flags[1] > 0)
        throw internal_error("write_sonata_report('" + path +
                             "'): " + (bug.empty() ? "bad input on another rank" : bug));
    if (!agree)
        throw internal_error("write_sonata_report('" + path +
                             "'): the ranks disagree on the variable or the populations (names, "
                             "order, node ids, times)");

    // Same populations everywhere: the columns over all ranks must be exactly node_ids.
    std::vector<std::uint64_t> counts;
    for (const auto& p : pops)
        counts.push_back(p.local_columns.size());
    comm.sum_in_place(counts);
    for (std::size_t k = 0; k < pops.size(); ++k)
        if (counts[k] != pops[k].node_ids.size())
            throw internal_error("write_sonata_report('" + path + "'): population '" +
                                 pops[k].name + "' has " + std::to_string(counts[k]) +
                                 " columns over all ranks, but " +
                                 std::to_string(pops[k].node_ids.size()) + " node ids");
}

// ---------------------------------------------------------------------------------------
// Redistribution: every value to the writer that owns its row (time)

// One writer's rows [first, first + rows) of one population's data, row-major.
struct data_block {
    std::uint64_t first = 0;
    std::uint64_t rows = 0;
    std::vector<double> values;
};

// Collective. With `writers` writing ranks, rank r < writers gets the rows
// [block_start(n_times, r, writers), block_start(n_times, r + 1, writers)) of every population,
// the other ranks empty blocks. One exchange carries all populations: to each rank, per
// population, the count of values followed by their flat indices row * n_cells + column, and
// the values themselves in the same order. Throws internal_error on every rank unless every
// value of every block arrived exactly once.
std::vector<data_block> redistribute(const std::string& path,
                                     const std::vector<population_report>& pops, communicator& comm,
                                     int writers) {
    const auto ranks = static_cast<std::size_t>(comm.size());
    const auto w = static_cast<std::uint64_t>(writers);
    std::vector<std::vector<std::uint64_t>> send_index(ranks);
    std::vector<std::vector<double>> send_value(ranks);
    for (const auto& p : pops) {
        const std::uint64_t n_cells = p.node_ids.size();
        const std::size_t n_local = p.local_columns.size();
        std::vector<std::size_t> count_at(ranks);
        for (std::size_t r = 0; r < ranks; ++r) {
            count_at[r] = send_index[r].size();
            send_index[r].push_back(0);
        }
        std::uint64_t owner = 0;
        for (std::uint64_t t = 0; t < p.n_times && n_local > 0; ++t) {
            while (t >= hdf5::block_start(p.n_times, owner + 1, w))
                ++owner;
            auto& index = send_index[owner];
            auto& value = send_value[owner];
            for (std::size_t j = 0; j < n_local; ++j) {
                index.push_back(t * n_cells + p.local_columns[j]);
                value.push_back(p.local_data[t * n_local + j]);
            }
            index[count_at[owner]] += n_local;
        }
    }
    std::vector<std::vector<std::uint64_t>> recv_index;
    std::vector<std::vector<double>> recv_value;
    comm.alltoallv(send_index, recv_index);
    send_index = {};
    comm.alltoallv(send_value, recv_value);
    send_value = {};

    const auto me = static_cast<std::uint64_t>(comm.rank());
    std::vector<data_block> blocks(pops.size());
    std::vector<std::vector<bool>> filled(pops.size());
    for (std::size_t p = 0; p < pops.size(); ++p) {
        auto& b = blocks[p];
        if (me < w) {
            b.first = hdf5::block_start(pops[p].n_times, me, w);
            b.rows = hdf5::block_start(pops[p].n_times, me + 1, w) - b.first;
        }
        b.values.resize(b.rows * pops[p].node_ids.size());
        filled[p].resize(b.values.size());
    }
    bool ok = true;
    for (std::size_t r = 0; r < ranks && ok; ++r) {
        const auto& index = recv_index[r];
        const auto& value = recv_value[r];
        std::size_t at = 0, v = 0;
        for (std::size_t p = 0; p < pops.size() && ok; ++p) {
            if (at >= index.size()) {
                ok = false;
                break;
            }
            const std::uint64_t n = index[at++];
            const std::uint64_t offset = blocks[p].first * pops[p].node_ids.size();
            if (n > index.size() - at || n > value.size() - v) {
                ok = false;
                break;
            }
            for (std::uint64_t k = 0; k < n; ++k, ++at, ++v) {
                const std::uint64_t flat = index[at];
                if (flat < offset || flat - offset >= blocks[p].values.size() ||
                    filled[p][flat - offset]) {
                    ok = false;
                    break;
                }
                filled[p][flat - offset] = true;
                blocks[p].values[flat - offset] = value[v];
            }
        }
    }
    for (std::size_t p = 0; p < pops.size() && ok; ++p)
        ok = std::all_of(filled[p].begin(), filled[p].end(), [](bool f) { return f; });
    if (comm.sum(std::uint64_t{ok ? 0u : 1u}) != 0)
        throw internal_error("write_sonata_report('" + path +
                             "'): the local columns of the ranks are not each column of "
                             "node_ids exactly once");
    return blocks;
}

// ---------------------------------------------------------------------------------------
// The collective write

// Writes rows [first, first + rows) of the 2-D dataset `dataset` of `n_cells` columns from
// `data`. Collective in parallel: a rank with nothing to write still takes part.
bool write_rows(hid_t dataset, hid_t transfer, std::uint64_t first, std::uint64_t rows,
                std::uint64_t n_cells, const double* data, std::string& detail) {
    const hsize_t start[2] = {first, 0}, count[2] = {rows, n_cells};
    handle file_space(H5Dget_space(dataset), H5Sclose);
    handle mem_space(H5Screate_simple(2, count, nullptr), H5Sclose);
    if (!file_space.valid() || !mem_space.valid()) return hdf5::fail(detail);
    if (rows == 0 || n_cells == 0) {
        if (H5Sselect_none(file_space.get()) < 0 || H5Sselect_none(mem_space.get()) < 0)
            return hdf5::fail(detail);
    } else if (H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start, nullptr, count,
                                   nullptr) < 0) {
        return hdf5::fail(detail);
    }
    static const double nothing = 0;
    if (H5Dwrite(dataset, H5T_NATIVE_DOUBLE, mem_space.get(), file_space.get(), transfer,
                 rows > 0 && n_cells > 0 ? data : &nothing) < 0)
        return hdf5::fail(detail);
    return true;
}

handle create_group(hid_t parent, const std::string& name) {
    return handle(H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                  H5Gclose);
}

// One population: /report/<name>/data and /report/<name>/mapping/...
void write_population(hdf5::write_context& ctx, hid_t report, const std::string& variable,
                      const std::string& unit, const population_report& pop,
                      const data_block& block, bool writes_mapping) {
    const std::string where = "/report/" + pop.name;
    const std::uint64_t n_cells = pop.node_ids.size();
    handle group;
    ctx.step("creating group " + where, [&](std::string& detail) {
        group = create_group(report, pop.name);
        return group.valid() || hdf5::fail(detail);
    });

    const std::string data_path = where + "/data";
    handle data;
    ctx.step("creating dataset " + data_path, [&](std::string& detail) {
        const hsize_t dims[2] = {pop.n_times, n_cells};
        data = hdf5::create_dataset(group.get(), "data", H5T_IEEE_F64LE,
                                    std::span<const hsize_t>(dims));
        if (!data.valid()) return hdf5::fail(detail);
        return hdf5::write_string_attribute(data.get(), "units", unit, detail) &&
               hdf5::write_string_attribute(data.get(), "variable", variable, detail);
    });
    if (pop.n_times > 0 && n_cells > 0)
        ctx.step("writing " + data_path, [&](std::string& detail) {
            return write_rows(data.get(), ctx.transfer, block.first, block.rows, n_cells,
                              block.values.data(), detail);
        });
    ctx.step("closing " + data_path,
             [&](std::string& detail) { return data.close() || hdf5::fail(detail); });

    const std::string mapping_path = where + "/mapping";
    handle mapping;
    ctx.step("creating group " + mapping_path, [&](std::string& detail) {
        mapping = create_group(group.get(), "mapping");
        return mapping.valid() || hdf5::fail(detail);
    });
    // Rank 0 writes the whole mapping; the others take part with nothing.
    std::vector<std::uint64_t> index_pointers;
    std::vector<std::uint32_t> element_ids;
    std::span<const std::uint64_t> node_ids;
    std::vector<double> time;
    if (writes_mapping) {
        node_ids = pop.node_ids;
        index_pointers.resize(n_cells + 1);
        for (std::uint64_t k = 0; k <= n_cells; ++k)
            index_pointers[k] = k;
        element_ids.assign(n_cells, 0);
        time = {pop.t_start, pop.t_start + static_cast<double>(pop.n_times) * pop.t_step,
                pop.t_step};
    }
    hdf5::write_column(ctx, mapping.get(), mapping_path, "node_ids", n_cells, 0, node_ids);
    hdf5::write_column(ctx, mapping.get(), mapping_path, "index_pointers", n_cells + 1, 0,
                       std::span<const std::uint64_t>(index_pointers));

    const std::string element_path = mapping_path + "/element_ids";
    handle elements;
    ctx.step("creating dataset " + element_path, [&](std::string& detail) {
        elements = hdf5::create_dataset(mapping.get(), "element_ids", H5T_STD_U32LE, n_cells);
        return elements.valid() || hdf5::fail(detail);
    });
    if (n_cells > 0)
        ctx.step("writing " + element_path, [&](std::string& detail) {
            return hdf5::write_block(elements.get(), H5T_NATIVE_UINT32, ctx.transfer, 0,
                                     element_ids.size(), element_ids.data(), detail);
        });
    ctx.step("closing " + element_path,
             [&](std::string& detail) { return elements.close() || hdf5::fail(detail); });

    hdf5::write_column(ctx, mapping.get(), mapping_path, "time", 3, 0,
                       std::span<const double>(time), "ms");
    ctx.step("closing " + mapping_path,
             [&](std::string& detail) { return mapping.close() || hdf5::fail(detail); });
    ctx.step("closing " + where,
             [&](std::string& detail) { return group.close() || hdf5::fail(detail); });
}

}  // namespace

void write_sonata_report(const std::string& path, const std::string& variable,
                         const std::string& unit, const std::vector<population_report>& pops,
                         communicator& comm) {
    const hdf5::quiet_errors quiet;
    check_input(path, variable, pops, comm);
    const bool parallel = hdf5::is_parallel(comm);
    const auto blocks = redistribute(path, pops, comm, parallel ? comm.size() : 1);
    const bool writes_mapping = comm.rank() == 0;
    try {
        hdf5::write_atomically(path, comm, parallel, [&](hdf5::write_context& ctx) {
            handle report;
            ctx.step("creating group /report", [&](std::string& detail) {
                report = create_group(ctx.file, "report");
                return report.valid() || hdf5::fail(detail);
            });
            for (std::size_t p = 0; p < pops.size(); ++p)
                write_population(ctx, report.get(), variable, unit, pops[p], blocks[p],
                                 writes_mapping);
            ctx.step("closing /report",
                     [&](std::string& detail) { return report.close() || hdf5::fail(detail); });
        });
    } catch (const hdf5::step_failed& failure) {
        throw report_file_error(path, failure.what());
    }
}

// ---------------------------------------------------------------------------------------
// Reading

namespace {

// The whole 2-D float64 dataset `name` in `group`; its shape in `dims`.
std::vector<double> read_2d(hid_t group, const std::string& where, const char* name,
                            std::array<hsize_t, 2>& dims) {
    const std::string dataset_path = where + "/" + name;
    if (H5Lexists(group, name, H5P_DEFAULT) <= 0)
        throw hdf5::read_failed("dataset " + dataset_path + " is missing");
    handle dataset(H5Dopen2(group, name, H5P_DEFAULT), H5Dclose);
    if (!dataset.valid())
        throw hdf5::read_failed("cannot open dataset " + dataset_path + ": " +
                                hdf5::error_detail());
    handle space(H5Dget_space(dataset.get()), H5Sclose);
    if (!space.valid() || H5Sget_simple_extent_ndims(space.get()) != 2 ||
        H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr) < 0)
        throw hdf5::read_failed("dataset " + dataset_path + " is not two-dimensional");
    std::vector<double> values(static_cast<std::size_t>(dims[0] * dims[1]));
    if (!values.empty() &&
        H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0)
        throw hdf5::read_failed("cannot read dataset " + dataset_path + ": " +
                                hdf5::error_detail());
    return values;
}

}  // namespace

std::map<std::string, report_data> read_sonata_report(const std::string& path) {
    const hdf5::quiet_errors quiet;
    try {
        const handle file = hdf5::open_for_reading(path);
        const handle report = hdf5::open_group(file.get(), "report", "/report");
        std::map<std::string, report_data> result;
        for (const auto& name : hdf5::subgroup_names(report.get(), "/report")) {
            const std::string where = "/report/" + name;
            const handle group = hdf5::open_group(report.get(), name.c_str(), where);
            const std::string mapping_path = where + "/mapping";
            const handle mapping = hdf5::open_group(group.get(), "mapping", mapping_path);
            report_data r;
            r.node_ids = hdf5::read_1d<std::uint64_t>(mapping.get(), mapping_path, "node_ids");
            const auto time = hdf5::read_1d<double>(mapping.get(), mapping_path, "time");
            if (time.size() != 3)
                throw hdf5::read_failed(mapping_path + "/time has " + std::to_string(time.size()) +
                                        " elements, not 3");
            std::copy(time.begin(), time.end(), r.time.begin());
            std::array<hsize_t, 2> dims{};
            r.data = read_2d(group.get(), where, "data", dims);
            if (dims[1] != r.node_ids.size())
                throw hdf5::read_failed(where + "/data has " + std::to_string(dims[1]) +
                                        " columns, but there are " +
                                        std::to_string(r.node_ids.size()) + " node ids");
            r.n_times = dims[0];
            result.emplace(name, std::move(r));
        }
        return result;
    } catch (const hdf5::read_failed& e) {
        throw report_file_error(path, e.what());
    }
}

}  // namespace ganglion
