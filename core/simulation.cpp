#include "core/simulation.hpp"

#include <omp.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <exception>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <tuple>

#include "core/deliver.hpp"
#include "core/error.hpp"
#include "core/poisson_drive.hpp"
#include "core/random.hpp"
#include "core/working_barrier.hpp"

namespace ganglion {

struct simulation::thread_state {
    thread_state(const model_spec& spec, const partition& part, int thread)
        : layout(spec, part, thread) {}
    thread_layout layout;
    std::vector<std::unique_ptr<population_shard>> shards;
    ring_buffer buffer;              // double mode's input
    fixed_ring_buffer fixed_buffer;  // SpiNNaker mode's (the other one is empty)
    synapse_store synapses;
    arrival_queue arrivals;  // spikes whose static synapses here have not all arrived
    plastic_store plastic;   // STDP synapses (core/plasticity.hpp)
    post_history history;    // post spikes of this thread's plastic targets
    spike_buffer spikes;
    phase_timers timers;
    // Poisson sources generated here rather than received (interval_deliver).
    poisson_drive drive;
    // SpiNNaker mode: the synaptic words, what this thread's synapses of
    // each projection showed (for the left shifts), and the ring-buffer
    // saturations.
    spinnaker::word_store words;
    // The delay extension's queues: stages of received spikes, and of
    // Poisson sources generated here, still to be delivered.
    spinnaker::delay_extension received_later, generated_later;
    std::vector<spinnaker::projection_measure> measured;  // per projection, while building
    std::uint64_t saturations = 0;

    // Whichever buffer the mode uses, for checkpoints (a SpiNNaker slot is a
    // whole number, exact as a double).
    bool fixed() const { return fixed_buffer.n_slots() > 0; }
    std::size_t n_receptors() const {
        return fixed() ? fixed_buffer.n_receptors() : buffer.n_receptors();
    }
    std::size_t n_slots() const { return fixed() ? fixed_buffer.n_slots() : buffer.n_slots(); }
    double input_at(std::size_t r, step_type s, std::size_t i) const {
        return fixed() ? fixed_buffer.row(r, s)[i] : buffer.row(r, s)[i];
    }
    void set_input_at(std::size_t r, step_type s, std::size_t i, double v) {
        if (fixed())
            fixed_buffer.row(r, s)[i] = static_cast<std::uint16_t>(v);
        else
            buffer.row(r, s)[i] = v;
    }
};

namespace {
// The smallest and largest delay (ms) projection `proj` can give (+inf, -inf
// for a list without rows).
std::pair<double, double> delay_bounds(const projection_spec& proj) {
    if (proj.connector.k == connector_spec::kind::from_list && proj.connector.rows_have_weights) {
        double lo = std::numeric_limits<double>::infinity();
        double hi = -std::numeric_limits<double>::infinity();
        for (const auto& row : proj.connector.rows) {
            lo = std::min(lo, row.delay);
            hi = std::max(hi, row.delay);
        }
        return {lo, hi};
    }
    return {proj.synapse.delay.lower_bound(), proj.synapse.delay.upper_bound()};
}

void mark_populations(const view_spec& v, std::vector<bool>& out) {
    if (!v.is_assembly()) out.at(v.population) = true;
    for (const auto& part : v.parts)
        mark_populations(part, out);
}
}  // namespace

std::pair<double, double> resolve_delay_range(const model_spec& spec) {
    const double dt = spec.simulation.dt;
    double lo = std::numeric_limits<double>::infinity();
    double hi = -std::numeric_limits<double>::infinity();
    for (const auto& proj : spec.projections) {
        const auto [a, b] = delay_bounds(proj);
        lo = std::min(lo, a);
        hi = std::max(hi, b);
    }
    if (!std::isfinite(lo)) lo = dt;
    if (!std::isfinite(hi)) hi = lo;
    const double min_delay = spec.simulation.min_delay.value_or(std::max(lo, dt));
    const double max_delay = spec.simulation.max_delay.value_or(std::max(hi, min_delay));
    return {min_delay, max_delay};
}

delivery_plan plan_delivery(const model_spec& spec, const model_registry& models,
                            const delay_grid& grid) {
    const std::size_t n = spec.populations.size();
    constexpr step_type unset = -1, mixed = -2;
    std::vector<step_type> delay(n, unset);  // of every synapse from p so far
    bool plastic = false;
    for (const auto& proj : spec.projections) {
        std::vector<bool> from(n, false);
        mark_populations(proj.pre, from);
        const auto [lo, hi] = delay_bounds(proj);
        if (lo > hi) continue;  // no synapses
        step_type d = mixed;
        if (!proj.synapse.stdp && std::isfinite(lo) && std::isfinite(hi) &&
            grid.to_steps(lo) == grid.to_steps(hi))
            d = grid.to_steps(lo);
        plastic = plastic || proj.synapse.stdp.has_value();
        for (std::size_t p = 0; p < n; ++p)
            if (from[p]) delay[p] = delay[p] == unset || delay[p] == d ? d : mixed;
    }
    delivery_plan plan;
    plan.arrival_delay.assign(n, std::nullopt);
    bool pushed = plastic;
    for (std::size_t p = 0; p < n; ++p) {
        const model_entry* m = models.find(spec.populations[p].model);
        const bool generated = m && m->poisson && !spec.populations[p].record_spikes;
        if (!generated || delay[p] == unset) continue;
        if (delay[p] == mixed)
            pushed = true;
        else
            plan.arrival_delay[p] = delay[p];
    }
    plan.slots = grid.min_steps + (pushed ? grid.max_steps : 0);
    if (spec.spinnaker.enabled) {
        // Received spikes are always pushed, into the slots of the core's 16
        // delay steps (later stages wait in the delay extension); a
        // generated population of one delay is drawn at arrival if that
        // delay is on the core.
        for (auto& d : plan.arrival_delay)
            if (d && *d > spinnaker::core_delay_steps) d.reset();
        plan.slots =
            static_cast<step_type>(spinnaker::ring_buffer_slots(grid.min_steps, grid.max_steps));
    }
    return plan;
}

simulation::simulation(model_spec spec, const model_registry& models, communicator& comm,
                       int n_threads)
    : spec_(std::move(spec)), models_(models), comm_(comm) {
    if (n_threads < 1) throw error("--threads must be >= 1, got " + std::to_string(n_threads));
    // Every parallel region must get all n_threads (each owns its neurons,
    // and the run's barriers wait for all of them).
    if (n_threads > omp_get_thread_limit())
        throw error("--threads " + std::to_string(n_threads) +
                    " is more than OpenMP allows here (" + std::to_string(omp_get_thread_limit()) +
                    ", OMP_THREAD_LIMIT); ask for at most that many");
    omp_set_dynamic(0);
    part_ = partition{comm.size(), comm.rank(), n_threads};
    const double dt = spec_.simulation.dt;
    auto [min_delay, max_delay] = resolve_delay_range(spec_);
    if (spec_.spinnaker.enabled) {
        // Whole cores of at most 256 neurons are dealt to ranks and threads.
        std::vector<std::uint64_t> sizes;
        for (const auto& p : spec_.populations)
            sizes.push_back(p.size);
        part_ =
            partition{comm.size(), comm.rank(), n_threads, std::make_shared<const core_map>(sizes)};
        // The hardware's shortest delay is one step.
        min_delay = std::max(min_delay, dt);
        max_delay = std::max(max_delay, min_delay);
        grid_.at_least_one_step = true;
    }
    grid_.dt = dt;
    grid_.min_steps = std::max<step_type>(1, grid_.to_steps(min_delay));
    grid_.max_steps = std::max(grid_.min_steps, grid_.to_steps(max_delay));
    if (grid_.min_steps >= spike_word::max_interval_steps)
        throw error("min_delay of " + std::to_string(min_delay) + " ms is more than " +
                    std::to_string(spike_word::max_interval_steps) + " steps");
    if (spec_.spinnaker.enabled) spinnaker::check_model(spec_, models_);
    n_steps_ = static_cast<step_type>(std::llround(spec_.simulation.tstop / dt));
    // Synapses are built with 32-bit source gids (core/synapse_store.hpp).
    if (spec_.total_neurons() > std::numeric_limits<std::uint32_t>::max())
        throw error("the model has " + std::to_string(spec_.total_neurons()) +
                    " neurons; ganglion supports at most 2^32 - 1");
    gid_type first = 0;
    for (const auto& p : spec_.populations) {
        population_first_.push_back(first);
        first += p.size;
    }
    population_first_.push_back(first);
    resolve_views(spec_);
    spike_counts_.assign(spec_.populations.size(), 0);
    recorded_counts_.assign(spec_.populations.size(), 0);
    recorded_.assign(spec_.populations.size(), {});
    proj_synapses_.assign(spec_.projections.size(), 0);
    generated_.assign(spec_.populations.size(), std::nullopt);
    record_mask_.assign(spec_.populations.size(), {});
    for (std::size_t p = 0; p < spec_.populations.size(); ++p) {
        const auto& of = spec_.populations[p].record_spikes_of;
        if (!of) continue;
        record_mask_[p].assign(spec_.populations[p].size, 0);
        for (const auto i : *of)
            record_mask_[p].at(i) = 1;
    }
}

simulation::~simulation() = default;

double simulation::step_to_ms(step_type step) const {
    // With dt = 1/k ms (0.1, 0.25, 1, ...) divide by k: the result is the
    // correctly rounded decimal (28.2, not 282 * 0.1 = 28.200000000000003).
    const double per_ms = 1.0 / spec_.simulation.dt;
    if (std::abs(per_ms - std::round(per_ms)) < 1e-9 * per_ms)
        return static_cast<double>(step) / std::round(per_ms);
    return static_cast<double>(step) * spec_.simulation.dt;
}

namespace {
// Runs f(thread) on every thread in one parallel region; an exception on any
// thread is rethrown after the region (the first by thread number).
template <class F>
void parallel_threads(int n_threads, F&& f) {
    std::vector<std::exception_ptr> errors(n_threads);
#pragma omp parallel num_threads(n_threads)
    {
        const int t = omp_get_thread_num();
        try {
            f(t);
        } catch (...) {
            errors[t] = std::current_exception();
        }
    }
    for (auto& e : errors)
        if (e) std::rethrow_exception(e);
}
}  // namespace

namespace {
// Keeps the synapses of projection k a thread draws, for saving them as
// (pre index, post index, weight, delay).
class saver {
  public:
    saver(const model_spec& spec, std::size_t k, const thread_layout& layout,
          saved_connections& out)
        : pre_(spec, spec.projections[k].pre),
          post_(spec, spec.projections[k].post),
          layout_(layout),
          dt_(spec.simulation.dt),
          out_(out) {}
    void keep(const pending_synapse& s) const {
        const gid_type target = layout_.gid_at(target_code::index(s.target_code));
        out_.pre_index.push_back(pre_.find(s.source).value());
        out_.post_index.push_back(post_.find(target).value());
        out_.weight.push_back(s.weight);
        out_.delay.push_back(static_cast<double>(s.delay) * dt_);
    }

