// Graph — the tape every Value lives on.
//
// Nodes are stored contiguously in creation order and addressed by a 32-bit NodeId. Because a
// node can only be made from nodes that already exist, creation order is a topological order:
// the forward pass is one loop upward and the backward pass one loop downward, with a `switch`
// over the Op. Nothing is recursive, there are no per-node closures and no reference counting,
// so a chain of ten million nodes costs ten million 32-byte records and nothing else.
//
// Semantics (the same as PyTorch's):
// - backward(root) seeds root.grad with 1 and propagates to everything root depends on, in one
//   reverse sweep. Interior gradients are recomputed on every call (start again from 0); leaf
//   gradients (Leaf and Const nodes) accumulate until zero_grad(). (backward_accumulating() is
//   micrograd's rule instead, for the Python package: every gradient accumulates.)
// - Nodes the root does not depend on get no gradient, even when they hold NaN or inf.
// - Ops follow IEEE arithmetic: log(-1) is NaN, 1/0 is inf. first_non_finite() finds the node
//   where a NaN or inf first appeared.
// - set_data() changes a leaf; every node downstream of it is recomputed before its data or
//   grad is next read, without rebuilding the graph (forward()).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mgrad/engine/detail/label_table.hpp"
#include "mgrad/engine/detail/tape.hpp"
#include "mgrad/engine/op.hpp"
#include "mgrad/support/detail/bit_cast.hpp"
#include "mgrad/support/error.hpp"
#include "mgrad/support/export.hpp"

namespace mgrad {

class Value;
using NodeId = std::uint32_t;
inline constexpr NodeId no_node = 0xFFFFFFFFu;

/// One record on the tape. A PowConst node keeps its exponent's 64 bits in `b` (low half) and
/// `c` (high half), so replaying `x ** k` reads nothing beside the tape (Graph::exponent).
struct MGRAD_API Node {
    double data;
    double grad;
    NodeId a;  ///< first parent, or no_node
    NodeId b;  ///< second parent, or no_node; PowConst: low half of the exponent
    NodeId c;  ///< third parent (MulAdd only), or no_node; PowConst: high half of the exponent
    Op op;
    NodeFlags flags;  ///< pass bookkeeping; see graph.cpp
    /// backward: add to grad rather than replace it (always true on leaves). A byte of its own,
    /// in what was padding, so that backward sets and clears it with a plain store.
    bool accumulate;
};
static_assert(sizeof(Node) == 32, "a node is meant to fit in half a cache line");
// Graph::emit writes (a, b) and (c, op, flags, accumulate) as two 8-byte words.
static_assert(offsetof(Node, b) == offsetof(Node, a) + 4 && offsetof(Node, c) == 24 &&
              offsetof(Node, op) == 28 && offsetof(Node, flags) == 29 &&
              offsetof(Node, accumulate) == 30 && sizeof(Op) == 1 && sizeof(bool) == 1);
// (The compilers' own macro: emscripten's libc++ has no std::endian.)
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "Graph::emit packs words low-first");

/// The parents of one node: 0 to 3 ids, iterable.
struct MGRAD_API Parents {
    std::array<NodeId, 3> ids{no_node, no_node, no_node};
    std::uint8_t count = 0;
    [[nodiscard]] const NodeId* begin() const noexcept { return ids.data(); }
    [[nodiscard]] const NodeId* end() const noexcept { return ids.data() + count; }
    [[nodiscard]] std::size_t size() const noexcept { return count; }
    [[nodiscard]] NodeId operator[](std::size_t i) const noexcept { return ids[i]; }
};

/// A named range of consecutive nodes, e.g. everything one neuron made in one forward pass.
/// Scopes nest; the renderer draws them as clusters.
struct MGRAD_API Scope {
    std::string name;
    NodeId begin = 0;
    NodeId end = no_node;            ///< one past the last node; no_node while the scope is open
    std::uint32_t parent = no_node;  ///< index of the enclosing scope, or no_node
};

class MGRAD_API Graph {
  public:
    Graph() : m_epoch(new_epoch()), m_gate(m_epoch) {
        m_nodes.set_max_size(no_node);  // ids run from 0 to no_node - 1
    }
    Graph(const Graph&) = delete;  // Values point at their graph: it must stay put
    Graph& operator=(const Graph&) = delete;
    ~Graph() = default;

