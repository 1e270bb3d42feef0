// Izhikevich against a tight-tolerance Runge-Kutta reference (Boost.Odeint,
// Dormand-Prince 5(4), abs/rel tolerance 1e-10) with the same discrete
// events: over each step the ODE
//   dv/dt = 0.04 v^2 + 5 v + 140 - u + 1000 i_offset,   du/dt = a (b v - u)
// is integrated sub-step by sub-step on the model's sub-step grid, stopping
// at the first sub-step end with v >= 30 mV; then the step's input (mV) is
// added to v; then v >= 30 mV resets v = c, u += d.

#include "models/izhikevich.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <boost/numeric/odeint.hpp>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "tests/unit/lif_reference.hpp"

namespace ganglion::models {
namespace {

using model = izhikevich;

model::parameters regular_spiking(double i_offset) {
    return test::make_parameters<model>(
        {{"a", 0.02}, {"b", 0.2}, {"c", -65.0}, {"d", 8.0}, {"i_offset", i_offset}});
}

model::parameters fast_spiking(double i_offset) {
    return test::make_parameters<model>(
        {{"a", 0.1}, {"b", 0.2}, {"c", -65.0}, {"d", 2.0}, {"i_offset", i_offset}});
}

struct inputs {
    std::vector<double> exc, inh;  // mV per step
};

// Poisson trains of fixed weight (mV; inhibitory ones negative), an event
// at time t arriving in step floor(t / dt); fixed mt19937 seed.
inputs make_inputs(double rate_e, double w_e, double rate_i, double w_i, double dt, std::int64_t n,
                   unsigned seed) {
    inputs in{std::vector<double>(n, 0.0), std::vector<double>(n, 0.0)};
    std::mt19937 gen(seed);
    for (const auto& [rate, w, exc] :
         {std::tuple{rate_e, w_e, true}, std::tuple{rate_i, w_i, false}}) {
        std::exponential_distribution<double> isi(rate * 1e-3);
        for (double t = isi(gen); t < static_cast<double>(n) * dt; t += isi(gen))
            (exc ? in.exc : in.inh)[std::min(n - 1, static_cast<std::int64_t>(t / dt))] += w;
    }
    return in;
}

inputs no_input(double dt, double t_stop) {
    const auto n = static_cast<std::size_t>(std::llround(t_stop / dt));
    return {std::vector<double>(n, 0.0), std::vector<double>(n, 0.0)};
}

struct trace {
    std::vector<std::int64_t> spikes;  // steps
    std::vector<double> v;             // at every step end
};

trace run_model(const model::parameters& p, double dt, const inputs& in) {
    test::driver<model> n(p, dt);
    trace r;
    for (std::size_t k = 0; k < in.exc.size(); ++k) {
        n.in[0][0] = in.exc[k];
        n.in[1][0] = in.inh[k];
        n.step();
        if (n.spiked[0]) r.spikes.push_back(static_cast<std::int64_t>(k));
        r.v.push_back(n.s.v[0]);
    }
    return r;
}

trace run_reference(const model::parameters& p, double dt, const inputs& in,
                    double tolerance = 1e-10) {
    namespace ode = boost::numeric::odeint;
    using state_type = std::array<double, 2>;  // v, u
    const double current = 1000.0 * p.i_offset;
    auto rhs = [&](const state_type& x, state_type& dx, double) {
        dx[0] = 0.04 * x[0] * x[0] + 5.0 * x[0] + 140.0 - x[1] + current;
        dx[1] = p.a * (p.b * x[0] - x[1]);
    };
    auto stepper =
        ode::make_controlled(tolerance, tolerance, ode::runge_kutta_dopri5<state_type>());
    const model::derived d(p, dt);
    state_type x = {-70.0, -14.0};
    trace r;
    for (std::size_t k = 0; k < in.exc.size(); ++k) {
        const double t0 = static_cast<double>(k) * dt;
        for (int j = 0; j < d.substeps && x[0] < 30.0; ++j)
            ode::integrate_adaptive(stepper, rhs, x, t0 + j * d.h, t0 + (j + 1) * d.h, d.h / 4);
        x[0] += in.exc[k] + in.inh[k];
        if (x[0] >= 30.0) {
            x[0] = p.c;
            x[1] += p.d;
            r.spikes.push_back(static_cast<std::int64_t>(k));
        }
        r.v.push_back(x[0]);
    }
    return r;
}

// Spikes equal in number and each within one step of the reference's.
void expect_same_spikes(const trace& m, const trace& r, const std::string& what) {
    ASSERT_EQ(m.spikes.size(), r.spikes.size()) << what;
    for (std::size_t i = 0; i < m.spikes.size(); ++i)
        EXPECT_LE(std::abs(m.spikes[i] - r.spikes[i]), 1) << what << ", spike " << i;
}

double max_abs_difference(const std::vector<double>& a, const std::vector<double>& b) {
    double worst = 0;
    for (std::size_t k = 0; k < std::min(a.size(), b.size()); ++k)
        worst = std::max(worst, std::abs(a[k] - b[k]));
    return worst;
}

TEST(Izhikevich, PyNNDefaults) {
    const auto info = model::info();
    EXPECT_EQ(info.find_parameter("a")->default_value, 0.02);
    EXPECT_EQ(info.find_parameter("d")->default_value, 2.0);
    EXPECT_EQ(info.find_state("v")->default_value, -70.0);
    EXPECT_EQ(info.find_state("u")->default_value, -14.0);
    EXPECT_EQ(info.receptors.size(), 2u);
}

TEST(Izhikevich, ValidationNamesParameterValueAndUnit) {
    parameter_values v;
    v.scalars = {{"c", 35.0}};
    try {
        model::parameters::from(v).validate();
        ADD_FAILURE() << "no error";
    } catch (const parameter_error& e) {
        EXPECT_EQ(e.parameter(), "c");
        EXPECT_NE(std::string(e.what()).find("35 mV"), std::string::npos) << e.what();
    }
    v.scalars = {{"a", std::nan("")}};
    EXPECT_THROW(model::parameters::from(v).validate(), parameter_error);
    v.scalars = {{"a", -0.026}, {"b", -1.0}};  // Izhikevich's own negative examples
    EXPECT_NO_THROW(model::parameters::from(v).validate());
}

TEST(Izhikevich, RestsAtStableFixedPoint) {
    // b = 0.2, I = 0: v* = -70 mV, u* = -14 mV/ms, the PyNN initial values.
    const auto m = run_model(regular_spiking(0.0), 0.1, no_input(0.1, 200.0));
    EXPECT_TRUE(m.spikes.empty());
    EXPECT_NEAR(m.v.back(), -70.0, 1e-9);
}

TEST(Izhikevich, ReferenceIsConverged) {
    const double dt = 0.1;
    const auto in = make_inputs(800, 1.0, 300, -1.0, dt, 5000, 3);
    const auto p = regular_spiking(0.004);
    const auto a = run_reference(p, dt, in), b = run_reference(p, dt, in, 1e-12);
    ASSERT_EQ(a.spikes, b.spikes);
    const double err = max_abs_difference(a.v, b.v);
    std::printf("reference 1e-10 vs 1e-12: max |dv| = %.3g mV\n", err);
    EXPECT_LT(err, 1e-6);
}

TEST(Izhikevich, RegularSpikingPatternMatchesReference) {
    // Constant I = 10 mV/ms: a short first interval, then adaptation to
    // longer ones (Izhikevich 2003, fig. 2 RS).
    const double dt = 0.1;
    const auto p = regular_spiking(0.01);
    const auto m = run_model(p, dt, no_input(dt, 300.0));
    const auto r = run_reference(p, dt, no_input(dt, 300.0));
    expect_same_spikes(m, r, "RS");
    ASSERT_GE(m.spikes.size(), 4u);
    const auto isi = [&](std::size_t i) { return (m.spikes[i + 1] - m.spikes[i]) * dt; };
    std::printf("RS: %zu spikes, first ISIs %.1f %.1f %.1f ms\n", m.spikes.size(), isi(0), isi(1),
                isi(2));
    EXPECT_LT(2.0 * isi(0), isi(1));
    EXPECT_NEAR(isi(1), isi(2), 0.5);
}

TEST(Izhikevich, FastSpikingPatternMatchesReference) {
    // Constant I = 10 mV/ms: tonic firing at high rate, little adaptation.
    const double dt = 0.1;
    const auto p = fast_spiking(0.01);
    const auto m = run_model(p, dt, no_input(dt, 300.0));
    const auto r = run_reference(p, dt, no_input(dt, 300.0));
    expect_same_spikes(m, r, "FS");
    const auto rs = run_model(regular_spiking(0.01), dt, no_input(dt, 300.0));
    ASSERT_GE(m.spikes.size(), 4u);
    const auto n = m.spikes.size();
    const double first = (m.spikes[1] - m.spikes[0]) * dt,
                 last = (m.spikes[n - 1] - m.spikes[n - 2]) * dt;
    std::printf("FS: %zu spikes (RS %zu), first ISI %.1f ms, last %.1f ms\n", n, rs.spikes.size(),
                first, last);
    EXPECT_GT(n, 4 * rs.spikes.size());
    EXPECT_LT(last, 2.0 * first);
}

TEST(Izhikevich, RandomInputMatchesReference) {
    // Poisson drive in mV steps, 500 ms per seed, both cell types.
    const double dt = 0.1;
    std::size_t total = 0, identical = 0;
    for (const auto& p : {regular_spiking(0.002), fast_spiking(0.002)})
        for (unsigned seed = 1; seed <= 3; ++seed) {
            const auto in = make_inputs(3000, 1.5, 800, -1.5, dt, 5000, seed);
            const auto m = run_model(p, dt, in);
            const auto r = run_reference(p, dt, in);
            expect_same_spikes(m, r, "a " + std::to_string(p.a) + " seed " + std::to_string(seed));
            total += m.spikes.size();
            identical += m.spikes == r.spikes;
        }
    std::printf("random input dt 0.1: %zu spikes, %zu of 6 runs at exactly the reference's steps\n",
                total, identical);
    EXPECT_GE(total, 50u);
}

TEST(Izhikevich, SubthresholdErrorIsSmall) {
    // Weak drive that never fires: the whole trace against the reference.
    const double dt = 0.1;
    double worst = 0;
    for (unsigned seed = 1; seed <= 3; ++seed) {
        const auto in = make_inputs(500, 0.8, 300, -0.8, dt, 5000, seed);
        const auto p = regular_spiking(0.0);
        const auto m = run_model(p, dt, in);
        const auto r = run_reference(p, dt, in);
        ASSERT_TRUE(r.spikes.empty());
        ASSERT_TRUE(m.spikes.empty());
        worst = std::max(worst, max_abs_difference(m.v, r.v));
    }
    std::printf("subthreshold max |v - v_ref| %.3g mV\n", worst);
    // Measured 2.6e-11 mV, at the reference's own accuracy.
    EXPECT_LT(worst, 1e-10);
}

}  // namespace
}  // namespace ganglion::models
