#include "core/memory.hpp"

#include <sys/mman.h>

#include <cstdint>

namespace ganglion::detail {

namespace {
constexpr std::size_t huge_page = std::size_t{2} << 20;
std::size_t round_up(std::size_t bytes) {
    return (bytes + huge_page - 1) / huge_page * huge_page;
}
}  // namespace

void* map_big_block(std::size_t bytes) {
    // Map 2 MB more than needed, keep a 2 MB-aligned range, unmap the rest.
    const std::size_t length = round_up(bytes);
    void* raw = ::mmap(nullptr, length + huge_page, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) throw std::bad_alloc();
    const auto begin = reinterpret_cast<std::uintptr_t>(raw);
    const std::uintptr_t aligned = (begin + huge_page - 1) / huge_page * huge_page;
    if (aligned > begin) ::munmap(raw, aligned - begin);
    const std::uintptr_t end = begin + length + huge_page;
    if (end > aligned + length)
        ::munmap(reinterpret_cast<void*>(aligned + length), end - (aligned + length));
#ifdef MADV_HUGEPAGE
    ::madvise(reinterpret_cast<void*>(aligned), length, MADV_HUGEPAGE);  // a hint: may fail
#endif
    return reinterpret_cast<void*>(aligned);
}

void unmap_big_block(void* p, std::size_t bytes) noexcept {
    ::munmap(p, round_up(bytes));
}

void release_pages(void* p, std::size_t used, std::size_t capacity) noexcept {
    constexpr std::size_t page = 4096;
    const auto begin = (reinterpret_cast<std::uintptr_t>(p) + used + page - 1) / page * page;
    const auto end = reinterpret_cast<std::uintptr_t>(p) + round_up(capacity);
    if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
}

}  // namespace ganglion::detail