    /// Number of nodes on the tape.
    [[nodiscard]] NodeId size() const noexcept { return static_cast<NodeId>(m_nodes.size()); }
    [[nodiscard]] bool empty() const noexcept { return m_nodes.size() == 0; }
    /// Changed by clear(); a Value remembers the epoch it was made in. Epochs are unique in the
    /// process (until 2^32 of them have been handed out), not only on this graph.
    [[nodiscard]] std::uint32_t epoch() const noexcept {
        return static_cast<std::uint32_t>(m_epoch);
    }

    // --- building -------------------------------------------------------------------------
    [[gnu::always_inline]] NodeId leaf(double data, std::string_view label = {}) {
        const NodeId id = push(data, no_node, no_node, Op::Leaf);
        if (!label.empty()) set_label(id, label);
        return id;
    }
    [[gnu::always_inline]] NodeId constant(double value) {
        return push(value, no_node, no_node, Op::Const);
    }
    NodeId unary(Op op, NodeId a) {
        check_id(a);
        refresh();
        return record(op, a);
    }
    NodeId binary(Op op, NodeId a, NodeId b) {
        check_id(a);
        check_id(b);
        refresh();
        return record(op, a, b);
    }
    NodeId pow_const(NodeId a, double exponent) {
        check_id(a);
        refresh();
        return record_pow_const(a, exponent);
    }
    /// a * b + c as one node (two roundings, so exactly the value of the two-node form).
    NodeId mul_add(NodeId a, NodeId b, NodeId c) {
        check_id(a);
        check_id(b);
        check_id(c);
        refresh();
        return record_mul_add(a, b, c);
    }
    void reserve(std::size_t nodes) { m_nodes.reserve(std::min<std::size_t>(nodes, no_node)); }

    // --- limits and undo ------------------------------------------------------------------
    /// The most nodes this tape may hold (0: no limit but the NodeId range). Recording one more
    /// node throws mgrad::Error before any memory is taken for it, whatever records it: an
    /// operator, grad(), a loss. A Session sets it from `--max-nodes`.
    void set_max_nodes(std::size_t max_nodes) noexcept {
        m_nodes.set_limit(max_nodes == 0 ? std::size_t{no_node} : max_nodes);
    }
    [[nodiscard]] std::size_t max_nodes() const noexcept {
        return m_nodes.limit() >= no_node ? 0 : m_nodes.limit();
    }
    /// Drops every node from `size` on, with their labels and the scopes that begin there:
    /// undoes what a statement that failed halfway had recorded. Handles to dropped nodes
    /// (Values, ids) must not be used again.
    void truncate(NodeId size);

    // --- reading --------------------------------------------------------------------------
    /// Raw tape access (no pending recomputation is applied; call forward() first if needed).
    [[nodiscard]] std::span<const Node> nodes() const noexcept {
        return {m_nodes.data(), m_nodes.size()};
    }
    [[nodiscard]] const Node& node(NodeId id) const {
        check_id(id);
        return m_nodes[id];
    }
    [[nodiscard]] double data(NodeId id) {
        check_id(id);
        // A leaf's data is always current: reading one (e.g. a parameter between optimiser
        // updates) must not replay the whole tape.
        if (is_leaf(m_nodes[id].op)) return m_nodes[id].data;
        return value_of(id);
    }
    [[nodiscard]] double grad(NodeId id) const {
        check_id(id);
        return m_nodes[id].grad;
    }
    [[nodiscard]] Op op(NodeId id) const { return node(id).op; }
    /// The exponent of a PowConst node.
    [[nodiscard]] double exponent(NodeId id) const;
    /// The exponent stored in a PowConst node (no check of the op).
    [[nodiscard]] static double exponent_of(const Node& n) noexcept {
        return detail::bit_cast<double>(std::uint64_t{n.c} << 32u | n.b);
    }
    /// Parents of a node (0, 1 or 2 ids; for PowConst only `a`).
    [[nodiscard]] Parents parents(NodeId id) const;

