// Internal to the renderer: a Graphviz-free description of the picture.
//
// Everything that decides *what* is drawn and *how it looks* (selection, labels, escaping,
// colours, clusters, legend) builds a Scene; dot.cpp writes it as DOT text, and a layout engine
// (layout.hpp: Graphviz's libraries natively, Graphviz in WebAssembly in the page) lays that
// text out. So the whole renderer but the layout builds and runs without Graphviz.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mgrad/engine/graph.hpp"
#include "mgrad/render/render.hpp"

namespace mgrad::render_detail {

inline constexpr std::uint32_t no_cluster = 0xFFFFFFFFu;
inline constexpr std::uint32_t unseen = 0xFFFFFFFFu;
inline constexpr std::uint32_t not_a_copy = 0xFFFFFFFFu;

struct Attr {
    std::string name;
    std::string value;
    bool html = false;  ///< an HTML-like label (`<table>…`) rather than text
    bool operator==(const Attr&) const = default;
};

struct SceneCluster {
    std::string name;  ///< starts with "cluster" so dot draws a box
    std::uint32_t parent = no_cluster;
    std::vector<Attr> attrs;
    bool operator==(const SceneCluster&) const = default;
};

struct SceneNode {
    std::string name;
    std::vector<Attr> attrs;
    std::uint32_t cluster = no_cluster;
    /// A box drawn again beside distant uses of the node at this index (layout_budget.hpp).
    std::uint32_t copy_of = not_a_copy;
    bool operator==(const SceneNode&) const = default;
};

struct SceneEdge {
    std::uint32_t tail;  ///< index into Scene::nodes
    std::uint32_t head;
    std::vector<Attr> attrs = {};  ///< e.g. the operand's number at a non-commutative op
    bool operator==(const SceneEdge&) const = default;
};

/// Whether an op of two operands gives the same for either order (`+`, `*`; not `-`, `/`,
/// `pow`): its row's `commutes` column, which tests/test_op_rules.cpp checks against the forward
/// formula.
[[nodiscard]] bool commutative(Op op) noexcept;

struct Scene {
    std::string name;
    std::vector<Attr> graph_attrs, node_defaults, edge_defaults;
    std::vector<SceneCluster> clusters;  ///< parents come before their children
    std::vector<SceneNode> nodes;        ///< in tape order
    std::vector<SceneEdge> edges;
    std::vector<std::uint32_t> sink_rank;  ///< nodes placed on the last rank (the legend)
    /// The estimate of what dot will lay out, nodes and virtual nodes (layout_budget.hpp).
    std::size_t layout_size = 0;
    std::vector<NodeId> values;  ///< the graph's nodes drawn as nodes of their own, ascending
    bool operator==(const Scene&) const = default;
};

/// The values `root` depends on, as the walk with the options' depth limit found them.
struct Selection {
    std::vector<NodeId> ids;          ///< ascending (tape order); constants included
    std::vector<std::uint32_t> dist;  ///< ops from the root, by id (size root+1); `unseen` if not
    std::vector<bool> truncated;      ///< by position in `ids`: some operand cut by the depth limit
};

/// Walks parents from `root` in one reverse sweep over the tape (no recursion).
[[nodiscard]] Selection select_nodes(const Graph& graph, NodeId root, const DrawOptions& options);

/// Builds the picture; throws Error when more than options.max_nodes values would be drawn.
[[nodiscard]] Scene build_scene(Graph& graph, NodeId root, const DrawOptions& options);

/// Replaces bytes that are not well-formed UTF-8 with U+FFFD.
[[nodiscard]] std::string valid_utf8(std::string_view text);
/// Escapes text for one field of a record label: `{ } | < >`, backslash, `&`, spaces that
/// records would drop, control characters and invalid UTF-8.
[[nodiscard]] std::string escape_record(std::string_view text);
/// Escapes text for a plain label (backslash starts Graphviz escapes such as `\N`).
[[nodiscard]] std::string escape_label(std::string_view text);
/// A number as written in a formula: the shortest text that reads back to the same double.
[[nodiscard]] std::string short_number(double value);
/// A number with a fixed count of decimals, as in `data 2.0000`.
[[nodiscard]] std::string fixed_number(double value, int decimals);

/// DOT text of the Scene, as Graphviz's own writer would write it (dot.cpp; no Graphviz).
[[nodiscard]] std::string write_dot(const Scene& scene);

}  // namespace mgrad::render_detail
