#include "core/spinnaker.hpp"

#include "core/spike_buffer.hpp"

#include <algorithm>
#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <limits>
#include <numeric>
#include <sstream>

#include "core/error.hpp"
#include "core/fixed_point.hpp"
#include "core/simulation.hpp"

namespace ganglion::spinnaker {

namespace {

// sPyNNaker's utility_calls.get_probable_maximum_selected: the quantile
// 1 - 0.01 / n_total of Binomial(n_trials, p), a count one target exceeds
// with a chance of about 1 in 100 over the whole projection.
double probable_maximum_selected(double n_total, double n_trials, double p) {
    if (n_trials <= 0 || p <= 0) return 0;
    if (p >= 1) return n_trials;
    using namespace boost::math;
    using rounded = policies::policy<policies::discrete_quantile<policies::integer_round_up>>;
    const binomial_distribution<double, rounded> b(std::floor(n_trials), p);
    const double q = 1.0 - 0.01 / std::max(1.0, n_total);
    return quantile(b, q);
}

// Mean and variance of a weight distribution (PyNN units, signed).
std::pair<double, double> moments(const value_spec& v, double measured_max) {
    using K = value_spec::kind;
    switch (v.k) {
        case K::constant:
            return {v.value, 0.0};
        case K::uniform:
            return {(v.low + v.high) / 2, (v.high - v.low) * (v.high - v.low) / 12};
        case K::normal:
            return {v.mu, v.sigma * v.sigma};
        case K::normal_clipped: {
            // Truncated normal on [low, high].
            const boost::math::normal n(0.0, 1.0);
            const double a = (v.low - v.mu) / v.sigma, b = (v.high - v.mu) / v.sigma;
            const double pa = std::isfinite(a) ? boost::math::pdf(n, a) : 0.0;
            const double pb = std::isfinite(b) ? boost::math::pdf(n, b) : 0.0;
            const double z = (std::isfinite(b) ? boost::math::cdf(n, b) : 1.0) -
                             (std::isfinite(a) ? boost::math::cdf(n, a) : 0.0);
            if (!(z > 0)) return {v.mu, 0.0};
            const double ta = std::isfinite(a) ? a * pa : 0.0, tb = std::isfinite(b) ? b * pb : 0.0;
            const double mean = v.mu + v.sigma * (pa - pb) / z;
            const double var =
                v.sigma * v.sigma * (1 + (ta - tb) / z - ((pa - pb) / z) * ((pa - pb) / z));
            return {mean, std::max(0.0, var)};
        }
        case K::lognormal: {
            const double s2 = v.sigma * v.sigma;
            return {std::exp(v.mu + s2 / 2), (std::exp(s2) - 1) * std::exp(2 * v.mu + s2)};
        }
        case K::exponential:
            return {v.beta, v.beta * v.beta};
        case K::gamma:
            return {v.shape * v.theta, v.shape * v.theta * v.theta};
        case K::expression:
            return {measured_max, 0.0};
    }
    return {measured_max, 0.0};
}

// sPyNNaker's RunningStats: a running mean and variance of weighted items.
struct running_stats {
    double count = 0, mean = 0, m2 = 0;
    void add_items(double m, double variance, double n) {
        if (n <= 0) return;
        const double total = count + n;
        const double delta = m - mean;
        mean = (count * mean + n * m) / total;
        m2 += variance * n + delta * delta * count * n / total;
        count = total;
    }
    double standard_deviation() const { return count > 1 ? std::sqrt(m2 / (count - 1)) : 0.0; }
};

// SynapticManager._ring_buffer_expected_upper_bound: mean + sigma standard
// deviations of the input one step brings when n_synapses synapses of
// weights (mean, sd) receive Poisson spikes at `rate` Hz.
double expected_upper_bound(double mean, double sd, double rate, double dt_ms, double n_synapses,
                            double sigma) {
    const double avg = n_synapses * rate * dt_ms / 1000.0;  // spikes per step
    const double poisson_variance = avg * mean * mean;
    double weight_variance = 0;
    if (sd > 0 && avg > 0) {
        const double upper = std::round(avg + 3.0 * std::sqrt(avg));
        const double lngamma = std::lgamma(1 + upper);
        const double gammai = boost::math::gamma_q(1 + upper, avg);
        const double big_ratio = std::log(avg) * upper - lngamma;
        if (-701.0 < big_ratio && big_ratio < 701.0 && big_ratio != 0.0) {
            const double inner = std::exp(avg) * gammai - std::exp(big_ratio);
            if (inner > 0 && std::isfinite(inner))
                weight_variance =
                    std::exp(-avg + std::log(avg) + 2.0 * std::log(sd) + std::log(inner));
        }
    }
    return avg * mean + sigma * std::sqrt(poisson_variance + weight_variance);
}

}  // namespace

namespace {
std::string format_ms(double ms) {
    std::ostringstream os;
    os << ms << " ms";
    return os.str();
}
}  // namespace

void check_model(const model_spec& spec, const model_registry& models) {
    const double dt = spec.simulation.dt;
    if (dt != 1.0 && dt != 0.1)
        throw model_file_error("simulation.dt", "got " + format_ms(dt) +
                                                    "; SpiNNaker mode allows 1.0 ms (its "
                                                    "default) or 0.1 ms");
    std::string available;
    for (const auto& name : models.names())
        if (models.find(name)->spinnaker) available += (available.empty() ? "" : ", ") + name;
    for (std::size_t p = 0; p < spec.populations.size(); ++p) {
        const model_entry* m = models.find(spec.populations[p].model);
        if (m && !m->info.is_source && !m->spinnaker)
            throw model_file_error("populations[" + std::to_string(p) + "].model",
                                   "'" + spec.populations[p].model +
                                       "' has no SpiNNaker fixed-point version; in SpiNNaker "
                                       "mode the neuron models are " +
                                       available + " (and every spike source)");
    }
    for (std::size_t k = 0; k < spec.projections.size(); ++k)
        if (spec.projections[k].synapse.stdp)
            throw model_file_error("projections[" + std::to_string(k) + "].synapse.type",
                                   "STDPMechanism is not available in SpiNNaker mode (static "
                                   "synapses only)");
    // The delay range as the engine will use it (a step at least).
    auto [min_delay, max_delay] = resolve_delay_range(spec);
    max_delay = std::max({max_delay, min_delay, dt});
    const auto steps = static_cast<step_type>(std::llround(max_delay / dt));
    if (steps > max_delay_steps)
        throw error("SpiNNaker mode: max_delay of " + format_ms(max_delay) + " is " +
                    std::to_string(steps) + " steps of " + format_ms(dt) +
                    "; SpiNNaker delays reach 16 steps on the core and " +
                    std::to_string(max_delay_steps) +
                    " with the delay extension (set simulation.max_delay or shorten the delays)");
}

projection_load load_of(const model_spec& spec, const model_registry& models, std::size_t k,
                        const projection_measure& measured, double weight_scale) {
    const projection_spec& proj = spec.projections[k];
    const value_spec& w = proj.synapse.weight;
    const auto& c = proj.connector;
    projection_load L;
    auto view_size_of = [&](const view_spec& v) { return static_cast<double>(view_size(spec, v)); };
    const double n_pre = view_size_of(proj.pre), n_post = view_size_of(proj.post);

    double mean = 0, variance = 0, wmax = 0;
    if (c.k == connector_spec::kind::from_list && c.rows_have_weights) {
        double sum = 0, sum2 = 0;
        for (const auto& r : c.rows) {
            sum += r.weight;
            sum2 += r.weight * r.weight;
            wmax = std::max(wmax, std::abs(r.weight));
        }
        const double n = std::max<double>(1, static_cast<double>(c.rows.size()));
        mean = sum / n;
        variance = std::max(0.0, sum2 / n - mean * mean);
    } else {
        std::tie(mean, variance) = moments(w, measured.max_abs_weight);
        const double lo = w.lower_bound(), hi = w.upper_bound();
        // A bounded distribution's largest magnitude; an unbounded one's
        // largest drawn value (sPyNNaker estimates it by the quantile
        // 1 - 1/n of the distribution, which the drawn maximum approximates).
        wmax = (std::isfinite(lo) && std::isfinite(hi) && w.k != value_spec::kind::expression)
                   ? std::max(std::abs(lo), std::abs(hi))
                   : measured.max_abs_weight;
    }
    L.weight_mean = std::abs(mean * weight_scale);
    L.weight_variance = std::abs(variance * weight_scale * weight_scale);
    L.weight_max = wmax * weight_scale;

    using K = connector_spec::kind;
    switch (c.k) {
        case K::all_to_all:
            L.n_connections = n_pre;
            break;
        case K::one_to_one:
            L.n_connections = 1;
            break;
        case K::fixed_probability:
            L.n_connections = probable_maximum_selected(n_pre * n_post, n_pre, c.p_connect);
            break;
        case K::fixed_number_pre:
            L.n_connections = static_cast<double>(c.n);
            break;
        case K::fixed_number_post:
            L.n_connections = probable_maximum_selected(
                n_pre * n_post, n_pre, std::min(1.0, static_cast<double>(c.n) / n_post));
            break;
        case K::fixed_total_number:
            L.n_connections =
                probable_maximum_selected(n_pre * n_post, static_cast<double>(c.n), 1.0 / n_post);
            break;
        default:  // from a list, or drawn from expressions: what was drawn
            L.n_connections = static_cast<double>(measured.max_in_degree);
            break;
    }
    const value_spec& d = proj.synapse.delay;
    const bool drawn_delays = !(c.k == K::from_list && c.rows_have_weights) && !d.is_constant() &&
                              d.k != value_spec::kind::expression;
    L.delays_vary = drawn_delays || measured.min_delay_steps != measured.max_delay_steps;
    if (!proj.pre.is_assembly()) {
        const auto& pre = spec.populations[proj.pre.population];
        if (pre.model == "SpikeSourcePoisson") {
            const model_entry* m = models.find(pre.model);
            L.rate = m ? parameter_or_default(pre.parameters, m->info, "rate") : 0.0;
        }
    }
    return L;
}

int left_shift(const std::vector<projection_load>& loads, double dt, double ring_buffer_sigma,
               double spikes_per_second) {
    const double steps_per_second = 1000.0 / dt;
    // As sPyNNaker 5 and later: the rate of the Poisson-sum bound is the
    // mean over the receptor's synapses (a Poisson source's own rate, the
    // assumed `spikes_per_second` for any other source), weighted by their
    // numbers (sPyNNaker 4 used the largest rate for all of them).
    running_stats stats, rates;
    bool delays_vary = false;
    double total = 0, biggest = 0;
    for (const auto& L : loads) {
        stats.add_items(L.weight_mean, L.weight_variance, L.n_connections);
        delays_vary = delays_vary || L.delays_vary;
        biggest = std::max(biggest, L.weight_max);
        const double rate = L.rate > 0 ? L.rate : spikes_per_second;
        rates.add_items(rate, 0, L.n_connections);
        const double spikes_per_tick = std::max(1.0, rate / steps_per_second);
        total += spikes_per_tick * L.weight_max * L.n_connections;
    }
    double max_weight = total;
    if (delays_vary)
        max_weight = std::min(expected_upper_bound(stats.mean, stats.standard_deviation(),
                                                   rates.mean, dt, stats.count, ring_buffer_sigma),
                              total);
    max_weight = std::max(max_weight, biggest);
    int power =
        max_weight <= 0 ? 0 : static_cast<int>(std::ceil(std::max(0.0, std::log2(max_weight))));
    // The range is 0 to just under 2^power: a maximum of exactly 2^power needs one more.
    if (std::ldexp(1.0, power) <= max_weight) ++power;
    return power;
}

std::uint32_t quantise(double weight, double scale, quantise_counts& counts) {
    const double x = std::nearbyint(std::abs(weight) * scale);  // ties to even, as numpy.rint
    if (x > fixed::max_weight) {
        ++counts.saturated;
        return fixed::max_weight;
    }
    const auto q = static_cast<std::uint32_t>(x);
    if (q == 0 && weight != 0) ++counts.rounded_to_zero;
    return q;
}

void word_store::build(gid_type n_sources, const thread_layout& layout,
                       std::vector<pending_synapse>&& pending) {
    start(n_sources, layout);
    for (const auto& s : pending)
        count(s.source);
    start_placing();
    for (const auto& s : pending)
        place(s);
    std::vector<pending_synapse>().swap(pending);
    finish();
}

void word_store::start(gid_type n_sources, const thread_layout& layout) {
    layout_ = &layout;
    const auto& pops = layout.populations();
    core_size_ = layout.part().cores ? layout.part().cores->core_size : 256;
    // The thread's cores in local index order: each population's neurons
    // are whole cores of core_size_ (the last may be shorter).
    core_start_.clear();
    first_core_of_.assign(pops.size(), 0);
    for (std::size_t p = 0; p < pops.size(); ++p) {
        first_core_of_[p] = static_cast<std::uint32_t>(core_start_.size());
        for (std::uint64_t j = 0; j * core_size_ < pops[p].count; ++j)
            core_start_.push_back(static_cast<std::uint32_t>(pops[p].offset + j * core_size_));
    }
    if (core_start_.size() > max_cores_per_thread)
        throw error("SpiNNaker mode: " + std::to_string(core_start_.size()) +
                    " cores on one thread, at most " + std::to_string(max_cores_per_thread) +
                    " (1,048,576 neurons): use more threads or ranks");
    // Counting sort by source, as synapse_store does.
    word_index_.assign(n_sources + 1, 0);
}

void word_store::start_placing() {
    const std::size_t n_sources = word_index_.size() - 1;
    for (gid_type g = 0; g < n_sources; ++g)
        word_index_[g + 1] += word_index_[g];
    const std::size_t m = word_index_.back();
    words_.assign(m, 0);
    keys_.assign(m, 0);
    next_.assign(word_index_.begin(), word_index_.end() - 1);
    chunks_.start(m, n_sources);
}

void word_store::place_now(const pending_synapse& s) {
    const auto& pops = layout_->populations();
    const std::uint32_t li = target_code::index(s.target_code);
    const std::size_t p = layout_->population_at(li);
    const std::uint64_t rel = li - pops[p].offset;
    const auto core = static_cast<std::uint32_t>(first_core_of_[p] + rel / core_size_);
    const auto d = static_cast<std::uint32_t>(s.delay);
    if (d < 1 || d > static_cast<std::uint32_t>(max_delay_steps))
        throw internal_error("SpiNNaker synapse delay out of range");
    if (s.source >= next_.size() || next_[s.source] == word_index_[s.source + 1])
        throw internal_error("word_store: placed synapses differ from those counted");
    const std::uint64_t k = next_[s.source]++;
    words_[k] = make_word(static_cast<std::uint32_t>(s.weight), (d - 1) % 16 + 1,
                          target_code::receptor(s.target_code),
                          static_cast<std::uint32_t>(rel % core_size_));
    keys_[k] = static_cast<std::uint16_t>((((d - 1) / 16) << 12) | core);  // stage, then core
}

void word_store::finish() {
    chunks_.flush([this](const pending_synapse& x) { place_now(x); });
    chunks_.release();
    const std::size_t n_sources = word_index_.size() - 1;
    for (gid_type g = 0; g < n_sources; ++g)
        if (next_[g] != word_index_[g + 1])
            throw internal_error("word_store: placed synapses differ from those counted");
    rows_.clear();
    row_index_.assign(n_sources + 1, 0);
    // Each source's words by row key, stably (a row keeps the order in which
    // its synapses were placed): (key << 32 | word), a least-significant-
    // digit radix sort on the key's two bytes (stable; about half of
    // std::stable_sort's time on the microcircuit's ~2000 words per source,
    // ~1 s of the SpiNNaker-mode build).
    std::vector<std::uint64_t> tmp, other;
    std::uint64_t longest = 0;
    for (gid_type g = 0; g < n_sources; ++g) {
        const std::uint64_t first = word_index_[g], last = word_index_[g + 1];
        if (!std::is_sorted(keys_.begin() + first, keys_.begin() + last)) {
            tmp.clear();
            for (std::uint64_t k = first; k < last; ++k)
                tmp.push_back(std::uint64_t{keys_[k]} << 32 | words_[k]);
            other.resize(tmp.size());
            for (const int shift : {32, 40}) {
                std::size_t start[257] = {};
                for (const std::uint64_t x : tmp)
                    ++start[((x >> shift) & 255) + 1];
                if (start[((tmp.front() >> shift) & 255) + 1] == tmp.size()) continue;  // one digit
                for (int b = 0; b < 256; ++b)
                    start[b + 1] += start[b];
                for (const std::uint64_t x : tmp)
                    other[start[(x >> shift) & 255]++] = x;
                tmp.swap(other);
            }
            for (std::uint64_t k = first; k < last; ++k) {
                keys_[k] = static_cast<std::uint16_t>(tmp[k - first] >> 32);
                words_[k] = static_cast<std::uint32_t>(tmp[k - first]);
            }
        }
        for (std::uint64_t k = first; k < last; ++k) {
            if (k == first || keys_[k] != keys_[k - 1] || rows_.back().count() == max_row_words)
                rows_.push_back({(std::uint32_t{keys_[k]} & 0xFFF) << 20 |
                                 (std::uint32_t{keys_[k]} >> 12) << 16});
            ++rows_.back().packed;
        }
        row_index_[g + 1] = rows_.size();
        longest = std::max(longest, last - first);
    }
    release_unused(rows_);
    where_.assign(longest + 16, 0);
    std::vector<std::uint16_t>().swap(keys_);
    std::vector<std::uint64_t>().swap(next_);
    std::vector<std::uint32_t>().swap(first_core_of_);
    layout_ = nullptr;
}

std::size_t word_store::bytes() const {
    // rows_ keeps capacity whose pages were given back (release_unused).
    return words_.capacity() * sizeof(std::uint32_t) + rows_.size() * sizeof(row) +
           core_start_.capacity() * sizeof(std::uint32_t) +
           row_index_.capacity() * sizeof(std::uint64_t) +
           word_index_.capacity() * sizeof(std::uint64_t);
}

std::uint64_t word_store::deliver(gid_type g, step_type s, std::uint32_t count,
                                  fixed_ring_buffer& buffer, std::uint64_t& saturations,
                                  step_type until, delay_extension* later) const {
    if (!has_row(g)) return 0;
    if (until != no_step && later == nullptr)
        throw internal_error("word_store::deliver: stages held back with nowhere to go");
    return deliver_rows(g, s, count, row_index_[g], word_index_[g], buffer, saturations, until,
                        later ? &later->entries_ : nullptr);
}

std::uint64_t word_store::deliver_rows(gid_type g, step_type s, std::uint32_t count,
                                       std::uint64_t row_begin, std::uint64_t word_begin,
                                       fixed_ring_buffer& buffer, std::uint64_t& saturations,
                                       step_type until,
                                       std::vector<delay_extension::entry>* later) const {
    const auto n_slots = static_cast<std::uint32_t>(buffer.n_slots());
    if (n_slots > 512) throw internal_error("SpiNNaker ring buffer with more than 512 slots");
    const std::size_t stride = buffer.stride();
    // The slot of delay 1 in each stage: one division per call, not per row.
    // Every delay delivered is below n_slots, so slot + delay needs one wrap
    // at most.
    std::uint32_t stage_slot[16];
    stage_slot[0] = static_cast<std::uint32_t>(buffer.slot(s + 1));
    const std::uint32_t stage_step = 16 % n_slots;
    for (int k = 1; k < 16; ++k) {
        stage_slot[k] = stage_slot[k - 1] + stage_step;
        if (stage_slot[k] >= n_slots) stage_slot[k] -= n_slots;
    }
    // The stages due: s + 16 k + 1 < until.
    const step_type first_due = until == no_step ? 16 * 16 : until - s - 1;  // 16 k < first_due
    const step_type due = first_due <= 0 ? 0 : std::min<step_type>((first_due - 1) / 16 + 1, 16);
    // Each receptor's first cell, as an offset in the buffer's data.
    std::uint32_t receptor_base[16] = {};
    std::uint16_t* const cells = buffer.data().data();
    if (buffer.data().size() > 0xFFFFFFFFu)
        throw internal_error("SpiNNaker ring buffer of more than 2^32 slots on one thread");
    for (std::size_t r = 0; r < buffer.n_receptors() && r < 16; ++r)
        receptor_base[r] = static_cast<std::uint32_t>(buffer.slot_row(r, 0) - cells);
    // Three passes, so that the words of all the rows are one loop (a loop
    // per row of ~5 words would end in a mispredicted branch each) and the
    // loop that waits for the slots' cache lines is short (the slots are
    // beyond L2: the fewer instructions per add, the more adds the core
    // keeps in flight): first each word's core and stage from its row
    // header, written 16 at a time without a branch (a row's later words
    // overwrite the copies beyond it), then each word's cell, then the adds.
    const row* rows = rows_.data();
    const std::uint64_t row_end = row_index_[g + 1];
    std::uint32_t* where = where_.data();
    std::uint64_t at = 0, r = row_begin;
    for (; r < row_end; ++r) {
        const row h = rows[r];
        if (static_cast<step_type>(h.stage()) >= due) break;
        const std::uint32_t v = core_start_[h.core()] << 9 | stage_slot[h.stage()];
        for (int k = 0; k < 16; ++k)
            where[at + k] = v;
        for (std::uint32_t k = 16; k < h.count(); ++k)
            where[at + k] = v;
        at += h.count();
    }
    if (r < row_end) {
        if (!later) throw internal_error("word_store: a delay stage beyond the ring buffer");
        later->push_back({s, r, word_begin + at, g, count, rows[r].stage()});
    }
    const std::uint32_t* words = words_.data() + word_begin;
    const auto row_stride = static_cast<std::uint32_t>(stride);
    for (std::uint64_t i = 0; i < at; ++i) {
        const std::uint32_t word = words[i];
        std::uint32_t slot = (where[i] & 511) + ((word >> 12) & 15);
        if (slot >= n_slots) slot -= n_slots;
        where[i] =
            receptor_base[(word >> 8) & 15] + slot * row_stride + (where[i] >> 9) + (word & 255);
    }
    if (count == 1) {
        for (std::uint64_t i = 0; i < at; ++i) {
            std::uint16_t& x = cells[where[i]];
            x = static_cast<std::uint16_t>(fixed::accumulate(x, words[i] >> 16, saturations));
        }
    } else {
        for (std::uint64_t i = 0; i < at; ++i) {
            std::uint16_t& x = cells[where[i]];
            x = static_cast<std::uint16_t>(
                fixed::accumulate(x, words[i] >> 16, count, saturations));
        }
    }
    return at;
}

void word_store::defer(gid_type g, step_type s, std::uint32_t count, step_type not_before,
                       delay_extension& later) const {
    if (!has_row(g)) return;
    std::uint64_t word = word_index_[g];
    for (std::uint64_t r = row_index_[g]; r < row_index_[g + 1]; ++r) {
        if (s + 16 * static_cast<step_type>(rows_[r].stage()) + 1 >= not_before) {
            later.add({s, r, word, g, count, rows_[r].stage()});
            return;
        }
        word += rows_[r].count();
    }
}

std::uint64_t delay_extension::deliver(const word_store& words, fixed_ring_buffer& buffer,
                                       step_type until, std::uint64_t& saturations) {
    next_.clear();
    std::uint64_t events = 0;
    for (const entry& e : entries_) {
        if (e.step + 16 * static_cast<step_type>(e.stage) + 1 >= until) {
            next_.push_back(e);
            continue;
        }
        events += words.deliver_rows(e.source, e.step, e.count, e.row, e.word, buffer, saturations,
                                     until, &next_);
    }
    entries_.swap(next_);
    return events;
}

std::optional<word_store::single_word> word_store::single(gid_type g) const {
    if (!has_row(g) || word_index_[g + 1] - word_index_[g] != 1) return std::nullopt;
    const row& h = rows_[row_index_[g]];
    const std::uint32_t word = words_[word_index_[g]];
    return single_word{core_start_[h.core()] + (word & 255), (word >> 8) & 15,
                       h.stage() * 16 + ((word >> 12) & 15) + 1, word >> 16};
}

std::uint64_t word_store::deliver_spikes(const std::vector<std::uint64_t>& spike_words,
                                         step_type first_step, fixed_ring_buffer& buffer,
                                         std::uint64_t& saturations, step_type until,
                                         delay_extension* later) const {
    std::uint64_t events = 0;
    const std::size_t n = spike_words.size();
    for (std::size_t i = 0; i < n; ++i) {
        // The next spike's rows start somewhere else in memory: ask for them
        // while this spike's are added.
        if (i + 1 < n) {
            const gid_type next = spike_word::gid(spike_words[i + 1]);
            if (has_row(next)) {
                __builtin_prefetch(rows_.data() + row_index_[next]);
                __builtin_prefetch(words_.data() + word_index_[next]);
            }
        }
        events +=
            deliver(spike_word::gid(spike_words[i]), first_step + spike_word::lag(spike_words[i]),
                    1, buffer, saturations, until, later);
    }
    return events;
}

std::vector<pending_synapse> word_store::to_list() const {
    std::vector<pending_synapse> out;
    out.reserve(words_.size());
    for (gid_type g = 0; g + 1 < row_index_.size(); ++g) {
        std::uint64_t k = word_index_[g];
        for (std::uint64_t r = row_index_[g]; r < row_index_[g + 1]; ++r)
            for (std::uint32_t i = 0; i < rows_[r].count(); ++i, ++k) {
                const std::uint32_t word = words_[k];
                const std::uint32_t delay = rows_[r].stage() * 16 + ((word >> 12) & 15) + 1;
                out.push_back({static_cast<std::uint32_t>(g),
                               target_code::make(core_start_[rows_[r].core()] + (word & 255),
                                                 (word >> 8) & 15),
                               static_cast<float>(word >> 16), delay});
            }
    }
    return out;
}

}  // namespace ganglion::spinnaker
