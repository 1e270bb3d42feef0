#pragma once

// Expressions in model files (muParser syntax): distance-dependent
// probabilities, weights and delays such as "exp(-d)" or "0.5 + 0.01*d",
// index rules such as "abs(i - j) < 3", and numbers written over the file's
// constants such as "rint(20683*N_scale)".
//
// muParser's syntax: + - * / ^, comparisons < > <= >= == != (1 or 0),
// && ||, the ternary c ? a : b, functions sin cos tan asin acos atan sinh
// cosh tanh asinh acosh atanh log2 log10 log ln exp sqrt sign rint abs min
// max sum avg, constants _pi and _e (to double precision: muParser's GCC
// build has a 12-digit _pi, which ganglion replaces). Assignment ("d = 5") and several
// comma-separated results ("1, 2") are refused: in a model file they are
// almost certainly typos for "==" and a list.

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace ganglion {

// A bad expression: muParser's problem (or ours), the expression and the
// 0-based character position of the error (-1 when there is none, e.g. an
// empty expression). what() says all three in one line.
class expression_error : public error {
  public:
    expression_error(std::string text, std::string problem, int position);
    const std::string& text() const { return text_; }
    const std::string& problem() const { return problem_; }
    int position() const { return position_; }

  private:
    std::string text_;
    std::string problem_;
    int position_;
};

// A compiled muParser expression over named double variables (e.g. d, dx,
// dy, dz, i, j) and named constants. Construct once, evaluate from many
// threads.
//
// Thread safety: a muParser parser is not thread-safe (it evaluates through
// its own stack and reads its variables through pointers it was given), so
// every thread evaluates through its own parser. Each thread keeps a small
// cache (thread_local, the 16 most recently used expressions) of parsers it
// compiled itself from the expression's definition. This works for OpenMP
// threads whatever omp_set_num_threads does after construction, for nested
// regions and for std::threads; the first evaluation of an expression on a
// thread compiles it there (microseconds), later ones are a lookup, a copy
// of the values and muParser's bytecode evaluation. Copies of an expression
// share its definition and its per-thread parsers.
class expression {
  public:
    // Throws expression_error (a ganglion::error) with muParser's message,
    // the expression and the position of the error; an unknown name lists the
    // variables and constants allowed (an unknown function, the functions).
    // A constant named like a variable is an error too. `variables` must be
    // distinct valid names (letters, digits, _): a violation is an
    // internal_error, since the caller, not the user, chose them.
    expression(std::string text, std::vector<std::string> variables,
               const std::map<std::string, double>& constants = {});

    // The value for `values` given in the order of the constructor's
    // `variables` (may be null when there are none). Thread-safe.
    double operator()(const double* values) const;

    const std::string& text() const;
    const std::vector<std::string>& variables() const;
    // Does the expression mention this variable (one of `variables`)? False
    // for constants and for names that are not variables.
    bool uses(std::string_view variable) const;

    struct definition;  // in expression.cpp: keeps muParser out of this header

  private:
    std::shared_ptr<const definition> def_;
};

// The value of a constant expression (no variables) such as
// "rint(20683*N_scale)". Throws expression_error as above. The value may be
// inf or nan (e.g. "1/0"): the caller checks the range it needs.
double evaluate_constant(const std::string& text, const std::map<std::string, double>& constants);

}  // namespace ganglion
