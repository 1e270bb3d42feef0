#pragma once

// What the single-compartment conductance models (ConnorStevens,
// WangBuzsaki) share, built as a NEURON user builds such a cell for a
// ParallelNetManager network: one soma section with density mechanisms, an
// IClamp, two Exp2Syn point processes and a NetCon threshold.
//
// - The soma is a cylinder of `length` and `diam` (um); its area is
//   pi diam length, without end caps, as NEURON computes it for one
//   segment. The channel densities (mS/cm2) and the specific capacitance
//   `cm` (uF/cm2) act per area; synaptic (uS) and injected (nA) currents act
//   on the whole soma and enter the membrane equation divided by the area:
//     cm dv/dt = -i_ion(v, gates) + (i_offset + i_injected - i_syn) / area,
//   i_ion in uA/cm2 (the channel model's), 1 nA / area = 1e-3 / area[cm2] uA/cm2.
// - Synapses are NEURON's Exp2Syn, one per receptor (excitatory with tau1_E,
//   tau2_E, e_rev_E; inhibitory with tau1_I, tau2_I, e_rev_I):
//     g = B - A,  dA/dt = -A / tau1,  dB/dt = -B / tau2,  i_syn = g (v - e_rev),
//   and an event of weight w (uS) adds w * factor to both A and B, with
//   factor = 1 / (exp(-tpeak / tau2) - exp(-tpeak / tau1)),
//   tpeak = tau1 tau2 / (tau2 - tau1) ln(tau2 / tau1): the conductance of
//   one event peaks at exactly w, tpeak after it. Exp2Syn needs
//   tau1 < tau2; where NEURON nudges tau1 to 0.9999 tau2, validation here
//   rejects the parameters instead.
// - A spike is an upward crossing of v_thresh (NetCon's threshold, default
//   -10 mV) at the step where it happens: v_prev < v_thresh <= v, v_prev
//   and v at the step's start and end. There is no reset.
// - Within a step the membrane and gate equations are integrated with
//   classical Runge-Kutta (RK4) on sub-steps of at most 0.01 ms, A and B
//   exactly; the step's input then enters A and B at the step's end (the
//   engine's convention for every model: an event of step s acts from the
//   end of step s on).
// - Gates start at their steady state for the initial v, as NEURON's
//   finitialize sets them: at the first step, every gate still holding the
//   value it got at construction (the steady state at the model's default v)
//   is set to the steady state at the neuron's v, which the model file may
//   have set. A gate the file sets explicitly keeps its value (unless it is
//   exactly the default steady-state value).
//
// A channel model K provides:
//   static constexpr const char* name, *description;
//   static constexpr double v_init;              // default initial v, mV
//   static constexpr std::size_t n_gates;
//   static constexpr std::array<const char*, n_gates> gate_names;
//   using gates = std::array<double, n_gates>;
//   struct channels { ...; static channels from(const parameter_values&, const model_info&);
//                     void validate() const; };
//   static std::vector<parameter_info> channel_parameters();  // densities, reversals, ...
//   static gates steady_state(double v);
//   // Ionic current density (uA/cm2, outward positive) at (v, x); sets dx/dt (1/ms).
//   static double derivatives(const channels&, double v, const gates& x, gates& dx);

#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.hpp"

