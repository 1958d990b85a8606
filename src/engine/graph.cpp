#include "mgrad/engine/graph.hpp"

#include "mgrad/support/detail/bit_cast.hpp"
#include "rules.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>
#include <vector>


namespace mgrad {

namespace {
using detail::dirty;

[[nodiscard]] bool has_flag(const Node& n, NodeFlags f) noexcept { return any(n.flags & f); }

using namespace rules;

/// One node's share of the backward pass: each parent receives its rule's value.
template <Op op, int arity, class DA, class DB, class DC, class Flow>
[[gnu::always_inline]] inline void backward_step(Node* nodes, const Node& node, double g,
                                                 Flow& flow, const DA& da, const DB& db,
                                                 const DC& dc) {
    const NumCtx x{nodes, node, g};
    // Every contribution is computed before any is added: adding writes a gradient, and the
    // compiler would otherwise have to load the operands' data again after each write.
    [[maybe_unused]] const double to_a = arity >= 1 ? num(da, x) : 0.0;
    [[maybe_unused]] const double to_b = arity >= 2 ? num(db, x) : 0.0;
    [[maybe_unused]] const double to_c = arity >= 3 ? num(dc, x) : 0.0;
    if constexpr (op == Op::MulAdd) {
        // A leaf operand (in a neuron, the weight) always accumulates, so it needs no
        // first-touch test (see detail::a_leaf).
        auto to = [&](NodeId p, double d, NodeFlags leaf) {
            if (has_flag(node, leaf))
                nodes[p].grad += d;
            else
                flow(p, d);
        };
        to(node.a, to_a, detail::a_leaf);
        to(node.b, to_b, detail::b_leaf);
        to(node.c, to_c, detail::c_leaf);
    } else {
        if constexpr (arity >= 1) flow(node.a, to_a);
        if constexpr (arity >= 2) flow(node.b, to_b);
        if constexpr (arity >= 3) flow(node.c, to_c);
    }
}
/// Whether a node's NaN gradient reaches a parent's gradient: true when at least one of its
/// rules keeps a NaN (rules::keeps_nan). A leaf has no parent to pass it to.
template <int arity, class DA, class DB, class DC>
constexpr bool passes_nan(const DA&, const DB&, const DC&) {
    return (arity >= 1 && keeps_nan<DA>) || (arity >= 2 && keeps_nan<DB>) ||
           (arity >= 3 && keeps_nan<DC>);
}
struct NoWatch {
    void operator()(double) const noexcept {}
};

// The ops whose gradient sweep_fresh tests for NaN (backward_node's `watch`): those that do not
// pass a NaN on. Stated once more by hand below: a change to a rule that moves an op from one
// side to the other has to be looked at (and the list changed).
constexpr bool tested_for_nan(Op op) {
    switch (op) {
#define MGRAD_OP(E, ident, sym, ar, kind, fwd, formula, torch, help, da, db, dc, micrograd, \
                 commutes, problem)                                                         \
    case Op::E:                                                                             \
        return !passes_nan<ar>(da, db, dc);
#include "mgrad/engine/detail/op_table.inc"
#undef MGRAD_OP
    }
    return true;
}
static_assert(tested_for_nan(Op::Leaf) && tested_for_nan(Op::Const) &&
              tested_for_nan(Op::PowConst) && tested_for_nan(Op::Pow) &&
              tested_for_nan(Op::Relu) && tested_for_nan(Op::Step) && tested_for_nan(Op::Sign) &&
              tested_for_nan(Op::Mask));
static_assert(!tested_for_nan(Op::Add) && !tested_for_nan(Op::Sub) && !tested_for_nan(Op::Mul) &&
              !tested_for_nan(Op::Div) && !tested_for_nan(Op::Neg) && !tested_for_nan(Op::Tanh) &&
              !tested_for_nan(Op::Exp) && !tested_for_nan(Op::Log) &&
              !tested_for_nan(Op::Sigmoid) && !tested_for_nan(Op::Sqrt) &&
              !tested_for_nan(Op::Abs) && !tested_for_nan(Op::Sin) && !tested_for_nan(Op::Cos) &&
              !tested_for_nan(Op::MulAdd) && !tested_for_nan(Op::Tan) && !tested_for_nan(Op::Atan));

/// One node's share of the backward pass, whatever its op: the switch every sweep uses, each
/// case generated from the op's row of the op table. With `Clear`, a computed node's
/// Node::accumulate is cleared on the way (sweep_used). `watch` is shown the gradient of every
/// node that does not pass a NaN on to a parent (sweep_fresh).
template <bool Clear, class Flow, class Watch = NoWatch>
[[gnu::always_inline]] inline void backward_node(Node* nodes, Node& node, double g, Flow& flow,
                                                 Watch watch = {}) {
    switch (node.op) {
#define MGRAD_OP(E, ident, sym, ar, kind, fwd, formula, torch, help, da, db, dc, micrograd, \
                 commutes, problem)                                                         \
    case Op::E:                                                                             \
        if constexpr (Clear && ar > 0) node.accumulate = false;                             \
        if constexpr (tested_for_nan(Op::E)) watch(g);                                      \
        backward_step<Op::E, ar>(nodes, node, g, flow, da, db, dc);                         \
        break;
#include "mgrad/engine/detail/op_table.inc"
#undef MGRAD_OP
        default: __builtin_unreachable();  // every Op is a case: no range test per node
    }
}

