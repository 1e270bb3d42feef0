// `ganglion models [NAME] [--json]`: the model catalogue, as PyNN users know
// it from sim.list_standard_models() and Model.default_parameters.

#include <cmath>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "io/cli/commands.hpp"

namespace ganglion::cli {

namespace {

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items)
        out += (out.empty() ? "" : ", ") + i;
    return out;
}

// Whether a model runs in SpiNNaker mode: "yes" (a fixed-point version),
// "unchanged" (a source), "no".
std::string spinnaker_support(const model_entry& e) {
    if (e.info.is_source) return "unchanged (spike source)";
    return e.spinnaker ? "yes (models/spinnaker/)" : "no";
}

nlohmann::json to_json(const model_entry& e) {
    const model_info& m = e.info;
    nlohmann::json j = {{"name", m.name},
                        {"spinnaker", e.info.is_source || e.spinnaker.has_value()},
                        {"description", m.description},
                        {"source", m.is_source},
                        {"receptors", m.receptors},
                        {"weight_unit", m.receptors.empty() ? "" : weight_unit(m.synapses)},
                        {"recordables", m.recordables}};
    j["parameters"] = nlohmann::json::array();
    for (const auto& p : m.parameters) {
        nlohmann::json e = {{"name", p.name}, {"unit", p.unit}, {"description", p.description}};
        if (p.is_list)
            e["default"] = nlohmann::json::array();
        else if (std::isnan(p.default_value))
            e["default"] = nullptr;  // required
        else
            e["default"] = p.default_value;
        j["parameters"].push_back(e);
    }
    j["initial_values"] = nlohmann::json::array();
    for (const auto& s : m.state) {
        nlohmann::json e = {{"name", s.name}, {"unit", s.unit}};
        if (s.default_from_parameter.empty())
            e["default"] = s.default_value;
        else
            e["default"] = s.default_from_parameter;
        j["initial_values"].push_back(e);
    }
    return j;
}

void print(std::ostream& os, const model_entry& e) {
    const model_info& m = e.info;
    os << m.name << (m.is_source ? "  (spike source)" : "") << "\n  " << m.description << "\n";
    os << "  SpiNNaker mode: " << spinnaker_support(e) << "\n";
    if (!m.receptors.empty())
        os << "  receptor types: " << join(m.receptors) << " (weights in "
           << weight_unit(m.synapses) << ")\n";
    os << "  parameters:\n";
    for (const auto& p : m.parameters) {
        std::ostringstream def;
        if (p.is_list)
            def << "[]";
        else if (std::isnan(p.default_value))
            def << "(required)";
        else
            def << p.default_value;
        os << "    " << std::left << std::setw(14) << p.name << " " << std::setw(11) << def.str()
           << " " << std::setw(9) << p.unit << " " << p.description << "\n";
    }
    if (!m.state.empty()) {
        os << "  initial values:";
        for (const auto& s : m.state) {
            os << " " << s.name << " (";
            if (s.default_from_parameter.empty())
                os << s.default_value;
            else
                os << "= " << s.default_from_parameter;
            if (!s.unit.empty()) os << " " << s.unit;
            os << ")";
        }
        os << "\n";
    }
    os << "  recordables: " << join(m.recordables) << "\n";
}

}  // namespace

int models_command(const models_options& opt, const model_registry& models, communicator& comm) {
    if (comm.rank() != 0)
        return opt.name.empty() || models.find(opt.name) ? exit_ok : exit_user_error;
    std::vector<const model_entry*> chosen;
    if (opt.name.empty()) {
        for (const auto& n : models.names())
            chosen.push_back(models.find(n));
    } else if (const model_entry* e = models.find(opt.name)) {
        chosen.push_back(e);
    } else {
        print_error("unknown model '" + opt.name + "'; known models: " + join(models.names()));
        return exit_user_error;
    }
    if (opt.json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto* e : chosen)
            out.push_back(to_json(*e));
        std::cout << out.dump(2) << std::endl;
        return exit_ok;
    }
    std::ostringstream os;
    for (std::size_t i = 0; i < chosen.size(); ++i) {
        if (i) os << "\n";
        print(os, *chosen[i]);
    }
    std::cout << os.str() << std::flush;
    return exit_ok;
}

}  // namespace ganglion::cli
