// Value — a scalar in an automatic-differentiation graph, micrograd's central type.
//
// A Value is a small copyable handle: the graph it lives on, the id of its node on that
// graph's tape, and the graph's epoch when it was made. Copying a Value copies the handle, not
// the node. Arithmetic on Values records new nodes; `backward()` fills in gradients.
//
//     Value a{2.0, "a"}, b{-3.0, "b"};
//     Value L = (a * b + 10.0).tanh();   // a double on either side; tanh(x) or x.tanh()
//     L.backward();                      // a.grad() == -3 * (1 - L.data()**2) …
//     std::cout << L;                    // Value(data=0.9640275800758169, grad=1)
//
// Values go on the thread's default graph unless a Graph is named. A Value whose graph was
// cleared, or a default-constructed Value, throws mgrad::Error when used.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string_view>

#include "mgrad/engine/graph.hpp"
#include "mgrad/support/export.hpp"

namespace mgrad {

class MGRAD_API Value {
  public:
    /// An empty handle, usable only as a placeholder (e.g. in a container being filled).
    Value() = default;
    /// A new leaf on the default graph. Implicit, so a double can stand where a Value is wanted.
    Value(double data, std::string_view label = {})  // NOLINT(google-explicit-constructor)
        : Value(default_graph(), data, label) {}
    /// A new leaf on `graph`.
    Value(Graph& graph, double data, std::string_view label = {})
        : m_graph(&graph), m_id(graph.leaf(data, label)), m_epoch(graph.epoch()) {}

    /// A Const node (drawn differently from a leaf) on `graph`.
    static Value constant(double value, Graph& graph = default_graph()) {
        return {graph, graph.constant(value)};
    }
    /// Re-attach a handle to an existing node (used by the language and the renderer).
    static Value from_id(Graph& graph, NodeId id) {
        graph.check_id(id);
        return {graph, id};
    }

    [[nodiscard]] bool valid() const noexcept {
        // Within one epoch nodes are only ever added, so a matching epoch proves the id valid.
        return m_graph != nullptr && m_graph->epoch() == m_epoch;
    }
    [[gnu::always_inline]] [[nodiscard]] Graph& graph() const {
        check();
        return *m_graph;
    }
    [[nodiscard]] NodeId id() const {
        check();
        return m_id;
    }

    [[nodiscard]] double data() const { return graph().data(m_id); }
    [[nodiscard]] double grad() const { return graph().grad(m_id); }
    [[nodiscard]] Op op() const { return graph().op(m_id); }
    [[nodiscard]] std::string_view label() const { return graph().label(m_id); }

    Value& set_label(std::string_view label) {
        graph().set_label(m_id, label);
        return *this;
    }
    /// Change a leaf's value; everything downstream is recomputed before it is next read.
    void set_data(double value) const { graph().set_data(m_id, value); }
    void set_grad(double value) const { graph().set_grad(m_id, value); }
    /// Backpropagate from this value (see graph.hpp for the exact rule).
    void backward() const { graph().backward(m_id); }

    // Compound assignment rebinds this handle to a new node; the old node is untouched.
    Value& operator+=(const Value& rhs);
    Value& operator-=(const Value& rhs);
    Value& operator*=(const Value& rhs);
    Value& operator/=(const Value& rhs);
    Value& operator+=(double rhs);
    Value& operator-=(double rhs);
    Value& operator*=(double rhs);
    Value& operator/=(double rhs);

