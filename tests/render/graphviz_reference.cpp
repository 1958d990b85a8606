// The reference for the renderer's DOT writer (tests/test_dot.cpp): the graph of a Scene built
// with cgraph's calls, one node, edge and attribute at a time, and written by Graphviz's own
// writer (agwrite). This is how mgrad drew before it wrote DOT itself.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include <fmt/format.h>

#include "mgrad/support/error.hpp"
#include "render/scene.hpp"

namespace mgrad::render_detail {

std::string graphviz_dot(const Scene& scene);

namespace {

// Graphviz keeps global state (error handler, string dictionaries of the context): one lock
// around every call keeps concurrent draws from different threads safe.
std::mutex& graphviz_mutex() {
    static std::mutex m;
    return m;
}

// Graphviz reports through agerr(); collect the text so it can go into the Error message
// instead of onto stderr in the middle of a REPL session.
std::string& graphviz_messages() {
    static std::string text;
    return text;
}

int collect_message(char* message) {
    if (message != nullptr) graphviz_messages() += message;
    return 0;
}

std::string take_messages() {
    std::string text = std::move(graphviz_messages());
    graphviz_messages().clear();
    while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
        text.pop_back();
    return text;
}

std::string with_details(std::string message) {
    std::string details = take_messages();
    if (!details.empty()) message += " (Graphviz: " + details + ")";
    return message;
}

// Graphviz 2.42/2.43 (Debian 12) take `char*` where newer releases take `const char*`.
char* c_str(const std::string& s) { return const_cast<char*>(s.c_str()); }
char* c_str(const char* s) { return const_cast<char*>(s); }

/// The gvc context: created on first use, so programs that never draw never load plugins.
class Context {
  public:
    Context() : m_gvc(gvContext()) {
        if (m_gvc == nullptr) throw Error(with_details("could not create a Graphviz context"));
        int count = 0;
        char** list = gvPluginList(m_gvc, "device", &count, nullptr);
        for (int i = 0; list != nullptr && i < count; ++i) {
            m_devices.emplace_back(list[i]);
            std::free(list[i]);
        }
        std::free(list);
    }
    Context(const Context&) = delete;
    Context& operator=(const Context&) = delete;
    ~Context() { gvFreeContext(m_gvc); }

    [[nodiscard]] GVC_t* get() const noexcept { return m_gvc; }
    [[nodiscard]] bool has_device(std::string_view format) const {
        for (const std::string& d : m_devices)
            if (d == format) return true;
        return false;
    }

  private:
    GVC_t* m_gvc;
    std::vector<std::string> m_devices;
};

Context& context() {
    static Context instance;  // after the first successful call, for the process's lifetime
    return instance;
}

/// A cgraph graph, closed on destruction.
class AGraph {
  public:
    explicit AGraph(const std::string& name) : m_g(agopen(c_str(name), Agdirected, nullptr)) {
        if (m_g == nullptr) throw Error(with_details("Graphviz could not create a graph"));
    }
    AGraph(AGraph&& other) noexcept : m_g(std::exchange(other.m_g, nullptr)) {}
    AGraph& operator=(AGraph&& other) noexcept {
        std::swap(m_g, other.m_g);
        return *this;
    }
    AGraph(const AGraph&) = delete;
    AGraph& operator=(const AGraph&) = delete;
    ~AGraph() {
        if (m_g != nullptr) agclose(m_g);
    }
    [[nodiscard]] Agraph_t* get() const noexcept { return m_g; }

  private:
    Agraph_t* m_g;
};

/// A string in the graph's reference-counted dictionary. cgraph may ask whether a value is an
/// HTML-like string by looking at the header in front of it, so values always go in this way.
class RefStr {
  public:
    RefStr(Agraph_t* g, const std::string& text, bool html)
        : m_g(g), m_s(html ? agstrdup_html(g, c_str(text)) : agstrdup(g, c_str(text))) {
        if (m_s == nullptr) throw Error("Graphviz is out of memory");
    }
    RefStr(const RefStr&) = delete;
    RefStr& operator=(const RefStr&) = delete;
    ~RefStr() { agstrfree(m_g, m_s); }
    [[nodiscard]] char* get() const noexcept { return m_s; }

