#include "core/connect.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "core/error.hpp"
#include "core/expression.hpp"
#include "core/random.hpp"

namespace ganglion {

step_type delay_grid::to_steps(double delay_ms) const {
    const auto d = static_cast<step_type>(std::llround(delay_ms / dt));
    return at_least_one_step && d < 1 && delay_ms > 0 ? 1 : d;
}

network_positions compute_positions(const model_spec& spec) {
    network_positions out;
    for (std::size_t p = 0; p < spec.populations.size(); ++p)
        out.push_back(generate_positions(spec.populations[p].structure, spec.populations[p].size,
                                         spec.simulation.seed, p));
    return out;
}

namespace {
// The stream of a population's random sample views: kind 5 of the purposes.
constexpr std::uint64_t sample_purpose(std::uint64_t population) {
    return (5ull << purpose::kind_shift) | population;
}
// The stream of a fixed-total-number projection's per-target counts, keyed
// by this id (no gid is this large).
constexpr std::uint64_t totals_id = std::numeric_limits<std::uint64_t>::max();

void resolve_view(view_spec& v, const model_spec& spec, std::uint64_t& n_samples) {
    for (auto& part : v.parts)
        resolve_view(part, spec, n_samples);
    if (!v.sample) return;
    const std::uint64_t size = spec.populations[v.population].size;
    // One stream per sample view, numbered in file order.
    random_stream rs(spec.simulation.seed, sample_purpose(v.population), n_samples++);
    std::vector<std::uint64_t> chosen;
    rs.sample_without_replacement(size, *v.sample, chosen);
    std::sort(chosen.begin(), chosen.end());
    v.indices = std::move(chosen);
    v.sample.reset();
}
}  // namespace

void resolve_views(model_spec& spec) {
    std::uint64_t n_samples = 0;
    for (auto& proj : spec.projections) {
        resolve_view(proj.pre, spec, n_samples);
        resolve_view(proj.post, spec, n_samples);
    }
    for (auto& src : spec.current_sources)
        resolve_view(src.inject_into, spec, n_samples);
    for (auto& rec : spec.sampled_recordings) {
        resolve_view(rec.of, spec, n_samples);
        for (const auto& what : rec.variables)
            add_recording(spec.populations[rec.of.population], what, rec.of.indices);
    }
    spec.sampled_recordings.clear();
}

namespace {
void append_gids(const model_spec& spec, const view_spec& v, std::vector<gid_type>& out) {
    if (v.is_assembly()) {
        for (const auto& part : v.parts)
            append_gids(spec, part, out);
        return;
    }
    const gid_type first = spec.first_gid(v.population);
    if (v.indices) {
        for (const auto i : *v.indices)
            out.push_back(first + i);
    } else {
        for (std::uint64_t i = 0; i < spec.populations[v.population].size; ++i)
            out.push_back(first + i);
    }
}
}  // namespace

resolved_view::resolved_view(const model_spec& spec, const view_spec& v) {
    if (v.sample) throw internal_error("resolved_view: call resolve_views() first");
    if (!v.is_assembly() && !v.indices) {
        first_ = spec.first_gid(v.population);
        size_ = spec.populations[v.population].size;
        return;
    }
    append_gids(spec, v, gids_);
    size_ = gids_.size();
    sorted_.reserve(size_);
    for (std::uint64_t k = 0; k < size_; ++k)
        sorted_.emplace_back(gids_[k], k);
    std::sort(sorted_.begin(), sorted_.end());
}

std::vector<std::uint64_t> resolved_view::find_all(gid_type g) const {
    if (gids_.empty()) {
        if (g >= first_ && g < first_ + size_) return {g - first_};
        return {};
    }
    std::vector<std::uint64_t> out;
    auto it = std::lower_bound(sorted_.begin(), sorted_.end(), std::make_pair(g, std::uint64_t{0}));
    for (; it != sorted_.end() && it->first == g; ++it)
        out.push_back(it->second);
    return out;  // ascending: sorted_ orders equal gids by position
}

std::optional<std::uint64_t> resolved_view::find(gid_type g) const {
    if (gids_.empty()) {
        if (g >= first_ && g < first_ + size_) return g - first_;
        return std::nullopt;
    }
    const auto it =
        std::lower_bound(sorted_.begin(), sorted_.end(), std::make_pair(g, std::uint64_t{0}));
    if (it != sorted_.end() && it->first == g) return it->second;
    return std::nullopt;
}

namespace {

// Everything one projection's drawing needs, on one thread.
class projection_builder {
  public:
    projection_builder(const model_spec& spec, std::size_t k, std::uint32_t receptor,
                       const thread_layout& layout, const delay_grid& grid,
                       const network_positions& positions, synapse_sink& out, draw_what what)
        : spec_(spec),
          proj_(spec.projections[k]),
          k_(k),
          receptor_(receptor),
          layout_(layout),
          grid_(grid),
          positions_(positions),
          out_(out),
          values_(what == draw_what::everything),
          pre_(spec, proj_.pre),
          post_(spec, proj_.post) {
        population_first_.reserve(spec.populations.size() + 1);
        for (std::size_t p = 0; p <= spec.populations.size(); ++p)
            population_first_.push_back(spec.first_gid(p));
    }

