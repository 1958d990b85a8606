// DOT text of a Scene, written without Graphviz.
//
// The text is the one Graphviz's own writer (cgraph's agwrite, as in Debian's Graphviz 2.42)
// makes for the graph graphviz.cpp builds from the same Scene, byte for byte: the same
// attribute order (by name), the same quoting, the same line breaks inside long strings and the
// same order of statements. So `:draw L L.dot` is unchanged, the page's Graphviz (WebAssembly)
// and the native one read the same text, and tests/render/test_dot.cpp holds the two writers
// equal wherever Graphviz is installed.
#include <algorithm>
#include <cctype>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "scene.hpp"

namespace mgrad::render_detail {
namespace {

constexpr std::size_t max_output_line = 128;  // agwrite's MAX_OUTPUTLINE

bool is_ascii(unsigned char c) { return c < 0x80; }
bool id_alnum(unsigned char c) { return std::isalnum(c) != 0 || c == '_' || !is_ascii(c); }
bool id_char(unsigned char c) {
    return std::isalnum(c) != 0 || c == '.' || c == '-' || !is_ascii(c);
}

bool same_word_ignoring_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

/// A string as DOT writes it: bare when it is an identifier or a number, else quoted with `"`
/// escaped and a backslash-newline where a long string may break (the rules of agwrite).
std::string canonical(std::string_view text, bool html) {
    if (html) {
        std::string out;
        out.reserve(text.size() + 2);
        out += '<';
        out.append(text);
        out += '>';
        return out;
    }
    if (text.empty()) return "\"\"";
    std::string out = "\"";
    bool needs_quotes = false, backslash_pending = false;
    std::size_t count = 0, dots = 0;
    bool maybe_number = false;
    {
        const auto first = static_cast<unsigned char>(text[0]);
        maybe_number = std::isdigit(first) != 0 || first == '.' || first == '-';
    }
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '"') {
            out += '\\';
            needs_quotes = true;
        } else if (maybe_number) {
            if (c == '-') {
                if (count != 0) {
                    maybe_number = false;
                    needs_quotes = true;
                }
            } else if (c == '.') {
                if (dots++ != 0) {
                    maybe_number = false;
                    needs_quotes = true;
                }
            } else if (std::isdigit(c) == 0) {
                maybe_number = false;
                needs_quotes = true;
            }
        } else if (!id_alnum(c)) {
            needs_quotes = true;
        }
        out += static_cast<char>(c);
        ++count;
        if (i + 1 == text.size()) break;
        // Breaks only after a character that is not part of a word, before one that is.
        const auto next = static_cast<unsigned char>(text[i + 1]);
        const auto last = static_cast<unsigned char>(out.back());
        const bool may_break = !(id_char(last) || last == '\\') && id_char(next);
        if (backslash_pending && may_break) {
            out += "\\\n";
            needs_quotes = true;
            backslash_pending = false;
            count = 0;
        } else if (count >= max_output_line) {
            if (may_break) {
                out += "\\\n";
                needs_quotes = true;
                count = 0;
            } else {
                backslash_pending = true;
            }
        }
    }
    out += '"';
    if (needs_quotes || (count == 1 && (text[0] == '.' || text[0] == '-'))) return out;
    for (std::string_view keyword : {"node", "edge", "strict", "graph", "digraph", "subgraph"})
        if (same_word_ignoring_case(keyword, text)) return out;
    return std::string(text);
}

/// A value as cgraph keeps it: the text and whether it is an HTML-like string (two values are
/// the same only when both agree, as cgraph's shared strings are).
struct Value {
    std::string text;
    bool html = false;
    bool operator==(const Value&) const = default;
};

/// The declared attributes of one kind (graph, node or edge), by name: cgraph's dictionary.
using Dictionary = std::map<std::string, Value>;