    // The functions of the op table as methods, as micrograd writes them: x.tanh(), x.exp(),
    // x.relu() … (generated below, with the free functions), and x.pow(k).
#define MGRAD_VALUE_METHOD_Function_1(E, ident) [[nodiscard]] Value ident() const;
#define MGRAD_VALUE_METHOD_Function_2(E, ident)
#define MGRAD_VALUE_METHOD_Leaf_0(E, ident)
#define MGRAD_VALUE_METHOD_Unary_1(E, ident)
#define MGRAD_VALUE_METHOD_Binary_1(E, ident)
#define MGRAD_VALUE_METHOD_Binary_2(E, ident)
#define MGRAD_VALUE_METHOD_Fused_2(E, ident)
#define MGRAD_VALUE_METHOD_Fused_3(E, ident)
#define MGRAD_OP(E, ident, sym, ar, kind, fwd, formula, torch, help, da, db, dc, micrograd, \
                 commutes, problem)                                                         \
    MGRAD_VALUE_METHOD_##kind##_##ar(E, ident)
#include "mgrad/engine/detail/op_table.inc"
#undef MGRAD_OP
    [[nodiscard]] Value pow(double exponent) const;
    [[nodiscard]] Value pow(const Value& exponent) const;

    friend bool same_node(const Value& x, const Value& y) noexcept {
        return x.m_graph == y.m_graph && x.m_id == y.m_id && x.m_epoch == y.m_epoch;
    }

  private:
    Value(Graph& graph, NodeId id) : m_graph(&graph), m_id(id), m_epoch(graph.epoch()) {}
    Value(Graph* graph, NodeId id, std::uint32_t epoch)
        : m_graph(graph), m_id(id), m_epoch(epoch) {}
    // The graph an operator records on, ready to record: a node per operator is what recording
    // costs, so a few instructions per node show (bench/bench_engine.cpp, W1). Each operand's
    // epoch is compared once with the graph's gate (Graph::m_gate), which fails for an empty,
    // stale or foreign handle and while set_data() has left recomputation pending; admit()
    // then throws the right error, or applies the recomputation.
    //
    // admit() takes copies and returns nothing on purpose. Were an operand's address passed to
    // it, the operand would have to live in memory that any store to the tape might change,
    // and be reloaded after every node; were the graph taken from its result, the compiler
    // could no longer tell that a result's graph is its operand's (W1: 4 instructions a node).
    [[gnu::always_inline]] static Graph& graph_of(const Value& a) {
        Graph* g = a.m_graph;
        if (g == nullptr) [[unlikely]]
            throw_empty();
        if ((a.m_epoch ^ g->m_gate) != 0) [[unlikely]]
            admit(a);
        return *g;
    }
    [[gnu::always_inline]] static Graph& graph_of(const Value& a, const Value& b, Op op) {
        Graph* g = a.m_graph;
        if (g == nullptr) [[unlikely]]
            throw_empty();
        if (((a.m_epoch ^ g->m_gate) | (b.m_epoch ^ g->m_gate)) != 0) [[unlikely]]
            admit(a, b, op);  // b empty, stale or foreign, or recomputation pending
        return *g;
    }
    /// Throws the error a failed gate test means, or applies pending recomputation.
    [[gnu::cold, gnu::noinline]] static void admit(Value a);
    [[gnu::cold, gnu::noinline]] static void admit(Value a, Value b, Op op);
    [[gnu::always_inline]] void check() const {
        if (!valid()) [[unlikely]]
            throw_invalid();
    }
    [[noreturn]] void throw_invalid() const;
    [[noreturn, gnu::cold]] static void throw_empty();
    [[noreturn]] static void throw_mixed(Op op);

    friend Value make_unary(Op op, const Value& a);
    friend Value make_binary(Op op, const Value& a, const Value& b);
    friend Value pow(const Value& base, double exponent);
    friend Value mul_add(const Value& a, const Value& b, const Value& c);
    friend Value with_constant(Op op, const Value& a, double b);
    friend Value with_constant(Op op, double a, const Value& b);

    Graph* m_graph = nullptr;
    NodeId m_id = 0;
    std::uint32_t m_epoch = 0;
};

// The ops are defined here, always inlined: recording a node is a handful of instructions, and
// a call per node would cost more than the node itself (bench/bench_engine.cpp, W1). Plain
// `inline` is not enough: in a function that records many nodes, such as W1's, the compiler
// stops inlining past a size and calls them.

// A new node's handle carries the epoch its operands were checked against: recording only
// appends, so it is still the graph's epoch.