    [[nodiscard]] std::string_view label(NodeId id) const;
    /// The nodes that have a label, in id order, found in proportion to their number (not to
    /// the tape's size).
    [[nodiscard]] std::vector<NodeId> labelled() const { return m_labels.ids(); }
    void set_label(NodeId id, std::string_view label);

    /// Change a Leaf or Const node's value. Downstream nodes are recomputed lazily.
    void set_data(NodeId id, double value);
    /// Change a Leaf or Const node's value *without* scheduling what depends on it for
    /// recomputation: nodes made from it keep the values they were computed with, as in
    /// micrograd (the Python package's `v.data = x`). A later forward() may still recompute
    /// them, when a set_data() change reaches them too.
    void assign(NodeId id, double value);
    void set_grad(NodeId id, double value) {
        check_id(id);
        m_nodes[id].grad = value;
        // backward's fresh sweep relies on every gradient being +0.0 (m_clean_from == 0), and
        // backward on every computed one after the root being +0.0 (graph.cpp).
        if (!is_leaf(m_nodes[id].op) || detail::bit_cast<std::uint64_t>(value) != 0)
            m_clean_from = std::max<std::size_t>(m_clean_from, id + 1);
        ++m_grad_version;
    }
    /// Changes whenever a gradient may have been written (set_grad, zero_grad, the backward
    /// passes): a caller that knows which gradients it set can tell whether that still holds.
    [[nodiscard]] std::uint64_t grad_version() const noexcept { return m_grad_version; }

    // --- passes ---------------------------------------------------------------------------
    /// Recompute every node downstream of a leaf changed by set_data(). Returns how many nodes
    /// were recomputed. Cheap when nothing changed. After `many_leaves` or more set_data()
    /// calls, every computed node after the first changed leaf is recomputed without testing
    /// whether it depends on one (the same values, faster for an optimiser's update).
    std::size_t forward();
    static constexpr std::uint32_t many_leaves = 32;
    /// Backpropagate from `root` (see the header comment for the exact rule).
    void backward(NodeId root);
    /// micrograd's backward(): `root`'s gradient is set to 1, and every node the root depends on
    /// adds its share into its parents' gradients on top of what they hold — interior nodes
    /// too, and each passes on the whole gradient it holds, so calling it twice gives what
    /// micrograd gives (not twice the first call's gradients). Nodes the root does not depend
    /// on keep theirs. The Python package's Value.backward().
    void backward_accumulating(NodeId root);
    /// micrograd's `_backward()` of one node: adds its gradient times each local derivative
    /// into its parents' gradients (nothing for a leaf).
    void propagate(NodeId id);
    /// Set every gradient, leaves included, to 0.
    void zero_grad() noexcept;
    /// Set to 0 the gradients of `nodes` and of every node computed from them; the others keep
    /// theirs. An optimiser's zero_grad() under backward_accumulating(), whose loss is built
    /// once and replayed: its computed nodes must start each step from 0 too.
    void zero_grad_downstream(std::span<const NodeId> nodes);
    /// zero_grad() and backward(root) for the part of the tape `root` depends on: `nodes` is
    /// root and all its ancestors in ascending order (AncestorWalk::of), and only they are read
    /// or written — their gradients become what zero_grad() then backward(root) give them;
    /// every other node keeps its gradient. Costs in proportion to nodes.size(), not to the
    /// tape. `nodes` missing an ancestor is a precondition violation.
    void backward_through(NodeId root, std::span<const NodeId> nodes);
    /// The value `root` would have with `leaf`'s data replaced by `value`, recomputing only
    /// `nodes` (root and its ancestors, ascending, as for backward_through). The graph is left
    /// exactly as it was: for finite differences that do not replay the whole tape.
    [[nodiscard]] double value_with(NodeId root, std::span<const NodeId> nodes, NodeId leaf,
                                    double value);
    /// Drop every node (keeping the memory for the next graph, as std::vector::clear does).
    /// Values made before are detected as stale from now on.
    void clear();
    /// Return the tape's memory to the system.
    void shrink_to_fit();
    /// Keep only `roots` and the nodes they depend on, moved down the tape in their order
    /// (a mark-compact collection, for front ends that cannot tell the tape when a value is
    /// dropped, such as Python's). Data, gradients, labels and non-empty scopes are kept;
    /// pending recomputation is applied first. Gives the new id of every old node (no_node
    /// for a dropped one) in `remap`, whose memory is reused from call to call. Like clear(),
    /// it starts a new epoch: Values made before are stale.
    void compact(std::span<const NodeId> roots, std::vector<NodeId>& remap);