// set_data() and assign(): a computed node's data is the forward pass's to write.
void require_settable(NodeId id, Op op) {
    if (!is_leaf(op))
        throw Error(
            fmt::format("cannot set the data of node {} ({}): only leaves and constants "
                        "can be changed; everything else is computed",
                        id, op_info(op).name));
}

// backward()'s sweep. Interior gradients restart from zero on every call, leaf gradients
// accumulate, and a node the root does not depend on gives its parents nothing (0 * inf would
// be NaN). Creation order is topological, so one sweep downward visits every node after all of
// the nodes that use it. Each op's case is generated from its row of the op table: the
// gradient each parent receives, as rules::num reads the row's expressions. Leaves go through
// the switch to an empty case rather than a test of their own.
//
// On a fresh tape (every gradient still +0.0: Graph::m_clean_from == 0) nothing needs marking
// or testing. A node the root does not depend on has gradient +0.0 when the sweep reaches it,
// and gives each parent a zero (the chain rule is linear in the gradient), which changes no
// sum: a sum that started at +0.0 is never -0.0. The one exception is a zero that is NaN (an
// infinite partial), and a NaN never leaves the sum it enters. So the sweep notes whether any
// gradient is NaN; if none is, the result is exact. If one is, it returns false and backward()
// starts again with sweep_used(), which tells what the root reaches. Marking every node reached
// instead took a store per edge and one per node: a third of the sweep's time (W1,
// docs/performance.md).
//
// Only the nodes that cannot pass a NaN on are looked at: leaves, and ops whose every rule may
// drop it (relu's gate, a power's condition, step's and sign's zero; see tested_for_nan). Any
// other node with a NaN gradient gives a parent a NaN gradient too, and so on down the tape to
// a node that is looked at: every NaN is seen, with under half the tests (W1).
[[nodiscard]] bool sweep_fresh(Node* nodes, NodeId root) {
    auto flow = [nodes](NodeId to, double g) { nodes[to].grad += g; };
    flow(root, 1.0);
    bool nan = false;
    auto watch = [&nan](double g) { nan |= std::isnan(g); };
    // A pointer walked down to the first node: one induction variable, not an index and an
    // address.
    for (Node* p = nodes + root;; --p) {
        backward_node<false>(nodes, *p, p->grad, flow, watch);
        if (p == nodes) break;
    }
    return !nan;
}

