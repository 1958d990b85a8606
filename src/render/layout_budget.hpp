// Internal to the renderer: keeping dot's layout time bounded for any shape of graph.
//
// dot's cost is not the number of values drawn. It lays out one node per box *and* one
// "virtual" node per rank an edge crosses, so a leaf used by every step of a long chain
// (`x = x*y + 0.1` repeated) makes a number of virtual nodes that grows with the square of the
// chain's length: 370 steps took over 15 minutes. On top of that, the network-simplex passes of
// the Graphviz release Debian ships run in time that grows faster than linearly with the nodes.
//
// plan_layout() estimates dot's ranks (every node as far right as its consumers allow, which
// has at least as many virtual nodes as dot's own ranking), and when the graph would be too
// large for dot it draws a value again beside its distant uses (a dotted copy) instead of
// running one edge across the whole picture, and bounds the number of network-simplex
// iterations and crossing-minimisation passes. Small graphs are left exactly as they were.
#pragma once

#include <cstddef>

#include "scene.hpp"

namespace mgrad::render_detail {

/// What plan_layout() found and did.
struct LayoutPlan {
    std::size_t nodes = 0;          ///< boxes and op nodes dot lays out (copies included)
    std::size_t virtual_nodes = 0;  ///< the estimate of dot's virtual nodes, after the cuts
    std::size_t copies = 0;         ///< values drawn again beside their distant uses
    std::size_t cut_span = 0;       ///< edges spanning more ranks than this were cut (0: none)
    bool limited = false;           ///< dot's iterations were bounded (graph attributes)
    bool compact = false;           ///< operations are folded into their values' boxes
    bool fits = true;               ///< false: too large unless drawn compact (see below)
};

/// Nodes + virtual nodes above which long edges are cut and dot's passes bounded.
inline constexpr std::size_t layout_budget = 2000;

/// Adjusts `scene` (before its legend is added) so that dot lays it out in bounded time: cuts
/// long edges when the nodes and virtual nodes exceed `budget`, and bounds dot's iterations.
/// In micrograd's look (`compact` false), a graph that cannot be brought within the budget is
/// left unchanged with `fits` false: the caller then builds it again compact and plans that,
/// which is always cut as far as it helps.
LayoutPlan plan_layout(Scene& scene, std::size_t budget, bool compact);

}  // namespace mgrad::render_detail
