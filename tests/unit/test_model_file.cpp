#include "io/model_file.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>

#include <unistd.h>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "models/registry.hpp"

namespace ganglion {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

// ---------------------------------------------------------------------------
// A small registry with PyNN's standard models as the reader sees them
// (names, parameters, receptors, state, recordables); the dynamics are not
// needed here.

void positive(const parameter_values& v, const std::string& model, const std::string& name,
              const std::string& unit) {
    const auto it = v.scalars.find(name);
    if (it != v.scalars.end() && !(it->second > 0)) {
        std::ostringstream os;
        os << "got " << it->second << " " << unit << "; must be > 0 " << unit;
        throw parameter_error(model, name, os.str());
    }
}

model_entry lif(const std::string& name, bool conductance) {
    model_entry e;
    e.info.name = name;
    e.info.parameters = {{"cm", 1.0, "nF", "", false},         {"tau_m", 20.0, "ms", "", false},
                         {"tau_refrac", 0.1, "ms", "", false}, {"tau_syn_E", 5.0, "ms", "", false},
                         {"tau_syn_I", 5.0, "ms", "", false},  {"v_rest", -65.0, "mV", "", false},
                         {"v_reset", -65.0, "mV", "", false},  {"v_thresh", -50.0, "mV", "", false},
                         {"i_offset", 0.0, "nA", "", false}};
    if (conductance) {
        e.info.parameters.push_back({"e_rev_E", 0.0, "mV", "", false});
        e.info.parameters.push_back({"e_rev_I", -70.0, "mV", "", false});
    }
    e.info.receptors = {"excitatory", "inhibitory"};
    e.info.synapses = conductance ? synapse_type::conductance : synapse_type::current;
    e.info.state = {{"v", "mV", "v_rest", 0.0}};
    e.info.recordables = {"spikes", "v"};
    e.validate = [name](const parameter_values& v) {
        positive(v, name, "cm", "nF");
        positive(v, name, "tau_m", "ms");
    };
    return e;
}

const model_registry& fake() {
    static const model_registry r = [] {
        model_registry r;
        r.add(lif("IF_curr_exp", false));
        r.add(lif("IF_cond_exp", true));
        model_entry array;
        array.info.name = "SpikeSourceArray";
        array.info.is_source = true;
        array.info.parameters = {{"spike_times", 0.0, "ms", "", true}};
        array.info.recordables = {"spikes"};
        array.validate = [](const parameter_values& v) {
            const auto it = v.lists.find("spike_times");
            if (it == v.lists.end()) return;
            for (const auto& list : it->second)
                for (double t : list)
                    if (t < 0)
                        throw parameter_error("SpikeSourceArray", "spike_times",
                                              "got a negative time; must be >= 0 ms");
        };
        r.add(array);
        model_entry poisson;
        poisson.info.name = "SpikeSourcePoisson";
        poisson.info.is_source = true;
        poisson.info.parameters = {{"rate", 1.0, "Hz", "", false},
                                   {"start", 0.0, "ms", "", false},
                                   {"duration", 1e10, "ms", "", false}};
        poisson.info.recordables = {"spikes"};
        r.add(poisson);
        model_entry required;  // a model with a parameter that has no default
        required.info.name = "Needs_x";
        required.info.parameters = {
            {"x", std::numeric_limits<double>::quiet_NaN(), "mV", "", false}};
        required.info.receptors = {"excitatory"};
        r.add(required);
        return r;
    }();
    return r;
}

// Every feature once: the file the round-trip test reads.
json full_model() {
    return R"({
      "description": "every feature once",
      "arithmetic": "double",
      "simulation": {"dt": 0.1, "tstop": 500.0, "min_delay": 0.5, "max_delay": 5.0, "seed": 7},
      "populations": [
        {"name": "exc", "size": 80, "model": "IF_cond_exp",
         "parameters": {"cm": 0.2, "tau_m": 20.0, "v_rest": -60.0},
         "initial_values": {"v": {"distribution": "uniform", "low": -60.0, "high": -50.0}},
         "record": ["spikes"]},
        {"name": "inh", "size": 20, "model": "IF_curr_exp", "parameters": {"tau_m": 10.0},
         "initial_values": {"v": -65.0}},
        {"name": "stim", "size": 5, "model": "SpikeSourceArray",
         "parameters": {"spike_times": [10.0, 20.0]}},
        {"name": "noise", "size": 20, "model": "SpikeSourcePoisson",
         "parameters": {"rate": 5.0, "start": 100.0}}
      ],
      "projections": [
        {"label": "e_to_e", "pre": "exc", "post": "exc",
         "connector": {"type": "FixedProbabilityConnector", "p_connect": 0.02,
                       "allow_self_connections": false},
         "synapse": {"type": "StaticSynapse", "weight": 0.004, "delay": 1.0},
         "receptor_type": "excitatory"},
        {"pre": "exc", "post": "inh",
         "connector": {"type": "AllToAllConnector"},
         "synapse": {"weight": {"distribution": "normal_clipped", "mu": 0.5, "sigma": 0.1,
                                "low": 0.0, "high": 1.0},
                     "delay": {"distribution": "uniform", "low": 0.5, "high": 2.0}}},
        {"label": "i_to_i", "pre": "inh", "post": "inh",
         "connector": {"type": "OneToOneConnector"},
         "synapse": {"weight": -0.5, "delay": 0.5}, "receptor_type": "inhibitory"},
        {"pre": {"population": "stim", "slice": [0, 5, 2]},
         "post": {"population": "exc", "indices": [3, 1, 7]},
         "connector": {"type": "FromListConnector",
                       "conn_list": [[0, 0, 0.01, 1.5], [2, 2, 0.02, 0.5]]}},
        {"pre": "noise", "post": "exc", "receptor_type": "inhibitory",
         "connector": {"type": "FromListConnector", "conn_list": [[0, 1], [19, 79]]},
         "synapse": {"weight": 0.001}}
      ]
    })"_json;
}

// The smallest valid model.
json minimal_model() {
    return R"({"simulation": {},
               "populations": [{"name": "a", "size": 3, "model": "IF_curr_exp"}]})"_json;
}

json with(json doc, const std::string& pointer, json value) {
    doc[json::json_pointer(pointer)] = std::move(value);
    return doc;
}

json without(json doc, const std::string& pointer) {
    const json::json_pointer p(pointer);
    doc[p.parent_pointer()].erase(p.back());
    return doc;
}

// parse_model rejects `doc` with a model_file_error at exactly `path` whose
// problem contains `fragment`.
::testing::AssertionResult rejects(const json& doc, const std::string& path,
                                   const std::string& fragment,
                                   const model_registry& models = fake()) {
    try {
        parse_model(doc, models);
    } catch (const model_file_error& e) {
        if (e.path() != path)
            return ::testing::AssertionFailure() << "error at '" << e.path() << "' (" << e.problem()
                                                 << "), expected at '" << path << "'";
        if (e.problem().find(fragment) == std::string::npos)
            return ::testing::AssertionFailure()
                   << "problem '" << e.problem() << "' does not contain '" << fragment << "'";
        return ::testing::AssertionSuccess() << e.what();
    } catch (const std::exception& e) {
        return ::testing::AssertionFailure() << "not a model_file_error: " << e.what();
    }
    return ::testing::AssertionFailure() << "accepted";
}

// ---------------------------------------------------------------------------
// Valid files.

