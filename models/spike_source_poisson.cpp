#include "models/spike_source_poisson.hpp"

#include <cmath>

#include "core/random.hpp"
#include "models/checks.hpp"

namespace ganglion::models {

namespace {

model_info poisson_info() {
    model_info m;
    m.name = "SpikeSourcePoisson";
    m.description = "Spike source with Poisson statistics";
    m.is_source = true;
    m.parameters = {
        {"rate", 1.0, "Hz", "mean spike rate"},
        {"start", 0.0, "ms", "start time of spike train"},
        {"duration", 1e10, "ms", "duration of spike train"},
    };
    m.recordables = {"spikes"};
    return m;
}

struct poisson_parameters {
    double rate, start, duration;
    static poisson_parameters from(const parameter_values& v) {
        const model_info m = poisson_info();
        return {parameter_or_default(v, m, "rate"), parameter_or_default(v, m, "start"),
                parameter_or_default(v, m, "duration")};
    }
    void validate() const {
        const std::string m = "SpikeSourcePoisson";
        checks::non_negative(m, "rate", rate, "Hz");
        checks::non_negative(m, "start", start, "ms");
        checks::non_negative(m, "duration", duration, "ms");
    }
};

class poisson_population final : public population_shard {
  public:
    explicit poisson_population(const shard_context& ctx)
        : gids_(ctx.gids), seed_(ctx.seed), purpose_(purpose::source(ctx.population_index)) {
        const auto p = poisson_parameters::from(ctx.spec->parameters);
        const double lambda = p.rate * ctx.dt * 1e-3;
        exp_minus_lambda_ = std::exp(-lambda);
        lambda_ = lambda;
        // A spike drawn in step s is stamped (s + 1) dt: active for spike
        // times in (start, start + duration].
        first_step_ = static_cast<step_type>(std::llround(p.start / ctx.dt));
        const double stop = p.start + p.duration;
        end_step_ = stop > 1e15 ? std::numeric_limits<step_type>::max()
                                : static_cast<step_type>(std::llround(stop / ctx.dt));
    }

    std::size_t size() const override { return gids_.size(); }

    void update(step_type from, step_type to, const input_view&, spike_buffer& out) override {
        if (lambda_ <= 0) return;
        const step_type a = std::max(from, first_step_);
        const step_type b = std::min(to, end_step_);
        for (step_type s = a; s < b; ++s) {
            for (const gid_type g : gids_) {
                const double u = to_unit_open(philox(seed_, purpose_, g, s)[0]);
                if (u <= exp_minus_lambda_) continue;  // the common case: no spike
                // Inversion: the smallest k with P(X <= k) >= u.
                int k = 0;
                double pk = exp_minus_lambda_, cdf = pk;
                while (u > cdf && k < 1000) {
                    ++k;
                    pk *= lambda_ / k;
                    cdf += pk;
                }
                for (int j = 0; j < k; ++j)
                    out.emit(g, s);
            }
        }
    }

    double* state(std::string_view) override { return nullptr; }

  private:
    std::vector<gid_type> gids_;
    std::uint64_t seed_, purpose_;
    double lambda_ = 0, exp_minus_lambda_ = 1;
    step_type first_step_ = 0, end_step_ = 0;
};

}  // namespace

model_entry spike_source_poisson_entry() {
    model_entry e;
    e.info = poisson_info();
    e.validate = [](const parameter_values& v) { poisson_parameters::from(v).validate(); };
    e.make = [](const shard_context& ctx) -> std::unique_ptr<population_shard> {
        return std::make_unique<poisson_population>(ctx);
    };
    return e;
}

}  // namespace ganglion::models
