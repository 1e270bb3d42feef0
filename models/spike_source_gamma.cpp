#include "models/spike_source_gamma.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "core/error.hpp"
#include "core/random.hpp"
#include "models/checks.hpp"

namespace ganglion::models {

namespace {

constexpr const char* model_name = "SpikeSourceGamma";
constexpr double min_alpha = 0.01;

model_info gamma_info() {
    model_info m;
    m.name = model_name;
    m.description = "Spike source with gamma-distributed intervals (mean interval alpha/beta)";
    m.is_source = true;
    m.parameters = {
        {"alpha", 2.0, "", "shape (order) of the gamma distribution of intervals"},
        {"beta", 1.0, "Hz", "rate parameter of the gamma distribution"},
        {"start", 0.0, "ms", "start time of spike train"},
        {"duration", 1e10, "ms", "duration of spike train"},
    };
    m.recordables = {"spikes"};
    return m;
}

struct gamma_parameters {
    double alpha, beta, start, duration;

    static gamma_parameters from(const parameter_values& v) {
        const model_info m = gamma_info();
        return {parameter_or_default(v, m, "alpha"), parameter_or_default(v, m, "beta"),
                parameter_or_default(v, m, "start"), parameter_or_default(v, m, "duration")};
    }

    void validate() const {
        const std::string m = model_name;
        // Below 0.01 (CV above 10) most intervals would underflow to 0 in
        // double precision (the k < 1 sampler multiplies by U^(1/k)).
        if (!(alpha >= min_alpha) || !std::isfinite(alpha))
            throw parameter_error(m, "alpha",
                                  "got " + checks::format_value(alpha) +
                                      "; must be finite and >= " + checks::format_value(min_alpha));
        checks::non_negative(m, "beta", beta, "Hz");
        checks::non_negative(m, "start", start, "ms");
        checks::non_negative(m, "duration", duration, "ms");
        if (!std::isfinite(beta))
            throw parameter_error(m, "beta",
                                  "got " + checks::format_value(beta) + " Hz; must be finite");
        if (!std::isfinite(start))
            throw parameter_error(m, "start",
                                  "got " + checks::format_value(start) + " ms; must be finite");
    }
};

class gamma_population final : public population_shard {
  public:
    explicit gamma_population(const shard_context& ctx)
        : p_(gamma_parameters::from(ctx.spec->parameters)),
          dt_(ctx.dt),
          // 0 (silent) for beta 0, and for a beta so small that 1 / beta overflows.
          theta_(p_.beta > 0 && std::isfinite(1000.0 / p_.beta) ? 1000.0 / p_.beta : 0.0),
          end_(p_.start + p_.duration),
          gids_(ctx.gids) {
        next_.resize(gids_.size());
        streams_.reserve(gids_.size());
        for (std::size_t k = 0; k < gids_.size(); ++k) {
            streams_.emplace_back(ctx.seed, purpose::source(ctx.population_index), gids_[k]);
            if (theta_ > 0) {
                // In equilibrium at start: U times a length-biased interval.
                const double g = streams_[k].gamma(p_.alpha + 1.0, theta_);
                next_[k] = p_.start + streams_[k].uniform() * g;
            } else {
                next_[k] = HUGE_VAL;  // silent
            }
        }
    }

    std::size_t size() const override { return gids_.size(); }

    void update(step_type from, step_type to, const input_view&, spike_buffer& out) override {
        for (std::size_t k = 0; k < gids_.size(); ++k) {
            while (next_[k] <= end_) {
                const step_type s = source_spike_step(next_[k], dt_);
                if (s >= to) break;
                if (s >= from) out.emit(gids_[k], s);  // earlier: before the run started
                next_[k] += streams_[k].gamma(p_.alpha, theta_);
            }
        }
    }

    double* state(std::string_view) override { return nullptr; }

    std::size_t checkpoint_width() const override { return 3; }
    void save_neuron(std::size_t i, double* out) const override {
        out[0] = next_[i];
        out[1] = static_cast<double>(streams_[i].blocks_drawn());
        out[2] = streams_[i].words_used();
    }
    void load_neuron(std::size_t i, const double* in) override {
        next_[i] = in[0];
        streams_[i].seek(static_cast<std::uint64_t>(in[1]), static_cast<int>(in[2]));
    }

  private:
    gamma_parameters p_;
    double dt_;
    double theta_;  // scale of the intervals, ms
    double end_;    // start + duration
    std::vector<gid_type> gids_;
    // The state per source, all a checkpoint must save: the time of the next
    // spike (ms; past end_ once the train is over) and the position in its
    // random stream (random_stream is trivially copyable: its bytes are its
    // position).
    std::vector<double> next_;
    std::vector<random_stream> streams_;
    static_assert(std::is_trivially_copyable_v<random_stream>);
};

}  // namespace

model_entry spike_source_gamma_entry() {
    model_entry e;
    e.info = gamma_info();
    e.validate = [](const parameter_values& v) { gamma_parameters::from(v).validate(); };
    e.make = [](const shard_context& ctx) -> std::unique_ptr<population_shard> {
        return std::make_unique<gamma_population>(ctx);
    };
    return e;
}

}  // namespace ganglion::models
