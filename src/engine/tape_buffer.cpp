// The tape's memory (detail::TapeBuffer, include/mgrad/engine/detail/tape.hpp): grown by
// remapping pages, not by copying.
#include <fmt/format.h>

#include <cstdlib>
#include <new>

#include "mgrad/engine/graph.hpp"

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace mgrad {

namespace detail {

#if defined(__linux__)
namespace {

/// A tape of millions of nodes is touched page by page as it is recorded; each first touch of a
/// 4 KiB page is a fault, which costs microseconds on a virtual machine. Transparent huge pages
/// make that one fault per 2 MiB (W1's whole process 0.28x of the CPU, W3 0.57x, for 1.5 MiB
/// more peak: docs/performance.md). Only mappings that can hold an aligned 2 MiB page ask; where the kernel's setting is
/// "never", or it has no huge pages, the advice is ignored and the tape works as before.
void advise_huge_pages(void* p, std::size_t bytes) noexcept {
#if defined(MADV_HUGEPAGE)
    constexpr std::size_t huge_page = std::size_t{2} << 20;
    if (bytes >= 2 * huge_page) (void)::madvise(p, bytes, MADV_HUGEPAGE);
#else
    (void)p;
    (void)bytes;
#endif
}

}  // namespace
#endif

// Anonymous mappings grow in place or move by remapping page tables, never by copying, so a
// 10-million-node tape peaks at its own size. Elsewhere, realloc is the honest fallback.
template <class T>
void* TapeBuffer<T>::grow(void* old, std::size_t old_bytes, std::size_t new_bytes) {
#if defined(__linux__)
    void* p = old ? ::mremap(old, old_bytes, new_bytes, MREMAP_MAYMOVE)
                  : ::mmap(nullptr, new_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                           -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    advise_huge_pages(p, new_bytes);
    return p;
#else
    (void)old_bytes;
    void* p = std::realloc(old, new_bytes);
    if (!p) throw std::bad_alloc();
    return p;
#endif
}

template <class T>
void TapeBuffer<T>::release(void* p, std::size_t bytes) noexcept {
    if (!p) return;
#if defined(__linux__)
    ::munmap(p, bytes);
#else
    (void)bytes;
    std::free(p);
#endif
}

template <class T>
void TapeBuffer<T>::throw_full() const {
    throw Error(fmt::format("the graph is full: at most {} nodes fit on one tape", m_max_size));
}

template <class T>
void TapeBuffer<T>::throw_limit() const {
    throw Error(fmt::format("the graph has reached its limit of {} nodes", m_limit));
}

template class TapeBuffer<Node>;

}  // namespace detail

}  // namespace mgrad