namespace ganglion::models::soma {

// NEURON's vtrap: x / (1 - exp(-x)), continuous at x = 0 (limit 1), for
// the rate functions of the form k (V - V0) / (1 - exp(-(V - V0) / s)).
inline double vtrap(double x) {
    return std::abs(x) < 1e-6 ? 1.0 + 0.5 * x : x / -std::expm1(-x);
}

// Side area of the soma cylinder, cm2 (length and diam in um).
double area_cm2(double length, double diam);

// Exp2Syn's time of the peak after an event (ms) and its normalisation.
double exp2syn_tpeak(double tau1, double tau2);
double exp2syn_factor(double tau1, double tau2);

// The parameters every soma model has, besides its channels.
struct common_parameters {
    double length, diam, cm, i_offset, v_thresh, tau1_E, tau2_E, e_rev_E, tau1_I, tau2_I, e_rev_I;
    static common_parameters from(const parameter_values& v, const model_info& m);
    void validate(const std::string& model) const;
};

// length, diam, cm (in front of the channels' parameters), then i_offset,
// v_thresh and the synapses' (after them).
std::vector<parameter_info> geometry_parameters();
std::vector<parameter_info> input_parameters();

// One Exp2Syn receptor over a sub-step.
struct exp2syn {
    double factor;                    // weight (uS) -> A and B
    double half_decay1, half_decay2;  // exp(-h / (2 tau)) for A and B
    exp2syn(double tau1, double tau2, double h);
};

struct common_derived {
    static constexpr double max_substep = 0.01;  // ms
    int substeps;
    double h;              // sub-step, ms
    double area;           // cm2
    double nA_to_density;  // nA -> uA/cm2: 1e-3 / area
    double inv_cm;         // cm2/uF
    exp2syn exc, inh;
    common_derived(const common_parameters& p, double dt);
};

template <std::size_t N>
struct common_state {
    std::vector<double> v;
    std::array<std::vector<double>, N> gates;
    std::vector<double> a_exc, b_exc, a_inh, b_inh;  // Exp2Syn's A and B, uS
    std::vector<double> g_exc, g_inh;                // B - A, uS (recordable)
    std::array<double, N> gate_defaults{};           // steady state at the default v
    bool started = false;
    // Every per-neuron array, for checkpoints (core/neuron_population.hpp);
    // a restored cell has started.
    template <class F>
    void fields(F&& f) {
        f(v);
        for (auto& g : gates)
            f(g);
        f(a_exc);
        f(b_exc);
        f(a_inh);
        f(b_inh);
        f(g_exc);
        f(g_inh);
    }
    void restored() { started = true; }
};

template <class K>
struct cell {
    static constexpr std::size_t n_receptors = 2;  // excitatory, inhibitory
    static constexpr std::size_t n_gates = K::n_gates;
    static constexpr double v_init = K::v_init;
    using gates = typename K::gates;

    static model_info info() {
        model_info m;
        m.name = K::name;
        m.description = K::description;
        m.parameters = geometry_parameters();
        for (auto& p : K::channel_parameters())
            m.parameters.push_back(std::move(p));
        for (auto& p : input_parameters())
            m.parameters.push_back(std::move(p));
        m.receptors = {"excitatory", "inhibitory"};
        m.synapses = synapse_type::conductance;
        // The gates' defaults: their steady state at the default v.
        m.state = {{"v", "mV", "", K::v_init}};
        const gates x = K::steady_state(K::v_init);
        for (std::size_t g = 0; g < n_gates; ++g)
            m.state.push_back({K::gate_names[g], "", "", x[g]});
        m.recordables = {"spikes", "gsyn_exc", "gsyn_inh"};
        return m;
    }

    struct parameters {
        common_parameters common;
        typename K::channels channels;
        static parameters from(const parameter_values& v) {
            const model_info m = info();
            return {common_parameters::from(v, m), K::channels::from(v, m)};
        }
        void validate() const {
            common.validate(K::name);
            channels.validate();
        }
    };

    struct derived : common_derived {
        derived(const parameters& p, double dt) : common_derived(p.common, dt) {}
    };

    struct state : common_state<n_gates> {
        void resize(std::size_t count, const parameters&) {
            this->v.assign(count, K::v_init);
            this->gate_defaults = K::steady_state(K::v_init);
            for (std::size_t g = 0; g < n_gates; ++g)
                this->gates[g].assign(count, this->gate_defaults[g]);
            for (auto* x : {&this->a_exc, &this->b_exc, &this->a_inh, &this->b_inh, &this->g_exc,
                            &this->g_inh})
                x->assign(count, 0.0);
            this->started = false;
        }
        double* variable(std::string_view name) {
            if (name == "v") return this->v.data();
            if (name == "gsyn_exc") return this->g_exc.data();
            if (name == "gsyn_inh") return this->g_inh.data();
            for (std::size_t g = 0; g < n_gates; ++g)
                if (name == K::gate_names[g]) return this->gates[g].data();
            return nullptr;
        }
    };