TEST(ModelFile, FullFileRoundTripsIntoSpec) {
    const model_spec s = parse_model(full_model(), fake());

    EXPECT_DOUBLE_EQ(s.simulation.dt, 0.1);
    EXPECT_DOUBLE_EQ(s.simulation.tstop, 500.0);
    ASSERT_TRUE(s.simulation.min_delay);
    EXPECT_DOUBLE_EQ(*s.simulation.min_delay, 0.5);
    ASSERT_TRUE(s.simulation.max_delay);
    EXPECT_DOUBLE_EQ(*s.simulation.max_delay, 5.0);
    EXPECT_EQ(s.simulation.seed, 7u);

    ASSERT_EQ(s.populations.size(), 4u);
    const population_spec& exc = s.populations[0];
    EXPECT_EQ(exc.name, "exc");
    EXPECT_EQ(exc.model, "IF_cond_exp");
    EXPECT_EQ(exc.size, 80u);
    EXPECT_EQ(exc.parameters.scalars,
              (std::map<std::string, double>{{"cm", 0.2}, {"tau_m", 20.0}, {"v_rest", -60.0}}));
    EXPECT_TRUE(exc.parameters.lists.empty());
    ASSERT_EQ(exc.initial_values.size(), 1u);
    const value_spec& v = exc.initial_values.at("v");
    EXPECT_EQ(v.k, value_spec::kind::uniform);
    EXPECT_DOUBLE_EQ(v.low, -60.0);
    EXPECT_DOUBLE_EQ(v.high, -50.0);
    EXPECT_TRUE(exc.record_spikes);

    const population_spec& inh = s.populations[1];
    EXPECT_EQ(inh.model, "IF_curr_exp");
    EXPECT_EQ(inh.size, 20u);
    EXPECT_EQ(inh.parameters.scalars, (std::map<std::string, double>{{"tau_m", 10.0}}));
    EXPECT_TRUE(inh.initial_values.at("v").is_constant());
    EXPECT_DOUBLE_EQ(inh.initial_values.at("v").value, -65.0);
    EXPECT_FALSE(inh.record_spikes);

    const population_spec& stim = s.populations[2];
    EXPECT_EQ(stim.model, "SpikeSourceArray");
    EXPECT_TRUE(stim.parameters.scalars.empty());
    EXPECT_EQ(stim.parameters.lists.at("spike_times"),
              (std::vector<std::vector<double>>{{10.0, 20.0}}));

    const population_spec& noise = s.populations[3];
    EXPECT_EQ(noise.parameters.scalars,
              (std::map<std::string, double>{{"rate", 5.0}, {"start", 100.0}}));

    ASSERT_EQ(s.projections.size(), 5u);
    const projection_spec& ee = s.projections[0];
    EXPECT_EQ(ee.label, "e_to_e");
    EXPECT_EQ(ee.pre.population, 0u);
    EXPECT_FALSE(ee.pre.indices);
    EXPECT_EQ(ee.post.population, 0u);
    EXPECT_FALSE(ee.post.indices);
    EXPECT_EQ(ee.connector.k, connector_spec::kind::fixed_probability);
    EXPECT_DOUBLE_EQ(ee.connector.p_connect, 0.02);
    EXPECT_FALSE(ee.connector.allow_self_connections);
    EXPECT_EQ(ee.synapse.type, "StaticSynapse");
    EXPECT_TRUE(ee.synapse.weight.is_constant());
    EXPECT_DOUBLE_EQ(ee.synapse.weight.value, 0.004);
    EXPECT_TRUE(ee.synapse.delay.is_constant());
    EXPECT_DOUBLE_EQ(ee.synapse.delay.value, 1.0);
    EXPECT_TRUE(ee.synapse.delay_given);
    EXPECT_EQ(ee.receptor_type, "excitatory");

    const projection_spec& ei = s.projections[1];
    EXPECT_EQ(ei.label, "exc->inh");
    EXPECT_EQ(ei.pre.population, 0u);
    EXPECT_EQ(ei.post.population, 1u);
    EXPECT_EQ(ei.connector.k, connector_spec::kind::all_to_all);
    EXPECT_TRUE(ei.connector.allow_self_connections);
    EXPECT_EQ(ei.synapse.weight.k, value_spec::kind::normal_clipped);
    EXPECT_DOUBLE_EQ(ei.synapse.weight.mu, 0.5);
    EXPECT_DOUBLE_EQ(ei.synapse.weight.sigma, 0.1);
    EXPECT_DOUBLE_EQ(ei.synapse.weight.low, 0.0);
    EXPECT_DOUBLE_EQ(ei.synapse.weight.high, 1.0);
    EXPECT_EQ(ei.synapse.delay.k, value_spec::kind::uniform);
    EXPECT_DOUBLE_EQ(ei.synapse.delay.low, 0.5);
    EXPECT_DOUBLE_EQ(ei.synapse.delay.high, 2.0);
    EXPECT_EQ(ei.receptor_type, "excitatory");

    const projection_spec& ii = s.projections[2];
    EXPECT_EQ(ii.label, "i_to_i");
    EXPECT_EQ(ii.connector.k, connector_spec::kind::one_to_one);
    EXPECT_DOUBLE_EQ(ii.synapse.weight.value, -0.5);
    EXPECT_EQ(ii.receptor_type, "inhibitory");

    const projection_spec& se = s.projections[3];
    EXPECT_EQ(se.label, "stim->exc");
    EXPECT_EQ(se.pre.population, 2u);
    EXPECT_EQ(se.pre.indices, (std::vector<std::uint64_t>{0, 2, 4}));
    EXPECT_EQ(se.post.population, 0u);
    EXPECT_EQ(se.post.indices, (std::vector<std::uint64_t>{3, 1, 7}));
    EXPECT_EQ(se.connector.k, connector_spec::kind::from_list);
    EXPECT_TRUE(se.connector.rows_have_weights);
    ASSERT_EQ(se.connector.rows.size(), 2u);
    EXPECT_EQ(se.connector.rows[1].i, 2u);
    EXPECT_EQ(se.connector.rows[1].j, 2u);
    EXPECT_DOUBLE_EQ(se.connector.rows[1].weight, 0.02);
    EXPECT_DOUBLE_EQ(se.connector.rows[1].delay, 0.5);
    EXPECT_FALSE(se.synapse.delay_given);

    const projection_spec& ne = s.projections[4];
    EXPECT_EQ(ne.receptor_type, "inhibitory");
    EXPECT_FALSE(ne.connector.rows_have_weights);
    ASSERT_EQ(ne.connector.rows.size(), 2u);
    EXPECT_EQ(ne.connector.rows[1].i, 19u);
    EXPECT_EQ(ne.connector.rows[1].j, 79u);
    EXPECT_DOUBLE_EQ(ne.synapse.weight.value, 0.001);
}

TEST(ModelFile, DefaultsAreApplied) {
    json doc = minimal_model();
    doc["projections"] = R"([{"pre": "a", "post": "a", "connector": {"type": "AllToAllConnector"}},
                             {"pre": "a", "post": "a",
                              "connector": {"type": "FixedProbabilityConnector", "p_connect": 1}}
                            ])"_json;
    const model_spec s = parse_model(doc, fake());
    EXPECT_DOUBLE_EQ(s.simulation.dt, 0.1);
    EXPECT_DOUBLE_EQ(s.simulation.tstop, 1000.0);
    EXPECT_FALSE(s.simulation.min_delay);
    EXPECT_FALSE(s.simulation.max_delay);
    EXPECT_EQ(s.simulation.seed, 1u);
    const population_spec& a = s.populations.at(0);
    EXPECT_TRUE(a.parameters.scalars.empty());
    EXPECT_TRUE(a.parameters.lists.empty());
    EXPECT_TRUE(a.initial_values.empty());
    EXPECT_FALSE(a.record_spikes);
    ASSERT_EQ(s.projections.size(), 2u);
    for (const auto& p : s.projections) {
        EXPECT_EQ(p.label, "a->a");
        EXPECT_EQ(p.receptor_type, "excitatory");
        EXPECT_EQ(p.synapse.type, "StaticSynapse");
        EXPECT_TRUE(p.synapse.weight.is_constant());
        EXPECT_EQ(p.synapse.weight.value, 0.0);
        EXPECT_TRUE(p.synapse.delay.is_constant());
        EXPECT_DOUBLE_EQ(p.synapse.delay.value, 0.1);  // dt
        EXPECT_FALSE(p.synapse.delay_given);
        EXPECT_TRUE(p.connector.allow_self_connections);
    }
    EXPECT_DOUBLE_EQ(s.projections[1].connector.p_connect, 1.0);
    EXPECT_TRUE(parse_model(minimal_model(), fake()).projections.empty());
}

