#pragma once

// PyNN's SpikeSourceArray: spikes at given times (ms), one list shared by all
// neurons of the population or one list per neuron. A time t is emitted in
// step round(t/dt) - 1, so that its stamp (step + 1) dt is t rounded to the
// grid; times must therefore be at least dt / 2 (a time that rounds to 0
// would need a spike before the first step).

#include "core/model.hpp"

namespace ganglion::models {

model_entry spike_source_array_entry();

}  // namespace ganglion::models