// On a used tape a node's first incoming gradient replaces what it held, instead of a pass
// that zeroes the tape first: Node::accumulate, always set on leaves, is set on an interior node
// when it is first reached and cleared when the sweep has passed it. So the tape is walked
// once, and every interior node's accumulate is false again afterwards.
void sweep_used(Node* nodes, NodeId root) {
    auto flow = [nodes](NodeId to, double g) {
        Node& p = nodes[to];
        // Bit masking rather than a branch: first and later contributions interleave
        // unpredictably. (0.0 + g, not g, on the first: +0.0 as if the slot had been zeroed.)
        const std::uint64_t keep = 0 - std::uint64_t{p.accumulate};
        p.grad = detail::bit_cast<double>(detail::bit_cast<std::uint64_t>(p.grad) & keep) + g;
        p.accumulate = true;
    };
    flow(root, 1.0);
    for (std::size_t i = std::size_t{root} + 1; i-- > 0;) {
        Node& node = nodes[i];
        if (!node.accumulate) [[unlikely]] {  // the root does not depend on this node
            node.grad = 0.0;
            continue;
        }
        backward_node<true>(nodes, node, node.grad, flow);
    }
}
// backward_accumulating()'s sweep, micrograd's rule: every gradient that flows adds to what the
// node holds, and a node passes on all it holds. Node::accumulate marks the interior nodes the
// root reaches (set when a gradient flows into one, cleared once the sweep has passed it), so a
// node the root does not depend on gives nothing, whatever gradient it holds; afterwards every
// interior node's accumulate is false again, as sweep_used leaves it.
void sweep_accumulating(Node* nodes, NodeId root) {
    auto flow = [nodes](NodeId to, double g) {
        Node& p = nodes[to];
        p.grad += g;
        p.accumulate = true;
    };
    for (std::size_t i = std::size_t{root} + 1; i-- > 0;) {
        Node& node = nodes[i];
        if (!node.accumulate) continue;  // the root does not depend on this node
        backward_node<true>(nodes, node, node.grad, flow);
    }
}
}  // namespace

std::uint32_t Graph::new_epoch() noexcept {
    // Relaxed: the number only has to differ from every other one handed out.
    static std::atomic<std::uint32_t> next{1};
    std::uint32_t e = next.fetch_add(1, std::memory_order_relaxed);
    if (e == 0)
        e = next.fetch_add(1, std::memory_order_relaxed);  // wrapped: 0 is the empty Value's
    return e;
}

double Graph::exponent(NodeId id) const {
    const Node& n = node(id);
    if (n.op != Op::PowConst) throw Error(fmt::format("node {} has no constant exponent", id));
    return exponent_of(n);
}

Parents Graph::parents(NodeId id) const {
    const Node& n = node(id);
    Parents p;
    p.count = n.op == Op::PowConst ? 1 : op_info(n.op).arity;
    if (p.count > 0) p.ids[0] = n.a;
    if (p.count > 1) p.ids[1] = n.b;
    if (p.count > 2) p.ids[2] = n.c;
    return p;
}

std::string_view Graph::label(NodeId id) const {
    check_id(id);
    return m_labels.find(id);
}

void Graph::set_label(NodeId id, std::string_view label) {
    check_id(id);
    m_labels.set(id, label);
}

void Graph::set_data(NodeId id, double value) {
    check_id(id);
    Node& n = m_nodes[id];
    require_settable(id, n.op);
    // forward() starts at the lowest changed leaf and follows dirty flags from there, so
    // several leaves can change before one recomputation, in any order.
    n.data = value;
    n.flags |= dirty;
    if (m_stale_from == no_node || id < m_stale_from) m_stale_from = id;
    ++m_leaves_changed;
    update_gate();
}

