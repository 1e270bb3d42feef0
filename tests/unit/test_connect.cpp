// Tests for core/connect.cpp: connections drawn from the postsynaptic side.
//
// Invariant 1: the synapses of the whole network do not depend on how many
// ranks and threads draw them. Invariant 2: delays are whole steps, rounded
// to the nearest, within [min_delay, max_delay], else a clear error.

#include "core/connect.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/expression.hpp"
#include "core/layout.hpp"
#include "core/partition.hpp"
#include "core/spec.hpp"
#include "core/synapse_store.hpp"
#include "tests/unit/connector_support.hpp"

namespace ganglion {
namespace {

using test::of_distance;
using test::small_world;

// A synapse in global terms: (source gid, target gid, weight bits, delay
// steps, receptor). Weight bits so that "equal" means bit-identical.
using global_synapse = std::tuple<gid_type, gid_type, std::uint32_t, std::uint32_t, std::uint32_t>;

const std::vector<std::pair<int, int>> splits = {{1, 1}, {2, 1}, {1, 2}, {4, 1}, {2, 2}, {3, 3}};

// ---------------------------------------------------------------------------
// Building specs by hand

value_spec uniform(double low, double high) {
    value_spec v;
    v.k = value_spec::kind::uniform;
    v.low = low;
    v.high = high;
    return v;
}
value_spec normal_clipped(double mu, double sigma, double low, double high) {
    value_spec v;
    v.k = value_spec::kind::normal_clipped;
    v.mu = mu;
    v.sigma = sigma;
    v.low = low;
    v.high = high;
    return v;
}

void add_population(model_spec& spec, const std::string& name, const std::string& model,
                    std::uint64_t size) {
    population_spec p;
    p.name = name;
    p.model = model;
    p.size = size;
    spec.populations.push_back(p);
}

view_spec whole(std::size_t population) {
    view_spec v;
    v.population = population;
    return v;
}
view_spec part_of(std::size_t population, std::vector<std::uint64_t> indices) {
    view_spec v;
    v.population = population;
    v.indices = std::move(indices);
    return v;
}
// PyNN slice start:stop:step as an index list.
std::vector<std::uint64_t> slice(std::uint64_t start, std::uint64_t stop, std::uint64_t step) {
    std::vector<std::uint64_t> out;
    for (std::uint64_t i = start; i < stop; i += step)
        out.push_back(i);
    return out;
}

connector_spec all_to_all(bool self = true) {
    connector_spec c;
    c.k = connector_spec::kind::all_to_all;
    c.allow_self_connections = self;
    return c;
}
connector_spec one_to_one() {
    connector_spec c;
    c.k = connector_spec::kind::one_to_one;
    return c;
}
connector_spec fixed_probability(double p, bool self = true) {
    connector_spec c;
    c.k = connector_spec::kind::fixed_probability;
    c.p_connect = p;
    c.allow_self_connections = self;
    return c;
}

projection_spec projection(const std::string& label, view_spec pre, view_spec post,
                           connector_spec c, value_spec weight, value_spec delay,
                           const std::string& receptor = "excitatory") {
    projection_spec p;
    p.label = label;
    p.pre = std::move(pre);
    p.post = std::move(post);
    p.connector = std::move(c);
    p.synapse.weight = weight;
    p.synapse.delay = delay;
    p.synapse.delay_given = true;
    p.receptor_type = receptor;
    return p;
}

// exc (IF_curr_exp, 120), inh (IF_curr_exp, 37), noise (SpikeSourcePoisson, 25)
// and one projection of every connector, some of them onto or from views.
model_spec mixed_network() {
    model_spec spec;
    spec.simulation.dt = 0.1;
    spec.simulation.seed = 4242;
    add_population(spec, "exc", "IF_curr_exp", 120);
    add_population(spec, "inh", "IF_curr_exp", 37);
    add_population(spec, "noise", "SpikeSourcePoisson", 25);
    const value_spec w_rand = normal_clipped(0.5, 0.3, 0.0, 1.0);
    const value_spec d_rand = uniform(0.1, 2.0);
    auto& P = spec.projections;
    P.push_back(
        projection("noise->exc all", whole(2), whole(0), all_to_all(), uniform(0, 1), d_rand));
    P.push_back(projection("exc->exc all no self", whole(0), whole(0), all_to_all(false),
                           value_spec::constant(0.25), d_rand));
    P.push_back(projection("exc[0:37]->inh one", part_of(0, slice(0, 37, 1)), whole(1),
                           one_to_one(), w_rand, value_spec::constant(0.3)));
    P.push_back(
        projection("exc->exc p self", whole(0), whole(0), fixed_probability(0.1), w_rand, d_rand));
    P.push_back(projection("exc->exc p no self", whole(0), whole(0), fixed_probability(0.2, false),
                           w_rand, d_rand));
    P.push_back(projection("inh->exc p", whole(1), whole(0), fixed_probability(0.3),
                           value_spec::constant(-1.0), value_spec::constant(0.1), "inhibitory"));
    // Views on both sides: every other exc neuron onto inh in reverse order.
    std::vector<std::uint64_t> reversed = slice(0, 37, 1);
    std::reverse(reversed.begin(), reversed.end());
    P.push_back(projection("exc[::2]->inh[::-1] p", part_of(0, slice(0, 120, 2)),
                           part_of(1, reversed), fixed_probability(0.25, false), w_rand, d_rand));
    P.push_back(projection("exc[10:50]->exc[30:70] all no self", part_of(0, slice(10, 50, 1)),
                           part_of(0, slice(30, 70, 1)), all_to_all(false), w_rand, d_rand));
    P.push_back(projection("inh[5:25]->exc[::6] one", part_of(1, slice(5, 25, 1)),
                           part_of(0, slice(0, 120, 6)), one_to_one(), uniform(1, 2), d_rand));
    {
        // FromList with [i, j, w, d] rows, including a repeated pair.
        connector_spec c;
        c.k = connector_spec::kind::from_list;
        c.rows_have_weights = true;
        c.rows = {{0, 0, 0.5, 0.1},  {3, 7, 1.5, 1.0},   {24, 119, 2.5, 0.55},
                  {3, 7, 0.75, 2.0}, {11, 64, 0.1, 0.3}, {12, 65, 0.2, 0.4}};
        P.push_back(projection("noise->exc list", whole(2), whole(0), c, value_spec::constant(0),
                               value_spec::constant(0.1)));
    }
    {
        // FromList with [i, j] rows: weights and delays from the synapse.
        connector_spec c;
        c.k = connector_spec::kind::from_list;
        for (std::uint64_t r = 0; r < 60; ++r)
            c.rows.push_back({(r * 7) % 40, (r * 13) % 20, 0, 0});
        P.push_back(projection("exc[0:40]->inh[10:30] list", part_of(0, slice(0, 40, 1)),
                               part_of(1, slice(10, 30, 1)), c, w_rand, d_rand, "inhibitory"));
    }
    return spec;
}

delay_grid grid_for(const model_spec& spec, step_type min_steps, step_type max_steps) {
    delay_grid g;
    g.dt = spec.simulation.dt;
    g.min_steps = min_steps;
    g.max_steps = max_steps;
    return g;
}

// The gid of a thread-local index (the inverse of thread_layout::local_index).
gid_type gid_of_local(const thread_layout& layout, std::uint64_t index) {
    for (const auto& pp : layout.populations())
        if (index >= pp.offset && index < pp.offset + pp.count)
            return pp.first_owned + (index - pp.offset) * layout.part().n_vps();
    ADD_FAILURE() << "local index " << index << " beyond the thread's neurons";
    return ~0ull;
}

// Every synapse of projection k drawn by every (rank, thread) of an R x T
// partition, in global terms and sorted. Checks on the way that every thread
// only got targets it owns and that draw_projection's count is right.
std::vector<global_synapse> draw_everywhere(const model_spec& spec, std::size_t k,
                                            std::uint32_t receptor, int R, int T,
                                            const delay_grid& grid) {
    const auto& proj = spec.projections[k];
    std::set<gid_type> pre_gids, post_gids;
    for (std::uint64_t i = 0; i < view_size(spec, proj.pre); ++i)
        pre_gids.insert(view_gid(spec, proj.pre, i));
    for (std::uint64_t j = 0; j < view_size(spec, proj.post); ++j)
        post_gids.insert(view_gid(spec, proj.post, j));
    std::vector<global_synapse> all;
    for (int r = 0; r < R; ++r)
        for (int t = 0; t < T; ++t) {
            const thread_layout layout(spec, partition{R, r, T}, t);
            std::vector<pending_synapse> out = {{0, 0, 0.0f, 0}};  // appends, keeps this
            const std::uint64_t n =
                draw_projection(spec, k, receptor, layout, grid, compute_positions(spec), out);
            EXPECT_EQ(n, out.size() - 1);
            for (std::size_t s = 1; s < out.size(); ++s) {
                const auto& syn = out[s];
                const gid_type target = gid_of_local(layout, target_code::index(syn.target_code));
                EXPECT_TRUE(layout.owns(target))
                    << "rank " << r << " thread " << t << " got target " << target;
                EXPECT_EQ(post_gids.count(target), 1u) << "target outside the post view";
                EXPECT_EQ(pre_gids.count(syn.source), 1u) << "source outside the pre view";
                EXPECT_EQ(target_code::receptor(syn.target_code), receptor);
                all.emplace_back(syn.source, target, std::bit_cast<std::uint32_t>(syn.weight),
                                 syn.delay, target_code::receptor(syn.target_code));
            }
        }
    std::sort(all.begin(), all.end());
    return all;
}

std::uint32_t receptor_of(const projection_spec& p) {
    return p.receptor_type == "inhibitory" ? 1 : 0;
}

// ---------------------------------------------------------------------------
// (1) and (2): same synapses for every split, each on its owner

TEST(draw_projection, same_synapses_for_every_ranks_times_threads_split) {
    const model_spec spec = mixed_network();
    const delay_grid grid = grid_for(spec, 1, 20);
    for (std::size_t k = 0; k < spec.projections.size(); ++k) {
        SCOPED_TRACE("projection " + spec.projections[k].label);
        const std::uint32_t rec = receptor_of(spec.projections[k]);
        const auto reference = draw_everywhere(spec, k, rec, 1, 1, grid);
        EXPECT_FALSE(reference.empty());
        for (const auto& [R, T] : splits) {
            if (R == 1 && T == 1) continue;
            const auto other = draw_everywhere(spec, k, rec, R, T, grid);
            EXPECT_EQ(other, reference) << R << " ranks x " << T << " threads";
        }
    }
}

TEST(draw_projection, same_synapses_for_another_seed_differ) {
    model_spec spec = mixed_network();
    const delay_grid grid = grid_for(spec, 1, 20);
    const std::size_t k = 3;  // FixedProbability
    const auto a = draw_everywhere(spec, k, 0, 1, 1, grid);
    spec.simulation.seed += 1;
    const auto b = draw_everywhere(spec, k, 0, 2, 2, grid);
    EXPECT_NE(a, b);
    EXPECT_EQ(b, draw_everywhere(spec, k, 0, 1, 1, grid));
}

TEST(draw_projection, appends_to_the_output) {
    const model_spec spec = mixed_network();
    const delay_grid grid = grid_for(spec, 1, 20);
    const thread_layout layout(spec, partition{1, 0, 1}, 0);
    std::vector<pending_synapse> out;
    const auto n1 = draw_projection(spec, 5, 1, layout, grid, compute_positions(spec), out);
    const auto n2 = draw_projection(spec, 2, 0, layout, grid, compute_positions(spec), out);
    EXPECT_EQ(out.size(), n1 + n2);
}

// ---------------------------------------------------------------------------
// (3) what each connector draws

std::vector<global_synapse> draw_serial(const model_spec& spec, std::size_t k) {
    return draw_everywhere(spec, k, 0, 1, 1, grid_for(spec, 1, 20));
}

TEST(all_to_all, every_pair_once) {
    const model_spec spec = mixed_network();
    const auto syn = draw_serial(spec, 0);  // noise (25) -> exc (120)
    ASSERT_EQ(syn.size(), 25u * 120u);
    std::set<std::pair<gid_type, gid_type>> pairs;
    for (const auto& s : syn) {
        pairs.insert({std::get<0>(s), std::get<1>(s)});
        EXPECT_GE(std::get<0>(s), 157u);
        EXPECT_LT(std::get<0>(s), 182u);
        EXPECT_LT(std::get<1>(s), 120u);
    }
    EXPECT_EQ(pairs.size(), 25u * 120u);
}

TEST(all_to_all, without_self_connections_on_one_population) {
    const model_spec spec = mixed_network();
    const auto syn = draw_serial(spec, 1);  // exc -> exc, no self
    EXPECT_EQ(syn.size(), 120u * 120u - 120u);
    std::set<std::pair<gid_type, gid_type>> pairs;
    for (const auto& s : syn) {
        EXPECT_NE(std::get<0>(s), std::get<1>(s));
        pairs.insert({std::get<0>(s), std::get<1>(s)});
        EXPECT_EQ(std::bit_cast<float>(std::get<2>(s)), 0.25f);
    }
    EXPECT_EQ(pairs.size(), syn.size());
    // Overlapping views exc[10:50] -> exc[30:70]: the 20 neurons in both
    // lose their self connection.
    EXPECT_EQ(draw_serial(spec, 7).size(), 40u * 40u - 20u);
}

TEST(all_to_all, self_connections_allowed_between_other_populations_are_all_pairs) {
    model_spec spec = mixed_network();
    spec.projections[0].connector.allow_self_connections = false;  // noise -> exc
    EXPECT_EQ(draw_serial(spec, 0).size(), 25u * 120u);
}

TEST(one_to_one, pairs_position_i_to_position_i) {
    const model_spec spec = mixed_network();
    {
        const auto syn = draw_serial(spec, 2);  // exc[0:37] -> inh
        ASSERT_EQ(syn.size(), 37u);
        for (std::size_t i = 0; i < 37; ++i) {
            EXPECT_EQ(std::get<0>(syn[i]), i);
            EXPECT_EQ(std::get<1>(syn[i]), 120 + i);
            EXPECT_EQ(std::get<3>(syn[i]), 3u) << "0.3 ms = 3 steps of 0.1 ms";
        }
    }
    {
        const auto syn = draw_serial(spec, 8);  // inh[5:25] -> exc[::6]
        ASSERT_EQ(syn.size(), 20u);
        for (std::size_t i = 0; i < 20; ++i) {
            EXPECT_EQ(std::get<0>(syn[i]), 120 + 5 + i);
            EXPECT_EQ(std::get<1>(syn[i]), 6 * i);
            const float w = std::bit_cast<float>(std::get<2>(syn[i]));
            EXPECT_GE(w, 1.0f);
            EXPECT_LE(w, 2.0f);
        }
    }
}

TEST(from_list, rows_with_weights_and_delays) {
    const model_spec spec = mixed_network();
    const auto syn = draw_serial(spec, 9);
    std::vector<global_synapse> expect;
    for (const auto& row : spec.projections[9].connector.rows)
        expect.emplace_back(157 + row.i, row.j, std::bit_cast<std::uint32_t>(float(row.weight)),
                            static_cast<std::uint32_t>(std::llround(row.delay / 0.1)), 0);
    std::sort(expect.begin(), expect.end());
    EXPECT_EQ(syn, expect);
}

TEST(from_list, rows_without_weights_draw_from_the_synapse) {
    const model_spec spec = mixed_network();
    const auto syn = draw_serial(spec, 10);
    ASSERT_EQ(syn.size(), 60u);
    std::multiset<std::pair<gid_type, gid_type>> expect, got;
    for (const auto& row : spec.projections[10].connector.rows)
        expect.insert({row.i, 120 + 10 + row.j});
    std::set<std::uint32_t> weights;
    for (const auto& s : syn) {
        got.insert({std::get<0>(s), std::get<1>(s)});
        const float w = std::bit_cast<float>(std::get<2>(s));
        EXPECT_GE(w, 0.0f);
        EXPECT_LE(w, 1.0f);
        weights.insert(std::get<2>(s));
        EXPECT_GE(std::get<3>(s), 1u);
        EXPECT_LE(std::get<3>(s), 20u);
    }
    EXPECT_EQ(got, expect);
    EXPECT_GT(weights.size(), 50u) << "random weights, not one value";
}

// A large pair of populations for statistics.
model_spec two_populations(std::uint64_t n_pre, std::uint64_t n_post, connector_spec c,
                           bool same_population = false) {
    model_spec spec;
    spec.simulation.seed = 777;
    add_population(spec, "pre", "SpikeSourcePoisson", n_pre);
    add_population(spec, "post", "IF_curr_exp", n_post);
    const std::size_t post = same_population ? 0 : 1;
    spec.projections.push_back(projection("pre->post", whole(0), whole(post), std::move(c),
                                          value_spec::constant(1.0), value_spec::constant(0.1)));
    return spec;
}

struct degree_stats {
    double mean, variance;
};
degree_stats stats(const std::vector<double>& x) {
    double m = 0;
    for (const double v : x)
        m += v;
    m /= static_cast<double>(x.size());
    double s = 0;
    for (const double v : x)
        s += (v - m) * (v - m);
    return {m, s / static_cast<double>(x.size() - 1)};
}

TEST(fixed_probability, total_count_and_degrees_are_binomial) {
    const std::uint64_t n_pre = 1000, n_post = 800;
    const double p = 0.1;
    const model_spec spec = two_populations(n_pre, n_post, fixed_probability(p));
    const auto syn = draw_everywhere(spec, 0, 0, 2, 2, grid_for(spec, 1, 1));
    // Total: Binomial(n_pre n_post, p), within 4 sigma.
    const double n = static_cast<double>(n_pre * n_post);
    EXPECT_NEAR(static_cast<double>(syn.size()), n * p, 4 * std::sqrt(n * p * (1 - p)));

    std::vector<double> in_degree(n_post, 0), out_degree(n_pre, 0);
    std::set<std::pair<gid_type, gid_type>> pairs;
    for (const auto& s : syn) {
        ++in_degree[std::get<1>(s) - n_pre];
        ++out_degree[std::get<0>(s)];
        pairs.insert({std::get<0>(s), std::get<1>(s)});
    }
    EXPECT_EQ(pairs.size(), syn.size()) << "Bernoulli per pair: no multapses";
    // In-degree ~ Binomial(n_pre, p): mean n_pre p, variance n_pre p (1-p).
    // Standard errors over n_post targets: sqrt(var / n_post) for the mean,
    // about var sqrt(2 / (n_post - 1)) for the variance.
    {
        const double mean = n_pre * p, var = n_pre * p * (1 - p);
        const auto s = stats(in_degree);
        EXPECT_NEAR(s.mean, mean, 4 * std::sqrt(var / n_post));
        EXPECT_NEAR(s.variance, var, 4 * var * std::sqrt(2.0 / (n_post - 1)));
    }
    // Out-degree ~ Binomial(n_post, p): every source equally likely.
    {
        const double mean = n_post * p, var = n_post * p * (1 - p);
        const auto s = stats(out_degree);
        EXPECT_NEAR(s.mean, mean, 4 * std::sqrt(var / n_pre));
        EXPECT_NEAR(s.variance, var, 4 * var * std::sqrt(2.0 / (n_pre - 1)));
    }
}

double binomial_pmf(int n, int k, double p) {
    return std::exp(std::lgamma(n + 1) - std::lgamma(k + 1) - std::lgamma(n - k + 1) +
                    k * std::log(p) + (n - k) * std::log1p(-p));
}

TEST(fixed_probability, every_source_position_equally_likely_and_independent) {
    // 5 sources, 20 000 targets: the geometric gaps must reach the first and
    // the last source with probability p, and the in-degree must follow
    // Binomial(5, p) exactly (chi-square over its 6 values).
    const std::uint64_t n_pre = 5, n_post = 20000;
    const double p = 0.3;
    const model_spec spec = two_populations(n_pre, n_post, fixed_probability(p));
    const auto syn = draw_everywhere(spec, 0, 0, 1, 1, grid_for(spec, 1, 1));
    std::vector<double> per_source(n_pre, 0);
    std::vector<int> in_degree(n_post, 0);
    for (const auto& s : syn) {
        ++per_source[std::get<0>(s)];
        ++in_degree[std::get<1>(s) - n_pre];
    }
    const double sigma = std::sqrt(n_post * p * (1 - p));
    for (std::uint64_t i = 0; i < n_pre; ++i)
        EXPECT_NEAR(per_source[i], n_post * p, 5 * sigma) << "source position " << i;
    std::vector<double> histogram(n_pre + 1, 0);
    for (const int d : in_degree)
        ++histogram[d];
    double chi2 = 0;
    for (std::uint64_t d = 0; d <= n_pre; ++d) {
        const double e = n_post * binomial_pmf(n_pre, static_cast<int>(d), p);
        chi2 += (histogram[d] - e) * (histogram[d] - e) / e;
    }
    // chi-square with 5 degrees of freedom exceeds 35 with probability 1.5e-6.
    EXPECT_LT(chi2, 35.0);
}

TEST(fixed_probability, small_p) {
    const std::uint64_t n_pre = 3000, n_post = 2000;
    const double p = 0.002;
    const model_spec spec = two_populations(n_pre, n_post, fixed_probability(p));
    const auto syn = draw_everywhere(spec, 0, 0, 1, 2, grid_for(spec, 1, 1));
    const double n = static_cast<double>(n_pre * n_post);
    EXPECT_NEAR(static_cast<double>(syn.size()), n * p, 4 * std::sqrt(n * p * (1 - p)));
}

TEST(fixed_probability, zero_and_one) {
    {
        const model_spec spec = two_populations(30, 40, fixed_probability(0.0));
        EXPECT_TRUE(draw_everywhere(spec, 0, 0, 1, 1, grid_for(spec, 1, 1)).empty());
    }
    {
        const model_spec spec = two_populations(30, 40, fixed_probability(1.0));
        EXPECT_EQ(draw_everywhere(spec, 0, 0, 1, 1, grid_for(spec, 1, 1)).size(), 1200u);
    }
    {
        const model_spec spec = two_populations(30, 40, fixed_probability(1.0, false), true);
        EXPECT_EQ(draw_everywhere(spec, 0, 0, 1, 1, grid_for(spec, 1, 1)).size(), 30u * 29u);
    }
}

TEST(fixed_probability, no_self_connections_when_disallowed) {
    const std::uint64_t n = 600;
    const double p = 0.5;
    const model_spec spec = two_populations(n, 10, fixed_probability(p, false), true);
    const auto syn = draw_everywhere(spec, 0, 0, 2, 1, grid_for(spec, 1, 1));
    for (const auto& s : syn)
        ASSERT_NE(std::get<0>(s), std::get<1>(s));
    // Bernoulli(p) over the n (n - 1) other pairs.
    const double pairs = static_cast<double>(n * (n - 1));
    EXPECT_NEAR(static_cast<double>(syn.size()), pairs * p, 4 * std::sqrt(pairs * p * (1 - p)));
    // With self connections the diagonal is drawn like any pair.
    const model_spec with_self = two_populations(n, 10, fixed_probability(p, true), true);
    std::size_t diagonal = 0;
    for (const auto& s : draw_everywhere(with_self, 0, 0, 1, 1, grid_for(spec, 1, 1)))
        diagonal += std::get<0>(s) == std::get<1>(s);
    EXPECT_NEAR(static_cast<double>(diagonal), n * p, 4 * std::sqrt(n * p * (1 - p)));
}

TEST(fixed_probability, random_weights_respect_their_bounds) {
    const model_spec spec = mixed_network();
    const auto syn = draw_serial(spec, 3);
    double sum = 0;
    for (const auto& s : syn) {
        const float w = std::bit_cast<float>(std::get<2>(s));
        EXPECT_GE(w, 0.0f);
        EXPECT_LE(w, 1.0f);
        sum += w;
    }
    // normal_clipped(0.5, 0.3, 0, 1) is symmetric about 0.5.
    EXPECT_NEAR(sum / static_cast<double>(syn.size()), 0.5, 0.05);
}

TEST(expected_synapses, per_connector) {
    const model_spec spec = mixed_network();
    EXPECT_EQ(expected_synapses(spec, 0), 25.0 * 120.0);
    EXPECT_EQ(expected_synapses(spec, 2), 37.0);
    EXPECT_DOUBLE_EQ(expected_synapses(spec, 3), 0.1 * 120 * 120);
    EXPECT_DOUBLE_EQ(expected_synapses(spec, 6), 0.25 * 60 * 37);
    EXPECT_EQ(expected_synapses(spec, 9), 6.0);
    EXPECT_EQ(expected_synapses(spec, 10), 60.0);
}

// ---------------------------------------------------------------------------
// (4) invariant 2: delays on the grid, within [min_delay, max_delay]

TEST(delay_grid, rounds_to_the_nearest_step) {
    delay_grid g;
    g.dt = 0.1;
    EXPECT_EQ(g.to_steps(0.1), 1);
    EXPECT_EQ(g.to_steps(0.3), 3) << "0.3 / 0.1 = 2.9999999999999996";
    EXPECT_EQ(g.to_steps(0.7), 7) << "0.7 / 0.1 = 6.999999999999999";
    EXPECT_EQ(g.to_steps(0.24), 2);
    EXPECT_EQ(g.to_steps(0.26), 3);
    EXPECT_EQ(g.to_steps(1.0), 10);
    EXPECT_EQ(g.to_steps(1.449), 14);
    EXPECT_EQ(g.to_steps(1.451), 15);
    EXPECT_EQ(g.to_steps(144.0), 1440);
    g.dt = 1.0;
    EXPECT_EQ(g.to_steps(1.4), 1);
    EXPECT_EQ(g.to_steps(1.6), 2);
    EXPECT_EQ(g.to_steps(16.0), 16);
    g.dt = 0.25;
    EXPECT_EQ(g.to_steps(0.3), 1);
    EXPECT_EQ(g.to_steps(0.4), 2);
}

TEST(delays, a_constant_delay_off_the_grid_is_rounded) {
    model_spec spec = two_populations(10, 10, all_to_all());
    spec.projections[0].synapse.delay = value_spec::constant(0.26);
    for (const auto& s : draw_everywhere(spec, 0, 0, 2, 1, grid_for(spec, 1, 10)))
        EXPECT_EQ(std::get<3>(s), 3u);
    spec.projections[0].synapse.delay = value_spec::constant(0.64);
    for (const auto& s : draw_everywhere(spec, 0, 0, 1, 1, grid_for(spec, 1, 10)))
        EXPECT_EQ(std::get<3>(s), 6u);
}

TEST(delays, random_delays_round_to_nearest_not_down) {
    // uniform(0.1, 2.0) ms on a 0.1 ms grid: steps 2..19 each take 0.1 ms of
    // the range, steps 1 and 20 only 0.05 ms (rounding to nearest; rounding
    // down would give step 1 a full share and step 20 none).
    model_spec spec = two_populations(200, 200, all_to_all());
    spec.projections[0].synapse.delay = uniform(0.1, 2.0);
    const auto syn = draw_everywhere(spec, 0, 0, 1, 1, grid_for(spec, 1, 20));
    std::vector<double> count(21, 0);
    for (const auto& s : syn) {
        ASSERT_GE(std::get<3>(s), 1u);
        ASSERT_LE(std::get<3>(s), 20u);
        ++count[std::get<3>(s)];
    }
    const double n = static_cast<double>(syn.size());
    for (int d = 1; d <= 20; ++d) {
        const double p = (d == 1 || d == 20 ? 0.05 : 0.1) / 1.9;
        EXPECT_NEAR(count[d], n * p, 5 * std::sqrt(n * p * (1 - p))) << "delay " << d << " steps";
    }
}

// The error a delay outside the grid's range gives: a ganglion::error that
// names the projection (its index and label).
void expect_delay_error(const model_spec& spec, std::size_t k, const delay_grid& grid) {
    for (const auto& [R, T] : splits) {
        bool thrown = false;
        for (int r = 0; r < R; ++r)
            for (int t = 0; t < T; ++t) {
                const thread_layout layout(spec, partition{R, r, T}, t);
                std::vector<pending_synapse> out;
                try {
                    draw_projection(spec, k, 0, layout, grid, compute_positions(spec), out);
                } catch (const error& e) {
                    thrown = true;
                    const std::string what = e.what();
                    EXPECT_NE(what.find("projections[" + std::to_string(k) + "]"),
                              std::string::npos)
                        << what;
                    EXPECT_NE(what.find(spec.projections[k].label), std::string::npos) << what;
                    EXPECT_NE(what.find("delay"), std::string::npos) << what;
                }
            }
        EXPECT_TRUE(thrown) << R << " x " << T;
    }
}

TEST(delays, below_min_delay_is_an_error_naming_the_projection) {
    model_spec spec = mixed_network();
    // Projection 5 ("inh->exc p") has a constant 0.1 ms delay: 1 step.
    expect_delay_error(spec, 5, grid_for(spec, 2, 20));
    // 0.14 ms rounds to 1 step, below a min_delay of 2 steps.
    spec.projections[5].synapse.delay = value_spec::constant(0.14);
    expect_delay_error(spec, 5, grid_for(spec, 2, 20));
    // 0.15 + a little rounds to 2 steps: allowed.
    spec.projections[5].synapse.delay = value_spec::constant(0.16);
    EXPECT_NO_THROW(draw_everywhere(spec, 5, 1, 1, 1, grid_for(spec, 2, 20)));
    // A delay that rounds to 0 steps is below any min_delay.
    spec.projections[5].synapse.delay = value_spec::constant(0.04);
    expect_delay_error(spec, 5, grid_for(spec, 1, 20));
}

TEST(delays, above_max_delay_is_an_error_naming_the_projection) {
    model_spec spec = mixed_network();
    spec.projections[5].synapse.delay = value_spec::constant(2.1);
    expect_delay_error(spec, 5, grid_for(spec, 1, 20));
    spec.projections[5].synapse.delay = value_spec::constant(2.04);  // rounds to 20
    EXPECT_NO_THROW(draw_everywhere(spec, 5, 1, 1, 1, grid_for(spec, 1, 20)));
    // Random delays: uniform(0.1, 2.0) reaches 20 steps, above a max of 15.
    expect_delay_error(spec, 3, grid_for(spec, 1, 15));
    // FromList rows carry their own delays (row 4 has 2.0 ms).
    expect_delay_error(spec, 9, grid_for(spec, 1, 19));
}

// ---------------------------------------------------------------------------
// (4) The counting pass: draw_what::pairs_only draws the same pairs

// What draw_projection gives a sink, in order.
struct recorder final : synapse_sink {
    std::vector<pending_synapse> got;
    void put(const pending_synapse& s) override { got.push_back(s); }
};

connector_spec counted(connector_spec::kind kind, std::uint64_t n, bool with_replacement,
                       bool self) {
    connector_spec c;
    c.k = kind;
    c.n = n;
    c.with_replacement = with_replacement;
    c.allow_self_connections = self;
    return c;
}
connector_spec by_expression(connector_spec::kind kind, const std::string& text, bool self) {
    connector_spec c;
    c.k = kind;
    c.expression = text;
    c.allow_self_connections = self;
    return c;
}

// mixed_network() (all-to-all, one-to-one, fixed probability, both kinds of
// lists), a 2D sheet, and a projection of every other connector, with and
// without replacement and self connections, onto and from views and an
// assembly, with random weights and delays and weights and delays that are
// expressions of the distance.
model_spec every_connector() {
    model_spec spec = mixed_network();
    add_population(spec, "sheet", "IF_cond_exp", 64);
    spec.populations.back().structure.k = structure_spec::kind::grid2d;
    const std::size_t sheet = spec.populations.size() - 1;
    const value_spec w_rand = normal_clipped(0.5, 0.3, 0.0, 1.0), d_rand = uniform(0.1, 2.0);
    const value_spec w_dist = of_distance("0.5 + 0.01*d"), d_dist = of_distance("0.2 + d/10");
    using kind = connector_spec::kind;
    view_spec mixed;  // an assembly: part of exc, part of inh, the sheet's corner
    mixed.parts = {part_of(0, slice(0, 120, 7)), part_of(1, slice(3, 37, 4)),
                   part_of(sheet, {0, 1, 8, 9, 63})};
    auto& P = spec.projections;
    P.push_back(projection("FNPre", whole(2), whole(0),
                           counted(kind::fixed_number_pre, 10, false, true), w_rand, d_rand));
    P.push_back(projection("FNPre repl no self", whole(0), whole(0),
                           counted(kind::fixed_number_pre, 15, true, false), w_dist, d_rand,
                           "inhibitory"));
    P.push_back(projection("FNPre views", mixed, part_of(0, slice(5, 100, 3)),
                           counted(kind::fixed_number_pre, 6, false, false), w_rand, d_dist));
    P.push_back(projection("FNPost", whole(1), whole(0),
                           counted(kind::fixed_number_post, 20, false, true), w_rand, d_rand));
    P.push_back(projection("FNPost repl no self", whole(0), whole(0),
                           counted(kind::fixed_number_post, 9, true, false), w_dist, d_rand));
    P.push_back(projection("FNPost views", mixed, mixed,
                           counted(kind::fixed_number_post, 7, false, false), w_rand, d_dist));
    P.push_back(projection("FTN repl", whole(2), whole(sheet),
                           counted(kind::fixed_total_number, 700, true, true), w_rand, d_rand));
    P.push_back(projection("FTN no repl no self", whole(0), whole(0),
                           counted(kind::fixed_total_number, 900, false, false), w_dist, d_rand));
    P.push_back(projection("DD exp", whole(0), whole(0),
                           by_expression(kind::distance_dependent, "exp(-d/3)", false), w_dist,
                           d_rand));
    P.push_back(projection("DD step sheet", whole(sheet), whole(sheet),
                           by_expression(kind::distance_dependent, "d < 2.5", true), w_rand, d_dist,
                           "inhibitory"));
    P.push_back(projection("IB window", part_of(0, slice(10, 70, 1)), whole(1),
                           by_expression(kind::index_based, "abs(i-j) <= 2", true), w_rand,
                           d_rand));
    P.push_back(projection("IB p", whole(1), mixed,
                           by_expression(kind::index_based, "0.5*(i<j)", false), w_dist, d_rand));
    P.push_back(projection("SW", whole(0), whole(0), small_world(2.1, 0.0, false), w_rand, d_rand));
    P.push_back(projection("SW rewired", whole(sheet), whole(sheet), small_world(1.5, 0.3, false),
                           w_dist, d_rand));
    P.push_back(projection("SW views", mixed, mixed, small_world(40, 0.5, false), w_rand, d_rand));
    return spec;
}

const std::vector<std::pair<int, int>> some_splits = {{1, 1}, {2, 1}, {1, 3}, {2, 2}};

// f(layout) for every thread of every rank of some_splits.
template <class F>
void for_each_thread_of_some_splits(const model_spec& spec, F&& f) {
    for (const auto& [R, T] : some_splits)
        for (int r = 0; r < R; ++r)
            for (int t = 0; t < T; ++t) {
                SCOPED_TRACE(std::to_string(R) + " x " + std::to_string(T) + ", rank " +
                             std::to_string(r) + " thread " + std::to_string(t));
                f(thread_layout(spec, partition{R, r, T}, t));
            }
}

TEST(pairs_only, draws_the_pairs_of_everything_in_the_same_order_for_every_connector) {
    const model_spec spec = every_connector();
    const delay_grid grid = grid_for(spec, 1, 200);
    const network_positions positions = compute_positions(spec);
    std::set<connector_spec::kind> kinds;
    for (std::size_t k = 0; k < spec.projections.size(); ++k) {
        const auto& proj = spec.projections[k];
        SCOPED_TRACE("projection " + proj.label);
        kinds.insert(proj.connector.k);
        const std::uint32_t rec = receptor_of(proj);
        std::size_t total = 0, nonzero_weights = 0, nonzero_delays = 0;
        for_each_thread_of_some_splits(spec, [&](const thread_layout& layout) {
            recorder all, pairs;
            const std::uint64_t n_all =
                draw_projection(spec, k, rec, layout, grid, positions, all, draw_what::everything);
            const std::uint64_t n_pairs = draw_projection(spec, k, rec, layout, grid, positions,
                                                          pairs, draw_what::pairs_only);
            EXPECT_EQ(n_all, all.got.size());
            EXPECT_EQ(n_pairs, pairs.got.size());
            ASSERT_EQ(pairs.got.size(), all.got.size());
            std::size_t wrong = 0;
            for (std::size_t i = 0; i < all.got.size(); ++i) {
                const auto& a = all.got[i];
                const auto& p = pairs.got[i];
                if (a.source != p.source || a.target_code != p.target_code) {
                    if (++wrong <= 5)
                        ADD_FAILURE()
                            << "synapse " << i << ": (" << p.source << ", " << p.target_code
                            << ") instead of (" << a.source << ", " << a.target_code << ")";
                }
                EXPECT_EQ(std::bit_cast<std::uint32_t>(p.weight), 0u) << "weight +0";
                EXPECT_EQ(p.delay, 0u);
                nonzero_weights += a.weight != 0;
                nonzero_delays += a.delay != 0;
            }
            EXPECT_EQ(wrong, 0u);
            total += all.got.size();
        });
        EXPECT_GT(total, 10u) << "the projection has synapses";
        EXPECT_GT(nonzero_weights, 0u);
        EXPECT_EQ(nonzero_delays, total) << "everything draws the delays";
    }
    EXPECT_EQ(kinds.size(), 10u) << "every connector kind";
}

// connect.hpp promises weight 0 and delay 0 from pairs_only, FromList rows
// that carry their own weights included.
TEST(pairs_only, list_rows_with_weights_give_weight_0_too) {
    const model_spec spec = mixed_network();
    const std::size_t k = 9;  // "noise->exc list", [i, j, w, d] rows
    ASSERT_TRUE(spec.projections[k].connector.rows_have_weights);
    const thread_layout layout(spec, partition{1, 0, 1}, 0);
    recorder pairs;
    draw_projection(spec, k, 0, layout, grid_for(spec, 1, 20), compute_positions(spec), pairs,
                    draw_what::pairs_only);
    ASSERT_EQ(pairs.got.size(), 6u);
    for (const auto& s : pairs.got) {
        EXPECT_EQ(std::bit_cast<std::uint32_t>(s.weight), 0u);
        EXPECT_EQ(s.delay, 0u);
    }
}

TEST(pairs_only, does_not_check_delays) {
    // With a grid the delays do not fit, everything is an error; the pairs
    // are drawn all the same.
    const model_spec spec = mixed_network();
    const network_positions positions = compute_positions(spec);
    const thread_layout layout(spec, partition{1, 0, 2}, 1);
    const std::size_t k = 3;  // fixed probability, delays uniform(0.1, 2.0)
    recorder all, failing, pairs;
    draw_projection(spec, k, 0, layout, grid_for(spec, 1, 20), positions, all);
    EXPECT_THROW(draw_projection(spec, k, 0, layout, grid_for(spec, 5, 6), positions, failing),
                 error);
    EXPECT_NO_THROW(draw_projection(spec, k, 0, layout, grid_for(spec, 5, 6), positions, pairs,
                                    draw_what::pairs_only));
    ASSERT_EQ(pairs.got.size(), all.got.size());
    ASSERT_GT(all.got.size(), 100u);
    for (std::size_t i = 0; i < all.got.size(); ++i) {
        EXPECT_EQ(pairs.got[i].source, all.got[i].source);
        EXPECT_EQ(pairs.got[i].target_code, all.got[i].target_code);
    }
}

TEST(pairs_only, counting_then_placing_builds_the_store_of_the_whole_list) {
    // What simulation does: count every projection's pairs, place every
    // synapse drawn again with its values, and get the store build() makes
    // of the list of them all.
    const model_spec spec = every_connector();
    const delay_grid grid = grid_for(spec, 1, 200);
    const network_positions positions = compute_positions(spec);
    for_each_thread_of_some_splits(spec, [&](const thread_layout& layout) {
        struct counter final : synapse_sink {
            synapse_store& store;
            explicit counter(synapse_store& s) : store(s) {}
            void put(const pending_synapse& s) override { store.count(s.source); }
        };
        struct placer final : synapse_sink {
            synapse_store& store;
            explicit placer(synapse_store& s) : store(s) {}
            void put(const pending_synapse& s) override { store.place(s); }
        };
        synapse_store placed, built;
        counter count(placed);
        placer place(placed);
        placed.start_counting(spec.total_neurons());
        for (std::size_t k = 0; k < spec.projections.size(); ++k)
            draw_projection(spec, k, receptor_of(spec.projections[k]), layout, grid, positions,
                            count, draw_what::pairs_only);
        const std::uint64_t n_local = layout.n_local();
        placed.start_placing(grid.max_steps,
                             static_cast<std::uint32_t>(n_local > 0 ? n_local - 1 : 0));
        std::vector<pending_synapse> list;
        for (std::size_t k = 0; k < spec.projections.size(); ++k) {
            const std::uint32_t rec = receptor_of(spec.projections[k]);
            draw_projection(spec, k, rec, layout, grid, positions, place);
            draw_projection(spec, k, rec, layout, grid, positions, list);
        }
        ASSERT_NO_THROW(placed.finish());
        const std::size_t n = list.size();
        built.build(spec.total_neurons(), std::move(list));
        ASSERT_EQ(placed.size(), n);
        EXPECT_EQ(placed.targets(), built.targets());
        EXPECT_EQ(placed.weights(), built.weights());
        ASSERT_EQ(placed.runs().size(), built.runs().size());
        for (std::size_t i = 0; i < placed.runs().size(); ++i) {
            const auto& a = placed.runs()[i];
            const auto& b = built.runs()[i];
            EXPECT_EQ(std::tie(a.delay, a.count, a.weight_begin),
                      std::tie(b.delay, b.count, b.weight_begin))
                << "run " << i;
        }
        for (gid_type g = 0; g < spec.total_neurons(); ++g) {
            EXPECT_EQ(placed.run_begin(g), built.run_begin(g));
            EXPECT_EQ(placed.syn_begin(g), built.syn_begin(g));
        }
    });
}

}  // namespace
}  // namespace ganglion