/// Record `op(a)`.
[[gnu::always_inline]] inline Value make_unary(Op op, const Value& a) {
    Graph& g = Value::graph_of(a);
    return {&g, g.record(op, a.m_id), a.m_epoch};
}
/// Record `op(a, b)`; both must live on the same graph.
[[gnu::always_inline]] inline Value make_binary(Op op, const Value& a, const Value& b) {
    Graph& g = Value::graph_of(a, b, op);
    return {&g, g.record(op, a.m_id, b.m_id), a.m_epoch};
}
/// Record `op(a, k)` with k a new Const node (what `a + 2.0` means).
[[gnu::always_inline]] inline Value with_constant(Op op, const Value& a, double b) {
    Graph& g = Value::graph_of(a);
    return {&g, g.record_with_constant(op, a.m_id, b), a.m_epoch};
}
/// Record `op(k, b)` with k a new Const node (what `2.0 * b` means).
[[gnu::always_inline]] inline Value with_constant(Op op, double a, const Value& b) {
    Graph& g = Value::graph_of(b);
    return {&g, g.record_with_constant(op, a, b.m_id), b.m_epoch};
}

// Arithmetic. A double operand becomes a Const node on the other operand's graph. Always
// inlined like the functions they call, so that nothing is called per node.
[[gnu::always_inline]] inline Value operator+(const Value& a, const Value& b) {
    return make_binary(Op::Add, a, b);
}
[[gnu::always_inline]] inline Value operator-(const Value& a, const Value& b) {
    return make_binary(Op::Sub, a, b);
}
[[gnu::always_inline]] inline Value operator*(const Value& a, const Value& b) {
    return make_binary(Op::Mul, a, b);
}
[[gnu::always_inline]] inline Value operator/(const Value& a, const Value& b) {
    return make_binary(Op::Div, a, b);
}
[[gnu::always_inline]] inline Value operator+(const Value& a, double b) {
    return with_constant(Op::Add, a, b);
}
[[gnu::always_inline]] inline Value operator-(const Value& a, double b) {
    return with_constant(Op::Sub, a, b);
}
[[gnu::always_inline]] inline Value operator*(const Value& a, double b) {
    return with_constant(Op::Mul, a, b);
}
[[gnu::always_inline]] inline Value operator/(const Value& a, double b) {
    return with_constant(Op::Div, a, b);
}
[[gnu::always_inline]] inline Value operator+(double a, const Value& b) {
    return with_constant(Op::Add, a, b);
}
[[gnu::always_inline]] inline Value operator-(double a, const Value& b) {
    return with_constant(Op::Sub, a, b);
}
[[gnu::always_inline]] inline Value operator*(double a, const Value& b) {
    return with_constant(Op::Mul, a, b);
}
[[gnu::always_inline]] inline Value operator/(double a, const Value& b) {
    return with_constant(Op::Div, a, b);
}
[[gnu::always_inline]] inline Value operator-(const Value& a) { return make_unary(Op::Neg, a); }

[[gnu::always_inline]] inline Value& Value::operator+=(const Value& rhs) {
    return *this = *this + rhs;
}
[[gnu::always_inline]] inline Value& Value::operator-=(const Value& rhs) {
    return *this = *this - rhs;
}
[[gnu::always_inline]] inline Value& Value::operator*=(const Value& rhs) {
    return *this = *this * rhs;
}
[[gnu::always_inline]] inline Value& Value::operator/=(const Value& rhs) {
    return *this = *this / rhs;
}
[[gnu::always_inline]] inline Value& Value::operator+=(double rhs) { return *this = *this + rhs; }
[[gnu::always_inline]] inline Value& Value::operator-=(double rhs) { return *this = *this - rhs; }
[[gnu::always_inline]] inline Value& Value::operator*=(double rhs) { return *this = *this * rhs; }
[[gnu::always_inline]] inline Value& Value::operator/=(double rhs) { return *this = *this / rhs; }

