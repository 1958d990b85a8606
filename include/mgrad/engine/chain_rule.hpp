// The chain rule in words — what one node sends to its parents during backward().
//
// backward() visits the nodes from the root down; at each, every parent's gradient grows by
// the node's gradient times the local derivative ∂node/∂parent. chain_steps() returns those
// contributions for one node, each with the words `:trace` prints and the live view shows
// (`b.data * e.grad`, `-3 * -2`), the number backward() adds, and the local derivative alone.
// All of it comes from the op's row in the op table, the same row backward() is generated
// from, so the words and the numbers cannot disagree.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "mgrad/engine/graph.hpp"
#include "mgrad/support/export.hpp"

namespace mgrad {

/// How to call a node in words: its label, `#id`, or a constant's value (the caller decides).
using NodeNamer = std::function<std::string(NodeId)>;

/// One chain-rule step: `parent.grad += formula = numbers = value`.
struct MGRAD_API ChainStep {
    NodeId parent = no_node;  ///< the node whose gradient grows
    std::string formula;      ///< the contribution in names: `b.data * e.grad`
    std::string numbers;      ///< the same with the numbers: `-3 * -2`
    double value = 0.0;       ///< what backward() adds to parent's gradient: 6
    std::string local;        ///< the local derivative ∂node/∂parent in names: `b.data`
    std::string local_numbers;  ///< the same with numbers: `-3`
    double local_value = 0.0;   ///< its value: -3
};

/// The contributions node `id` sends to each of its parents (in parent order: a, b, c), taking
/// its current gradient as the upstream one. Reads the data as it is (call Graph::forward()
/// first if leaves changed). A leaf has none.
[[nodiscard]] MGRAD_API std::vector<ChainStep> chain_steps(const Graph& graph, NodeId id,
                                                           const NodeNamer& name);

/// How node `id` is computed from its parents, in the language's notation: `a * b`, `tanh(n)`,
/// `x ** 2`, `leaf`, `constant`.
[[nodiscard]] MGRAD_API std::string formula(const Graph& graph, NodeId id, const NodeNamer& name);

}  // namespace mgrad
