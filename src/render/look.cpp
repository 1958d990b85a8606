// How a picture looks and the text of its labels (look.hpp): colours, the legend, op labels,
// escaping, numbers.
#include "look.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>

#include <fmt/format.h>

namespace mgrad::render_detail {

struct Rgb {
    int r, g, b;
};

Rgb parse_hex(const char* hex) {
    unsigned r = 0, g = 0, b = 0;
    std::sscanf(hex, "#%02x%02x%02x", &r, &g, &b);
    return {static_cast<int>(r), static_cast<int>(g), static_cast<int>(b)};
}

/// White blended towards `base` by t in [0, 1].
std::string tint(const char* base, double t) {
    Rgb c = parse_hex(base);
    auto mix = [t](int channel) {
        return static_cast<int>(std::lround(255.0 + (channel - 255.0) * t));
    };
    return fmt::format("#{:02X}{:02X}{:02X}", mix(c.r), mix(c.g), mix(c.b));
}

std::string shade_fill(double grad, double max_abs) {
    if (!std::isfinite(grad)) return non_finite_fill;
    if (grad == 0.0 || max_abs == 0.0) return "#FFFFFF";
    // Never fully saturated, so text stays readable; never invisible, so a non-zero gradient
    // always shows.
    double t = 0.08 + 0.67 * std::min(1.0, std::fabs(grad) / max_abs);
    return tint(grad < 0 ? negative_base : positive_base, t);
}

std::string node_name(char prefix, NodeId id) { return fmt::format("{}{}", prefix, id); }

std::string group_digits(std::size_t n) {
    std::string digits = std::to_string(n), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

// DrawOptions::highlight: a colour no other look uses (`:trace` marks the updated node).

std::string swatch_row(const char* fill, const char* border, std::string_view text,
                       const char* style = "rounded") {
    return fmt::format(R"(<tr><td width="22" height="12" fixedsize="true" border="1" style="{}" )"
                       R"(bgcolor="{}" color="{}"></td><td align="left">{}</td></tr>)",
                       style, fill, border, text);
}

std::string escape_html(std::string_view text) {
    std::string out;  // the legend is an HTML-like label
    for (char c : valid_utf8(text))
        out += c == '&' ? "&amp;" : c == '<' ? "&lt;" : c == '>' ? "&gt;" : std::string(1, c);
    return out;
}

// "1 - 2, 1 / 2": how the numbered operands of the ops in a picture combine.
std::string operand_order(const std::vector<Op>& ops) {
    std::string out;
    for (Op op : ops) {
        std::string formula(op_info(op).formula);
        for (const auto& [slot, number] : {std::pair{"{a}", "1"}, std::pair{"{b}", "2"}})
            if (const auto at = formula.find(slot); at != std::string::npos)
                formula.replace(at, 3, number);
        out += (out.empty() ? "" : ", ") + formula;
    }
    return out;
}

std::string legend_html(const DrawOptions& options, double max_abs, bool has_constants,
                        bool has_truncated, bool has_boxes, const LayoutPlan& plan,
                        const std::vector<Op>& ordered_ops) {
    const int decimals = options.decimals;
    std::string rows;
    if (options.shade_gradients) {
        rows += swatch_row(tint(negative_base, 0.75).c_str(), "#64748B", "grad &lt; 0");
        rows += swatch_row(tint(positive_base, 0.75).c_str(), "#64748B", "grad &gt; 0");
        rows += swatch_row("#FFFFFF", "#64748B", "grad = 0");
        rows += fmt::format(
            R"(<tr><td colspan="2" align="left"><font point-size="9" color="{}">stronger colour = )"
            R"(larger |grad| (max {})</font></td></tr>)",
            constant_text, fixed_number(max_abs, decimals));
        rows += swatch_row("#FFFFFF", leaf_look.border, "input (border)");
        rows += swatch_row("#FFFFFF", root_look.border, "drawn value, thick (border)");
    } else {
        rows += swatch_row(leaf_look.fill, leaf_look.border, "input");
        rows += swatch_row(interior_look.fill, interior_look.border, "computed value");
        rows += swatch_row(root_look.fill, root_look.border, "drawn value (root)");
    }
    if (options.highlight)
        rows += swatch_row(highlight_fill, highlight_border, escape_html(options.highlight_legend));
    if (has_constants) rows += swatch_row(constant_look.fill, constant_look.border, "constant");
    if (plan.compact)
        rows += fmt::format(
            R"(<tr><td colspan="2" align="left"><font point-size="9" color="{}">a large graph: each )"
            R"(value's box starts with the operation that made it</font></td></tr>)",
            constant_text);
    else
        rows += swatch_row(op_look.fill, op_look.border, "operation");
    if (has_boxes)
        rows += swatch_row(options.shade_gradients ? "#FFFFFF" : module_look.fill,
                           module_look.border, "nn module, collapsed");
    if (has_truncated)
        rows +=
            swatch_row("#FFFFFF", interior_look.border,
                       fmt::format("inputs beyond depth={} not drawn", *options.depth), "dashed");
    if (plan.copies > 0)
        rows +=
            swatch_row("#FFFFFF", interior_look.border, "value drawn again near its use", "dotted");
    if (!ordered_ops.empty())
        rows += fmt::format(
            R"(<tr><td><font point-size="9" color="{}">1 2</font></td><td align="left">operands, )"
            R"(in order: {}</td></tr>)",
            op_text, escape_html(operand_order(ordered_ops)));
    return fmt::format(
        R"(<table border="1" cellborder="0" cellspacing="2" cellpadding="2" style="rounded" )"
        R"(color="#CBD5E1" bgcolor="#FFFFFF"><tr><td colspan="2" align="left"><font )"
        R"(color="{}"><b>legend</b></font></td></tr>{}</table>)",
        constant_text, rows);
}

/// The op node's text: `+`, `tanh`, `**2`; with hidden constants folded in (`*2`, `2*`).
std::string op_label(const Graph& graph, NodeId id, bool fold_constants) {
    const Node& n = graph.nodes()[id];
    const OpInfo& info = op_info(n.op);
    if (n.op == Op::PowConst)
        return fmt::format("{}{}", info.symbol, short_number(graph.exponent(id)));
    if (!fold_constants || info.arity == 3) return std::string(info.symbol);
    auto folded = [&](NodeId p) -> std::optional<std::string> {
        if (p == no_node || graph.nodes()[p].op != Op::Const) return std::nullopt;
        return short_number(graph.nodes()[p].data);
    };
    if (info.arity == 1) {
        auto a = folded(n.a);
        if (!a) return std::string(info.symbol);
        return info.kind == OpKind::Function ? fmt::format("{}({})", info.symbol, *a)
                                             : fmt::format("{}{}", info.symbol, *a);
    }
    auto a = folded(n.a), b = folded(n.b);
    if (!a && !b) return std::string(info.symbol);
    if (info.kind == OpKind::Function)
        return fmt::format("{}({}, {})", info.symbol, a.value_or("·"), b.value_or("·"));
    return fmt::format("{}{}{}", a.value_or(""), info.symbol, b.value_or(""));
}

void add(std::vector<Attr>& attrs, std::string name, std::string value, bool html) {
    attrs.push_back(Attr{std::move(name), std::move(value), html});
}

bool commutative(Op op) noexcept { return op_info(op).commutes; }

/// `text` with every byte that is not part of a well-formed UTF-8 sequence replaced by U+FFFD:
/// labels are arbitrary bytes, and pango warns on stderr about invalid text.
std::string valid_utf8(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
        unsigned char c = byte(i);
        std::size_t len = c < 0x80           ? 1
                          : (c >> 5) == 0x6  ? 2
                          : (c >> 4) == 0xE  ? 3
                          : (c >> 3) == 0x1E ? 4
                                             : 0;
        bool ok = len > 0 && i + len <= text.size();
        for (std::size_t k = 1; ok && k < len; ++k)
            ok = (byte(i + k) & 0xC0) == 0x80;
        if (ok && len == 2) ok = c >= 0xC2;  // no overlong forms
        if (ok && len == 3) {
            unsigned cp =
                ((c & 0x0Fu) << 12) | ((byte(i + 1) & 0x3Fu) << 6) | (byte(i + 2) & 0x3Fu);
            ok = cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF);
        }
        if (ok && len == 4) {
            unsigned cp = ((c & 0x07u) << 18) | ((byte(i + 1) & 0x3Fu) << 12) |
                          ((byte(i + 2) & 0x3Fu) << 6) | (byte(i + 3) & 0x3Fu);
            ok = cp >= 0x10000 && cp <= 0x10FFFF;
        }
        if (ok) {
            out.append(text.substr(i, len));
            i += len;
        } else {
            out += "\xEF\xBF\xBD";
            ++i;
        }
    }
    return out;
}