    /// The first node (in creation order, from `begin`) whose data is NaN or infinite: where a
    /// non-finite value was produced rather than merely passed along.
    [[nodiscard]] std::optional<NodeId> first_non_finite(NodeId begin = 0);

    // --- scopes ---------------------------------------------------------------------------
    std::uint32_t begin_scope(std::string name);
    void end_scope();
    [[nodiscard]] const std::vector<Scope>& scopes() const noexcept { return m_scopes; }

    void check_id(NodeId id) const {
        if (id >= m_nodes.size()) [[unlikely]]
            throw_bad_id(id);
    }

  private:
    // Handles validate their ids once; these record without checking them again.
    friend class Value;  // reads m_gate
    friend Value make_unary(Op op, const Value& a);
    friend Value make_binary(Op op, const Value& a, const Value& b);
    friend Value mul_add(const Value& a, const Value& b, const Value& c);
    friend Value pow(const Value& base, double exponent);
    friend Value with_constant(Op op, const Value& a, double b);
    friend Value with_constant(Op op, double a, const Value& b);

    // The recording functions below are always inlined, as TapeBuffer::push_back_uninitialized is:
    // recording a node is a handful of instructions, and a call per node would cost more (W1).
    // Before a node reads its operands, any pending recomputation must be applied: their
    // callers call refresh(), or (Values) pass the gate test, which fails while one is pending.
    [[gnu::always_inline]] void refresh() {
        if (m_stale_from != no_node) [[unlikely]]
            forward();
    }
    [[nodiscard]] double value_of(NodeId id) {
        if (id > m_stale_from) [[unlikely]]  // never true while m_stale_from == no_node
            forward();
        return m_nodes[id].data;
    }
    // Each records through emit(), which reserves the node's slot before the value is computed
    // (from the operands, read after the slot: growing may move the tape). Computed first, the
    // value would be kept in memory across the rare call that grows the tape, at a store and a
    // load a node (W1). The lambdas are always inlined for the same reason as the functions.
    [[gnu::always_inline]] NodeId record(Op op, NodeId a) {
        return emit(
            [=](const Node* t)
                __attribute__((always_inline)) { return detail::apply(op, t[a].data, 0.0); },
            a, no_node, op);
    }
    [[gnu::always_inline]] NodeId record(Op op, NodeId a, NodeId b) {
        return emit(
            [=](const Node* t)
                __attribute__((always_inline)) { return detail::apply(op, t[a].data, t[b].data); },
            a, b, op);
    }
    /// `a op constant` and `constant op b`: the Const node and the result in one go.
    [[gnu::always_inline]] NodeId record_with_constant(Op op, NodeId a, double b) {
        const NodeId k = push(b, no_node, no_node, Op::Const);
        return emit(
            [=](const Node* t)
                __attribute__((always_inline)) { return detail::apply(op, t[a].data, b); },
            a, k, op);
    }
    [[gnu::always_inline]] NodeId record_with_constant(Op op, double a, NodeId b) {
        const NodeId k = push(a, no_node, no_node, Op::Const);
        return emit(
            [=](const Node* t)
                __attribute__((always_inline)) { return detail::apply(op, a, t[b].data); },
            k, b, op);
    }
    [[gnu::always_inline]] NodeId record_mul_add(NodeId a, NodeId b, NodeId c) {
        const Node* t = m_nodes.data();
        const NodeFlags leaves = (is_leaf(t[a].op) ? detail::a_leaf : NodeFlags{}) |
                                 (is_leaf(t[b].op) ? detail::b_leaf : NodeFlags{}) |
                                 (is_leaf(t[c].op) ? detail::c_leaf : NodeFlags{});
        return emit(
            [=](const Node* n)
                __attribute__((always_inline)) { return n[a].data * n[b].data + n[c].data; },
            a, b, Op::MulAdd, c, leaves);
    }
    [[gnu::always_inline]] NodeId record_pow_const(NodeId a, double exponent) {
        const auto bits = detail::bit_cast<std::uint64_t>(exponent);
        return emit(
            [=](const Node* t)
                __attribute__((always_inline)) { return detail::pow_const(t[a].data, exponent); },
            a, static_cast<NodeId>(bits), Op::PowConst, static_cast<NodeId>(bits >> 32u));
    }
    /// A node whose value is known (a leaf's, a constant's).
    [[gnu::always_inline]] NodeId push(double data, NodeId a, NodeId b, Op op) {
        return emit(
            [=](const Node*) __attribute__((always_inline)) { return data; }, a, b, op);
    }
    // The tape refuses to grow past no_node entries (TapeBuffer::set_max_size), so every id
    // handed out fits in a NodeId and differs from no_node, without a test per node.
    // The node is written as four 8-byte words: the ids (a, b) and the tail (c, op, flags,
    // accumulate) are packed in registers first. Written field by field, or as an aggregate,
    // GCC stored them in six pieces, one a 16-bit constant loaded from memory (W1: 2.4
    // instructions a node more).
    template <class Compute>
    [[gnu::always_inline]] NodeId emit(Compute compute, NodeId a, NodeId b, Op op,
                                       NodeId c = no_node, NodeFlags operand_flags = {}) {
        const std::uint64_t ids = std::uint64_t{a} | std::uint64_t{b} << 32u;
        const std::uint64_t tail = std::uint64_t{c} |
                                   std::uint64_t{static_cast<std::uint8_t>(op)} << 32u |
                                   std::uint64_t{static_cast<std::uint8_t>(operand_flags)} << 40u |
                                   std::uint64_t{is_leaf(op)} << 48u;
        Node* n = m_nodes.push_back_uninitialized();
        n->data = compute(m_nodes.data());
        n->grad = 0.0;
        std::memcpy(&n->a, &ids, sizeof ids);
        std::memcpy(&n->c, &tail, sizeof tail);
        return static_cast<NodeId>(m_nodes.size() - 1);
    }
    [[noreturn]] void throw_bad_id(NodeId id) const;
    /// A process-wide unique epoch (never 0, the empty Value's).
    static std::uint32_t new_epoch() noexcept;
    /// After m_epoch or m_stale_from changes.
    void update_gate() noexcept { m_gate = m_epoch | (m_stale_from != no_node ? pending_bit : 0); }
    static constexpr std::uint64_t pending_bit = std::uint64_t{1} << 32u;

