#pragma once

// PyNN's SpikeSourcePoisson: independent Poisson spike trains of `rate` Hz
// between `start` and `start + duration` ms.
//
// Each step draws a Poisson count from one counter-based random number keyed
// by (seed, population, gid, step), by inversion from the precomputed
// exp(-rate dt) (core/poisson.hpp): no state to carry, no per-draw
// transcendental function, and the same train whichever rank or thread
// generates it. Several spikes in one step are several spikes of that step.
// When the population's spikes are not recorded, the engine generates the
// trains at the targets instead of exchanging them (model_entry::poisson).

#include "core/model.hpp"

namespace ganglion::models {

model_entry spike_source_poisson_entry();

}  // namespace ganglion::models
