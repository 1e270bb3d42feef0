#include "models/spike_source_array.hpp"

#include <algorithm>
#include <cmath>

#include "models/checks.hpp"

namespace ganglion::models {

namespace {

model_info array_info() {
    model_info m;
    m.name = "SpikeSourceArray";
    m.description = "Spike source generating spikes at the times given in the spike_times array";
    m.is_source = true;
    m.parameters = {
        {"spike_times", 0.0, "ms", "spike times (one list, or one list per neuron)", true}};
    m.recordables = {"spikes"};
    return m;
}

void validate_times(const parameter_values& v) {
    const auto it = v.lists.find("spike_times");
    if (it == v.lists.end()) return;
    for (const auto& list : it->second)
        for (const double t : list)
            if (!(t >= 0) || !std::isfinite(t))
                throw parameter_error("SpikeSourceArray", "spike_times",
                                      "got " + checks::format_value(t) +
                                          " ms; spike times must be finite and >= 0 ms");
}

class array_population final : public population_shard {
  public:
    explicit array_population(const shard_context& ctx) : gids_(ctx.gids) {
        const auto it = ctx.spec->parameters.lists.find("spike_times");
        const std::vector<std::vector<double>> none{{}};
        const auto& lists = it == ctx.spec->parameters.lists.end() ? none : it->second;
        const bool shared = lists.size() == 1;
        steps_.resize(gids_.size());
        for (std::size_t k = 0; k < gids_.size(); ++k) {
            const auto& times = shared ? lists[0] : lists.at(gids_[k] - ctx.first_gid);
            auto& st = steps_[k];
            for (const double t : times) {
                const step_type s = static_cast<step_type>(std::llround(t / ctx.dt)) - 1;
                if (s < 0)
                    throw model_file_error(
                        "populations[" + std::to_string(ctx.population_index) +
                            "].parameters.spike_times",
                        "spike time " + checks::format_value(t) +
                            " ms rounds to time 0 on the dt grid; times must be >= dt / 2 (" +
                            checks::format_value(ctx.dt / 2) + " ms), as they round to the grid");
                st.push_back(s);
            }
            std::sort(st.begin(), st.end());
        }
        next_.assign(gids_.size(), 0);
    }

    std::size_t size() const override { return gids_.size(); }

    void update(step_type from, step_type to, const input_view&, spike_buffer& out) override {
        for (std::size_t k = 0; k < gids_.size(); ++k) {
            const auto& st = steps_[k];
            auto& i = next_[k];
            while (i < st.size() && st[i] < from)
                ++i;  // times before the run starts
            while (i < st.size() && st[i] < to)
                out.emit(gids_[k], st[i++]);
        }
    }

    double* state(std::string_view) override { return nullptr; }

    // The position in the neuron's spike list.
    std::size_t checkpoint_width() const override { return 1; }
    void save_neuron(std::size_t i, double* out) const override {
        out[0] = static_cast<double>(next_[i]);
    }
    void load_neuron(std::size_t i, const double* in) override {
        next_[i] = static_cast<std::size_t>(in[0]);
    }

  private:
    std::vector<gid_type> gids_;
    std::vector<std::vector<step_type>> steps_;
    std::vector<std::size_t> next_;
};

}  // namespace

model_entry spike_source_array_entry() {
    model_entry e;
    e.info = array_info();
    e.validate = validate_times;
    e.make = [](const shard_context& ctx) -> std::unique_ptr<population_shard> {
        return std::make_unique<array_population>(ctx);
    };
    return e;
}

}  // namespace ganglion::models