TEST(ModelFile, DefaultDelayFollowsDtAndMinDelay) {
    json doc =
        with(minimal_model(), "/projections",
             R"([{"pre": "a", "post": "a", "connector": {"type": "OneToOneConnector"}}])"_json);
    doc["simulation"]["dt"] = 0.25;
    EXPECT_DOUBLE_EQ(parse_model(doc, fake()).projections[0].synapse.delay.value, 0.25);
    // As in PyNN, a projection without a delay gets min_delay when the file sets one.
    doc["simulation"]["min_delay"] = 1.5;
    EXPECT_DOUBLE_EQ(parse_model(doc, fake()).projections[0].synapse.delay.value, 1.5);
}

TEST(ModelFile, IntegralFloatsCountAsIntegers) {
    json doc = with(minimal_model(), "/populations/0/size", 3.0);
    doc["simulation"]["seed"] = 12.0;
    const model_spec s = parse_model(doc, fake());
    EXPECT_EQ(s.populations[0].size, 3u);
    EXPECT_EQ(s.simulation.seed, 12u);
}

// ---------------------------------------------------------------------------
// Top level.

TEST(ModelFile, TopLevelKeys) {
    EXPECT_TRUE(rejects(with(full_model(), "/simulations", json::object()), "simulations",
                        "unknown key 'simulations' (did you mean 'simulation'?); allowed: "
                        "description, arithmetic, spinnaker, constants, simulation, "
                        "populations, projections, recordings"));
    EXPECT_TRUE(rejects(without(full_model(), "/simulation"), "simulation", "missing"));
    EXPECT_TRUE(rejects(without(full_model(), "/populations"), "populations", "missing"));
    EXPECT_TRUE(rejects(with(full_model(), "/populations", json::array()), "populations",
                        "got an empty array; must be a non-empty array of populations"));
    EXPECT_TRUE(rejects(with(full_model(), "/populations", json::object()), "populations",
                        "got an object; must be a non-empty array"));
    EXPECT_TRUE(rejects(with(full_model(), "/projections", 3), "projections",
                        "got 3; must be an array of projections"));
    EXPECT_TRUE(
        rejects(with(full_model(), "/description", 1), "description", "got 1; must be a string"));
    EXPECT_TRUE(rejects(json::array(), "", "must be a JSON object"));
}

TEST(ModelFile, ArithmeticDoubleOrSpinnaker) {
    EXPECT_TRUE(rejects(with(full_model(), "/arithmetic", "fixed"), "arithmetic",
                        "got the string \"fixed\"; must be \"double\" or \"spinnaker\""));
    EXPECT_TRUE(rejects(with(full_model(), "/arithmetic", true), "arithmetic", "got true"));
    EXPECT_TRUE(rejects(with(full_model(), "/spinnaker", json{{"ring_buffer_sigm", 5}}),
                        "spinnaker.ring_buffer_sigm", "unknown key"));
    EXPECT_TRUE(rejects(with(full_model(), "/spinnaker", json{{"ring_buffer_sigma", -1}}),
                        "spinnaker.ring_buffer_sigma", "must be > 0"));
}

// ---------------------------------------------------------------------------
// simulation

TEST(ModelFile, SimulationValues) {
    EXPECT_TRUE(rejects(with(full_model(), "/simulation/dt", 0), "simulation.dt",
                        "got 0; must be > 0 (ms)"));
    EXPECT_TRUE(rejects(with(full_model(), "/simulation/dt", -0.1), "simulation.dt",
                        "got -0.1; must be > 0 (ms)"));
    // A string is an expression over the file's constants: "0.1" is 0.1, and
    // a name that is no constant is an error naming it.
    EXPECT_TRUE(rejects(with(full_model(), "/simulation/dt", "fast"), "simulation.dt",
                        "unknown name \"fast\""));
    EXPECT_TRUE(rejects(with(full_model(), "/simulation/tstop", -5), "simulation.tstop",
                        "got -5; must be > 0 (ms)"));
    EXPECT_TRUE(rejects(with(full_model(), "/simulation/min_delay", 0.05), "simulation.min_delay",
                        "got 0.05; must be >= dt (0.1 ms)"));
    EXPECT_TRUE(rejects(with(full_model(), "/simulation/max_delay", 0.2), "simulation.max_delay",
                        "got 0.2; must be >= min_delay (0.5 ms)"));
    EXPECT_TRUE(
        rejects(with(without(full_model(), "/simulation/min_delay"), "/simulation/max_delay", 0.01),
                "simulation.max_delay", "got 0.01; must be >= dt (0.1 ms)"));
    EXPECT_TRUE(rejects(with(full_model(), "/simulation/seed", -1), "simulation.seed",
                        "got -1; must be a non-negative integer"));
    EXPECT_TRUE(rejects(with(full_model(), "/simulation/seed", 1.5), "simulation.seed",
                        "got 1.5; must be a non-negative integer"));
    EXPECT_TRUE(rejects(with(full_model(), "/simulation/t_stop", 5), "simulation.t_stop",
                        "unknown key 't_stop' (did you mean 'tstop'?); allowed: dt, tstop, "
                        "min_delay, max_delay, seed"));
    EXPECT_TRUE(
        rejects(with(full_model(), "/simulation", 1), "simulation", "got 1; must be an object"));
}

// ---------------------------------------------------------------------------
// populations

TEST(ModelFile, PopulationName) {
    EXPECT_TRUE(rejects(without(full_model(), "/populations/1/name"), "populations[1].name",
                        "missing; required: a non-empty string"));
    EXPECT_TRUE(rejects(with(full_model(), "/populations/1/name", ""), "populations[1].name",
                        "must be a non-empty string"));
    EXPECT_TRUE(rejects(with(full_model(), "/populations/1/name", 5), "populations[1].name",
                        "got 5; must be a non-empty string"));
    EXPECT_TRUE(rejects(with(full_model(), "/populations/2/name", "exc"), "populations[2].name",
                        "duplicate population name 'exc' (populations[0] has it already)"));
    EXPECT_TRUE(rejects(with(full_model(), "/populations/1/label", "x"), "populations[1].label",
                        "unknown key 'label'; allowed: name, size, model, parameters, "
                        "initial_values, record"));
    EXPECT_TRUE(rejects(with(full_model(), "/populations/1", "inh"), "populations[1]",
                        "got the string \"inh\"; must be an object"));
}

