// Internal to the renderer: how a picture looks (colours, fonts, the legend) and the text of its
// labels (escaping for DOT records and HTML-like labels, numbers), shared by the scene's parts.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "layout_budget.hpp"
#include "mgrad/engine/graph.hpp"
#include "mgrad/render/render.hpp"
#include "scene.hpp"

namespace mgrad::render_detail {

// Soft colours (Tailwind's 50-600 steps): fills are light so black text stays readable, borders
// carry the kind. Leaves are green and the root amber so neither clashes with the red/blue of
// gradient shading.
// DejaVu Sans lays the text out (installed with fontconfig); SVG viewers without it fall back.
inline constexpr const char* font = "DejaVu Sans,Helvetica,Arial,sans-serif";
inline constexpr const char* text_colour = "#1E293B";
inline constexpr const char* edge_colour = "#94A3B8";
struct Look {
    const char* fill;
    const char* border;
};
inline constexpr Look leaf_look{"#DCFCE7", "#16A34A"};
inline constexpr Look interior_look{"#F8FAFC", "#64748B"};
inline constexpr Look root_look{"#FEF3C7", "#D97706"};
inline constexpr Look constant_look{"#F1F5F9", "#94A3B8"};
inline constexpr Look op_look{"#EEF2FF", "#818CF8"};
inline constexpr Look module_look{"#E0F2FE", "#0284C7"};
inline constexpr const char* constant_text = "#475569";
inline constexpr const char* op_text = "#3730A3";
inline constexpr const char* negative_base = "#EF4444";
inline constexpr const char* positive_base = "#3B82F6";
inline constexpr const char* non_finite_fill = "#E9D5FF";
inline constexpr std::array<const char*, 3> cluster_fills{"#F8FAFC", "#F1F5F9", "#E2E8F0"};
inline constexpr const char* highlight_fill = "#FBCFE8";
inline constexpr const char* highlight_border = "#DB2777";

/// `base` mixed with white: t = 0 is white, t = 1 is `base`.
[[nodiscard]] std::string tint(const char* base, double t);
/// The fill of a value shaded by its gradient (sign: colour, size against `max_abs`: depth).
[[nodiscard]] std::string shade_fill(double grad, double max_abs);
/// A node's name in DOT and SVG: `v3`, `o4`, `m1`.
[[nodiscard]] std::string node_name(char prefix, NodeId id);
/// 1,234,567.
[[nodiscard]] std::string group_digits(std::size_t n);
/// The legend: an HTML-like table of the kinds of boxes the picture shows.
[[nodiscard]] std::string legend_html(const DrawOptions& options, double max_abs,
                                      bool has_constants, bool has_truncated, bool has_boxes,
                                      const LayoutPlan& plan, const std::vector<Op>& ordered_ops);
/// The label of an op's small node: `+`, `*`, `**2`, with folded constants `*2`.
[[nodiscard]] std::string op_label(const Graph& graph, NodeId id, bool fold_constants);
void add(std::vector<Attr>& attrs, std::string name, std::string value, bool html = false);

}  // namespace mgrad::render_detail
