#include "models/spike_source_poisson.hpp"

#include <cmath>

#include "core/poisson.hpp"
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

poisson_process process_for(const shard_context& ctx) {
    const auto p = poisson_parameters::from(ctx.spec->parameters);
    return poisson_process::make(p.rate, p.start, p.duration, ctx.dt, ctx.seed,
                                 purpose::source(ctx.population_index));
}

class poisson_population final : public population_shard {
  public:
    explicit poisson_population(const shard_context& ctx)
        : gids_(ctx.gids), process_(process_for(ctx)) {}

    std::size_t size() const override { return gids_.size(); }

    void update(step_type from, step_type to, const input_view&, spike_buffer& out) override {
        for (step_type s = from; s < to; ++s) {
            if (!process_.active(s)) continue;
            for (const gid_type g : gids_)
                for (int k = process_.count(g, s); k > 0; --k)
                    out.emit(g, s);
        }
    }

    double* state(std::string_view) override { return nullptr; }

    // A pure function of (gid, step): nothing to save.
    std::size_t checkpoint_width() const override { return 0; }
    void save_neuron(std::size_t, double*) const override {}
    void load_neuron(std::size_t, const double*) override {}

  private:
    std::vector<gid_type> gids_;
    poisson_process process_;
};

}  // namespace

model_entry spike_source_poisson_entry() {
    model_entry e;
    e.info = poisson_info();
    e.validate = [](const parameter_values& v) { poisson_parameters::from(v).validate(); };
    e.make = [](const shard_context& ctx) -> std::unique_ptr<population_shard> {
        return std::make_unique<poisson_population>(ctx);
    };
    e.poisson = process_for;
    return e;
}

}  // namespace ganglion::models
