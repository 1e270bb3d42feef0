#pragma once

// Input ring buffers of one thread: for each receptor, `n_slots` rows of one
// value per thread-local neuron, laid out [receptor][slot][neuron] so that a
// step reads one contiguous row per receptor.
//
// Why min_delay + max_delay slots (in steps, D + max_d) when spikes are
// pushed at emission: during the interval [t0, t0 + D) the update reads rows
// t0 ... t0 + D - 1, while the delivery after the interval writes rows up to
// (t0 + D - 1) + max_d. Rows being read and rows being written never share a
// slot when there are D + max_d of them. A row is cleared when it is read.
// Double mode adds most input when it arrives instead (received static
// synapses, core/deliver.hpp arrival_queue; Poisson populations generated
// at their targets with one delay, core/poisson_drive.hpp arrive): then only
// rows t0 + D ... t0 + 2D - 1 are written after the interval, and D slots
// are enough when nothing is pushed (simulation.hpp plan_delivery; the
// microcircuit: 617 kB per thread instead of 33 MB, and the row a step adds
// into is the one the step before read, still in cache). SpiNNaker mode
// needs D + min(max_d, 16): its delay extension delivers a spike's later
// delay stages 16 steps apart, core/spinnaker.hpp.
//
// Double mode sums weights in doubles (`ring_buffer`); SpiNNaker mode keeps
// sPyNNaker's 16-bit saturating slots (`fixed_ring_buffer`, whole numbers
// 0 .. 0xFFFF, see fixed::accumulate): a quarter of the bytes, so a thread's
// slots stay in cache far longer under random adds.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/memory.hpp"
#include "core/types.hpp"

namespace ganglion {

template <class T>
class basic_ring_buffer {
  public:
    using value_type = T;
    // Rows are padded to whole 64-byte cache lines.
    static constexpr std::size_t row_align = 64 / sizeof(T);

    basic_ring_buffer() = default;
    basic_ring_buffer(std::size_t n_receptors, std::size_t n_slots, std::size_t n_neurons)
        : n_receptors_(n_receptors),
          n_slots_(n_slots),
          n_neurons_(n_neurons),
          stride_((n_neurons + row_align - 1) / row_align * row_align),
          data_(n_receptors * n_slots * stride_, T{}) {}

    std::size_t n_receptors() const { return n_receptors_; }
    std::size_t n_slots() const { return n_slots_; }
    std::size_t n_neurons() const { return n_neurons_; }
    std::size_t stride() const { return stride_; }  // values from one slot's row to the next

    std::size_t slot(step_type step) const {
        return static_cast<std::size_t>(step % static_cast<step_type>(n_slots_));
    }
    T* row(std::size_t receptor, step_type step) {
        return data_.data() + (receptor * n_slots_ + slot(step)) * stride_;
    }
    const T* row(std::size_t receptor, step_type step) const {
        return data_.data() + (receptor * n_slots_ + slot(step)) * stride_;
    }
    // The slot `delay` steps after slot `from` (< n_slots()): an addition,
    // and a division only for a delay beyond the slots (a buffer of D slots,
    // where a Poisson source of a longer delay is drawn at arrival).
    std::size_t slot_after(std::size_t from, std::size_t delay) const {
        const std::size_t s = from + delay;
        return s < n_slots_ ? s : s % n_slots_;
    }
    // The row of a slot (slot < n_slots()), for callers that step through
    // slots themselves.
    T* slot_row(std::size_t receptor, std::size_t slot) {
        return data_.data() + (receptor * n_slots_ + slot) * stride_;
    }
    void add(std::size_t receptor, step_type step, std::size_t neuron, T value) {
        row(receptor, step)[neuron] += value;
    }
    std::size_t bytes() const { return data_.size() * sizeof(T); }

    // The whole buffer (for checkpoints and tests).
    const big_vector<T>& data() const { return data_; }
    big_vector<T>& data() { return data_; }

  private:
    std::size_t n_receptors_ = 0, n_slots_ = 0, n_neurons_ = 0, stride_ = 0;
    big_vector<T> data_;  // huge pages: delivery writes at random places
};

using ring_buffer = basic_ring_buffer<double>;
using fixed_ring_buffer = basic_ring_buffer<std::uint16_t>;

}  // namespace ganglion
