// Tests for core/memory.hpp: big_vector, whose blocks of 4 MB and more are
// mappings of their own, 2 MB aligned, left untouched by resize(n), and whose
// unused tail release_unused gives back in place.
//
// Residence is read with mincore (which pages of a range are in memory) and
// /proc/self/status (VmRSS), both Linux.

#include "core/memory.hpp"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <limits>
#include <new>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace ganglion {
namespace {

constexpr std::size_t mb = std::size_t{1} << 20;
constexpr std::size_t huge_page = 2 * mb;

std::size_t page_size() {
    return static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

std::uintptr_t address(const void* p) {
    return reinterpret_cast<std::uintptr_t>(p);
}

// Bytes of [p, p + bytes) that are resident, counted in whole pages (the
// range is widened to pages); -1 if part of it is not mapped.
long long resident_bytes(const void* p, std::size_t bytes) {
    const std::size_t page = page_size();
    const std::uintptr_t begin = address(p) / page * page;
    const std::uintptr_t end = (address(p) + bytes + page - 1) / page * page;
    if (end <= begin) return 0;
    std::vector<unsigned char> in((end - begin) / page);
    if (::mincore(reinterpret_cast<void*>(begin), end - begin, in.data()) != 0) return -1;
    long long n = 0;
    for (const unsigned char c : in)
        n += c & 1;
    return n * static_cast<long long>(page);
}

// Whether all of [p, p + bytes) is mapped (mincore fails with ENOMEM on a
// hole).
bool mapped(const void* p, std::size_t bytes) {
    return resident_bytes(p, bytes) >= 0;
}

// This process's resident set, in bytes.
long long vm_rss() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmRSS:", 0) == 0) {
            std::istringstream in(line.substr(6));
            long long kb = 0;
            in >> kb;
            return kb * 1024;
        }
    ADD_FAILURE() << "no VmRSS in /proc/self/status";
    return 0;
}

std::uint32_t value_at(std::size_t i) {
    return static_cast<std::uint32_t>(i * 2654435761u + 12345u);
}

TEST(big_vector, a_big_block_is_2mb_aligned_writable_and_keeps_its_values) {
    // 4 MB exactly (the smallest big block), and sizes that are not whole
    // huge pages.
    for (const std::size_t bytes : {4 * mb, 4 * mb + 4, 10 * mb + 12, 64 * mb}) {
        SCOPED_TRACE(std::to_string(bytes) + " bytes");
        big_vector<std::uint32_t> v;
        v.resize(bytes / sizeof(std::uint32_t));
        ASSERT_EQ(v.size() * sizeof(std::uint32_t), bytes);
        EXPECT_EQ(address(v.data()) % huge_page, 0u) << "2 MB aligned";
        // The mapping covers the block rounded up to whole huge pages.
        const std::size_t rounded = (bytes + huge_page - 1) / huge_page * huge_page;
        EXPECT_TRUE(mapped(v.data(), rounded));
        // It ends there: what was mapped beyond, to align it, is given back.
        errno = 0;
        EXPECT_FALSE(mapped(reinterpret_cast<const char*>(v.data()) + rounded, page_size()));
        EXPECT_EQ(errno, ENOMEM);
        for (std::size_t i = 0; i < v.size(); ++i)
            v[i] = value_at(i);
        std::size_t wrong = 0;
        for (std::size_t i = 0; i < v.size(); ++i)
            wrong += v[i] != value_at(i);
        EXPECT_EQ(wrong, 0u);
    }
}

TEST(big_vector, resize_leaves_new_elements_untouched) {
    // No pass over the memory: the pages of a new big block stay out of
    // memory until written.
    big_vector<double> v;
    v.resize(32 * mb / sizeof(double));
    ASSERT_EQ(address(v.data()) % huge_page, 0u);
    EXPECT_EQ(resident_bytes(v.data(), 32 * mb), 0);
    // Written, they are there.
    for (std::size_t i = 0; i < v.size(); i += 512)
        v[i] = 1.5;
    EXPECT_EQ(resident_bytes(v.data(), 32 * mb), static_cast<long long>(32 * mb));
    // resize(n, value) and assign fill.
    big_vector<double> filled;
    filled.resize(8 * mb / sizeof(double), 2.5);
    std::size_t wrong = 0;
    for (const double x : filled)
        wrong += x != 2.5;
    filled.assign(6 * mb / sizeof(double), -1.0);
    for (const double x : filled)
        wrong += x != -1.0;
    EXPECT_EQ(wrong, 0u);
}

TEST(big_vector, values_survive_growing_through_small_and_big_blocks) {
    // push_back reallocates from ordinary blocks to big ones and between big
    // ones; copies and moves keep the values and the alignment.
    big_vector<std::uint32_t> v;
    const std::size_t n = 24 * mb / sizeof(std::uint32_t) + 3;
    for (std::size_t i = 0; i < n; ++i)
        v.push_back(value_at(i));
    EXPECT_EQ(address(v.data()) % huge_page, 0u);
    v.resize(2 * n);  // one more reallocation, with new elements left unwritten
    for (std::size_t i = n; i < 2 * n; ++i)
        v[i] = value_at(i);
    big_vector<std::uint32_t> copy = v;
    EXPECT_EQ(address(copy.data()) % huge_page, 0u);
    const big_vector<std::uint32_t> moved = std::move(v);
    std::size_t wrong = 0;
    for (std::size_t i = 0; i < 2 * n; ++i)
        wrong += (copy[i] != value_at(i)) + (moved[i] != value_at(i));
    EXPECT_EQ(wrong, 0u);
}

