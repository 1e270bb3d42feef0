// Tests for the connectors of core/connect.cpp that draw a number of
// connections or a probability per pair: FixedNumberPre, FixedNumberPost,
// FixedTotalNumber (with and without replacement), DistanceDependentProbability
// (with PyNN's Space, periodic boundaries included), IndexBasedProbability and
// SmallWorld, from and onto views (slices, index lists, random samples) and
// assemblies, with weights and delays from distributions and from
// expressions of the distance.
//
// (1) Statistics against each connector's definition. Tolerances are stated
//     next to each check, from the variance of the binomial, hypergeometric or
//     multinomial law the count follows; they are 4 to 6 standard deviations,
//     so that a correct implementation fails with probability well below
//     1e-4 per check, while the broken variants named in the comments (wrong
//     law, wrong boundary, ignored option) miss by many more.
// (2) Invariant 1: the union of the synapses every (rank, thread) draws is the
//     same, bit for bit, for every ranks x threads split.
// (3) Errors: impossible numbers without replacement and delays outside
//     [min_delay, max_delay] are ganglion::errors naming the projection.

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "core/connect.hpp"
#include "core/error.hpp"
#include "core/expression.hpp"
#include "core/layout.hpp"
#include "core/partition.hpp"
#include "core/space.hpp"
#include "core/spec.hpp"
#include "core/synapse_store.hpp"
#include "tests/unit/connector_support.hpp"