    std::uint64_t run();

  private:
    const std::array<double, 3>& position(gid_type g) const {
        const auto p = static_cast<std::size_t>(
            std::upper_bound(population_first_.begin(), population_first_.end(), g) -
            population_first_.begin() - 1);
        return positions_[p][g - population_first_[p]];
    }
    displacement distance_between(gid_type a, gid_type b) const {
        return ::ganglion::distance(proj_.space, position(a), position(b));
    }

    // A weight or delay for the pair: a draw, or the expression at their distance.
    double value(const value_spec& v, random_stream& rs, gid_type source, gid_type target) const {
        if (!values_) return 0;
        if (v.k != value_spec::kind::expression) return rs.draw(v);
        const displacement d = distance_between(source, target);
        const double args[4] = {d.d, d.dx, d.dy, d.dz};
        return (*v.expr)(args);
    }

    void add(gid_type source, gid_type target, double weight, double delay_ms) {
        if (!values_) weight = 0;  // list rows carry their weights
        const step_type d = values_ ? grid_.to_steps(delay_ms) : 0;
        if (values_ && !(d >= grid_.min_steps && d <= grid_.max_steps))
            throw error("projections[" + std::to_string(k_) + "] (" + proj_.label +
                        "): a delay of " + std::to_string(delay_ms) + " ms (" + std::to_string(d) +
                        " steps) lies outside [min_delay, max_delay] = [" +
                        std::to_string(grid_.min_steps) + ", " + std::to_string(grid_.max_steps) +
                        "] steps of " + std::to_string(grid_.dt) + " ms");
        if (!std::isfinite(weight))
            throw error("projections[" + std::to_string(k_) + "] (" + proj_.label +
                        "): the weight expression gave " + std::to_string(weight));
        if (target != last_target_) {  // rules draw a target's synapses together
            const std::size_t post_pop = static_cast<std::size_t>(
                std::upper_bound(population_first_.begin(), population_first_.end(), target) -
                population_first_.begin() - 1);
            const std::uint64_t index = layout_.local_index(post_pop, target);
            if (index > target_code::max_index)
                throw error("more than 2^28 neurons on one thread: use more threads or ranks");
            last_target_ = target;
            last_code_ = target_code::make(static_cast<std::uint32_t>(index), receptor_);
        }
        out_.put({static_cast<std::uint32_t>(source), last_code_, static_cast<float>(weight),
                  static_cast<std::uint32_t>(d)});
        ++added_;
    }

    // A connection from pre position i to target gid, with its weight and
    // delay drawn from the values stream vs (the connectivity draws come
    // from another stream, so drawing no values changes no pair).
    void connect(std::uint64_t i, gid_type target, random_stream& vs) {
        const gid_type source = pre_.gid(i);
        if (!proj_.connector.allow_self_connections && source == target) return;
        connect_gid(source, target, vs);
    }
    void connect_gid(gid_type source, gid_type target, random_stream& vs) {
        const double w = value(proj_.synapse.weight, vs, source, target);
        const double d = value(proj_.synapse.delay, vs, source, target);
        add(source, target, w, d);
    }
    random_stream values_stream(std::uint64_t id) const {
        return random_stream(spec_.simulation.seed, purpose::connection_values(k_), id);
    }

