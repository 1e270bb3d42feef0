// State recording (core/simulation.cpp probes): a recorded v trace equals,
// number for number, what the model computes, whichever thread records it,
// at the sampling interval asked for, for all neurons or an index list.

#include <gtest/gtest.h>

#include <cmath>

#include "comm/serial_communicator.hpp"
#include "core/simulation.hpp"
#include "models/if_curr_exp.hpp"
#include "models/registry.hpp"

namespace ganglion {
namespace {

model_registry standard() {
    model_registry r;
    register_standard_models(r);
    return r;
}

// Five IF_curr_exp neurons with different offset currents (some fire), no
// synapses, 50 ms at dt 0.1.
model_spec driven(double interval, std::optional<std::vector<std::uint64_t>> of) {
    model_spec spec;
    spec.simulation.dt = 0.1;
    spec.simulation.tstop = 50.0;
    population_spec p;
    p.name = "cells";
    p.model = "IF_curr_exp";
    p.size = 5;
    p.parameters.scalars = {{"tau_refrac", 2.0}};
    p.record_state = {"v", "isyn_exc"};
    p.record_state_of = std::move(of);
    p.sampling_interval = interval;
    spec.populations.push_back(p);
    return spec;
}

// v of neuron i after every step, computed by the model directly.
std::vector<std::vector<double>> reference_v(const model_spec& spec, const model_registry& models) {
    using M = models::if_curr_exp;
    const auto& pop = spec.populations[0];
    std::vector<std::vector<double>> out(pop.size);
    for (std::uint64_t i = 0; i < pop.size; ++i) {
        parameter_values values = pop.parameters;
        values.scalars["i_offset"] = 0.5 + 0.5 * static_cast<double>(i);
        const M::parameters p = M::parameters::from(values);
        const M::derived d(p, spec.simulation.dt);
        M::state s;
        s.resize(1, p);
        double zero_e = 0, zero_i = 0, zero_current = 0;
        const double* in[3] = {&zero_e, &zero_i, &zero_current};
        std::uint8_t spiked = 0;
        for (int k = 0; k < 500; ++k) {
            M::step(p, d, s, in, &spiked, 1);
            out[i].push_back(s.v[0]);
        }
    }
    (void)models;
    return out;
}

}  // namespace

TEST(recording, v_equals_the_model_number_for_number_on_1_and_2_threads) {
    const model_registry models = standard();
    for (const int threads : {1, 2}) {
        for (const double interval : {0.1, 0.5}) {
            // One population of one neuron per offset current (parameters are
            // per population), five in all: threads own different ones.
            const model_spec spec = driven(interval, std::nullopt);
            model_spec five;
            five.simulation = spec.simulation;
            for (int i = 0; i < 5; ++i) {
                population_spec p = spec.populations[0];
                p.name = "cell" + std::to_string(i);
                p.size = 1;
                p.parameters.scalars["i_offset"] = 0.5 + 0.5 * i;
                five.populations.push_back(p);
            }
            serial_communicator comm;
            simulation sim(five, models, comm, threads);
            sim.build();
            sim.run();
            const auto ref = reference_v(spec, models);
            const auto every = static_cast<std::size_t>(std::llround(interval / 0.1));
            for (int i = 0; i < 5; ++i) {
                const recorded_state r = sim.state_record(static_cast<std::size_t>(i), 0);
                ASSERT_EQ(r.node_ids, std::vector<std::uint64_t>{0});
                ASSERT_EQ(r.local_columns, std::vector<std::uint64_t>{0});
                ASSERT_EQ(r.n_times, 500 / every);
                EXPECT_DOUBLE_EQ(r.t_step, interval);
                EXPECT_DOUBLE_EQ(r.t_start, interval);
                for (std::size_t t = 0; t < r.n_times; ++t)
                    ASSERT_EQ(r.local_data[t], ref[i][(t + 1) * every - 1])
                        << "neuron " << i << " sample " << t << " threads " << threads;
            }
            // Neuron 4 (2.5 nA on 1 nF) fires: its trace shows resets.
            const recorded_state r4 = sim.state_record(4, 0);
            bool reset = false;
            for (const double v : r4.local_data)
                reset = reset || v == -65.0;
            EXPECT_TRUE(reset);
        }
    }
}

TEST(recording, index_list_and_columns_over_threads) {
    const model_registry models = standard();
    model_spec spec = driven(0.2, std::vector<std::uint64_t>{1, 3, 4});
    spec.populations[0].parameters.scalars["i_offset"] = 2.0;
    serial_communicator comm;
    simulation sim(spec, models, comm, 2);
    sim.build();
    sim.run();
    for (std::size_t var = 0; var < 2; ++var) {
        const recorded_state r = sim.state_record(0, var);
        EXPECT_EQ(r.node_ids, (std::vector<std::uint64_t>{1, 3, 4}));
        EXPECT_EQ(r.local_columns, (std::vector<std::uint64_t>{0, 1, 2}));
        ASSERT_EQ(r.n_times, 250u);
        ASSERT_EQ(r.local_data.size(), 250u * 3);
        // Identical neurons (same current, same start): identical columns.
        for (std::size_t t = 0; t < r.n_times; ++t) {
            EXPECT_EQ(r.local_data[t * 3 + 0], r.local_data[t * 3 + 1]);
            EXPECT_EQ(r.local_data[t * 3 + 1], r.local_data[t * 3 + 2]);
        }
    }
    // v rises from v_rest: the first sample is above -65 mV.
    EXPECT_GT(sim.state_record(0, 0).local_data[0], -65.0);
}

}  // namespace ganglion