TEST(ModelFile, PopulationSize) {
    EXPECT_TRUE(rejects(with(full_model(), "/populations/0/size", 0), "populations[0].size",
                        "got 0; must be a positive integer"));
    EXPECT_TRUE(rejects(with(full_model(), "/populations/0/size", -3), "populations[0].size",
                        "got -3; must be a positive integer"));
    EXPECT_TRUE(rejects(with(full_model(), "/populations/0/size", 2.5), "populations[0].size",
                        "got 2.5; must be a positive integer"));
    EXPECT_TRUE(rejects(with(full_model(), "/populations/0/size", "80 / 3"), "populations[0].size",
                        "gives 26.666666666666668; must be a positive integer"));
    EXPECT_TRUE(rejects(without(full_model(), "/populations/0/size"), "populations[0].size",
                        "missing; required: a positive integer"));
}

TEST(ModelFile, PopulationModel) {
    EXPECT_TRUE(rejects(with(full_model(), "/populations/0/model", "IF_cond_expp"),
                        "populations[0].model",
                        "unknown model 'IF_cond_expp' (did you mean 'IF_cond_exp'?); known models: "
                        "IF_cond_exp, IF_curr_exp, Needs_x, SpikeSourceArray, SpikeSourcePoisson"));
    EXPECT_TRUE(rejects(with(full_model(), "/populations/0/model", "Izhikevich"),
                        "populations[0].model", "unknown model 'Izhikevich'; known models: "));
    EXPECT_TRUE(
        rejects(without(full_model(), "/populations/0/model"), "populations[0].model", "missing"));
}

TEST(ModelFile, PopulationParameters) {
    EXPECT_TRUE(rejects(with(full_model(), "/populations/0/parameters/tau_mm", 10),
                        "populations[0].parameters.tau_mm",
                        "unknown key 'tau_mm' (did you mean 'tau_m'?); allowed: cm, tau_m, "
                        "tau_refrac, tau_syn_E, tau_syn_I, v_rest, v_reset, v_thresh, i_offset, "
                        "e_rev_E, e_rev_I"));
    // e_rev_E belongs to the conductance-based model only.
    EXPECT_TRUE(rejects(with(full_model(), "/populations/1/parameters/e_rev_E", 0),
                        "populations[1].parameters.e_rev_E", "unknown key 'e_rev_E'"));
    EXPECT_TRUE(rejects(with(full_model(), "/populations/0/parameters/cm", "0.2 nF"),
                        "populations[0].parameters.cm", "unknown name \"nF\""));
    EXPECT_TRUE(rejects(with(full_model(), "/populations/0/parameters/cm", json::array({0.2})),
                        "populations[0].parameters.cm", "got an array; must be a number (nF)"));
    EXPECT_TRUE(rejects(with(full_model(), "/populations/0/parameters", json::array()),
                        "populations[0].parameters", "got an empty array; must be an object"));
}

TEST(ModelFile, ValidateErrorsGetTheParameterPath) {
    EXPECT_TRUE(rejects(with(full_model(), "/populations/0/parameters/tau_m", -5),
                        "populations[0].parameters.tau_m",
                        "IF_cond_exp: got -5 ms; must be > 0 ms"));
    EXPECT_TRUE(rejects(with(full_model(), "/populations/1/parameters/cm", 0),
                        "populations[1].parameters.cm", "IF_curr_exp: got 0 nF; must be > 0 nF"));
}

TEST(ModelFile, RequiredParameterWithoutDefault) {
    const json doc = with(minimal_model(), "/populations/0/model", "Needs_x");
    EXPECT_TRUE(rejects(doc, "populations[0].parameters.x", "missing; Needs_x requires it (mV)"));
    EXPECT_EQ(parse_model(with(doc, "/populations/0/parameters/x", 2), fake())
                  .populations[0]
                  .parameters.scalars.at("x"),
              2.0);
}

TEST(ModelFile, ListParameters) {
    const json base = full_model();
    // One list for all neurons.
    model_spec s =
        parse_model(with(base, "/populations/2/parameters/spike_times", json::array()), fake());
    EXPECT_EQ(s.populations[2].parameters.lists.at("spike_times"),
              (std::vector<std::vector<double>>{{}}));
    // One list per neuron (stim has 5 neurons).
    const json per_neuron = R"([[1.0], [], [2.0, 3.0], [4.0], [5.0, 6.0, 7.0]])"_json;
    s = parse_model(with(base, "/populations/2/parameters/spike_times", per_neuron), fake());
    EXPECT_EQ(s.populations[2].parameters.lists.at("spike_times"),
              (std::vector<std::vector<double>>{{1.0}, {}, {2.0, 3.0}, {4.0}, {5.0, 6.0, 7.0}}));

    EXPECT_TRUE(
        rejects(with(base, "/populations/2/parameters/spike_times", R"([[1.0], [2.0]])"_json),
                "populations[2].parameters.spike_times",
                "got 2 lists; must be a list of numbers (ms) for all neurons, or one such "
                "list per neuron (exactly 5 lists, the size of 'stim')"));
    EXPECT_TRUE(rejects(with(base, "/populations/2/parameters/spike_times",
                             R"([[1.0], [2.0], 3.0, [4.0], [5.0]])"_json),
                        "populations[2].parameters.spike_times[2]",
                        "got 3; must be a list of numbers (ms)"));
    EXPECT_TRUE(rejects(with(base, "/populations/2/parameters/spike_times", R"([1.0, [2.0]])"_json),
                        "populations[2].parameters.spike_times[1]",
                        "got an array; must be a number (ms)"));
    EXPECT_TRUE(rejects(with(base, "/populations/2/parameters/spike_times", 10.0),
                        "populations[2].parameters.spike_times",
                        "got 10; must be a list of numbers (ms) for all neurons"));
    // The model's own check, reported at the parameter.
    EXPECT_TRUE(rejects(with(base, "/populations/2/parameters/spike_times", R"([-1.0])"_json),
                        "populations[2].parameters.spike_times",
                        "SpikeSourceArray: got a negative time"));
}

TEST(ModelFile, InitialValues) {
    EXPECT_TRUE(rejects(with(full_model(), "/populations/0/initial_values/u", 1),
                        "populations[0].initial_values.u", "unknown key 'u'; allowed: v"));
    EXPECT_TRUE(rejects(with(full_model(), "/populations/3/initial_values/v", 1),
                        "populations[3].initial_values.v", "unknown key 'v'; allowed: (none)"));
    EXPECT_TRUE(rejects(with(full_model(), "/populations/0/initial_values/v", "rest"),
                        "populations[0].initial_values.v", "unknown name \"rest\""));
    EXPECT_TRUE(rejects(with(full_model(), "/populations/0/initial_values", 1),
                        "populations[0].initial_values", "got 1; must be an object"));
}

