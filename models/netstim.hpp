#pragma once

// NEURON's NetStim as a population of spike sources, with NEURON's
// parameters and semantics (NetStim.mod, neuronsimulator/nrn, src/nrnoc/
// netstim.mod: the INITIAL block, invl() and NET_RECEIVE):
//
//   interval  mean time between spikes (ms)
//   number    how many spikes in all (whatever the noise)
//   start     time of the first spike when noise is 0 (ms)
//   noise     0 (regular) .. 1 (Poisson)
//   duration  not NEURON's: no spike after start + duration (ms)
//
// With E_k independent Exp(1) draws, NetStim's k-th spike (k = 0 .. number-1)
// is at
//
//   t_0     = start + noise interval E_0
//   t_{k+1} = t_k + (1 - noise) interval + noise interval E_{k+1}
//
// INITIAL's `event = start + invl(interval) - interval*(1 - noise)` is t_0
// (invl(m) = (1 - noise) m + noise m erand()); NET_RECEIVE then fires at
// t_0 and schedules each next spike invl(interval) later until `number`
// have fired. With noise 0 nothing is drawn (invl returns the mean), and the
// spikes are start + k interval (computed so, not by repeated addition:
// NEURON's queue adds, which agrees up to rounding). Spikes after
// start + duration are not emitted, and the source stops there.
//
// Each source draws from its own counter-based stream keyed by (seed,
// purpose::source(population), gid), so its train does not depend on which
// rank or thread owns it. A time t is emitted as SpikeSourceArray's: in step
// round(t / dt) - 1 (stamped t rounded to the grid), several in one step if
// they round together. Because every spike is at or after start, a start
// that rounds to time 0 (start < dt / 2) is a model file error when number
// > 0, as a SpikeSourceArray time would be.

#include "core/model.hpp"

namespace ganglion::models {

model_entry netstim_entry();

}  // namespace ganglion::models
