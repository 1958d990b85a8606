// Bounding dot's work: estimate its ranks, cut edges that run across the picture, bound its
// iterations (layout_budget.hpp says why).
#include "layout_budget.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace mgrad::render_detail {
namespace {

/// The out-edges of each node, as a compressed table: edges of node v are
/// `edge[first[v] .. first[v + 1])`, sorted by their head's level, nearest first.
struct OutEdges {
    std::vector<std::uint32_t> first;
    std::vector<std::uint32_t> edge;  ///< indices into Scene::edges
};

/// Levels counted from the right: a node with no consumer is at level 0, any other one level
/// left of its nearest consumer (dot ranks left to right, so rank = max level − level). This is
/// the ranking that puts every node as late as it can go; dot's network simplex minimises the
/// total edge length, so its ranking has at most as many virtual nodes as this one. Edges that
/// point back in the scene's order (only possible between collapsed module boxes, where dot
/// reverses one edge of a cycle) are left out of the estimate.
std::vector<std::uint32_t> levels(const Scene& scene, const OutEdges& out) {
    std::vector<std::uint32_t> level(scene.nodes.size(), 0);
    for (std::size_t v = scene.nodes.size(); v-- > 0;)
        for (std::uint32_t k = out.first[v]; k < out.first[v + 1]; ++k) {
            const SceneEdge& e = scene.edges[out.edge[k]];
            if (e.head > v) level[v] = std::max(level[v], level[e.head] + 1);
        }
    return level;
}

OutEdges out_edges(const Scene& scene) {
    OutEdges out;
    out.first.assign(scene.nodes.size() + 1, 0);
    for (const SceneEdge& e : scene.edges)
        ++out.first[e.tail + 1];
    for (std::size_t v = 0; v < scene.nodes.size(); ++v)
        out.first[v + 1] += out.first[v];
    out.edge.resize(scene.edges.size());
    std::vector<std::uint32_t> next(out.first.begin(), out.first.end() - 1);
    for (std::uint32_t i = 0; i < scene.edges.size(); ++i)
        out.edge[next[scene.edges[i].tail]++] = i;
    return out;
}

struct Cost {
    std::size_t virtual_nodes = 0;
    std::size_t copies = 0;
};

/// Walks each node's out-edges nearest first. An edge spanning more than `cut` ranks from the
/// node (or from its latest copy) gets a new copy one rank before its head; later edges within
/// `cut` ranks of that copy share it. `visit(tail, edge, copy)` sees every edge (copy is the
/// copy's number for the tail, 0 for the original).
template <class Visit>
Cost walk(const Scene& scene, const OutEdges& out, const std::vector<std::uint32_t>& level,
          std::size_t cut, Visit&& visit) {
    Cost cost;
    const auto originals = static_cast<std::uint32_t>(out.first.size() - 1);  // copies: later
    for (std::uint32_t v = 0; v < originals; ++v) {
        std::uint32_t anchor = level[v];  // the level of the box the next edge would leave from
        std::uint32_t copy = 0;
        for (std::uint32_t k = out.first[v]; k < out.first[v + 1]; ++k) {
            const SceneEdge& e = scene.edges[out.edge[k]];
            if (e.head <= v) continue;  // a back edge: not in the estimate, never cut
            const std::uint32_t head_level = level[e.head];
            if (anchor - head_level > cut) {
                anchor = head_level + 1;
                ++copy;
                ++cost.copies;
            }
            cost.virtual_nodes += anchor - head_level - 1;
            visit(v, out.edge[k], copy);
        }
    }
    return cost;
}

void append_style(SceneNode& node, std::string_view style) {
    for (Attr& a : node.attrs)
        if (a.name == "style") {
            a.value = a.value.empty() ? std::string(style) : a.value + "," + std::string(style);
            return;
        }
    node.attrs.push_back(Attr{"style", std::string(style), false});
}

}  // namespace