TEST(ModelFile, Record) {
    // Spikes and any recordable state variable, with a sampling interval.
    const model_spec both =
        parse_model(with(with(full_model(), "/populations/0/record", json::array({"spikes", "v"})),
                         "/populations/0/sampling_interval", 0.5),
                    fake());
    EXPECT_TRUE(both.populations[0].record_spikes);
    EXPECT_EQ(both.populations[0].record_state, std::vector<std::string>{"v"});
    EXPECT_FALSE(both.populations[0].record_state_of) << "all neurons";
    EXPECT_DOUBLE_EQ(both.populations[0].sampling_interval, 0.5);
    EXPECT_TRUE(rejects(with(with(full_model(), "/populations/0/record", json::array({"v"})),
                             "/populations/0/sampling_interval", 0.25),
                        "populations[0].sampling_interval",
                        "must be a multiple of dt (0.1 ms), >= dt"));
    EXPECT_TRUE(rejects(with(full_model(), "/populations/0/record", json::array({"spike"})),
                        "populations[0].record[0]",
                        "unknown recordable 'spike' (did you mean 'spikes'?); allowed for "
                        "IF_cond_exp: spikes, v"));
    EXPECT_TRUE(rejects(with(full_model(), "/populations/0/record", "spikes"),
                        "populations[0].record", "must be an array of names"));
    EXPECT_TRUE(rejects(with(full_model(), "/populations/0/record", json::array({1})),
                        "populations[0].record[0]",
                        "got 1; must be a recordable name (spikes, v)"));
    const model_spec s =
        parse_model(with(full_model(), "/populations/3/record", json::array({"spikes"})), fake());
    EXPECT_TRUE(s.populations[3].record_spikes);
    // A view's state: "recordings" with a slice records v of those neurons only.
    json doc = full_model();
    doc["recordings"] = json::array(
        {{{"of", {{"population", "exc"}, {"slice", {2, 6, 2}}}}, {"variables", {"v"}}}});
    const model_spec r = parse_model(doc, fake());
    EXPECT_EQ(r.populations[0].record_state, std::vector<std::string>{"v"});
    ASSERT_TRUE(r.populations[0].record_state_of);
    EXPECT_EQ(*r.populations[0].record_state_of, (std::vector<std::uint64_t>{2, 4}));
}

// ---------------------------------------------------------------------------
// Value specs (initial values, weights, delays)

TEST(ModelFile, Distributions) {
    const std::string v = "/populations/0/initial_values/v";
    const std::string path = "populations[0].initial_values.v";
    model_spec s = parse_model(
        with(full_model(), v, R"({"distribution": "normal", "mu": -55, "sigma": 2})"_json), fake());
    const value_spec& n = s.populations[0].initial_values.at("v");
    EXPECT_EQ(n.k, value_spec::kind::normal);
    EXPECT_DOUBLE_EQ(n.mu, -55.0);
    EXPECT_DOUBLE_EQ(n.sigma, 2.0);
    // sigma 0 is a (degenerate) normal, as in PyNN.
    EXPECT_NO_THROW(parse_model(
        with(full_model(), v, R"({"distribution": "normal", "mu": -55, "sigma": 0})"_json),
        fake()));
    // A far tail that still has probability 3e-5: allowed.
    s = parse_model(with(full_model(), v,
                         R"({"distribution": "normal_clipped", "mu": 0, "sigma": 1,
                             "low": 4, "high": 5})"_json),
                    fake());
    EXPECT_EQ(s.populations[0].initial_values.at("v").k, value_spec::kind::normal_clipped);

    EXPECT_TRUE(rejects(
        with(full_model(), v, R"({"distribution": "uniform", "low": -50, "high": -60})"_json),
        path + ".high", "got -60; must be > low (-50)"));
    EXPECT_TRUE(rejects(
        with(full_model(), v, R"({"distribution": "uniform", "low": -50, "high": -50})"_json),
        path + ".high", "must be > low (-50)"));
    EXPECT_TRUE(rejects(with(full_model(), v, R"({"distribution": "uniform", "low": -50})"_json),
                        path + ".high", "missing; required: a number (mV)"));
    EXPECT_TRUE(
        rejects(with(full_model(), v, R"({"distribution": "normal", "mu": -50, "sigma": -1})"_json),
                path + ".sigma", "got -1; must be >= 0 (mV)"));
    EXPECT_TRUE(rejects(with(full_model(), v,
                             R"({"distribution": "normal", "mu": -50, "sigma": 1,
                                 "low": -60})"_json),
                        path + ".low", "unknown key 'low'; allowed: distribution, mu, sigma"));
    EXPECT_TRUE(rejects(with(full_model(), v,
                             R"({"distribution": "normal_clipped", "mu": 0, "sigma": 0,
                                 "low": -1, "high": 1})"_json),
                        path + ".sigma", "got 0; must be > 0 (mV)"));
    EXPECT_TRUE(rejects(with(full_model(), v,
                             R"({"distribution": "normal_clipped", "mu": 0, "sigma": 1,
                                 "low": 1, "high": -1})"_json),
                        path + ".high", "got -1; must be > low (1)"));
    EXPECT_TRUE(rejects(with(full_model(), v,
                             R"({"distribution": "normal_clipped", "mu": 0, "sigma": 1,
                                 "low": 6, "high": 7})"_json),
                        path, "[low, high] = [6, 7] has probability"));
    EXPECT_TRUE(rejects(with(full_model(), v,
                             R"({"distribution": "normal_clipped", "mu": 0, "sigma": 1,
                                 "low": -7, "high": -6})"_json),
                        path, "must be >= 1e-6"));
    EXPECT_TRUE(rejects(with(full_model(), v, R"({"distribution": "gauss", "mu": 0})"_json),
                        path + ".distribution",
                        "unknown distribution 'gauss'; known distributions: uniform, normal, "
                        "normal_clipped"));
    EXPECT_TRUE(rejects(with(full_model(), v, R"({"low": 0, "high": 1})"_json),
                        path + ".distribution",
                        "missing; required: one of uniform, normal, normal_clipped"));
}

// ---------------------------------------------------------------------------
// projections: pre and post

TEST(ModelFile, SliceViewsFollowPythonSemantics) {
    json doc = full_model();
    doc["projections"][3]["pre"] = R"({"population": "stim", "slice": [1, 4]})"_json;
    doc["projections"][3]["post"] = R"({"population": "exc", "slice": [10, 80, 25]})"_json;
    doc["projections"][3]["connector"] = R"({"type": "OneToOneConnector"})"_json;
    const model_spec s = parse_model(doc, fake());
    EXPECT_EQ(s.projections[3].pre.indices, (std::vector<std::uint64_t>{1, 2, 3}));
    EXPECT_EQ(s.projections[3].post.indices, (std::vector<std::uint64_t>{10, 35, 60}));
    // A view object without slice or indices is the whole population.
    doc["projections"][3]["pre"] = R"({"population": "exc"})"_json;
    doc["projections"][3]["connector"] = R"({"type": "AllToAllConnector"})"_json;
    EXPECT_FALSE(parse_model(doc, fake()).projections[3].pre.indices);
}

TEST(ModelFile, BadSlices) {
    const std::string pre = "/projections/3/pre/slice";
    const std::string path = "projections[3].pre.slice";
    EXPECT_TRUE(rejects(with(full_model(), pre, json::array({0, 6})), path + "[1]",
                        "got 6; must be <= the size of 'stim' (5)"));
    EXPECT_TRUE(rejects(with(full_model(), pre, json::array({3, 3})), path,
                        "empty slice [3, 3); must select at least one neuron"));
    EXPECT_TRUE(rejects(with(full_model(), pre, json::array({5, 5})), path, "empty slice"));
    EXPECT_TRUE(rejects(with(full_model(), pre, json::array({0, 5, 0})), path + "[2]",
                        "got 0; must be an integer >= 1"));
    EXPECT_TRUE(rejects(with(full_model(), pre, json::array({-1, 5})), path + "[0]",
                        "got -1; must be a non-negative integer"));
    EXPECT_TRUE(rejects(with(full_model(), pre, json::array({1})), path,
                        "got 1 values; must be [start, stop] or [start, stop, step]"));
    EXPECT_TRUE(rejects(with(full_model(), pre, "0:5"), path,
                        "must be [start, stop] or [start, stop, step]"));
}

