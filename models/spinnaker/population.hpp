#pragma once

// Turns a SpiNNaker fixed-point model into a population_shard, as
// core/neuron_population.hpp does for the double models. The engine's ring
// buffers hold, in SpiNNaker mode, the saturated sums of 16-bit weights in
// 16-bit slots (fixed_ring_buffer); this shard turns each into synaptic input as
// sPyNNaker does (slot << left_shift read as an s16.15 accum), advances the
// model in fixed point, and keeps a double copy of the state for the parts
// of the engine that speak double (initial values, recording).
//
// A fixed-point model M provides:
//   using double_model = ...;   // the double model: info(), parameters::from
//   static constexpr std::size_t n_receptors;
//   static constexpr double weight_scale;   // sPyNNaker's global weight scale
//   struct parameters { parameters(const double_model::parameters&, double dt); };
//                                          // host side, as sPyNNaker computes it
//   struct state {
//       void resize(std::size_t n, const parameters&);
//       template <class F> void fields(F&&);     // every int32 array (checkpoints)
//       template <class F> void variables(F&&);  // f(name, std::vector<int32>&, unit):
//                                                // the double model's state names,
//                                                // value = raw / 2^15 * unit
//   };
//   static void step(const parameters&, state&, const fixed::accum* const* input,
//                    std::uint8_t* spiked, std::size_t n);
// `input[r][i]` is receptor r's input of neuron i in this step (r <
// n_receptors), `input[n_receptors][i]` the injected current in nA.

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "core/fixed_point.hpp"
#include "core/model.hpp"

namespace ganglion::models::spinnaker {

template <class M>
class fixed_population final : public population_shard {
  public:
    explicit fixed_population(const shard_context& ctx)
        : p_(M::double_model::parameters::from(ctx.spec->parameters), ctx.dt),
          gids_(ctx.gids),
          spiked_(ctx.gids.size(), 0),
          injected_(ctx.gids.size(), 0.0) {
        const std::size_t n = gids_.size();
        s_.resize(n, p_);
        for (std::size_t r = 0; r < M::n_receptors; ++r)
            shifts_[r] = r < ctx.input_shifts.size() ? ctx.input_shifts[r] : 0;
        for (auto& in : inputs_)
            in.assign(n, fixed::accum{});
        s_.variables([&](const char* name, std::vector<std::int32_t>&, double) {
            mirror_names_.emplace_back(name);
            mirror_.emplace_back(n, 0.0);
        });
        export_state();
    }

    std::size_t size() const override { return gids_.size(); }

    void update(step_type from, step_type to, const input_view& in, spike_buffer& out) override {
        const std::size_t n = gids_.size();
        if (n == 0) return;
        if (!imported_) import_state();
        std::array<const fixed::accum*, M::n_receptors + 1> rows{};
        for (std::size_t r = 0; r <= M::n_receptors; ++r)
            rows[r] = inputs_[r].data();
        fixed::accum* injected = inputs_[M::n_receptors].data();
        for (step_type s = from; s < to; ++s) {
            for (std::size_t r = 0; r < M::n_receptors; ++r) {
                std::uint16_t* row = in.fixed_row(r, s);
                fixed::accum* x = inputs_[r].data();
                const int shift = shifts_[r];
                // Clear on read: the slot is reused n_slots steps later.
                for (std::size_t i = 0; i < n; ++i) {
                    x[i] = fixed::weight_to_input(row[i], shift);
                    row[i] = 0;
                }
            }
            if (currents_) {
                currents_->fill(s, injected_.data());
                for (std::size_t i = 0; i < n; ++i)
                    injected[i] = fixed::to_accum(injected_[i], "injected current (nA)");
            }
            M::step(p_, s_, rows.data(), spiked_.data(), n);
            out.emit_flagged(spiked_.data(), gids_.data(), n, s);
            if (probe_ && (s + 1) % probe_->every == 0) {
                export_state();
                probe_->sample();
            }
        }
    }

    double* state(std::string_view name) override {
        for (std::size_t k = 0; k < mirror_names_.size(); ++k)
            if (mirror_names_[k] == name) return mirror_[k].data();
        return nullptr;
    }

    std::size_t checkpoint_width() const override { return state_fields_width(s_); }
    void save_neuron(std::size_t i, double* out) const override { save_state_fields(s_, i, out); }
    void load_neuron(std::size_t i, const double* in) override {
        if (!imported_) import_state();
        load_state_fields(s_, i, in);
        export_state();
    }

    // For tests: the fixed-point state itself.
    typename M::state& model_state() {
        if (!imported_) import_state();
        return s_;
    }
    const typename M::parameters& parameters() const { return p_; }

  private:
    // Double copy -> fixed point (once, before the first step: initial
    // values were written into the copy), rounded as the host rounds.
    void import_state() {
        std::size_t k = 0;
        s_.variables([&](const char* name, std::vector<std::int32_t>& raw, double unit) {
            const std::vector<double>& d = mirror_[k++];
            for (std::size_t i = 0; i < raw.size(); ++i)
                raw[i] = fixed::to_accum(d[i] / unit, std::string("initial value of ") + name).raw;
        });
        imported_ = true;
    }
    void export_state() {
        std::size_t k = 0;
        s_.variables([&](const char*, std::vector<std::int32_t>& raw, double unit) {
            std::vector<double>& d = mirror_[k++];
            for (std::size_t i = 0; i < raw.size(); ++i)
                d[i] = fixed::accum::from_raw(raw[i]).to_double() * unit;
        });
    }

    typename M::parameters p_;
    typename M::state s_;
    std::vector<gid_type> gids_;
    std::vector<std::uint8_t> spiked_;
    std::vector<double> injected_;  // nA per neuron in the current step
    std::array<std::vector<fixed::accum>, M::n_receptors + 1> inputs_;
    std::array<int, M::n_receptors> shifts_{};
    std::vector<std::string> mirror_names_;
    std::vector<std::vector<double>> mirror_;
    bool imported_ = false;
};

// The SpiNNaker version of a registry entry, for fixed-point model M.
template <class M>
spinnaker_version make_spinnaker_version() {
    spinnaker_version v;
    v.weight_scale = M::weight_scale;
    v.make = [](const shard_context& ctx) -> std::unique_ptr<population_shard> {
        return std::make_unique<fixed_population<M>>(ctx);
    };
    return v;
}

}  // namespace ganglion::models::spinnaker
