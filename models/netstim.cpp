#include "models/netstim.hpp"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "core/error.hpp"
#include "core/random.hpp"
#include "models/checks.hpp"

namespace ganglion::models {

namespace {

constexpr const char* model_name = "NetStim";
// The largest `number`: every whole number up to 2^53 is a double.
constexpr double max_number = 9007199254740992.0;

model_info netstim_info() {
    model_info m;
    m.name = model_name;
    m.description =
        "NEURON's NetStim: `number` spikes from `start`, intervals (1 - noise) interval + "
        "noise Exp(interval)";
    m.is_source = true;
    m.parameters = {
        {"interval", 10.0, "ms", "mean time between spikes"},
        {"number", 10.0, "", "number of spikes (a whole number, independent of noise)"},
        {"start", 50.0, "ms", "time of the first spike when noise is 0"},
        {"noise", 0.0, "", "randomness of the intervals, 0 (regular) to 1 (Poisson)"},
        // 1e10 ms (PyNN's "forever") rather than infinity, which JSON cannot hold.
        {"duration", 1e10, "ms", "no spikes after start + duration"},
    };
    m.recordables = {"spikes"};
    return m;
}

struct netstim_parameters {
    double interval, number, start, noise, duration;

    static netstim_parameters from(const parameter_values& v) {
        const model_info m = netstim_info();
        return {parameter_or_default(v, m, "interval"), parameter_or_default(v, m, "number"),
                parameter_or_default(v, m, "start"), parameter_or_default(v, m, "noise"),
                parameter_or_default(v, m, "duration")};
    }

    void validate() const {
        const std::string m = model_name;
        checks::positive(m, "interval", interval, "ms");
        if (!std::isfinite(interval))
            throw parameter_error(m, "interval",
                                  "got " + checks::format_value(interval) + " ms; must be finite");
        if (!(number >= 0 && number <= max_number && std::floor(number) == number))
            throw parameter_error(
                m, "number",
                "got " + checks::format_value(number) + "; must be a whole number in [0, 2^53]");
        checks::non_negative(m, "start", start, "ms");
        if (!std::isfinite(start))
            throw parameter_error(m, "start",
                                  "got " + checks::format_value(start) + " ms; must be finite");
        if (!(noise >= 0 && noise <= 1))
            throw parameter_error(m, "noise",
                                  "got " + checks::format_value(noise) + "; must be in [0, 1]");
        checks::non_negative(m, "duration", duration, "ms");
    }
};

class netstim_population final : public population_shard {
  public:
    explicit netstim_population(const shard_context& ctx)
        : p_(netstim_parameters::from(ctx.spec->parameters)), dt_(ctx.dt), gids_(ctx.gids) {
        // Spike times that exceed start + duration by rounding only still count.
        const double end = p_.start + p_.duration;
        end_ = end + 1e-9 + 1e-12 * end;
        const auto number = static_cast<std::uint64_t>(p_.number);
        next_.resize(gids_.size());
        left_.assign(gids_.size(), number);
        streams_.reserve(gids_.size());
        for (std::size_t k = 0; k < gids_.size(); ++k) {
            streams_.emplace_back(ctx.seed, purpose::source(ctx.population_index), gids_[k]);
            // INITIAL: start + invl(interval) - interval (1 - noise).
            next_[k] = p_.noise == 0
                           ? p_.start
                           : p_.start + p_.noise * p_.interval * streams_[k].exponential(1.0);
            if (next_[k] > end_) left_[k] = 0;
        }
    }

    std::size_t size() const override { return gids_.size(); }

    void update(step_type from, step_type to, const input_view&, spike_buffer& out) override {
        const auto number = static_cast<std::uint64_t>(p_.number);
        for (std::size_t k = 0; k < gids_.size(); ++k) {
            while (left_[k] > 0) {
                const step_type s = source_spike_step(next_[k], dt_);
                if (s >= to) break;
                if (s >= from) out.emit(gids_[k], s);  // earlier: before the run started
                if (--left_[k] == 0) break;
                // NET_RECEIVE: the next spike invl(interval) later.
                if (p_.noise == 0)
                    next_[k] = p_.start + static_cast<double>(number - left_[k]) * p_.interval;
                else
                    next_[k] += (1.0 - p_.noise) * p_.interval +
                                p_.noise * p_.interval * streams_[k].exponential(1.0);
                if (next_[k] > end_) left_[k] = 0;
            }
        }
    }

    double* state(std::string_view) override { return nullptr; }

    std::size_t checkpoint_width() const override { return 4; }
    void save_neuron(std::size_t i, double* out) const override {
        out[0] = next_[i];
        out[1] = static_cast<double>(left_[i]);  // <= 2^53: exact
        out[2] = static_cast<double>(streams_[i].blocks_drawn());
        out[3] = streams_[i].words_used();
    }
    void load_neuron(std::size_t i, const double* in) override {
        next_[i] = in[0];
        left_[i] = static_cast<std::uint64_t>(in[1]);
        streams_[i].seek(static_cast<std::uint64_t>(in[2]), static_cast<int>(in[3]));
    }

  private:
    netstim_parameters p_;
    double dt_;
    double end_;  // start + duration, with a rounding margin
    std::vector<gid_type> gids_;
    // The state per source, all a checkpoint must save: the time of the next
    // spike (ms), the spikes still to fire, and the position in its random
    // stream (random_stream is trivially copyable: its bytes are its position).
    std::vector<double> next_;
    std::vector<std::uint64_t> left_;
    std::vector<random_stream> streams_;
    static_assert(std::is_trivially_copyable_v<random_stream>);
};

}  // namespace

model_entry netstim_entry() {
    model_entry e;
    e.info = netstim_info();
    e.validate = [](const parameter_values& v) { netstim_parameters::from(v).validate(); };
    e.make = [](const shard_context& ctx) -> std::unique_ptr<population_shard> {
        return std::make_unique<netstim_population>(ctx);
    };
    return e;
}

}  // namespace ganglion::models
