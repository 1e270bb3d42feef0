#pragma once

// Small helpers shared by the point-neuron model tests: a driver that steps
// one model struct (parameters, derived, state, step) without an engine,
// and the closed-form spike train of a leaky integrator under a constant
// current.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/spec.hpp"

namespace ganglion::test {

template <class M>
typename M::parameters make_parameters(const std::map<std::string, double>& values) {
    parameter_values v;
    v.scalars = values;
    const auto p = M::parameters::from(v);
    p.validate();
    return p;
}

// n neurons of model M with one parameter set, driven step by step: put
// the input of the next step into in[receptor][neuron]; step() clears it.
// in[M::n_receptors] is the injected current (nA), which stays as set.
template <class M>
struct driver {
    typename M::parameters p;
    typename M::derived d;
    typename M::state s;
    std::vector<std::uint8_t> spiked;
    std::array<std::vector<double>, M::n_receptors + 1> in;

    driver(const typename M::parameters& params, double dt, std::size_t n = 1)
        : p(params), d(params, dt), spiked(n, 0) {
        s.resize(n, p);
        for (auto& r : in)
            r.assign(n, 0.0);
    }
    void step() {
        std::array<const double*, M::n_receptors + 1> rows{};
        for (std::size_t r = 0; r <= M::n_receptors; ++r)
            rows[r] = in[r].data();
        M::step(p, d, s, rows.data(), spiked.data(), spiked.size());
        for (std::size_t r = 0; r < M::n_receptors; ++r)
            std::fill(in[r].begin(), in[r].end(), 0.0);
    }
};

// Spike times (ms, step ends) of one neuron from v0 over t_stop, no input.
template <class M>
std::vector<double> spike_times(const typename M::parameters& p, double dt, double v0,
                                double t_stop) {
    driver<M> n(p, dt);
    n.s.v[0] = v0;
    std::vector<double> times;
    const auto steps = static_cast<std::int64_t>(std::llround(t_stop / dt));
    for (std::int64_t k = 0; k < steps; ++k) {
        n.step();
        if (n.spiked[0]) times.push_back(static_cast<double>(k + 1) * dt);
    }
    return times;
}

// Time for a leaky integrator (tau_m, cm, v_rest, i_offset) to go from
// v_start to v_thresh.
template <class P>
double time_to_threshold(const P& p, double v_start) {
    const double v_inf = p.v_rest + p.i_offset * p.tau_m / p.cm;
    return p.tau_m * std::log((v_inf - v_start) / (v_inf - p.v_thresh));
}

// Regular firing under i_offset from v_reset, no input: spike k comes at
// the first step end at or after the analytic crossing that follows the
// previous spike's clamp (late by less than one step, never early; 1e-9 ms
// for a crossing on a step end); below the rheobase cm (v_thresh - v_rest)
// / tau_m nothing fires. Returns the number of spikes.
template <class M>
std::size_t expect_regular_firing(const typename M::parameters& p, double dt, double t_stop) {
    const auto times = spike_times<M>(p, dt, p.v_reset, t_stop);
    const double rheobase = p.cm * (p.v_thresh - p.v_rest) / p.tau_m;
    if (p.i_offset <= rheobase) {
        EXPECT_TRUE(times.empty()) << "i_offset " << p.i_offset << " nA, rheobase " << rheobase;
        return times.size();
    }
    const double t_free = time_to_threshold(p, p.v_reset);
    EXPECT_FALSE(times.empty()) << "i_offset " << p.i_offset << " nA, rheobase " << rheobase;
    double free_from = 0;
    for (std::size_t k = 0; k < times.size(); ++k) {
        const double analytic = free_from + t_free;
        EXPECT_GE(times[k], analytic - 1e-9) << "i_offset " << p.i_offset << ", spike " << k;
        EXPECT_LT(times[k], analytic + dt + 1e-9) << "i_offset " << p.i_offset << ", spike " << k;
        free_from = times[k] + static_cast<double>(std::lround(p.tau_refrac / dt)) * dt;
    }
    // No spike missing at the end either.
    if (free_from + t_free + dt < t_stop - 1e-9) ADD_FAILURE() << "missing spike at the end";
    return times.size();
}

}  // namespace ganglion::test