  private:
    resolved_view pre_, post_;
    const thread_layout& layout_;
    double dt_;
    saved_connections& out_;
};
}  // namespace

void simulation::build() {
    scoped_timer timer(timers_, phase::build);
    const int n_threads = part_.n_threads;
    threads_.clear();
    for (int t = 0; t < n_threads; ++t)
        threads_.push_back(std::make_unique<thread_state>(spec_, part_, t));

    std::vector<std::uint32_t> receptors(spec_.projections.size());
    std::size_t n_receptors = 1;
    for (const auto& pop : spec_.populations) {
        const model_entry* m = models_.find(pop.model);
        if (!m) throw error("unknown model " + pop.model);
        n_receptors = std::max(n_receptors, m->info.receptors.size());
    }
    for (std::size_t k = 0; k < spec_.projections.size(); ++k) {
        const auto& proj = spec_.projections[k];
        const auto& info = models_.find(spec_.populations[proj.post.population].model)->info;
        const int r = info.receptor_index(proj.receptor_type);
        if (r < 0)
            throw model_file_error("projections[" + std::to_string(k) + "].receptor_type",
                                   "unknown receptor type '" + proj.receptor_type + "'");
        receptors[k] = static_cast<std::uint32_t>(r);
    }

    rules_.clear();
    double tau_minus = 0;
    for (const auto& proj : spec_.projections) {
        rules_.push_back(proj.synapse.stdp.value_or(stdp_spec{}));
        if (proj.synapse.stdp) tau_minus = std::max(tau_minus, proj.synapse.stdp->tau_minus);
    }
    history_steps_ = static_cast<step_type>(std::ceil(40.0 * tau_minus / spec_.simulation.dt));

    positions_ = compute_positions(spec_);
    std::vector<std::vector<saved_connections>> saved_per_thread(
        n_threads, std::vector<saved_connections>(spec_.projections.size()));
    std::vector<std::vector<std::uint64_t>> per_thread(
        n_threads, std::vector<std::uint64_t>(spec_.projections.size(), 0));
    const bool fixed = spec_.spinnaker.enabled;
    if (fixed) check_spinnaker();
    plan_ = plan_delivery(spec_, models_, grid_);
    parallel_threads(n_threads, [&](int t) {
        thread_state& ts = *threads_[t];
        // SpiNNaker mode makes its shards once the left shifts are known.
        if (!fixed) make_shards(ts);
        if (fixed)
            ts.fixed_buffer = fixed_ring_buffer(n_receptors, static_cast<std::size_t>(plan_.slots),
                                                ts.layout.n_local());
        else
            ts.buffer = ring_buffer(n_receptors, static_cast<std::size_t>(plan_.slots),
                                    ts.layout.n_local());
        std::vector<pending_synapse> drawn;
        std::vector<plastic_store::pending> plastic;
        std::vector<std::uint32_t> incoming(ts.layout.n_local(), 0);
        auto is_static = [&](std::size_t k) { return !spec_.projections[k].synapse.stdp; };
        if (!fixed) {
            // Static synapses go straight into their rows, in two passes
            // (memory: the rows, not a list of every synapse as well): the
            // first draws only the (source, target) pairs and counts each
            // row's synapses, the second draws them again with their weights
            // and delays and puts each in its place.
            struct counter final : synapse_sink {
                synapse_store& store;
                explicit counter(synapse_store& s) : store(s) {}
                void put(const pending_synapse& s) override { store.count(s.source); }
            } count(ts.synapses);
            ts.synapses.start_counting(spec_.total_neurons());
            for (std::size_t k = 0; k < spec_.projections.size(); ++k)
                if (is_static(k))
                    draw_projection(spec_, k, receptors[k], ts.layout, grid_, positions_, count,
                                    draw_what::pairs_only);
            const std::uint64_t n_local = ts.layout.n_local();
            ts.synapses.start_placing(grid_.max_steps,
                                      static_cast<std::uint32_t>(n_local > 0 ? n_local - 1 : 0));
        } else {
            // SpiNNaker mode (static synapses only), also in two passes: the
            // first draws everything, counts each source's words and measures
            // what the left shifts need; spinnaker_synapses draws them again,
            // quantised, into their places.
            measure_spinnaker_synapses(ts, receptors, per_thread[t]);
            return;
        }
        struct placer final : synapse_sink {
            synapse_store& store;
            const saver* save = nullptr;
            placer(synapse_store& s) : store(s) {}
            void put(const pending_synapse& s) override {
                store.place(s);
                if (save) save->keep(s);
            }
        } place(ts.synapses);
        for (std::size_t k = 0; k < spec_.projections.size(); ++k) {
            if (is_static(k)) {
                std::optional<saver> save;
                if (spec_.projections[k].save_connections)
                    save.emplace(spec_, k, ts.layout, saved_per_thread[t][k]);
                place.save = save ? &*save : nullptr;
                per_thread[t][k] =
                    draw_projection(spec_, k, receptors[k], ts.layout, grid_, positions_, place);
                continue;
            }
            // Plastic: own weights per synapse, never shared runs; saved after the run.
            drawn.clear();
            per_thread[t][k] =
                draw_projection(spec_, k, receptors[k], ts.layout, grid_, positions_, drawn);
            for (const pending_synapse& s : drawn) {
                plastic.push_back({s.source,
                                   static_cast<std::uint32_t>(k),
                                   {s.target_code, s.delay, static_cast<double>(s.weight)}});
                ++incoming[target_code::index(s.target_code)];
            }
        }
        ts.synapses.finish();
        ts.plastic.build(spec_.total_neurons(), std::move(plastic));
        ts.history.reset(std::move(incoming));
    });
    if (fixed) {
        spinnaker_synapses(receptors, saved_per_thread);
        parallel_threads(n_threads, [&](int t) { make_shards(*threads_[t]); });
    }
    // State recording: one probe per thread and recorded population.
    probes_.clear();
    probes_.resize(n_threads);
    for (int t = 0; t < n_threads; ++t) {
        probes_[t].resize(spec_.populations.size());
        for (std::size_t p = 0; p < spec_.populations.size(); ++p) {
            const auto& pop = spec_.populations[p];
            if (pop.record_state.empty()) continue;
            auto probe = std::make_unique<state_probe>();
            population_shard& shard = *threads_[t]->shards[p];
            for (const auto& name : pop.record_state) {
                double* x = shard.state(name);
                if (!x && shard.size() > 0)
                    throw internal_error(pop.model + " cannot record " + name);
                probe->variables.push_back(x);
            }
            const double interval =
                pop.sampling_interval > 0 ? pop.sampling_interval : spec_.simulation.dt;
            probe->every = std::max<step_type>(1, grid_.to_steps(interval));
            const auto gids = threads_[t]->layout.owned_gids(p);
            for (std::size_t k = 0; k < gids.size(); ++k) {
                const std::uint64_t i = gids[k] - population_first_[p];
                const auto& of = pop.record_state_of;
                if (!of || std::binary_search(of->begin(), of->end(), i))
                    probe->cells.push_back(static_cast<std::uint32_t>(k));
            }
            shard.set_probe(probe.get());
            probes_[t][p] = std::move(probe);
        }
    }

    build_current_injections();

    // The Poisson sources each thread generates itself: those it has synapses from.
    parallel_threads(n_threads, [&](int t) {
        thread_state& ts = *threads_[t];
        for (std::size_t p = 0; p < spec_.populations.size(); ++p) {
            if (!generated_[p]) continue;
            std::vector<gid_type> gids;
            std::vector<poisson_drive::direct_synapse> direct;
            const synapse_store& syn = ts.synapses;
            for (gid_type g = population_first_[p]; g < population_first_[p + 1]; ++g) {
                if (!syn.has_row(g) && !ts.plastic.has_row(g) && !ts.words.has_row(g)) continue;
                gids.push_back(g);
                direct.emplace_back();
                // One static synapse here: the drive adds to its cell itself
                // (in SpiNNaker mode, if its delay is on the core: a longer
                // one goes through the delay extension).
                if (const auto one = ts.words.single(g);
                    one && one->delay <= static_cast<std::uint32_t>(spinnaker::core_delay_steps)) {
                    direct.back() = {one->index, one->receptor, one->delay,
                                     static_cast<float>(one->weight)};
                    continue;
                }
                if (!syn.has_row(g) || ts.plastic.has_row(g) ||
                    syn.run_end(g) - syn.run_begin(g) != 1)
                    continue;
                const synapse_store::run& r = syn.runs()[syn.run_begin(g)];
                if (r.count != 1) continue;
                const std::uint32_t code = syn.targets()[syn.syn_begin(g)];
                direct.back() = {target_code::index(code), target_code::receptor(code), r.delay,
                                 syn.weight(r, 0)};
            }
            // Drawn at arrival (plan_delivery): every synapse from the
            // population has the one delay (in SpiNNaker mode, add_population
            // checks the direct words; the other words are delivered with
            // that delay by fixed_deliver).
            std::optional<std::uint32_t> at_arrival;
            if (plan_.arrival_delay[p]) {
                at_arrival = static_cast<std::uint32_t>(*plan_.arrival_delay[p]);
                if (!fixed)  // (SpiNNaker mode's synapses are words, not runs)
                    for (const gid_type g : gids)
                        for (std::uint64_t r = syn.run_begin(g); r < syn.run_end(g); ++r)
                            if (syn.runs()[r].delay != *at_arrival)
                                throw internal_error(
                                    "a Poisson source drawn at arrival has another delay");
            }
            ts.drive.add_population(*generated_[p], gids, direct, at_arrival);
        }
    });
    for (int t = 0; t < n_threads; ++t)
        for (std::size_t k = 0; k < spec_.projections.size(); ++k)
            proj_synapses_[k] += per_thread[t][k];
    saved_.assign(spec_.projections.size(), {});
    for (int t = 0; t < n_threads; ++t)
        for (std::size_t k = 0; k < spec_.projections.size(); ++k) {
            auto& to = saved_[k];
            auto& from = saved_per_thread[t][k];
            to.pre_index.insert(to.pre_index.end(), from.pre_index.begin(), from.pre_index.end());
            to.post_index.insert(to.post_index.end(), from.post_index.begin(),
                                 from.post_index.end());
            to.weight.insert(to.weight.end(), from.weight.begin(), from.weight.end());
            to.delay.insert(to.delay.end(), from.delay.begin(), from.delay.end());
        }
    built_ = true;
}

void simulation::make_shards(thread_state& ts) {
    for (std::size_t p = 0; p < spec_.populations.size(); ++p) {
        const auto& pop = spec_.populations[p];
        const model_entry& m = *models_.find(pop.model);
        shard_context ctx;
        ctx.spec = &pop;
        ctx.population_index = p;
        ctx.first_gid = population_first_[p];
        ctx.gids = ts.layout.owned_gids(p);
        ctx.dt = spec_.simulation.dt;
        ctx.seed = spec_.simulation.seed;
        if (spec_.spinnaker.enabled && m.spinnaker) {
            ctx.input_shifts = shifts_.at(p);
            ts.shards.push_back(m.spinnaker->make(ctx));
        } else {
            ts.shards.push_back(m.make(ctx));
        }
        if (ts.layout.thread() == 0 && m.poisson && !pop.record_spikes)
            generated_[p] = m.poisson(ctx);
        // Initial values: constants, or draws keyed by gid.
        for (const auto& [name, value] : pop.initial_values) {
            double* x = ts.shards.back()->state(name);
            if (!x && !ctx.gids.empty()) throw internal_error(pop.model + " has no state " + name);
            std::uint64_t var = 0;
            while (var < m.info.state.size() && m.info.state[var].name != name)
                ++var;
            for (std::size_t i = 0; i < ctx.gids.size(); ++i) {
                if (value.is_constant()) {
                    x[i] = value.value;
                } else {
                    random_stream rs(ctx.seed, purpose::initial_value(p, var), ctx.gids[i]);
                    x[i] = rs.draw(value);
                }
            }
        }
    }
}

void simulation::check_spinnaker() const {
    spinnaker::check_model(spec_, models_);
}

double simulation::quantum_scale(std::size_t population, std::size_t receptor) const {
    const model_entry* m = models_.find(spec_.populations[population].model);
    const double ws = m->spinnaker ? m->spinnaker->weight_scale : 1.0;
    return ws * std::ldexp(1.0, 15 - shifts_.at(population).at(receptor));
}

void simulation::measure_spinnaker_synapses(thread_state& ts,
                                            const std::vector<std::uint32_t>& receptors,
                                            std::vector<std::uint64_t>& drawn) {
    // What this thread's synapses of each projection show, and each
    // source's words counted.
    constexpr std::uint64_t none = std::numeric_limits<std::uint64_t>::max();
    struct measurer final : synapse_sink {
        spinnaker::word_store& words;
        spinnaker::projection_measure m;
        std::vector<std::uint32_t> in_degree;
        measurer(spinnaker::word_store& w, std::size_t n_local) : words(w), in_degree(n_local) {}
        void put(const pending_synapse& s) override {
            words.count(s.source);
            m.max_abs_weight = std::max(m.max_abs_weight, std::abs(double{s.weight}));
            const std::uint32_t c = ++in_degree[target_code::index(s.target_code)];
            m.max_in_degree = std::max<std::uint64_t>(m.max_in_degree, c);
            m.min_delay_steps = std::min<std::uint64_t>(m.min_delay_steps, s.delay);
            m.max_delay_steps = std::max<std::uint64_t>(m.max_delay_steps, s.delay);
        }
    } measure(ts.words, ts.layout.n_local());
    ts.words.start(spec_.total_neurons(), ts.layout);
    ts.measured.assign(spec_.projections.size(), {});
    for (std::size_t k = 0; k < spec_.projections.size(); ++k) {
        measure.m = {};
        measure.m.min_delay_steps = none;
        std::fill(measure.in_degree.begin(), measure.in_degree.end(), 0u);
        drawn[k] = draw_projection(spec_, k, receptors[k], ts.layout, grid_, positions_, measure);
        ts.measured[k] = measure.m;
    }
}

void simulation::spinnaker_synapses(const std::vector<std::uint32_t>& receptors,
                                    std::vector<std::vector<saved_connections>>& saved_per_thread) {
    const std::size_t n_proj = spec_.projections.size();
    const int n_threads = part_.n_threads;
    constexpr std::uint64_t none = std::numeric_limits<std::uint64_t>::max();
    // 1. What was drawn (measure_spinnaker_synapses), per projection: reduced
    // over threads and ranks with max only (exact).
    std::vector<spinnaker::projection_measure> measured(n_proj);
    for (std::size_t k = 0; k < n_proj; ++k) {
        auto& m = measured[k];
        m.min_delay_steps = none;
        for (int t = 0; t < n_threads; ++t) {
            const auto& x = threads_[t]->measured[k];
            m.max_abs_weight = std::max(m.max_abs_weight, x.max_abs_weight);
            m.max_in_degree = std::max(m.max_in_degree, x.max_in_degree);
            m.min_delay_steps = std::min(m.min_delay_steps, x.min_delay_steps);
            m.max_delay_steps = std::max(m.max_delay_steps, x.max_delay_steps);
        }
        m.max_abs_weight = comm_.max(m.max_abs_weight);
        m.max_in_degree = comm_.max(m.max_in_degree);
        m.min_delay_steps = none - comm_.max(none - m.min_delay_steps);
        m.max_delay_steps = comm_.max(m.max_delay_steps);
    }

    // 2. The left shift of every receptor of every neuron population.
    shifts_.assign(spec_.populations.size(), {});
    for (std::size_t p = 0; p < spec_.populations.size(); ++p) {
        const model_entry* m = models_.find(spec_.populations[p].model);
        if (!m->spinnaker) continue;
        shifts_[p].assign(m->info.receptors.size(), 0);
        for (std::size_t r = 0; r < m->info.receptors.size(); ++r) {
            std::vector<spinnaker::projection_load> loads;
            for (std::size_t k = 0; k < n_proj; ++k) {
                const view_spec& post = spec_.projections[k].post;
                bool into = false;
                if (post.is_assembly()) {
                    for (const auto& part : post.parts)
                        into = into || part.population == p;
                } else {
                    into = post.population == p;
                }
                if (into && receptors[k] == r)
                    loads.push_back(spinnaker::load_of(spec_, models_, k, measured[k],
                                                       m->spinnaker->weight_scale));
            }
            shifts_[p][r] =
                spinnaker::left_shift(loads, spec_.simulation.dt, spec_.spinnaker.ring_buffer_sigma,
                                      spec_.spinnaker.spikes_per_second);
        }
    }

    // 3. The second pass: every synapse drawn again, its weight to 16 bits
    // (counting those rounded to zero or saturated), into its place.
    std::vector<std::vector<spinnaker::quantise_counts>> counts(
        n_threads, std::vector<spinnaker::quantise_counts>(n_proj));
    std::vector<std::vector<double>> scales(spec_.populations.size());
    for (std::size_t p = 0; p < scales.size(); ++p)
        for (std::size_t r = 0; r < shifts_[p].size(); ++r)
            scales[p].push_back(quantum_scale(p, r));
    parallel_threads(n_threads, [&](int t) {
        thread_state& ts = *threads_[t];
        std::vector<spinnaker::projection_measure>().swap(ts.measured);
        struct placer final : synapse_sink {
            const std::vector<std::vector<double>>& scales;
            thread_state& ts;
            spinnaker::quantise_counts* counts = nullptr;
            std::optional<saver> save;
            saved_connections* saved = nullptr;
            placer(const std::vector<std::vector<double>>& s, thread_state& t) : scales(s), ts(t) {}
            void put(const pending_synapse& s) override {
                const std::uint32_t li = target_code::index(s.target_code);
                const std::size_t p = ts.layout.population_at(li);
                const double scale = scales[p][target_code::receptor(s.target_code)];
                const std::uint32_t q = spinnaker::quantise(s.weight, scale, *counts);
                if (save) {
                    // Saved as the hardware holds it, in PyNN units and sign.
                    save->keep(s);
                    saved->weight.back() = std::copysign(q / scale, saved->weight.back());
                }
                pending_synapse word = s;
                word.weight = static_cast<float>(q);
                ts.words.place(word);
            }
        } place(scales, ts);
        ts.words.start_placing();
        for (std::size_t k = 0; k < n_proj; ++k) {
            place.counts = &counts[t][k];
            place.save.reset();
            place.saved = &saved_per_thread[t][k];
            if (spec_.projections[k].save_connections)
                place.save.emplace(spec_, k, ts.layout, saved_per_thread[t][k]);
            draw_projection(spec_, k, receptors[k], ts.layout, grid_, positions_, place);
        }
        ts.words.finish();
    });
    std::vector<std::uint64_t> totals(2 * n_proj, 0);
    for (int t = 0; t < n_threads; ++t)
        for (std::size_t k = 0; k < n_proj; ++k) {
            totals[2 * k] += counts[t][k].rounded_to_zero;
            totals[2 * k + 1] += counts[t][k].saturated;
        }
    comm_.sum_in_place(totals);
    quantised_.assign(n_proj, {});
    for (std::size_t k = 0; k < n_proj; ++k)
        quantised_[k] = {totals[2 * k], totals[2 * k + 1]};
}

std::uint64_t simulation::ring_buffer_saturations() const {
    std::uint64_t n = 0;
    for (const auto& ts : threads_)
        n += ts->saturations;
    return n;
}

void simulation::save_plastic_weights() {
    for (std::size_t k = 0; k < spec_.projections.size(); ++k) {
        const auto& proj = spec_.projections[k];
        if (!proj.synapse.stdp || !proj.save_connections) continue;
        const resolved_view pre(spec_, proj.pre);
        const resolved_view post(spec_, proj.post);
        saved_connections out;
        for (const auto& ts : threads_) {
            const plastic_store& ps = ts->plastic;
            const auto& index = ps.segment_index();
            for (gid_type g = 0; g + 1 < index.size(); ++g)
                for (std::uint64_t si = index[g]; si < index[g + 1]; ++si) {
                    const auto& seg = ps.segments()[si];
                    if (seg.rule != k) continue;
                    for (std::uint64_t i = seg.begin; i < seg.end; ++i) {
                        const auto& s = ps.synapses()[i];
                        const gid_type target =
                            ts->layout.gid_at(target_code::index(s.target_code));
                        out.pre_index.push_back(pre.find(g).value());
                        out.post_index.push_back(post.find(target).value());
                        out.weight.push_back(s.weight);
                        out.delay.push_back(static_cast<double>(s.delay) * spec_.simulation.dt);
                    }
                }
        }
        saved_[k] = std::move(out);
    }
}

void simulation::build_current_injections() {
    waveforms_.clear();
    injections_.clear();
    injections_.resize(part_.n_threads);
    for (auto& per_population : injections_)
        per_population.resize(spec_.populations.size());
    for (std::size_t i = 0; i < spec_.current_sources.size(); ++i) {
        const auto& entry = spec_.current_sources[i];
        waveforms_.push_back(std::make_unique<current_waveform>(
            entry.source, i, spec_.simulation.dt, spec_.simulation.seed));
        // This source's inputs per thread and population, built in view order.
        std::vector<std::vector<current_injection::input>> inputs(
            part_.n_threads, std::vector<current_injection::input>(spec_.populations.size()));
        const resolved_view view(spec_, entry.inject_into);
        std::vector<std::vector<std::vector<gid_type>>> owned(
            part_.n_threads, std::vector<std::vector<gid_type>>(spec_.populations.size()));
        for (std::uint64_t k = 0; k < view.size(); ++k) {
            const gid_type g = view.gid(k);
            if (!part_.is_local(g)) continue;
            const int t = part_.thread_of(g);
            const auto p = static_cast<std::size_t>(
                std::upper_bound(population_first_.begin(), population_first_.end(), g) -
                population_first_.begin() - 1);
            auto& gids = owned[t][p];
            if (gids.empty()) gids = threads_[t]->layout.owned_gids(p);
            const auto pos = std::lower_bound(gids.begin(), gids.end(), g) - gids.begin();
            auto& in = inputs[t][p];
            in.source = waveforms_.back().get();
            in.cells.push_back(static_cast<std::uint32_t>(pos));
            in.gids.push_back(g);
        }
        for (int t = 0; t < part_.n_threads; ++t)
            for (std::size_t p = 0; p < spec_.populations.size(); ++p) {
                if (inputs[t][p].cells.empty()) continue;
                auto& inj = injections_[t][p];
                if (!inj) inj = std::make_unique<current_injection>(threads_[t]->shards[p]->size());
                inj->add(std::move(inputs[t][p]));
            }
    }
    for (int t = 0; t < part_.n_threads; ++t)
        for (std::size_t p = 0; p < spec_.populations.size(); ++p)
            if (injections_[t][p]) threads_[t]->shards[p]->set_currents(injections_[t][p].get());
}

void simulation::interval_update(thread_state& ts, step_type first, step_type last) {
    ts.spikes.start_interval(first);
    for (std::size_t p = 0; p < ts.shards.size(); ++p) {
        if (generated_[p]) continue;  // generated where its synapses are
        const input_view in{&ts.buffer, ts.layout.populations()[p].offset, &ts.fixed_buffer};
        ts.shards[p]->update(first, last, in, ts.spikes);
    }
}

void simulation::exchange(step_type first) {
    local_words_.clear();
    for (const auto& ts : threads_)
        local_words_.insert(local_words_.end(), ts->spikes.words().begin(),
                            ts->spikes.words().end());
    comm_.allgather_spikes(local_words_, global_words_);
    // Delivery order (step, gid): the word order.
    std::sort(global_words_.begin(), global_words_.end());
    // The spikes whose synapses may still be arriving (for checkpoints).
    std::erase_if(recent_spikes_,
                  [&](const auto& sp) { return sp.first + grid_.max_steps < first; });
    for (const std::uint64_t w : global_words_)
        recent_spikes_.emplace_back(first + spike_word::lag(w), spike_word::gid(w));

    for (const std::uint64_t w : global_words_) {
        const gid_type g = spike_word::gid(w);
        const auto p = static_cast<std::size_t>(
            std::upper_bound(population_first_.begin(), population_first_.end(), g) -
            population_first_.begin() - 1);
        ++spike_counts_[p];
        // Position in the population's recorded spikes (only recorded neurons count).
        const bool recorded_neuron =
            record_mask_[p].empty() || record_mask_[p][g - population_first_[p]];
        const std::uint64_t index = recorded_neuron ? recorded_counts_[p]++ : 0;
        if (spec_.populations[p].record_spikes && part_.is_local(g) &&
            (record_mask_[p].empty() || record_mask_[p][g - population_first_[p]])) {
            auto& rec = recorded_[p];
            rec.index.push_back(index);
            rec.node_id.push_back(g - population_first_[p]);
            rec.time.push_back(step_to_ms(first + spike_word::lag(w) + 1));
        }
    }
}

void simulation::interval_deliver(thread_state& ts, step_type first, step_type last) {
    if (!ts.plastic.empty()) record_post_spikes(ts);
    if (spec_.spinnaker.enabled) {
        fixed_deliver(ts, first, last);
        return;
    }
    deliver_all(ts, global_words_, first);
    // The Poisson sources generated here, after the received spikes, in
    // (step, source) order, each source's spikes of a step at once (weight x
    // count; plastic synapses once per spike): no spike words, no merge, and
    // every buffer cell sums its inputs in the same order on every split.
    for (step_type s = first; s < last; ++s) {
        ts.drive.step(s, ts.buffer, [&](gid_type g, int k) {
            deliver_source(ts.synapses, ts.buffer, g, s, k);
            if (ts.plastic.has_row(g))
                for (int i = 0; i < k; ++i)
                    ts.plastic.deliver(g, s, rules_, grid_.dt, ts.history, ts.buffer);
        });
    }
    // What arrives in the next interval's steps, after everything above,
    // step by step while the step's row is in cache: each cell sums what was
    // pushed into it first, then the Poisson populations drawn at arrival
    // (in gid order), then the static synapses of received spikes in
    // (step, gid) order.
    for (step_type t = last; t < last + grid_.min_steps; ++t) {
        ts.drive.arrive(t, ts.buffer, [&](gid_type g, int k, step_type s) {
            deliver_source(ts.synapses, ts.buffer, g, s, k);
        });
        ts.arrivals.deliver(ts.synapses, ts.buffer, t, t + 1);
    }
}

void simulation::fixed_deliver(thread_state& ts, step_type first, step_type last) {
    // Everything that arrives before the end of the next interval is
    // delivered now (the slots hold D + 16 steps from `last` on), later
    // delay stages wait in the delay extension's queues. The order, the same
    // on every split (saturation counts depend on it, spikes do not): stages
    // of earlier received spikes, this interval's received spikes, stages of
    // earlier generated Poisson spikes, this interval's generated ones, each
    // in (step, gid) order; then what the Poisson populations drawn at
    // arrival (plan_delivery) add into each step of the next interval.
    const step_type until = last + grid_.min_steps;
    fixed_ring_buffer& buffer = ts.fixed_buffer;
    ts.received_later.deliver(ts.words, buffer, until, ts.saturations);
    ts.words.deliver_spikes(global_words_, first, buffer, ts.saturations, until,
                            &ts.received_later);
    ts.generated_later.deliver(ts.words, buffer, until, ts.saturations);
    for (step_type s = first; s < last; ++s)
        ts.drive.step(
            s, buffer,
            [&](gid_type g, int k) {
                ts.words.deliver(g, s, static_cast<std::uint32_t>(k), buffer, ts.saturations, until,
                                 &ts.generated_later);
            },
            &ts.saturations);
    for (step_type t = last; t < until; ++t)
        ts.drive.arrive(
            t, buffer,
            [&](gid_type g, int k, step_type s) {
                // Every word has the one delay t - s (stage 0): all arrive in step t.
                ts.words.deliver(g, s, static_cast<std::uint32_t>(k), buffer, ts.saturations);
            },
            &ts.saturations);
}

void simulation::deliver_all(thread_state& ts, const std::vector<std::uint64_t>& words,
                             step_type first) {
    // Static synapses arrive later (interval_deliver), plastic ones are
    // delivered now.
    ts.arrivals.add(ts.synapses, words, first, first);
    if (ts.plastic.empty()) return;
    // Plastic synapses after the static ones, both in word order: every
    // buffer cell sums its inputs in the same order for every split.
    for (const std::uint64_t w : words) {
        const gid_type g = spike_word::gid(w);
        if (ts.plastic.has_row(g))
            ts.plastic.deliver(g, first + spike_word::lag(w), rules_, grid_.dt, ts.history,
                               ts.buffer);
    }
    // Forget post spikes every synapse has paired and K- no longer needs.
    const step_type keep = first - grid_.max_steps - history_steps_;
    if (keep > 0 && first % (64 * grid_.min_steps) == 0) ts.history.drop_paired_before(keep);
}

void simulation::record_post_spikes(thread_state& ts) {
    // This thread's own spikes of the interval, in (step, gid) order.
    auto& words = ts.spikes.words();
    std::sort(words.begin(), words.end());
    const auto& pops = ts.layout.populations();
    for (const std::uint64_t w : words) {
        const gid_type g = spike_word::gid(w);
        const auto p = static_cast<std::size_t>(
            std::upper_bound(population_first_.begin(), population_first_.end(), g) -
            population_first_.begin() - 1);
        if (pops[p].count == 0) continue;
        const auto i = static_cast<std::uint32_t>(ts.layout.local_index(p, g));
        if (ts.history.needed(i)) ts.history.add(i, ts.spikes.first_step() + spike_word::lag(w));
    }
}

void simulation::run(step_type stop_at) {
    if (!built_) build();
    const step_type end = std::min(n_steps_, stop_at);
    bool last_interval = false;  // written by the master between the barriers only
    stopped_by_request_ = false;
    std::uint64_t intervals = 0;
    const auto wall_start = std::chrono::steady_clock::now();
    const int n_threads = part_.n_threads;
    const step_type D = grid_.min_steps;
    std::vector<std::exception_ptr> errors(n_threads);
    std::exception_ptr master_error;
    bool failed = false;  // written under the critical section
    bool stop = false;    // written by the master between the two barriers only
    const step_type start = step_;

    // Update and deliver are timed per thread (waiting at the barrier is not
    // counted: the slowest thread's time shows load imbalance), exchange on
    // the master thread.
    // The barriers draw Poisson words ahead while they wait (a chunk of 256
    // sources is ~2 us: the last thread to arrive waits that long at most).
    working_barrier barrier(n_threads);
#pragma omp parallel num_threads(n_threads)
    {
        const int t = omp_get_thread_num();
        thread_state& ts = *threads_[t];
        auto work_ahead = [&ts] { return ts.drive.work_ahead(256); };
        for (step_type first = start; first < end; first += D) {
            const step_type last = std::min(first + D, n_steps_);
            try {
                scoped_timer timer(ts.timers, phase::update);
                interval_update(ts, first, last);
            } catch (...) {
                errors[t] = std::current_exception();
#pragma omp critical(ganglion_failed)
                failed = true;
            }
            barrier.wait(work_ahead);
#pragma omp master
            {
                scoped_timer timer(timers_, phase::exchange);
                try {
#pragma omp critical(ganglion_failed)
                    stop = failed;
                    if (!stop) {
                        inject_fault(first, last);
                        exchange(first);
                        step_ = last;
                        if (progress_) report_progress(wall_start);
                        if (stop_request_ && ++intervals % stop_every_ == 0 && last < n_steps_) {
                            const std::uint64_t asked = stop_request_() ? 1 : 0;
                            if (comm_.max(asked) > 0) last_interval = stopped_by_request_ = true;
                        }
                    }
                } catch (...) {
                    master_error = std::current_exception();
                    stop = true;
                }
            }
            barrier.wait(work_ahead);
            if (stop) break;
            try {
                scoped_timer timer(ts.timers, phase::deliver);
                interval_deliver(ts, first, last);
            } catch (...) {
                errors[t] = std::current_exception();
#pragma omp critical(ganglion_failed)
                failed = true;
            }
            if (last_interval) break;
        }
    }
    for (const phase p : {phase::update, phase::deliver}) {
        double slowest = 0;
        for (const auto& ts : threads_)
            slowest = std::max(slowest, ts->timers.seconds(p));
        timers_.add(p, slowest);
    }
    for (auto& ts : threads_)
        ts->timers = phase_timers{};
    simulate_seconds_ +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    save_plastic_weights();
    if (master_error) std::rethrow_exception(master_error);
    for (auto& e : errors)
        if (e) std::rethrow_exception(e);
}

void simulation::report_progress(std::chrono::steady_clock::time_point start) {
    // Reading the clock every interval is cheap next to an exchange; the
    // callback runs at most every progress_every_ seconds and at the end.
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (step_ < n_steps_ && seconds < last_progress_ + progress_every_) return;
    last_progress_ = seconds;
    progress_(step_, n_steps_, seconds);
}

void simulation::inject_fault(step_type first, step_type last) const {
    if (!fault_ || fault_->rank != part_.rank || fault_->step < first || fault_->step >= last)
        return;
    if (fault_->k == fault_injection::kind::exit_process) std::_Exit(3);
    throw error("injected fault on rank " + std::to_string(part_.rank) + " at step " +
                std::to_string(fault_->step));
}

recorded_state simulation::state_record(std::size_t p, std::size_t variable) const {
    const auto& pop = spec_.populations.at(p);
    recorded_state r;
    if (pop.record_state_of) {
        r.node_ids = *pop.record_state_of;
    } else {
        r.node_ids.resize(pop.size);
        for (std::uint64_t i = 0; i < pop.size; ++i)
            r.node_ids[i] = i;
    }
    const std::size_t n_vars = pop.record_state.size();
    // This rank's cells over its threads, in node id order.
    struct cell {
        std::uint64_t node;
        int thread;
        std::size_t position;  // in the thread's probe
    };
    std::vector<cell> cells;
    step_type every = 1;
    for (int t = 0; t < part_.n_threads; ++t) {
        const state_probe* probe = probes_.at(t).at(p).get();
        if (!probe) continue;
        every = probe->every;
        const auto gids = threads_[t]->layout.owned_gids(p);
        for (std::size_t k = 0; k < probe->cells.size(); ++k)
            cells.push_back({gids[probe->cells[k]] - population_first_[p], t, k});
    }
    std::sort(cells.begin(), cells.end(),
              [](const cell& a, const cell& b) { return a.node < b.node; });
    r.n_times = static_cast<std::uint64_t>(step_ / every);
    r.t_step = step_to_ms(every);
    r.t_start = r.t_step;
    for (const cell& c : cells)
        r.local_columns.push_back(static_cast<std::uint64_t>(
            std::lower_bound(r.node_ids.begin(), r.node_ids.end(), c.node) - r.node_ids.begin()));
    r.local_data.resize(r.n_times * cells.size());
    for (std::size_t j = 0; j < cells.size(); ++j) {
        const state_probe& probe = *probes_[cells[j].thread][p];
        const std::size_t width = n_vars * probe.cells.size();  // values per sample
        for (std::uint64_t t = 0; t < r.n_times; ++t)
            r.local_data[t * cells.size() + j] =
                probe.samples[t * width + variable * probe.cells.size() + cells[j].position];
    }
    return r;
}

std::uint64_t simulation::local_synapses() const {
    std::uint64_t n = 0;
    for (const auto x : proj_synapses_)
        n += x;
    return n;
}

std::size_t simulation::synapse_bytes() const {
    std::size_t b = 0;
    for (const auto& ts : threads_)
        b += ts->synapses.bytes() + ts->plastic.bytes() + ts->words.bytes();
    return b;
}

std::size_t simulation::buffer_bytes() const {
    std::size_t b = 0;
    for (const auto& ts : threads_)
        b += ts->buffer.bytes() + ts->fixed_buffer.bytes();
    return b;
}

const synapse_store& simulation::synapses(int thread) const {
    return threads_.at(thread)->synapses;
}
const thread_layout& simulation::layout(int thread) const {
    return threads_.at(thread)->layout;
}
ring_buffer& simulation::buffer(int thread) {
    return threads_.at(thread)->buffer;
}
population_shard& simulation::shard(int thread, std::size_t population) {
    return *threads_.at(thread)->shards.at(population);
}

}  // namespace ganglion

