// STDP (core/plasticity.cpp) through the engine: for one pre-post pair at
// several timings the weight change equals the pair rule's formula
// (additive and multiplicative), weights stay within [w_min, w_max], and a
// plastic network's spikes and final weights are the same on 1 and 2
// threads.
//
// The post neuron is an IF_curr_delta cell that a driver spike makes fire in
// a known step; the plastic synapse onto it is too weak to matter.

#include <gtest/gtest.h>

#include <cmath>

#include "comm/serial_communicator.hpp"
#include "core/simulation.hpp"
#include "models/registry.hpp"

namespace ganglion {
namespace {

model_registry standard() {
    model_registry r;
    register_standard_models(r);
    return r;
}

population_spec array(const std::string& name, std::vector<double> times) {
    population_spec p;
    p.name = name;
    p.model = "SpikeSourceArray";
    p.size = 1;
    p.parameters.lists["spike_times"] = {std::move(times)};
    return p;
}

projection_spec one_to_one(std::size_t pre, std::size_t post, double w, double d) {
    projection_spec proj;
    proj.pre.population = pre;
    proj.post.population = post;
    proj.connector.k = connector_spec::kind::one_to_one;
    proj.synapse.weight = value_spec::constant(w);
    proj.synapse.delay = value_spec::constant(d);
    proj.synapse.delay_given = true;
    return proj;
}

// The final weight of a plastic synapse (delay d) from a pre neuron spiking
// at pre_times onto a neuron made to fire at post_time.
double final_weight(const stdp_spec& rule, double w0, double d, std::vector<double> pre_times,
                    double post_time, double tstop) {
    model_spec spec;
    spec.simulation.dt = 0.1;
    spec.simulation.tstop = tstop;
    spec.populations.push_back(array("pre", std::move(pre_times)));
    // The driver's spike arrives (delay 1 ms) in the step ending at post_time.
    spec.populations.push_back(array("driver", {post_time - 1.0}));
    population_spec post;
    post.name = "post";
    post.model = "IF_curr_delta";
    post.size = 1;
    post.parameters.scalars = {{"tau_refrac", 0.1}};
    spec.populations.push_back(post);
    projection_spec plastic = one_to_one(0, 2, w0, d);
    plastic.synapse.type = "STDPMechanism";
    plastic.synapse.stdp = rule;
    plastic.save_connections = true;
    spec.projections.push_back(plastic);
    spec.projections.push_back(one_to_one(1, 2, 30.0, 1.0));  // 30 mV: fires at once
    spec.populations[2].record_spikes = true;
    const model_registry models = standard();
    serial_communicator comm;
    simulation sim(spec, models, comm, 1);
    sim.build();
    sim.run();
    EXPECT_EQ(sim.spike_counts()[2], 1u) << "the post neuron fires once, at " << post_time;
    EXPECT_DOUBLE_EQ(sim.recorded()[2].time.at(0), post_time);
    return sim.saved().at(0).weight.at(0);
}

stdp_spec additive() {
    stdp_spec r;
    r.tau_plus = 16.8;
    r.tau_minus = 33.7;
    r.A_plus = 0.01;
    r.A_minus = 0.012;
    r.w_min = 0.0;
    r.w_max = 0.5;  // mV for IF_curr_delta
    return r;
}

}  // namespace

TEST(stdp, one_pair_changes_the_weight_by_the_pair_rule) {
    // w0 exact in float: initial weights are drawn as float (core/synapse_store.hpp).
    const double d = 1.5, t_pre = 100.0, w0 = 0.1875;
    for (const auto dependence :
         {stdp_spec::dependence::additive, stdp_spec::dependence::multiplicative}) {
        stdp_spec rule = additive();
        rule.weight_dependence = dependence;
        const bool add = dependence == stdp_spec::dependence::additive;
        // dt_pair = t_post + d - t_pre, the pair's timing at the synapse.
        for (const double dt_pair : {-40.0, -10.0, -0.1, 0.0, 0.1, 2.5, 10.0, 40.0}) {
            const double t_post = t_pre - d + dt_pair;
            // A second pre spike 1.5 s later makes the synapse read the post
            // spike (potentiation is applied at the next pre spike).
            const double w = final_weight(rule, w0, d, {t_pre, t_pre + 1500.0}, t_post, 1700.0);
            // At dt = 0 neither rule applies (as in NEST: potentiation pairs a
            // post spike with earlier pre spikes, depression with later ones).
            double expected = w0;
            if (dt_pair > 0)
                expected = w0 + rule.A_plus * (add ? rule.w_max : rule.w_max - w0) *
                                    std::exp(-dt_pair / rule.tau_plus);
            else if (dt_pair < 0)
                expected = w0 - rule.A_minus * (add ? rule.w_max : w0 - rule.w_min) *
                                    std::exp(dt_pair / rule.tau_minus);
            EXPECT_NEAR(w, expected, 1e-14)
                << (add ? "additive" : "multiplicative") << " dt = " << dt_pair;
            if (dt_pair != 0) {
                EXPECT_NE(w, w0);
            }
        }
    }
}

TEST(stdp, weights_stay_within_w_min_and_w_max) {
    stdp_spec rule = additive();
    rule.A_plus = 0.8;  // one pair would take w far beyond w_max
    EXPECT_EQ(final_weight(rule, 0.4375, 1.0, {50.0, 1500.0}, 52.0, 1600.0), rule.w_max);
    rule.A_minus = 0.9;
    rule.w_min = 0.1;
    EXPECT_EQ(final_weight(rule, 0.15, 1.0, {60.0}, 50.0, 100.0), rule.w_min);
}

TEST(stdp, a_plastic_network_is_the_same_on_1_and_2_threads) {
    // 40 Poisson-driven IF_cond_exp cells with plastic recurrent synapses.
    model_spec spec;
    spec.simulation.dt = 0.1;
    spec.simulation.tstop = 500.0;
    population_spec noise;
    noise.name = "noise";
    noise.model = "SpikeSourcePoisson";
    noise.size = 40;
    noise.parameters.scalars = {{"rate", 2000.0}};
    spec.populations.push_back(noise);
    population_spec cells;
    cells.name = "cells";
    cells.model = "IF_cond_exp";
    cells.size = 40;
    cells.record_spikes = true;
    spec.populations.push_back(cells);
    projection_spec drive = one_to_one(0, 1, 0.004, 1.0);
    spec.projections.push_back(drive);
    projection_spec rec;
    rec.pre.population = 1;
    rec.post.population = 1;
    rec.connector.k = connector_spec::kind::fixed_probability;
    rec.connector.p_connect = 0.3;
    rec.synapse.type = "STDPMechanism";
    rec.synapse.weight = value_spec::uniform(0.001, 0.004);
    rec.synapse.delay = value_spec::uniform(1.0, 3.0);
    rec.synapse.delay_given = true;
    stdp_spec rule;
    rule.w_min = 0.0;
    rule.w_max = 0.01;
    rule.A_plus = 0.05;
    rule.A_minus = 0.06;
    rec.synapse.stdp = rule;
    rec.save_connections = true;
    spec.projections.push_back(rec);
    const model_registry models = standard();
    std::vector<std::vector<double>> weights, times;
    for (const int threads : {1, 2}) {
        serial_communicator comm;
        simulation sim(spec, models, comm, threads);
        sim.build();
        sim.run();
        const saved_connections& s = sim.saved().at(1);
        // Sort by (pre, post, delay) so that thread order does not matter.
        std::vector<std::size_t> order(s.weight.size());
        for (std::size_t i = 0; i < order.size(); ++i)
            order[i] = i;
        std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            return std::tie(s.pre_index[a], s.post_index[a], s.delay[a], s.weight[a]) <
                   std::tie(s.pre_index[b], s.post_index[b], s.delay[b], s.weight[b]);
        });
        std::vector<double> w;
        for (const auto i : order)
            w.push_back(s.weight[i]);
        weights.push_back(w);
        auto t = sim.recorded()[1].time;
        std::sort(t.begin(), t.end());
        times.push_back(t);
        EXPECT_GT(sim.spike_counts()[1], 100u);
    }
    EXPECT_EQ(weights[0], weights[1]);
    EXPECT_EQ(times[0], times[1]);
    // Plasticity happened, within the bounds.
    std::size_t changed = 0;
    for (const double w : weights[0]) {
        EXPECT_GE(w, 0.0);
        EXPECT_LE(w, 0.01);
        changed += (w < 0.001 || w > 0.004) ? 1 : 0;
    }
    EXPECT_GT(changed, 0u);
}

}  // namespace ganglion