    static void step(const parameters& p, const derived& d, state& s, const double* const* input,
                     std::uint8_t* spiked, std::size_t count) {
        if (!s.started) start(s, count);
        const typename K::channels& ch = p.channels;
        const common_parameters& c = p.common;
        const double* __restrict in_e = input[0];
        const double* __restrict in_i = input[1];
        const double* __restrict inj = input[2];  // injected current, nA
        const double h = d.h, h2 = 0.5 * d.h, h6 = d.h / 6.0;
        // dv/dt and dx/dt at (v, x) with synaptic conductances ge, gi (uS)
        // and external current density i_ext (uA/cm2).
        auto f = [&](double v, const gates& x, double ge, double gi, double i_ext, gates& dx) {
            const double i_syn = ge * (v - c.e_rev_E) + gi * (v - c.e_rev_I);
            return (i_ext - d.nA_to_density * i_syn - K::derivatives(ch, v, x, dx)) * d.inv_cm;
        };
        for (std::size_t k = 0; k < count; ++k) {
            double v = s.v[k];
            const double v_old = v;
            gates x;
            for (std::size_t g = 0; g < n_gates; ++g)
                x[g] = s.gates[g][k];
            double ae = s.a_exc[k], be = s.b_exc[k], ai = s.a_inh[k], bi = s.b_inh[k];
            const double i_ext = d.nA_to_density * (c.i_offset + inj[k]);
            for (int j = 0; j < d.substeps; ++j) {
                // A and B at the sub-step's start, middle and end.
                const double ae2 = ae * d.exc.half_decay1, be2 = be * d.exc.half_decay2;
                const double ai2 = ai * d.inh.half_decay1, bi2 = bi * d.inh.half_decay2;
                const double ae3 = ae2 * d.exc.half_decay1, be3 = be2 * d.exc.half_decay2;
                const double ai3 = ai2 * d.inh.half_decay1, bi3 = bi2 * d.inh.half_decay2;
                gates k1, k2, k3, k4, y;
                const double v1 = f(v, x, be - ae, bi - ai, i_ext, k1);
                for (std::size_t g = 0; g < n_gates; ++g)
                    y[g] = x[g] + h2 * k1[g];
                const double v2 = f(v + h2 * v1, y, be2 - ae2, bi2 - ai2, i_ext, k2);
                for (std::size_t g = 0; g < n_gates; ++g)
                    y[g] = x[g] + h2 * k2[g];
                const double v3 = f(v + h2 * v2, y, be2 - ae2, bi2 - ai2, i_ext, k3);
                for (std::size_t g = 0; g < n_gates; ++g)
                    y[g] = x[g] + h * k3[g];
                const double v4 = f(v + h * v3, y, be3 - ae3, bi3 - ai3, i_ext, k4);
                v += h6 * (v1 + 2.0 * (v2 + v3) + v4);
                for (std::size_t g = 0; g < n_gates; ++g)
                    x[g] += h6 * (k1[g] + 2.0 * (k2[g] + k3[g]) + k4[g]);
                ae = ae3;
                be = be3;
                ai = ai3;
                bi = bi3;
            }
            ae += d.exc.factor * in_e[k];
            be += d.exc.factor * in_e[k];
            ai += d.inh.factor * in_i[k];
            bi += d.inh.factor * in_i[k];
            s.v[k] = v;
            for (std::size_t g = 0; g < n_gates; ++g)
                s.gates[g][k] = x[g];
            s.a_exc[k] = ae;
            s.b_exc[k] = be;
            s.a_inh[k] = ai;
            s.b_inh[k] = bi;
            s.g_exc[k] = be - ae;
            s.g_inh[k] = bi - ai;
            spiked[k] = v_old < c.v_thresh && v >= c.v_thresh;
        }
    }

  private:
    // NEURON's finitialize: gates the model file left alone start at their
    // steady state for the (possibly file-given) initial v.
    static void start(state& s, std::size_t count) {
        for (std::size_t k = 0; k < count; ++k) {
            const gates x = K::steady_state(s.v[k]);
            for (std::size_t g = 0; g < n_gates; ++g)
                if (s.gates[g][k] == s.gate_defaults[g]) s.gates[g][k] = x[g];
        }
        s.started = true;
    }
};

}  // namespace ganglion::models::soma