class Writer {
  public:
    explicit Writer(const Scene& scene) : m_scene(scene) {
        for (const Attr& a : scene.graph_attrs)
            m_graph[a.name] = {a.value, a.html};
        m_node["label"] = {"\\N", false};  // what gvContext() declares for every graph
        for (const Attr& a : scene.node_defaults)
            m_node[a.name] = {a.value, a.html};
        for (const Attr& a : scene.edge_defaults)
            m_edge[a.name] = {a.value, a.html};
        // Attributes first set on one object are declared with an empty default.
        auto declare = [](Dictionary& d, const std::vector<Attr>& attrs) {
            for (const Attr& a : attrs)
                d.try_emplace(a.name, Value{});
        };
        for (const SceneNode& n : scene.nodes)
            declare(m_node, n.attrs);
        for (const SceneEdge& e : scene.edges)
            declare(m_edge, e.attrs);

        const std::size_t n = scene.nodes.size();
        m_out_edges.resize(n);
        m_in_tails.resize(n);
        for (std::uint32_t i = 0; i < scene.edges.size(); ++i) {
            m_out_edges[scene.edges[i].tail].push_back(i);
            m_in_tails[scene.edges[i].head].push_back(scene.edges[i].tail);
        }
        // Subgraphs: each cluster in its parent, then the rank=sink subgraph of the legend.
        m_subgraphs.resize(scene.clusters.size() + (scene.sink_rank.empty() ? 0 : 1));
        m_children.resize(m_subgraphs.size() + 1);  // the last: the root's
        for (std::uint32_t c = 0; c < scene.clusters.size(); ++c) {
            const std::uint32_t parent = scene.clusters[c].parent;
            m_children[parent == no_cluster ? m_subgraphs.size() : parent].push_back(c);
        }
        if (!scene.sink_rank.empty()) m_children.back().push_back(sink());
        // A node belongs to its cluster and to every cluster around it.
        for (std::uint32_t i = 0; i < n; ++i)
            for (std::uint32_t c = scene.nodes[i].cluster; c != no_cluster;
                 c = scene.clusters[c].parent)
                m_subgraphs[c].push_back(i);
        if (!scene.sink_rank.empty()) {
            std::vector<std::uint32_t>& members = m_subgraphs[sink()];
            members = scene.sink_rank;
            std::sort(members.begin(), members.end());
            members.erase(std::unique(members.begin(), members.end()), members.end());
        }
        m_in_subgraph.assign(n, false);
        for (std::uint32_t child : m_children.back())
            for (std::uint32_t i : m_subgraphs[child])
                m_in_subgraph[i] = true;
        m_written.assign(n, false);
    }

    std::string write() {
        m_text += "digraph " + canonical(m_scene.name, false) + " {\n";
        m_level = 1;
        write_dictionary("graph", m_graph);
        write_dictionary("node", m_node);
        write_dictionary("edge", m_edge);
        write_body(root());
        m_text += "}\n";
        return std::move(m_text);
    }

  private:
    [[nodiscard]] std::uint32_t sink() const {
        return static_cast<std::uint32_t>(m_scene.clusters.size());
    }
    [[nodiscard]] std::uint32_t root() const {
        return static_cast<std::uint32_t>(m_subgraphs.size());
    }

    void indent() { m_text.append(m_level, '\t'); }

    /// `graph [a=b,\n\t\tc=d\n\t];`: the defaults that are not empty, by name.
    void write_dictionary(std::string_view kind, const Dictionary& dict) {
        std::size_t count = 0;
        for (const auto& [name, value] : dict) {
            if (value.text.empty() && !value.html) continue;
            write_list_item(count, kind, name, value);
        }
        end_list(count);
    }

    /// A subgraph's own graph attributes: each one it sets, by name.
    void write_subgraph_attrs(const std::vector<Attr>& attrs) {
        Dictionary own;
        for (const Attr& a : attrs)
            own[a.name] = {a.value, a.html};
        std::size_t count = 0;
        for (const auto& [name, value] : own)
            write_list_item(count, "graph", name, value);
        end_list(count);
    }

    void write_list_item(std::size_t& count, std::string_view kind, const std::string& name,
                         const Value& value) {
        if (count++ == 0) {
            indent();
            m_text += kind;
            m_text += " [";
            ++m_level;
        } else {
            m_text += ",\n";
            indent();
        }
        m_text += canonical(name, false) + "=" + canonical(value.text, value.html);
    }

    void end_list(std::size_t count) {
        if (count == 0) return;
        --m_level;
        if (count > 1) {
            m_text += "\n";
            indent();
        }
        m_text += "];\n";
    }

