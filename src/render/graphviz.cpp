// The only file that calls Graphviz (cgraph + gvc). Each C resource lives in a move-only RAII
// class, every non-zero return code becomes an mgrad::Error, and everything built so far is
// freed before the exception leaves (the destructors run during unwinding).
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

#include "child_process.hpp"
#include "mgrad/support/error.hpp"
#include "scene.hpp"

namespace mgrad::render_detail {
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

/// A dot layout of one graph, freed on destruction. Lays out in the constructor.
class Layout {
  public:
    Layout(GVC_t* gvc, Agraph_t* g) : m_gvc(gvc), m_g(g) {
        if (gvLayout(gvc, g, "dot") != 0) {
            // gvLayout may have allocated part of the layout before failing.
            gvFreeLayout(gvc, g);
            throw Error(with_details("Graphviz could not lay out the graph"));
        }
    }
    Layout(const Layout&) = delete;
    Layout& operator=(const Layout&) = delete;
    ~Layout() { gvFreeLayout(m_gvc, m_g); }

  private:
    GVC_t* m_gvc;
    Agraph_t* m_g;
};

/// gvRenderData's output buffer, freed with gvFreeRenderData.
class RenderBuffer {
  public:
    RenderBuffer() = default;
    RenderBuffer(const RenderBuffer&) = delete;
    RenderBuffer& operator=(const RenderBuffer&) = delete;
    ~RenderBuffer() {
        if (m_data != nullptr) gvFreeRenderData(m_data);
    }
    char** out() noexcept { return &m_data; }
    [[nodiscard]] const char* data() const noexcept { return m_data; }

