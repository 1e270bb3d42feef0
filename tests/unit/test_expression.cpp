// Tests for core/expression.cpp: muParser expressions over named variables
// and constants, their error messages, and evaluation from many threads.

#include "core/expression.hpp"

#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <map>
#include <numbers>
#include <string>
#include <thread>
#include <vector>

#include "core/error.hpp"

namespace ganglion {
namespace {

const std::vector<std::string> distance_vars = {"d", "dx", "dy", "dz"};

// The message of the expression_error `make` throws ("" if none).
template <class F>
expression_error caught(F&& make) {
    try {
        make();
    } catch (const expression_error& e) {
        return e;
    }
    ADD_FAILURE() << "no expression_error thrown";
    return expression_error("", "", -1);
}

TEST(expression, arithmetic_in_variable_order) {
    const expression e("2*d + dx - dy/4 + dz^2", distance_vars);
    const double v[] = {1.5, 10.0, 8.0, 3.0};
    EXPECT_DOUBLE_EQ(e(v), 2 * 1.5 + 10.0 - 8.0 / 4 + 9.0);
    EXPECT_EQ(e.text(), "2*d + dx - dy/4 + dz^2");
    EXPECT_EQ(e.variables(), distance_vars);
    // Operator precedence and unary minus as muParser defines them.
    const expression p("-d^2 + (1 + d)*3", {"d"});
    const double two = 2;
    EXPECT_DOUBLE_EQ(p(&two), -4.0 + 9.0);
}

TEST(expression, functions_of_the_distance) {
    const expression e("exp(-d)", distance_vars);
    for (const double d : {0.0, 0.5, 1.0, 7.25}) {
        const double v[] = {d, 0, 0, 0};
        EXPECT_DOUBLE_EQ(e(v), std::exp(-d)) << "d = " << d;
    }
    const expression g("0.3*exp(-0.5*(d/0.2)^2) + sqrt(abs(dx)) + min(dy, 2) + rint(dz)",
                       distance_vars);
    const double v[] = {0.1, -4.0, 5.0, 2.6};
    EXPECT_DOUBLE_EQ(g(v), 0.3 * std::exp(-0.5 * 0.25) + 2.0 + 2.0 + 3.0);
}

TEST(expression, comparisons_give_one_or_zero) {
    const expression lt("d < 5", {"d"});
    for (const double d : {0.0, 4.999, 5.0, 6.0}) {
        EXPECT_EQ(lt(&d), d < 5 ? 1.0 : 0.0) << "d = " << d;
    }
    // The IndexBasedProbabilityConnector example: a band around the diagonal.
    const expression band("abs(i - j) < 3", {"i", "j"});
    for (double i = 0; i < 10; ++i)
        for (double j = 0; j < 10; ++j) {
            const double v[] = {i, j};
            EXPECT_EQ(band(v), std::abs(i - j) < 3 ? 1.0 : 0.0) << i << ", " << j;
        }
    // Combined conditions and the ternary operator.
    const expression in("(d >= 1) && (d <= 2)", {"d"});
    const expression tern("d > 1 ? 0.5 : 0.1", {"d"});
    for (const double d : {0.5, 1.0, 1.5, 2.0, 2.5}) {
        EXPECT_EQ(in(&d), (d >= 1 && d <= 2) ? 1.0 : 0.0);
        EXPECT_EQ(tern(&d), d > 1 ? 0.5 : 0.1);
    }
    const expression eq("d == 2", {"d"}), ne("d != 2", {"d"});
    const double two = 2, three = 3;
    EXPECT_EQ(eq(&two), 1.0);
    EXPECT_EQ(eq(&three), 0.0);
    EXPECT_EQ(ne(&two), 0.0);
}

TEST(expression, constants) {
    const std::map<std::string, double> constants = {{"sigma", 0.2}, {"w0", 0.5}};
    const expression e("w0*exp(-d^2/(2*sigma^2))", {"d"}, constants);
    const double d = 0.3;
    EXPECT_DOUBLE_EQ(e(&d), 0.5 * std::exp(-0.09 / 0.08));
    EXPECT_TRUE(e.uses("d"));
    EXPECT_FALSE(e.uses("sigma"));  // a constant, not a variable
    // To the last bit: muParser's own _pi has 12 digits when built with GCC.
    EXPECT_EQ(expression("_pi*d", {"d"})(&d), std::numbers::pi * 0.3);
    EXPECT_EQ(evaluate_constant("_e", {}), std::numbers::e);
}

TEST(expression, uses_names_the_variables_mentioned) {
    const expression e("1 + d/0.35", distance_vars);
    EXPECT_TRUE(e.uses("d"));
    EXPECT_FALSE(e.uses("dx"));
    EXPECT_FALSE(e.uses("dz"));
    EXPECT_FALSE(e.uses("nonsense"));
    const expression all("dx*dy*dz", distance_vars);
    EXPECT_FALSE(all.uses("d"));
    EXPECT_TRUE(all.uses("dx") && all.uses("dy") && all.uses("dz"));
    EXPECT_FALSE(expression("2.5", distance_vars).uses("d"));
}

TEST(expression, no_variables_needs_no_values) {
    const expression e("3*4", {});
    EXPECT_EQ(e(nullptr), 12.0);
}

TEST(evaluate_constant, over_the_constants) {
    const std::map<std::string, double> constants = {{"N_scale", 0.1}, {"K_scale", 0.5}};
    EXPECT_EQ(evaluate_constant("rint(20683*N_scale)", constants), 2068.0);
    EXPECT_EQ(evaluate_constant("rint(20683*N_scale*K_scale)", constants), 1034.0);
    EXPECT_DOUBLE_EQ(evaluate_constant("1e-3 * 2.5E2", {}), 0.25);
    EXPECT_EQ(evaluate_constant("7", {}), 7.0);
    EXPECT_TRUE(std::isinf(evaluate_constant("1/0", {})));  // the caller checks ranges
    // A variable name is unknown here: constants only.
    const expression_error e = caught([&] { evaluate_constant("d*N_scale", constants); });
    EXPECT_NE(std::string(e.what()).find("unknown name \"d\""), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("N_scale"), std::string::npos) << e.what();
}

TEST(expression_errors, unknown_variable_lists_the_allowed_ones) {
    const expression_error e = caught([] {
        expression("exp(-x)", distance_vars, {{"N_scale", 1.0}});
    });
    const std::string what = e.what();
    EXPECT_EQ(e.position(), 5);
    EXPECT_EQ(e.text(), "exp(-x)");
    EXPECT_NE(what.find("exp(-x)"), std::string::npos) << what;
    EXPECT_NE(what.find("unknown name \"x\" at position 5"), std::string::npos) << what;
    EXPECT_NE(what.find("allowed variables: d, dx, dy, dz"), std::string::npos) << what;
    EXPECT_NE(what.find("N_scale"), std::string::npos) << what;
    // It is a ganglion::error, so the model file reader can wrap it.
    EXPECT_THROW(expression("y", {"d"}), error);
}

TEST(expression_errors, unknown_function_lists_the_functions) {
    const expression_error e = caught([] { expression("gauss(d)", {"d"}); });
    const std::string what = e.what();
    EXPECT_EQ(e.position(), 0);
    EXPECT_NE(what.find("unknown function \"gauss\""), std::string::npos) << what;
    EXPECT_NE(what.find("exp"), std::string::npos) << what;
}

TEST(expression_errors, syntax_error_names_the_position) {
    {
        const expression_error e = caught([] { expression("d +* 2", {"d"}); });
        EXPECT_EQ(e.position(), 3);
        const std::string what = e.what();
        EXPECT_NE(what.find("position 3"), std::string::npos) << what;
        EXPECT_NE(what.find("\"d +* 2\""), std::string::npos) << what;
        EXPECT_NE(what.find("at \"* 2\""), std::string::npos) << what;
    }
    {
        // muParser's own message has no position: ours adds it (the end).
        const expression_error e = caught([] { expression("exp(-d", {"d"}); });
        const std::string what = e.what();
        EXPECT_NE(what.find("parenthesis"), std::string::npos) << what;
        EXPECT_NE(what.find("position 6"), std::string::npos) << what;
        EXPECT_NE(what.find("at the end"), std::string::npos) << what;
    }
    {
        const expression_error e = caught([] { expression("d d", {"d"}); });
        EXPECT_EQ(e.position(), 2);
    }
    EXPECT_THROW(expression("", {"d"}), expression_error);
    EXPECT_THROW(expression("   ", {"d"}), expression_error);
    EXPECT_THROW(expression("sin(d, 2)", {"d"}), expression_error);
}

TEST(expression_errors, assignment_and_lists_are_refused) {
    // "d = 5" would assign in muParser and give 5: almost surely a typo for ==.
    const expression_error e = caught([] { expression("d = 5", {"d"}); });
    EXPECT_EQ(e.position(), 2);
    EXPECT_NE(std::string(e.what()).find("\"==\""), std::string::npos) << e.what();
    EXPECT_THROW(expression("d += 1", {"d"}), expression_error);
    EXPECT_THROW(expression("1, 2", {"d"}), expression_error);
    EXPECT_THROW(evaluate_constant("N = 3", {{"N", 1.0}}), expression_error);
    // Comparisons with "=" are fine.
    EXPECT_NO_THROW(expression("(d <= 1) + (d >= 2) + (d == 3) + (d != 4)", {"d"}));
    // A comma inside a function call is not a list.
    EXPECT_NO_THROW(expression("max(d, 1)", {"d"}));
}

TEST(expression_errors, bad_constants) {
    EXPECT_THROW(expression("d", {"d"}, {{"d", 1.0}}), expression_error);
    EXPECT_THROW(expression("1", {"d"}, {{"N-scale", 1.0}}), expression_error);
    EXPECT_THROW(expression("1", {"d"}, {{"2x", 1.0}}), expression_error);
    EXPECT_THROW(expression("1", {"d"}, {{"exp", 1.0}}), expression_error);
    EXPECT_THROW(expression("1", {"d"}, {{"_pi", 3.0}}), expression_error);
}

TEST(expression_errors, bad_variable_names_are_bugs) {
    EXPECT_THROW(expression("d", {"d", "d"}), internal_error);
    EXPECT_THROW(expression("d", {"d", "a b"}), internal_error);
}

// ---------------------------------------------------------------------------
// Threads

// The values of `e` for n points (d = k / 100, dx = k, ...), in one thread.
std::vector<double> serial_values(const expression& e, int n) {
    std::vector<double> out(n);
    for (int k = 0; k < n; ++k) {
        const double v[] = {k / 100.0, double(k % 17), double(k % 5) - 2.0, k * 1e-3};
        out[k] = e(v);
    }
    return out;
}

TEST(expression_threads, four_openmp_threads_give_the_serial_results) {
    const int n = 200000;
    const expression e("exp(-d) * (dx < 8) + 0.01*dy^2 - sin(dz)", distance_vars);
    const expression f("(d < 5) ? 1 + d/0.35 : 0.5*dx", distance_vars);
    const std::vector<double> expect_e = serial_values(e, n), expect_f = serial_values(f, n);
    std::vector<double> got_e(n), got_f(n);
    std::vector<int> thread_of(n, -1);
    int threads_seen = 0;
#pragma omp parallel num_threads(4)
    {
#pragma omp single
        threads_seen = omp_get_num_threads();
        // Small chunks, so the threads evaluate the same expressions at the
        // same time, interleaved.
#pragma omp for schedule(dynamic, 16)
        for (int k = 0; k < n; ++k) {
            const double v[] = {k / 100.0, double(k % 17), double(k % 5) - 2.0, k * 1e-3};
            got_e[k] = e(v);
            got_f[k] = f(v);
            thread_of[k] = omp_get_thread_num();
        }
    }
    EXPECT_EQ(threads_seen, 4);
    for (int k = 0; k < n; ++k) {
        ASSERT_EQ(got_e[k], expect_e[k]) << "k = " << k << " (thread " << thread_of[k] << ")";
        ASSERT_EQ(got_f[k], expect_f[k]) << "k = " << k << " (thread " << thread_of[k] << ")";
    }
    std::vector<int> per_thread(4, 0);
    for (const int t : thread_of)
        ++per_thread[t];
    for (int t = 0; t < 4; ++t)
        EXPECT_GT(per_thread[t], 0) << "thread " << t << " evaluated nothing";
}

TEST(expression_threads, more_expressions_than_a_thread_caches) {
    // 40 expressions (more than the 16 a thread keeps) evaluated round-robin
    // from 4 threads: evictions and recompilations must not mix them up.
    std::vector<expression> many;
    for (int c = 0; c < 40; ++c)
        many.emplace_back(std::to_string(c) + " + d*" + std::to_string(c + 1), distance_vars);
    const int n = 20000;
    std::vector<int> wrong(4, 0);
#pragma omp parallel for num_threads(4) schedule(dynamic, 7)
    for (int k = 0; k < n; ++k) {
        const int c = (k * 7) % 40;
        const double v[] = {double(k), 0, 0, 0};
        if (many[c](v) != c + double(k) * (c + 1)) ++wrong[omp_get_thread_num()];
    }
    for (int t = 0; t < 4; ++t)
        EXPECT_EQ(wrong[t], 0) << "thread " << t;
}

TEST(expression_threads, a_new_expression_never_reuses_an_old_ones_parser) {
    // Destroyed and recreated at (likely) the same address, with another text.
    for (int c = 0; c < 50; ++c) {
        const expression e(std::to_string(c) + " - d", {"d"});
        const double d = 1;
        ASSERT_EQ(e(&d), c - 1.0);
    }
}

TEST(expression_threads, copies_and_std_threads) {
    const expression e("d*d", {"d"});
    const expression copy = e;
    std::vector<double> out(4, 0);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            double sum = 0;
            for (int k = 0; k < 10000; ++k) {
                const double d = k + t;
                sum += (k % 2 ? e : copy)(&d);
            }
            out[t] = sum;
        });
    for (auto& th : threads)
        th.join();
    for (int t = 0; t < 4; ++t) {
        double expect = 0;
        for (int k = 0; k < 10000; ++k)
            expect += double(k + t) * (k + t);
        EXPECT_EQ(out[t], expect) << "thread " << t;
    }
}

}  // namespace
}  // namespace ganglion
