// The graph as JSON, written as it goes: a million nodes make about 250 MB of text, which is
// never held whole (nor a tree of JSON values, which took 2 GB). The text is the one
// nlohmann::json's dump(2) gave — keys in alphabetical order, two spaces of indentation, its
// shortest round-trip numbers — so files written before and after compare equal.
#include <array>
#include <cmath>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "mgrad/render/render.hpp"
#include "scene.hpp"

namespace mgrad {
namespace {

/// Text collected in memory and handed to the sink about once a megabyte.
class JsonWriter {
  public:
    explicit JsonWriter(const std::function<void(std::string_view)>& sink) : m_sink(sink) {
        m_buffer.reserve(chunk + 4096);
    }
    void raw(std::string_view text) {
        m_buffer.append(text);
        if (m_buffer.size() >= chunk) flush();
    }
    void flush() {
        if (!m_buffer.empty()) m_sink(m_buffer);
        m_buffer.clear();
    }
    void integer(std::uint64_t value) { fmt::format_to(std::back_inserter(m_buffer), "{}", value); }
    /// A number as nlohmann::json writes it (`2.0`, `0.1`, `1e+100`); NaN and infinities, which
    /// JSON cannot hold, as the strings "nan", "inf" and "-inf".
    void number(double value) {
        if (std::isnan(value)) return raw("\"nan\"");
        if (std::isinf(value)) return raw(value < 0 ? "\"-inf\"" : "\"inf\"");
        std::array<char, 64> digits{};
        char* end = nlohmann::detail::to_chars(digits.data(), digits.data() + digits.size(), value);
        m_buffer.append(digits.data(), end);
    }
    /// A string, escaped as JSON requires; bytes that are not UTF-8 become U+FFFD.
    void string(std::string_view text) {
        m_buffer.push_back('"');
        bool ascii = true;
        for (char c : text)
            ascii = ascii && static_cast<unsigned char>(c) < 0x80;
        const std::string checked = ascii ? std::string() : render_detail::valid_utf8(text);
        for (char c : ascii ? text : std::string_view(checked)) {
            switch (c) {
                case '"': m_buffer += "\\\""; break;
                case '\\': m_buffer += "\\\\"; break;
                case '\b': m_buffer += "\\b"; break;
                case '\f': m_buffer += "\\f"; break;
                case '\n': m_buffer += "\\n"; break;
                case '\r': m_buffer += "\\r"; break;
                case '\t': m_buffer += "\\t"; break;
                default:
                    if (static_cast<unsigned char>(c) < 0x20)
                        fmt::format_to(std::back_inserter(m_buffer), "\\u{:04x}",
                                       static_cast<unsigned>(c));
                    else
                        m_buffer.push_back(c);
            }
        }
        m_buffer.push_back('"');
    }

  private:
    static constexpr std::size_t chunk = std::size_t{1} << 20;
    const std::function<void(std::string_view)>& m_sink;
    std::string m_buffer;
};

const char* kind_name(const Graph& graph, NodeId id, NodeId root) {
    if (id == root) return "root";
    switch (graph.nodes()[id].op) {
        case Op::Leaf: return "leaf";
        case Op::Const: return "constant";
        default: return "interior";
    }
}

}  // namespace

void write_json(Graph& graph, NodeId root, const DrawOptions& options,
                const std::function<void(std::string_view)>& sink) {
    graph.check_id(root);
    graph.forward();
    const render_detail::Selection sel = render_detail::select_nodes(graph, root, options);
    const auto nodes = graph.nodes();
    JsonWriter out(sink);
    // Edges first: nlohmann::json kept its keys sorted.
    out.raw("{\n  \"edges\": [");
    bool first = true;
    for (NodeId id : sel.ids) {
        std::size_t operand = 0;
        for (NodeId p : graph.parents(id)) {
            if (sel.dist[p] != render_detail::unseen) {
                out.raw(first ? "\n    {\n      \"from\": " : ",\n    {\n      \"from\": ");
                first = false;
                out.integer(p);
                out.raw(",\n      \"operand\": ");
                out.integer(operand);
                out.raw(",\n      \"to\": ");
                out.integer(id);
                out.raw("\n    }");
            }
            ++operand;
        }
    }
    out.raw(first ? "],\n  \"nodes\": [" : "\n  ],\n  \"nodes\": [");
    first = true;
    for (std::size_t i = 0; i < sel.ids.size(); ++i) {
        const NodeId id = sel.ids[i];
        const Node& n = nodes[id];
        const OpInfo& info = op_info(n.op);
        out.raw(first ? "\n    {\n      " : ",\n    {\n      ");
        first = false;
        // For `-`, `/`, `pow`: the edges' "operand" (0, 1) is the order that matters. Keys in
        // sorted order, as the JSON tree wrote them.
        if (info.arity == 2) {
            out.raw("\"commutative\": ");
            out.raw(render_detail::commutative(n.op) ? "true" : "false");
            out.raw(",\n      ");
        }
        out.raw("\"data\": ");
        out.number(n.data);
        out.raw(",\n      \"depth\": ");
        out.integer(sel.dist[id]);
        if (n.op == Op::PowConst) {
            out.raw(",\n      \"exponent\": ");
            out.number(graph.exponent(id));
        }
        out.raw(",\n      \"grad\": ");
        out.number(n.grad);
        out.raw(",\n      \"id\": ");
        out.integer(id);
        out.raw(",\n      \"kind\": ");
        out.string(kind_name(graph, id, root));
        out.raw(",\n      \"label\": ");
        out.string(graph.label(id));
        out.raw(",\n      \"op\": ");
        out.string(info.name);
        out.raw(",\n      \"symbol\": ");
        out.string(info.symbol);
        if (sel.truncated[i]) out.raw(",\n      \"truncated\": true");
        out.raw("\n    }");
    }
    out.raw(first ? "],\n  \"root\": " : "\n  ],\n  \"root\": ");
    out.integer(root);
    out.raw("\n}\n");
    out.flush();
}

std::string to_json(Graph& graph, NodeId root, const DrawOptions& options) {
    std::string text;
    write_json(graph, root, options, [&](std::string_view chunk) { text.append(chunk); });
    return text;
}

}  // namespace mgrad