std::string escape_record(std::string_view raw) {
    const std::string checked = valid_utf8(raw);
    const std::string_view text = checked;
    std::string out;
    out.reserve(text.size() + 8);
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        switch (c) {
            case '{':
            case '}':
            case '|':
            case '<':
            case '>':
            case '\\':
                out += '\\';
                out += c;
                break;
            case '&': out += "&amp;"; break;  // Graphviz reads `&name;` as an entity
            case ' ':
                // Records drop leading and trailing spaces and merge runs; only those need the
                // hard space `\ ` (which also makes Graphviz pad the whole record).
                if (i == 0 || i + 1 == text.size() || text[i - 1] == ' ' || text[i + 1] == ' ')
                    out += '\\';
                out += c;
                break;
            default:
                // Control characters (newlines, tabs) would start a new line or vanish.
                if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
                    out += "\\ ";
                else
                    out += c;
        }
    }
    return out;
}

std::string escape_label(std::string_view raw) {
    const std::string checked = valid_utf8(raw);
    const std::string_view text = checked;
    std::string out;
    out.reserve(text.size() + 4);
    for (char c : text) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '&')
            out += "&amp;";
        else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            out += ' ';
        else
            out += c;
    }
    return out;
}

std::string short_number(double value) { return fmt::format("{}", value); }

std::string fixed_number(double value, int decimals) {
    // From a billion on, scientific notation: 1e143 with 4 decimals would be 148 characters.
    if (std::isfinite(value) && std::fabs(value) >= 1e9)
        return fmt::format("{:.{}e}", value, decimals);
    return fmt::format("{:.{}f}", value, decimals);
}

}  // namespace mgrad::render_detail