TEST(ModelFile, IndexViews) {
    const std::string post = "/projections/3/post/indices";
    const std::string path = "projections[3].post.indices";
    EXPECT_TRUE(rejects(with(full_model(), post, json::array({1, 80})), path + "[1]",
                        "got 80; must be < the size of 'exc' (80)"));
    EXPECT_TRUE(rejects(with(full_model(), post, json::array({4, 1, 4})), path + "[2]",
                        "index 4 appears twice (also at [0]); indices must be distinct"));
    EXPECT_TRUE(rejects(with(full_model(), post, json::array()), path,
                        "must be a non-empty array of neuron indices"));
    EXPECT_TRUE(rejects(with(full_model(), "/projections/3/post/slice", json::array({0, 2})),
                        "projections[3].post", "more than one of slice, indices and sample given"));
}

TEST(ModelFile, UnknownPopulations) {
    EXPECT_TRUE(rejects(with(full_model(), "/projections/0/pre", "exx"), "projections[0].pre",
                        "unknown population 'exx' (did you mean 'exc'?); known populations: exc, "
                        "inh, stim, noise"));
    EXPECT_TRUE(rejects(with(full_model(), "/projections/3/post/population", "ex"),
                        "projections[3].post.population", "unknown population 'ex'"));
    EXPECT_TRUE(
        rejects(without(full_model(), "/projections/0/post"), "projections[0].post", "missing"));
    EXPECT_TRUE(rejects(with(full_model(), "/projections/0/post", 1), "projections[0].post",
                        "got 1; must be a population name, or {\"population\""));
    EXPECT_TRUE(rejects(with(full_model(), "/projections/3/post/size", 1),
                        "projections[3].post.size",
                        "unknown key 'size'; allowed: population, slice, indices"));
}

TEST(ModelFile, SourcesTakeNoInput) {
    EXPECT_TRUE(rejects(with(full_model(), "/projections/0/post", "noise"), "projections[0].post",
                        "population 'noise' is a SpikeSourcePoisson, a spike source: it takes no "
                        "input"));
}

TEST(ModelFile, ReceptorType) {
    EXPECT_TRUE(rejects(with(full_model(), "/projections/0/receptor_type", "excitory"),
                        "projections[0].receptor_type",
                        "unknown receptor type 'excitory' (did you mean 'excitatory'?); allowed "
                        "for IF_cond_exp: excitatory, inhibitory"));
    EXPECT_TRUE(rejects(with(full_model(), "/projections/0/receptor_type", 0),
                        "projections[0].receptor_type", "got 0; must be a receptor type"));
}

// ---------------------------------------------------------------------------
// projections: connectors

TEST(ModelFile, ConnectorTypes) {
    EXPECT_TRUE(rejects(with(full_model(), "/projections/1/connector/type", "AllToAll"),
                        "projections[1].connector.type",
                        "unknown connector type 'AllToAll'; known connectors: AllToAllConnector, "
                        "OneToOneConnector, FixedProbabilityConnector, FromListConnector"));
    EXPECT_TRUE(rejects(without(full_model(), "/projections/1/connector"),
                        "projections[1].connector", "missing"));
    EXPECT_TRUE(rejects(without(full_model(), "/projections/1/connector/type"),
                        "projections[1].connector.type", "missing; required: one of"));
    EXPECT_TRUE(rejects(with(full_model(), "/projections/1/connector", "AllToAllConnector"),
                        "projections[1].connector", "must be an object"));
    EXPECT_TRUE(rejects(with(full_model(), "/projections/2/connector/allow_self_connections", true),
                        "projections[2].connector.allow_self_connections",
                        "unknown key 'allow_self_connections'; allowed: type"));
    EXPECT_TRUE(rejects(with(full_model(), "/projections/0/connector/allow_self_connections", 0),
                        "projections[0].connector.allow_self_connections",
                        "got 0; must be true or false"));
    EXPECT_TRUE(rejects(with(full_model(), "/projections/1/connector/p_connect", 0.1),
                        "projections[1].connector.p_connect",
                        "unknown key 'p_connect'; allowed: type, allow_self_connections"));
}

TEST(ModelFile, FixedProbability) {
    EXPECT_TRUE(rejects(with(full_model(), "/projections/0/connector/p_connect", 1.5),
                        "projections[0].connector.p_connect", "got 1.5; must be in [0, 1]"));
    EXPECT_TRUE(rejects(with(full_model(), "/projections/0/connector/p_connect", -0.1),
                        "projections[0].connector.p_connect", "got -0.1; must be in [0, 1]"));
    EXPECT_TRUE(rejects(without(full_model(), "/projections/0/connector/p_connect"),
                        "projections[0].connector.p_connect",
                        "missing; required: a probability in [0, 1]"));
    EXPECT_NO_THROW(
        parse_model(with(full_model(), "/projections/0/connector/p_connect", 0), fake()));
}

TEST(ModelFile, OneToOneNeedsEqualSizes) {
    EXPECT_TRUE(rejects(with(full_model(), "/projections/2/post", "exc"),
                        "projections[2].connector",
                        "OneToOneConnector needs pre and post of the same size; got pre 'inh' "
                        "with 20 neurons and post 'exc' with 80"));
    // The sizes are those of the views.
    json doc = with(full_model(), "/projections/2/post",
                    R"({"population": "exc", "slice": [0, 40, 2]})"_json);
    doc["projections"][2]["receptor_type"] = "excitatory";
    doc["projections"][2]["synapse"]["weight"] = 0.5;
    EXPECT_EQ(parse_model(doc, fake()).projections[2].post.indices->size(), 20u);
}

TEST(ModelFile, FromList) {
    const std::string list = "/projections/3/connector/conn_list";
    const std::string path = "projections[3].connector.conn_list";
    // pre is stim[0:5:2] (3 neurons), post is exc[3, 1, 7] (3 neurons).
    EXPECT_TRUE(rejects(with(full_model(), list, R"([[0, 0, 0.01, 1.0], [3, 0, 0.01, 1.0]])"_json),
                        path + "[1][0]", "got 3; must be < the size of the pre (3)"));
    EXPECT_TRUE(rejects(with(full_model(), list, R"([[0, 0, 0.01, 1.0], [0, 7, 0.01, 1.0]])"_json),
                        path + "[1][1]", "got 7; must be < the size of the post (3)"));
    EXPECT_TRUE(rejects(with(full_model(), list, R"([[0, 0, 0.01, 1.0], [1, 1]])"_json),
                        path + "[1]",
                        "got 2 values; must be 4 like conn_list[0] (all rows have the same "
                        "length)"));
    EXPECT_TRUE(rejects(with(full_model(), list, R"([[0, 0, 0.01]])"_json), path + "[0]",
                        "got 3 values; must be a row [i, j] or [i, j, weight, delay]"));
    EXPECT_TRUE(rejects(with(full_model(), list, R"([[0, -1]])"_json), path + "[0][1]",
                        "got -1; must be a non-negative integer"));
    EXPECT_TRUE(rejects(with(full_model(), list, R"([[0.5, 1]])"_json), path + "[0][0]",
                        "got 0.5; must be a non-negative integer"));
    EXPECT_TRUE(rejects(with(full_model(), list, R"([[0, 0, -0.01, 1.0]])"_json), path + "[0][2]",
                        "got -0.01 uS; weights must be >= 0 for conductance-based synapses "
                        "(IF_cond_exp)"));
    EXPECT_TRUE(rejects(with(full_model(), list, R"([[0, 0, 0.01, 0.2]])"_json), path + "[0][3]",
                        "got 0.2 ms; must be >= min_delay (0.5 ms)"));
    EXPECT_TRUE(rejects(with(full_model(), list, R"([[0, 0, 0.01, 6]])"_json), path + "[0][3]",
                        "got 6 ms; must be <= max_delay (5 ms)"));
    EXPECT_TRUE(rejects(with(full_model(), list, R"({"0": [0, 0]})"_json), path,
                        "must be an array of rows"));
    EXPECT_TRUE(
        rejects(without(full_model(), "/projections/3/connector/conn_list"), path, "missing"));
    // An empty list is a projection without connections.
    EXPECT_TRUE(parse_model(with(full_model(), list, json::array()), fake())
                    .projections[3]
                    .connector.rows.empty());
}