    detail::TapeBuffer<Node> m_nodes;
    detail::LabelTable m_labels;
    std::vector<Scope> m_scopes;
    std::uint32_t m_open_scope = no_node;
    std::size_t m_stale_from = no_node;  ///< lowest leaf changed since the last forward()
    std::uint64_t m_grad_version = 0;
    /// Every computed (non-leaf) node from here on has grad +0.0, as it was recorded: nothing
    /// has written it since. At 0, every gradient on the tape, leaves' too, is +0.0: backward()
    /// then needs no first-touch test (graph.cpp, the fresh sweep).
    std::size_t m_clean_from = 0;
    std::uint32_t m_leaves_changed = 0;  ///< set_data() calls since the last forward()
    std::uint64_t m_epoch;               ///< a 32-bit value from new_epoch()
    /// What a Value's epoch must equal for an operator to record without further tests: the
    /// epoch, with pending_bit set while set_data() has left recomputation pending. As epochs
    /// are unique in the process, two handles that both match it are on this graph: one
    /// comparison each covers a stale handle, an empty one's graph and mixed graphs, and the
    /// one test of whether anything is pending. (Value::graph_of)
    std::uint64_t m_gate;
};

/// The graph Values go on when none is named: one per thread.
MGRAD_API Graph& default_graph();

/// Opens a Scope on construction and closes it on destruction.
class MGRAD_API ScopeGuard {
  public:
    ScopeGuard(Graph& graph, std::string name) : m_graph(graph) {
        m_graph.begin_scope(std::move(name));
    }
    ScopeGuard(const ScopeGuard&) = delete;
    ScopeGuard& operator=(const ScopeGuard&) = delete;
    ~ScopeGuard() { m_graph.end_scope(); }

  private:
    Graph& m_graph;
};

}  // namespace mgrad