  private:
    Agraph_t* m_g;
    char* m_s;
};

void set_attr(Agraph_t* root, void* object, const Attr& attr) {
    RefStr value(root, attr.value, attr.html);
    RefStr empty(root, "", false);
    if (agsafeset(object, c_str(attr.name), value.get(), empty.get()) != 0)
        throw Error(with_details(fmt::format("Graphviz rejected the attribute {}", attr.name)));
}

void declare_defaults(Agraph_t* g, int kind, const std::vector<Attr>& attrs) {
    for (const Attr& a : attrs) {
        RefStr value(g, a.value, a.html);
        if (agattr(g, kind, c_str(a.name), value.get()) == nullptr)
            throw Error(with_details(fmt::format("Graphviz rejected the default {}", a.name)));
    }
}

AGraph build(const Scene& scene) {
    AGraph graph(scene.name);
    Agraph_t* g = graph.get();
    declare_defaults(g, AGRAPH, scene.graph_attrs);
    declare_defaults(g, AGNODE, scene.node_defaults);
    declare_defaults(g, AGEDGE, scene.edge_defaults);

    std::vector<Agraph_t*> clusters;
    clusters.reserve(scene.clusters.size());
    for (const SceneCluster& c : scene.clusters) {
        Agraph_t* parent = c.parent == no_cluster ? g : clusters.at(c.parent);
        Agraph_t* sub = agsubg(parent, c_str(c.name), 1);
        if (sub == nullptr) throw Error(with_details("Graphviz could not create a cluster"));
        for (const Attr& a : c.attrs)
            set_attr(g, sub, a);
        clusters.push_back(sub);
    }

    std::vector<Agnode_t*> nodes;
    nodes.reserve(scene.nodes.size());
    for (const SceneNode& n : scene.nodes) {
        Agnode_t* node = agnode(g, c_str(n.name), 1);
        if (node == nullptr) throw Error(with_details("Graphviz could not create a node"));
        for (const Attr& a : n.attrs)
            set_attr(g, node, a);
        if (n.cluster != no_cluster && agsubnode(clusters.at(n.cluster), node, 1) == nullptr)
            throw Error(with_details("Graphviz could not put a node in a cluster"));
        nodes.push_back(node);
    }
    if (!scene.sink_rank.empty()) {
        Agraph_t* sink = agsubg(g, c_str("sink"), 1);
        if (sink == nullptr) throw Error(with_details("Graphviz could not create a subgraph"));
        set_attr(g, sink, Attr{"rank", "sink", false});
        for (std::uint32_t i : scene.sink_rank)
            agsubnode(sink, nodes.at(i), 1);
    }
    for (const SceneEdge& e : scene.edges) {
        // No name: a non-strict graph then makes a new edge even between the same two nodes,
        // which is how `a + a` shows both operands.
        Agedge_t* edge = agedge(g, nodes.at(e.tail), nodes.at(e.head), nullptr, 1);
        if (edge == nullptr) throw Error(with_details("Graphviz could not create an edge"));
        for (const Attr& a : e.attrs)
            set_attr(g, edge, a);
    }
    return graph;
}

/// The FILE* agwrite() writes to, backed by memory.
class MemoryStream {
  public:
    MemoryStream() : m_file(open_memstream(&m_buffer, &m_size)) {
        if (m_file == nullptr) throw Error("out of memory writing DOT text");
    }
    MemoryStream(const MemoryStream&) = delete;
    MemoryStream& operator=(const MemoryStream&) = delete;
    ~MemoryStream() {
        if (m_file != nullptr) std::fclose(m_file);
        std::free(m_buffer);
    }
    [[nodiscard]] FILE* file() const noexcept { return m_file; }
    std::string take() {
        std::fclose(m_file);
        m_file = nullptr;
        return std::string(m_buffer, m_size);
    }

  private:
    char* m_buffer = nullptr;
    std::size_t m_size = 0;
    FILE* m_file;
};

/// Routes Graphviz messages into graphviz_messages() for the duration of one call.
class Capture {
  public:
    Capture() : m_lock(graphviz_mutex()), m_previous(agseterrf(collect_message)) {
        graphviz_messages().clear();
    }
    Capture(const Capture&) = delete;
    Capture& operator=(const Capture&) = delete;
    ~Capture() {
        agseterrf(m_previous);
        graphviz_messages().clear();
    }

  private:
    std::lock_guard<std::mutex> m_lock;
    agusererrf m_previous;
};

}  // namespace

std::string graphviz_dot(const Scene& scene) {
    Capture capture;
    // gvContext() also sets cgraph's default attributes (label="\\N"): create it first so the
    // DOT text is the same whether or not something was drawn before.
    (void)context();
    AGraph graph = build(scene);
    MemoryStream stream;
    if (agwrite(graph.get(), stream.file()) != 0)
        throw Error(with_details("Graphviz could not write the DOT text"));
    return stream.take();
}

}  // namespace mgrad::render_detail