std::size_t Graph::forward() {
    if (m_stale_from == no_node) return 0;
    std::size_t recomputed = 0;
    Node* nodes = m_nodes.data();
    const std::size_t n = m_nodes.size();
    auto recompute = [nodes](Node& node) {
        const double x = nodes[node.a].data;
        switch (node.op) {
            case Op::MulAdd: node.data = x * nodes[node.b].data + nodes[node.c].data; break;
            case Op::PowConst: node.data = detail::pow_const(x, exponent_of(node)); break;
            default:
                node.data = detail::apply(node.op, x,
                                          op_info(node.op).arity == 2 ? nodes[node.b].data : 0.0);
        }
    };
    if (m_leaves_changed >= many_leaves) {
        // An optimiser changed every parameter: nearly every node downstream changes with them,
        // so recomputing them all is cheaper than testing which must be (the same numbers).
        for (std::size_t i = m_stale_from; i < n; ++i) {
            Node& node = nodes[i];
            if (is_leaf(node.op)) {
                node.flags &= ~dirty;
                continue;
            }
            recompute(node);
            ++recomputed;
        }
    } else {
        for (std::size_t i = m_stale_from; i < n; ++i) {
            Node& node = nodes[i];
            if (is_leaf(node.op)) continue;
            const std::uint8_t arity = op_info(node.op).arity;  // PowConst's b is not a node: 1
            const bool changed = has_flag(nodes[node.a], dirty) ||
                                 (arity >= 2 && has_flag(nodes[node.b], dirty)) ||
                                 (arity == 3 && has_flag(nodes[node.c], dirty));
            if (!changed) continue;
            recompute(node);
            node.flags |= dirty;
            ++recomputed;
        }
        for (std::size_t i = m_stale_from; i < n; ++i)
            nodes[i].flags &= ~dirty;
    }
    m_stale_from = no_node;
    m_leaves_changed = 0;
    update_gate();
    return recomputed;
}

void Graph::backward(NodeId root) {
    check_id(root);
    forward();
    ++m_grad_version;
    Node* nodes = m_nodes.data();
    // Nothing after the root depends on it: its computed nodes get no gradient. Only those
    // written since they were recorded need zeroing.
    for (std::size_t i = root + 1; i < m_clean_from; ++i)
        if (!is_leaf(nodes[i].op)) nodes[i].grad = 0.0;
    if (m_clean_from != 0) {
        sweep_used(nodes, root);
    } else if (!sweep_fresh(nodes, root)) {  // a fresh tape, as W1's: every gradient is +0.0
        // A NaN, perhaps from a node the root does not depend on: put the tape back as it was
        // (every gradient +0.0) and tell them apart.
        zero_grad();
        sweep_used(nodes, root);
    }
    m_clean_from = std::size_t{root} + 1;
}

void Graph::backward_accumulating(NodeId root) {
    check_id(root);
    forward();
    ++m_grad_version;
    Node* nodes = m_nodes.data();
    // On a fresh tape every gradient is +0.0, so adding to them is what the fresh sweep does.
    if (m_clean_from == 0 && sweep_fresh(nodes, root)) {
        m_clean_from = std::size_t{root} + 1;
        return;
    }
    if (m_clean_from == 0) zero_grad();  // a NaN: back to +0.0 everywhere, then tell apart
    nodes[root].grad = 1.0;              // micrograd: self.grad = 1
    if (!is_leaf(nodes[root].op)) nodes[root].accumulate = true;
    sweep_accumulating(nodes, root);
    m_clean_from = std::max<std::size_t>(m_clean_from, std::size_t{root} + 1);
}

void Graph::propagate(NodeId id) {
    check_id(id);
    forward();
    ++m_grad_version;
    Node* nodes = m_nodes.data();
    auto flow = [nodes](NodeId to, double g) { nodes[to].grad += g; };
    backward_node<false>(nodes, nodes[id], nodes[id].grad, flow);
    // Its parents, all below it, may hold non-zero gradients now.
    m_clean_from = std::max<std::size_t>(m_clean_from, id);
}

void Graph::backward_through(NodeId root, std::span<const NodeId> nodes) {
    check_id(root);
    forward();
    ++m_grad_version;
    m_clean_from = std::max<std::size_t>(m_clean_from, std::size_t{root} + 1);
    Node* tape = m_nodes.data();
    for (NodeId id : nodes)
        tape[id].grad = 0.0;
    tape[root].grad = 1.0;
    // Every gradient in the part starts at zero, so each contribution simply adds: the same
    // sums, in the same order, as backward() after zero_grad().
    auto flow = [tape](NodeId to, double g) { tape[to].grad += g; };
    for (std::size_t k = nodes.size(); k-- > 0;) {
        Node& node = tape[nodes[k]];
        if (is_leaf(node.op)) continue;
        backward_node<false>(tape, node, node.grad, flow);
    }
}