    /// `\t[a=b,\n\t\tc=d]`: the attributes that differ from the declared defaults, by name.
    void write_attrs(const std::vector<Attr>& attrs, const Dictionary& defaults) {
        std::map<std::string, Value> set;
        for (const Attr& a : attrs)
            set[a.name] = {a.value, a.html};
        std::size_t count = 0;
        for (const auto& [name, value] : set) {
            const auto d = defaults.find(name);
            if (d != defaults.end() && d->second == value) continue;
            if (count++ == 0) {
                m_text += "\t[";
                ++m_level;
            } else {
                m_text += ",\n";
                indent();
            }
            m_text += canonical(name, false) + "=" + canonical(value.text, value.html);
        }
        if (count > 0) {
            m_text += "]";
            --m_level;
        }
    }

    void write_node(std::uint32_t i) {
        indent();
        m_text += canonical(m_scene.nodes[i].name, false);
        if (!m_written[i]) write_attrs(m_scene.nodes[i].attrs, m_node);
        m_written[i] = true;
        m_text += ";\n";
    }

    /// Whether a node is written where the writer is now: not inside a subgraph of this one,
    /// not after a predecessor that came earlier, and worth a statement of its own.
    [[nodiscard]] bool node_test(std::uint32_t graph, std::uint32_t i, std::uint32_t seq) const {
        if (graph != root()) return !in_child(graph, i) && i >= seq;  // no edges in subgraphs
        if (m_in_subgraph[i] || i < seq) return false;
        for (std::uint32_t tail : m_in_tails[i])
            if (tail < seq) return false;
        const bool has_edges = !m_in_tails[i].empty() || !m_out_edges[i].empty();
        return !has_edges || differs_from_defaults(m_scene.nodes[i].attrs);
    }

    [[nodiscard]] bool in_child(std::uint32_t graph, std::uint32_t i) const {
        for (std::uint32_t child : m_children[graph])
            if (std::binary_search(m_subgraphs[child].begin(), m_subgraphs[child].end(), i))
                return true;
        return false;
    }

    [[nodiscard]] bool differs_from_defaults(const std::vector<Attr>& attrs) const {
        for (const Attr& a : attrs) {
            const auto d = m_node.find(a.name);
            if (d == m_node.end() || !(d->second == Value{a.value, a.html})) return true;
        }
        return false;
    }

    void write_edge(std::uint32_t e) {
        const SceneEdge& edge = m_scene.edges[e];
        indent();
        m_text += canonical(m_scene.nodes[edge.tail].name, false) + " -> " +
                  canonical(m_scene.nodes[edge.head].name, false);
        write_attrs(edge.attrs, m_edge);
        m_text += ";\n";
    }

    void write_body(std::uint32_t graph) {
        for (std::uint32_t child : m_children[graph]) {
            indent();
            m_text += "subgraph ";
            m_text += canonical(child == sink() ? "sink" : m_scene.clusters[child].name, false);
            m_text += " {\n";
            ++m_level;
            write_subgraph_attrs(child == sink() ? std::vector<Attr>{Attr{"rank", "sink", false}}
                                                 : m_scene.clusters[child].attrs);
            write_body(child);
            --m_level;
            indent();
            m_text += "}\n";
        }
        if (graph != root()) {
            for (std::uint32_t i : m_subgraphs[graph])
                if (node_test(graph, i, i)) write_node(i);
            return;
        }
        for (std::uint32_t n = 0; n < m_scene.nodes.size(); ++n) {
            if (node_test(graph, n, n)) write_node(n);
            std::uint32_t prev = n;
            for (std::uint32_t e : m_out_edges[n]) {
                const std::uint32_t head = m_scene.edges[e].head;
                if (prev != head && node_test(graph, head, n)) {
                    write_node(head);
                    prev = head;
                }
                write_edge(e);
            }
        }
    }

    const Scene& m_scene;
    Dictionary m_graph, m_node, m_edge;
    std::vector<std::vector<std::uint32_t>> m_out_edges, m_in_tails;
    std::vector<std::vector<std::uint32_t>> m_subgraphs;  ///< members of each, ascending
    std::vector<std::vector<std::uint32_t>> m_children;   ///< subgraphs of each (root last)
    std::vector<bool> m_in_subgraph, m_written;
    std::string m_text;
    std::size_t m_level = 0;
};

}  // namespace

std::string write_dot(const Scene& scene) { return Writer(scene).write(); }

}  // namespace mgrad::render_detail
