#include "core/expression.hpp"

#include <muParser.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdint>
#include <numbers>
#include <set>

namespace ganglion {

namespace {

std::string context(const std::string& text, int position) {
    if (position < 0) return "";
    if (static_cast<std::size_t>(position) >= text.size()) return " (the error is at the end)";
    return " (the error is at \"" + text.substr(static_cast<std::size_t>(position)) + "\")";
}

std::string join(const std::vector<std::string>& names) {
    if (names.empty()) return "none";
    std::string out;
    for (const auto& n : names)
        out += (out.empty() ? "" : ", ") + n;
    return out;
}

bool name_start(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}
bool digit(char c) {
    return std::isdigit(static_cast<unsigned char>(c));
}

bool valid_name(const std::string& name) {
    return !name.empty() && name_start(name[0]) && std::all_of(name.begin(), name.end(), name_char);
}

struct name_token {
    std::string name;
    int position = 0;
    bool call = false;  // followed by "(": a function name
};

// The names in an expression, skipping number literals such as 1e-3 (whose
// "e" is no name) and string literals. Only used to explain a parse error.
std::vector<name_token> names_in(const std::string& text) {
    std::vector<name_token> out;
    std::size_t i = 0;
    const std::size_t n = text.size();
    while (i < n) {
        const char c = text[i];
        if (digit(c) || (c == '.' && i + 1 < n && digit(text[i + 1]))) {
            while (i < n && (digit(text[i]) || text[i] == '.'))
                ++i;
            if (i < n && (text[i] == 'e' || text[i] == 'E')) {
                std::size_t j = i + 1;
                if (j < n && (text[j] == '+' || text[j] == '-')) ++j;
                if (j < n && digit(text[j])) {
                    i = j;
                    while (i < n && digit(text[i]))
                        ++i;
                }
            }
        } else if (c == '"') {
            i = text.find('"', i + 1);
            i = i == std::string::npos ? n : i + 1;
        } else if (name_start(c)) {
            const std::size_t start = i;
            while (i < n && name_char(text[i]))
                ++i;
            std::size_t j = i;
            while (j < n && std::isspace(static_cast<unsigned char>(text[j])))
                ++j;
            out.push_back(
                {text.substr(start, i - start), static_cast<int>(start), j < n && text[j] == '('});
        } else {
            ++i;
        }
    }
    return out;
}

// Refuses "=" as an operator (muParser's assignment): "d = 5" would silently
// set d and give 5 where "d == 5" was meant. "==", "<=", ">=", "!=" are
// comparisons.
void refuse_assignment(const std::string& text) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '=') continue;
        const char before = i > 0 ? text[i - 1] : ' ';
        const char after = i + 1 < text.size() ? text[i + 1] : ' ';
        if (after == '=') {
            ++i;  // "==": skip its second "="
            continue;
        }
        if (before == '<' || before == '>' || before == '!') continue;
        throw expression_error(
            text,
            "\"=\" at position " + std::to_string(i) + " would assign; write \"==\" to compare",
            static_cast<int>(i));
    }
}

// muParser's error, explained: for an unknown name, which names are allowed.
[[noreturn]] void explain(const mu::ParserError& e, const std::string& text,
                          const std::vector<std::string>& variables, const mu::Parser& parser) {
    std::set<std::string> known(variables.begin(), variables.end());
    std::vector<std::string> constants, functions;
    for (const auto& [name, value] : parser.GetConst()) {
        known.insert(name);
        constants.push_back(name);
    }
    for (const auto& [name, callback] : parser.GetFunDef()) {
        known.insert(name);
        functions.push_back(name);
    }
    for (const auto& token : names_in(text)) {
        if (known.count(token.name)) continue;
        const std::string where =
            "\"" + token.name + "\" at position " + std::to_string(token.position) + "; ";
        if (token.call)
            throw expression_error(text,
                                   "unknown function " + where + "functions: " + join(functions),
                                   token.position);
        throw expression_error(text,
                               "unknown name " + where + "allowed variables: " + join(variables) +
                                   "; constants: " + join(constants),
                               token.position);
    }
    std::string problem = e.GetMsg();
    // muParser sometimes points one past the end (a missing parenthesis).
    const int position = std::min(e.GetPos(), static_cast<int>(text.size()));
    if (position >= 0 && problem.find("position") == std::string::npos) {
        while (!problem.empty() && problem.back() == '.')
            problem.pop_back();
        problem += " at position " + std::to_string(position);
    }
    throw expression_error(text, problem, position < 0 ? -1 : position);
}

