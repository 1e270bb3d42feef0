#pragma once

// Allocation of the big arrays (synapse rows, ring buffers): blocks of 4 MB
// and more are mapped on their own, aligned to 2 MB and marked for
// transparent huge pages (madvise; Linux uses them for such regions when
// /sys/kernel/mm/transparent_hugepage/enabled is "madvise" or "always").
// Delivery and construction touch these arrays at random places: with 4 kB
// pages nearly every access misses the TLB, with 2 MB pages a thread's whole
// synapse store needs a few hundred entries. On other systems, or when the
// kernel refuses, the memory is an ordinary anonymous mapping.
//
// The allocator also leaves new elements uninitialised on resize(n), for
// arrays every element of which is written before it is read: making them
// then costs neither a pass over the memory nor its first touch up front.

#include <cstddef>
#include <memory>
#include <new>
#include <utility>
#include <vector>

namespace ganglion {

namespace detail {
constexpr std::size_t big_block_bytes = std::size_t{4} << 20;
void* map_big_block(std::size_t bytes);  // throws std::bad_alloc
void unmap_big_block(void* p, std::size_t bytes) noexcept;
// Gives back the pages of [p + used, p + capacity) of a big block.
void release_pages(void* p, std::size_t used, std::size_t capacity) noexcept;
}  // namespace detail

template <class T>
struct big_allocator {
    using value_type = T;
    big_allocator() = default;
    template <class U>
    big_allocator(const big_allocator<U>&) noexcept {}

    T* allocate(std::size_t n) {
        if (n > static_cast<std::size_t>(-1) / sizeof(T)) throw std::bad_array_new_length();
        const std::size_t bytes = n * sizeof(T);
        if (bytes >= detail::big_block_bytes) return static_cast<T*>(detail::map_big_block(bytes));
        return std::allocator<T>().allocate(n);
    }
    void deallocate(T* p, std::size_t n) noexcept {
        const std::size_t bytes = n * sizeof(T);
        if (bytes >= detail::big_block_bytes)
            detail::unmap_big_block(p, bytes);
        else
            std::allocator<T>().deallocate(p, n);
    }
    template <class U>
    void construct(U* p) noexcept {
        ::new (static_cast<void*>(p)) U;  // default-initialised: no write for scalars
    }
    template <class U, class... Args>
    void construct(U* p, Args&&... args) {
        ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }
    template <class U>
    bool operator==(const big_allocator<U>&) const noexcept {
        return true;
    }
};

// A vector for big arrays: huge pages, and resize(n) leaves new elements
// uninitialised (use assign(n, value) or resize(n, value) to fill).
template <class T>
using big_vector = std::vector<T, big_allocator<T>>;

// Returns the memory of v's unused capacity to the system without moving
// its elements (shrink_to_fit would hold two copies at once): for a big
// block, the whole pages past its end; a small one is shrunk.
template <class T>
void release_unused(big_vector<T>& v) {
    const std::size_t capacity = v.capacity() * sizeof(T);
    if (capacity >= detail::big_block_bytes)
        detail::release_pages(v.data(), v.size() * sizeof(T), capacity);
    else
        v.shrink_to_fit();
}

}  // namespace ganglion
