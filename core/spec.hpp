#pragma once

// The network description: what a model file says, in PyNN's vocabulary and
// units, before anything is built. io/model_file.cpp fills it from JSON and
// checks every key; core/ builds and runs it. Nothing here is rank-specific.

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/types.hpp"

namespace ganglion {

// A value that is either a constant or drawn from a random distribution
// (PyNN's RandomDistribution names and parameter names).
struct value_spec {
    enum class kind { constant, uniform, normal, normal_clipped };
    kind k = kind::constant;
    double value = 0;  // constant
    double low = 0;    // uniform, normal_clipped
    double high = 0;   // uniform, normal_clipped
    double mu = 0;     // normal, normal_clipped
    double sigma = 0;  // normal, normal_clipped

    static value_spec constant(double v) {
        value_spec s;
        s.value = v;
        return s;
    }
    bool is_constant() const { return k == kind::constant; }
    // Smallest and largest value a draw can take (+-inf for unbounded normal).
    double lower_bound() const;
    double upper_bound() const;
    // Mean of the distribution (used for estimates, never for drawing).
    double mean() const;
};

struct simulation_spec {
    double dt = 0.1;                  // ms
    double tstop = 1000.0;            // ms
    std::optional<double> min_delay;  // ms; default: smallest delay a projection can draw
    std::optional<double> max_delay;  // ms; default: largest delay a projection can draw
    std::uint64_t seed = 1;
};

// Parameters as given in the model file. Scalars are most parameters; lists
// are per-neuron or shared lists such as SpikeSourceArray's spike_times
// (one inner list for all neurons, or one per neuron).
struct parameter_values {
    std::map<std::string, double> scalars;
    std::map<std::string, std::vector<std::vector<double>>> lists;
};

struct population_spec {
    std::string name;
    std::string model;
    std::uint64_t size = 0;
    parameter_values parameters;                       // only the keys the file gave
    std::map<std::string, value_spec> initial_values;  // e.g. "v"
    bool record_spikes = false;
};

// A population or a part of it. Without indices, the whole population; with
// indices (from a slice or an index list), those neurons in that order.
struct view_spec {
    std::size_t population = 0;  // index into model_spec::populations
    std::optional<std::vector<std::uint64_t>> indices;
};

struct connector_spec {
    enum class kind { all_to_all, one_to_one, fixed_probability, from_list };
    kind k = kind::all_to_all;
    double p_connect = 0;  // fixed_probability
    bool allow_self_connections = true;
    // from_list rows: pre index, post index (within the views), weight, delay.
    struct row {
        std::uint64_t i = 0;
        std::uint64_t j = 0;
        double weight = 0;
        double delay = 0;
    };
    std::vector<row> rows;
    bool rows_have_weights = false;  // [i, j, w, d] rows; [i, j] rows use the synapse's
};

struct synapse_spec {
    std::string type = "StaticSynapse";
    value_spec weight = value_spec::constant(0.0);  // uS (conductance) or nA (current)
    value_spec delay = value_spec::constant(0.1);   // ms; default: min_delay if given, else dt
    bool delay_given = false;
};

struct projection_spec {
    std::string label;
    view_spec pre;
    view_spec post;
    connector_spec connector;
    synapse_spec synapse;
    std::string receptor_type = "excitatory";
};

struct model_spec {
    simulation_spec simulation;
    std::vector<population_spec> populations;
    std::vector<projection_spec> projections;

    gid_type first_gid(std::size_t population) const;
    gid_type total_neurons() const;
    std::optional<std::size_t> find_population(const std::string& name) const;
};

}  // namespace ganglion
