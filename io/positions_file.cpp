#include "io/positions_file.hpp"

#include <array>
#include <cstdint>
#include <set>
#include <span>
#include <string>
#include <utility>

#include "io/hdf5_common.hpp"

namespace ganglion {
namespace {

using hdf5::handle;
using population_list = std::vector<std::pair<std::string, cell_positions>>;

// Checks what each rank can check alone, then makes every rank agree, so that all ranks
// throw together or none does.
void check_input(const std::string& path, const population_list& pops, communicator& comm) {
    std::string problem;
    std::set<std::string> seen;
    // Names, sizes and position bits: equal on every rank when the ranks agree.
    hdf5::layout_hash layout;
    layout.add(pops.size());
    for (const auto& [name, positions] : pops) {
        layout.add(name);
        layout.add(positions.size());
        layout.add(positions.data(), positions.size() * sizeof(positions[0]));
        if (!hdf5::why_not_a_link_name(name).empty())
            problem = "population name '" + name + "' cannot be an HDF5 group name";
        else if (!seen.insert(name).second)
            problem = "population '" + name + "' is given twice";
    }
    // The flag and the hash in one reduction; the hash agrees when its sum is size times
    // its maximum.
    std::vector<std::uint64_t> flags{problem.empty() ? 0u : 1u, layout.value()};
    comm.sum_in_place(flags);
    const std::uint64_t max_hash = comm.max(layout.value());
    if (flags[0] > 0)
        throw positions_file_error(
            path, problem.empty() ? "bad population name on another rank" : problem);
    if (flags[1] != static_cast<std::uint64_t>(comm.size()) * max_hash)
        throw internal_error("write_positions('" + path +
                             "'): the ranks disagree on the populations or their positions");
}

// The file's contents: /positions and one [n x 3] dataset per population.
void write_contents(hdf5::write_context& ctx, const population_list& pops) {
    handle group;
    ctx.step("creating group /positions", [&](std::string& detail) {
        group = handle(H5Gcreate2(ctx.file, "positions", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                       H5Gclose);
        return group.valid() || hdf5::fail(detail);
    });
    // std::array<double, 3> rows are contiguous: the vector is the [n x 3] buffer.
    static_assert(sizeof(std::array<double, 3>) == 3 * sizeof(double));
    for (const auto& [name, positions] : pops) {
        const std::string where = "/positions/" + name;
        handle dataset;
        ctx.step("creating dataset " + where, [&](std::string& detail) {
            const hsize_t dims[2] = {positions.size(), 3};
            dataset = hdf5::create_dataset(group.get(), name.c_str(), H5T_IEEE_F64LE,
                                           std::span<const hsize_t>(dims));
            if (!dataset.valid()) return hdf5::fail(detail);
            return hdf5::write_string_attribute(dataset.get(), "columns", "x,y,z", detail);
        });
        if (!positions.empty())
            ctx.step("writing dataset " + where, [&](std::string& detail) {
                return H5Dwrite(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, ctx.transfer,
                                positions.data()) >= 0 ||
                       hdf5::fail(detail);
            });
        ctx.step("closing dataset " + where,
                 [&](std::string& detail) { return dataset.close() || hdf5::fail(detail); });
    }
    ctx.step("closing group /positions",
             [&](std::string& detail) { return group.close() || hdf5::fail(detail); });
}

// Reads the [n x 3] dataset /positions/`name`.
cell_positions read_rows(hid_t group, const std::string& name) {
    const std::string where = "/positions/" + name;
    const handle dataset(H5Dopen2(group, name.c_str(), H5P_DEFAULT), H5Dclose);
    if (!dataset.valid())
        throw hdf5::read_failed("cannot open dataset " + where + ": " + hdf5::error_detail());
    const handle space(H5Dget_space(dataset.get()), H5Sclose);
    hsize_t dims[2] = {0, 0};
    if (!space.valid() || H5Sget_simple_extent_ndims(space.get()) != 2 ||
        H5Sget_simple_extent_dims(space.get(), dims, nullptr) < 0 || dims[1] != 3)
        throw hdf5::read_failed("dataset " + where + " is not [n x 3]");
    cell_positions positions(dims[0]);
    if (dims[0] > 0 && H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                               positions.data()) < 0)
        throw hdf5::read_failed("cannot read dataset " + where + ": " + hdf5::error_detail());
    return positions;
}

}  // namespace

void write_positions(const std::string& path, const population_list& populations,
                     communicator& comm) {
    const hdf5::quiet_errors quiet;
    check_input(path, populations, comm);
    // Every rank holds every position: rank 0 writes alone with HDF5's default driver, the
    // others follow its steps.
    try {
        hdf5::write_atomically(path, comm, false,
                               [&](hdf5::write_context& ctx) { write_contents(ctx, populations); });
    } catch (const hdf5::step_failed& failure) {
        // Only rank 0 makes HDF5 calls, so a failure seen elsewhere is rank 0's.
        throw positions_file_error(path,
                                   comm.rank() == 0 ? failure.what() : "writing failed on rank 0");
    }
}

// ---------------------------------------------------------------------------------------
// Reading

std::map<std::string, cell_positions> read_positions(const std::string& path) {
    const hdf5::quiet_errors quiet;
    try {
        const handle file = hdf5::open_for_reading(path);
        const handle group = hdf5::open_group(file.get(), "positions", "/positions");
        std::map<std::string, cell_positions> result;
        for (const auto& name : hdf5::member_names(group.get(), "/positions"))
            result.emplace(name, read_rows(group.get(), name));
        return result;
    } catch (const hdf5::read_failed& e) {
        throw positions_file_error(path, e.what());
    }
}

}  // namespace ganglion
