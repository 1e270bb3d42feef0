#include "io/model_file.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/expression.hpp"
#include "core/spinnaker.hpp"
#include "io/connections_file.hpp"

namespace ganglion {
namespace {

using json = nlohmann::json;

// ---------------------------------------------------------------------------
// Text helpers for messages.

std::string format_number(double v) {
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

std::string in_quotes(std::string_view s) {
    return "'" + std::string(s) + "'";
}

// What a JSON value is, for "got ...; must be ..." messages.
std::string describe(const json& v) {
    switch (v.type()) {
        case json::value_t::null:
            return "null";
        case json::value_t::boolean:
            return v.get<bool>() ? "true" : "false";
        case json::value_t::number_integer:
            return std::to_string(v.get<std::int64_t>());
        case json::value_t::number_unsigned:
            return std::to_string(v.get<std::uint64_t>());
        case json::value_t::number_float:
            return format_number(v.get<double>());
        case json::value_t::string: {
            std::string s = v.get<std::string>();
            if (s.size() > 40) s = s.substr(0, 37) + "...";
            return "the string \"" + s + "\"";
        }
        case json::value_t::array:
            return v.empty() ? "an empty array" : "an array";
        case json::value_t::object:
            return "an object";
        default:
            return "a binary value";
    }
}

std::string join(const std::vector<std::string>& items) {
    if (items.empty()) return "(none)";
    std::string out;
    for (const auto& s : items)
        out += (out.empty() ? "" : ", ") + s;
    return out;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& ch : out)
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return out;
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
            diagonal = up;
        }
    }
    return row[b.size()];
}

// " (did you mean 'tau_m'?)" when one allowed name is a likely typo of `given`.
std::string did_you_mean(std::string_view given, const std::vector<std::string>& allowed) {
    const std::string g = lower(given);
    // Short names are too close to everything: "u" would suggest "v".
    const std::size_t limit = std::min<std::size_t>(2, g.size() / 3);
    const std::string* best = nullptr;
    std::size_t best_distance = limit + 1;
    for (const auto& a : allowed) {
        const std::size_t d = edit_distance(g, lower(a));
        if (d < best_distance) {
            best_distance = d;
            best = &a;
        }
    }
    return best ? " (did you mean " + in_quotes(*best) + "?)" : "";
}

// ---------------------------------------------------------------------------
// A JSON value and its path, so that every check can name the key it checks.

class cursor {
  public:
    cursor(const json& value, std::string path, const std::map<std::string, double>* constants)
        : value_(&value), path_(std::move(path)), constants_(constants) {}

    const json& value() const { return *value_; }
    const std::string& path() const { return path_; }

    [[noreturn]] void fail(const std::string& problem) const {
        throw model_file_error(path_, problem);
    }
    // "got <what was given>; must be <rule>"
    [[noreturn]] void must_be(std::string_view rule) const {
        fail("got " + describe(*value_) + "; must be " + std::string(rule));
    }

    // Objects.
    std::string child_path(std::string_view key) const {
        return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
    }
    void expect_object() const {
        if (!value_->is_object()) must_be("an object");
    }
    // Rejects every key not in `allowed`, at that key's own path.
    void allow_keys(std::initializer_list<std::string_view> allowed) const {
        allow_keys(std::vector<std::string>(allowed.begin(), allowed.end()));
    }
    void allow_keys(const std::vector<std::string>& allowed) const {
        expect_object();
        for (const auto& [key, v] : value_->items())
            if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
                cursor(v, child_path(key), constants_).fail_unknown("key", key, allowed, "allowed");
    }
    std::optional<cursor> find(std::string_view key) const {
        expect_object();
        const auto it = value_->find(std::string(key));
        if (it == value_->end()) return std::nullopt;
        return cursor(*it, child_path(key), constants_);
    }
    cursor required(std::string_view key, std::string_view what) const {
        if (auto c = find(key)) return *c;
        throw model_file_error(child_path(key), "missing; required: " + std::string(what));
    }
    std::vector<std::pair<std::string, cursor>> members() const {
        expect_object();
        std::vector<std::pair<std::string, cursor>> out;
        for (const auto& [key, v] : value_->items())
            out.emplace_back(key, cursor(v, child_path(key), constants_));
        return out;
    }

    // Arrays.
    std::vector<cursor> elements(std::string_view what = "an array") const {
        if (!value_->is_array()) must_be(what);
        std::vector<cursor> out;
        for (std::size_t i = 0; i < value_->size(); ++i)
            out.emplace_back((*value_)[i], path_ + "[" + std::to_string(i) + "]", constants_);
        return out;
    }

    // Scalars.
    // A number, or an expression over the model's constants such as
    // "rint(20683 * N_scale)" (muParser syntax).
    double number(std::string_view unit = {}) const {
        const std::string with_unit = unit.empty() ? "" : " (" + std::string(unit) + ")";
        if (value_->is_string()) {
            const double v = evaluate(value_->get<std::string>());
            if (!std::isfinite(v)) must_be("a finite number" + with_unit);
            return v;
        }
        if (!value_->is_number()) must_be("a number" + with_unit);
        const double v = value_->get<double>();
        if (!std::isfinite(v)) must_be("a finite number" + with_unit);
        return v;
    }
    std::string string(std::string_view what = "a string") const {
        if (!value_->is_string()) must_be(what);
        return value_->get<std::string>();
    }
    bool boolean() const {
        if (!value_->is_boolean()) must_be("true or false");
        return value_->get<bool>();
    }
    // A non-negative integer; a float with an integral value (3.0) counts.
    std::uint64_t integer(std::string_view rule = "a non-negative integer") const {
        if (value_->is_string()) {
            const double v = evaluate(value_->get<std::string>());
            if (v >= 0 && v < 0x1.0p53 && std::floor(v) == v) return static_cast<std::uint64_t>(v);
            fail("expression " + in_quotes(value_->get<std::string>()) + " gives " +
                 format_number(v) + "; must be " + std::string(rule) + " (use rint() to round)");
        }
        if (value_->is_number_unsigned()) return value_->get<std::uint64_t>();
        if (value_->is_number_integer()) {
            if (value_->get<std::int64_t>() < 0) must_be(rule);
            return static_cast<std::uint64_t>(value_->get<std::int64_t>());
        }
        if (value_->is_number_float()) {
            const double v = value_->get<double>();
            if (v >= 0 && v < 0x1.0p53 && std::floor(v) == v) return static_cast<std::uint64_t>(v);
        }
        must_be(rule);
    }

    double evaluate(const std::string& text) const {
        static const std::map<std::string, double> none;
        try {
            return evaluate_constant(text, constants_ ? *constants_ : none);
        } catch (const error& e) {
            fail(std::string(e.what()));
        }
    }
    const std::map<std::string, double>* constants() const { return constants_; }

    [[noreturn]] void fail_unknown(std::string_view what, std::string_view given,
                                   const std::vector<std::string>& allowed,
                                   std::string_view list_label) const {
        fail("unknown " + std::string(what) + " " + in_quotes(given) +
             did_you_mean(given, allowed) + "; " + std::string(list_label) + ": " + join(allowed));
    }

  private:
    const json* value_;
    std::string path_;
    const std::map<std::string, double>* constants_;
};

// ---------------------------------------------------------------------------
// Value specs: a number or one of PyNN's RandomDistribution names.

const std::vector<std::string> distribution_names = {"uniform",   "normal",      "normal_clipped",
                                                     "lognormal", "exponential", "gamma"};
const std::vector<std::string> distance_variables = {"d", "dx", "dy", "dz"};

