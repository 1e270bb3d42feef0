#pragma once

// The network description: what a model file says, in PyNN's vocabulary and
// units, before anything is built. io/model_file.cpp fills it from JSON and
// checks every key; core/ builds and runs it. Nothing here is rank-specific.

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/current_source.hpp"
#include "core/plasticity.hpp"
#include "core/space.hpp"
#include "core/types.hpp"

namespace ganglion {

class expression;  // core/expression.hpp

// A value that is either a constant, drawn from a random distribution
// (PyNN's RandomDistribution names and parameter names), or an expression in
// the distance between pre and post (d, dx, dy, dz) such as "0.5 + 0.01*d",
// which the connection builder evaluates per connection.
struct value_spec {
    enum class kind {
        constant,
        uniform,
        normal,
        normal_clipped,
        lognormal,    // exp of a normal(mu, sigma)
        exponential,  // mean beta
        gamma,        // shape k, scale theta
        expression,   // evaluated by the connection builder, never by random_stream::draw
    };
    kind k = kind::constant;
    double value = 0;  // constant
    double low = 0;    // uniform, normal_clipped
    double high = 0;   // uniform, normal_clipped
    double mu = 0;     // normal, normal_clipped, lognormal
    double sigma = 0;  // normal, normal_clipped, lognormal
    double beta = 0;   // exponential: the mean (PyNN's beta), > 0
    double shape = 0;  // gamma: PyNN's k, > 0 (named so, since k is the kind)
    double theta = 0;  // gamma: scale, > 0
    std::shared_ptr<const ganglion::expression> expr;  // expression

    static value_spec constant(double v) {
        value_spec s;
        s.value = v;
        return s;
    }
    static value_spec uniform(double low, double high);
    static value_spec normal(double mu, double sigma);
    static value_spec normal_clipped(double mu, double sigma, double low, double high);
    static value_spec lognormal(double mu, double sigma);
    static value_spec exponential(double beta);
    static value_spec gamma(double k, double theta);
    static value_spec from_expression(std::shared_ptr<const ganglion::expression> e);

    bool is_constant() const { return k == kind::constant; }
    // Smallest and largest value a draw can take: +-inf for an unbounded
    // normal, 0 and +inf for lognormal, exponential and gamma, and -inf and
    // +inf for an expression (its range depends on the distances; the caller
    // bounds it).
    double lower_bound() const;
    double upper_bound() const;
    // Mean of the distribution (used for estimates, never for drawing); nan
    // for an expression.
    double mean() const;
};

struct simulation_spec {
    double dt = 0.1;                  // ms
    bool dt_given = false;            // by the file or --dt (SpiNNaker mode's default is 1 ms)
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
    // Spikes of only these neurons (indices), when recording is asked for a
    // view of the population rather than all of it.
    std::optional<std::vector<std::uint64_t>> record_spikes_of;
    // State variables to record (v, gsyn_exc, ...), of all neurons or of
    // record_state_of, every sampling_interval ms (0: every step).
    std::vector<std::string> record_state;
    std::optional<std::vector<std::uint64_t>> record_state_of;
    double sampling_interval = 0;
    structure_spec structure;  // positions; kind::none: no positions
};

// A population or a part of it, or an assembly of several. Without indices,
// the whole population; with indices (from a slice, an index list or a
// resolved random sample), those neurons in that order. With parts, the
// concatenation of the parts (PyNN's Assembly); population and indices are
// then unused.
struct view_spec {
    std::size_t population = 0;  // index into model_spec::populations
    std::optional<std::vector<std::uint64_t>> indices;
    // PyNN's sample(n): n distinct neurons drawn with the run's seed; turned
    // into ascending indices by resolve_views() once the seed is final.
    std::optional<std::uint64_t> sample;
    std::vector<view_spec> parts;
    bool is_assembly() const { return !parts.empty(); }
};

struct connector_spec {
    enum class kind {
        all_to_all,
        one_to_one,
        fixed_probability,
        from_list,  // also FromFileConnector, read into rows
        fixed_number_pre,
        fixed_number_post,
        fixed_total_number,
        distance_dependent,
        index_based,
        small_world,
    };
    kind k = kind::all_to_all;
    double p_connect = 0;  // fixed_probability
    bool allow_self_connections = true;
    std::uint64_t n = 0;            // fixed_number_pre/post, fixed_total_number
    bool with_replacement = false;  // fixed_number_pre/post (PyNN default false); total: true
    // distance_dependent: probability as an expression in d, dx, dy, dz;
    // index_based: an expression in i, j (pre and post view positions).
    std::string expression;
    double degree = 0;    // small_world: connect within this distance
    double rewiring = 0;  // small_world: probability of rewiring each connection
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
    std::optional<stdp_spec> stdp;  // type "STDPMechanism" (core/plasticity.hpp)
};

struct projection_spec {
    std::string label;
    view_spec pre;
    view_spec post;
    connector_spec connector;
    synapse_spec synapse;
    std::string receptor_type = "excitatory";
    space_spec space;               // how distances are measured
    bool save_connections = false;  // write them to DIR/connections.h5
};

// A current source and the neurons it is injected into (PyNN's
// source.inject_into(view)).
struct current_source_entry {
    current_source_spec source;
    view_spec inject_into;
};

// A recording of a random sample of a population: the sample is drawn with
// the run's seed by resolve_views(), which then records it like an index view.
struct sampled_recording {
    view_spec of;  // a leaf view with `sample`
    std::vector<std::string> variables;
};

// Records `what` ("spikes" or a state variable) of population p, of all its
// neurons (indices: nullopt) or of some; neurons already recorded stay so.
// State variables share one set of recorded neurons per population.
void add_recording(population_spec& p, const std::string& what,
                   const std::optional<std::vector<std::uint64_t>>& indices);

// "arithmetic": "spinnaker" (or --arithmetic spinnaker): run the model as
// sPyNNaker runs it on SpiNNaker (../shared/DESIGN.md, "SpiNNaker
// fixed-point mode"), with sPyNNaker's defaults for the choice of the
// ring-buffer left shifts ("spinnaker": {...} in the file sets them).
struct spinnaker_spec {
    bool enabled = false;
    double ring_buffer_sigma = 5.0;   // standard deviations of input headroom
    double spikes_per_second = 30.0;  // assumed rate of non-Poisson sources
};

struct model_spec {
    std::map<std::string, double> constants;  // "constants": usable in expressions
    simulation_spec simulation;
    spinnaker_spec spinnaker;
    std::vector<population_spec> populations;
    std::vector<projection_spec> projections;
    std::vector<current_source_entry> current_sources;
    std::vector<sampled_recording> sampled_recordings;  // until resolve_views()
    bool text_spikes = false;  // "output": {"text_spikes": true}: also DIR/spikes.txt

    gid_type first_gid(std::size_t population) const;
    gid_type total_neurons() const;
    std::optional<std::size_t> find_population(const std::string& name) const;
};

}  // namespace ganglion
