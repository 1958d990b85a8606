// PodArray — a growable array of trivially copyable records, grown with std::realloc.
//
// Why not std::vector: the big per-node and per-name arrays of a long script (origins,
// bindings, labels) reach tens of megabytes. std::vector grows by allocating a fresh block and
// copying, so every page is written again at each doubling; glibc's realloc moves a large block
// by remapping its pages, so each page is touched once.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <new>
#include <type_traits>

namespace mgrad::detail {

template <class T>
class PodArray {
    static_assert(std::is_trivially_copyable_v<T>);

  public:
    PodArray() = default;
    PodArray(const PodArray&) = delete;
    PodArray& operator=(const PodArray&) = delete;
    ~PodArray() { std::free(m_data); }

    [[nodiscard]] std::size_t size() const noexcept { return m_size; }
    [[nodiscard]] bool empty() const noexcept { return m_size == 0; }
    T& operator[](std::size_t i) noexcept { return m_data[i]; }
    const T& operator[](std::size_t i) const noexcept { return m_data[i]; }
    T& back() noexcept { return m_data[m_size - 1]; }
    const T& back() const noexcept { return m_data[m_size - 1]; }
    T* begin() noexcept { return m_data; }
    T* end() noexcept { return m_data + m_size; }
    const T* begin() const noexcept { return m_data; }
    const T* end() const noexcept { return m_data + m_size; }

    void push_back(const T& value) {
        if (m_size == m_capacity) reserve(m_size + 1);
        m_data[m_size++] = value;
    }
    /// Grows to `n` records, the new ones set to `fill` (never shrinks).
    void grow_to(std::size_t n, const T& fill) {
        if (n <= m_size) return;
        reserve(n);
        std::fill(m_data + m_size, m_data + n, fill);
        m_size = n;
    }
    void pop_back() noexcept { --m_size; }
    /// Drops the records from `n` on (never grows).
    void truncate(std::size_t n) noexcept { m_size = std::min(m_size, n); }
    /// Keeps the memory, as std::vector::clear does.
    void clear() noexcept { m_size = 0; }

  private:
    void reserve(std::size_t n) {
        if (n <= m_capacity) return;
        const std::size_t capacity = std::max(n, m_capacity + m_capacity / 2 + 16);
        if (capacity > static_cast<std::size_t>(-1) / sizeof(T)) throw std::bad_alloc();
        void* p = std::realloc(m_data, capacity * sizeof(T));
        if (!p) throw std::bad_alloc();
        m_data = static_cast<T*>(p);
        m_capacity = capacity;
    }

    T* m_data = nullptr;
    std::size_t m_size = 0;
    std::size_t m_capacity = 0;
};

}  // namespace mgrad::detail