/// a * b + c as one MulAdd node: the same value and gradients as the two-node form, at half
/// the nodes. The nn library uses it for a neuron's weighted sum when asked to (MlpOptions).
[[gnu::always_inline]] inline Value mul_add(const Value& a, const Value& b, const Value& c) {
    Graph& g = Value::graph_of(a, b, Op::MulAdd);
    if (&Value::graph_of(c) != &g) [[unlikely]]
        Value::throw_mixed(Op::MulAdd);
    return {&g, g.record_mul_add(a.m_id, b.m_id, c.m_id), a.m_epoch};
}

/// base ** exponent with a constant exponent (one node, drawn as `**k`).
[[gnu::always_inline]] inline Value pow(const Value& base, double exponent) {
    Graph& g = Value::graph_of(base);
    return {&g, g.record_pow_const(base.m_id, exponent), base.m_epoch};
}
/// base ** exponent with a Value exponent: gradient flows to both.
[[gnu::always_inline]] inline Value pow(const Value& base, const Value& exponent) {
    return make_binary(Op::Pow, base, exponent);
}
[[gnu::always_inline]] inline Value pow(double base, const Value& exponent) {
    return with_constant(Op::Pow, base, exponent);
}

// Every function of one argument in the op table (tanh, exp, log, relu, sigmoid, sqrt, abs,
// sin, cos, tan, atan, step, sign …): `inline Value tanh(const Value& x)` and so on.
#define MGRAD_VALUE_FUNCTION_Function_1(E, ident) \
    [[gnu::always_inline]] inline Value ident(const Value& x) { return make_unary(Op::E, x); }
#define MGRAD_VALUE_FUNCTION_Function_2(E, ident)  // pow: the overloads above
#define MGRAD_VALUE_FUNCTION_Leaf_0(E, ident)
#define MGRAD_VALUE_FUNCTION_Unary_1(E, ident)
#define MGRAD_VALUE_FUNCTION_Binary_1(E, ident)
#define MGRAD_VALUE_FUNCTION_Binary_2(E, ident)
#define MGRAD_VALUE_FUNCTION_Fused_2(E, ident)
#define MGRAD_VALUE_FUNCTION_Fused_3(E, ident)
#define MGRAD_OP(E, ident, sym, ar, kind, fwd, formula, torch, help, da, db, dc, micrograd, \
                 commutes, problem)                                                         \
    MGRAD_VALUE_FUNCTION_##kind##_##ar(E, ident)
#include "mgrad/engine/detail/op_table.inc"
#undef MGRAD_OP

// The methods, each the free function of the same name.
#define MGRAD_VALUE_METHOD_DEF_Function_1(E, ident) \
    inline Value Value::ident() const { return mgrad::ident(*this); }
#define MGRAD_VALUE_METHOD_DEF_Function_2(E, ident)
#define MGRAD_VALUE_METHOD_DEF_Leaf_0(E, ident)
#define MGRAD_VALUE_METHOD_DEF_Unary_1(E, ident)
#define MGRAD_VALUE_METHOD_DEF_Binary_1(E, ident)
#define MGRAD_VALUE_METHOD_DEF_Binary_2(E, ident)
#define MGRAD_VALUE_METHOD_DEF_Fused_2(E, ident)
#define MGRAD_VALUE_METHOD_DEF_Fused_3(E, ident)
#define MGRAD_OP(E, ident, sym, ar, kind, fwd, formula, torch, help, da, db, dc, micrograd, \
                 commutes, problem)                                                         \
    MGRAD_VALUE_METHOD_DEF_##kind##_##ar(E, ident)
#include "mgrad/engine/detail/op_table.inc"
#undef MGRAD_OP
inline Value Value::pow(double exponent) const { return mgrad::pow(*this, exponent); }
inline Value Value::pow(const Value& exponent) const { return mgrad::pow(*this, exponent); }

/// `Value(data=2, grad=-3)`, as micrograd's repr (numbers as mgrad prints them).
MGRAD_API std::ostream& operator<<(std::ostream& out, const Value& v);

}  // namespace mgrad
