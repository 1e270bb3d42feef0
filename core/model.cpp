#include "core/model.hpp"

#include "core/error.hpp"

namespace ganglion {

const char* weight_unit(synapse_type t) {
    switch (t) {
        case synapse_type::conductance:
            return "uS";
        case synapse_type::voltage_jump:
            return "mV";
        case synapse_type::current:
            break;
    }
    return "nA";
}

const parameter_info* model_info::find_parameter(std::string_view n) const {
    for (const auto& p : parameters)
        if (p.name == n) return &p;
    return nullptr;
}

const state_info* model_info::find_state(std::string_view n) const {
    for (const auto& s : state)
        if (s.name == n) return &s;
    return nullptr;
}

int model_info::receptor_index(std::string_view n) const {
    for (std::size_t r = 0; r < receptors.size(); ++r)
        if (receptors[r] == n) return static_cast<int>(r);
    return -1;
}

void model_registry::add(model_entry e) {
    const std::string name = e.info.name;
    if (!entries_.emplace(name, std::move(e)).second)
        throw internal_error("model registered twice: " + name);
}

const model_entry* model_registry::find(std::string_view name) const {
    const auto it = entries_.find(name);
    return it == entries_.end() ? nullptr : &it->second;
}

std::vector<std::string> model_registry::names() const {
    std::vector<std::string> out;
    for (const auto& [name, e] : entries_)
        out.push_back(name);
    return out;
}

double parameter_or_default(const parameter_values& given, const model_info& info,
                            std::string_view name) {
    const auto it = given.scalars.find(std::string(name));
    if (it != given.scalars.end()) return it->second;
    const auto* p = info.find_parameter(name);
    if (!p) throw internal_error(info.name + " has no parameter " + std::string(name));
    return p->default_value;
}

}  // namespace ganglion