std::string describe(const value_spec& v, const std::string& unit) {
    const std::string u = unit.empty() ? "" : " " + unit;
    switch (v.k) {
        case value_spec::kind::constant:
            return format_number(v.value) + u;
        case value_spec::kind::uniform:
            return "uniform(low=" + format_number(v.low) + ", high=" + format_number(v.high) + ")" +
                   u;
        case value_spec::kind::normal:
            return "normal(mu=" + format_number(v.mu) + ", sigma=" + format_number(v.sigma) + ")" +
                   u;
        case value_spec::kind::normal_clipped:
            return "normal_clipped(mu=" + format_number(v.mu) +
                   ", sigma=" + format_number(v.sigma) + ", low=" + format_number(v.low) +
                   ", high=" + format_number(v.high) + ")" + u;
        case value_spec::kind::lognormal:
            return "lognormal(mu=" + format_number(v.mu) + ", sigma=" + format_number(v.sigma) +
                   ")" + u;
        case value_spec::kind::exponential:
            return "exponential(beta=" + format_number(v.beta) + ")" + u;
        case value_spec::kind::gamma:
            return "gamma(k=" + format_number(v.shape) + ", theta=" + format_number(v.theta) + ")" +
                   u;
        case value_spec::kind::expression:
            return "\"" + v.expr->text() + "\"" + u;
    }
    return "?";
}

// Probability that a normal(mu, sigma) draw lies in [low, high]. Written with
// erfc on the tail the interval lies in, so that a far tail does not vanish
// in the cancellation of two numbers close to 1.
double normal_interval_probability(double mu, double sigma, double low, double high) {
    const double zl = (low - mu) / (sigma * std::sqrt(2.0));
    const double zh = (high - mu) / (sigma * std::sqrt(2.0));
    if (zl >= 0) return 0.5 * (std::erfc(zl) - std::erfc(zh));
    if (zh <= 0) return 0.5 * (std::erfc(-zh) - std::erfc(-zl));
    return 1.0 - 0.5 * (std::erfc(-zl) + std::erfc(zh));
}

// A value: a number, a distribution, or (where `distance` is true, for
// weights and delays) an expression in d, dx, dy, dz such as "0.5 + 0.01*d";
// an expression without them is a constant.
value_spec read_value(const cursor& c, const std::string& unit, bool distance = false) {
    if (c.value().is_number()) return value_spec::constant(c.number(unit));
    if (c.value().is_string()) {
        const std::string text = c.value().get<std::string>();
        std::shared_ptr<const expression> e;
        try {
            e = std::make_shared<const expression>(
                text, distance ? distance_variables : std::vector<std::string>{},
                c.constants() ? *c.constants() : std::map<std::string, double>{});
        } catch (const error& err) {
            c.fail(std::string(err.what()) +
                   (distance ? "" : " (only the model's constants may appear here)"));
        }
        bool varies = false;
        for (const auto& v : distance_variables)
            varies = varies || (distance && e->uses(v));
        if (!varies) return value_spec::constant(c.number(unit));
        return value_spec::from_expression(std::move(e));
    }
    if (!c.value().is_object())
        c.must_be("a number (" + unit +
                  ") or a distribution such as {\"distribution\": \"uniform\", \"low\": ..., "
                  "\"high\": ...}" +
                  (distance ? " or an expression in d, dx, dy, dz such as \"0.5 + 0.01*d\"" : ""));
    const cursor d = c.required("distribution", "one of " + join(distribution_names));
    const std::string name = d.string("a distribution name (" + join(distribution_names) + ")");
    value_spec v;
    auto low_high = [&] {
        const cursor low = c.required("low", "a number (" + unit + ")");
        const cursor high = c.required("high", "a number (" + unit + ")");
        v.low = low.number(unit);
        v.high = high.number(unit);
        if (!(v.high > v.low)) high.must_be("> low (" + format_number(v.low) + ")");
    };
    auto mu_sigma = [&] {
        v.mu = c.required("mu", "a number (" + unit + ")").number(unit);
        const cursor sigma = c.required("sigma", "a number >= 0 (" + unit + ")");
        v.sigma = sigma.number(unit);
        if (!(v.sigma >= 0)) sigma.must_be(">= 0 (" + unit + ")");
        return sigma;
    };
    if (name == "uniform") {
        c.allow_keys({"distribution", "low", "high"});
        v.k = value_spec::kind::uniform;
        low_high();
    } else if (name == "normal") {
        c.allow_keys({"distribution", "mu", "sigma"});
        v.k = value_spec::kind::normal;
        mu_sigma();
    } else if (name == "normal_clipped") {
        c.allow_keys({"distribution", "mu", "sigma", "low", "high"});
        v.k = value_spec::kind::normal_clipped;
        const cursor sigma = mu_sigma();
        if (!(v.sigma > 0)) sigma.must_be("> 0 (" + unit + ")");
        low_high();
        // Clipping redraws until a value lands in [low, high]: an interval
        // the normal almost never reaches would make that loop endless.
        const double p = normal_interval_probability(v.mu, v.sigma, v.low, v.high);
        if (!(p >= 1e-6))
            c.fail("[low, high] = [" + format_number(v.low) + ", " + format_number(v.high) +
                   "] has probability " + format_number(p) +
                   " under normal(mu=" + format_number(v.mu) + ", sigma=" + format_number(v.sigma) +
                   "); must be >= 1e-6 (move the interval towards mu or widen sigma)");
    } else if (name == "lognormal") {
        c.allow_keys({"distribution", "mu", "sigma"});
        v.k = value_spec::kind::lognormal;
        mu_sigma();
    } else if (name == "exponential") {
        c.allow_keys({"distribution", "beta"});
        v.k = value_spec::kind::exponential;
        const cursor beta = c.required("beta", "a number > 0 (the mean, " + unit + ")");
        v.beta = beta.number(unit);
        if (!(v.beta > 0)) beta.must_be("> 0 (the mean, " + unit + ")");
    } else if (name == "gamma") {
        c.allow_keys({"distribution", "k", "theta"});
        v.k = value_spec::kind::gamma;
        const cursor k = c.required("k", "a number > 0 (shape)");
        v.shape = k.number();
        if (!(v.shape > 0)) k.must_be("> 0 (shape)");
        const cursor theta = c.required("theta", "a number > 0 (scale, " + unit + ")");
        v.theta = theta.number(unit);
        if (!(v.theta > 0)) theta.must_be("> 0 (scale, " + unit + ")");
    } else {
        d.fail_unknown("distribution", name, distribution_names, "known distributions");
    }
    return v;
}

// ---------------------------------------------------------------------------
// The reader proper.

const std::vector<std::string> connector_names = {"AllToAllConnector",
                                                  "OneToOneConnector",
                                                  "FixedProbabilityConnector",
                                                  "FromListConnector",
                                                  "FromFileConnector",
                                                  "FixedNumberPreConnector",
                                                  "FixedNumberPostConnector",
                                                  "FixedTotalNumberConnector",
                                                  "DistanceDependentProbabilityConnector",
                                                  "IndexBasedProbabilityConnector",
                                                  "SmallWorldConnector"};
const std::vector<std::string> structure_names = {"Line", "Grid2D", "Grid3D", "RandomStructure"};

// A projection's pre or post as read: the spec and what checks need.
struct view {
    view_spec spec;
    std::uint64_t size = 0;
    std::string population;            // a name for messages and labels
    std::vector<std::size_t> members;  // the populations it takes neurons from
};

// What a weight may be, as PyNN checks it.
struct weight_rule {
    enum class sign { any, non_negative, non_positive };
    sign s = sign::any;
    std::string unit;
    std::string reason;
};

class reader {
  public:
    reader(const model_registry& models, std::filesystem::path base,
           std::map<std::string, double> overrides)
        : models_(models), base_(std::move(base)), overrides_(std::move(overrides)) {}