LayoutPlan plan_layout(Scene& scene, std::size_t budget, bool compact) {
    LayoutPlan plan;
    plan.compact = compact;
    plan.nodes = scene.nodes.size();
    if (scene.nodes.empty()) return plan;
    OutEdges out = out_edges(scene);
    const std::vector<std::uint32_t> level = levels(scene, out);
    for (std::size_t v = 0; v < scene.nodes.size(); ++v)  // nearest head first
        std::sort(out.edge.begin() + out.first[v], out.edge.begin() + out.first[v + 1],
                  [&](std::uint32_t x, std::uint32_t y) {
                      return level[scene.edges[x].head] > level[scene.edges[y].head];
                  });
    auto nothing = [](std::uint32_t, std::uint32_t, std::uint32_t) {};
    constexpr std::size_t no_cut = std::numeric_limits<std::uint32_t>::max();
    const Cost whole = walk(scene, out, level, no_cut, nothing);
    plan.virtual_nodes = whole.virtual_nodes;
    auto total = [&](const Cost& c) { return plan.nodes + c.virtual_nodes + c.copies; };

    std::size_t cut = no_cut;
    Cost best = whole;
    if (total(whole) > budget) {
        // The longest span that brings the graph within the budget; failing that (compact
        // only), the one that adds the fewest nodes.
        bool fits = false;
        for (std::size_t k = 64; k >= 2 && !fits; k /= 2) {
            const Cost c = walk(scene, out, level, k, nothing);
            fits = total(c) <= budget;
            if (fits || total(c) < total(best)) {
                cut = k;
                best = c;
            }
        }
        if (!fits && !compact) {
            plan.fits = false;
            return plan;
        }
    }
    if (cut != no_cut) {
        // Copies go after the other nodes, each in the cluster of the first use it serves.
        std::vector<std::uint32_t> copy_index;  // by the tail's copy number − 1
        std::uint32_t current_tail = std::numeric_limits<std::uint32_t>::max();
        const std::size_t originals = scene.nodes.size();
        walk(scene, out, level, cut,
             [&](std::uint32_t tail, std::uint32_t edge, std::uint32_t copy) {
                 if (tail != current_tail) {
                     current_tail = tail;
                     copy_index.clear();
                 }
                 if (copy == 0) return;
                 if (copy_index.size() < copy) {
                     SceneNode c = scene.nodes[tail];
                     c.name = fmt::format("{}_{}", c.name, copy);
                     c.cluster = scene.nodes[scene.edges[edge].head].cluster;
                     c.copy_of = tail;
                     append_style(c, "dotted");
                     copy_index.push_back(static_cast<std::uint32_t>(scene.nodes.size()));
                     scene.nodes.push_back(std::move(c));
                 }
                 scene.edges[edge].tail = copy_index[copy - 1];
             });
        plan.copies = scene.nodes.size() - originals;
        plan.cut_span = cut;
        plan.virtual_nodes = best.virtual_nodes;
        plan.nodes = scene.nodes.size();
    }
    // dot's network simplex can take many times more iterations than there are nodes when
    // long edges remain (a leaf shared along a chain), and each iteration walks the whole
    // graph; a large graph is given fewer still, and fewer crossing-minimisation passes.
    if (compact) {
        // Iterations × the size of the graph they walk: measured, this much work keeps the
        // worst shapes at the node cap near half a second, and lets ordinary ones converge.
        const double work = 1.5e6;
        const double walked =
            static_cast<double>(plan.nodes + plan.virtual_nodes + scene.edges.size());
        const double limit =
            std::clamp(work / (static_cast<double>(plan.nodes) * walked), 0.1, 1.0);
        scene.graph_attrs.push_back(Attr{"nslimit", fmt::format("{:.2f}", limit), false});
        scene.graph_attrs.push_back(Attr{"mclimit", "0.5", false});
        plan.limited = true;
    } else if (plan.virtual_nodes > plan.nodes || cut != no_cut) {
        scene.graph_attrs.push_back(Attr{"nslimit", "2", false});
        plan.limited = true;
    }
    return plan;
}

}  // namespace mgrad::render_detail
