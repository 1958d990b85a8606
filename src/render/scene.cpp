// What is drawn: the selection of values, their boxes, clusters and edges, and the legend (the
// look and the labels' text are in look.cpp).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>

#include <fmt/format.h>

#include "layout_budget.hpp"
#include "look.hpp"
#include "scene.hpp"

namespace mgrad::render_detail {

Selection select_nodes(const Graph& graph, NodeId root, const DrawOptions& options) {
    graph.check_id(root);
    Selection s;
    s.dist.assign(static_cast<std::size_t>(root) + 1, unseen);
    s.dist[root] = 0;
    auto nodes = graph.nodes();
    // A node's consumers all have larger ids, so by the time the sweep reaches a node its
    // shortest distance from the root is final: one pass, no recursion, no queue.
    for (NodeId id = root + 1; id-- > 0;) {
        std::uint32_t d = s.dist[id];
        if (d == unseen) continue;
        if (options.depth && d >= *options.depth) continue;
        for (NodeId p : graph.parents(id))
            s.dist[p] = std::min(s.dist[p], d + 1);
    }
    for (NodeId id = 0; id <= root; ++id) {
        if (s.dist[id] == unseen) continue;
        s.ids.push_back(id);
        bool cut = false;
        for (NodeId p : graph.parents(id)) {
            bool folded = options.hide_constants && nodes[p].op == Op::Const;
            if (s.dist[p] == unseen && !folded) cut = true;
        }
        s.truncated.push_back(cut);
    }
    return s;
}

Scene build_scene(Graph& graph, NodeId root, const DrawOptions& options) {
    graph.check_id(root);
    graph.forward();  // apply pending set_data() changes before reading values
    if (options.decimals < 0 || options.decimals > 17)
        throw Error(fmt::format("decimals={} is out of range (0 to 17)", options.decimals));
    Selection sel = select_nodes(graph, root, options);
    auto nodes = graph.nodes();
    // The root is always drawn, even when it is a constant and constants are hidden.
    auto hidden = [&](NodeId id) {
        return id != root && options.hide_constants && nodes[id].op == Op::Const;
    };

    // The innermost nn scope of each selected node (scopes are listed parents first, so a later,
    // inner scope overwrites its parent).
    const auto& scopes = graph.scopes();
    std::vector<std::uint32_t> scope_of(sel.ids.size(), no_cluster);
    for (std::uint32_t s = 0; s < scopes.size(); ++s) {
        NodeId end = scopes[s].end == no_node ? graph.size() : scopes[s].end;
        auto first = std::lower_bound(sel.ids.begin(), sel.ids.end(), scopes[s].begin);
        for (auto it = first; it != sel.ids.end() && *it < end; ++it)
            scope_of[static_cast<std::size_t>(it - sel.ids.begin())] = s;
    }
    // With collapse-modules every value of an innermost scope folds into one box, except the
    // root, which is always drawn as itself.
    auto in_box = [&](std::size_t i) {
        return scope_of[i] != no_cluster && sel.ids[i] != root && !hidden(sel.ids[i]);
    };
    std::vector<std::size_t> box_values(scopes.size(), 0);
    std::vector<NodeId> box_output(scopes.size(), no_node);
    std::size_t drawn = 0, unboxed = 0, boxes = 0;
    for (std::size_t i = 0; i < sel.ids.size(); ++i) {
        if (hidden(sel.ids[i])) continue;
        ++drawn;
        if (!in_box(i)) {
            ++unboxed;
            continue;
        }
        if (box_values[scope_of[i]]++ == 0) ++boxes;
        box_output[scope_of[i]] = sel.ids[i];  // the scope's last value: what it computed
    }
    const bool collapse = options.collapse_modules && boxes > 0;
    if (collapse) drawn = unboxed + boxes;
    if (drawn > options.max_nodes) {
        // Suggest the deepest depth that fits, and what hiding constants would leave.
        std::vector<std::size_t> per_depth;
        std::size_t constants = 0;
        for (NodeId id : sel.ids) {
            if (nodes[id].op == Op::Const) ++constants;
            if (hidden(id)) continue;
            std::uint32_t d = sel.dist[id];
            if (per_depth.size() <= d) per_depth.resize(d + 1, 0);
            ++per_depth[d];
        }
        std::size_t fit_depth = 0, fit_count = 0, running = 0;
        for (std::size_t d = 0; d < per_depth.size(); ++d) {
            running += per_depth[d];
            if (running > options.max_nodes) break;
            fit_depth = d;
            fit_count = running;
        }
        std::string label(graph.label(root));
        std::string what =
            label.empty() ? fmt::format("node #{}", root) : fmt::format("'{}'", label);
        std::string hints;
        // The same suggestions as data, for a front end that offers them (the page's buttons).
        ErrorDetail detail{"max-nodes",
                           fmt::format("at most {} values", options.max_nodes),
                           {},
                           {fmt::format("depth={}", fit_depth)}};
        if (!options.hide_constants && constants > 0) {
            hints +=
                fmt::format(", hide-constants (leaves {} values)", group_digits(drawn - constants));
            detail.fixes.emplace_back("hide-constants");
        }
        if (!collapse && boxes > 0) {
            hints += fmt::format(", collapse-modules (one box per nn module: {} boxes)",
                                 group_digits(unboxed + boxes));
            detail.fixes.emplace_back("collapse-modules");
        }
        detail.fixes.push_back(fmt::format("max-nodes={}", drawn));
        throw Error(
            fmt::format(
                "the graph of {} has {} {} to draw, more than max-nodes={}; a layout that large "
                "can "
                "take minutes. Draw part of it with depth={} ({} values){}, or raise the cap with "
                "max-nodes={}",
                what, group_digits(drawn), collapse ? "boxes" : "values", options.max_nodes,
                fit_depth, group_digits(fit_count), hints, drawn),
            std::nullopt, std::move(detail));
    }

    double max_abs = 0.0;
    for (NodeId id : sel.ids)
        if (!hidden(id) && std::isfinite(nodes[id].grad))
            max_abs = std::max(max_abs, std::fabs(nodes[id].grad));

    // Built once in micrograd's look; built again with each operation folded into its
    // value's box when that graph is too large for dot (layout_budget.hpp).
    std::vector<Op> ordered_ops;  // non-commutative ops whose operands are numbered
    auto make_scene = [&](bool compact) {
        ordered_ops.clear();
        Scene scene;
        scene.name = "mgrad";
        const bool lr = options.rankdir == RankDir::LeftRight;
        add(scene.graph_attrs, "rankdir", lr ? "LR" : "TB");
        add(scene.graph_attrs, "bgcolor", "white");
        add(scene.graph_attrs, "pad", "0.25");
        add(scene.graph_attrs, "nodesep", "0.3");
        add(scene.graph_attrs, "ranksep", "0.35");
        add(scene.graph_attrs, "fontname", font);
        add(scene.graph_attrs, "fontsize", "11");
        add(scene.graph_attrs, "fontcolor", constant_text);
        add(scene.node_defaults, "fontname", font);
        add(scene.node_defaults, "fontsize", "12");
        add(scene.node_defaults, "fontcolor", text_colour);
        add(scene.node_defaults, "penwidth", "1.2");
        add(scene.edge_defaults, "color", edge_colour);
        add(scene.edge_defaults, "arrowsize", "0.7");
        add(scene.edge_defaults, "penwidth", "1.2");

        // Clusters: the innermost nn scope of each node, else the longest matching name prefix.
        std::vector<std::uint32_t> owner(sel.ids.size(), no_cluster);
        // A collapsed node lives in the cluster of its scope's parent: its own scope is the box.
        auto home_scope = [&](std::size_t i) {
            if (scope_of[i] == no_cluster) return no_cluster;
            return collapse && in_box(i) ? scopes[scope_of[i]].parent : scope_of[i];
        };
        if (options.cluster_modules && !scopes.empty()) {
            std::vector<std::uint32_t> cluster_of_scope(scopes.size(), no_cluster);
            std::vector<bool> used(scopes.size(), false);
            for (std::size_t i = 0; i < sel.ids.size(); ++i)
                if (!hidden(sel.ids[i]))
                    for (std::uint32_t s = home_scope(i); s != no_node && !used[s];
                         s = scopes[s].parent)
                        used[s] = true;
            for (std::uint32_t s = 0; s < scopes.size(); ++s) {
                if (!used[s]) continue;
                std::uint32_t level = 0;
                for (std::uint32_t p = scopes[s].parent; p != no_node; p = scopes[p].parent)
                    ++level;
                SceneCluster c;
                c.name = fmt::format("cluster_m{}", s);
                c.parent =
                    scopes[s].parent == no_node ? no_cluster : cluster_of_scope[scopes[s].parent];
                add(c.attrs, "label", escape_label(scopes[s].name));
                add(c.attrs, "style", "rounded,filled");
                add(c.attrs, "fillcolor", cluster_fills[std::min<std::size_t>(level, 2)]);
                add(c.attrs, "color", "#CBD5E1");
                add(c.attrs, "labeljust", "l");
                cluster_of_scope[s] = static_cast<std::uint32_t>(scene.clusters.size());
                scene.clusters.push_back(std::move(c));
            }
            for (std::size_t i = 0; i < sel.ids.size(); ++i)
                if (home_scope(i) != no_node) owner[i] = cluster_of_scope[home_scope(i)];
        }
        if (!options.cluster_prefixes.empty()) {
            std::vector<std::uint32_t> cluster_of_prefix(options.cluster_prefixes.size(),
                                                         no_cluster);
            for (std::size_t i = 0; i < sel.ids.size(); ++i) {
                if (owner[i] != no_cluster || hidden(sel.ids[i])) continue;
                std::string_view label = graph.label(sel.ids[i]);
                std::size_t best = options.cluster_prefixes.size(), best_len = 0;
                for (std::size_t p = 0; p < options.cluster_prefixes.size(); ++p) {
                    const std::string& prefix = options.cluster_prefixes[p];
                    if (label.starts_with(prefix) &&
                        (best == options.cluster_prefixes.size() || prefix.size() > best_len)) {
                        best = p;
                        best_len = prefix.size();
                    }
                }
                if (best == options.cluster_prefixes.size()) continue;
                if (cluster_of_prefix[best] == no_cluster) {
                    SceneCluster c;
                    c.name = fmt::format("cluster_p{}", best);
                    add(c.attrs, "label", escape_label(options.cluster_prefixes[best] + "…"));
                    add(c.attrs, "style", "rounded,filled");
                    add(c.attrs, "fillcolor", cluster_fills[0]);
                    add(c.attrs, "color", "#CBD5E1");
                    add(c.attrs, "labeljust", "l");
                    cluster_of_prefix[best] = static_cast<std::uint32_t>(scene.clusters.size());
                    scene.clusters.push_back(std::move(c));
                }
                owner[i] = cluster_of_prefix[best];
            }
        }

        // Nodes in tape order, each op node just before the value it makes.
        std::vector<std::uint32_t> value_index(static_cast<std::size_t>(root) + 1, no_cluster);
        scene.nodes.reserve(drawn * 2 + 1);
        scene.edges.reserve(drawn * 3);
        std::vector<std::uint32_t> box_index(scopes.size(), no_cluster);
        std::vector<std::pair<std::uint32_t, std::uint32_t>> box_edges;  // drawn once each
        for (std::size_t i = 0; i < sel.ids.size(); ++i) {
            NodeId id = sel.ids[i];
            if (hidden(id)) continue;
            const Node& n = nodes[id];
            if (collapse && in_box(i)) {
                std::uint32_t s = scope_of[i];
                if (box_index[s] == no_cluster) {
                    const Node& out = nodes[box_output[s]];
                    std::string fields = fmt::format(
                        "{} | {} values | out data {} | grad {}", escape_record(scopes[s].name),
                        group_digits(box_values[s]), fixed_number(out.data, options.decimals),
                        fixed_number(out.grad, options.decimals));
                    SceneNode b{fmt::format("m{}", s), {}, owner[i]};
                    add(b.attrs, "shape", "record");
                    add(b.attrs, "style", "rounded,filled");
                    add(b.attrs, "label", lr ? "{ " + fields + " }" : fields);
                    add(b.attrs, "fillcolor",
                        options.shade_gradients ? shade_fill(out.grad, max_abs)
                                                : std::string(module_look.fill));
                    add(b.attrs, "color", module_look.border);
                    add(b.attrs, "penwidth", "1.6");
                    box_index[s] = static_cast<std::uint32_t>(scene.nodes.size());
                    scene.nodes.push_back(std::move(b));
                }
                value_index[id] = box_index[s];
                for (NodeId p : graph.parents(id)) {
                    std::uint32_t tail = value_index[p];
                    if (tail == no_cluster || tail == box_index[s]) continue;
                    std::pair<std::uint32_t, std::uint32_t> e{tail, box_index[s]};
                    if (std::find(box_edges.begin(), box_edges.end(), e) != box_edges.end())
                        continue;
                    box_edges.push_back(e);
                    scene.edges.push_back(SceneEdge{tail, box_index[s]});
                }
                continue;
            }
            if (n.op == Op::Const) {
                SceneNode c{node_name('v', id), {}, owner[i]};
                add(c.attrs, "shape", "ellipse");
                add(c.attrs, "style", "filled");
                add(c.attrs, "label", escape_label(short_number(n.data)));
                add(c.attrs, "fillcolor", constant_look.fill);
                add(c.attrs, "color", constant_look.border);
                add(c.attrs, "fontcolor", constant_text);
                add(c.attrs, "fontsize", "11");
                add(c.attrs, "height", "0.3");
                add(c.attrs, "margin", "0.06,0.02");
                value_index[id] = static_cast<std::uint32_t>(scene.nodes.size());
                scene.nodes.push_back(std::move(c));
                scene.values.push_back(id);
                continue;
            }
            std::uint32_t op_index = no_cluster;
            std::string op_field;  // compact: the operation as the box's first field
            if (compact && !is_leaf(n.op))
                op_field = escape_record(op_label(graph, id, options.hide_constants)) + " | ";
            if (!compact && !is_leaf(n.op)) {
                SceneNode o{node_name('o', id), {}, owner[i]};
                // A circle for `+` or `**2`, a flat ellipse for names such as `tanh` (a circle
                // around a word grows tall and pushes the ranks apart).
                std::string text = op_label(graph, id, options.hide_constants);
                add(o.attrs, "shape", text.size() <= 3 ? "circle" : "ellipse");
                add(o.attrs, "style", "filled");
                add(o.attrs, "label", escape_label(text));
                add(o.attrs, "fillcolor", op_look.fill);
                add(o.attrs, "color", op_look.border);
                add(o.attrs, "fontcolor", op_text);
                add(o.attrs, "fontsize", "13");
                add(o.attrs, "width", "0.36");
                add(o.attrs, "height", "0.36");
                add(o.attrs, "margin", "0.04,0.02");
                op_index = static_cast<std::uint32_t>(scene.nodes.size());
                scene.nodes.push_back(std::move(o));
                // The operands of `-`, `/`, `pow` are numbered where they arrive, so that
                // `2 - x` and `x - 2` differ; a folded constant already shows its side in the
                // op's label.
                const Parents parents = graph.parents(id);
                std::size_t drawn_operands = 0;
                for (NodeId p : parents)
                    if (p <= root && value_index[p] != no_cluster) ++drawn_operands;
                const bool numbered = parents.size() == 2 && drawn_operands == 2 &&
                                      op_info(n.op).arity == 2 && !commutative(n.op);
                if (numbered &&
                    std::find(ordered_ops.begin(), ordered_ops.end(), n.op) == ordered_ops.end())
                    ordered_ops.push_back(n.op);
                for (std::size_t k = 0; k < parents.size(); ++k) {
                    const NodeId p = parents[k];
                    if (p > root || value_index[p] == no_cluster) continue;
                    SceneEdge edge{value_index[p], op_index};
                    if (numbered) {
                        add(edge.attrs, "headlabel", std::to_string(k + 1));
                        add(edge.attrs, "labelfontsize", "10");
                        add(edge.attrs, "labelfontcolor", op_text);
                        add(edge.attrs, "labeldistance", "1.3");
                    }
                    scene.edges.push_back(std::move(edge));
                }
            }
            std::string label(graph.label(id));
            std::string fields =
                fmt::format("data {} | grad {}", fixed_number(n.data, options.decimals),
                            fixed_number(n.grad, options.decimals));
            if (!label.empty()) fields = escape_record(label) + " | " + fields;
            fields = op_field + fields;
            Look look = id == root ? root_look : n.op == Op::Leaf ? leaf_look : interior_look;
            SceneNode v{node_name('v', id), {}, owner[i]};
            add(v.attrs, "shape", "record");
            add(v.attrs, "style", sel.truncated[i] ? "rounded,filled,dashed" : "rounded,filled");
            add(v.attrs, "label", lr ? "{ " + fields + " }" : fields);
            const bool highlighted = options.highlight == id;
            add(v.attrs, "fillcolor",
                highlighted               ? std::string(highlight_fill)
                : options.shade_gradients ? shade_fill(n.grad, max_abs)
                                          : std::string(look.fill));
            add(v.attrs, "color",
                highlighted ? std::string(highlight_border) : std::string(look.border));
            if (highlighted)
                add(v.attrs, "penwidth", "3");
            else if (id == root)
                add(v.attrs, "penwidth", "2.2");
            value_index[id] = static_cast<std::uint32_t>(scene.nodes.size());
            scene.nodes.push_back(std::move(v));
            scene.values.push_back(id);
            if (op_index != no_cluster) scene.edges.push_back(SceneEdge{op_index, value_index[id]});
            if (compact)
                for (NodeId p : graph.parents(id))
                    if (p <= root && value_index[p] != no_cluster)
                        scene.edges.push_back(SceneEdge{value_index[p], value_index[id]});
        }
        return scene;
    };
    Scene scene = make_scene(false);
    LayoutPlan plan = plan_layout(scene, layout_budget, false);
    if (!plan.fits) {
        scene = make_scene(true);
        plan = plan_layout(scene, layout_budget, true);
    }
    scene.layout_size = plan.nodes + plan.virtual_nodes;
    if (options.legend) {
        bool has_constants = false, has_truncated = false;
        for (std::size_t i = 0; i < sel.ids.size(); ++i) {
            if (hidden(sel.ids[i])) continue;
            has_constants = has_constants || nodes[sel.ids[i]].op == Op::Const;
            has_truncated = has_truncated || sel.truncated[i];
        }
        SceneNode legend{"legend", {}, no_cluster};
        add(legend.attrs, "shape", "plaintext");
        add(legend.attrs, "style", "");
        add(legend.attrs, "fontsize", "10");
        add(legend.attrs, "label",
            legend_html(options, max_abs, has_constants, has_truncated, collapse, plan,
                        ordered_ops),
            true);
        scene.sink_rank.push_back(static_cast<std::uint32_t>(scene.nodes.size()));
        scene.nodes.push_back(std::move(legend));
    }
    return scene;
}

}  // namespace mgrad::render_detail
