#pragma once

// The small model interface that models/ implement and core/ drives.
//
// A population's neurons that one thread owns form a population_shard. The
// engine makes one virtual call per shard per min-delay interval; inside, a
// model advances plain arrays (see core/neuron_population.hpp for the
// template that turns a model struct into a shard).

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/current_source.hpp"
#include "core/poisson.hpp"
#include "core/ring_buffer.hpp"
#include "core/spec.hpp"
#include "core/spike_buffer.hpp"
#include "core/types.hpp"

namespace ganglion {

struct parameter_info {
    std::string name;
    double default_value = 0;  // scalars; NaN: no default, required
    std::string unit;
    std::string description;
    bool is_list = false;  // a list parameter such as spike_times
};

struct state_info {
    std::string name;
    std::string unit;
    // Initial value when the model file gives none: the value of this
    // parameter (e.g. "v_rest"), or `default_value` if empty.
    std::string default_from_parameter;
    double default_value = 0;
};

// How a synaptic weight acts on the model, which fixes its unit and sign
// (PyNN's conventions): a conductance (uS, >= 0 for every receptor), a
// current (nA; >= 0 for excitatory receptors, <= 0 for inhibitory ones) or
// a jump of the membrane potential (mV; signs as for currents).
enum class synapse_type { current, conductance, voltage_jump };
const char* weight_unit(synapse_type t);

struct model_info {
    std::string name;
    std::string description;
    bool is_source = false;
    std::vector<parameter_info> parameters;
    std::vector<std::string> receptors;  // index = receptor number in synapse storage
    synapse_type synapses = synapse_type::current;
    std::vector<state_info> state;  // settable initial values
    std::vector<std::string> recordables;

    const parameter_info* find_parameter(std::string_view n) const;
    const state_info* find_state(std::string_view n) const;
    int receptor_index(std::string_view n) const;  // -1 if unknown
};

// What a shard is made from: the population's spec, which of its neurons
// this thread owns, and run-wide constants.
struct shard_context {
    const population_spec* spec = nullptr;
    std::size_t population_index = 0;
    gid_type first_gid = 0;
    std::vector<gid_type> gids;  // this thread's neurons of the population, ascending
    double dt = 0.1;
    std::uint64_t seed = 1;
    // SpiNNaker mode only: per receptor, the left shift that turns a
    // ring-buffer slot (a sum of 16-bit weights) into s16.15 input.
    std::vector<int> input_shifts;
};

// Where a shard reads its input: this population's segment of the thread's
// ring buffer, one row per receptor and step.
struct input_view {
    ring_buffer* buffer = nullptr;
    std::size_t offset = 0;              // first thread-local index of the population
    fixed_ring_buffer* fixed = nullptr;  // SpiNNaker mode's 16-bit slots
    double* row(std::size_t receptor, step_type step) const {
        return buffer->row(receptor, step) + offset;
    }
    std::uint16_t* fixed_row(std::size_t receptor, step_type step) const {
        return fixed->row(receptor, step) + offset;
    }
};

// Samples state variables of some of a shard's neurons after every `every`-th
// step: after step s when (s + 1) % every == 0, i.e. at times k * every * dt.
struct state_probe {
    std::vector<double*> variables;    // the shard's state arrays
    std::vector<std::uint32_t> cells;  // positions in the shard, ascending
    step_type every = 1;
    std::vector<double> samples;  // per sample: each variable's values of each cell
    void sample() {
        for (const double* v : variables)
            for (const std::uint32_t c : cells)
                samples.push_back(v[c]);
    }
};

class population_shard {
  public:
    virtual ~population_shard() = default;
    // Record state through this probe (owned by the engine; null: none).
    void set_probe(state_probe* p) { probe_ = p; }
    // Inject current sources' currents (owned by the engine; null: none).
    void set_currents(const current_injection* c) { currents_ = c; }
    virtual std::size_t size() const = 0;
    // Advance every neuron from step `from` to `to` (exclusive). A neuron
    // updated in step s reads its input row of step s (and clears it), and
    // emits its spikes as (gid, s).
    virtual void update(step_type from, step_type to, const input_view& in, spike_buffer& out) = 0;
    // A state array by name (for initial values and recording), or nullptr.
    virtual double* state(std::string_view name) = 0;
    // Checkpoints: the complete state of the neuron at position i (every
    // array the shard advances, counters and random stream positions
    // included) as checkpoint_width() doubles, and back.
    virtual std::size_t checkpoint_width() const = 0;
    virtual void save_neuron(std::size_t i, double* out) const = 0;
    virtual void load_neuron(std::size_t i, const double* in) = 0;

  protected:
    state_probe* probe_ = nullptr;
    const current_injection* currents_ = nullptr;
};

// A model's SpiNNaker fixed-point version (models/spinnaker/).
struct spinnaker_version {
    std::function<std::unique_ptr<population_shard>(const shard_context&)> make;
    // sPyNNaker's global weight scale: weights are multiplied by it before
    // they are quantised (1024 for conductance input, whose synaptic state
    // holds g * 1024 and is shifted right by 10 where it is used).
    double weight_scale = 1.0;
};

struct model_entry {
    model_info info;
    // Throws parameter_error for a value outside its allowed range.
    std::function<void(const parameter_values&)> validate;
    std::function<std::unique_ptr<population_shard>(const shard_context&)> make;
    // For Poisson sources only: the train as a pure function of (gid, step),
    // so that the engine may generate it wherever its synapses are instead of
    // exchanging its spikes.
    std::function<poisson_process(const shard_context&)> poisson;
    // Neuron models that run in SpiNNaker mode; sources need none (they do no
    // arithmetic on weights and run unchanged).
    std::optional<spinnaker_version> spinnaker;
};

// The models a run can use, filled explicitly (models/registry.cpp), never
// by static initialisation.
class model_registry {
  public:
    void add(model_entry e);
    const model_entry* find(std::string_view name) const;
    std::vector<std::string> names() const;

  private:
    std::map<std::string, model_entry, std::less<>> entries_;
};

// The value of a scalar parameter: the file's, or the model's default.
double parameter_or_default(const parameter_values& given, const model_info& info,
                            std::string_view name);

// A model state's checkpoint row (population_shard::save_neuron): every
// array its fields() lists, one double per array and neuron (int32
// counters convert exactly).
template <class State>
std::size_t state_fields_width(const State& s) {
    std::size_t w = 0;
    const_cast<State&>(s).fields([&w](auto&) { ++w; });
    return w;
}
template <class State>
void save_state_fields(const State& s, std::size_t i, double* out) {
    const_cast<State&>(s).fields([&](auto& array) { *out++ = static_cast<double>(array[i]); });
}
template <class State>
void load_state_fields(State& s, std::size_t i, const double* in) {
    s.fields([&](auto& array) {
        using T = typename std::decay_t<decltype(array)>::value_type;
        array[i] = static_cast<T>(*in++);
    });
}

}  // namespace ganglion
