// Current sources (core/current_source.cpp) injected through the engine:
// DCSource charges IF_curr_exp exactly as the membrane equation says; a DC
// source gives every model the same numbers as its i_offset; step and AC
// waveforms sit on the grid as documented; noise is a pure function of
// (source, gid, interval) with the asked mean and deviation, identical for
// any thread split; a random sample can be recorded.

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "comm/serial_communicator.hpp"
#include "core/connect.hpp"
#include "core/current_source.hpp"
#include "core/simulation.hpp"
#include "models/registry.hpp"

namespace ganglion {
namespace {

model_registry standard() {
    model_registry r;
    register_standard_models(r);
    return r;
}

model_spec one_population(const std::string& model, std::uint64_t size, double tstop) {
    model_spec spec;
    spec.simulation.dt = 0.1;
    spec.simulation.tstop = tstop;
    population_spec p;
    p.name = "cells";
    p.model = model;
    p.size = size;
    p.record_state = {"v"};
    spec.populations.push_back(p);
    return spec;
}

current_source_entry source(current_source_spec s, std::optional<std::vector<std::uint64_t>> of) {
    current_source_entry e;
    e.source = std::move(s);
    e.inject_into.population = 0;
    e.inject_into.indices = std::move(of);
    return e;
}

// v[t][cell] after run.
std::vector<double> run_v(const model_spec& spec, int threads) {
    const model_registry models = standard();
    serial_communicator comm;
    simulation sim(spec, models, comm, threads);
    sim.build();
    sim.run();
    return sim.state_record(0, 0).local_data;
}

}  // namespace

TEST(current_sources, dc_source_charges_the_membrane_as_the_analytic_solution) {
    // IF_curr_exp defaults: tau_m 20 ms, cm 1 nF, v_rest -65 mV, threshold -50 mV.
    model_spec spec = one_population("IF_curr_exp", 2, 100.0);
    current_source_spec dc;
    dc.k = current_source_spec::kind::dc;
    dc.amplitude = 0.5;  // nA: v_inf = -65 + 20 MOhm * 0.5 nA = -55 mV, below threshold
    dc.start = 20.0;
    dc.stop = 70.0;
    spec.current_sources.push_back(source(dc, std::vector<std::uint64_t>{1}));
    const auto v = run_v(spec, 1);
    ASSERT_EQ(v.size(), 1000u * 2);
    for (int s = 0; s < 1000; ++s) {
        const double t = (s + 1) * 0.1;  // sample after step s
        double expected = -65.0;
        if (t > 20.0)
            expected = -65.0 + 10.0 * (1.0 - std::exp(-(std::min(t, 70.0) - 20.0) / 20.0));
        if (t > 70.0) expected = -65.0 + (expected + 65.0) * std::exp(-(t - 70.0) / 20.0);
        EXPECT_NEAR(v[s * 2 + 1], expected, 1e-10) << "t = " << t;
        EXPECT_EQ(v[s * 2 + 0], -65.0) << "neuron 0 receives nothing";
    }
}

TEST(current_sources, a_dc_source_equals_i_offset_for_every_model_with_one) {
    const model_registry models = standard();
    for (const auto& name : models.names()) {
        const model_entry& m = *models.find(name);
        if (m.info.is_source || !m.info.find_parameter("i_offset")) continue;
        // nA; amplitudes exact in binary, so that unit scalings are exact too.
        const double amplitude = name == "Izhikevich" ? 0.015625 : 0.5;
        const std::string unit = m.info.find_parameter("i_offset")->unit;
        ASSERT_TRUE(unit == "nA" || unit == "pA") << name << ": i_offset in " << unit;
        model_spec with_offset = one_population(name, 1, 100.0);
        with_offset.populations[0].parameters.scalars["i_offset"] =
            unit == "pA" ? 1000.0 * amplitude : amplitude;
        model_spec with_source = one_population(name, 1, 100.0);
        current_source_spec dc;
        dc.amplitude = amplitude;
        with_source.current_sources.push_back(source(dc, std::nullopt));
        const auto a = run_v(with_offset, 1);
        const auto b = run_v(with_source, 1);
        ASSERT_EQ(a.size(), b.size()) << name;
        for (std::size_t i = 0; i < a.size(); ++i)
            ASSERT_EQ(a[i], b[i]) << name << " sample " << i;
        // And the current did something: v moved off its start.
        EXPECT_NE(a.front(), a.back()) << name;
    }
}

TEST(current_sources, step_and_ac_waveforms_on_the_grid) {
    current_source_spec st;
    st.k = current_source_spec::kind::step;
    st.times = {10.0, 25.0};
    st.amplitudes = {1.0, -0.5};
    const current_waveform w(st, 0, 0.1, 1);
    EXPECT_EQ(w.at(99, 0), 0.0);   // t = 9.9 ms
    EXPECT_EQ(w.at(100, 0), 1.0);  // t = 10 ms
    EXPECT_EQ(w.at(249, 0), 1.0);
    EXPECT_EQ(w.at(250, 0), -0.5);  // t = 25 ms, and ever after
    EXPECT_EQ(w.at(100000, 0), -0.5);

    current_source_spec ac;
    ac.k = current_source_spec::kind::ac;
    ac.amplitude = 2.0;
    ac.offset = 0.5;
    ac.frequency = 50.0;  // Hz: period 20 ms
    ac.phase = 90.0;
    ac.start = 5.0;
    ac.stop = 45.0;
    const current_waveform a(ac, 1, 0.1, 1);
    EXPECT_EQ(a.at(49, 0), 0.0);
    EXPECT_EQ(a.at(450, 0), 0.0);
    for (const step_type s : {50, 73, 100, 200, 449}) {
        const double t = static_cast<double>(s) * 0.1;
        EXPECT_NEAR(a.at(s, 0), 0.5 + 2.0 * std::cos(2.0 * std::numbers::pi * 50.0 * t / 1000.0),
                    1e-12);
    }
}

TEST(current_sources, noise_has_its_mean_and_deviation_and_holds_over_its_interval) {
    current_source_spec n;
    n.k = current_source_spec::kind::noisy;
    n.mean = 0.3;
    n.stdev = 0.2;
    n.dt = 0.5;  // 5 steps per value
    n.start = 10.0;
    const current_waveform w(n, 2, 0.1, 7);
    EXPECT_EQ(w.at(99, 3), 0.0);  // before start
    double sum = 0, sum2 = 0;
    const int count = 20000;
    for (int k = 0; k < count; ++k) {
        const step_type s = 100 + 5 * k;
        const double x = w.at(s, 3);
        for (int j = 1; j < 5; ++j)
            ASSERT_EQ(w.at(s + j, 3), x) << "constant within one noise interval";
        sum += x;
        sum2 += x * x;
    }
    const double mean = sum / count;
    const double sd = std::sqrt(sum2 / count - mean * mean);
    EXPECT_NEAR(mean, 0.3, 3 * 0.2 / std::sqrt(count));
    EXPECT_NEAR(sd, 0.2, 3 * 0.2 / std::sqrt(2.0 * count));
    // Different neurons get different noise; the same neuron the same.
    EXPECT_NE(w.at(100, 3), w.at(100, 4));
    const current_waveform again(n, 2, 0.1, 7);
    EXPECT_EQ(w.at(1234, 3), again.at(1234, 3));
}

TEST(current_sources, noisy_injection_is_identical_on_1_and_2_threads) {
    model_spec spec = one_population("IF_cond_exp", 7, 50.0);
    current_source_spec n;
    n.k = current_source_spec::kind::noisy;
    n.mean = 0.5;
    n.stdev = 0.5;
    n.dt = 1.0;
    spec.current_sources.push_back(source(n, std::vector<std::uint64_t>{0, 2, 3, 6}));
    current_source_spec dc;
    dc.amplitude = 0.2;
    spec.current_sources.push_back(source(dc, std::vector<std::uint64_t>{2, 2, 5}));
    const auto one = run_v(spec, 1);
    const auto two = run_v(spec, 2);
    ASSERT_EQ(one, two);
    // Neuron 1 receives nothing, neuron 2 noise and twice the DC (listed twice).
    EXPECT_EQ(one[one.size() - 7 + 1], -65.0);
    EXPECT_NE(one[one.size() - 7 + 2], one[one.size() - 7 + 3]);
}

TEST(current_sources, a_random_sample_is_recorded_with_the_run_seed) {
    model_spec spec = one_population("IF_curr_exp", 50, 5.0);
    spec.populations[0].record_state.clear();
    sampled_recording rec;
    rec.of.population = 0;
    rec.of.sample = 7;
    rec.variables = {"spikes", "v"};
    spec.sampled_recordings.push_back(rec);
    model_spec copy = spec;
    resolve_views(spec);
    ASSERT_TRUE(spec.populations[0].record_state_of.has_value());
    const std::vector<std::uint64_t> of = *spec.populations[0].record_state_of;
    EXPECT_EQ(of.size(), 7u);
    EXPECT_TRUE(std::is_sorted(of.begin(), of.end()));
    EXPECT_EQ(spec.populations[0].record_spikes_of, spec.populations[0].record_state_of);
    EXPECT_TRUE(spec.populations[0].record_spikes);
    // The same seed draws the same sample; another seed another one.
    resolve_views(copy);
    EXPECT_EQ(copy.populations[0].record_state_of, of);
    spec.sampled_recordings.push_back(rec);
    spec.populations[0].record_state_of.reset();
    spec.populations[0].record_state.clear();
    spec.simulation.seed = 99;
    resolve_views(spec);
    EXPECT_NE(spec.populations[0].record_state_of, of);
}

}  // namespace ganglion