  private:
    char* m_data = nullptr;
};

// gvRenderData's length is `unsigned int*` up to Graphviz 2.4x and `size_t*` from 3.0 on:
// deduce it from the function itself so both compile.
template <class Length>
int render_data(int (*fn)(GVC_t*, graph_t*, const char*, char**, Length*), GVC_t* gvc, graph_t* g,
                const char* format, char** result, std::size_t& length) {
    Length n = 0;
    int rc = fn(gvc, g, format, result, &n);
    length = static_cast<std::size_t>(n);
    return rc;
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

const char* plugin_for(std::string_view format) {
    if (format == "png" || format == "pdf")
        return "Graphviz's cairo plugin (libgvplugin_pango.so, Debian package libgvc6)";
    return "Graphviz's core plugin (libgvplugin_core.so, Debian package libgvc6)";
}

}  // namespace

std::string graphviz_dot(const Scene& scene) {
    Capture capture;
    // gvContext() also sets cgraph's default attributes (label="\N"): create it first so the
    // DOT text is the same whether or not something was drawn before.
    (void)context();
    AGraph graph = build(scene);
    MemoryStream stream;
    if (agwrite(graph.get(), stream.file()) != 0)
        throw Error(with_details("Graphviz could not write the DOT text"));
    return stream.take();
}

namespace {

/// Cairo cannot make a bitmap wider or taller than 32,767 pixels, and the time it takes (and
/// the PNG's size) grows with the pixels: a drawing larger than this is scaled down to it.
constexpr double max_png_side = 32640;                 // pixels
constexpr double max_png_pixels = 16.0 * 1024 * 1024;  // 16 megapixels: about a second

/// Scales a laid-out drawing down so that its bitmap stays within the limits above. Sets the
/// drawing's size the way the `size` attribute would, after the layout (which reads `size`)
/// and before rendering (which applies it).
void fit_bitmap(Agraph_t* g) {
    const boxf bb = GD_bb(g);
    const double dpi = 96.0;  // cairo's default
    const double w = (bb.UR.x - bb.LL.x) * dpi / 72.0, h = (bb.UR.y - bb.LL.y) * dpi / 72.0;
    if (w <= 0 || h <= 0) return;
    double scale =
        std::min({1.0, max_png_side / w, max_png_side / h, std::sqrt(max_png_pixels / (w * h))});
    if (scale >= 1.0) return;
    GD_drawing(g)->size.x = (bb.UR.x - bb.LL.x) * scale;
    GD_drawing(g)->size.y = (bb.UR.y - bb.LL.y) * scale;
    GD_drawing(g)->filled = false;
}

/// Graphs this small (nodes and virtual nodes, Scene::layout_size) are laid out in the calling
/// process even when the caller can interrupt: bounded as layout_budget.hpp bounds them, they
/// take a few tens of milliseconds, less than starting a child.
constexpr std::size_t in_process_layout = 300;

/// Lays out one small box here, once: Graphviz then has its text layout (pango, fontconfig and
/// their caches) loaded in this process, and every child inherits it instead of loading it
/// again (about 50 ms a drawing).
void warm_up(Context& ctx) {
    static bool warm = false;
    if (warm) return;
    warm = true;
    Scene scene;
    scene.name = "warm_up";
    scene.nodes.push_back(SceneNode{
        "v0",
        {Attr{"shape", "record", false}, Attr{"fontname", "DejaVu Sans,Helvetica,Arial,sans-serif"},
         Attr{"label", "{ a | data 1.0000 }", false}}});
    AGraph graph = build(scene);
    Layout layout(ctx.get(), graph.get());
    RenderBuffer buffer;
    std::size_t length = 0;
    (void)render_data(&gvRenderData, ctx.get(), graph.get(), "svg", buffer.out(), length);
}

/// graphviz_render's work, with the lock already held (in the child, the lock is the parent's).
std::string render_locked(const Scene& scene, std::string_view format, GraphvizTimings* timings) {
    using Clock = std::chrono::steady_clock;
    auto seconds = [](Clock::time_point from, Clock::time_point to) {
        return std::chrono::duration<double>(to - from).count();
    };
    Context& ctx = context();
    const std::string fmt_name(format);
    auto t0 = Clock::now();
    AGraph graph = build(scene);
    auto t1 = Clock::now();
    Layout layout(ctx.get(), graph.get());
    if (format == "png") fit_bitmap(graph.get());
    auto t2 = Clock::now();
    RenderBuffer buffer;
    std::size_t length = 0;
    int rc =
        render_data(&gvRenderData, ctx.get(), graph.get(), fmt_name.c_str(), buffer.out(), length);
    if (timings != nullptr)
        *timings = {seconds(t0, t1), seconds(t1, t2), seconds(t2, Clock::now())};
    if (rc != 0 || buffer.data() == nullptr)
        throw Error(with_details(fmt::format("Graphviz could not render {} (missing {}?)", fmt_name,
                                             plugin_for(format))));
    return std::string(buffer.data(), length);
}

}  // namespace

std::string graphviz_render(const Scene& scene, std::string_view format, const DrawControl& control,
                            GraphvizTimings* timings) {
    Capture capture;           // holds Graphviz's lock, also across the fork
    Context& ctx = context();  // created here, so that a child inherits the loaded plugins
    const std::string fmt_name(format);
    if (!ctx.has_device(fmt_name))
        throw Error(fmt::format(
            "cannot write {}: this Graphviz has no '{}' output; it comes with {}. Install that "
            "package (and run `dot -c` as root to register its plugins)",
            fmt_name, fmt_name, plugin_for(format)));
    if (!control.active()) return render_locked(scene, format, timings);
    if (scene.layout_size <= in_process_layout) {
        // Quicker than starting a child (about 35 ms); an interrupt is honoured right after.
        std::string bytes = render_locked(scene, format, timings);
        if (control.cancelled && control.cancelled())
            throw Error("interrupted; nothing was written");
        return bytes;
    }
    warm_up(ctx);
    return run_in_child([&] { return render_locked(scene, format, timings); }, control,
                        scene.nodes.size());
}

}  // namespace mgrad::render_detail
