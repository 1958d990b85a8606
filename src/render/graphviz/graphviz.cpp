// The Graphviz back end: DOT text in, a laid-out picture out (api.h). The only code that calls
// Graphviz (cgraph + gvc). Each C resource lives in a move-only RAII class, every non-zero
// return code becomes an exception inside the module, and the C entry points turn it into a
// message; everything built so far is freed before the message leaves.
#include "api.h"

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

/// A failure inside the module; its message goes back through the C interface.
struct Failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Graphviz keeps global state (error handler, string dictionaries of the context): one lock
// around every call keeps concurrent draws from different threads safe.
std::mutex& graphviz_mutex() {
    static std::mutex m;
    return m;
}

// Graphviz reports through agerr(); collect the text so it can go into the message instead
// of onto stderr in the middle of a REPL session.
std::string& graphviz_messages() {
    static std::string text;
    return text;
}

int collect_message(char* message) {
    if (message != nullptr) graphviz_messages() += message;
    return 0;
}

std::string with_details(std::string message) {
    std::string details = std::move(graphviz_messages());
    graphviz_messages().clear();
    while (!details.empty() && (details.back() == '\n' || details.back() == ' '))
        details.pop_back();
    if (!details.empty()) message += " (Graphviz: " + details + ")";
    return message;
}

/// The gvc context: created on first use, so programs that never draw never load plugins.
class Context {
  public:
    Context() : m_gvc(gvContext()) {
        if (m_gvc == nullptr) throw Failure(with_details("could not create a Graphviz context"));
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
        return std::find(m_devices.begin(), m_devices.end(), format) != m_devices.end();
    }

  private:
    GVC_t* m_gvc;
    std::vector<std::string> m_devices;
};

Context& context() {
    static Context instance;  // after the first successful call, for the process's lifetime
    return instance;
}

/// A cgraph graph read from DOT text, closed on destruction.
class AGraph {
  public:
    explicit AGraph(const std::string& dot) : m_g(agmemread(dot.c_str())) {
        if (m_g == nullptr) throw Failure(with_details("Graphviz could not read the DOT text"));
    }
    AGraph(const AGraph&) = delete;
    AGraph& operator=(const AGraph&) = delete;
    ~AGraph() { agclose(m_g); }
    [[nodiscard]] Agraph_t* get() const noexcept { return m_g; }

  private:
    Agraph_t* m_g;
};

