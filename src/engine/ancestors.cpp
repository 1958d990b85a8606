// The walk from a root to everything it depends on (ancestors.hpp).
#include "mgrad/engine/ancestors.hpp"

#include <algorithm>

namespace mgrad {

std::span<const NodeId> AncestorWalk::of(const Graph& graph, NodeId root) {
    graph.check_id(root);
    if (m_stamp.size() < graph.size()) m_stamp.resize(graph.size(), 0);
    if (++m_round == 0) {  // the stamps wrapped around: start them afresh
        std::fill(m_stamp.begin(), m_stamp.end(), 0);
        m_round = 1;
    }
    m_found.clear();
    m_stack.clear();
    m_stamp[root] = m_round;
    m_found.push_back(root);
    m_stack.push_back(root);
    while (!m_stack.empty()) {
        const NodeId id = m_stack.back();
        m_stack.pop_back();
        for (NodeId p : graph.parents(id)) {
            if (m_stamp[p] == m_round) continue;
            m_stamp[p] = m_round;
            m_found.push_back(p);
            m_stack.push_back(p);
        }
    }
    // In tape order: sorted when few, read off the stamps when they are most of the ids below
    // the root (a scan of 4 bytes per id is then cheaper than sorting).
    if (m_found.size() * 16 < static_cast<std::size_t>(root) + 1) {
        std::sort(m_found.begin(), m_found.end());
    } else {
        m_found.clear();
        for (NodeId id = 0; id <= root; ++id)
            if (m_stamp[id] == m_round) m_found.push_back(id);
    }
    return m_found;
}

}  // namespace mgrad