// Defines constants and variables on `parser`, the variables read from
// `storage` (one double each, in order), and compiles `text`. Checks
// everything a user can get wrong.
void compile(mu::Parser& parser, const std::string& text, const std::vector<std::string>& variables,
             const std::map<std::string, double>& constants, double* storage) {
    // muParser built with GCC defines _pi as 3.141592653589 (12 digits, for
    // speed of sin(_pi*a)); a model needs the double closest to pi.
    parser.DefineConst("_pi", std::numbers::pi);
    parser.DefineConst("_e", std::numbers::e);
    for (const auto& [name, value] : constants) {
        if (std::find(variables.begin(), variables.end(), name) != variables.end())
            throw expression_error(text,
                                   "constant \"" + name + "\" has the name of a variable (" +
                                       join(variables) + "); rename the constant",
                                   -1);
        if (!valid_name(name) || parser.GetFunDef().count(name) || parser.GetConst().count(name))
            throw expression_error(text,
                                   "constant name \"" + name +
                                       "\" is not allowed: use letters, digits and _, start with "
                                       "a letter or _, and avoid function names, _pi and _e",
                                   -1);
        try {
            parser.DefineConst(name, value);
        } catch (const mu::ParserError& e) {
            throw expression_error(text, "constant \"" + name + "\": " + e.GetMsg(), -1);
        }
    }
    for (std::size_t v = 0; v < variables.size(); ++v) {
        try {
            parser.DefineVar(variables[v], storage + v);
        } catch (const mu::ParserError& e) {
            throw internal_error("expression variable \"" + variables[v] + "\": " + e.GetMsg());
        }
    }
    refuse_assignment(text);
    try {
        parser.SetExpr(text);
        parser.Eval();  // muParser parses on the first evaluation
    } catch (const mu::ParserError& e) {
        explain(e, text, variables, parser);
    }
    if (parser.GetNumResults() != 1)
        throw expression_error(text,
                               "gives " + std::to_string(parser.GetNumResults()) +
                                   " comma-separated values; expected one value",
                               -1);
}

// One thread's compiled copy of one expression.
struct evaluator {
    std::uint64_t id = 0;
    std::uint64_t last_use = 0;
    std::vector<double> values;  // the parser reads the variables here
    mu::Parser parser;
};

// A thread's most recently used expressions. Bounded, so that a thread that
// sees many expressions over its life does not keep all their parsers; ids
// are never reused, so an entry can never be mistaken for a newer expression
// at the same address.
class evaluator_cache {
  public:
    evaluator& get(const expression::definition& def);

  private:
    static constexpr std::size_t capacity = 16;
    std::vector<std::unique_ptr<evaluator>> slots_;
    evaluator* last_ = nullptr;
    std::uint64_t clock_ = 0;
};

thread_local evaluator_cache cache;

std::atomic<std::uint64_t> next_id{1};

}  // namespace

struct expression::definition {
    std::uint64_t id = 0;
    std::string text;
    std::vector<std::string> variables;
    std::map<std::string, double> constants;
    std::vector<std::string> used;  // the variables the expression mentions
};

namespace {

evaluator& evaluator_cache::get(const expression::definition& def) {
    if (last_ && last_->id == def.id) return *last_;
    ++clock_;
    for (auto& slot : slots_)
        if (slot->id == def.id) {
            slot->last_use = clock_;
            return *(last_ = slot.get());
        }
    auto fresh = std::make_unique<evaluator>();
    fresh->id = def.id;
    fresh->last_use = clock_;
    fresh->values.assign(def.variables.size(), 0.0);
    compile(fresh->parser, def.text, def.variables, def.constants, fresh->values.data());
    if (slots_.size() < capacity) {
        slots_.push_back(std::move(fresh));
        return *(last_ = slots_.back().get());
    }
    auto oldest = std::min_element(slots_.begin(), slots_.end(), [](const auto& a, const auto& b) {
        return a->last_use < b->last_use;
    });
    *oldest = std::move(fresh);
    return *(last_ = oldest->get());
}

}  // namespace

expression_error::expression_error(std::string text, std::string problem, int position)
    : error("expression \"" + text + "\": " + problem + context(text, position)),
      text_(std::move(text)),
      problem_(std::move(problem)),
      position_(position) {}

expression::expression(std::string text, std::vector<std::string> variables,
                       const std::map<std::string, double>& constants) {
    std::set<std::string> distinct;
    for (const auto& v : variables)
        if (!valid_name(v) || !distinct.insert(v).second)
            throw internal_error("expression: variable name \"" + v + "\" invalid or repeated");
    auto def = std::make_shared<definition>();
    def->id = next_id.fetch_add(1, std::memory_order_relaxed);
    def->text = std::move(text);
    def->variables = std::move(variables);
    def->constants = constants;
    // Compile once here, so that every error surfaces at construction.
    mu::Parser parser;
    std::vector<double> storage(def->variables.size(), 0.0);
    compile(parser, def->text, def->variables, def->constants, storage.data());
    const auto& used = parser.GetUsedVar();
    for (const auto& v : def->variables)
        if (used.count(v)) def->used.push_back(v);
    def_ = std::move(def);
}

double expression::operator()(const double* values) const {
    evaluator& e = cache.get(*def_);
    std::copy_n(values, e.values.size(), e.values.data());
    try {
        return e.parser.Eval();
    } catch (const mu::ParserError& err) {
        throw expression_error(def_->text, err.GetMsg(), err.GetPos());
    }
}

const std::string& expression::text() const {
    return def_->text;
}

const std::vector<std::string>& expression::variables() const {
    return def_->variables;
}

bool expression::uses(std::string_view variable) const {
    return std::find(def_->used.begin(), def_->used.end(), variable) != def_->used.end();
}

double evaluate_constant(const std::string& text, const std::map<std::string, double>& constants) {
    mu::Parser parser;
    compile(parser, text, {}, constants, nullptr);
    return parser.Eval();
}

}  // namespace ganglion
