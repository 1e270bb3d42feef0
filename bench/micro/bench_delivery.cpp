// Question: how many synaptic events per second does delivery sustain?
//
// One item is one synaptic event: a weight added into a ring buffer slot by
// `deliver_spikes`, so items/s is events/s on one thread that owns all the
// targets. Two networks:
//   vogels_abbott   4000 targets (3200 excitatory, 800 inhibitory sources =
//                   the targets), p = 2% (80 synapses per row and per
//                   target), 2 receptors, every delay 1 step (D = 1),
//                   constant weights (0.004 / 0.051 uS: each run stores one
//                   shared weight); ~20 Hz, so about 8 spikes per 0.1 ms step;
//   microcircuit    20000 targets of a 77000-neuron network (Potjans-Diesmann
//                   sized; 80% excitatory sources), in-degree 2000 (about
//                   520 local synapses per source row), delays 1-30 steps
//                   (0.1-3 ms), D = 1, weights 87.8 pA / -351 pA with a 10%
//                   normal spread as in the model (a weight per synapse),
//                   ~4 Hz, so about 31 spikes per step.
// The spikes of each interval are drawn once (uniform over the sources) and
// reused cyclically; the interval's first step advances every iteration so
// the writes walk through the ring buffer's slots as in a run.
// deliver_fixed/...: the same synapses in SpiNNaker mode (core/spinnaker.hpp):
// 16-bit weights in 32-bit words, rows per source, core of 256 and delay
// stage, saturating slots (which never saturate here).
// Counters: the synapse store's and the ring buffer's bytes.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include "core/deliver.hpp"
#include "core/layout.hpp"
#include "core/ring_buffer.hpp"
#include "core/spike_buffer.hpp"
#include "core/spinnaker.hpp"
#include "core/synapse_store.hpp"