TEST(big_vector, freeing_a_big_block_unmaps_it) {
    const std::size_t bytes = 12 * mb;
    const void* p = nullptr;
    {
        big_vector<char> v(bytes, 'x');
        p = v.data();
        ASSERT_TRUE(mapped(p, bytes));
    }
    errno = 0;
    EXPECT_FALSE(mapped(p, bytes)) << "the block was given back to the system";
    EXPECT_EQ(errno, ENOMEM);
}

TEST(release_unused, keeps_the_elements_and_gives_back_the_tail) {
    // 64 MB written, then trimmed to a tenth: the first size() elements stay
    // where they are with their values, the pages past them leave memory,
    // and the capacity can be used again.
    big_vector<std::uint32_t> v;
    const std::size_t n = 64 * mb / sizeof(std::uint32_t);
    v.resize(n);
    for (std::size_t i = 0; i < n; ++i)
        v[i] = value_at(i);
    const std::uint32_t* data = v.data();
    const std::size_t capacity = v.capacity();
    ASSERT_EQ(resident_bytes(data, n * sizeof(std::uint32_t)),
              static_cast<long long>(n * sizeof(std::uint32_t)));
    const long long rss_before = vm_rss();

    const std::size_t keep = n / 10 + 123;  // not on a page boundary
    v.resize(keep);
    release_unused(v);
    EXPECT_EQ(v.data(), data) << "not moved";
    EXPECT_EQ(v.capacity(), capacity);
    ASSERT_EQ(v.size(), keep);
    std::size_t wrong = 0;
    for (std::size_t i = 0; i < keep; ++i)
        wrong += v[i] != value_at(i);
    EXPECT_EQ(wrong, 0u);

    const std::size_t page = page_size();
    const std::size_t used = (keep * sizeof(std::uint32_t) + page - 1) / page * page;
    EXPECT_EQ(resident_bytes(data, used), static_cast<long long>(used)) << "the kept pages";
    EXPECT_EQ(resident_bytes(reinterpret_cast<const char*>(data) + used,
                             n * sizeof(std::uint32_t) - used),
              0)
        << "the tail's pages";
    const long long freed = rss_before - vm_rss();
    EXPECT_GT(freed, static_cast<long long>(n * sizeof(std::uint32_t) - used) * 9 / 10)
        << "VmRSS fell by about the tail";

    // The capacity is still there: growing again needs no new block.
    v.resize(n);
    EXPECT_EQ(v.data(), data);
    for (std::size_t i = keep; i < n; ++i)
        v[i] = value_at(i);
    for (std::size_t i = 0; i < n; ++i)
        wrong += v[i] != value_at(i);
    EXPECT_EQ(wrong, 0u);
}

TEST(release_unused, an_empty_big_vector_gives_back_everything) {
    big_vector<float> v(16 * mb / sizeof(float), 1.0f);
    const float* data = v.data();
    v.clear();
    release_unused(v);
    EXPECT_EQ(resident_bytes(data, 16 * mb), 0);
    EXPECT_TRUE(mapped(data, 16 * mb)) << "still its capacity";
}

TEST(big_vector, small_vectors_are_ordinary_vectors) {
    // Below 4 MB: the usual allocator; release_unused shrinks to fit.
    big_vector<int> v = {1, 2, 3};
    v.resize(1000, 7);
    v.push_back(-5);
    v.erase(v.begin() + 1);
    ASSERT_EQ(v.size(), 1000u);
    EXPECT_EQ(v[0], 1);
    EXPECT_EQ(v[1], 3);
    EXPECT_EQ(v[2], 7);
    EXPECT_EQ(v[998], 7);
    EXPECT_EQ(v[999], -5);
    v.reserve(100000);
    v.resize(10);
    release_unused(v);
    EXPECT_EQ(v.capacity(), 10u);
    EXPECT_EQ(v, (big_vector<int>{1, 3, 7, 7, 7, 7, 7, 7, 7, 7}));
    // Just below a big block.
    big_vector<std::uint32_t> below(4 * mb / sizeof(std::uint32_t) - 1, 9u);
    std::size_t wrong = 0;
    for (const auto x : below)
        wrong += x != 9u;
    EXPECT_EQ(wrong, 0u);
}

TEST(big_allocator, sizes_it_cannot_give_throw) {
    big_allocator<double> a;
    EXPECT_THROW(static_cast<void>(a.allocate(std::numeric_limits<std::size_t>::max() / 4)),
                 std::bad_array_new_length);
    // More than any address space: the mapping is refused.
    EXPECT_THROW(static_cast<void>(a.allocate(std::size_t{1} << 58)), std::bad_alloc);
}

}  // namespace
}  // namespace ganglion
