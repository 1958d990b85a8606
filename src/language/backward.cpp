// Session backward: backpropagation that costs what the root depends on, and the warning
// for a gradient that comes out NaN or infinite.
#include "session_impl.hpp"

#include <fmt/format.h>
#include <cmath>

#include "mgrad/support/number.hpp"

namespace mgrad {

void Session::Impl::backward(NodeId root) {
    m_graph.check_id(root);
    // Only the gradients the previous call set can be non-zero, unless something else has
    // written gradients since (the graph's grad_version tells): zeroing those and the part
    // below `root` is then zeroing the whole tape, in time that does not grow with the session.
    if (m_grads_known && m_graph.grad_version() == m_grads_version) {
        for (NodeId id : m_grad_nodes)
            if (id < m_graph.size()) m_graph.set_grad(id, 0.0);
    } else {
        m_graph.zero_grad();
    }
    const std::span<const NodeId> part = m_walk.of(m_graph, root);
    m_graph.backward_through(root, part);
    // When the part is much of the tape, zeroing the whole tape next time costs about the
    // same as zeroing the part, and spares a copy of the list.
    m_grads_known = part.size() * 4 < m_graph.size();
    if (m_grads_known)
        m_grad_nodes.assign(part.begin(), part.end());
    else
        m_grad_nodes.clear();
    m_grads_version = m_graph.grad_version();
    check_gradients(root, part);
}

void Session::Impl::check_gradients(NodeId root, std::span<const NodeId> part) {
    // Report where a non-finite gradient is closest to the root: that is where it came from.
    for (std::size_t k = part.size(); k-- > 0;) {
        const NodeId id = part[k];
        const double g = m_graph.grad(id);
        if (std::isfinite(g)) continue;
        std::string where;
        if (auto o = origin(id)) where = fmt::format(" (made at {}:{})", o->source, o->line);
        warn(fmt::format("after backpropagating from '{}', node '{}'{} has gradient {}",
                         node_name(root), node_name(id), where, format_number(g)));
        return;
    }
}
}  // namespace mgrad
