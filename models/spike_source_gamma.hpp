#pragma once

// PyNN's SpikeSourceGamma: independent gamma renewal processes, intervals
// Gamma(shape alpha, rate beta), mean interval alpha / beta s (CV^2 =
// 1 / alpha; alpha = 1 is a Poisson process of rate beta), spike times in
// (start, start + duration] ms, as SpikeSourcePoisson's.
//
// The first spike. Simulators differ: PyNN's NEURON GammaStim fires at the
// moment it is switched on and then at gamma intervals (every source fires
// together at start); NEST's gamma_sup_generator (PyNN's NEST mapping, with
// n_proc 1 and integer shapes only) starts its phase chain near equilibrium.
// ganglion starts each process exactly in equilibrium at `start`: the first
// spike is start + U G, U uniform in (0, 1), G ~ Gamma(alpha + 1, 1 / beta)
// (the forward recurrence time of a stationary renewal process: the
// interval that covers `start` is length-biased, Gamma(alpha + 1), and
// `start` falls uniformly inside it). So the population rate is beta / alpha
// from `start` on with no transient, as for SpikeSourcePoisson, and alpha = 1
// gives a Poisson train. The following intervals are Gamma(alpha, 1 / beta).
//
// Each source draws from its own counter-based stream keyed by (seed,
// purpose::source(population), gid): the same train whichever rank or
// thread owns it. A time t is emitted as SpikeSourceArray's: in step
// round(t / dt) - 1, several in one step if they round together; a time
// below dt / 2 (possible only when start < dt / 2) cannot be stamped 0 and
// is emitted in step 0, at dt.

#include "core/model.hpp"

namespace ganglion::models {

model_entry spike_source_gamma_entry();

}  // namespace ganglion::models
