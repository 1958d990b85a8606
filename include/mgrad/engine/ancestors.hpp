// AncestorWalk — the part of a graph one node depends on, found in proportion to its size.
//
// A session's tape grows with every statement, while a command usually concerns one value and
// the handful of nodes it was computed from. A sweep down the tape from that value costs as
// much as the tape below it: run after every statement, that made a session quadratic. The
// walk follows parents from the root instead and touches nothing else; it keeps a stamp per
// node between walks, so it allocates only as the graph grows.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "mgrad/engine/graph.hpp"

namespace mgrad {

class MGRAD_API AncestorWalk {
  public:
    /// `root` and every node it depends on (constants and leaves included), in ascending id
    /// order — a topological order, as the tape is. Valid until the next call. Costs in
    /// proportion to the number of nodes found (and at most one scan of the ids below `root`,
    /// when they are most of them).
    std::span<const NodeId> of(const Graph& graph, NodeId root);

  private:
    /// m_stamp[id] == m_round: found in this walk. A byte per node: after 255 walks the stamps
    /// are cleared, a cost spread thinly over those walks.
    std::vector<std::uint8_t> m_stamp;
    std::uint8_t m_round = 0;
    std::vector<NodeId> m_found;
    std::vector<NodeId> m_stack;
};

}  // namespace mgrad