    // Targets of the post view this thread owns, as (view position, gid).
    template <class F>
    void for_each_owned_target(F&& f) const {
        if (post_.contiguous() && !proj_.post.is_assembly()) {
            const auto& pp = layout_.populations()[proj_.post.population];
            for (std::uint64_t c = 0; c < pp.count; ++c) {
                const gid_type g = layout_.owned_gid(proj_.post.population, c);
                f(g - pp.first_gid, g);
            }
            return;
        }
        for (std::uint64_t j = 0; j < post_.size(); ++j) {
            const gid_type g = post_.gid(j);
            if (layout_.owns(g)) f(j, g);
        }
    }

    // Candidate sources of a target: the pre view, less the target itself
    // when self connections are not allowed. Position c of the candidates is
    // pre position c, moved past every position the target itself holds.
    struct candidates {
        std::uint64_t count;
        std::vector<std::uint64_t> self;  // ascending
        std::uint64_t pre_index(std::uint64_t c) const {
            for (const auto s : self) {
                if (c < s) break;
                ++c;
            }
            return c;
        }
    };
    candidates candidates_for(gid_type target) const {
        if (proj_.connector.allow_self_connections) return {pre_.size(), {}};
        auto self = pre_.find_all(target);
        return {pre_.size() - self.size(), std::move(self)};
    }

    void from_list();
    void per_target();
    void fixed_number_post();
    void fixed_total_number();

