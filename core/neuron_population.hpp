#pragma once

// Turns a model declared as data (parameters, derived values, state as a
// structure of arrays, one step over arrays) into a population_shard, so the
// engine owns input reading, spike detection and output for every model.
//
// A model M provides:
//   static model_info info();
//   struct parameters { static parameters from(const parameter_values&); void validate() const; };
//   struct derived { derived(const parameters&, double dt); };   // recomputed before a run
//   struct state { void resize(std::size_t n, const parameters&);
//                  double* variable(std::string_view); };
//   static constexpr std::size_t n_receptors;
//   static void step(const parameters&, const derived&, state&, const double* const* input,
//                    std::uint8_t* spiked, std::size_t n);
// `step` advances all n neurons by one dt, reading input[r][i] (what arrived
// for receptor r of neuron i in this step, r < n_receptors) and
// input[n_receptors][i] (the current injected into neuron i by current
// sources, in nA, constant over the step: the model adds it where it adds
// i_offset), and setting spiked[i].

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <vector>

#include "core/model.hpp"

namespace ganglion {

template <class M>
class neuron_population final : public population_shard {
  public:
    explicit neuron_population(const shard_context& ctx)
        : p_(M::parameters::from(ctx.spec->parameters)),
          d_(p_, ctx.dt),
          gids_(ctx.gids),
          spiked_(ctx.gids.size(), 0),
          injected_(ctx.gids.size(), 0.0) {
        s_.resize(gids_.size(), p_);
    }

    std::size_t size() const override { return gids_.size(); }

    void update(step_type from, step_type to, const input_view& in, spike_buffer& out) override {
        const std::size_t n = gids_.size();
        if (n == 0) return;
        std::array<const double*, M::n_receptors + 1> rows{};
        rows[M::n_receptors] = injected_.data();
        for (step_type s = from; s < to; ++s) {
            for (std::size_t r = 0; r < M::n_receptors; ++r)
                rows[r] = in.row(r, s);
            if (currents_) currents_->fill(s, injected_.data());
            M::step(p_, d_, s_, rows.data(), spiked_.data(), n);
            out.emit_flagged(spiked_.data(), gids_.data(), n, s);
            // Clear on read: the slot is reused n_slots steps later.
            for (std::size_t r = 0; r < M::n_receptors; ++r)
                std::fill(in.row(r, s), in.row(r, s) + n, 0.0);
            if (probe_ && (s + 1) % probe_->every == 0) probe_->sample();
        }
    }

    double* state(std::string_view name) override { return s_.variable(name); }

    std::size_t checkpoint_width() const override { return state_fields_width(s_); }
    void save_neuron(std::size_t i, double* out) const override { save_state_fields(s_, i, out); }
    void load_neuron(std::size_t i, const double* in) override {
        load_state_fields(s_, i, in);
        if constexpr (requires { s_.restored(); }) s_.restored();
    }

    // For tests and benchmarks: drive the model without an engine.
    const typename M::parameters& parameters() const { return p_; }
    typename M::state& model_state() { return s_; }

  private:
    typename M::parameters p_;
    typename M::derived d_;
    typename M::state s_;
    std::vector<gid_type> gids_;
    std::vector<std::uint8_t> spiked_;
    std::vector<double> injected_;  // nA per neuron in the current step
};

// A registry entry for model M.
template <class M>
model_entry make_model_entry() {
    model_entry e;
    e.info = M::info();
    // Every state variable can be recorded, as in PyNN.
    for (const auto& st : e.info.state)
        if (std::find(e.info.recordables.begin(), e.info.recordables.end(), st.name) ==
            e.info.recordables.end())
            e.info.recordables.push_back(st.name);
    e.validate = [](const parameter_values& v) { M::parameters::from(v).validate(); };
    e.make = [](const shard_context& ctx) -> std::unique_ptr<population_shard> {
        return std::make_unique<neuron_population<M>>(ctx);
    };
    return e;
}

}  // namespace ganglion
