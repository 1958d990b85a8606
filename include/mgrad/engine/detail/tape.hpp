// The tape's machinery: node flags, growable storage that never copies, and every op's forward
// formula. Internal: graph.hpp needs it inline for speed, nobody else should.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "mgrad/engine/op.hpp"
#include "mgrad/support/export.hpp"

namespace mgrad {

/// Bookkeeping bits for the passes over the tape (graph.cpp). An enum rather than a
/// std::uint8_t on purpose: std::uint8_t is a character type, which the compiler must assume
/// can alias any object, so writing a node's flags would make it reload the graph's own members
/// after every node recorded.
enum class NodeFlags : std::uint8_t {};
[[nodiscard]] constexpr NodeFlags operator|(NodeFlags x, NodeFlags y) noexcept {
    return NodeFlags(static_cast<std::uint8_t>(x) | static_cast<std::uint8_t>(y));
}
[[nodiscard]] constexpr NodeFlags operator&(NodeFlags x, NodeFlags y) noexcept {
    return NodeFlags(static_cast<std::uint8_t>(x) & static_cast<std::uint8_t>(y));
}
[[nodiscard]] constexpr NodeFlags operator~(NodeFlags x) noexcept {
    return NodeFlags(static_cast<std::uint8_t>(~static_cast<std::uint8_t>(x)));
}
constexpr NodeFlags& operator|=(NodeFlags& x, NodeFlags y) noexcept { return x = x | y; }
constexpr NodeFlags& operator&=(NodeFlags& x, NodeFlags y) noexcept { return x = x & y; }
[[nodiscard]] constexpr bool any(NodeFlags x) noexcept { return x != NodeFlags{}; }

namespace detail {

// Node::flags bits (graph.cpp explains the passes that use them).
// (Bit 1 was `accumulate`, now Node::accumulate.)
inline constexpr NodeFlags dirty{2};  // forward: changed since the last forward()
// MulAdd only: which operands are leaves, so that backward can add to a leaf's gradient without
// the first-touch test an interior node needs. In a neuron, `a` is a weight: always a leaf.
inline constexpr NodeFlags a_leaf{4};
inline constexpr NodeFlags b_leaf{8};
inline constexpr NodeFlags c_leaf{16};

/// Contiguous growable storage for trivially copyable records. Unlike std::vector it grows
/// without copying (mremap on Linux), so peak memory is what the tape holds, not 1.5-3x it.
template <class T>
class MGRAD_API TapeBuffer {
  public:
    TapeBuffer() = default;
    TapeBuffer(const TapeBuffer&) = delete;
    TapeBuffer& operator=(const TapeBuffer&) = delete;
    ~TapeBuffer() { release(m_data, m_capacity * sizeof(T)); }

    [[nodiscard]] std::size_t size() const noexcept { return m_size; }
    [[nodiscard]] T* data() noexcept { return m_data; }
    [[nodiscard]] const T* data() const noexcept { return m_data; }
    T& operator[](std::size_t i) noexcept { return m_data[i]; }
    const T& operator[](std::size_t i) const noexcept { return m_data[i]; }

    /// Room for one more record at the end, left for the caller to write in full (Graph::emit
    /// writes a node as whole words). Always inlined (with the rest of the recording path,
    /// graph.hpp and value.hpp): in a function that records many nodes the compiler otherwise
    /// stops inlining past a size, and a call per node costs about as much as the node
    /// (bench/bench_engine.cpp, W1).
    [[gnu::always_inline]] T* push_back_uninitialized() {
        // One comparison, as with a plain capacity test: m_stop is the capacity or the limit,
        // whichever comes first.
        if (m_size >= m_stop) [[unlikely]]
            make_room();
        return m_data + m_size++;
    }
    /// The capacity reserve() may reach; growing beyond it throws (Graph: a NodeId must fit).
    void set_max_size(std::size_t max_size) noexcept { m_max_size = max_size; }
    /// The most records push_back_uninitialized() accepts: one more throws (throw_limit) before any
    /// memory is taken for it. Growing never reserves beyond it.
    void set_limit(std::size_t limit) noexcept {
        m_limit = limit;
        m_stop = std::min(m_capacity, m_limit);
    }
    [[nodiscard]] std::size_t limit() const noexcept { return m_limit; }
    void reserve(std::size_t capacity) {
        if (capacity <= m_capacity) return;
        if (capacity > m_max_size) {
            if (m_capacity >= m_max_size) throw_full();
            capacity = m_max_size;
        }
        m_data = static_cast<T*>(grow(m_data, m_capacity * sizeof(T), capacity * sizeof(T)));
        m_capacity = capacity;
        m_stop = std::min(m_capacity, m_limit);
    }
    void clear() noexcept { m_size = 0; }
    /// Keeps the first `size` records (no-op when there are fewer), and the memory.
    void truncate(std::size_t size) noexcept { m_size = std::min(m_size, size); }
    void release_memory() noexcept {
        release(m_data, m_capacity * sizeof(T));
        m_data = nullptr;
        m_size = m_capacity = m_stop = 0;
    }

  private:
    [[gnu::noinline, gnu::cold]] void make_room() {
        if (m_size >= m_limit) throw_limit();
        reserve(std::min(m_capacity ? m_capacity * 2 : std::size_t{1024}, m_limit));
    }
    static void* grow(void* old, std::size_t old_bytes, std::size_t new_bytes);
    static void release(void* p, std::size_t bytes) noexcept;
    [[noreturn]] void throw_full() const;
    [[noreturn]] void throw_limit() const;

    T* m_data = nullptr;
    std::size_t m_size = 0;
    std::size_t m_capacity = 0;
    std::size_t m_stop = 0;  ///< min(m_capacity, m_limit)
    std::size_t m_max_size = static_cast<std::size_t>(-1) / sizeof(T);
    std::size_t m_limit = static_cast<std::size_t>(-1);
};

// x ** k for a constant k. Small integer powers are products, as PyTorch computes them
// (exact to the last bit, and several times faster than a call to pow).
[[nodiscard]] inline double pow_const(double x, double k) noexcept {
    if (k == 2.0) return x * x;
    if (k == 1.0) return x;
    if (k == 3.0) return x * x * x;
    return std::pow(x, k);
}

// An op's forward formula (its row's `forward` column), shared by node creation and
// Graph::forward so the two can never disagree. For PowConst, `b` is the exponent.
// Always inlined: at a call site the op is usually a constant, and the switch folds to one case.
[[nodiscard]] [[gnu::always_inline]] inline double apply(Op op, double a, double b,
                                                         double c = 0.0) noexcept {
    switch (op) {
#define MGRAD_OP(E, ident, sym, ar, kind, fwd, formula, torch, help, da, db, dc, micrograd, \
                 commutes, problem)                                                         \
    case Op::E:                                                                             \
        return (fwd);
#include "mgrad/engine/detail/op_table.inc"
#undef MGRAD_OP
    }
    (void)b;
    (void)c;
    return a;
}

}  // namespace detail

}  // namespace mgrad