namespace {

using namespace ganglion;

struct network {
    std::uint64_t n_sources;
    std::uint64_t n_targets;
    std::uint64_t in_degree;
    double excitatory_fraction;          // of the sources, lowest gids
    std::uint32_t min_delay, max_delay;  // steps; min_delay is D
    double rate_hz;
    double w_exc, w_inh;  // mean weights
    double w_spread;      // standard deviation / mean (0: constant)
};

constexpr network vogels_abbott{4000, 4000, 80, 0.8, 1, 1, 20.0, 0.004, 0.051, 0.0};
constexpr network microcircuit{77000, 20000, 2000, 0.8, 1, 30, 4.0, 0.0878, -0.3512, 0.1};
// One thread's half of the full microcircuit on 2 threads: its 38 600
// targets with their whole in-degree (3 900), ~3 Hz (23 spikes a step).
constexpr network microcircuit_half{77000, 38600, 3900, 0.8, 1, 40, 3.0, 0.0878, -0.3512, 0.1};
constexpr network microcircuit_half16{77000, 38600, 3900, 0.8, 1, 16, 3.0, 0.0878, -0.3512, 0.1};

// Synapses drawn per target (sources uniform, with repetition, as a fixed
// in-degree rule allows), delays uniform in steps.
std::vector<pending_synapse> make_synapses(const network& net) {
    std::mt19937_64 rng(1);
    std::uniform_int_distribution<gid_type> source(0, net.n_sources - 1);
    std::uniform_int_distribution<std::uint32_t> delay(net.min_delay, net.max_delay);
    std::normal_distribution<double> spread(1.0, net.w_spread);
    const auto n_exc = static_cast<gid_type>(net.excitatory_fraction * net.n_sources);
    std::vector<pending_synapse> pending;
    pending.reserve(net.n_targets * net.in_degree);
    for (std::uint32_t t = 0; t < net.n_targets; ++t)
        for (std::uint64_t k = 0; k < net.in_degree; ++k) {
            const auto g = static_cast<std::uint32_t>(source(rng));  // sources < 2^32
            const std::uint32_t receptor = g < n_exc ? 0 : 1;
            const double w =
                (receptor == 0 ? net.w_exc : net.w_inh) * (net.w_spread > 0 ? spread(rng) : 1.0);
            pending.push_back(
                {g, target_code::make(t, receptor), static_cast<float>(w), delay(rng)});
        }
    return pending;
}

synapse_store make_store(const network& net) {
    synapse_store store;
    store.build(net.n_sources, make_synapses(net));
    return store;
}

// SpiNNaker mode: the targets are one population cut into cores of 256;
// every weight one unit (the delivery's cost does not depend on the value).
struct fixed_store {
    model_spec spec;
    thread_layout layout;
    spinnaker::word_store words;
    explicit fixed_store(const network& net)
        : spec(make_spec(net)),
          layout(spec,
                 partition{
                     1, 0, 1,
                     std::make_shared<const core_map>(std::vector<std::uint64_t>{net.n_targets})},
                 0) {
        auto pending = make_synapses(net);
        spinnaker::quantise_counts counts;
        for (auto& s : pending)
            s.weight = static_cast<float>(spinnaker::quantise(1.0, 1.0, counts));
        words.build(net.n_sources, layout, std::move(pending));
    }
    static model_spec make_spec(const network& net) {
        model_spec s;
        population_spec p;
        p.name = "targets";
        p.model = "IF_curr_exp";
        p.size = net.n_targets;
        s.populations.push_back(p);
        return s;
    }
};

// `n_intervals` intervals of D steps: sorted spike words, Poisson numbers of
// spikes from uniformly chosen sources.
std::vector<std::vector<std::uint64_t>> make_spikes(const network& net, std::size_t n_intervals) {
    std::mt19937_64 rng(2);
    std::uniform_int_distribution<gid_type> source(0, net.n_sources - 1);
    const double per_step = static_cast<double>(net.n_sources) * net.rate_hz * 1e-4;  // dt 0.1 ms
    std::poisson_distribution<int> count(per_step);
    std::vector<std::vector<std::uint64_t>> out(n_intervals);
    for (auto& words : out) {
        for (std::uint32_t lag = 0; lag < net.min_delay; ++lag)
            for (int k = count(rng); k > 0; --k)
                words.push_back(spike_word::pack(source(rng), lag));
        std::sort(words.begin(), words.end());
    }
    return out;
}

// Google Benchmark calls a benchmark several times while it finds the
// iteration count; the stores (the microcircuit's is 40 M synapses) are
// built once.
const synapse_store& store_of(const network& net) {
    if (&net == &vogels_abbott) {
        static const synapse_store va = make_store(vogels_abbott);
        return va;
    }
    if (&net == &microcircuit_half) {
        static const synapse_store half = make_store(microcircuit_half);
        return half;
    }
    static const synapse_store mc = make_store(microcircuit);
    return mc;
}

// The counters both delivery benchmarks report: events, events per spike,
// and the store's size.
template <class Store>
void report(benchmark::State& state, std::uint64_t events, std::size_t spike_count,
            const Store& store) {
    state.SetItemsProcessed(static_cast<std::int64_t>(events));
    state.counters["events_per_spike"] =
        spike_count ? static_cast<double>(events) / static_cast<double>(spike_count) : 0.0;
    state.counters["synapses"] = static_cast<double>(store.size());
    state.counters["synapse_bytes"] = static_cast<double>(store.bytes());
    state.counters["bytes_per_synapse"] =
        static_cast<double>(store.bytes()) / static_cast<double>(store.size());
}

void deliver(benchmark::State& state, const network& net) {
    const synapse_store& store = store_of(net);
    const auto spikes = make_spikes(net, 1000);
    // D + max_delay slots (core/ring_buffer.hpp), 2 receptors.
    ring_buffer buffer(2, net.min_delay + net.max_delay, net.n_targets);
    std::uint64_t events = 0;
    std::size_t spike_count = 0;
    step_type first = 0;
    std::size_t i = 0;
    for (auto _ : state) {
        const auto& words = spikes[i];
        events += deliver_spikes(store, buffer, words, first);
        spike_count += words.size();
        first += net.min_delay;
        i = i + 1 == spikes.size() ? 0 : i + 1;
    }
    benchmark::DoNotOptimize(buffer.data().data());
    report(state, events, spike_count, store);
    state.counters["ring_buffer_bytes"] = static_cast<double>(buffer.bytes());
}

// The engine's way (simulation::interval_deliver): each interval's spikes
// join an arrival_queue, which then adds the runs arriving in the next
// interval; the update between is stood in for by reading and clearing the
// step's rows and sweeping `state_bytes` of neuron state (IF_curr_exp: about
// 40 bytes a neuron), so that the caches see what they see in a run. With
// nothing pushed at emission the engine's buffer holds D slots
// (plan_delivery), as here.
void deliver_arrivals(benchmark::State& state, const network& net) {
    const synapse_store& store = store_of(net);
    const auto spikes = make_spikes(net, 1000);
    ring_buffer buffer(2, net.min_delay, net.n_targets);
    std::vector<double> neuron_state(5 * net.n_targets, 1.0);
    arrival_queue queue;
    std::uint64_t events = 0;
    std::size_t spike_count = 0;
    step_type first = 0;
    std::size_t i = 0;
    double sink = 0;
    for (auto _ : state) {
        // The "update" of the interval's steps.
        for (step_type s = first; s < first + net.min_delay; ++s)
            for (std::size_t r = 0; r < 2; ++r) {
                double* row = buffer.row(r, s);
                for (std::size_t n = 0; n < net.n_targets; ++n) {
                    neuron_state[5 * n + r] += row[n];
                    row[n] = 0;
                }
            }
        const auto& words = spikes[i];
        const step_type last = first + net.min_delay;
        queue.add(store, words, first, last);
        events += queue.deliver(store, buffer, last, last + net.min_delay);
        spike_count += words.size();
        first = last;
        i = i + 1 == spikes.size() ? 0 : i + 1;
    }
    for (const double x : neuron_state)
        sink += x;
    benchmark::DoNotOptimize(sink);
    report(state, events, spike_count, store);
    state.counters["ring_buffer_bytes"] = static_cast<double>(buffer.bytes());
}

const fixed_store& fixed_store_of(const network& net) {
    if (&net == &vogels_abbott) {
        static const fixed_store va(vogels_abbott);
        return va;
    }
    if (&net == &microcircuit_half) {
        static const fixed_store h(microcircuit_half);
        return h;
    }
    if (&net == &microcircuit_half16) {
        static const fixed_store h(microcircuit_half16);
        return h;
    }
    static const fixed_store mc(microcircuit);
    return mc;
}

// SpiNNaker mode, whole spikes into D + max_delay slots (`extension`
// false), or as the engine delivers (core/simulation.cpp fixed_deliver): with
// the delay extension, into D + 16 slots, each interval delivering the stages
// due before the end of the next one and queueing the rest.
void deliver_fixed_with(benchmark::State& state, const network& net, bool extension) {
    const spinnaker::word_store& store = fixed_store_of(net).words;
    const auto spikes = make_spikes(net, 1000);
    const std::size_t n_slots = extension
                                    ? spinnaker::ring_buffer_slots(net.min_delay, net.max_delay)
                                    : net.min_delay + net.max_delay;
    fixed_ring_buffer buffer(2, n_slots, net.n_targets);
    spinnaker::delay_extension later;
    std::uint64_t events = 0, saturations = 0, iteration = 0;
    std::size_t spike_count = 0;
    step_type first = 0;
    std::size_t i = 0;
    for (auto _ : state) {
        const auto& words = spikes[i];
        if (extension) {
            const step_type until = first + 2 * static_cast<step_type>(net.min_delay);
            events += later.deliver(store, buffer, until, saturations);
            events += store.deliver_spikes(words, first, buffer, saturations, until, &later);
        } else {
            events += store.deliver_spikes(words, first, buffer, saturations);
        }
        spike_count += words.size();
        first += net.min_delay;
        // Every weight is one unit, and the slots are cleared every 2^16
        // intervals (a negligible cost), so they never saturate.
        if ((++iteration & 0xFFFF) == 0)
            std::fill(buffer.data().begin(), buffer.data().end(), std::uint16_t{0});
        i = i + 1 == spikes.size() ? 0 : i + 1;
    }
    benchmark::DoNotOptimize(buffer.data().data());
    report(state, events, spike_count, store);
    state.counters["saturations"] = static_cast<double>(saturations);
    state.counters["ring_buffer_bytes"] = static_cast<double>(buffer.bytes());
}

void deliver_fixed(benchmark::State& state, const network& net) {
    deliver_fixed_with(state, net, false);
}
void deliver_fixed_extension(benchmark::State& state, const network& net) {
    deliver_fixed_with(state, net, true);
}

BENCHMARK_CAPTURE(deliver, vogels_abbott, vogels_abbott)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(deliver_fixed_extension, vogels_abbott, vogels_abbott)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(deliver_fixed_extension, microcircuit_half, microcircuit_half)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(deliver_fixed, vogels_abbott, vogels_abbott)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(deliver_fixed, microcircuit, microcircuit)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(deliver_fixed, microcircuit_half, microcircuit_half)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(deliver_fixed, microcircuit_half16, microcircuit_half16)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(deliver, microcircuit, microcircuit)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(deliver_arrivals, vogels_abbott, vogels_abbott)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(deliver_arrivals, microcircuit, microcircuit)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(deliver, microcircuit_half, microcircuit_half)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(deliver_arrivals, microcircuit_half, microcircuit_half)
    ->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
