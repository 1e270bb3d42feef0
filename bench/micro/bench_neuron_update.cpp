// Question: how many neuron updates per second does each model sustain?
//
// One item is one neuron advanced by one dt (0.1 ms), so items/s is neuron
// updates/s on one thread. Three ways in:
//   step/<model>/<n>      the model's `step` alone over n neurons, fed by
//                         input rows like a balanced network's (a few percent
//                         of neurons receive input in a step, VA weights),
//                         with an offset current that keeps the neurons
//                         firing irregularly (counter rate_Hz);
//   shard/<model>/<n>     the same model through the registry's `make` and
//                         `update`, one step per call (min_delay = dt as in
//                         VA and the microcircuit): adds what the engine does
//                         per step around `step` (the spike scan and the
//                         clear-on-read of the input rows). The step does
//                         the same arithmetic whatever the input values
//                         (only its branches on refractoriness and spiking
//                         depend on them), so the rows here stay zero and
//                         the offset current alone makes the neurons fire
//                         (regularly, ~19 Hz);
//   poisson/<rate>/<n>    SpikeSourcePoisson through `make` + `update`;
//   model/<name>/<n>      every neuron model in the registry through `make`
//                         + `update`, with its default parameters and a DC
//                         current source that makes it fire tonically
//                         (counter rate_Hz): the update cost of each model.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "core/current_source.hpp"
#include "core/model.hpp"
#include "core/ring_buffer.hpp"
#include "core/spike_buffer.hpp"
#include "models/if_cond_exp.hpp"
#include "models/if_curr_exp.hpp"
#include "models/registry.hpp"

namespace {

using namespace ganglion;

constexpr double dt = 0.1;  // ms

// Vogels-Abbott neuron parameters (PyNN's VAbenchmarks), plus an offset
// current that puts v_inf 1 mV above threshold (about 20 Hz without input).
parameter_values va_parameters(bool conductance) {
    parameter_values v;
    v.scalars = {{"cm", 0.2},         {"tau_m", 20.0},     {"v_rest", -60.0},
                 {"v_thresh", -50.0}, {"v_reset", -60.0},  {"tau_refrac", 5.0},
                 {"tau_syn_E", 5.0},  {"tau_syn_I", 10.0}, {"i_offset", 0.11}};
    if (conductance) {
        v.scalars["e_rev_E"] = 0.0;
        v.scalars["e_rev_I"] = -80.0;
    }
    return v;
}

// Input rows as a VA neuron sees them at ~5 Hz: 64 excitatory and 16
// inhibitory sources, so an excitatory input in 3.2% of steps and an
// inhibitory one in 0.8%. Weights: VA COBA (uS) or CUBA (nA). A pool of
// rows bounds the memory; each pass over the pool reads it at a different
// offset, so that no neuron gets the same input every pass (which would
// drive a few neurons at their maximum rate and silence others).
struct input_rows {
    static constexpr std::size_t n_rows = 16;
    static constexpr std::size_t max_shift = 4096;  // neurons; a multiple of 8 (alignment)
    std::vector<std::vector<double>> exc, inh;

    input_rows(std::size_t n, double w_exc, double w_inh) : exc(n_rows), inh(n_rows) {
        std::mt19937_64 rng(42);
        std::bernoulli_distribution e(0.032), i(0.008);
        for (std::size_t r = 0; r < n_rows; ++r) {
            exc[r].assign(n + max_shift, 0.0);
            inh[r].assign(n + max_shift, 0.0);
            for (std::size_t k = 0; k < n + max_shift; ++k) {
                if (e(rng)) exc[r][k] = w_exc;
                if (i(rng)) inh[r][k] = w_inh;
            }
        }
    }
    const double* row(std::size_t receptor, std::size_t step) const {
        const std::size_t pass = step / n_rows;
        const std::size_t shift = (pass * 2654435761u) % (max_shift / 8) * 8;
        return (receptor == 0 ? exc : inh)[step % n_rows].data() + shift;
    }
};

template <class M>
constexpr bool is_conductance = std::is_same_v<M, models::if_cond_exp>;

void randomise_v(double* v, std::size_t n) {
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> u(-60.0, -50.0);
    for (std::size_t k = 0; k < n; ++k)
        v[k] = u(rng);
}

// n neurons of model M with their input, settled into their steady firing
// (untimed, and done once per size: Google Benchmark calls a benchmark
// several times while it chooses the iteration count).
template <class M>
struct prepared {
    typename M::parameters p;
    typename M::derived d;
    typename M::state s;
    input_rows in;
    std::vector<double> no_current;  // injected current row, nA
    std::size_t t = 0;
    double rate_hz = 0;

