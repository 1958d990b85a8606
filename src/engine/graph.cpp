#include "mgrad/engine/graph.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <cstring>
#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace mgrad {

namespace {
using detail::accumulate;
using detail::dirty;

[[nodiscard]] bool has_flag(const Node& n, NodeFlags f) noexcept { return any(n.flags & f); }
}  // namespace

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

template class TapeBuffer<Node>;

}  // namespace detail

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
    if (!is_leaf(n.op))
        throw Error(
            fmt::format("cannot set the data of node {} ({}): only leaves and constants "
                        "can be changed; everything else is computed",
                        id, op_info(n.op).name));
    // forward() starts at the lowest changed leaf and follows dirty flags from there, so
    // several leaves can change before one recomputation, in any order.
    n.data = value;
    n.flags |= dirty;
    if (m_stale_from == no_node || id < m_stale_from) m_stale_from = id;
    ++m_leaves_changed;
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
    return recomputed;
}

void Graph::backward(NodeId root) {
    check_id(root);
    forward();
    Node* nodes = m_nodes.data();
    const std::size_t n = m_nodes.size();
    // Interior gradients restart from zero on every call, leaf gradients accumulate. Instead
    // of a pass that zeroes the tape first, a node's first incoming gradient replaces what it
    // held: the `accumulate` flag, always set on leaves, is set on an interior node when it is
    // first reached and cleared when the sweep below has passed it. So the tape is walked
    // once, and the flags are all clear again when backward() returns.
    auto flow = [nodes](NodeId to, double g) {
        Node& p = nodes[to];
        // Bit masking rather than a branch: first and later contributions interleave
        // unpredictably. (0.0 + g, not g, on the first: +0.0 as if the slot had been zeroed.)
        const std::uint64_t keep = 0 - std::uint64_t{has_flag(p, accumulate)};
        p.grad = std::bit_cast<double>(std::bit_cast<std::uint64_t>(p.grad) & keep) + g;
        p.flags |= accumulate;
    };
    for (std::size_t i = root + 1; i < n; ++i)  // nothing after the root depends on it
        if (!is_leaf(nodes[i].op)) nodes[i].grad = 0.0;
    flow(root, 1.0);

    // Creation order is topological, so one sweep downward visits every node after all of
    // the nodes that use it. Each case states the partial derivatives of its op.
    for (std::size_t i = root + 1; i-- > 0;) {
        Node& node = nodes[i];
        if (is_leaf(node.op)) continue;
        if (!has_flag(node, accumulate)) {  // the root does not depend on this node
            node.grad = 0.0;
            continue;
        }
        node.flags &= ~accumulate;
        const double g = node.grad;
        switch (node.op) {
            case Op::Leaf:
            case Op::Const: break;
            case Op::Add:  // d/da = 1, d/db = 1
                flow(node.a, g);
                flow(node.b, g);
                break;
            case Op::Sub:  // d/da = 1, d/db = -1
                flow(node.a, g);
                flow(node.b, -g);
                break;
            case Op::Mul: {  // d/da = b, d/db = a
                const double x = nodes[node.a].data, y = nodes[node.b].data;
                flow(node.a, g * y);
                flow(node.b, g * x);
                break;
            }
            case Op::Div: {  // d/da = 1/b, d/db = -a/b² = -(a/b)/b
                const double y = nodes[node.b].data;
                flow(node.a, g / y);
                flow(node.b, -g * (node.data / y));
                break;
            }
            case Op::Neg:  // d/da = -1
                flow(node.a, -g);
                break;
            case Op::PowConst: {  // d/da = k a^(k-1); exactly 0 when k == 0
                const double k = exponent_of(node);
                const double x = nodes[node.a].data;
                flow(node.a, k == 0.0 ? 0.0 : g * (k * detail::pow_const(x, k - 1.0)));
                break;
            }
            case Op::Pow: {  // d/da = b a^(b-1); d/db = a^b ln a (0 where a == 0 and b >= 0)
                const double x = nodes[node.a].data, y = nodes[node.b].data;
                flow(node.a, y == 0.0 ? 0.0 : g * (y * std::pow(x, y - 1.0)));
                flow(node.b, (x == 0.0 && y >= 0.0) ? 0.0 : g * (node.data * std::log(x)));
                break;
            }
            case Op::Tanh:  // d/da = 1 - tanh²(a)
                flow(node.a, g * (1.0 - node.data * node.data));
                break;
            case Op::Exp:  // d/da = exp(a)
                flow(node.a, g * node.data);
                break;
            case Op::Log:  // d/da = 1/a
                flow(node.a, g / nodes[node.a].data);
                break;
            case Op::Relu:  // d/da = 1 where the output is positive, else 0
                flow(node.a, node.data > 0.0 ? g : 0.0);
                break;
            case Op::Sigmoid:  // d/da = (1 - s) s
                flow(node.a, g * (1.0 - node.data) * node.data);
                break;
            case Op::Sqrt:  // d/da = 1 / (2 sqrt(a))
                flow(node.a, g / (2.0 * node.data));
                break;
            case Op::Abs: {  // d/da = sign(a), 0 at 0
                const double x = nodes[node.a].data;
                flow(node.a, x > 0.0 ? g : x < 0.0 ? -g : 0.0 * g);
                break;
            }
            case Op::Sin:  // d/da = cos(a)
                flow(node.a, g * std::cos(nodes[node.a].data));
                break;
            case Op::Cos:  // d/da = -sin(a)
                flow(node.a, g * -std::sin(nodes[node.a].data));
                break;
            case Op::MulAdd: {  // a*b + c: d/da = b, d/db = a, d/dc = 1
                const double x = nodes[node.a].data, y = nodes[node.b].data;
                // A leaf always accumulates: no first-touch test (see detail::a_leaf).
                auto to = [&](NodeId p, double d, NodeFlags leaf) {
                    if (has_flag(node, leaf))
                        nodes[p].grad += d;
                    else
                        flow(p, d);
                };
                to(node.a, g * y, detail::a_leaf);
                to(node.b, g * x, detail::b_leaf);
                to(node.c, g, detail::c_leaf);
                break;
            }
            case Op::Step:  // piecewise constant: d/da = 0 (the jump has no finite derivative)
            case Op::Sign: flow(node.a, 0.0); break;
        }
    }
}

void Graph::zero_grad() noexcept {
    Node* nodes = m_nodes.data();
    for (std::size_t i = 0, n = m_nodes.size(); i < n; ++i)
        nodes[i].grad = 0.0;
}

void Graph::clear() {
    m_nodes.clear();
    m_labels.clear();
    m_scopes.clear();
    m_open_scope = no_node;
    m_stale_from = no_node;
    m_leaves_changed = 0;
    ++m_epoch;
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

Graph& default_graph() {
    thread_local Graph graph;
    return graph;
}

}  // namespace mgrad