double Graph::value_with(NodeId root, std::span<const NodeId> nodes, NodeId leaf, double value) {
    check_id(root);
    check_id(leaf);
    forward();
    Node* tape = m_nodes.data();
    std::vector<double> kept;
    kept.reserve(nodes.size() + 1);
    for (NodeId id : nodes)
        kept.push_back(tape[id].data);
    const double leaf_data = tape[leaf].data;
    tape[leaf].data = value;
    for (NodeId id : nodes) {
        Node& node = tape[id];
        if (is_leaf(node.op)) continue;
        const double x = tape[node.a].data;
        switch (node.op) {
            case Op::MulAdd: node.data = x * tape[node.b].data + tape[node.c].data; break;
            case Op::PowConst: node.data = detail::pow_const(x, exponent_of(node)); break;
            default:
                node.data = detail::apply(node.op, x,
                                          op_info(node.op).arity == 2 ? tape[node.b].data : 0.0);
        }
    }
    const double result = tape[root].data;
    for (std::size_t k = 0; k < nodes.size(); ++k)
        tape[nodes[k]].data = kept[k];
    tape[leaf].data = leaf_data;
    return result;
}

void Graph::zero_grad() noexcept {
    ++m_grad_version;
    m_clean_from = 0;
    Node* nodes = m_nodes.data();
    for (std::size_t i = 0, n = m_nodes.size(); i < n; ++i)
        nodes[i].grad = 0.0;
}

void Graph::zero_grad_downstream(std::span<const NodeId> nodes) {
    if (nodes.empty()) return;
    ++m_grad_version;
    Node* tape = m_nodes.data();
    const std::size_t n = m_nodes.size();
    std::size_t first = n;
    std::vector<bool> downstream(n, false);
    for (NodeId id : nodes) {
        check_id(id);
        downstream[id] = true;
        tape[id].grad = 0.0;
        first = std::min<std::size_t>(first, id);
    }
    // Creation order is topological: one sweep upward finds everything computed from them.
    for (std::size_t i = first + 1; i < n; ++i) {
        if (downstream[i]) continue;
        for (NodeId p : parents(static_cast<NodeId>(i))) {
            if (!downstream[p]) continue;
            downstream[i] = true;
            tape[i].grad = 0.0;
            break;
        }
    }
}

void Graph::clear() {
    m_nodes.clear();
    m_labels.clear();
    m_scopes.clear();
    m_open_scope = no_node;
    m_stale_from = no_node;
    m_leaves_changed = 0;
    ++m_grad_version;
    m_clean_from = 0;
    m_epoch = new_epoch();
    update_gate();
}

void Graph::truncate(NodeId size) {
    if (size >= m_nodes.size()) return;
    m_nodes.truncate(size);
    m_clean_from = std::min<std::size_t>(m_clean_from, size);
    m_labels.truncate(size);
    // Scopes that began at or after `size` go (unless still open); the others end there at most.
    while (!m_scopes.empty() && m_scopes.back().begin >= size && m_scopes.back().end != no_node)
        m_scopes.pop_back();
    for (Scope& scope : m_scopes)
        if (scope.end != no_node && scope.end > size) scope.end = size;
    if (m_stale_from != no_node && m_stale_from >= size) {
        m_stale_from = no_node;
        m_leaves_changed = 0;
        update_gate();
    }
}

void Graph::shrink_to_fit() {
    if (m_nodes.size() == 0) m_nodes.release_memory();
    m_scopes.shrink_to_fit();
}

std::optional<NodeId> Graph::first_non_finite(NodeId begin) {
    forward();
    for (std::size_t i = begin, n = m_nodes.size(); i < n; ++i)
        if (!std::isfinite(m_nodes[i].data)) return static_cast<NodeId>(i);
    return std::nullopt;
}

std::uint32_t Graph::begin_scope(std::string name) {
    auto index = static_cast<std::uint32_t>(m_scopes.size());
    m_scopes.push_back(Scope{std::move(name), size(), no_node, m_open_scope});
    m_open_scope = index;
    return index;
}

void Graph::end_scope() {
    if (m_open_scope == no_node) throw Error("end_scope() without an open scope");
    Scope& s = m_scopes[m_open_scope];
    s.end = size();
    m_open_scope = s.parent;
}