    model_spec read(const json& doc) {
        if (!doc.is_object())
            throw model_file_error("", "got " + describe(doc) +
                                           "; a model file must be a JSON object with keys "
                                           "simulation, populations and projections");
        const cursor root(doc, "", &spec_.constants);
        root.allow_keys({"description", "arithmetic", "spinnaker", "constants", "simulation",
                         "populations", "projections", "recordings", "current_sources", "output"});
        constants(root.find("constants"));
        if (auto d = root.find("description")) d->string();
        if (auto a = root.find("arithmetic")) {
            const std::string kind = a->string("\"double\" or \"spinnaker\"");
            if (kind != "double" && kind != "spinnaker") a->must_be("\"double\" or \"spinnaker\"");
            spec_.spinnaker.enabled = kind == "spinnaker";
        }
        if (auto sp = root.find("spinnaker")) {
            sp->allow_keys({"ring_buffer_sigma", "spikes_per_second"});
            if (auto v = sp->find("ring_buffer_sigma")) {
                spec_.spinnaker.ring_buffer_sigma = v->number();
                if (!(spec_.spinnaker.ring_buffer_sigma > 0)) v->must_be("> 0");
            }
            if (auto v = sp->find("spikes_per_second")) {
                spec_.spinnaker.spikes_per_second = v->number("Hz");
                if (!(spec_.spinnaker.spikes_per_second > 0)) v->must_be("> 0 (Hz)");
            }
        }
        simulation(root.required("simulation", "an object with dt, tstop, ..."));
        const cursor pops = root.required("populations", "a non-empty array of populations");
        const auto p = pops.elements("a non-empty array of populations");
        if (p.empty()) pops.must_be("a non-empty array of populations");
        for (const auto& c : p)
            population(c);
        if (auto projs = root.find("projections"))
            for (const auto& c : projs->elements("an array of projections"))
                projection(c);
        if (auto recs = root.find("recordings"))
            for (const auto& c : recs->elements("an array of recordings"))
                recording(c);
        if (auto srcs = root.find("current_sources"))
            for (const auto& c : srcs->elements("an array of current sources"))
                current_source(c);
        if (auto out = root.find("output")) {
            out->allow_keys({"text_spikes"});
            if (auto t = out->find("text_spikes")) spec_.text_spikes = t->boolean();
        }
        if (spec_.spinnaker.enabled) {
            set_arithmetic(spec_, models_, std::nullopt, std::nullopt);
        }
        return std::move(spec_);
    }

