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

// Anonymous mappings grow in place or move by remapping page tables, never by copying, so a
// 10-million-node tape peaks at its own size. Elsewhere, realloc is the honest fallback.
template <class T>
void* TapeBuffer<T>::grow(void* old, std::size_t old_bytes, std::size_t new_bytes) {
#if defined(__linux__)
    void* p = old ? ::mremap(old, old_bytes, new_bytes, MREMAP_MAYMOVE)
                  : ::mmap(nullptr, new_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                           -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
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
