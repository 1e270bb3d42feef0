#pragma once

// Input ring buffers of one thread: for each receptor, `n_slots` rows of one
// value per thread-local neuron, laid out [receptor][slot][neuron] so that a
// step reads one contiguous row per receptor.
//
// Why min_delay + max_delay slots (in steps, D + max_d): during the interval
// [t0, t0 + D) the update reads rows t0 ... t0 + D - 1, while the delivery
// after the interval writes rows up to (t0 + D - 1) + max_d. Rows being read
// and rows being written never share a slot when there are D + max_d of
// them. A row is cleared when it is read.

#include <cstddef>
#include <vector>

#include "core/memory.hpp"
#include "core/types.hpp"

namespace ganglion {

class ring_buffer {
  public:
    ring_buffer() = default;
    ring_buffer(std::size_t n_receptors, std::size_t n_slots, std::size_t n_neurons)
        : n_receptors_(n_receptors),
          n_slots_(n_slots),
          n_neurons_(n_neurons),
          stride_((n_neurons + 7) / 8 * 8),
          data_(n_receptors * n_slots * stride_, 0.0) {}

    std::size_t n_receptors() const { return n_receptors_; }
    std::size_t n_slots() const { return n_slots_; }
    std::size_t n_neurons() const { return n_neurons_; }

    std::size_t slot(step_type step) const {
        return static_cast<std::size_t>(step % static_cast<step_type>(n_slots_));
    }
    double* row(std::size_t receptor, step_type step) {
        return data_.data() + (receptor * n_slots_ + slot(step)) * stride_;
    }
    const double* row(std::size_t receptor, step_type step) const {
        return data_.data() + (receptor * n_slots_ + slot(step)) * stride_;
    }
    // The row of a slot (slot < n_slots()), for callers that step through
    // slots themselves.
    double* slot_row(std::size_t receptor, std::size_t slot) {
        return data_.data() + (receptor * n_slots_ + slot) * stride_;
    }
    void add(std::size_t receptor, step_type step, std::size_t neuron, double value) {
        row(receptor, step)[neuron] += value;
    }
    std::size_t bytes() const { return data_.size() * sizeof(double); }

    // The whole buffer (for checkpoints and tests).
    const big_vector<double>& data() const { return data_; }
    big_vector<double>& data() { return data_; }

  private:
    std::size_t n_receptors_ = 0, n_slots_ = 0, n_neurons_ = 0, stride_ = 0;
    big_vector<double> data_;  // huge pages: delivery writes at random places
};

}  // namespace ganglion