void Graph::throw_bad_id(NodeId id) const {
    throw Error(fmt::format("node id {} is not on this graph (it has {} nodes)", id, size()));
}

// Mark-compact: one sweep down the tape marks what the roots depend on (creation order is
// topological, so a node's parents are marked before the sweep reaches them), one sweep up moves
// the marked nodes down and renames their parents. Memory beyond the two sweeps: the remap
// table the caller gets, and the surviving labels.
void Graph::compact(std::span<const NodeId> roots, std::vector<NodeId>& remap) {
    for (const NodeId r : roots)
        check_id(r);
    forward();  // node data must be current before nodes move
    const std::size_t n = m_nodes.size();
    Node* nodes = m_nodes.data();
    remap.assign(n, 0);  // 1: marked, until the second sweep writes new ids
    for (const NodeId r : roots)
        remap[r] = 1;
    auto arity = [](const Node& node) -> std::uint8_t {
        return node.op == Op::PowConst ? 1 : op_info(node.op).arity;  // PowConst: b, c hold k
    };
    for (std::size_t i = n; i-- > 0;) {
        if (remap[i] == 0) continue;
        const Node& node = nodes[i];
        const std::uint8_t k = arity(node);
        if (k > 0) remap[node.a] = 1;
        if (k > 1) remap[node.b] = 1;
        if (k > 2) remap[node.c] = 1;
    }

    // Scope boundaries map to the number of kept nodes before them.
    struct Boundary {
        NodeId at;
        NodeId* target;
    };
    std::vector<Boundary> boundaries;
    for (Scope& s : m_scopes) {
        boundaries.push_back({s.begin, &s.begin});
        if (s.end != no_node) boundaries.push_back({s.end, &s.end});
    }
    std::sort(boundaries.begin(), boundaries.end(),
              [](const Boundary& x, const Boundary& y) { return x.at < y.at; });
    auto boundary = boundaries.begin();

    std::vector<std::pair<NodeId, std::string>> labels;
    NodeId kept = 0;
    for (std::size_t i = 0; i < n; ++i) {
        for (; boundary != boundaries.end() && boundary->at <= i; ++boundary)
            *boundary->target = kept;
        if (remap[i] == 0) {
            remap[i] = no_node;
            continue;
        }
        Node node = nodes[i];
        const std::uint8_t k = arity(node);
        if (k > 0) node.a = remap[node.a];
        if (k > 1) node.b = remap[node.b];
        if (k > 2) node.c = remap[node.c];
        if (const std::string_view l = m_labels.find(static_cast<NodeId>(i)); !l.empty())
            labels.emplace_back(kept, std::string(l));
        remap[i] = kept;
        nodes[kept++] = node;
    }
    for (; boundary != boundaries.end(); ++boundary)
        *boundary->target = kept;

    // Drop scopes left empty; renumber the parents of the others.
    std::vector<std::uint32_t> scope_index(m_scopes.size(), no_node);
    std::vector<Scope> scopes;
    for (std::size_t k = 0; k < m_scopes.size(); ++k) {
        Scope& s = m_scopes[k];
        if (s.end != no_node && s.end == s.begin) continue;
        if (s.parent != no_node) s.parent = scope_index[s.parent];
        scope_index[k] = static_cast<std::uint32_t>(scopes.size());
        scopes.push_back(std::move(s));
    }
    m_scopes = std::move(scopes);
    if (m_open_scope != no_node) m_open_scope = scope_index[m_open_scope];

    m_nodes.truncate(kept);
    m_labels.clear();
    for (const auto& [id, text] : labels)
        m_labels.set(id, text);
    m_stale_from = no_node;
    m_leaves_changed = 0;
    m_clean_from = kept;  // gradients moved with their nodes
    m_epoch = new_epoch();
    update_gate();
}

void Graph::assign(NodeId id, double value) {
    check_id(id);
    Node& n = m_nodes[id];
    require_settable(id, n.op);
    n.data = value;
}

Graph& default_graph() {
    thread_local Graph graph;
    return graph;
}

}  // namespace mgrad
