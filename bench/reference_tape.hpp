// A minimal hand-written tape: the practical-limit reference mgrad's engine is measured against.
//
// 32-byte nodes in one array grown by realloc, everything inlined, one reverse loop with a switch
// and no zeroing pass (nodes are born with grad 0). No labels, no checks, no stale-handle
// detection, no lazy re-evaluation: what a C++ programmer would write for one workload, and so the
// floor for a general engine.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <new>

namespace reftape {

enum class Op : std::uint8_t { Leaf, Add, Sub, Mul, Div, Neg, PowK, Relu, Tanh };

struct Node {
    double v;
    double g;
    std::uint32_t a;
    std::uint32_t b;
    Op op;
    double k() const { return static_cast<double>(b); }  // PowK keeps a small integer exponent
};
static_assert(sizeof(Node) == 32);

// Small integer powers as products, as mgrad (and PyTorch) compute them.
[[gnu::always_inline]] inline double powk(double x, double k) {
    if (k == 2.0) return x * x;
    if (k == 1.0) return x;
    if (k == 3.0) return x * x * x;
    return std::pow(x, k);
}

// The node storage a speed-minded programmer writes by hand: push is a compare and a store,
// growing is out of line and cold, and realloc moves a large block by remapping its pages
// rather than copying it (glibc on Linux), as mgrad's TapeBuffer does with mremap.
class Nodes {
  public:
    Nodes() = default;
    Nodes(const Nodes&) = delete;
    Nodes& operator=(const Nodes&) = delete;
    ~Nodes() { std::free(m_data); }
    [[gnu::always_inline]] void push_back(const Node& n) {
        if (m_size == m_capacity) [[unlikely]]
            grow();
        m_data[m_size++] = n;
    }
    [[nodiscard]] std::size_t size() const noexcept { return m_size; }
    Node* data() noexcept { return m_data; }
    Node& operator[](std::size_t i) noexcept { return m_data[i]; }
    const Node& operator[](std::size_t i) const noexcept { return m_data[i]; }
    void clear() noexcept { m_size = 0; }

  private:
    [[gnu::noinline, gnu::cold]] void grow() {
        const std::size_t capacity = m_capacity ? 2 * m_capacity : 1024;
        void* p = std::realloc(m_data, capacity * sizeof(Node));
        if (p == nullptr) throw std::bad_alloc();
        m_data = static_cast<Node*>(p);
        m_capacity = capacity;
    }
    Node* m_data = nullptr;
    std::size_t m_size = 0;
    std::size_t m_capacity = 0;
};

struct Tape {
    Nodes nodes;
    [[gnu::always_inline]] std::uint32_t push(double v, std::uint32_t a, std::uint32_t b, Op op) {
        nodes.push_back(Node{v, 0.0, a, b, op});
        return static_cast<std::uint32_t>(nodes.size() - 1);
    }
    // One backward per recorded tape, as the benchmarks use it: push() creates every node with
    // grad 0, so no zeroing pass is needed (a second backward on the same tape would add to the
    // first's gradients).
    void backward(std::uint32_t root) {
        nodes[root].g = 1.0;
        Node* t = nodes.data();
        for (std::uint32_t i = root + 1; i-- > 0;) {
            const Node& n = t[i];
            const double g = n.g;
            switch (n.op) {
                case Op::Leaf: break;
                case Op::Add:
                    t[n.a].g += g;
                    t[n.b].g += g;
                    break;
                case Op::Sub:
                    t[n.a].g += g;
                    t[n.b].g -= g;
                    break;
                case Op::Mul:
                    t[n.a].g += g * t[n.b].v;
                    t[n.b].g += g * t[n.a].v;
                    break;
                case Op::Div: {
                    const double y = t[n.b].v;
                    t[n.a].g += g / y;
                    t[n.b].g += -g * (n.v / y);
                    break;
                }
                case Op::Neg: t[n.a].g -= g; break;
                case Op::PowK: t[n.a].g += g * (n.k() * powk(t[n.a].v, n.k() - 1.0)); break;
                case Op::Relu: t[n.a].g += n.v > 0.0 ? g : 0.0; break;
                case Op::Tanh: t[n.a].g += g * (1.0 - n.v * n.v); break;
            }
        }
    }
};

struct Var {
    Tape* t;
    std::uint32_t id;
    [[gnu::always_inline]] double v() const { return t->nodes[id].v; }
    [[gnu::always_inline]] double g() const { return t->nodes[id].g; }
};

[[gnu::always_inline]] inline Var leaf(Tape& t, double v) {
    return {&t, t.push(v, 0, 0, Op::Leaf)};
}
[[gnu::always_inline]] inline Var bin(Op op, Var x, Var y, double v) {
    return {x.t, x.t->push(v, x.id, y.id, op)};
}
[[gnu::always_inline]] inline Var operator+(Var x, Var y) {
    return bin(Op::Add, x, y, x.v() + y.v());
}
[[gnu::always_inline]] inline Var operator-(Var x, Var y) {
    return bin(Op::Sub, x, y, x.v() - y.v());
}
[[gnu::always_inline]] inline Var operator*(Var x, Var y) {
    return bin(Op::Mul, x, y, x.v() * y.v());
}
[[gnu::always_inline]] inline Var operator/(Var x, Var y) {
    return bin(Op::Div, x, y, x.v() / y.v());
}
[[gnu::always_inline]] inline Var operator-(Var x) {
    return {x.t, x.t->push(-x.v(), x.id, 0, Op::Neg)};
}
// Constants are nodes, as in mgrad, so both tapes hold the same number of nodes.
[[gnu::always_inline]] inline Var operator+(Var x, double c) { return x + leaf(*x.t, c); }
[[gnu::always_inline]] inline Var operator+(double c, Var x) { return leaf(*x.t, c) + x; }
[[gnu::always_inline]] inline Var operator*(Var x, double c) { return x * leaf(*x.t, c); }
[[gnu::always_inline]] inline Var operator*(double c, Var x) { return leaf(*x.t, c) * x; }
[[gnu::always_inline]] inline Var operator/(Var x, double c) { return x / leaf(*x.t, c); }
[[gnu::always_inline]] inline Var operator/(double c, Var x) { return leaf(*x.t, c) / x; }
[[gnu::always_inline]] inline Var pow(Var x, unsigned k) {
    return {x.t, x.t->push(powk(x.v(), k), x.id, k, Op::PowK)};
}
[[gnu::always_inline]] inline Var relu(Var x) {
    return {x.t, x.t->push(x.v() < 0 ? 0.0 : x.v(), x.id, 0, Op::Relu)};
}
[[gnu::always_inline]] inline Var tanh(Var x) {
    return {x.t, x.t->push(std::tanh(x.v()), x.id, 0, Op::Tanh)};
}

}  // namespace reftape
