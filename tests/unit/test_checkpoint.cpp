// Checkpoints (core simulation::capture/restore, io/checkpoint_file):
// for every model in the registry, a run checkpointed halfway and restored
// into a fresh simulation continues exactly like the uninterrupted run (a
// state array left out of a model's checkpoint changes the continuation),
// also through the files and on another number of threads; corrupt,
// truncated and mismatched checkpoints are clear errors.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "comm/serial_communicator.hpp"
#include "core/simulation.hpp"
#include "io/checkpoint_file.hpp"
#include "models/registry.hpp"

namespace ganglion {
namespace {

namespace fs = std::filesystem;

model_registry standard() {
    model_registry r;
    register_standard_models(r);
    return r;
}

// Neurons of `model` driven by Poisson and array sources through
// excitatory and inhibitory synapses, recording spikes (and v for neurons);
// a source model is itself the recorded population, driving a LIF.
model_spec network(const model_registry& models, const std::string& model) {
    model_spec spec;
    spec.simulation.dt = 0.1;
    spec.simulation.tstop = 60.0;
    spec.simulation.seed = 3;
    const model_info& info = models.find(model)->info;
    population_spec drive;
    drive.name = "drive";
    drive.model = "SpikeSourcePoisson";
    drive.size = 20;
    drive.parameters.scalars = {{"rate", 400.0}};
    spec.populations.push_back(drive);
    population_spec cells;
    cells.name = "cells";
    cells.model = info.is_source ? "IF_cond_exp" : model;
    cells.size = 7;
    cells.record_spikes = true;
    cells.record_state = {"v"};
    spec.populations.push_back(cells);
    if (info.is_source) {
        population_spec src;
        src.name = "source";
        src.model = model;
        src.size = 5;
        src.record_spikes = true;
        if (model == "SpikeSourceArray")
            src.parameters.lists["spike_times"] = {{1.0, 5.5, 20.0, 30.1, 31.0, 45.0, 59.0}};
        if (model == "NetStim")
            src.parameters.scalars = {
                {"start", 1.0}, {"interval", 3.0}, {"number", 100.0}, {"noise", 0.7}};
        if (model == "SpikeSourceGamma") src.parameters.scalars = {{"alpha", 3.0}, {"beta", 200.0}};
        if (model == "SpikeSourcePoisson") src.parameters.scalars = {{"rate", 300.0}};
        spec.populations.push_back(src);
    }
    const bool conductance = models.find(cells.model)->info.synapses == synapse_type::conductance;
    auto project = [&](std::size_t pre, const std::string& receptor, double w) {
        projection_spec p;
        p.pre.population = pre;
        p.post.population = 1;
        p.connector.k = connector_spec::kind::fixed_probability;
        p.connector.p_connect = 0.5;
        p.synapse.weight = value_spec::constant(w);
        p.synapse.delay = value_spec::uniform(0.5, 2.0);
        p.synapse.delay_given = true;
        p.receptor_type = receptor;
        spec.projections.push_back(p);
    };
    const double scale = conductance ? 0.004 : model.find("Izhikevich") == 0 ? 3.0 : 0.5;
    project(0, "excitatory", scale);
    project(0, "inhibitory", conductance ? 0.25 * scale : -0.5 * scale);
    if (info.is_source) project(2, "excitatory", 0.01);
    // A DC current that makes every model fire (and exercises the injected row).
    current_source_entry dc;
    const std::string& m = cells.model;
    dc.source.amplitude = m == "Izhikevich"                            ? 0.01
                          : m == "Izhikevich_cond"                     ? 0.3
                          : m == "ConnorStevens" || m == "WangBuzsaki" ? 0.02
                          : m.find("IF_curr") == 0                     ? 1.0
                                                                       : 0.5;
    dc.inject_into.population = 1;
    spec.current_sources.push_back(dc);
    return spec;
}

struct outcome {
    std::vector<std::vector<double>> spike_times;
    std::vector<double> v;
};

outcome result(const simulation& sim) {
    outcome o;
    for (const auto& r : sim.recorded()) {
        std::vector<double> t = r.time;
        for (std::size_t i = 0; i < t.size(); ++i)
            t[i] += 1000.0 * static_cast<double>(r.node_id[i]);  // separate the neurons
        std::sort(t.begin(), t.end());
        o.spike_times.push_back(t);
    }
    o.v = sim.state_record(1, 0).local_data;
    return o;
}

}  // namespace

// Runs `spec` whole on 1 thread, and halfway on 1 thread, through the files
// in temp/`dir_name` (one per test: ctest runs tests in parallel), then on 2
// threads: the same spikes and v, bit for bit.
void expect_continues_as_if_uninterrupted(const model_spec& spec, const model_registry& models,
                                          const std::string& name, const std::string& dir_name) {
    const fs::path dir = fs::temp_directory_path() / dir_name;
    serial_communicator comm;
    simulation full(spec, models, comm, 1);
    full.build();
    full.run();
    const outcome expected = result(full);
    std::size_t spikes = 0;
    for (const auto& t : expected.spike_times)
        spikes += t.size();
    EXPECT_GT(spikes, 0u) << name << ": a test that cannot fail";

    simulation first(spec, models, comm, 1);
    first.build();
    first.run(300);
    ASSERT_EQ(first.current_step(), 300);
    write_checkpoint(dir.string(), first.capture(), {"hash", 1, 30.0}, comm);
    simulation second(spec, models, comm, 2);
    second.build();
    second.restore(read_checkpoint(dir.string(), "hash"));
    ASSERT_EQ(second.current_step(), 300);
    second.run();
    const outcome got = result(second);
    EXPECT_EQ(got.spike_times, expected.spike_times) << name;
    ASSERT_EQ(got.v.size(), expected.v.size()) << name;
    for (std::size_t i = 0; i < got.v.size(); ++i)
        ASSERT_EQ(got.v[i], expected.v[i]) << name << " sample " << i;
    fs::remove_all(dir);
}

TEST(checkpoint, every_model_continues_from_a_checkpoint_as_if_uninterrupted) {
    const model_registry models = standard();
    for (const auto& name : models.names())
        expect_continues_as_if_uninterrupted(network(models, name), models, name,
                                             "ganglion_test_checkpoint");
}

TEST(checkpoint, a_poisson_drive_drawn_at_arrival_continues_as_if_uninterrupted) {
    // One delay for every synapse: the generated Poisson drive is drawn when
    // its spikes arrive and the ring buffer holds only the D slots of the
    // interval delivered (plan_delivery); what the drive added before the
    // checkpoint is in those slots, the rest is drawn again after it.
    const model_registry models = standard();
    model_spec spec = network(models, "IF_curr_exp");
    for (auto& p : spec.projections)
        p.synapse.delay = value_spec::constant(0.5);
    serial_communicator comm;
    simulation sim(spec, models, comm, 1);
    sim.build();
    ASSERT_EQ(sim.grid().min_steps, 5);
    ASSERT_EQ(sim.buffer(0).n_slots(), 5u) << "the drive is drawn at arrival";
    expect_continues_as_if_uninterrupted(spec, models, "IF_curr_exp, one delay",
                                         "ganglion_test_checkpoint_at_arrival");
}

TEST(checkpoint, a_spinnaker_poisson_drive_drawn_at_arrival_continues_as_if_uninterrupted) {
    // SpiNNaker mode: received spikes are pushed into D + 16 slots, the
    // one-delay drive (1.2 ms: 12 steps, on the core) is drawn at arrival.
    const model_registry models = standard();
    model_spec spec = network(models, "IF_curr_exp");
    spec.spinnaker.enabled = true;
    spec.simulation.dt_given = true;
    for (auto& p : spec.projections)
        p.synapse.delay = value_spec::constant(1.2);
    serial_communicator comm;
    simulation sim(spec, models, comm, 1);
    sim.build();
    ASSERT_TRUE(sim.spinnaker_mode());
    ASSERT_EQ(sim.plan().arrival_delay[0], step_type{12}) << "the drive is drawn at arrival";
    ASSERT_EQ(sim.plan().slots, 12 + 12);
    expect_continues_as_if_uninterrupted(spec, models, "SpiNNaker IF_curr_exp, one delay",
                                         "ganglion_test_checkpoint_spinnaker_at_arrival");
}

TEST(checkpoint, corrupt_truncated_and_mismatched_checkpoints_are_clear_errors) {
    const model_registry models = standard();
    const model_spec spec = network(models, "IF_cond_exp");
    serial_communicator comm;
    simulation sim(spec, models, comm, 1);
    sim.build();
    sim.run(100);
    const fs::path dir = fs::temp_directory_path() / "ganglion_test_checkpoint_bad";
    fs::remove_all(dir);
    write_checkpoint(dir.string(), sim.capture(), {"abc", 1, 10.0}, comm);
    EXPECT_EQ(read_checkpoint(dir.string(), "abc").size(), 1u);
    EXPECT_FALSE(fs::exists(dir.string() + ".partial"));

    auto message = [&](const std::string& hash) {
        try {
            read_checkpoint(dir.string(), hash);
        } catch (const checkpoint_error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_NE(message("other").find("written for another model"), std::string::npos);

    const fs::path part = dir / "rank_00000.bin";
    std::string bytes;
    {
        std::ifstream in(part, std::ios::binary);
        bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    {  // one flipped byte
        std::string bad = bytes;
        bad[bad.size() / 2] ^= 0x5a;
        std::ofstream(part, std::ios::binary) << bad;
        EXPECT_NE(message("abc").find("does not match its hash"), std::string::npos);
    }
    {  // truncated
        std::ofstream(part, std::ios::binary) << bytes.substr(0, bytes.size() / 3);
        EXPECT_NE(message("abc").find("truncated"), std::string::npos);
    }
    std::ofstream(part, std::ios::binary) << bytes;
    EXPECT_EQ(message("abc"), "no error");
    {  // another format version
        std::ifstream in(dir / "manifest.json");
        std::string m((std::istreambuf_iterator<char>(in)), {});
        const auto at = m.find("\"version\": " + std::to_string(checkpoint_format_version));
        ASSERT_NE(at, std::string::npos);
        m.replace(at, 12, "\"version\": 9");
        std::ofstream(dir / "manifest.json") << m;
        EXPECT_NE(message("abc").find("format version 9"), std::string::npos);
        std::ofstream(dir / "manifest.json") << "{ not json";
        EXPECT_NE(message("abc").find("not valid JSON"), std::string::npos);
    }
    fs::remove(dir / "manifest.json");
    EXPECT_NE(message("abc").find("not a complete checkpoint"), std::string::npos);
    fs::remove_all(dir);
    EXPECT_NE(message("abc").find("no such directory"), std::string::npos);
}

TEST(checkpoint, a_checkpoint_of_another_network_is_refused) {
    const model_registry models = standard();
    serial_communicator comm;
    simulation a(network(models, "IF_cond_exp"), models, comm, 1);
    a.build();
    a.run(100);
    const checkpoint_state state = a.capture();
    simulation b(network(models, "IF_curr_exp"), models, comm, 1);
    b.build();
    try {
        b.restore({state});
        ADD_FAILURE() << "restored a checkpoint of another network";
    } catch (const error& e) {
        EXPECT_NE(std::string(e.what()).find("another network"), std::string::npos) << e.what();
    }
}

}  // namespace ganglion
