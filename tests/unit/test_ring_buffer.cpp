// Tests for core/ring_buffer.hpp: the [receptor][slot][neuron] layout, slot
// wrapping, and that `add` writes where `row` reads.

#include "core/ring_buffer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <set>
#include <vector>

namespace ganglion {
namespace {

TEST(ring_buffer, sizes) {
    const ring_buffer b(2, 7, 13);
    EXPECT_EQ(b.n_receptors(), 2u);
    EXPECT_EQ(b.n_slots(), 7u);
    EXPECT_EQ(b.n_neurons(), 13u);
    // Rows are padded to a multiple of 8 doubles: 13 -> 16.
    EXPECT_EQ(b.data().size(), 2u * 7u * 16u);
    EXPECT_EQ(b.bytes(), b.data().size() * sizeof(double));
    for (const double x : b.data())
        EXPECT_EQ(x, 0.0);
}

TEST(ring_buffer, layout_is_receptor_then_slot_then_neuron) {
    for (const std::size_t n : {1u, 7u, 8u, 9u, 100u}) {
        ring_buffer b(3, 5, n);
        const double* base = b.data().data();
        const std::ptrdiff_t stride = b.row(0, 1) - b.row(0, 0);
        EXPECT_GE(stride, static_cast<std::ptrdiff_t>(n));
        EXPECT_EQ(stride % 8, 0) << "rows are padded to whole cache lines of doubles";
        for (std::size_t r = 0; r < 3; ++r)
            for (step_type s = 0; s < 5; ++s)
                EXPECT_EQ(
                    b.row(r, s) - base,
                    static_cast<std::ptrdiff_t>((r * 5 + static_cast<std::size_t>(s))) * stride)
                    << "r=" << r << " s=" << s;
    }
}

TEST(ring_buffer, slot_wraps_at_n_slots) {
    ring_buffer b(2, 6, 10);
    for (step_type s = 0; s < 100; ++s) {
        EXPECT_EQ(b.slot(s), static_cast<std::size_t>(s % 6));
        for (std::size_t r = 0; r < 2; ++r) {
            EXPECT_EQ(b.row(r, s), b.row(r, s + 6));
            EXPECT_EQ(b.row(r, s), b.row(r, s % 6));
        }
    }
    // Consecutive steps within one wrap are distinct rows.
    std::set<const double*> rows;
    for (step_type s = 17; s < 17 + 6; ++s)
        rows.insert(b.row(0, s));
    EXPECT_EQ(rows.size(), 6u);
}

TEST(ring_buffer, rows_of_receptors_and_slots_never_overlap) {
    const std::size_t R = 4, S = 9, N = 11;
    ring_buffer b(R, S, N);
    // Write a distinct value into every (receptor, slot, neuron) through
    // row(), then read all back: any aliasing would overwrite a value.
    for (std::size_t r = 0; r < R; ++r)
        for (step_type s = 0; s < static_cast<step_type>(S); ++s)
            for (std::size_t i = 0; i < N; ++i)
                b.row(r, s)[i] = static_cast<double>(1 + (r * S + s) * N + i);
    for (std::size_t r = 0; r < R; ++r)
        for (step_type s = 0; s < static_cast<step_type>(S); ++s)
            for (std::size_t i = 0; i < N; ++i)
                EXPECT_EQ(b.row(r, s)[i], static_cast<double>(1 + (r * S + s) * N + i));
    // Every element of data() that is not padding was written exactly once.
    std::size_t nonzero = 0;
    for (const double x : b.data())
        nonzero += x != 0.0;
    EXPECT_EQ(nonzero, R * S * N);
}

TEST(ring_buffer, add_lands_where_row_reads) {
    ring_buffer b(2, 5, 6);
    b.add(1, 13, 4, 0.25);
    b.add(1, 13, 4, 0.5);
    b.add(0, 13, 4, 2.0);
    b.add(1, 8, 4, 4.0);  // the same slot as step 13 (and 3, 18, ...)
    EXPECT_EQ(b.row(1, 13)[4], 4.75);
    EXPECT_EQ(b.row(1, 3)[4], 4.75);
    EXPECT_EQ(b.row(0, 18)[4], 2.0);
    EXPECT_EQ(b.row(1, 14)[4], 0.0);
    EXPECT_EQ(b.row(1, 13)[3], 0.0);
    EXPECT_EQ(b.row(1, 13)[5], 0.0);
    double sum = 0;
    for (const double x : b.data())
        sum += x;
    EXPECT_EQ(sum, 6.75);
    // The const row reads the same memory.
    const ring_buffer& cb = b;
    EXPECT_EQ(cb.row(1, 13), b.row(1, 13));
}

TEST(ring_buffer, default_constructed_is_empty) {
    const ring_buffer b;
    EXPECT_EQ(b.n_receptors(), 0u);
    EXPECT_EQ(b.bytes(), 0u);
}

}  // namespace
}  // namespace ganglion