  private:
    // "constants": named numbers that any number in the file may use in an
    // expression; `--set NAME=VALUE` replaces one.
    void constants(const std::optional<cursor>& c) {
        if (c) {
            for (const auto& [name, v] : c->members()) {
                const bool valid =
                    !name.empty() &&
                    (std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_') &&
                    std::all_of(name.begin(), name.end(), [](char ch) {
                        return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_';
                    });
                if (!valid)
                    v.fail("constant name " + in_quotes(name) +
                           " must start with a letter or _ and hold only letters, digits and _");
                if (!v.value().is_number()) v.must_be("a number");
                spec_.constants[name] = v.number();
            }
        }
        for (const auto& [name, value] : overrides_) {
            if (!spec_.constants.count(name)) {
                std::vector<std::string> names;
                for (const auto& [n, x] : spec_.constants)
                    names.push_back(n);
                throw model_file_error("constants." + name,
                                       "given with --set, but the model file has no such "
                                       "constant; constants: " +
                                           (names.empty() ? std::string("none") : join(names)));
            }
            spec_.constants[name] = value;
        }
    }

    void simulation(const cursor& c) {
        c.allow_keys({"dt", "tstop", "min_delay", "max_delay", "seed"});
        simulation_spec& s = spec_.simulation;
        if (auto v = c.find("dt")) {
            s.dt = v->number("ms");
            if (!(s.dt > 0)) v->must_be("> 0 (ms)");
            s.dt_given = true;
        }
        if (!s.dt_given && spec_.spinnaker.enabled) s.dt = 1.0;  // SpiNNaker's default
        if (auto v = c.find("tstop")) {
            s.tstop = v->number("ms");
            if (!(s.tstop > 0)) v->must_be("> 0 (ms)");
        }
        if (auto v = c.find("min_delay")) {
            s.min_delay = v->number("ms");
            if (!(*s.min_delay >= s.dt)) v->must_be(">= dt (" + format_number(s.dt) + " ms)");
        }
        if (auto v = c.find("max_delay")) {
            s.max_delay = v->number("ms");
            if (s.min_delay && !(*s.max_delay >= *s.min_delay))
                v->must_be(">= min_delay (" + format_number(*s.min_delay) + " ms)");
            if (!(*s.max_delay >= s.dt)) v->must_be(">= dt (" + format_number(s.dt) + " ms)");
        }
        if (auto v = c.find("seed")) s.seed = v->integer();
    }

    void population(const cursor& c) {
        c.allow_keys({"name", "size", "model", "parameters", "initial_values", "record",
                      "structure", "sampling_interval"});
        population_spec p;

        const cursor name = c.required("name", "a non-empty string");
        p.name = name.string("a non-empty string");
        if (p.name.empty()) name.must_be("a non-empty string");
        if (const auto other = spec_.find_population(p.name))
            name.fail("duplicate population name " + in_quotes(p.name) + " (populations[" +
                      std::to_string(*other) + "] has it already); names must be unique");

        const cursor size = c.required("size", "a positive integer");
        p.size = size.integer("a positive integer");
        if (p.size == 0) size.must_be("a positive integer");

        const cursor model = c.required("model", "a model name (" + join(models_.names()) + ")");
        p.model = model.string("a model name (" + join(models_.names()) + ")");
        const model_entry* entry = models_.find(p.model);
        if (!entry) model.fail_unknown("model", p.model, models_.names(), "known models");
        const model_info& info = entry->info;

        if (auto params = c.find("parameters")) parameters(*params, info, p);
        for (const auto& pi : info.parameters)
            if (!pi.is_list && std::isnan(pi.default_value) && !p.parameters.scalars.count(pi.name))
                throw model_file_error(c.child_path("parameters") + "." + pi.name,
                                       "missing; " + p.model + " requires it (" + pi.unit + ")");
        if (entry->validate) {
            try {
                entry->validate(p.parameters);
            } catch (const parameter_error& e) {
                std::string path = c.child_path("parameters");
                if (!e.parameter().empty()) path += "." + e.parameter();
                throw model_file_error(path, p.model + ": " + e.problem());
            }
        }

        if (auto st = c.find("structure")) {
            p.structure = structure(*st);
            try {
                check_structure(p.structure, p.size);
            } catch (const error& e) {
                st->fail(e.what());
            }
        }

        if (auto init = c.find("initial_values")) {
            std::vector<std::string> states;
            for (const auto& s : info.state)
                states.push_back(s.name);
            for (const auto& [key, v] : init->members()) {
                const state_info* s = info.find_state(key);
                if (!s) v.fail_unknown("key", key, states, "allowed");
                p.initial_values[key] = read_value(v, s->unit);
            }
        }

        if (auto rec = c.find("record")) {
            for (const auto& r : rec->elements("an array of names such as [\"spikes\", \"v\"]"))
                record_variable(r, info, p, std::nullopt);
        }
        if (auto si = c.find("sampling_interval")) sampling_interval(*si, p);
        spec_.populations.push_back(std::move(p));
    }

    static std::string check_recordable(const cursor& r, const model_info& info,
                                        const population_spec& p) {
        const std::string what = r.string("a recordable name (" + join(info.recordables) + ")");
        if (std::find(info.recordables.begin(), info.recordables.end(), what) ==
            info.recordables.end())
            r.fail_unknown("recordable", what, info.recordables, "allowed for " + p.model);
        return what;
    }

    // "spikes" or a state variable the model lets record (PyNN's recordables),
    // for all neurons (indices: nullopt) or some.
    static void record_variable(const cursor& r, const model_info& info, population_spec& p,
                                const std::optional<std::vector<std::uint64_t>>& indices) {
        const std::string what = check_recordable(r, info, p);
        add_recording(p, what, indices);
    }

    void sampling_interval(const cursor& c, population_spec& p) const {
        const double v = c.number("ms");
        const double dt = spec_.simulation.dt;
        const double steps = v / dt;
        if (!(v >= dt) || std::abs(steps - std::round(steps)) > 1e-9 * steps)
            c.must_be("a multiple of dt (" + format_number(dt) + " ms), >= dt");
        if (p.sampling_interval > 0 && p.sampling_interval != v)
            c.fail("got " + format_number(v) + " ms, but " + in_quotes(p.name) +
                   " is already sampled every " + format_number(p.sampling_interval) +
                   " ms; one sampling interval per population");
        p.sampling_interval = v;
    }

    // PyNN's structures (pyNN.space), with its parameter names.
    static structure_spec structure(const cursor& c) {
        structure_spec s;
        const cursor type = c.required("type", "one of " + join(structure_names));
        const std::string t = type.string("a structure type (" + join(structure_names) + ")");
        auto num = [&](const char* key, double& field) {
            if (auto v = c.find(key)) field = v->number();
        };
        auto fill_order = [&] {
            if (auto f = c.find("fill_order")) {
                const std::string order = f->string("\"sequential\" or \"random\"");
                if (order != "sequential" && order != "random")
                    f->must_be("\"sequential\" or \"random\"");
                s.random_fill = order == "random";
            }
        };
        if (t == "Line") {
            c.allow_keys({"type", "dx", "x0", "y", "z"});
            s.k = structure_spec::kind::line;
            num("dx", s.dx);
            num("x0", s.x0);
            num("y", s.y0);
            num("z", s.z0);
        } else if (t == "Grid2D") {
            c.allow_keys({"type", "aspect_ratio", "dx", "dy", "x0", "y0", "z", "fill_order"});
            s.k = structure_spec::kind::grid2d;
            num("aspect_ratio", s.aspect_ratio);
            num("dx", s.dx);
            num("dy", s.dy);
            num("x0", s.x0);
            num("y0", s.y0);
            num("z", s.z0);
            fill_order();
        } else if (t == "Grid3D") {
            c.allow_keys({"type", "aspect_ratioXY", "aspect_ratioXZ", "dx", "dy", "dz", "x0", "y0",
                          "z0", "fill_order"});
            s.k = structure_spec::kind::grid3d;
            num("aspect_ratioXY", s.aspect_ratio_xy);
            num("aspect_ratioXZ", s.aspect_ratio_xz);
            num("dx", s.dx);
            num("dy", s.dy);
            num("dz", s.dz);
            num("x0", s.x0);
            num("y0", s.y0);
            num("z0", s.z0);
            fill_order();
        } else if (t == "RandomStructure") {
            c.allow_keys({"type", "boundary", "origin"});
            s.k = structure_spec::kind::random;
            const cursor b = c.required("boundary",
                                        "{\"type\": \"Cuboid\", \"width\": ..., "
                                        "\"height\": ..., \"depth\": ...} or "
                                        "{\"type\": \"Sphere\", \"radius\": ...}");
            const cursor bt = b.required("type", "\"Cuboid\" or \"Sphere\"");
            const std::string boundary = bt.string("\"Cuboid\" or \"Sphere\"");
            if (boundary == "Cuboid") {
                b.allow_keys({"type", "width", "height", "depth"});
                s.boundary = structure_spec::boundary_kind::cuboid;
                s.width = b.required("width", "a number > 0").number();
                s.height = b.required("height", "a number > 0").number();
                s.depth = b.required("depth", "a number > 0").number();
            } else if (boundary == "Sphere") {
                b.allow_keys({"type", "radius"});
                s.boundary = structure_spec::boundary_kind::sphere;
                s.radius = b.required("radius", "a number > 0").number();
            } else {
                bt.fail_unknown("boundary", boundary, {"Cuboid", "Sphere"}, "known boundaries");
            }
            if (auto o = c.find("origin")) {
                const auto xyz = o->elements("[x, y, z]");
                if (xyz.size() != 3) o->must_be("[x, y, z]");
                for (int i = 0; i < 3; ++i)
                    s.origin[i] = xyz[i].number();
            }
        } else {
            type.fail_unknown("structure", t, structure_names, "known structures");
        }
        return s;
    }

    static std::vector<double> number_list(const cursor& c, const std::string& unit) {
        std::vector<double> out;
        for (const auto& e : c.elements("a list of numbers (" + unit + ")"))
            out.push_back(e.number(unit));
        return out;
    }

    void parameters(const cursor& c, const model_info& info, population_spec& p) {
        std::vector<std::string> names;
        for (const auto& pi : info.parameters)
            names.push_back(pi.name);
        for (const auto& [key, v] : c.members()) {
            const parameter_info* pi = info.find_parameter(key);
            if (!pi) v.fail_unknown("key", key, names, "allowed");
            if (!pi->is_list) {
                p.parameters.scalars[key] = v.number(pi->unit);
                continue;
            }
            // One list for all neurons, or one list per neuron.
            const std::string shapes =
                "a list of numbers (" + pi->unit + ") for all neurons, or one such list per neuron";
            const auto items = v.elements(shapes);
            auto& lists = p.parameters.lists[key];
            if (!items.empty() && items.front().value().is_array()) {
                if (items.size() != p.size)
                    v.fail("got " + std::to_string(items.size()) + " lists; must be " + shapes +
                           " (exactly " + std::to_string(p.size) + " lists, the size of " +
                           in_quotes(p.name) + ")");
                for (const auto& item : items)
                    lists.push_back(number_list(item, pi->unit));
            } else {
                lists = {number_list(v, pi->unit)};
            }
        }
    }

    view read_view(const cursor& c) {
        const std::vector<std::string> names = population_names();
        auto find = [&](const cursor& name_cursor) {
            const std::string name = name_cursor.string("a population name");
            const auto p = spec_.find_population(name);
            if (!p) name_cursor.fail_unknown("population", name, names, "known populations");
            view v;
            v.spec.population = *p;
            v.size = spec_.populations[*p].size;
            v.population = name;
            v.members = {*p};
            return v;
        };
        if (c.value().is_string()) return find(c);
        if (!c.value().is_object())
            c.must_be(
                "a population name, or {\"population\": name, \"slice\": [start, stop(, step)]}, "
                "or {\"population\": name, \"indices\": [...]}, or {\"population\": name, "
                "\"sample\": n}, or {\"assembly\": [views...]}");
        if (auto parts = c.find("assembly")) {
            // PyNN's Assembly: the views one after the other.
            c.allow_keys({"assembly"});
            const auto items = parts->elements("a non-empty array of views");
            if (items.empty()) parts->must_be("a non-empty array of views");
            view a;
            std::vector<std::string> names;
            for (const auto& item : items) {
                view part = read_view(item);
                a.size += part.size;
                names.push_back(part.population);
                for (const auto m : part.members)
                    if (std::find(a.members.begin(), a.members.end(), m) == a.members.end())
                        a.members.push_back(m);
                a.spec.parts.push_back(std::move(part.spec));
            }
            a.population = "assembly(" + join(names) + ")";
            return a;
        }
        c.allow_keys({"population", "slice", "indices", "sample"});
        view v = find(c.required("population", "a population name"));
        const auto slice = c.find("slice");
        const auto indices = c.find("indices");
        const auto sample = c.find("sample");
        if ((slice ? 1 : 0) + (indices ? 1 : 0) + (sample ? 1 : 0) > 1)
            c.fail(
                "more than one of slice, indices and sample given; give one of them (or none "
                "for the whole population)");
        if (sample) {
            // PyNN's sample(n): drawn with the run's seed when the network is built.
            const std::uint64_t n = sample->integer("a positive integer");
            if (n == 0 || n > v.size)
                sample->must_be("in [1, " + std::to_string(v.size) + "] (the size of " +
                                in_quotes(v.population) + ")");
            v.spec.sample = n;
            v.size = n;
        }
        const std::string within =
            "the size of " + in_quotes(v.population) + " (" + std::to_string(v.size) + ")";
        if (slice) {
            const auto parts = slice->elements("[start, stop] or [start, stop, step]");
            if (parts.size() != 2 && parts.size() != 3)
                slice->fail("got " + std::to_string(parts.size()) +
                            " values; must be [start, stop] or [start, stop, step]");
            const std::uint64_t start = parts[0].integer();
            const std::uint64_t stop = parts[1].integer();
            const std::uint64_t step = parts.size() == 3 ? parts[2].integer("an integer >= 1") : 1;
            if (stop > v.size) parts[1].must_be("<= " + within);
            if (step == 0) parts[2].must_be("an integer >= 1");
            if (start >= stop)
                slice->fail("empty slice [" + std::to_string(start) + ", " + std::to_string(stop) +
                            "); must select at least one neuron (start < stop <= " +
                            std::to_string(v.size) + ")");
            std::vector<std::uint64_t> idx;
            for (std::uint64_t i = start; i < stop; i += step)
                idx.push_back(i);
            v.size = idx.size();
            v.spec.indices = std::move(idx);
        } else if (indices) {
            const auto items = indices->elements("an array of neuron indices");
            if (items.empty()) indices->must_be("a non-empty array of neuron indices");
            std::vector<std::uint64_t> idx;
            std::map<std::uint64_t, std::size_t> seen;
            for (std::size_t n = 0; n < items.size(); ++n) {
                const std::uint64_t i = items[n].integer();
                if (i >= v.size) items[n].must_be("< " + within);
                if (const auto [it, fresh] = seen.emplace(i, n); !fresh)
                    items[n].fail("index " + std::to_string(i) + " appears twice (also at [" +
                                  std::to_string(it->second) + "]); indices must be distinct");
                idx.push_back(i);
            }
            v.size = idx.size();
            v.spec.indices = std::move(idx);
        }
        return v;
    }

    std::vector<std::string> population_names() const {
        std::vector<std::string> names;
        for (const auto& p : spec_.populations)
            names.push_back(p.name);
        return names;
    }

    void check_weight(const cursor& c, const value_spec& w, const weight_rule& rule) const {
        // An expression's sign depends on the distances: checked per synapse
        // when the network is built.
        if (w.k == value_spec::kind::expression) return;
        const std::string got = "got " + describe(w, rule.unit);
        if (rule.s == weight_rule::sign::non_negative && !(w.lower_bound() >= 0))
            c.fail(got + (w.is_constant() ? "" : ", which can be negative") +
                   "; weights must be >= 0 " + rule.reason);
        if (rule.s == weight_rule::sign::non_positive && !(w.upper_bound() <= 0))
            c.fail(got + (w.is_constant() ? "" : ", which can be positive") +
                   "; weights must be <= 0 " + rule.reason);
    }

    // Invariant 2: no delay below min_delay (or dt) or above max_delay.
    void check_delay(const cursor& c, const value_spec& d) const {
        const simulation_spec& s = spec_.simulation;
        if (d.k == value_spec::kind::expression) {
            // Its range depends on the distances: every delay is checked
            // against [min_delay, max_delay] when drawn, so the range must
            // be known before.
            if (!s.max_delay)
                c.fail("a delay that depends on distance (" + in_quotes(d.expr->text()) +
                       ") needs simulation.max_delay (ms), the largest delay it may give");
            return;
        }
        const double min = s.min_delay.value_or(s.dt);
        const std::string min_text =
            (s.min_delay ? "min_delay (" : "dt (") + format_number(min) + " ms)";
        const std::string got = "got " + describe(d, "ms");
        if (d.k == value_spec::kind::normal)
            c.fail(got + ", which is unbounded below; a delay must be >= " + min_text +
                   ": use normal_clipped with low >= " + format_number(min));
        if (!(d.lower_bound() >= min))
            c.fail(got +
                   (d.is_constant()
                        ? ""
                        : ", whose lowest value is " + format_number(d.lower_bound()) + " ms") +
                   "; must be >= " + min_text);
        if (s.max_delay && !(d.upper_bound() <= *s.max_delay))
            c.fail(got +
                   (d.is_constant()
                        ? ""
                        : ", whose highest value is " + format_number(d.upper_bound()) + " ms") +
                   "; must be <= max_delay (" + format_number(*s.max_delay) + " ms)");
    }

    void projection(const cursor& c) {
        c.allow_keys({"label", "pre", "post", "connector", "synapse", "receptor_type", "space",
                      "save_connections"});
        projection_spec p;
        const view pre = read_view(c.required("pre", "a population name or view"));
        const cursor post_cursor = c.required("post", "a population name or view");
        const view post = read_view(post_cursor);
        p.pre = pre.spec;
        p.post = post.spec;
        p.label = pre.population + "->" + post.population;
        if (auto l = c.find("label")) p.label = l->string();

        // Every population of the post (one, or several for an assembly) must
        // take input of this receptor type, with the same weight rule.
        const population_spec& target = spec_.populations[post.members.front()];
        const model_info& info = models_.find(target.model)->info;
        for (const auto m : post.members) {
            const population_spec& t = spec_.populations[m];
            if (models_.find(t.model)->info.is_source)
                post_cursor.fail("population " + in_quotes(t.name) + " is a " + t.model +
                                 ", a spike source: it takes no input and cannot be a "
                                 "projection's post");
        }
        if (auto r = c.find("receptor_type")) {
            p.receptor_type = r->string("a receptor type (" + join(info.receptors) + ")");
            if (info.receptor_index(p.receptor_type) < 0)
                r->fail_unknown("receptor type", p.receptor_type, info.receptors,
                                "allowed for " + target.model);
        } else if (info.receptor_index(p.receptor_type) < 0) {
            throw model_file_error(c.child_path("receptor_type"),
                                   "missing; " + target.model + " has no " +
                                       in_quotes(p.receptor_type) +
                                       " receptor (the default); allowed: " + join(info.receptors));
        }

        const weight_rule weights = weight_rule_for(info, p.receptor_type);
        for (const auto m : post.members) {
            const population_spec& t = spec_.populations[m];
            const model_info& other = models_.find(t.model)->info;
            if (other.receptor_index(p.receptor_type) < 0)
                post_cursor.fail("population " + in_quotes(t.name) + " (" + t.model +
                                 ") has no receptor " + in_quotes(p.receptor_type) +
                                 "; allowed: " + join(other.receptors));
            const weight_rule r = weight_rule_for(other, p.receptor_type);
            if (r.unit != weights.unit || r.s != weights.s)
                post_cursor.fail("the post mixes " + target.model + " and " + t.model +
                                 ", whose weights differ in unit or sign; use one projection "
                                 "per kind of model");
        }
        if (auto sp = c.find("space")) p.space = space(*sp);
        // Weights of plastic synapses stay within [w_min, w_max] (checked after reading).
        if (auto sc = c.find("save_connections")) p.save_connections = sc->boolean();
        connector(c.required("connector", "an object with a type (" + join(connector_names) + ")"),
                  pre, post, weights, p.connector);
        // PyNN's default delay is the simulation's min_delay; without one, dt.
        p.synapse.delay =
            value_spec::constant(spec_.simulation.min_delay.value_or(spec_.simulation.dt));
        if (auto s = c.find("synapse")) {
            const std::vector<std::string> synapse_types = {"StaticSynapse", "STDPMechanism"};
            if (auto t = s->find("type")) {
                p.synapse.type = t->string();
                if (p.synapse.type != "StaticSynapse" && p.synapse.type != "STDPMechanism")
                    t->fail_unknown("synapse type", p.synapse.type, synapse_types,
                                    "known synapse types");
            }
            if (p.synapse.type == "STDPMechanism") {
                s->allow_keys({"type", "weight", "delay", "timing_dependence", "weight_dependence",
                               "dendritic_delay_fraction"});
                p.synapse.stdp = stdp(*s, weights);
            } else {
                s->allow_keys({"type", "weight", "delay"});
            }
            if (auto w = s->find("weight")) {
                p.synapse.weight = read_value(*w, weights.unit, true);
                check_weight(*w, p.synapse.weight, weights);
            }
            if (auto d = s->find("delay")) {
                p.synapse.delay = read_value(*d, "ms", true);
                p.synapse.delay_given = true;
                check_delay(*d, p.synapse.delay);
            }
        }

        if (p.synapse.stdp) {
            const double lo = p.synapse.weight.lower_bound(), hi = p.synapse.weight.upper_bound();
            const stdp_spec& r = *p.synapse.stdp;
            if (lo < r.w_min || hi > r.w_max)
                c.required("synapse", "")
                    .fail("weights can take values in [" + format_number(lo) + ", " +
                          format_number(hi) + "] " + weights.unit +
                          "; a plastic synapse's weight must lie within [w_min, w_max] = [" +
                          format_number(r.w_min) + ", " + format_number(r.w_max) + "]");
        }
        spec_.projections.push_back(std::move(p));
    }

    // PyNN's STDPMechanism with SpikePairRule and AdditiveWeightDependence or
    // MultiplicativeWeightDependence (core/plasticity.hpp has the rule).
    static stdp_spec stdp(const cursor& s, const weight_rule& weights) {
        stdp_spec r;
        const cursor td = s.required("timing_dependence", "{\"type\": \"SpikePairRule\", ...}");
        td.allow_keys({"type", "tau_plus", "tau_minus", "A_plus", "A_minus"});
        const cursor tt = td.required("type", "\"SpikePairRule\"");
        if (tt.string() != "SpikePairRule")
            tt.fail_unknown("timing dependence", tt.string(), {"SpikePairRule"}, "known");
        auto positive = [](const cursor& c, const char* key, double& out, const char* unit) {
            if (auto v = c.find(key)) {
                out = v->number(unit);
                if (!(out > 0)) v->must_be(std::string("> 0 (") + unit + ")");
            }
        };
        auto non_negative = [](const cursor& c, const char* key, double& out) {
            if (auto v = c.find(key)) {
                out = v->number();
                if (!(out >= 0)) v->must_be(">= 0");
            }
        };
        positive(td, "tau_plus", r.tau_plus, "ms");
        positive(td, "tau_minus", r.tau_minus, "ms");
        non_negative(td, "A_plus", r.A_plus);
        non_negative(td, "A_minus", r.A_minus);
        const std::vector<std::string> dependences = {"AdditiveWeightDependence",
                                                      "MultiplicativeWeightDependence"};
        const cursor wd = s.required("weight_dependence",
                                     "{\"type\": " + join(dependences) + ", \"w_min\", \"w_max\"}");
        wd.allow_keys({"type", "w_min", "w_max"});
        const cursor wt = wd.required("type", "one of " + join(dependences));
        const std::string t = wt.string();
        if (t == "AdditiveWeightDependence")
            r.weight_dependence = stdp_spec::dependence::additive;
        else if (t == "MultiplicativeWeightDependence")
            r.weight_dependence = stdp_spec::dependence::multiplicative;
        else
            wt.fail_unknown("weight dependence", t, dependences, "known");
        if (auto v = wd.find("w_min")) r.w_min = v->number(weights.unit);
        if (auto v = wd.find("w_max")) {
            r.w_max = v->number(weights.unit);
            if (!(r.w_max >= r.w_min))
                v->must_be(">= w_min (" + format_number(r.w_min) + " " + weights.unit + ")");
        }
        if (auto v = s.find("dendritic_delay_fraction")) {
            r.dendritic_delay_fraction = v->number();
            if (r.dendritic_delay_fraction != 1.0)
                v->must_be(
                    "1 (all of the delay dendritic, PyNN's default; axonal delays are "
                    "not supported)");
        }
        return r;
    }

    // PyNN's Space: axes and periodic boundaries.
    static space_spec space(const cursor& c) {
        c.allow_keys({"axes", "periodic_boundaries"});
        space_spec sp;
        if (auto a = c.find("axes")) {
            const std::string axes = a->string("one of x, y, z, xy, yz, xz, xyz");
            const auto parsed = parse_axes(axes);
            if (!parsed) a->must_be("one of x, y, z, xy, yz, xz, xyz");
            sp.axes = *parsed;
        }
        if (auto pb = c.find("periodic_boundaries")) {
            const auto axes = pb->elements(
                "[[x_min, x_max] or null, [y_min, y_max] or null, "
                "[z_min, z_max] or null]");
            if (axes.size() != 3)
                pb->must_be("three entries, one per axis: [x_min, x_max] or null");
            for (int i = 0; i < 3; ++i) {
                if (axes[i].value().is_null()) continue;
                const auto lohi = axes[i].elements("[min, max] or null");
                if (lohi.size() != 2) axes[i].must_be("[min, max] or null");
                const double lo = lohi[0].number(), hi = lohi[1].number();
                if (!(hi > lo)) lohi[1].must_be("> min (" + format_number(lo) + ")");
                sp.periodic[i] = std::make_pair(lo, hi);
            }
        }
        try {
            check_space(sp);
        } catch (const error& e) {
            c.fail(e.what());
        }
        return sp;
    }

    // PyNN's current sources, injected into a population or view:
    // {"type": "DCSource", "amplitude": 0.5, "start": 20, "stop": 80, "inject_into": "exc"}.
    void current_source(const cursor& c) {
        c.expect_object();
        const std::vector<std::string> types = {"DCSource", "StepCurrentSource", "ACSource",
                                                "NoisyCurrentSource"};
        const cursor type = c.required("type", "one of " + join(types));
        current_source_entry e;
        current_source_spec& s = e.source;
        s.type = type.string("a current source type (" + join(types) + ")");
        auto number = [&](const char* key, double& out, const char* unit) {
            if (auto v = c.find(key)) out = v->number(unit);
        };
        if (s.type == "DCSource") {
            c.allow_keys({"type", "amplitude", "start", "stop", "inject_into"});
            s.k = current_source_spec::kind::dc;
            number("amplitude", s.amplitude, "nA");
        } else if (s.type == "ACSource") {
            c.allow_keys({"type", "amplitude", "offset", "frequency", "phase", "start", "stop",
                          "inject_into"});
            s.k = current_source_spec::kind::ac;
            number("amplitude", s.amplitude, "nA");
            number("offset", s.offset, "nA");
            number("frequency", s.frequency, "Hz");
            number("phase", s.phase, "deg");
            if (s.frequency < 0) c.required("frequency", "").must_be(">= 0 (Hz)");
        } else if (s.type == "NoisyCurrentSource") {
            c.allow_keys({"type", "mean", "stdev", "dt", "start", "stop", "inject_into"});
            s.k = current_source_spec::kind::noisy;
            number("mean", s.mean, "nA");
            number("stdev", s.stdev, "nA");
            if (s.stdev < 0) c.required("stdev", "").must_be(">= 0 (nA)");
            const double dt = spec_.simulation.dt;
            s.dt = dt;
            if (auto v = c.find("dt")) {
                s.dt = v->number("ms");
                const double steps = s.dt / dt;
                if (!(s.dt >= dt) || std::abs(steps - std::round(steps)) > 1e-9 * steps)
                    v->must_be("a multiple of the time step (" + format_number(dt) + " ms)");
            }
        } else if (s.type == "StepCurrentSource") {
            c.allow_keys({"type", "times", "amplitudes", "inject_into"});
            s.k = current_source_spec::kind::step;
            const cursor times = c.required("times", "a list of increasing times (ms)");
            const cursor amps = c.required("amplitudes", "a list of amplitudes (nA)");
            s.times = number_list(times, "ms");
            s.amplitudes = number_list(amps, "nA");
            if (s.times.size() != s.amplitudes.size())
                amps.fail("got " + std::to_string(s.amplitudes.size()) + " amplitudes for " +
                          std::to_string(s.times.size()) +
                          " times; must be one amplitude per time");
            for (std::size_t i = 0; i < s.times.size(); ++i) {
                if (s.times[i] < 0)
                    times.fail("times[" + std::to_string(i) + "] is " + format_number(s.times[i]) +
                               " ms; must be >= 0");
                if (i > 0 && !(s.times[i] > s.times[i - 1]))
                    times.fail("times[" + std::to_string(i) + "] = " + format_number(s.times[i]) +
                               " ms is not after times[" + std::to_string(i - 1) +
                               "] = " + format_number(s.times[i - 1]) + " ms; times must increase");
            }
        } else {
            type.fail_unknown("current source type", s.type, types, "known types");
        }
        if (s.k != current_source_spec::kind::step) {
            number("start", s.start, "ms");
            if (s.start < 0) c.required("start", "").must_be(">= 0 (ms)");
            if (auto v = c.find("stop")) {
                s.stop = v->number("ms");
                if (!(s.stop >= s.start))
                    v->must_be(">= start (" + format_number(s.start) + " ms)");
            }
        }
        const view target =
            read_view(c.required("inject_into", "a population name, view or assembly"));
        for (const auto p : target.members) {
            const model_info& info = models_.find(spec_.populations[p].model)->info;
            if (info.is_source)
                c.required("inject_into", "")
                    .fail("population " + in_quotes(spec_.populations[p].name) + " is a " +
                          info.name + "; current can only be injected into neurons");
        }
        e.inject_into = target.spec;
        spec_.current_sources.push_back(std::move(e));
    }

    // Top-level "recordings": [{"of": view, "variables": ["spikes"]}], so
    // that a view or an assembly can be recorded, not only whole populations.
    void recording(const cursor& c) {
        c.allow_keys({"of", "variables", "sampling_interval"});
        const view v = read_view(c.required("of", "a population name, view or assembly"));
        const cursor vars = c.required("variables", "an array such as [\"spikes\", \"v\"]");
        std::vector<const view_spec*> leaves;
        std::function<void(const view_spec&)> collect = [&](const view_spec& s) {
            if (s.is_assembly())
                for (const auto& part : s.parts)
                    collect(part);
            else
                leaves.push_back(&s);
        };
        collect(v.spec);
        for (const view_spec* leaf : leaves) {
            population_spec& pop = spec_.populations[leaf->population];
            const model_info& info = models_.find(pop.model)->info;
            if (leaf->sample) {
                // Drawn with the run's seed once it is final (resolve_views).
                sampled_recording s{*leaf, {}};
                for (const auto& r : vars.elements("an array such as [\"spikes\", \"v\"]")) {
                    check_recordable(r, info, pop);
                    s.variables.push_back(r.string());
                }
                spec_.sampled_recordings.push_back(std::move(s));
            } else {
                for (const auto& r : vars.elements("an array such as [\"spikes\", \"v\"]"))
                    record_variable(r, info, pop, leaf->indices);
            }
            if (auto si = c.find("sampling_interval")) sampling_interval(*si, pop);
        }
    }

    static weight_rule weight_rule_for(const model_info& info, const std::string& receptor) {
        weight_rule r;
        // PyNN's units: uS for conductances, nA for currents, mV for delta
        // synapses (IF_curr_delta: the weight is the jump of v).
        const bool conductance = info.synapses == synapse_type::conductance;
        r.unit = weight_unit(info.synapses);
        // Every excitatory receptor (excitatory, excitatory2, ...) counts as one.
        const bool excitatory = receptor.rfind("excitatory", 0) == 0;
        if (conductance) {
            r.s = weight_rule::sign::non_negative;
            r.reason = "for conductance-based synapses (" + info.name + ")";
        } else if (excitatory) {
            r.s = weight_rule::sign::non_negative;
            r.reason = "for current-based, excitatory synapses (" + info.name +
                       "; for inhibition use receptor_type \"inhibitory\" with weights <= 0)";
        } else if (receptor == "inhibitory") {
            r.s = weight_rule::sign::non_positive;
            r.reason = "for current-based, inhibitory synapses (" + info.name + ")";
        }
        return r;
    }

    void connector(const cursor& c, const view& pre, const view& post, const weight_rule& weights,
                   connector_spec& out) {
        c.expect_object();
        const cursor type = c.required("type", "one of " + join(connector_names));
        const std::string t = type.string("a connector type (" + join(connector_names) + ")");
        auto self_connections = [&] {
            if (auto a = c.find("allow_self_connections"))
                out.allow_self_connections = a->boolean();
        };
        if (t == "AllToAllConnector") {
            c.allow_keys({"type", "allow_self_connections"});
            out.k = connector_spec::kind::all_to_all;
            self_connections();
        } else if (t == "OneToOneConnector") {
            c.allow_keys({"type"});
            out.k = connector_spec::kind::one_to_one;
            if (pre.size != post.size)
                c.fail("OneToOneConnector needs pre and post of the same size; got pre " +
                       in_quotes(pre.population) + " with " + std::to_string(pre.size) +
                       " neurons and post " + in_quotes(post.population) + " with " +
                       std::to_string(post.size));
        } else if (t == "FixedProbabilityConnector") {
            c.allow_keys({"type", "p_connect", "allow_self_connections"});
            out.k = connector_spec::kind::fixed_probability;
            const cursor p = c.required("p_connect", "a probability in [0, 1]");
            out.p_connect = p.number();
            if (!(out.p_connect >= 0 && out.p_connect <= 1)) p.must_be("in [0, 1]");
            self_connections();
        } else if (t == "FromListConnector") {
            c.allow_keys({"type", "conn_list"});
            out.k = connector_spec::kind::from_list;
            from_list(c.required("conn_list", "an array of rows [i, j] or [i, j, weight, delay]"),
                      pre, post, weights, out);
        } else if (t == "FromFileConnector") {
            c.allow_keys({"type", "file", "projection"});
            out.k = connector_spec::kind::from_list;
            from_file(c, pre, post, weights, out);
        } else if (t == "FixedNumberPreConnector" || t == "FixedNumberPostConnector") {
            c.allow_keys({"type", "n", "allow_self_connections", "with_replacement"});
            const bool is_pre = t == "FixedNumberPreConnector";
            out.k = is_pre ? connector_spec::kind::fixed_number_pre
                           : connector_spec::kind::fixed_number_post;
            const cursor n = c.required("n", "a non-negative integer");
            out.n = n.integer();
            out.with_replacement = false;  // PyNN's default
            if (auto r = c.find("with_replacement")) out.with_replacement = r->boolean();
            self_connections();
            const std::uint64_t pool = is_pre ? pre.size : post.size;
            if (!out.with_replacement && out.n > pool)
                n.must_be("<= the size of the " + std::string(is_pre ? "pre" : "post") + " (" +
                          std::to_string(pool) +
                          ") without replacement; set with_replacement to true for multapses");
        } else if (t == "FixedTotalNumberConnector") {
            c.allow_keys({"type", "n", "allow_self_connections", "with_replacement"});
            out.k = connector_spec::kind::fixed_total_number;
            const cursor n = c.required("n", "a non-negative integer");
            out.n = n.integer();
            out.with_replacement = true;  // PyNN's default
            if (auto r = c.find("with_replacement")) out.with_replacement = r->boolean();
            self_connections();
            const double pairs = static_cast<double>(pre.size) * static_cast<double>(post.size);
            if (!out.with_replacement && static_cast<double>(out.n) > pairs)
                n.must_be("<= the number of (pre, post) pairs (" + format_number(pairs) +
                          ") without replacement");
        } else if (t == "DistanceDependentProbabilityConnector") {
            c.allow_keys({"type", "d_expression", "allow_self_connections"});
            out.k = connector_spec::kind::distance_dependent;
            out.expression = probability_expression(
                c.required("d_expression", "an expression in d (and dx, dy, dz), e.g. exp(-d)"),
                distance_variables);
            self_connections();
        } else if (t == "IndexBasedProbabilityConnector") {
            c.allow_keys({"type", "expression", "allow_self_connections"});
            out.k = connector_spec::kind::index_based;
            out.expression = probability_expression(
                c.required("expression", "an expression in i and j, e.g. abs(i - j) < 3"),
                {"i", "j"});
            self_connections();
        } else if (t == "SmallWorldConnector") {
            c.allow_keys({"type", "degree", "rewiring", "allow_self_connections"});
            out.k = connector_spec::kind::small_world;
            const cursor degree = c.required("degree", "a distance >= 0");
            out.degree = degree.number();
            if (!(out.degree >= 0)) degree.must_be(">= 0");
            const cursor rewiring = c.required("rewiring", "a probability in [0, 1]");
            out.rewiring = rewiring.number();
            if (!(out.rewiring >= 0 && out.rewiring <= 1)) rewiring.must_be("in [0, 1]");
            self_connections();
        } else {
            type.fail_unknown("connector type", t, connector_names, "known connectors");
        }
    }

    // A connection probability: an expression over `variables` and the
    // constants, checked now so that a mistake is reported with its path.
    std::string probability_expression(const cursor& c, const std::vector<std::string>& variables) {
        const std::string text = c.string("an expression such as exp(-d)");
        try {
            expression e(text, variables, spec_.constants);
        } catch (const error& e) {
            c.fail(e.what());
        }
        return text;
    }

    // FromFileConnector: PyNN's text format ("i j weight delay" rows, as
    // Projection.save writes them) or ganglion's connections HDF5 file.
    void from_file(const cursor& c, const view& pre, const view& post, const weight_rule& weights,
                   connector_spec& out) const {
        const cursor f = c.required("file", "a path (text rows \"i j weight delay\", or .h5)");
        std::filesystem::path path = f.string("a path");
        if (path.is_relative()) path = base_ / path;
        connection_table table;
        try {
            if (path.extension() == ".h5" || path.extension() == ".hdf5") {
                const auto all = read_connections(path.string());
                std::vector<std::string> labels;
                for (const auto& [label, t] : all)
                    labels.push_back(label);
                std::string label;
                if (auto pj = c.find("projection")) {
                    label = pj->string("a projection label in the file");
                    if (!all.count(label))
                        pj->fail_unknown("projection", label, labels, "projections in the file");
                } else if (all.size() == 1) {
                    label = all.begin()->first;
                } else {
                    f.fail("the file holds " + std::to_string(all.size()) +
                           " projections; say which with \"projection\": one of " + join(labels));
                }
                table = all.at(label);
            } else {
                table = read_connections_text(path.string());
            }
        } catch (const model_file_error&) {
            throw;
        } catch (const error& e) {
            f.fail(e.what());
        }
        const bool with_values = !table.weight.empty();
        for (std::size_t r = 0; r < table.pre_index.size(); ++r) {
            const std::string where = "row " + std::to_string(r + 1) + " of " + path.string();
            connector_spec::row row;
            row.i = table.pre_index[r];
            row.j = table.post_index[r];
            if (row.i >= pre.size)
                f.fail(where + ": i = " + std::to_string(row.i) +
                       "; must be < the size of the pre (" + std::to_string(pre.size) + ")");
            if (row.j >= post.size)
                f.fail(where + ": j = " + std::to_string(row.j) +
                       "; must be < the size of the post (" + std::to_string(post.size) + ")");
            if (with_values) {
                row.weight = table.weight[r];
                row.delay = table.delay[r];
                try {
                    check_weight(f, value_spec::constant(row.weight), weights);
                    check_delay(f, value_spec::constant(row.delay));
                } catch (const model_file_error& e) {
                    f.fail(where + ": " + e.problem());
                }
            }
            out.rows.push_back(row);
        }
        out.rows_have_weights = with_values;
    }

    void from_list(const cursor& c, const view& pre, const view& post, const weight_rule& weights,
                   connector_spec& out) const {
        const std::string shape = "a row [i, j] or [i, j, weight, delay]";
        const auto rows = c.elements("an array of rows [i, j] or [i, j, weight, delay]");
        std::size_t width = 0;
        for (std::size_t r = 0; r < rows.size(); ++r) {
            const auto cells = rows[r].elements(shape);
            if (cells.size() != 2 && cells.size() != 4)
                rows[r].fail("got " + std::to_string(cells.size()) + " values; must be " + shape);
            if (r == 0) width = cells.size();
            if (cells.size() != width)
                rows[r].fail("got " + std::to_string(cells.size()) + " values; must be " +
                             std::to_string(width) +
                             " like conn_list[0] (all rows have the same length)");
            connector_spec::row row;
            row.i = cells[0].integer();
            if (row.i >= pre.size)
                cells[0].must_be("< the size of the pre (" + std::to_string(pre.size) + ")");
            row.j = cells[1].integer();
            if (row.j >= post.size)
                cells[1].must_be("< the size of the post (" + std::to_string(post.size) + ")");
            if (width == 4) {
                row.weight = cells[2].number(weights.unit);
                check_weight(cells[2], value_spec::constant(row.weight), weights);
                row.delay = cells[3].number("ms");
                check_delay(cells[3], value_spec::constant(row.delay));
            }
            out.rows.push_back(row);
        }
        out.rows_have_weights = width == 4;
    }

    const model_registry& models_;
    std::filesystem::path base_;  // the model file's folder, for relative paths in it
    std::map<std::string, double> overrides_;
    model_spec spec_;
};

// Records the first key that appears twice in one object (JSON keeps only the
// last, which would silently drop a value the user wrote). Fed by the parser
// callback; the path is built from a stack of open objects and arrays.
class duplicate_key_finder {
  public:
    bool operator()(int, json::parse_event_t event, json& parsed) {
        switch (event) {
            case json::parse_event_t::object_start:
                stack_.push_back({false, 0, {}, {}});
                break;
            case json::parse_event_t::array_start:
                stack_.push_back({true, 0, {}, {}});
                break;
            case json::parse_event_t::object_end:
            case json::parse_event_t::array_end:
                stack_.pop_back();
                element_done();
                break;
            case json::parse_event_t::key: {
                auto& top = stack_.back();
                top.key = parsed.get<std::string>();
                if (!top.keys.insert(top.key).second && !duplicate) duplicate = path();
                break;
            }
            case json::parse_event_t::value:
                element_done();
                break;
        }
        return true;
    }