    const model_spec& spec_;
    const projection_spec& proj_;
    std::size_t k_;
    std::uint32_t receptor_;
    const thread_layout& layout_;
    const delay_grid& grid_;
    const network_positions& positions_;
    synapse_sink& out_;
    bool values_;
    resolved_view pre_, post_;
    std::vector<gid_type> population_first_;
    std::uint64_t added_ = 0;
    gid_type last_target_ = ~gid_type{0};
    std::uint32_t last_code_ = 0;
};

void projection_builder::from_list() {
    // One stream per row, so random weights or delays of [i, j] rows do not
    // depend on which thread owns j.
    const connector_spec& c = proj_.connector;
    for (std::size_t r = 0; r < c.rows.size(); ++r) {
        const auto& row = c.rows[r];
        const gid_type target = post_.gid(row.j);
        if (!layout_.owns(target)) continue;
        const gid_type source = pre_.gid(row.i);
        if (c.rows_have_weights) {
            add(source, target, row.weight, row.delay);
        } else {
            random_stream vs = values_stream(r);
            connect_gid(source, target, vs);
        }
    }
}

void projection_builder::per_target() {
    const connector_spec& c = proj_.connector;
    const std::uint64_t n_pre = pre_.size();
    const std::uint64_t seed = spec_.simulation.seed;
    std::optional<expression> prob;
    if (c.k == connector_spec::kind::distance_dependent)
        prob.emplace(c.expression, std::vector<std::string>{"d", "dx", "dy", "dz"},
                     spec_.constants);
    if (c.k == connector_spec::kind::index_based)
        prob.emplace(c.expression, std::vector<std::string>{"i", "j"}, spec_.constants);
    std::vector<std::uint64_t> chosen;

    for_each_owned_target([&](std::uint64_t j, gid_type target) {
        random_stream rs(seed, purpose::connect(k_), target);
        random_stream vs = values_stream(target);
        switch (c.k) {
            case connector_spec::kind::all_to_all:
                for (std::uint64_t i = 0; i < n_pre; ++i)
                    connect(i, target, vs);
                break;
            case connector_spec::kind::one_to_one:
                connect(j, target, vs);
                break;
            case connector_spec::kind::fixed_probability: {
                // Bernoulli(p) for every source, drawn as geometric gaps
                // between successes: O(connections), not O(n_pre), per target.
                const double p = c.p_connect;
                if (p <= 0) break;
                if (p >= 1) {
                    for (std::uint64_t i = 0; i < n_pre; ++i)
                        connect(i, target, vs);
                    break;
                }
                const double log_q = std::log1p(-p);
                double i = -1;
                while (true) {
                    i += 1 + std::floor(std::log(rs.uniform()) / log_q);
                    if (i >= static_cast<double>(n_pre)) break;
                    connect(static_cast<std::uint64_t>(i), target, vs);
                }
                break;
            }
            case connector_spec::kind::fixed_number_pre: {
                // n sources for every target, among the candidates.
                const candidates cand = candidates_for(target);
                if (c.with_replacement) {
                    if (cand.count == 0 && c.n > 0)
                        throw error("projections[" + std::to_string(k_) + "] (" + proj_.label +
                                    "): FixedNumberPreConnector n = " + std::to_string(c.n) +
                                    " with replacement, but target " + std::to_string(target) +
                                    " has no possible source");
                    for (std::uint64_t m = 0; m < c.n; ++m)
                        connect_gid(pre_.gid(cand.pre_index(rs.below(cand.count))), target, vs);
                } else {
                    if (c.n > cand.count)
                        throw error("projections[" + std::to_string(k_) + "] (" + proj_.label +
                                    "): FixedNumberPreConnector n = " + std::to_string(c.n) +
                                    " exceeds the " + std::to_string(cand.count) +
                                    " possible sources without replacement");
                    rs.sample_without_replacement(cand.count, c.n, chosen);
                    for (const auto m : chosen)
                        connect_gid(pre_.gid(cand.pre_index(m)), target, vs);
                }
                break;
            }
            case connector_spec::kind::distance_dependent:
                for (std::uint64_t i = 0; i < n_pre; ++i) {
                    const gid_type source = pre_.gid(i);
                    const displacement d = distance_between(source, target);
                    const double args[4] = {d.d, d.dx, d.dy, d.dz};
                    const double p = (*prob)(args);
                    if (rs.uniform() < p) connect(i, target, vs);
                }
                break;
            case connector_spec::kind::index_based:
                for (std::uint64_t i = 0; i < n_pre; ++i) {
                    const double args[2] = {static_cast<double>(i), static_cast<double>(j)};
                    const double p = (*prob)(args);
                    if (rs.uniform() < p) connect(i, target, vs);
                }
                break;
            case connector_spec::kind::small_world:
                // Every source closer than `degree` to the target (PyNN's
                // d < degree), each rewired
                // with probability `rewiring` to a random source.
                for (std::uint64_t i = 0; i < n_pre; ++i) {
                    const gid_type source = pre_.gid(i);
                    if (!c.allow_self_connections && source == target) continue;
                    if (!(distance_between(source, target).d < c.degree)) continue;
                    gid_type chosen_source = source;
                    if (rs.uniform() < c.rewiring) {
                        const candidates cand = candidates_for(target);
                        if (cand.count == 0) continue;
                        chosen_source = pre_.gid(cand.pre_index(rs.below(cand.count)));
                    }
                    connect_gid(chosen_source, target, vs);
                }
                break;
            default:
                throw internal_error("per_target: connector kind not drawn per target");
        }
    });
}

void projection_builder::fixed_number_post() {
    // Out-degree rule: every thread draws every source's n targets, from the
    // source's stream, and keeps those it owns.
    const connector_spec& c = proj_.connector;
    const std::uint64_t n_post = post_.size();
    std::vector<std::uint64_t> chosen;
    for (std::uint64_t i = 0; i < pre_.size(); ++i) {
        const gid_type source = pre_.gid(i);
        random_stream rs(spec_.simulation.seed, purpose::connect(k_), source);
        random_stream vs = values_stream(source);
        candidates cand{n_post, {}};
        if (!c.allow_self_connections) {
            cand.self = post_.find_all(source);
            cand.count = n_post - cand.self.size();
        }
        const std::uint64_t count = cand.count;
        auto target_at = [&](std::uint64_t m) { return post_.gid(cand.pre_index(m)); };
        chosen.clear();
        if (c.with_replacement) {
            if (count == 0 && c.n > 0)
                throw error("projections[" + std::to_string(k_) + "] (" + proj_.label +
                            "): FixedNumberPostConnector n = " + std::to_string(c.n) +
                            " with replacement, but source " + std::to_string(source) +
                            " has no possible target");
            for (std::uint64_t m = 0; m < c.n; ++m)
                chosen.push_back(rs.below(count));
        } else {
            if (c.n > count)
                throw error("projections[" + std::to_string(k_) + "] (" + proj_.label +
                            "): FixedNumberPostConnector n = " + std::to_string(c.n) +
                            " exceeds the " + std::to_string(count) +
                            " possible targets without replacement");
            rs.sample_without_replacement(count, c.n, chosen);
        }
        for (const auto m : chosen) {
            const gid_type target = target_at(m);
            const double w = value(proj_.synapse.weight, vs, source, target);
            const double d = value(proj_.synapse.delay, vs, source, target);
            if (layout_.owns(target)) add(source, target, w, d);
        }
    }
}

void projection_builder::fixed_total_number() {
    // n connections among all (pre, post) pairs. How many each target gets is
    // one multinomial (with replacement) or multivariate hypergeometric
    // (without) split, drawn target by target from one projection-wide
    // stream as conditional binomials or hypergeometrics: every thread draws
    // the same counts. Each target then draws its sources from its own stream.
    const connector_spec& c = proj_.connector;
    const std::uint64_t n_post = post_.size();
    std::vector<std::uint64_t> cand_count(n_post);
    std::uint64_t pairs = 0;
    for (std::uint64_t j = 0; j < n_post; ++j) {
        cand_count[j] = candidates_for(post_.gid(j)).count;
        pairs += cand_count[j];
    }
    if ((!c.with_replacement || pairs == 0) && c.n > pairs)
        throw error("projections[" + std::to_string(k_) + "] (" + proj_.label +
                    "): FixedTotalNumberConnector n = " + std::to_string(c.n) + " exceeds the " +
                    std::to_string(pairs) + " possible pairs without replacement");
    random_stream totals(spec_.simulation.seed, purpose::connect(k_), totals_id);
    std::uint64_t remaining = c.n, remaining_pairs = pairs;
    std::vector<std::uint64_t> chosen;
    for (std::uint64_t j = 0; j < n_post && remaining > 0; ++j) {
        std::uint64_t kj = 0;
        if (remaining_pairs == cand_count[j])
            kj = remaining;
        else if (c.with_replacement)
            kj = totals.binomial(remaining, static_cast<double>(cand_count[j]) /
                                                static_cast<double>(remaining_pairs));
        else
            kj = totals.hypergeometric(remaining_pairs, cand_count[j], remaining);
        remaining -= kj;
        remaining_pairs -= cand_count[j];
        const gid_type target = post_.gid(j);
        if (kj == 0 || !layout_.owns(target)) continue;
        const candidates cand = candidates_for(target);
        random_stream rs(spec_.simulation.seed, purpose::connect(k_), target);
        random_stream vs = values_stream(target);
        if (c.with_replacement) {
            for (std::uint64_t m = 0; m < kj; ++m)
                connect_gid(pre_.gid(cand.pre_index(rs.below(cand.count))), target, vs);
        } else {
            rs.sample_without_replacement(cand.count, kj, chosen);
            for (const auto m : chosen)
                connect_gid(pre_.gid(cand.pre_index(m)), target, vs);
        }
    }
}

std::uint64_t projection_builder::run() {
    switch (proj_.connector.k) {
        case connector_spec::kind::from_list:
            from_list();
            break;
        case connector_spec::kind::fixed_number_post:
            fixed_number_post();
            break;
        case connector_spec::kind::fixed_total_number:
            fixed_total_number();
            break;
        default:
            per_target();
    }
    return added_;
}

}  // namespace

std::uint64_t draw_projection(const model_spec& spec, std::size_t k, std::uint32_t receptor,
                              const thread_layout& layout, const delay_grid& grid,
                              const network_positions& positions, synapse_sink& out,
                              draw_what what) {
    projection_builder b(spec, k, receptor, layout, grid, positions, out, what);
    return b.run();
}

std::uint64_t draw_projection(const model_spec& spec, std::size_t k, std::uint32_t receptor,
                              const thread_layout& layout, const delay_grid& grid,
                              const network_positions& positions,
                              std::vector<pending_synapse>& out) {
    struct append final : synapse_sink {
        std::vector<pending_synapse>& to;
        explicit append(std::vector<pending_synapse>& v) : to(v) {}
        void put(const pending_synapse& s) override { to.push_back(s); }
    } sink(out);
    return draw_projection(spec, k, receptor, layout, grid, positions, sink);
}

double expected_synapses(const model_spec& spec, std::size_t k) {
    const projection_spec& proj = spec.projections[k];
    const double n_pre = static_cast<double>(view_size(spec, proj.pre));
    const double n_post = static_cast<double>(view_size(spec, proj.post));
    const connector_spec& c = proj.connector;
    switch (c.k) {
        case connector_spec::kind::all_to_all:
            return n_pre * n_post;
        case connector_spec::kind::one_to_one:
            return n_post;
        case connector_spec::kind::fixed_probability:
            return c.p_connect * n_pre * n_post;
        case connector_spec::kind::from_list:
            return static_cast<double>(c.rows.size());
        case connector_spec::kind::fixed_number_pre:
            return static_cast<double>(c.n) * n_post;
        case connector_spec::kind::fixed_number_post:
            return static_cast<double>(c.n) * n_pre;
        case connector_spec::kind::fixed_total_number:
            return static_cast<double>(c.n);
        case connector_spec::kind::distance_dependent:
        case connector_spec::kind::index_based:
        case connector_spec::kind::small_world:
            break;
    }
    // Rules that depend on distance or index: the mean over a fixed sample
    // of pairs (deterministic; about 1% accurate for a few thousand pairs).
    if (n_pre == 0 || n_post == 0) return 0;
    model_spec one = spec;
    resolve_views(one);
    const auto& pj = one.projections[k];
    const resolved_view pre(one, pj.pre), post(one, pj.post);
    const network_positions positions = compute_positions(one);
    std::vector<gid_type> first;
    for (std::size_t p = 0; p <= one.populations.size(); ++p)
        first.push_back(one.first_gid(p));
    auto pos = [&](gid_type g) -> const std::array<double, 3>& {
        const auto p = static_cast<std::size_t>(std::upper_bound(first.begin(), first.end(), g) -
                                                first.begin() - 1);
        return positions[p][g - first[p]];
    };
    std::optional<expression> prob;
    if (c.k == connector_spec::kind::distance_dependent)
        prob.emplace(c.expression, std::vector<std::string>{"d", "dx", "dy", "dz"}, one.constants);
    if (c.k == connector_spec::kind::index_based)
        prob.emplace(c.expression, std::vector<std::string>{"i", "j"}, one.constants);
    random_stream rs(spec.simulation.seed, purpose::connect(k), totals_id - 1);
    const int samples = 4096;
    double sum = 0;
    for (int s = 0; s < samples; ++s) {
        const std::uint64_t i = rs.below(pre.size()), j = rs.below(post.size());
        const displacement d = distance(pj.space, pos(pre.gid(i)), pos(post.gid(j)));
        if (c.k == connector_spec::kind::small_world) {
            sum += d.d < c.degree ? 1.0 : 0.0;  // PyNN: "d < degree"
        } else if (c.k == connector_spec::kind::distance_dependent) {
            const double args[4] = {d.d, d.dx, d.dy, d.dz};
            sum += std::clamp((*prob)(args), 0.0, 1.0);
        } else {
            const double args[2] = {static_cast<double>(i), static_cast<double>(j)};
            sum += std::clamp((*prob)(args), 0.0, 1.0);
        }
    }
    return sum / samples * n_pre * n_post;
}

}  // namespace ganglion