// ---------------------------------------------------------------------------
// projections: synapse

TEST(ModelFile, SynapseType) {
    EXPECT_TRUE(rejects(with(full_model(), "/projections/0/synapse/type", "TsodyksMarkramSynapse"),
                        "projections[0].synapse.type",
                        "unknown synapse type 'TsodyksMarkramSynapse'; known synapse types: "
                        "StaticSynapse"));
    EXPECT_TRUE(rejects(with(full_model(), "/projections/0/synapse/weights", 1),
                        "projections[0].synapse.weights",
                        "unknown key 'weights' (did you mean 'weight'?); allowed: type, weight, "
                        "delay"));
    EXPECT_TRUE(rejects(with(full_model(), "/projections/0/synapse", 0.5), "projections[0].synapse",
                        "got 0.5; must be an object"));
}

TEST(ModelFile, DelaysWithinMinAndMax) {
    const std::string d = "/projections/0/synapse/delay";
    const std::string path = "projections[0].synapse.delay";
    EXPECT_TRUE(
        rejects(with(full_model(), d, 0.2), path, "got 0.2 ms; must be >= min_delay (0.5 ms)"));
    EXPECT_TRUE(
        rejects(with(full_model(), d, 7.5), path, "got 7.5 ms; must be <= max_delay (5 ms)"));
    EXPECT_TRUE(rejects(
        with(full_model(), d, R"({"distribution": "uniform", "low": 0.1, "high": 2})"_json), path,
        "got uniform(low=0.1, high=2) ms, whose lowest value is 0.1 ms; must be "
        ">= min_delay (0.5 ms)"));
    EXPECT_TRUE(
        rejects(with(full_model(), d, R"({"distribution": "uniform", "low": 1, "high": 6})"_json),
                path, "whose highest value is 6 ms; must be <= max_delay (5 ms)"));
    EXPECT_TRUE(rejects(
        with(full_model(), d, R"({"distribution": "normal", "mu": 2, "sigma": 0.1})"_json), path,
        "which is unbounded below; a delay must be >= min_delay (0.5 ms): "
        "use normal_clipped with low >= 0.5"));
    EXPECT_TRUE(rejects(with(full_model(), d, "1 ms"), path, "unknown name \"ms\""));
    // Without min_delay the floor is dt, and without max_delay there is no ceiling.
    json doc = without(without(full_model(), "/simulation/min_delay"), "/simulation/max_delay");
    EXPECT_TRUE(rejects(with(doc, d, 0.05), path, "got 0.05 ms; must be >= dt (0.1 ms)"));
    EXPECT_NO_THROW(parse_model(with(doc, d, 0.1), fake()));
    EXPECT_NO_THROW(parse_model(with(doc, d, 500.0), fake()));
    // A clipped normal is bounded below by its low.
    const model_spec s =
        parse_model(with(full_model(), d,
                         R"({"distribution": "normal_clipped", "mu": 1, "sigma": 0.5, "low": 0.5,
                 "high": 5})"_json),
                    fake());
    EXPECT_EQ(s.projections[0].synapse.delay.k, value_spec::kind::normal_clipped);
}

TEST(ModelFile, WeightSignsAsPyNNChecksThem) {
    // Current-based, excitatory: >= 0.
    const std::string ei = "/projections/1/synapse/weight";
    EXPECT_TRUE(rejects(with(full_model(), ei, -0.1), "projections[1].synapse.weight",
                        "got -0.1 nA; weights must be >= 0 for current-based, excitatory synapses "
                        "(IF_curr_exp"));
    EXPECT_TRUE(rejects(
        with(full_model(), ei, R"({"distribution": "normal", "mu": 0.5, "sigma": 0.1})"_json),
        "projections[1].synapse.weight",
        "got normal(mu=0.5, sigma=0.1) nA, which can be negative; weights must be "
        ">= 0"));
    EXPECT_NO_THROW(parse_model(with(full_model(), ei, 0.0), fake()));
    // Current-based, inhibitory: <= 0.
    const std::string ii = "/projections/2/synapse/weight";
    EXPECT_TRUE(rejects(with(full_model(), ii, 0.5), "projections[2].synapse.weight",
                        "got 0.5 nA; weights must be <= 0 for current-based, inhibitory synapses "
                        "(IF_curr_exp)"));
    EXPECT_TRUE(rejects(
        with(full_model(), ii, R"({"distribution": "uniform", "low": -1, "high": 0.5})"_json),
        "projections[2].synapse.weight", "which can be positive"));
    EXPECT_NO_THROW(parse_model(
        with(full_model(), ii, R"({"distribution": "uniform", "low": -1, "high": 0})"_json),
        fake()));
    // Conductance-based: >= 0 for every receptor, inhibitory included.
    const std::string ie = "/projections/4/synapse/weight";
    EXPECT_TRUE(rejects(with(full_model(), ie, -0.001), "projections[4].synapse.weight",
                        "got -0.001 uS; weights must be >= 0 for conductance-based synapses "
                        "(IF_cond_exp)"));
    EXPECT_TRUE(rejects(with(full_model(), "/projections/0/synapse/weight", -0.004),
                        "projections[0].synapse.weight",
                        "weights must be >= 0 for conductance-based synapses"));
}

// ---------------------------------------------------------------------------
// Files

struct temp_file {
    explicit temp_file(const std::string& text) {
        path = (fs::temp_directory_path() / ("ganglion_test_model_" + std::to_string(::getpid()) +
                                             "_" + std::to_string(counter++) + ".json"))
                   .string();
        std::ofstream(path) << text;
    }
    ~temp_file() { fs::remove(path); }
    std::string path;
    static inline int counter = 0;
};

TEST(ModelFile, ReadsAFile) {
    const temp_file f(full_model().dump(2));
    const model_spec s = read_model_file(f.path, fake());
    EXPECT_EQ(s.populations.size(), 4u);
    EXPECT_EQ(s.projections.size(), 5u);
}

TEST(ModelFile, MissingFile) {
    try {
        read_model_file("/nonexistent/model.json", fake());
        FAIL() << "accepted a missing file";
    } catch (const model_file_error&) {
        FAIL() << "a missing file is not a model_file_error";
    } catch (const error& e) {
        EXPECT_NE(std::string(e.what()).find("cannot open model file '/nonexistent/model.json'"),
                  std::string::npos)
            << e.what();
    }
    EXPECT_THROW(read_model_file(fs::temp_directory_path().string(), fake()), error);
}

TEST(ModelFile, InvalidJsonNamesFileLineAndByte) {
    const temp_file f("{\n  \"simulation\": {\"dt\": 0.1,},\n  \"populations\": []\n}\n");
    try {
        read_model_file(f.path, fake());
        FAIL() << "accepted invalid JSON";
    } catch (const model_file_error& e) {
        FAIL() << "invalid JSON is not a model_file_error: " << e.what();
    } catch (const error& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("model file '" + f.path + "' is not valid JSON"), std::string::npos)
            << what;
        EXPECT_NE(what.find("line 2, column 28"), std::string::npos) << what;
        EXPECT_NE(what.find("(byte 30)"), std::string::npos) << what;
    }
    const temp_file empty("");
    EXPECT_THROW(read_model_file(empty.path, fake()), error);
}

