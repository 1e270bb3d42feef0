#include "core/connect.hpp"

#include <cmath>

#include "core/error.hpp"
#include "core/random.hpp"

namespace ganglion {

step_type delay_grid::to_steps(double delay_ms) const {
    return static_cast<step_type>(std::llround(delay_ms / dt));
}

namespace {

struct synapse_maker {
    const model_spec& spec;
    std::size_t k;
    std::uint32_t receptor;
    const thread_layout& layout;
    const delay_grid& grid;
    std::vector<pending_synapse>& out;
    std::uint64_t added = 0;

    void add(gid_type source, gid_type target, double weight, double delay_ms) {
        const step_type d = grid.to_steps(delay_ms);
        if (d < grid.min_steps || d > grid.max_steps)
            throw error("projections[" + std::to_string(k) + "] (" + spec.projections[k].label +
                        "): a delay of " + std::to_string(delay_ms) + " ms (" + std::to_string(d) +
                        " steps) lies outside [min_delay, max_delay] = [" +
                        std::to_string(grid.min_steps) + ", " + std::to_string(grid.max_steps) +
                        "] steps");
        const std::size_t post = spec.projections[k].post.population;
        const std::uint64_t index = layout.local_index(post, target);
        if (index > target_code::max_index)
            throw error("more than 2^28 neurons on one thread: use more threads or ranks");
        out.push_back({static_cast<std::uint32_t>(source),
                       target_code::make(static_cast<std::uint32_t>(index), receptor),
                       static_cast<float>(weight), static_cast<std::uint32_t>(d)});
        ++added;
    }
};

// Targets of the post view that this thread owns, as (view position, gid).
template <class F>
void for_each_owned_target(const model_spec& spec, const view_spec& post,
                           const thread_layout& layout, F&& f) {
    if (!post.indices) {
        const auto& pp = layout.populations()[post.population];
        for (std::uint64_t c = 0; c < pp.count; ++c) {
            const gid_type g = pp.first_owned + c * layout.part().n_vps();
            f(g - pp.first_gid, g);
        }
        return;
    }
    const std::uint64_t n = post.indices->size();
    for (std::uint64_t j = 0; j < n; ++j) {
        const gid_type g = view_gid(spec, post, j);
        if (layout.owns(g)) f(j, g);
    }
}

}  // namespace

std::uint64_t draw_projection(const model_spec& spec, std::size_t k, std::uint32_t receptor,
                              const thread_layout& layout, const delay_grid& grid,
                              std::vector<pending_synapse>& out) {
    const projection_spec& proj = spec.projections[k];
    const connector_spec& c = proj.connector;
    const std::uint64_t n_pre = view_size(spec, proj.pre);
    const std::uint64_t seed = spec.simulation.seed;
    synapse_maker make{spec, k, receptor, layout, grid, out};

    if (c.k == connector_spec::kind::from_list) {
        // One stream per row, so random weights or delays of [i, j] rows do
        // not depend on which thread owns j.
        for (std::size_t r = 0; r < c.rows.size(); ++r) {
            const auto& row = c.rows[r];
            const gid_type target = view_gid(spec, proj.post, row.j);
            if (!layout.owns(target)) continue;
            const gid_type source = view_gid(spec, proj.pre, row.i);
            if (c.rows_have_weights) {
                make.add(source, target, row.weight, row.delay);
            } else {
                random_stream rs(seed, purpose::connect(k), r);
                const double w = rs.draw(proj.synapse.weight);
                make.add(source, target, w, rs.draw(proj.synapse.delay));
            }
        }
        return make.added;
    }

    for_each_owned_target(spec, proj.post, layout, [&](std::uint64_t j, gid_type target) {
        random_stream rs(seed, purpose::connect(k), target);
        auto connect = [&](std::uint64_t i) {
            const gid_type source = view_gid(spec, proj.pre, i);
            const double w = rs.draw(proj.synapse.weight);
            const double d = rs.draw(proj.synapse.delay);
            if (!c.allow_self_connections && source == target) return;
            make.add(source, target, w, d);
        };
        switch (c.k) {
            case connector_spec::kind::all_to_all:
                for (std::uint64_t i = 0; i < n_pre; ++i)
                    connect(i);
                break;
            case connector_spec::kind::one_to_one:
                connect(j);
                break;
            case connector_spec::kind::fixed_probability: {
                // Bernoulli(p) for every source, drawn as geometric gaps
                // between successes: O(connections), not O(n_pre), per target.
                const double p = c.p_connect;
                if (p <= 0) break;
                if (p >= 1) {
                    for (std::uint64_t i = 0; i < n_pre; ++i)
                        connect(i);
                    break;
                }
                const double log_q = std::log1p(-p);
                double i = -1;
                while (true) {
                    i += 1 + std::floor(std::log(rs.uniform()) / log_q);
                    if (i >= static_cast<double>(n_pre)) break;
                    connect(static_cast<std::uint64_t>(i));
                }
                break;
            }
            case connector_spec::kind::from_list:
                break;
        }
    });
    return make.added;
}

double expected_synapses(const model_spec& spec, std::size_t k) {
    const projection_spec& proj = spec.projections[k];
    const double n_pre = static_cast<double>(view_size(spec, proj.pre));
    const double n_post = static_cast<double>(view_size(spec, proj.post));
    switch (proj.connector.k) {
        case connector_spec::kind::all_to_all:
            return n_pre * n_post;
        case connector_spec::kind::one_to_one:
            return n_post;
        case connector_spec::kind::fixed_probability:
            return proj.connector.p_connect * n_pre * n_post;
        case connector_spec::kind::from_list:
            return static_cast<double>(proj.connector.rows.size());
    }
    return 0;
}

}  // namespace ganglion