    std::optional<std::string> duplicate;

  private:
    struct frame {
        bool array;
        std::size_t index;
        std::string key;
        std::set<std::string> keys;
    };
    void element_done() {
        if (!stack_.empty() && stack_.back().array) ++stack_.back().index;
    }
    std::string path() const {
        std::string out;
        for (const auto& f : stack_) {
            if (f.array)
                out += "[" + std::to_string(f.index) + "]";
            else
                out += (out.empty() ? "" : ".") + f.key;
        }
        return out;
    }
    std::vector<frame> stack_;
};

}  // namespace

model_spec parse_model(const nlohmann::json& doc, const model_registry& models,
                       const std::map<std::string, double>& constant_overrides,
                       const std::string& base_dir) {
    return reader(models, base_dir, constant_overrides).read(doc);
}

void set_arithmetic(model_spec& spec, const model_registry& models,
                    const std::optional<std::string>& arithmetic, const std::optional<double>& dt) {
    if (arithmetic) {
        if (*arithmetic != "double" && *arithmetic != "spinnaker")
            throw error("--arithmetic: got '" + *arithmetic + "'; allowed: double, spinnaker");
        spec.spinnaker.enabled = *arithmetic == "spinnaker";
    }
    if (dt) {
        if (!(*dt > 0)) throw error("--dt: got " + format_number(*dt) + "; allowed: > 0 (ms)");
        spec.simulation.dt = *dt;
        spec.simulation.dt_given = true;
    }
    if (spec.spinnaker.enabled && !spec.simulation.dt_given) spec.simulation.dt = 1.0;
    if (spec.spinnaker.enabled) spinnaker::check_model(spec, models);
}

model_spec read_model_file(const std::string& path, const model_registry& models,
                           const std::map<std::string, double>& constant_overrides) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        throw error("cannot read model file '" + path + "': it is a directory");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw error("cannot open model file '" + path + "': " + std::strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw error("cannot read model file '" + path + "'");

    json doc;
    duplicate_key_finder duplicates;
    try {
        doc = json::parse(text.str(), std::ref(duplicates));
    } catch (const json::parse_error& e) {
        std::string what = e.what();
        if (const auto end = what.find("] "); end != std::string::npos) what = what.substr(end + 2);
        throw error("model file '" + path + "' is not valid JSON: " + what + " (byte " +
                    std::to_string(e.byte) + ")");
    } catch (const json::exception& e) {
        std::string what = e.what();
        if (const auto end = what.find("] "); end != std::string::npos) what = what.substr(end + 2);
        throw error("model file '" + path + "' is not valid JSON: " + what);
    }
    if (duplicates.duplicate)
        throw model_file_error(*duplicates.duplicate,
                               "key given twice in the same object; remove one (JSON would keep "
                               "only the last)");
    return parse_model(doc, models, constant_overrides,
                       std::filesystem::path(path).parent_path().string());
}

}  // namespace ganglion