TEST(ModelFile, DuplicateKeysAreRejectedWithTheirPath) {
    std::string text = full_model().dump();
    const std::string tau = "\"tau_m\":20.0";
    const auto at = text.find(tau);
    ASSERT_NE(at, std::string::npos);
    text.insert(at, "\"tau_m\":15.0,");
    const temp_file f(text);
    try {
        read_model_file(f.path, fake());
        FAIL() << "accepted a duplicate key";
    } catch (const model_file_error& e) {
        EXPECT_EQ(e.path(), "populations[0].parameters.tau_m");
        EXPECT_NE(e.problem().find("key given twice"), std::string::npos) << e.problem();
    }
    // The same key in different objects is fine.
    const temp_file g(R"({"simulation": {"dt": 0.1},
                          "populations": [{"name": "a", "size": 1, "model": "IF_curr_exp"},
                                          {"name": "b", "size": 1, "model": "IF_curr_exp"}]})");
    EXPECT_EQ(read_model_file(g.path, fake()).populations.size(), 2u);
}

// ---------------------------------------------------------------------------
// The real models, once models/ registers them.

const model_registry& standard() {
    static const model_registry r = [] {
        model_registry r;
        register_standard_models(r);
        return r;
    }();
    return r;
}

bool has_standard_models() {
    for (const char* m : {"IF_cond_exp", "IF_curr_exp", "SpikeSourceArray", "SpikeSourcePoisson"})
        if (!standard().find(m)) return false;
    return true;
}

TEST(ModelFileStandardModels, FullFileReads) {
    if (!has_standard_models()) GTEST_SKIP() << "models/ does not register the standard models yet";
    const model_spec s = parse_model(full_model(), standard());
    EXPECT_EQ(s.populations.size(), 4u);
    EXPECT_TRUE(rejects(with(full_model(), "/populations/0/parameters/tau_m", -5),
                        "populations[0].parameters.tau_m", "IF_cond_exp: ", standard()));
    EXPECT_TRUE(rejects(with(full_model(), "/populations/0/model", "IF_cond_expp"),
                        "populations[0].model", "known models: ", standard()));
}

// Regressions: every excitatory receptor (excitatory2 of IF_curr_dual_exp)
// follows the excitatory sign rule, and delta synapses are weighed in mV.
TEST(ModelFileStandardModels, WeightRulesOfDualExpAndDeltaModels) {
    if (!has_standard_models()) GTEST_SKIP() << "models/ does not register the standard models yet";
    auto model = [](const std::string& name, const std::string& receptor, double weight) {
        return json{{"simulation", {{"dt", 0.1}, {"tstop", 10}}},
                    {"populations",
                     json::array({{{"name", "src"}, {"size", 2}, {"model", "SpikeSourcePoisson"}},
                                  {{"name", "cells"}, {"size", 2}, {"model", name}}})},
                    {"projections", json::array({{{"pre", "src"},
                                                  {"post", "cells"},
                                                  {"connector", {{"type", "AllToAllConnector"}}},
                                                  {"synapse", {{"weight", weight}}},
                                                  {"receptor_type", receptor}}})}};
    };
    EXPECT_NO_THROW(parse_model(model("IF_curr_dual_exp", "excitatory2", 0.5), standard()));
    EXPECT_TRUE(rejects(
        model("IF_curr_dual_exp", "excitatory2", -0.5), "projections[0].synapse.weight",
        "got -0.5 nA; weights must be >= 0 for current-based, excitatory synapses", standard()));
    EXPECT_TRUE(rejects(model("IF_curr_delta", "excitatory", -1.0), "projections[0].synapse.weight",
                        "got -1 mV; weights must be >= 0", standard()));
}

// The examples users start from are valid model files.
TEST(ModelFileStandardModels, ExamplesRead) {
    if (!has_standard_models()) GTEST_SKIP() << "models/ does not register the standard models yet";
    int files = 0;
    for (const auto& entry : fs::directory_iterator(fs::path(GANGLION_SOURCE_DIR) / "examples")) {
        if (entry.path().extension() != ".json") continue;
        ++files;
        EXPECT_NO_THROW(read_model_file(entry.path().string(), standard())) << entry.path();
    }
    EXPECT_GT(files, 0);
}

TEST(ModelFileStandardModels, SpinnakerArithmetic) {
    if (!has_standard_models()) GTEST_SKIP() << "models/ does not register the standard models yet";
    // The file's dt is kept when given (1.0 or 0.1 ms), otherwise SpiNNaker's 1 ms.
    json doc = with(full_model(), "/arithmetic", "spinnaker");
    model_spec s = parse_model(doc, standard());
    EXPECT_TRUE(s.spinnaker.enabled);
    EXPECT_EQ(s.simulation.dt, 0.1);
    EXPECT_EQ(s.spinnaker.ring_buffer_sigma, 5.0);
    EXPECT_EQ(s.spinnaker.spikes_per_second, 30.0);
    json no_dt = doc;
    no_dt["simulation"].erase("dt");
    no_dt["simulation"].erase("min_delay");
    no_dt["simulation"].erase("max_delay");
    no_dt["projections"] = json::array();
    EXPECT_EQ(parse_model(no_dt, standard()).simulation.dt, 1.0);
    EXPECT_TRUE(rejects(with(doc, "/simulation/dt", 0.25), "simulation.dt",
                        "SpiNNaker mode allows 1.0 ms (its default) or 0.1 ms"));
    json opts = with(doc, "/spinnaker", json{{"ring_buffer_sigma", 3}, {"spikes_per_second", 10}});
    s = parse_model(opts, standard());
    EXPECT_EQ(s.spinnaker.ring_buffer_sigma, 3.0);
    EXPECT_EQ(s.spinnaker.spikes_per_second, 10.0);
    // --arithmetic and --dt over the file.
    model_spec d = parse_model(full_model(), standard());
    set_arithmetic(d, standard(), std::string("spinnaker"), std::nullopt);
    EXPECT_TRUE(d.spinnaker.enabled);
    EXPECT_EQ(d.simulation.dt, 0.1);  // the file gave dt
    EXPECT_THROW(set_arithmetic(d, standard(), std::nullopt, 0.5), model_file_error);
    set_arithmetic(d, standard(), std::string("double"), 0.5);
    EXPECT_FALSE(d.spinnaker.enabled);
    EXPECT_EQ(d.simulation.dt, 0.5);
}

// Every file in tests/bad_models/ is rejected with its expected message: the
// same check as the CLI tests, without the executable.
TEST(ModelFileStandardModels, BadModelFilesAreRejected) {
    if (!has_standard_models()) GTEST_SKIP() << "models/ does not register the standard models yet";
    const fs::path dir = fs::path(GANGLION_SOURCE_DIR) / "tests" / "bad_models";
    std::ifstream expected(dir / "expected.txt");
    ASSERT_TRUE(expected) << "no " << (dir / "expected.txt");
    std::string line;
    int files = 0;
    while (std::getline(expected, line)) {
        if (line.empty() || line[0] == '#') continue;
        const auto tab = line.find('\t');
        ASSERT_NE(tab, std::string::npos) << line;
        const std::string file = line.substr(0, tab);
        const std::string fragment = line.substr(tab + 1);
        ++files;
        try {
            read_model_file((dir / file).string(), standard());
            ADD_FAILURE() << file << " was accepted";
        } catch (const error& e) {
            EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos)
                << file << ": '" << e.what() << "' does not contain '" << fragment << "'";
        }
    }
    EXPECT_GE(files, 18);
}

}  // namespace
}  // namespace ganglion