namespace ganglion {
namespace {

using test::of_distance;
using test::small_world;

// ---------------------------------------------------------------------------
// Building specs by hand

// (source gid, target gid, weight bits, delay steps, receptor): weight bits,
// so that equal means bit-identical.
using global_synapse = std::tuple<gid_type, gid_type, std::uint32_t, std::uint32_t, std::uint32_t>;
gid_type source_of(const global_synapse& s) {
    return std::get<0>(s);
}
gid_type target_of(const global_synapse& s) {
    return std::get<1>(s);
}
float weight_of(const global_synapse& s) {
    return std::bit_cast<float>(std::get<2>(s));
}
std::uint32_t delay_of(const global_synapse& s) {
    return std::get<3>(s);
}

const std::vector<std::pair<int, int>> splits = {{1, 1}, {2, 1}, {1, 2}, {4, 1}, {2, 2}, {3, 3}};

structure_spec line(double dx = 1, double x0 = 0) {
    structure_spec s;
    s.k = structure_spec::kind::line;
    s.dx = dx;
    s.x0 = x0;
    return s;
}
structure_spec grid2d(double aspect_ratio = 1, double dx = 1, double dy = 1, double x0 = 0,
                      double y0 = 0) {
    structure_spec s;
    s.k = structure_spec::kind::grid2d;
    s.aspect_ratio = aspect_ratio;
    s.dx = dx;
    s.dy = dy;
    s.x0 = x0;
    s.y0 = y0;
    return s;
}

std::size_t add_population(model_spec& spec, const std::string& name, const std::string& model,
                           std::uint64_t size, structure_spec structure = {}) {
    population_spec p;
    p.name = name;
    p.model = model;
    p.size = size;
    p.structure = structure;
    spec.populations.push_back(p);
    return spec.populations.size() - 1;
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
view_spec sample_of(std::size_t population, std::uint64_t n) {
    view_spec v;
    v.population = population;
    v.sample = n;
    return v;
}
view_spec assembly(std::vector<view_spec> parts) {
    view_spec v;
    v.parts = std::move(parts);
    return v;
}
// PyNN slice start:stop:step as an index list.
std::vector<std::uint64_t> slice(std::uint64_t start, std::uint64_t stop, std::uint64_t step) {
    std::vector<std::uint64_t> out;
    for (std::uint64_t i = start; i < stop; i += step)
        out.push_back(i);
    return out;
}

connector_spec fixed_number_pre(std::uint64_t n, bool with_replacement = false, bool self = true) {
    connector_spec c;
    c.k = connector_spec::kind::fixed_number_pre;
    c.n = n;
    c.with_replacement = with_replacement;
    c.allow_self_connections = self;
    return c;
}
connector_spec fixed_number_post(std::uint64_t n, bool with_replacement = false, bool self = true) {
    connector_spec c = fixed_number_pre(n, with_replacement, self);
    c.k = connector_spec::kind::fixed_number_post;
    return c;
}
connector_spec fixed_total_number(std::uint64_t n, bool with_replacement = true, bool self = true) {
    connector_spec c = fixed_number_pre(n, with_replacement, self);
    c.k = connector_spec::kind::fixed_total_number;
    return c;
}
connector_spec distance_dependent(const std::string& d_expression, bool self = true) {
    connector_spec c;
    c.k = connector_spec::kind::distance_dependent;
    c.expression = d_expression;
    c.allow_self_connections = self;
    return c;
}
connector_spec index_based(const std::string& index_expression, bool self = true) {
    connector_spec c = distance_dependent(index_expression, self);
    c.k = connector_spec::kind::index_based;
    return c;
}

space_spec periodic_x(double lo, double hi) {
    space_spec s;
    s.periodic[0] = std::make_pair(lo, hi);
    return s;
}

std::size_t add_projection(model_spec& spec, const std::string& label, view_spec pre,
                           view_spec post, connector_spec c,
                           value_spec weight = value_spec::constant(1.0),
                           value_spec delay = value_spec::constant(0.1),
                           const std::string& receptor = "excitatory", space_spec space = {}) {
    projection_spec p;
    p.label = label;
    p.pre = std::move(pre);
    p.post = std::move(post);
    p.connector = std::move(c);
    p.synapse.weight = std::move(weight);
    p.synapse.delay = std::move(delay);
    p.synapse.delay_given = true;
    p.receptor_type = receptor;
    p.space = space;
    spec.projections.push_back(std::move(p));
    return spec.projections.size() - 1;
}

// Two populations (or one, for projections onto itself) and one projection
// between them, with constant weight and delay unless changed.
model_spec two_populations(std::uint64_t n_pre, std::uint64_t n_post, connector_spec c,
                           bool same_population = false, structure_spec pre_structure = {},
                           structure_spec post_structure = {}) {
    model_spec spec;
    spec.simulation.dt = 0.1;
    spec.simulation.seed = 20240611;
    add_population(spec, "pre", same_population ? "IF_cond_exp" : "SpikeSourcePoisson", n_pre,
                   pre_structure);
    if (!same_population) add_population(spec, "post", "IF_cond_exp", n_post, post_structure);
    add_projection(spec, "pre->post", whole(0), whole(same_population ? 0 : 1), std::move(c));
    return spec;
}

delay_grid grid_for(const model_spec& spec, step_type min_steps, step_type max_steps) {
    delay_grid g;
    g.dt = spec.simulation.dt;
    g.min_steps = min_steps;
    g.max_steps = max_steps;
    return g;
}

std::uint32_t receptor_of(const projection_spec& p) {
    return p.receptor_type == "inhibitory" ? 1 : 0;
}

std::vector<gid_type> view_gids(const model_spec& spec, const view_spec& v) {
    std::vector<gid_type> out;
    for (std::uint64_t k = 0; k < view_size(spec, v); ++k)
        out.push_back(view_gid(spec, v, k));
    return out;
}

// Every synapse of projection k drawn by every (rank, thread) of an R x T
// partition, in global terms and sorted. Checks on the way that each thread
// got only targets it owns, within the post view, from sources in the pre
// view, with the projection's receptor, and that draw_projection counted
// what it appended.
std::vector<global_synapse> draw_all(const model_spec& spec, std::size_t k, int R, int T,
                                     const delay_grid& grid) {
    const auto& proj = spec.projections[k];
    const std::uint32_t receptor = receptor_of(proj);
    const auto pre_list = view_gids(spec, proj.pre), post_list = view_gids(spec, proj.post);
    const std::set<gid_type> pre_gids(pre_list.begin(), pre_list.end());
    const std::set<gid_type> post_gids(post_list.begin(), post_list.end());
    const network_positions positions = compute_positions(spec);
    std::vector<global_synapse> all;
    for (int r = 0; r < R; ++r)
        for (int t = 0; t < T; ++t) {
            const thread_layout layout(spec, partition{R, r, T}, t);
            std::vector<pending_synapse> out = {{7, 7, 7.0f, 7}};  // appends, keeps this
            const std::uint64_t n =
                draw_projection(spec, k, receptor, layout, grid, positions, out);
            EXPECT_EQ(n, out.size() - 1);
            for (std::size_t s = 1; s < out.size(); ++s) {
                const auto& syn = out[s];
                const std::uint32_t index = target_code::index(syn.target_code);
                EXPECT_LT(index, layout.n_local());
                const gid_type target = layout.gid_at(index);
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

std::vector<global_synapse> draw_all(const model_spec& spec, std::size_t k, int R = 1, int T = 1) {
    return draw_all(spec, k, R, T, grid_for(spec, 1, 1000));
}

// ---------------------------------------------------------------------------
// Statistics helpers

struct moments {
    double mean, variance;  // sample mean and variance (n - 1 denominator)
};
moments moments_of(const std::vector<double>& x) {
    double m = 0;
    for (const double v : x)
        m += v;
    m /= static_cast<double>(x.size());
    double s = 0;
    for (const double v : x)
        s += (v - m) * (v - m);
    return {m, s / static_cast<double>(x.size() - 1)};
}

// Per-source and per-target counts of a projection whose pre and post are
// whole populations starting at pre_first and post_first.
std::vector<double> count_by_source(const std::vector<global_synapse>& syn, gid_type pre_first,
                                    std::uint64_t n_pre) {
    std::vector<double> c(n_pre, 0);
    for (const auto& s : syn)
        ++c[source_of(s) - pre_first];
    return c;
}
std::vector<double> count_by_target(const std::vector<global_synapse>& syn, gid_type post_first,
                                    std::uint64_t n_post) {
    std::vector<double> c(n_post, 0);
    for (const auto& s : syn)
        ++c[target_of(s) - post_first];
    return c;
}

// sum_i (c_i - e)^2 / var: with every c_i of mean e and variance var, this
// has mean n (or n - 1 when the c_i sum to a fixed total and var is the
// multinomial e = N p, var = N p, as in Pearson's statistic) and, for many
// counts that are nearly normal, standard deviation about sqrt(2 n).
double chi_square(const std::vector<double>& c, double e, double var) {
    double x = 0;
    for (const double v : c)
        x += (v - e) * (v - e) / var;
    return x;
}

// The number of distinct values among n uniform draws with replacement from
// m values: mean m (1 - (1 - 1/m)^n) and variance
// m (m - 1) (1 - 2/m)^n + m (1 - 1/m)^n - m^2 (1 - 1/m)^(2n).
moments distinct_of_draws(double m, double n) {
    const double q1 = std::pow(1 - 1 / m, n), q2 = std::pow(1 - 2 / m, n);
    return {m * (1 - q1), m * (m - 1) * q2 + m * q1 - m * m * q1 * q1};
}

// Number of distinct (source, target) pairs.
std::size_t distinct_pairs(const std::vector<global_synapse>& syn) {
    std::set<std::pair<gid_type, gid_type>> pairs;
    for (const auto& s : syn)
        pairs.insert({source_of(s), target_of(s)});
    return pairs.size();
}

// The error a draw gives on every split: a ganglion::error naming the
// projection (index and label) and containing `word`.
void expect_error_on_every_split(const model_spec& spec, std::size_t k, const delay_grid& grid,
                                 const std::string& word) {
    const network_positions positions = compute_positions(spec);
    for (const auto& [R, T] : splits) {
        int thrown = 0;
        for (int r = 0; r < R; ++r)
            for (int t = 0; t < T; ++t) {
                const thread_layout layout(spec, partition{R, r, T}, t);
                std::vector<pending_synapse> out;
                try {
                    draw_projection(spec, k, 0, layout, grid, positions, out);
                } catch (const error& e) {
                    ++thrown;
                    const std::string what = e.what();
                    EXPECT_NE(what.find("projections[" + std::to_string(k) + "]"),
                              std::string::npos)
                        << what;
                    EXPECT_NE(what.find(spec.projections[k].label), std::string::npos) << what;
                    EXPECT_NE(what.find(word), std::string::npos) << what;
                } catch (const std::exception& e) {
                    ADD_FAILURE() << R << " x " << T << ": not a ganglion::error: " << e.what();
                }
            }
        EXPECT_GT(thrown, 0) << R << " x " << T << ": no error";
    }
}

// ---------------------------------------------------------------------------
// (1) FixedNumberPreConnector: exactly n sources per target

TEST(fixed_number_pre, every_target_gets_n_distinct_sources_uniformly) {
    const std::uint64_t n_pre = 200, n_post = 2000, n = 20;
    const model_spec spec = two_populations(n_pre, n_post, fixed_number_pre(n));
    const auto syn = draw_all(spec, 0, 2, 2);
    ASSERT_EQ(syn.size(), n * n_post);
    for (const double d : count_by_target(syn, n_pre, n_post))
        ASSERT_EQ(d, static_cast<double>(n)) << "in-degree";
    EXPECT_EQ(distinct_pairs(syn), syn.size()) << "without replacement: no multapses";
    // A source is among a target's n with probability p = n / n_pre,
    // independently per target: its count is Binomial(n_post, p), mean 200,
    // variance 180. The chi-square over the 200 sources has mean 200 and
    // standard deviation about sqrt(2 * 200) = 20: 6 sigma either side. (All
    // targets drawing the same sources would give ~ 200 * 2000^2 / 180.)
    const double p = static_cast<double>(n) / n_pre;
    const double x = chi_square(count_by_source(syn, 0, n_pre), n_post * p, n_post * p * (1 - p));
    EXPECT_GT(x, 200.0 - 6 * 20);
    EXPECT_LT(x, 200.0 + 6 * 20);
}

TEST(fixed_number_pre, no_self_connections_when_disallowed) {
    const std::uint64_t N = 300, n = 40;
    for (const bool replace : {false, true}) {
        SCOPED_TRACE(replace ? "with replacement" : "without replacement");
        const model_spec spec = two_populations(N, N, fixed_number_pre(n, replace, false), true);
        const auto syn = draw_all(spec, 0, 1, 2);
        ASSERT_EQ(syn.size(), n * N);
        for (const auto& s : syn)
            ASSERT_NE(source_of(s), target_of(s));
        for (const double d : count_by_target(syn, 0, N))
            ASSERT_EQ(d, static_cast<double>(n));
        // Sources uniform over the other N - 1 neurons: a source's count has
        // mean n, and variance (N - 1) p (1 - p) with p = n / (N - 1) without
        // replacement (Bernoulli(p) per other target), (N - 1) n q (1 - q)
        // with q = 1 / (N - 1) with replacement (Binomial(n, q) per other
        // target). Chi-square over the 300 sources: mean 300, sd ~ sqrt(2 *
        // 300) = 24.5; 6 sigma either side. Drawing the target itself and
        // dropping it would leave n - n/N per target (caught above).
        const double p = static_cast<double>(n) / (N - 1), q = 1.0 / (N - 1);
        const double var = replace ? (N - 1) * n * q * (1 - q) : (N - 1) * p * (1 - p);
        const double x = chi_square(count_by_source(syn, 0, N), static_cast<double>(n), var);
        EXPECT_GT(x, 300.0 - 147);
        EXPECT_LT(x, 300.0 + 147);
    }
    // n = N - 1 without replacement is every other neuron, once.
    const model_spec all = two_populations(50, 50, fixed_number_pre(49, false, false), true);
    const auto syn = draw_all(all, 0, 2, 1);
    EXPECT_EQ(syn.size(), 50u * 49u);
    EXPECT_EQ(distinct_pairs(syn), syn.size());
}

TEST(fixed_number_pre, with_replacement_has_multapses_at_the_expected_rate) {
    const std::uint64_t n_pre = 50, n_post = 3000, n = 20;
    const model_spec spec = two_populations(n_pre, n_post, fixed_number_pre(n, true));
    const auto syn = draw_all(spec, 0, 2, 1);
    ASSERT_EQ(syn.size(), n * n_post);
    for (const double d : count_by_target(syn, n_pre, n_post))
        ASSERT_EQ(d, static_cast<double>(n));
    // Per target, the distinct sources among 20 draws from 50: mean 16.62,
    // variance ~1.9 (distinct_of_draws); over 3000 independent targets within
    // 5 sigma. Without replacement it would be 20 per target, +10 sigma.
    const moments one = distinct_of_draws(n_pre, n);
    EXPECT_NEAR(static_cast<double>(distinct_pairs(syn)), n_post * one.mean,
                5 * std::sqrt(n_post * one.variance));
    // Every draw uniform over the 50 sources: the 60000 draws are
    // multinomial, Pearson's chi-square has 49 degrees of freedom (mean 49,
    // sd 9.9); P(chi2_49 > 110) and P(chi2_49 < 15) are both below 1e-6.
    const double e = static_cast<double>(n * n_post) / n_pre;
    const double x = chi_square(count_by_source(syn, 0, n_pre), e, e);
    EXPECT_GT(x, 15.0);
    EXPECT_LT(x, 110.0);
}

// ---------------------------------------------------------------------------
// FixedNumberPostConnector: exactly n targets per source, over all threads

TEST(fixed_number_post, every_source_gets_n_distinct_targets_over_all_threads) {
    const std::uint64_t n_pre = 400, n_post = 300, n = 25;
    const model_spec spec = two_populations(n_pre, n_post, fixed_number_post(n));
    // The targets of one source are spread over the 9 threads of 3 x 3.
    const auto syn = draw_all(spec, 0, 3, 3);
    ASSERT_EQ(syn.size(), n * n_pre);
    for (const double d : count_by_source(syn, 0, n_pre))
        ASSERT_EQ(d, static_cast<double>(n)) << "out-degree";
    EXPECT_EQ(distinct_pairs(syn), syn.size()) << "without replacement: no multapses";
    // A target's count is Binomial(n_pre, n / n_post): mean 33.3; chi-square
    // over 300 targets: mean 300, sd ~24.5; 6 sigma either side.
    const double p = static_cast<double>(n) / n_post;
    const double x =
        chi_square(count_by_target(syn, n_pre, n_post), n_pre * p, n_pre * p * (1 - p));
    EXPECT_GT(x, 300.0 - 6 * 24.5);
    EXPECT_LT(x, 300.0 + 6 * 24.5);
}

TEST(fixed_number_post, with_replacement_and_without_self_connections) {
    const std::uint64_t N = 600, n = 30;
    const model_spec spec = two_populations(N, N, fixed_number_post(n, true, false), true);
    const auto syn = draw_all(spec, 0, 2, 2);
    ASSERT_EQ(syn.size(), n * N);
    for (const double d : count_by_source(syn, 0, N))
        ASSERT_EQ(d, static_cast<double>(n));
    for (const auto& s : syn)
        ASSERT_NE(source_of(s), target_of(s));
    // Distinct targets per source among 30 draws from 599: mean 29.28;
    // 600 sources, 5 sigma. (Without replacement: 30, about +20 sigma.)
    const moments one = distinct_of_draws(N - 1, n);
    EXPECT_NEAR(static_cast<double>(distinct_pairs(syn)), N * one.mean,
                5 * std::sqrt(N * one.variance));
    EXPECT_LT(distinct_pairs(syn), syn.size()) << "some multapses";
    // Without replacement, n = N - 1: every other neuron once.
    const model_spec all = two_populations(40, 40, fixed_number_post(39, false, false), true);
    const auto every = draw_all(all, 0, 1, 2);
    EXPECT_EQ(every.size(), 40u * 39u);
    EXPECT_EQ(distinct_pairs(every), every.size());
}

// ---------------------------------------------------------------------------
// FixedTotalNumberConnector: exactly n in all

TEST(fixed_total_number, with_replacement_counts_are_multinomial) {
    const std::uint64_t n_pre = 100, n_post = 500, n = 30000;
    const model_spec spec = two_populations(n_pre, n_post, fixed_total_number(n, true));
    const auto syn = draw_all(spec, 0, 2, 2);
    ASSERT_EQ(syn.size(), n);
    // Each connection is a pair drawn uniformly from the 50000: the
    // per-target counts are multinomial(n, 1/500 each), a count has mean 60
    // and variance n p (1 - p) = 59.88, and the sample variance over the 500
    // targets (whose mean is exactly 60) has expectation n p (1 - p) * 500 /
    // 499 = 60 and sd ~ 60 sqrt(2 / 499) = 3.8: within 5 sigma, 19. Without
    // replacement (hypergeometric, 23.95) or equal counts (0) are far out.
    const auto by_target = count_by_target(syn, n_pre, n_post);
    const moments m = moments_of(by_target);
    EXPECT_DOUBLE_EQ(m.mean, 60.0);
    const double p = 1.0 / n_post;
    const double expect_var = n * p * (1 - p) * n_post / (n_post - 1);
    EXPECT_NEAR(m.variance, expect_var, 5 * expect_var * std::sqrt(2.0 / (n_post - 1)));
    // Sources uniform too: multinomial over 100 sources, Pearson's chi-square
    // with 99 degrees of freedom (mean 99, sd 14): 6 sigma either side.
    const double e = static_cast<double>(n) / n_pre;
    const double x = chi_square(count_by_source(syn, 0, n_pre), e, e);
    EXPECT_GT(x, 99.0 - 6 * 14);
    EXPECT_LT(x, 99.0 + 6 * 14);
    // Multapses: given its count c, a target's distinct sources follow
    // distinct_of_draws(100, c); summed over targets, within 5 sigma.
    double mean = 0, var = 0;
    for (const double c : by_target) {
        const moments one = distinct_of_draws(n_pre, c);
        mean += one.mean;
        var += one.variance;
    }
    EXPECT_NEAR(static_cast<double>(distinct_pairs(syn)), mean, 5 * std::sqrt(var));
}

TEST(fixed_total_number, without_replacement_counts_are_hypergeometric) {
    const std::uint64_t n_pre = 100, n_post = 500, n = 30000;
    const model_spec spec = two_populations(n_pre, n_post, fixed_total_number(n, false));
    const auto syn = draw_all(spec, 0, 1, 2);
    ASSERT_EQ(syn.size(), n);
    EXPECT_EQ(distinct_pairs(syn), n) << "without replacement: n distinct pairs";
    // n of the T = 50000 pairs, each n-subset equally likely: a target's
    // count is hypergeometric(T, 100, n), variance n p (1 - p) (T - n) / (T -
    // 1) = 23.95 with p = 1/500; the sample variance over the targets has
    // expectation that * 500 / 499 and sd ~ 23.95 sqrt(2 / 499) = 1.5: 5
    // sigma, 7.6. (The multinomial's 60 is 24 sigma away.)
    const auto by_target = count_by_target(syn, n_pre, n_post);
    const moments m = moments_of(by_target);
    EXPECT_DOUBLE_EQ(m.mean, 60.0);
    const double T = static_cast<double>(n_pre * n_post), p = 1.0 / n_post;
    const double var = n * p * (1 - p) * (T - n) / (T - 1);
    const double expect_var = var * n_post / (n_post - 1);
    EXPECT_NEAR(m.variance, expect_var, 5 * expect_var * std::sqrt(2.0 / (n_post - 1)));
    for (const double c : by_target)
        ASSERT_LE(c, static_cast<double>(n_pre));
    // A source's count is hypergeometric(T, 500, n) by symmetry: mean 300,
    // variance 118.8; chi-square over the 100 sources, mean 100, sd ~14.
    const double q = 1.0 / n_pre;
    const double x =
        chi_square(count_by_source(syn, 0, n_pre), n * q, n * q * (1 - q) * (T - n) / (T - 1));
    EXPECT_GT(x, 100.0 - 6 * 14);
    EXPECT_LT(x, 100.0 + 6 * 14);
}

TEST(fixed_total_number, without_self_connections) {
    const std::uint64_t N = 200;
    for (const bool replace : {true, false}) {
        SCOPED_TRACE(replace ? "with replacement" : "without replacement");
        const model_spec spec =
            two_populations(N, N, fixed_total_number(5000, replace, false), true);
        const auto syn = draw_all(spec, 0, 2, 1);
        ASSERT_EQ(syn.size(), 5000u);
        for (const auto& s : syn)
            ASSERT_NE(source_of(s), target_of(s));
        if (!replace) {
            EXPECT_EQ(distinct_pairs(syn), 5000u);
        }
    }
    // Every possible pair, without replacement: the complete graph less the diagonal.
    const model_spec all = two_populations(30, 30, fixed_total_number(30 * 29, false, false), true);
    const auto syn = draw_all(all, 0, 2, 2);
    EXPECT_EQ(syn.size(), 30u * 29u);
    EXPECT_EQ(distinct_pairs(syn), syn.size());
}

TEST(fixed_total_number, onto_views_and_small_n) {
    // Post is a view; n smaller than the number of targets: most get none.
    model_spec spec;
    add_population(spec, "ext", "SpikeSourcePoisson", 70);
    add_population(spec, "exc", "IF_curr_exp", 300);
    add_projection(spec, "ext[::3] -> exc[[...]]", part_of(0, slice(0, 70, 3)),
                   part_of(1, {299, 0, 150, 7, 8, 9, 200, 42}), fixed_total_number(5, false));
    for (const auto& [R, T] : splits)
        EXPECT_EQ(draw_all(spec, 0, R, T).size(), 5u) << R << " x " << T;
}

// Distance bins of Bernoulli pairs: bin -> (connected, sum p, sum p (1 - p)).
using distance_bins = std::map<int, std::array<double, 3>>;

// Each bin's count within 5 sigma of its mean (Poisson binomial: mean sum
// p, variance sum p (1 - p)); a bin of certain pairs (variance 0) exactly.
// The far bins, where the normal approximation fails (a mean of 0.02 is
// exceeded by one connection with probability 2%), are pooled from the top
// until the pool's mean reaches 25 (Poisson(25) exceeds 5 sigma with
// probability below 1e-5).
void expect_bins_match(distance_bins bins) {
    std::array<double, 3> tail{0, 0, 0};
    while (!bins.empty() && tail[1] < 25) {
        const auto last = std::prev(bins.end());
        for (int k = 0; k < 3; ++k)
            tail[k] += last->second[k];
        bins.erase(last);
    }
    bins[1000] = tail;
    for (const auto& [bin, b] : bins) {
        if (b[2] == 0)
            EXPECT_EQ(b[0], b[1]) << "bin " << bin;
        else
            EXPECT_NEAR(b[0], b[1], 5 * std::sqrt(b[2]))
                << "bin " << bin << " (1000: the far pool)";
    }
}

// ---------------------------------------------------------------------------
// DistanceDependentProbabilityConnector

TEST(distance_dependent, frequency_in_distance_bins_follows_the_expression) {
    // 20 x 20 grid onto itself: 160 000 pairs, distances 0 .. 26.9.
    model_spec spec = two_populations(400, 400, distance_dependent("exp(-d/3)"), true, grid2d());
    const auto syn = draw_all(spec, 0, 2, 1);
    EXPECT_EQ(distinct_pairs(syn), syn.size());
    const auto pos = compute_positions(spec)[0];
    std::set<std::pair<gid_type, gid_type>> connected;
    for (const auto& s : syn)
        connected.insert({source_of(s), target_of(s)});
    // Bins of width 1 in d. Within a bin the pairs are independent Bernoulli
    // trials with p = exp(-d/3) (Poisson binomial): mean sum p, variance sum
    // p (1 - p); 5 sigma per bin (expect_bins_match). Bin 0 holds only d = 0
    // (p = 1), which must all connect. exp(-d/2) or exp(-dx/3) would miss the middle
    // bins by tens of sigma.
    distance_bins bins;  // observed, mean, variance
    for (gid_type i = 0; i < 400; ++i)
        for (gid_type j = 0; j < 400; ++j) {
            const double d = distance(space_spec{}, pos[i], pos[j]).d;
            const double p = std::exp(-d / 3);
            auto& b = bins[static_cast<int>(d)];
            b[0] += connected.count({i, j});
            b[1] += p;
            b[2] += p * (1 - p);
        }
    expect_bins_match(bins);
    EXPECT_EQ(bins[0][0], 400.0) << "self pairs at d = 0 have p = 1";
}

TEST(distance_dependent, step_expression_gives_exactly_the_pairs_within) {
    // 15 x 15 unit grid: d = 5 occurs (dx = 3, dy = 4) and must not connect.
    for (const bool self : {true, false}) {
        const model_spec spec =
            two_populations(225, 225, distance_dependent("d < 5", self), true, grid2d());
        const auto pos = compute_positions(spec)[0];
        std::vector<global_synapse> expect;
        for (gid_type i = 0; i < 225; ++i)
            for (gid_type j = 0; j < 225; ++j) {
                const double dx = pos[i][0] - pos[j][0], dy = pos[i][1] - pos[j][1];
                if (dx * dx + dy * dy < 25 && (self || i != j))
                    expect.emplace_back(i, j, std::bit_cast<std::uint32_t>(1.0f), 1, 0);
            }
        std::sort(expect.begin(), expect.end());
        EXPECT_EQ(draw_all(spec, 0, 2, 2), expect) << (self ? "with self" : "without self");
    }
}

TEST(distance_dependent, periodic_boundaries_wrap) {
    // A ring of 100 on a Line with dx = 1, periodic [0, 100): "d < 3"
    // connects exactly the pairs within 2 steps around the ring, so 0 and 99
    // are neighbours; without the periodic boundary they are 99 apart.
    model_spec spec = two_populations(100, 100, distance_dependent("d < 3", false), true, line());
    spec.projections[0].space = periodic_x(0, 100);
    std::vector<global_synapse> expect;
    for (gid_type i = 0; i < 100; ++i)
        for (gid_type j = 0; j < 100; ++j) {
            const gid_type a = std::max(i, j) - std::min(i, j);
            if (i != j && std::min(a, 100 - a) < 3)
                expect.emplace_back(i, j, std::bit_cast<std::uint32_t>(1.0f), 1, 0);
        }
    std::sort(expect.begin(), expect.end());
    const auto syn = draw_all(spec, 0, 1, 2);
    EXPECT_EQ(syn, expect);
    EXPECT_TRUE(std::binary_search(
        syn.begin(), syn.end(), global_synapse{99, 0, std::bit_cast<std::uint32_t>(1.0f), 1, 0}));
    spec.projections[0].space = space_spec{};
    EXPECT_EQ(draw_all(spec, 0).size(), 2u * (99 + 98)) << "open line: no wrap";
}

TEST(distance_dependent, periodic_grid_frequency_across_the_edges) {
    // A 30 x 30 torus with exp(-d/2): pairs whose open distance exceeds 20
    // but whose wrapped distance is small connect at exp(-d_wrapped/2).
    model_spec spec = two_populations(900, 900, distance_dependent("exp(-d/2)"), true, grid2d());
    space_spec torus;
    torus.periodic[0] = std::make_pair(0.0, 30.0);
    torus.periodic[1] = std::make_pair(0.0, 30.0);
    spec.projections[0].space = torus;
    const auto syn = draw_all(spec, 0, 2, 2);
    const auto pos = compute_positions(spec)[0];
    std::set<std::pair<gid_type, gid_type>> connected;
    for (const auto& s : syn)
        connected.insert({source_of(s), target_of(s)});
    // Wrapped distance by hand, bins of width 1 as above (5 sigma each), and
    // the pairs across an edge (open distance > 20) as one more bin.
    distance_bins bins;
    std::array<double, 3> across{0, 0, 0};
    for (gid_type i = 0; i < 900; ++i)
        for (gid_type j = 0; j < 900; ++j) {
            double w2 = 0, open2 = 0;
            for (int a = 0; a < 2; ++a) {
                const double r = std::abs(pos[i][a] - pos[j][a]);
                open2 += r * r;
                w2 += std::min(r, 30 - r) * std::min(r, 30 - r);
            }
            const double p = std::exp(-std::sqrt(w2) / 2);
            const double got = connected.count({i, j});
            for (auto* b : {&bins[static_cast<int>(std::sqrt(w2))], &across}) {
                if (b == &across && open2 <= 400) continue;
                (*b)[0] += got;
                (*b)[1] += p;
                (*b)[2] += p * (1 - p);
            }
        }
    expect_bins_match(bins);
    // About 3400 expected across the edges; an open space would give ~0.
    EXPECT_GT(across[1], 3000.0);
    EXPECT_NEAR(across[0], across[1], 5 * std::sqrt(across[2]));
}

TEST(distance_dependent, only_the_space_axes_count) {
    // Space(axes="x") on a 12 x 12 grid: d = |x_i - x_j| whatever y.
    model_spec spec = two_populations(144, 144, distance_dependent("d < 1.5"), true, grid2d());
    spec.projections[0].space.axes = {true, false, false};
    const auto pos = compute_positions(spec)[0];
    std::vector<global_synapse> expect;
    for (gid_type i = 0; i < 144; ++i)
        for (gid_type j = 0; j < 144; ++j)
            if (std::abs(pos[i][0] - pos[j][0]) < 1.5)
                expect.emplace_back(i, j, std::bit_cast<std::uint32_t>(1.0f), 1, 0);
    std::sort(expect.begin(), expect.end());
    EXPECT_EQ(draw_all(spec, 0, 2, 1), expect);
}

// ---------------------------------------------------------------------------
// IndexBasedProbabilityConnector: i and j are positions in the views

TEST(index_based, a_window_gives_exactly_those_pairs) {
    model_spec spec;
    add_population(spec, "a", "IF_curr_exp", 100);
    add_population(spec, "b", "IF_curr_exp", 100);
    const view_spec pre = part_of(0, slice(10, 70, 1));   // a[10:70]
    const view_spec post = part_of(1, slice(0, 100, 2));  // b[::2]
    add_projection(spec, "a[10:70] -> b[::2]", pre, post, index_based("abs(i-j) <= 2"));
    std::vector<global_synapse> expect;
    for (std::uint64_t i = 0; i < 60; ++i)
        for (std::uint64_t j = 0; j < 50; ++j)
            if (std::max(i, j) - std::min(i, j) <= 2)
                expect.emplace_back(view_gid(spec, pre, i), view_gid(spec, post, j),
                                    std::bit_cast<std::uint32_t>(1.0f), 1, 0);
    std::sort(expect.begin(), expect.end());
    EXPECT_EQ(expect.size(), 3u + 4u + 5u * 48u);
    for (const auto& [R, T] : splits)
        EXPECT_EQ(draw_all(spec, 0, R, T), expect) << R << " x " << T;
}

TEST(index_based, probability_above_the_diagonal) {
    const std::uint64_t N = 300;
    const model_spec spec = two_populations(N, N, index_based("0.5*(i<j)"));
    const auto syn = draw_all(spec, 0, 2, 2);
    for (const auto& s : syn)
        ASSERT_LT(source_of(s), target_of(s) - N) << "p = 0 for i >= j";
    // Bernoulli(1/2) over the N (N - 1) / 2 pairs with i < j: 5 sigma.
    const double pairs = N * (N - 1) / 2.0;
    EXPECT_NEAR(static_cast<double>(syn.size()), pairs / 2, 5 * std::sqrt(pairs / 4));
    // And per row j: Binomial(j, 1/2); chi-square over the 299 rows with
    // j >= 1 (mean 299, sd ~24.5), 6 sigma.
    const auto by_target = count_by_target(syn, N, N);
    double x = 0;
    for (std::uint64_t j = 1; j < N; ++j)
        x += (by_target[j] - j / 2.0) * (by_target[j] - j / 2.0) / (j / 4.0);
    EXPECT_GT(x, 299.0 - 6 * 24.5);
    EXPECT_LT(x, 299.0 + 6 * 24.5);
}

// ---------------------------------------------------------------------------
// SmallWorldConnector

TEST(small_world, without_rewiring_exactly_the_pairs_within_degree) {
    // 20 x 20 unit grid; degree 2.5 (no distance equals it on the grid).
    for (const bool self : {true, false}) {
        const model_spec spec =
            two_populations(400, 400, small_world(2.5, 0.0, self), true, grid2d());
        const auto pos = compute_positions(spec)[0];
        std::vector<global_synapse> expect;
        for (gid_type i = 0; i < 400; ++i)
            for (gid_type j = 0; j < 400; ++j) {
                const double dx = pos[i][0] - pos[j][0], dy = pos[i][1] - pos[j][1];
                if (dx * dx + dy * dy <= 6.25 && (self || i != j))
                    expect.emplace_back(i, j, std::bit_cast<std::uint32_t>(1.0f), 1, 0);
            }
        std::sort(expect.begin(), expect.end());
        EXPECT_EQ(draw_all(spec, 0, 1, 2), expect) << (self ? "with self" : "without self");
    }
}

TEST(small_world, rewired_fraction) {
    // A line of 1000, degree 5.5: target t has w_t sources within the degree
    // (10 inside the line, fewer at its ends), none of them itself. Each such
    // connection is kept, or with probability r rewired to a source drawn
    // uniformly from the other 999, which lands beyond the degree with
    // probability 1 - w_t / 999. So the count beyond the degree is a sum of
    // Bernoulli(r (1 - w_t / 999)): 5 sigma. The total is exact.
    const std::uint64_t N = 1000;
    const double r = 0.3;
    const model_spec spec = two_populations(N, N, small_world(5.5, r, false), true, line());
    const auto syn = draw_all(spec, 0, 2, 2);
    double total = 0, mean = 0, var = 0;
    for (std::uint64_t t = 0; t < N; ++t) {
        const double w = static_cast<double>(std::min<std::uint64_t>(t, 5) +
                                             std::min<std::uint64_t>(N - 1 - t, 5));
        const double q = r * (1 - w / (N - 1));
        total += w;
        mean += w * q;
        var += w * q * (1 - q);
    }
    EXPECT_EQ(static_cast<double>(syn.size()), total) << "one connection per local pair";
    double beyond = 0;
    for (const auto& s : syn) {
        ASSERT_NE(source_of(s), target_of(s));
        const gid_type a =
            std::max(source_of(s), target_of(s)) - std::min(source_of(s), target_of(s));
        beyond += a > 5;
    }
    EXPECT_NEAR(beyond, mean, 5 * std::sqrt(var));
    // The rewired sources are uniform: the connections beyond the degree
    // whose source lies in each tenth of the line. Target t sends one there
    // with probability r n_b(t) / 999 per local pair, n_b(t) the sources of
    // tenth b beyond its degree; Pearson's chi-square over the 10 tenths
    // (about 9 degrees of freedom) exceeds 40 with probability below 1e-5.
    // Rewiring to nearby sources only would pile them up in a few tenths.
    std::vector<double> observed(10, 0), expected(10, 0);
    for (const auto& s : syn) {
        const gid_type a =
            std::max(source_of(s), target_of(s)) - std::min(source_of(s), target_of(s));
        if (a > 5) ++observed[source_of(s) / 100];
    }
    for (std::uint64_t t = 0; t < N; ++t) {
        const double w = static_cast<double>(std::min<std::uint64_t>(t, 5) +
                                             std::min<std::uint64_t>(N - 1 - t, 5));
        for (std::uint64_t b = 0; b < 10; ++b) {
            double n_b = 0;
            for (std::uint64_t s = 100 * b; s < 100 * (b + 1); ++s)
                n_b += std::max(s, t) - std::min(s, t) > 5;
            expected[b] += w * r * n_b / (N - 1);
        }
    }
    double x = 0;
    for (int b = 0; b < 10; ++b)
        x += (observed[b] - expected[b]) * (observed[b] - expected[b]) / expected[b];
    EXPECT_LT(x, 40.0);
}

TEST(small_world, degree_is_a_strict_bound_as_in_pynn) {
    // PyNN's SmallWorldConnector keeps d_expression = "d < degree"
    // (pyNN/connectors.py): on a unit line with degree 2, only the nearest
    // neighbours (d = 1) are within the degree, not d = 2.
    const model_spec spec = two_populations(50, 50, small_world(2.0, 0.0, false), true, line());
    for (const auto& s : draw_all(spec, 0))
        EXPECT_LT(std::max(source_of(s), target_of(s)) - std::min(source_of(s), target_of(s)), 2u)
            << source_of(s) << " -> " << target_of(s);
}

// ---------------------------------------------------------------------------
// Weights and delays

// Mean and variance of n weights against the law's, within 5 sigma: the
// sample mean has variance var / n, the sample variance about (mu4 - var^2)
// / n, with mu4 = (3 + excess kurtosis) var^2.
void expect_moments(const std::vector<global_synapse>& syn, double mean, double var,
                    double excess_kurtosis) {
    std::vector<double> w;
    for (const auto& s : syn) {
        ASSERT_GE(weight_of(s), 0.0f);
        w.push_back(weight_of(s));
    }
    const double n = static_cast<double>(w.size());
    const moments m = moments_of(w);
    EXPECT_NEAR(m.mean, mean, 5 * std::sqrt(var / n));
    EXPECT_NEAR(m.variance, var, 5 * var * std::sqrt((2 + excess_kurtosis) / n));
}

TEST(weights, from_distributions_have_their_mean_and_variance) {
    // 40 000 synapses per law (FixedNumberPre, 200 targets x 200 sources).
    model_spec spec = two_populations(300, 200, fixed_number_pre(200));
    auto& w = spec.projections[0].synapse.weight;
    {
        // lognormal(mu, sigma): mean exp(mu + s^2/2), variance (exp(s^2) - 1)
        // exp(2 mu + s^2), excess kurtosis e^{4s^2} + 2 e^{3s^2} + 3 e^{2s^2} - 6.
        SCOPED_TRACE("lognormal");
        const double mu = -1, s2 = 0.25;
        w = value_spec::lognormal(mu, std::sqrt(s2));
        expect_moments(draw_all(spec, 0, 2, 1), std::exp(mu + s2 / 2),
                       std::expm1(s2) * std::exp(2 * mu + s2),
                       std::exp(4 * s2) + 2 * std::exp(3 * s2) + 3 * std::exp(2 * s2) - 6);
    }
    {
        // exponential(beta): mean beta, variance beta^2, excess kurtosis 6.
        SCOPED_TRACE("exponential");
        w = value_spec::exponential(0.3);
        expect_moments(draw_all(spec, 0, 1, 2), 0.3, 0.09, 6);
    }
    for (const double k : {2.5, 0.5}) {
        // gamma(k, theta): mean k theta, variance k theta^2, excess kurtosis 6 / k.
        SCOPED_TRACE("gamma k = " + std::to_string(k));
        w = value_spec::gamma(k, 0.2);
        expect_moments(draw_all(spec, 0, 2, 2), k * 0.2, k * 0.04, 6 / k);
    }
}

// A 10 x 10 grid of sources and one offset by (0.5, 0.25) of targets, so
// that distances are many different non-integers, 0.56 .. 13.26.
model_spec grids_with_distance_synapses(const std::string& delay) {
    model_spec spec = two_populations(100, 100, fixed_number_pre(30), false, grid2d(),
                                      grid2d(1, 1, 1, 0.5, 0.25));
    spec.projections[0].synapse.weight = of_distance("0.5 + 0.01*d");
    spec.projections[0].synapse.delay = of_distance(delay);
    return spec;
}

TEST(weights_and_delays, expressions_of_distance_are_exact_per_synapse) {
    // Delays 1 + d / 0.35 ms: 2.6 .. 38.9 ms, on a 0.1 ms grid of [1, 40] ms.
    for (const bool periodic : {false, true}) {
        SCOPED_TRACE(periodic ? "periodic x" : "open space");
        model_spec spec = grids_with_distance_synapses("1 + d/0.35");
        if (periodic) spec.projections[0].space = periodic_x(0, 10);
        const auto pos = compute_positions(spec);
        const auto syn = draw_all(spec, 0, 2, 2, grid_for(spec, 10, 400));
        ASSERT_EQ(syn.size(), 3000u);
        std::set<std::uint32_t> weights;
        for (const auto& s : syn) {
            const auto& a = pos[0][source_of(s)];
            const auto& b = pos[1][target_of(s) - 100];
            const double d = distance(spec.projections[0].space, a, b).d;
            if (!periodic) {
                const double dx = a[0] - b[0], dy = a[1] - b[1];
                ASSERT_EQ(d, std::sqrt(dx * dx + dy * dy));
            }
            ASSERT_EQ(weight_of(s), static_cast<float>(0.5 + 0.01 * d)) << "d = " << d;
            const double delay_ms = 1 + d / 0.35;
            ASSERT_EQ(delay_of(s), static_cast<std::uint32_t>(std::llround(delay_ms / 0.1)))
                << "d = " << d;
            ASSERT_GE(delay_of(s), 10u);
            ASSERT_LE(delay_of(s), 400u);
            weights.insert(std::get<2>(s));
        }
        EXPECT_GT(weights.size(), 20u) << "weights vary with the distance";
    }
}

TEST(weights_and_delays, random_delays_are_on_the_grid_within_bounds) {
    // gamma(4, 0.5) ms delays clipped by nothing: with max_delay 100 ms the
    // chance of a draw above it is nil; all rounded to whole steps of 0.25 ms.
    model_spec spec = two_populations(100, 100, fixed_number_pre(50));
    spec.simulation.dt = 0.25;
    spec.projections[0].synapse.delay = value_spec::gamma(4, 0.5);
    const auto syn = draw_all(spec, 0, 2, 1, grid_for(spec, 0, 400));
    std::vector<double> steps;
    for (const auto& s : syn) {
        ASSERT_LE(delay_of(s), 400u);
        steps.push_back(delay_of(s));
    }
    // Mean 2 ms = 8 steps; rounding adds variance 1/12 step^2 and no bias
    // (beyond the density's slope, negligible); sd of the mean of 5000 draws
    // sqrt((16 + 1/12) / 5000) = 0.057 steps: 5 sigma.
    EXPECT_NEAR(moments_of(steps).mean, 8.0, 5 * 0.057);
}

// ---------------------------------------------------------------------------
// Views and assemblies

TEST(views, samples_are_resolved_to_distinct_sorted_indices) {
    model_spec spec;
    add_population(spec, "exc", "IF_curr_exp", 50);
    add_population(spec, "inh", "IF_curr_exp", 20);
    // 1000 projections, each from a sample of 10 of exc onto a sample of 5 of inh.
    for (int k = 0; k < 1000; ++k)
        add_projection(spec, std::string("p").append(std::to_string(k)), sample_of(0, 10),
                       sample_of(1, 5), fixed_number_pre(1));
    model_spec a = spec;
    resolve_views(a);
    std::vector<double> count(50, 0);
    std::set<std::vector<std::uint64_t>> different;
    for (const auto& p : a.projections) {
        ASSERT_FALSE(p.pre.sample);
        ASSERT_TRUE(p.pre.indices);
        const auto& ix = *p.pre.indices;
        ASSERT_EQ(ix.size(), 10u);
        ASSERT_TRUE(std::is_sorted(ix.begin(), ix.end()));
        ASSERT_EQ(std::adjacent_find(ix.begin(), ix.end()), ix.end()) << "distinct";
        ASSERT_LT(ix.back(), 50u);
        ASSERT_EQ(p.post.indices->size(), 5u);
        for (const auto i : ix)
            ++count[i];
        different.insert(ix);
    }
    EXPECT_GT(different.size(), 990u) << "each view has its own stream";
    // Each index is in a sample with probability 10/50: count ~ Binomial(1000,
    // 0.2), mean 200, variance 160; chi-square over the 50 indices (their sum
    // is fixed: about 49 degrees of freedom, sd 9.9), in [10, 110].
    const double x = chi_square(count, 200, 160);
    EXPECT_GT(x, 10.0);
    EXPECT_LT(x, 110.0);
    // The same seed resolves to the same indices; another seed does not.
    model_spec b = spec;
    resolve_views(b);
    EXPECT_EQ(*b.projections[17].pre.indices, *a.projections[17].pre.indices);
    model_spec c = spec;
    c.simulation.seed += 1;
    resolve_views(c);
    int same = 0;
    for (std::size_t k = 0; k < 1000; ++k)
        same += *c.projections[k].pre.indices == *a.projections[k].pre.indices;
    EXPECT_LT(same, 5);
}

TEST(views, fixed_number_pre_between_assemblies) {
    model_spec spec;
    add_population(spec, "exc", "IF_cond_exp", 120);
    add_population(spec, "inh", "IF_cond_exp", 30);
    add_population(spec, "ext", "SpikeSourcePoisson", 40);
    // Pre: exc[0:100:2] + a sample of 15 ext + inh[[3, 1, 4, 15]]; post:
    // inh[::3] + exc[[5, 17, 99, 3, 64]]. No self connections: exc 64 is in
    // both.
    add_projection(
        spec, "assembly -> assembly",
        assembly({part_of(0, slice(0, 100, 2)), sample_of(2, 15), part_of(1, {3, 1, 4, 15})}),
        assembly({part_of(1, slice(0, 30, 3)), part_of(0, {5, 17, 99, 3, 64})}),
        fixed_number_pre(12, false, false), value_spec::exponential(0.2), value_spec::constant(1.0),
        "inhibitory");
    resolve_views(spec);
    const auto& proj = spec.projections[0];
    const auto pre = view_gids(spec, proj.pre), post = view_gids(spec, proj.post);
    ASSERT_EQ(pre.size(), 50u + 15u + 4u);
    ASSERT_EQ(post.size(), 10u + 5u);
    const auto syn = draw_all(spec, 0, 3, 3);
    EXPECT_EQ(syn.size(), 12u * 15u);
    std::map<gid_type, std::set<gid_type>> sources;
    for (const auto& s : syn) {
        EXPECT_NE(source_of(s), target_of(s));
        EXPECT_EQ(std::get<4>(s), 1u);
        sources[target_of(s)].insert(source_of(s));
    }
    ASSERT_EQ(sources.size(), 15u);
    for (const auto& [t, from] : sources)
        EXPECT_EQ(from.size(), 12u) << "target " << t << ": 12 distinct sources";
}

TEST(views, no_self_connections_through_overlapping_assembly_parts) {
    // An assembly of two overlapping views of one population: exc[0:20] +
    // exc[10:30] onto exc[10:20]. Each target appears twice in the pre
    // assembly; with allow_self_connections false neither occurrence may be
    // its source.
    model_spec spec;
    add_population(spec, "exc", "IF_curr_exp", 40);
    const view_spec pre = assembly({part_of(0, slice(0, 20, 1)), part_of(0, slice(10, 30, 1))});
    const view_spec post = part_of(0, slice(10, 20, 1));
    add_projection(spec, "pre", pre, post, fixed_number_pre(30, true, false));
    add_projection(spec, "total", pre, post, fixed_total_number(3000, true, false));
    add_projection(spec, "post", post, pre, fixed_number_post(30, true, false));
    add_projection(spec, "small world", pre, post, small_world(100, 0.9, false));
    add_projection(spec, "probability", pre, post, distance_dependent("1", false));
    for (std::size_t k = 0; k < spec.projections.size(); ++k) {
        SCOPED_TRACE(spec.projections[k].label);
        int self = 0;
        for (const auto& s : draw_all(spec, k))
            self += source_of(s) == target_of(s);
        EXPECT_EQ(self, 0);
    }
}

// ---------------------------------------------------------------------------
// (2) Invariant 1: the same synapses for every ranks x threads split

// Every connector above, from and onto views and assemblies, with random and
// distance-dependent weights and delays.
model_spec zoo() {
    model_spec spec;
    spec.simulation.dt = 0.1;
    spec.simulation.seed = 987654321;
    const auto exc = add_population(spec, "exc", "IF_cond_exp", 120, line(0.5));
    const auto inh = add_population(spec, "inh", "IF_cond_exp", 36, grid2d(1, 2, 2));
    const auto ext = add_population(spec, "ext", "SpikeSourcePoisson", 50, line(1, 3));
    const auto cur = add_population(spec, "cur", "IF_curr_exp", 64, grid2d(1, 1, 1));
    const value_spec wl = value_spec::lognormal(-1, 0.5), we = value_spec::exponential(0.2),
                     wg = value_spec::gamma(2, 0.1), wd = of_distance("0.5 + 0.01*d");
    const value_spec du = value_spec::uniform(0.1, 2.0), dd = of_distance("1 + d/0.35"),
                     dg = value_spec::gamma(20, 0.1);
    const view_spec some_exc = part_of(exc, slice(0, 120, 3));
    const view_spec listed = part_of(exc, {119, 0, 64, 3, 77, 5, 42, 8, 100, 13});
    const view_spec mixed_pre =
        assembly({sample_of(ext, 20), part_of(inh, slice(1, 36, 5)), some_exc});
    const view_spec mixed_post = assembly({whole(inh), listed, sample_of(cur, 30)});
    space_spec periodic = periodic_x(0, 60);
    periodic.periodic[1] = std::make_pair(-1.0, 11.0);

    add_projection(spec, "FNPre", whole(ext), whole(exc), fixed_number_pre(10), wl, du);
    add_projection(spec, "FNPre repl no self", whole(exc), whole(exc),
                   fixed_number_pre(15, true, false), we, dg, "inhibitory");
    add_projection(spec, "FNPre views no self", mixed_pre, mixed_post,
                   fixed_number_pre(8, false, false), wg, du);
    add_projection(spec, "FNPost", whole(inh), whole(exc), fixed_number_post(20), wl, dd,
                   "inhibitory");
    add_projection(spec, "FNPost repl no self", whole(exc), whole(exc),
                   fixed_number_post(9, true, false), we, du);
    add_projection(spec, "FNPost views", mixed_pre, mixed_post, fixed_number_post(7, false, false),
                   wd, dd);
    add_projection(spec, "FTN repl", whole(ext), whole(cur), fixed_total_number(700, true), wg, du);
    add_projection(spec, "FTN no repl no self", whole(exc), whole(exc),
                   fixed_total_number(900, false, false), wl, dg);
    add_projection(spec, "FTN views", mixed_pre, mixed_post, fixed_total_number(400, false, false),
                   we, dd);
    add_projection(spec, "DD exp periodic", whole(exc), whole(exc),
                   distance_dependent("exp(-d/3)", false), wd, dd, "excitatory", periodic_x(0, 60));
    add_projection(spec, "DD step grid periodic", whole(cur), whole(inh),
                   distance_dependent("d < 5"), wl, dd, "inhibitory", periodic);
    add_projection(spec, "DD views", mixed_pre, mixed_post, distance_dependent("0.4*exp(-d/4)"), wd,
                   du);
    add_projection(spec, "IB window", some_exc, listed, index_based("abs(i-j) <= 2"), wg, du);
    add_projection(spec, "IB p", whole(cur), mixed_post, index_based("0.5*(i<j)"), we, dg);
    add_projection(spec, "SW", whole(exc), whole(exc), small_world(2.1, 0.0, false), wl, du);
    add_projection(spec, "SW rewired", whole(cur), whole(cur), small_world(1.5, 0.25, false), wd,
                   dd, "excitatory", periodic);
    add_projection(spec, "SW views", mixed_pre, mixed_post, small_world(4, 0.5, false), we, du,
                   "inhibitory");
    resolve_views(spec);
    return spec;
}

TEST(invariance, same_synapses_for_every_ranks_times_threads_split) {
    const model_spec spec = zoo();
    // Delays 0.1 ms (uniform) up to 1 + 60 / 0.35 = 172.4 ms (the distance
    // across the line): a grid of 0.1 .. 250 ms.
    const delay_grid grid = grid_for(spec, 1, 2500);
    for (std::size_t k = 0; k < spec.projections.size(); ++k) {
        SCOPED_TRACE("projection " + spec.projections[k].label);
        const auto reference = draw_all(spec, k, 1, 1, grid);
        EXPECT_GT(reference.size(), 20u);
        std::set<std::uint32_t> weights;
        for (const auto& s : reference)
            weights.insert(std::get<2>(s));
        EXPECT_GT(weights.size(), 10u) << "weights vary";
        for (const auto& [R, T] : splits) {
            if (R == 1 && T == 1) continue;
            EXPECT_EQ(draw_all(spec, k, R, T, grid), reference)
                << R << " ranks x " << T << " threads";
        }
    }
}

TEST(invariance, another_seed_gives_other_synapses) {
    model_spec spec = zoo();
    const delay_grid grid = grid_for(spec, 1, 2500);
    std::vector<std::vector<global_synapse>> before;
    for (std::size_t k = 0; k < spec.projections.size(); ++k)
        before.push_back(draw_all(spec, k, 2, 2, grid));
    spec = zoo();
    spec.simulation.seed += 1;
    for (std::size_t k = 0; k < spec.projections.size(); ++k) {
        EXPECT_NE(draw_all(spec, k, 2, 2, grid), before[k]) << spec.projections[k].label;
    }
}

// ---------------------------------------------------------------------------
// (3) Errors

TEST(errors, fixed_number_without_replacement_beyond_the_candidates) {
    {
        model_spec spec = two_populations(10, 30, fixed_number_pre(11));
        spec.projections[0].label = "ten sources";
        expect_error_on_every_split(spec, 0, grid_for(spec, 1, 10), "n = 11");
        spec.projections[0].connector.n = 10;
        EXPECT_EQ(draw_all(spec, 0).size(), 300u);
        spec.projections[0].connector.with_replacement = true;
        spec.projections[0].connector.n = 25;
        EXPECT_EQ(draw_all(spec, 0).size(), 750u) << "with replacement n may exceed the sources";
    }
    {
        // Onto itself without self connections: 19 candidates of 20.
        model_spec spec = two_populations(20, 20, fixed_number_pre(20, false, false), true);
        spec.projections[0].label = "recurrent";
        expect_error_on_every_split(spec, 0, grid_for(spec, 1, 10), "FixedNumberPre");
    }
    {
        // A second projection, to check the index in the message.
        model_spec spec = two_populations(20, 8, fixed_number_pre(2));
        add_projection(spec, "to few targets", whole(0), whole(1), fixed_number_post(9));
        expect_error_on_every_split(spec, 1, grid_for(spec, 1, 10), "FixedNumberPost");
        add_projection(spec, "too many pairs", whole(0), whole(1), fixed_total_number(161, false));
        expect_error_on_every_split(spec, 2, grid_for(spec, 1, 10), "FixedTotalNumber");
    }
}

TEST(errors, with_replacement_but_no_possible_pair) {
    // The view a[[2]] onto itself without self connections has no possible
    // pair: n = 3 with replacement can be met no more than without. A user
    // can write this in a model file, so it is a ganglion::error naming the
    // projection, never internal_error (random_stream::below(0)) nor a
    // silent 0 connections where the connector promises n.
    for (const auto kind :
         {connector_spec::kind::fixed_number_pre, connector_spec::kind::fixed_number_post,
          connector_spec::kind::fixed_total_number}) {
        model_spec spec;
        add_population(spec, "a", "IF_curr_exp", 5);
        connector_spec c = fixed_number_pre(3, true, false);
        c.k = kind;
        add_projection(spec, "lonely", part_of(0, {2}), part_of(0, {2}), c);
        SCOPED_TRACE("connector kind " + std::to_string(static_cast<int>(kind)));
        expect_error_on_every_split(spec, 0, grid_for(spec, 1, 10), "3");
    }
}

TEST(errors, delay_expression_out_of_range) {
    // 1 + d / 0.35 ms spans 2.6 .. 38.9 ms (26 .. 389 steps): a max_delay of
    // 30 ms is below the longest, a min_delay of 3 ms above the shortest.
    const model_spec spec = grids_with_distance_synapses("1 + d/0.35");
    expect_error_on_every_split(spec, 0, grid_for(spec, 10, 300), "delay");
    expect_error_on_every_split(spec, 0, grid_for(spec, 30, 400), "delay");
    EXPECT_NO_THROW(draw_all(spec, 0, 1, 1, grid_for(spec, 26, 389)));
}

}  // namespace
}  // namespace ganglion