namespace ganglion {

checkpoint_state simulation::capture() const {
    checkpoint_state c;
    c.step = static_cast<std::uint64_t>(step_);
    c.spike_counts = spike_counts_;
    c.recorded_counts = recorded_counts_;
    c.populations.resize(spec_.populations.size());
    c.n_receptors = threads_.empty() ? 0 : threads_[0]->n_receptors();
    c.n_slots = threads_.empty() ? 0 : threads_[0]->n_slots();
    for (std::size_t p = 0; p < spec_.populations.size(); ++p) {
        auto& part = c.populations[p];
        part.name = spec_.populations[p].name;
        part.model = spec_.populations[p].model;
        part.size = spec_.populations[p].size;
        for (int t = 0; t < part_.n_threads; ++t) {
            const population_shard& shard = *threads_[t]->shards[p];
            part.width = shard.checkpoint_width();
            const auto gids = threads_[t]->layout.owned_gids(p);
            std::vector<double> row(part.width);
            for (std::size_t i = 0; i < gids.size(); ++i) {
                shard.save_neuron(i, row.data());
                part.gids.push_back(gids[i]);
                part.values.insert(part.values.end(), row.begin(), row.end());
            }
            // State samples of the recorded cells, per cell [sample][variable].
            if (const state_probe* probe = probes_[t][p].get()) {
                const std::size_t n_vars = probe->variables.size();
                const std::size_t n_cells = probe->cells.size();
                const std::size_t n_samples =
                    n_cells > 0 && n_vars > 0 ? probe->samples.size() / (n_cells * n_vars) : 0;
                for (std::size_t k = 0; k < n_cells; ++k) {
                    part.probe_gids.push_back(gids[probe->cells[k]]);
                    for (std::size_t s = 0; s < n_samples; ++s)
                        for (std::size_t v = 0; v < n_vars; ++v)
                            part.probe_values.push_back(
                                probe->samples[(s * n_vars + v) * n_cells + k]);
                }
            }
        }
        const recorded_spikes& rec = recorded_[p];
        part.spike_index = rec.index;
        part.spike_node = rec.node_id;
        part.spike_time = rec.time;
    }
    // Spikes whose static synapses have not all arrived (every rank has all).
    for (const auto& [step, g] : recent_spikes_) {
        c.pending_steps.push_back(step);
        c.pending_gids.push_back(g);
    }
    for (const auto& ts : threads_) {
        // Pending input of every local neuron.
        for (std::uint64_t i = 0; i < ts->layout.n_local(); ++i) {
            c.buffer_gids.push_back(ts->layout.gid_at(i));
            for (std::size_t r = 0; r < ts->n_receptors(); ++r)
                for (std::size_t k = 0; k < ts->n_slots(); ++k)
                    c.buffer_values.push_back(
                        ts->input_at(r, step_ + static_cast<step_type>(k), i));
        }
        // Plastic synapses, traces and post history.
        const plastic_store& ps = ts->plastic;
        const auto& index = ps.segment_index();
        std::map<std::tuple<gid_type, std::uint32_t, gid_type>, std::uint32_t> seen;
        for (gid_type g = 0; g + 1 < index.size(); ++g)
            for (std::uint64_t si = index[g]; si < index[g + 1]; ++si) {
                const auto& seg = ps.segments()[si];
                c.traces.push_back({g, seg.rule, seg.k_plus, seg.t_last});
                for (std::uint64_t k = seg.begin; k < seg.end; ++k) {
                    const auto& s = ps.synapses()[k];
                    const gid_type target = ts->layout.gid_at(target_code::index(s.target_code));
                    const std::uint32_t occurrence = seen[{g, seg.rule, target}]++;
                    c.plastic.push_back({g, target, seg.rule, occurrence, s.weight});
                }
            }
        const auto& hist = ts->history.all();
        for (std::size_t i = 0; i < hist.size(); ++i) {
            if (hist[i].empty()) continue;
            c.history_gids.push_back(ts->layout.gid_at(i));
            c.history_counts.push_back(hist[i].size());
            for (const auto& e : hist[i]) {
                c.history_steps.push_back(e.step);
                c.history_paired.push_back(e.paired);
            }
        }
    }
    return c;
}

void simulation::restore(const std::vector<checkpoint_state>& parts) {
    if (!built_) build();
    if (parts.empty()) throw error("checkpoint: no parts to restore");
    const checkpoint_state& first = parts.front();
    step_ = static_cast<step_type>(first.step);
    spike_counts_ = first.spike_counts;
    recorded_counts_ = first.recorded_counts;
    if (first.populations.size() != spec_.populations.size() ||
        first.n_slots != static_cast<std::uint64_t>(threads_[0]->n_slots()) ||
        first.n_receptors != threads_[0]->n_receptors())
        throw error(
            "checkpoint: it was written for another network (populations or delays differ)");
    for (std::size_t p = 0; p < spec_.populations.size(); ++p) {
        const auto& pop = spec_.populations[p];
        const auto& part = first.populations[p];
        if (part.name != pop.name || part.model != pop.model || part.size != pop.size)
            throw error("checkpoint: population " + std::to_string(p) + " is " + part.name + " (" +
                        part.model + ", " + std::to_string(part.size) + " neurons) there, " +
                        pop.name + " (" + pop.model + ", " + std::to_string(pop.size) +
                        ") here: it was written for another network");
    }
    auto population_of = [&](gid_type g) {
        return static_cast<std::size_t>(
            std::upper_bound(population_first_.begin(), population_first_.end(), g) -
            population_first_.begin() - 1);
    };
    for (std::size_t p = 0; p < spec_.populations.size(); ++p) {
        recorded_[p] = {};
        std::vector<std::tuple<std::uint64_t, std::uint64_t, double>> spikes;
        // Per thread: the probe's samples by cell, to be re-laid out.
        std::vector<std::map<gid_type, const double*>> probe_rows(part_.n_threads);
        std::size_t probe_width = 0;
        for (const checkpoint_state& c : parts) {
            const auto& part = c.populations.at(p);
            for (std::size_t i = 0; i < part.gids.size(); ++i) {
                const gid_type g = part.gids[i];
                if (!part_.is_local(g)) continue;
                const int t = part_.thread_of(g);
                population_shard& shard = *threads_[t]->shards[p];
                if (shard.checkpoint_width() != part.width)
                    throw error("checkpoint: population " + spec_.populations[p].name +
                                " has another state layout");
                const auto& layout = threads_[t]->layout;
                const std::uint64_t pos = layout.local_index(p, g) - layout.populations()[p].offset;
                shard.load_neuron(pos, part.values.data() + i * part.width);
            }
            for (std::size_t i = 0; i < part.spike_node.size(); ++i)
                if (part_.is_local(population_first_[p] + part.spike_node[i]))
                    spikes.emplace_back(part.spike_index[i], part.spike_node[i],
                                        part.spike_time[i]);
            if (!part.probe_gids.empty()) {
                probe_width = part.probe_values.size() / part.probe_gids.size();
                for (std::size_t k = 0; k < part.probe_gids.size(); ++k) {
                    const gid_type g = part.probe_gids[k];
                    if (part_.is_local(g))
                        probe_rows[part_.thread_of(g)][g] =
                            part.probe_values.data() + k * probe_width;
                }
            }
        }
        std::sort(spikes.begin(), spikes.end());
        for (const auto& [index, node, time] : spikes) {
            recorded_[p].index.push_back(index);
            recorded_[p].node_id.push_back(node);
            recorded_[p].time.push_back(time);
        }
        for (int t = 0; t < part_.n_threads; ++t) {
            state_probe* probe = probes_[t][p].get();
            if (!probe) continue;
            const std::size_t n_vars = probe->variables.size();
            const std::size_t n_cells = probe->cells.size();
            const std::size_t n_samples = n_vars ? probe_width / n_vars : 0;
            probe->samples.assign(n_samples * n_vars * n_cells, 0.0);
            const auto gids = threads_[t]->layout.owned_gids(p);
            for (std::size_t k = 0; k < n_cells; ++k) {
                const auto it = probe_rows[t].find(gids[probe->cells[k]]);
                if (it == probe_rows[t].end())
                    throw error("checkpoint: no recorded samples of a recorded neuron");
                for (std::size_t s = 0; s < n_samples; ++s)
                    for (std::size_t v = 0; v < n_vars; ++v)
                        probe->samples[(s * n_vars + v) * n_cells + k] = it->second[s * n_vars + v];
            }
        }
    }
    // Pending input.
    const std::size_t per_neuron = first.n_receptors * first.n_slots;
    for (const checkpoint_state& c : parts)
        for (std::size_t i = 0; i < c.buffer_gids.size(); ++i) {
            const gid_type g = c.buffer_gids[i];
            if (!part_.is_local(g)) continue;
            thread_state& ts = *threads_[part_.thread_of(g)];
            const std::uint64_t idx = ts.layout.local_index(population_of(g), g);
            const double* v = c.buffer_values.data() + i * per_neuron;
            for (std::size_t r = 0; r < first.n_receptors; ++r)
                for (std::size_t k = 0; k < first.n_slots; ++k)
                    ts.set_input_at(r, step_ + static_cast<step_type>(k), idx, *v++);
        }
    // Spikes still arriving: their runs arriving before step_ + D are in the
    // buffer already (interval_deliver delivers one interval ahead).
    if (first.pending_steps.size() != first.pending_gids.size())
        throw error("checkpoint: the pending spikes are corrupt (steps and gids differ in number)");
    recent_spikes_.clear();
    for (std::size_t i = 0; i < first.pending_steps.size(); ++i) {
        const gid_type g = first.pending_gids[i];
        if (g >= population_first_.back())
            throw error("checkpoint: a pending spike's source " + std::to_string(g) +
                        " is not a neuron of this network");
        recent_spikes_.emplace_back(first.pending_steps[i], g);
    }
    const step_type not_before = step_ + grid_.min_steps;
    for (auto& ts : threads_) {
        ts->arrivals.clear();
        ts->received_later.clear();
        ts->generated_later.clear();
        if (!spec_.spinnaker.enabled) {
            for (const auto& [step, g] : recent_spikes_)
                ts->arrivals.add(ts->synapses, g, step, not_before);
            continue;
        }
        // The delay extension's queues as the run left them: the stages
        // arriving from step_ + D on, of the received spikes and of the
        // Poisson sources generated here (their counts drawn again), in
        // (step, gid) order.
        for (const auto& [step, g] : recent_spikes_)
            ts->words.defer(g, step, 1, not_before, ts->received_later);
        for (step_type s = std::max<step_type>(0, not_before - grid_.max_steps - 1); s < step_; ++s)
            for (std::size_t p = 0; p < spec_.populations.size(); ++p) {
                if (!generated_[p] || plan_.arrival_delay[p]) continue;  // never deferred
                for (gid_type g = population_first_[p]; g < population_first_[p + 1]; ++g)
                    if (ts->words.has_row(g))
                        if (const int k = generated_[p]->count(g, s); k > 0)
                            ts->words.defer(g, s, static_cast<std::uint32_t>(k), not_before,
                                            ts->generated_later);
            }
    }
    // Plastic synapses: find each by its key in the rebuilt stores.
    std::map<std::tuple<gid_type, std::uint32_t, gid_type, std::uint32_t>, double> weights;
    std::map<std::pair<gid_type, std::uint32_t>, std::pair<double, std::int64_t>> traces;
    for (const checkpoint_state& c : parts) {
        for (const auto& s : c.plastic)
            if (part_.is_local(s.target))
                weights[{s.source, s.projection, s.target, s.occurrence}] = s.weight;
        for (const auto& tr : c.traces)
            traces[{tr.source, tr.projection}] = {tr.k_plus, tr.t_last};
    }
    for (auto& ts : threads_) {
        plastic_store& ps = ts->plastic;
        const auto& index = ps.segment_index();
        std::map<std::tuple<gid_type, std::uint32_t, gid_type>, std::uint32_t> seen;
        for (gid_type g = 0; g + 1 < index.size(); ++g)
            for (std::uint64_t si = index[g]; si < index[g + 1]; ++si) {
                auto& seg = ps.segments()[si];
                const auto tr = traces.find({g, seg.rule});
                if (tr == traces.end())
                    throw error("checkpoint: a plastic synapse's trace is missing");
                seg.k_plus = tr->second.first;
                seg.t_last = tr->second.second;
                for (std::uint64_t k = seg.begin; k < seg.end; ++k) {
                    auto& s = ps.synapses()[k];
                    const gid_type target = ts->layout.gid_at(target_code::index(s.target_code));
                    const std::uint32_t occurrence = seen[{g, seg.rule, target}]++;
                    const auto w = weights.find({g, seg.rule, target, occurrence});
                    if (w == weights.end())
                        throw error("checkpoint: a plastic synapse is missing from it");
                    s.weight = w->second;
                }
            }
    }
    // Post-spike history.
    for (const checkpoint_state& c : parts) {
        std::size_t at = 0;
        for (std::size_t i = 0; i < c.history_gids.size(); ++i) {
            const gid_type g = c.history_gids[i];
            const std::size_t n = c.history_counts[i];
            if (part_.is_local(g)) {
                thread_state& ts = *threads_[part_.thread_of(g)];
                auto& h = ts.history.all()[ts.layout.local_index(population_of(g), g)];
                h.clear();
                for (std::size_t k = 0; k < n; ++k)
                    h.push_back({c.history_steps[at + k], c.history_paired[at + k]});
            }
            at += n;
        }
    }
}

}  // namespace ganglion