    explicit prepared(std::size_t n)
        : p(M::parameters::from(va_parameters(is_conductance<M>))),
          d(p, dt),
          in(is_conductance<M> ? input_rows(n, 0.004, 0.051)     // uS
                               : input_rows(n, 0.0162, -0.09)),  // nA
          no_current(n, 0.0) {
        s.resize(n, p);
        randomise_v(s.v.data(), n);
        std::vector<std::uint8_t> spiked(n, 0);
        for (int k = 0; k < 500; ++k)
            advance(spiked.data(), n);
        std::uint64_t spikes = 0;
        constexpr int rate_steps = 1000;
        for (int k = 0; k < rate_steps; ++k) {
            advance(spiked.data(), n);
            for (std::size_t i = 0; i < n; ++i)
                spikes += spiked[i];
        }
        rate_hz = static_cast<double>(spikes) / static_cast<double>(n * rate_steps) / (dt * 1e-3);
    }
    void advance(std::uint8_t* spiked, std::size_t n) {
        const double* rows[3] = {in.row(0, t), in.row(1, t), no_current.data()};
        M::step(p, d, s, rows, spiked, n);
        ++t;
    }
    static prepared& get(std::size_t n) {
        static std::map<std::size_t, std::unique_ptr<prepared>> cache;
        auto& slot = cache[n];
        if (!slot) slot = std::make_unique<prepared>(n);
        return *slot;
    }
};

template <class M>
void step(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    auto& net = prepared<M>::get(n);
    std::vector<std::uint8_t> spiked(n, 0);
    for (auto _ : state) {
        net.advance(spiked.data(), n);
        benchmark::DoNotOptimize(net.s.v.data());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
    state.counters["rate_Hz"] = net.rate_hz;
    state.counters["state_bytes"] = static_cast<double>(n * (3 * sizeof(double) + 4 + 1));
}

// A shard of `n` neurons of `spec`, all owned by this thread.
std::unique_ptr<population_shard> make_shard(const model_registry& registry,
                                             const population_spec& spec) {
    shard_context ctx;
    ctx.spec = &spec;
    ctx.dt = dt;
    ctx.seed = 12345;
    ctx.gids.resize(spec.size);
    for (std::size_t k = 0; k < spec.size; ++k)
        ctx.gids[k] = k;
    return registry.find(spec.model)->make(ctx);
}

void shard(benchmark::State& state, const std::string& model) {
    const auto n = static_cast<std::size_t>(state.range(0));
    model_registry registry;
    register_standard_models(registry);
    population_spec spec;
    spec.name = "p";
    spec.model = model;
    spec.size = n;
    spec.parameters = va_parameters(model == "IF_cond_exp");
    auto pop = make_shard(registry, spec);
    randomise_v(pop->state("v"), n);
    // D + max_delay slots for a VA-like grid (D = 1, max delay 1 step).
    ring_buffer buffer(2, 2, n);
    const input_view in{&buffer, 0};
    spike_buffer out;
    step_type s = 0;
    std::uint64_t spikes = 0;
    for (; s < 1000; ++s) {  // untimed settling
        out.start_interval(s);
        pop->update(s, s + 1, in, out);
    }
    for (auto _ : state) {
        out.start_interval(s);
        pop->update(s, s + 1, in, out);
        spikes += out.words().size();
        ++s;
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
    state.counters["rate_Hz"] =
        static_cast<double>(spikes) / static_cast<double>(n * state.iterations()) / (dt * 1e-3);
}

void poisson(benchmark::State& state) {
    const double rate = static_cast<double>(state.range(0));
    const auto n = static_cast<std::size_t>(state.range(1));
    model_registry registry;
    register_standard_models(registry);
    population_spec spec;
    spec.name = "noise";
    spec.model = "SpikeSourcePoisson";
    spec.size = n;
    spec.parameters.scalars["rate"] = rate;
    auto pop = make_shard(registry, spec);
    spike_buffer out;
    step_type s = 0;
    std::uint64_t spikes = 0;
    for (auto _ : state) {
        out.start_interval(s);
        pop->update(s, s + 1, input_view{}, out);
        spikes += out.words().size();
        ++s;
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
    state.counters["rate_Hz"] =
        static_cast<double>(spikes) / static_cast<double>(n * state.iterations()) / (dt * 1e-3);
}

// A DC current (nA) that makes each model fire tonically with its defaults.
double tonic_current(const std::string& model) {
    if (model == "Izhikevich") return 0.01;      // 10 mV/ms
    if (model == "Izhikevich_cond") return 0.1;  // 100 pA, twice the rheobase
    if (model == "ConnorStevens") return 0.1;    // rheobase 0.058 nA on the default soma
    if (model == "WangBuzsaki") return 0.01;     // rheobase 0.0011 nA
    return 1.0;  // the IF, AdEx and HH cells with PyNN's defaults: above rheobase
}

void any_model(benchmark::State& state, const std::string& model) {
    const auto n = static_cast<std::size_t>(state.range(0));
    model_registry registry;
    register_standard_models(registry);
    population_spec spec;
    spec.name = "p";
    spec.model = model;
    spec.size = n;
    auto pop = make_shard(registry, spec);
    if (double* v = pop->state("v")) {
        std::mt19937_64 rng(7);
        std::uniform_real_distribution<double> jitter(0.0, 1.0);
        for (std::size_t k = 0; k < n; ++k)
            v[k] += jitter(rng);  // desynchronise a little
    }
    current_source_spec dc;
    dc.amplitude = tonic_current(model);
    const current_waveform wave(dc, 0, dt, 1);
    current_injection currents(n);
    current_injection::input in_all{&wave, {}, {}};
    for (std::size_t k = 0; k < n; ++k) {
        in_all.cells.push_back(static_cast<std::uint32_t>(k));
        in_all.gids.push_back(k);
    }
    currents.add(std::move(in_all));
    pop->set_currents(&currents);
    const std::size_t receptors = registry.find(model)->info.receptors.size();
    ring_buffer buffer(receptors, 2, n);
    const input_view in{&buffer, 0};
    spike_buffer out;
    step_type s = 0;
    for (; s < 1000; ++s) {  // untimed settling
        out.start_interval(s);
        pop->update(s, s + 1, in, out);
    }
    std::uint64_t spikes = 0;
    for (auto _ : state) {
        out.start_interval(s);
        pop->update(s, s + 1, in, out);
        spikes += out.words().size();
        ++s;
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
    state.counters["rate_Hz"] =
        static_cast<double>(spikes) / static_cast<double>(n * state.iterations()) / (dt * 1e-3);
}

void sizes(benchmark::internal::Benchmark* b) {
    for (const std::int64_t n : {1'000, 10'000, 100'000})
        b->Arg(n);
    b->ArgName("n");
}

BENCHMARK(step<models::if_curr_exp>)->Name("step/IF_curr_exp")->Apply(sizes);
BENCHMARK(step<models::if_cond_exp>)->Name("step/IF_cond_exp")->Apply(sizes);
BENCHMARK_CAPTURE(shard, IF_curr_exp, "IF_curr_exp")->Name("shard/IF_curr_exp")->Apply(sizes);
BENCHMARK_CAPTURE(shard, IF_cond_exp, "IF_cond_exp")->Name("shard/IF_cond_exp")->Apply(sizes);
BENCHMARK(poisson)
    ->Name("poisson/SpikeSourcePoisson")
    ->ArgNames({"rate_Hz", "n"})
    ->ArgsProduct({{8, 100}, {1'000, 10'000, 100'000}});

}  // namespace

int main(int argc, char** argv) {
    model_registry registry;
    register_standard_models(registry);
    for (const auto& name : registry.names()) {
        if (registry.find(name)->info.is_source) continue;
        benchmark::RegisterBenchmark(("model/" + name).c_str(), any_model, name)
            ->Arg(10'000)
            ->ArgName("n");
    }
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