/// A dot layout of one graph, freed on destruction. Lays out in the constructor.
class Layout {
  public:
    Layout(GVC_t* gvc, Agraph_t* g) : m_gvc(gvc), m_g(g) {
        if (gvLayout(gvc, g, "dot") != 0) {
            gvFreeLayout(gvc, g);  // gvLayout may have allocated part of the layout
            throw Failure(with_details("Graphviz could not lay out the graph"));
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
        if (m_file == nullptr) throw Failure("out of memory writing DOT text");
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

/// Holds Graphviz's lock (unless the caller does) and routes its messages into
/// graphviz_messages() for one call.
class Capture {
  public:
    explicit Capture(bool locked = false) : m_locked(!locked) {
        if (m_locked) graphviz_mutex().lock();
        m_previous = agseterrf(collect_message);
        graphviz_messages().clear();
    }
    Capture(const Capture&) = delete;
    Capture& operator=(const Capture&) = delete;
    ~Capture() {
        agseterrf(m_previous);
        graphviz_messages().clear();
        if (m_locked) graphviz_mutex().unlock();
    }

  private:
    bool m_locked;
    agusererrf m_previous = nullptr;
};

const char* plugin_for(std::string_view format) {
    if (format == "png" || format == "pdf")
        return "Graphviz's cairo plugin (libgvplugin_pango.so, Debian package libgvc6)";
    return "Graphviz's core plugin (libgvplugin_core.so, Debian package libgvc6)";
}

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

std::string render(const std::string& dot, const std::string& format, bool locked,
                   double* timings) {
    using Clock = std::chrono::steady_clock;
    auto seconds = [](Clock::time_point from, Clock::time_point to) {
        return std::chrono::duration<double>(to - from).count();
    };
    Capture capture(locked);
    Context& ctx = context();
    if (!ctx.has_device(format))
        throw Failure("cannot write " + format + ": this Graphviz has no '" + format +
                      "' output; it comes with " + plugin_for(format) +
                      ". Install that package (and run `dot -c` as root to register its plugins)");
    auto t0 = Clock::now();
    AGraph graph(dot);
    auto t1 = Clock::now();
    Layout layout(ctx.get(), graph.get());
    if (format == "png") fit_bitmap(graph.get());
    auto t2 = Clock::now();
    RenderBuffer buffer;
    std::size_t length = 0;
    int rc =
        render_data(&gvRenderData, ctx.get(), graph.get(), format.c_str(), buffer.out(), length);
    if (timings != nullptr) {
        timings[0] = seconds(t0, t1);
        timings[1] = seconds(t1, t2);
        timings[2] = seconds(t2, Clock::now());
    }
    if (rc != 0 || buffer.data() == nullptr)
        throw Failure(with_details("Graphviz could not render " + format + " (missing " +
                                   plugin_for(format) + "?)"));
    return std::string(buffer.data(), length);
}

std::string rewrite(const std::string& dot) {
    Capture capture;
    // gvContext() also sets cgraph's default attributes (label="\N"): create it first so the
    // DOT text is the same whether or not something was drawn before.
    (void)context();
    AGraph graph(dot);
    MemoryStream stream;
    if (agwrite(graph.get(), stream.file()) != 0)
        throw Failure(with_details("Graphviz could not write the DOT text"));
    return stream.take();
}

/// Bytes handed across the C interface: malloc'd, so that release() is free().
char* copy_out(const std::string& bytes, std::size_t* size) {
    char* p = static_cast<char*>(std::malloc(bytes.size() + 1));
    if (p == nullptr) return nullptr;
    std::memcpy(p, bytes.data(), bytes.size());
    p[bytes.size()] = '\0';
    if (size != nullptr) *size = bytes.size();
    return p;
}

template <class Work>
int guarded(char** out, std::size_t* out_size, Work&& work) {
    try {
        *out = copy_out(work(), out_size);
        return *out == nullptr ? 1 : 0;
    } catch (const std::exception& e) {
        *out = copy_out(e.what(), out_size);
    } catch (...) {
        *out = copy_out("Graphviz failed", out_size);
    }
    return 1;
}

int api_render(const char* dot, std::size_t dot_size, const char* format, int locked, char** out,
               std::size_t* out_size, double* timings) {
    return guarded(out, out_size, [&] {
        return render(std::string(dot, dot_size), format, locked != 0, timings);
    });
}

int api_has_format(const char* format, char** why) {
    try {
        std::lock_guard<std::mutex> lock(graphviz_mutex());
        if (context().has_device(format)) return 1;
        *why = copy_out(plugin_for(format), nullptr);
    } catch (const std::exception& e) {
        *why = copy_out(e.what(), nullptr);
    }
    return 0;
}

void api_warm_up() {
    static bool warm = false;
    if (warm) return;
    warm = true;
    try {
        (void)render(
            "digraph warm_up { v0 [shape=record, fontname=\"DejaVu Sans,Helvetica,Arial,"
            "sans-serif\", label=\"{ a | data 1.0000 }\"]; }",
            "svg", false, nullptr);
    } catch (const std::exception&) {
        // Only a head start: the real layout reports what is wrong.
    }
}

void api_release(char* p) { std::free(p); }
void api_lock() { graphviz_mutex().lock(); }
void api_unlock() { graphviz_mutex().unlock(); }

int api_rewrite(const char* dot, std::size_t dot_size, char** out, std::size_t* out_size) {
    return guarded(out, out_size, [&] { return rewrite(std::string(dot, dot_size)); });
}

constexpr MgradGraphvizApi the_api{MGRAD_GRAPHVIZ_API_VERSION,
                                   api_render,
                                   api_has_format,
                                   api_warm_up,
                                   api_release,
                                   api_lock,
                                   api_unlock,
                                   api_rewrite};

}  // namespace

extern "C" MGRAD_BACKEND_EXPORT const MgradGraphvizApi* mgrad_graphviz_api(void) {
    return &the_api;
}
