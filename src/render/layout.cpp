// Choosing the layout engine, and the native one: Graphviz's libraries behind the C interface
// of src/render/graphviz/api.h, in this process or in a child process that can be killed.
#include "mgrad/render/layout.hpp"

#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "graphviz/api.h"
#include "mgrad/support/error.hpp"
#include "mgrad/support/module.hpp"

#if !defined(__EMSCRIPTEN__)
#include "child_process.hpp"

// Defined when Graphviz's back end is linked into the program (mgrad::mgrad); otherwise the
// module is loaded.
extern "C" const MgradGraphvizApi* mgrad_graphviz_api(void) __attribute__((weak));
#endif

namespace mgrad {
namespace {

std::mutex& engine_mutex() {
    static std::mutex m;
    return m;
}

std::shared_ptr<LayoutEngine>& chosen_engine() {
    static std::shared_ptr<LayoutEngine> engine;
    return engine;
}

#if !defined(__EMSCRIPTEN__)

/// Graphs this small (nodes and virtual nodes, Scene::layout_size) are laid out in the calling
/// process even when the caller can interrupt: bounded as layout_budget.hpp bounds them, they
/// take a few tens of milliseconds, less than starting a child.
constexpr std::size_t in_process_layout = 300;

/// Bytes from the back end, released by it.
class BackendBytes {
  public:
    explicit BackendBytes(const MgradGraphvizApi& api) : m_api(api) {}
    BackendBytes(const BackendBytes&) = delete;
    BackendBytes& operator=(const BackendBytes&) = delete;
    ~BackendBytes() {
        if (m_data != nullptr) m_api.release(m_data);
    }
    char** out() noexcept { return &m_data; }
    std::size_t* size() noexcept { return &m_size; }
    [[nodiscard]] std::string str() const {
        return m_data == nullptr ? std::string() : std::string(m_data, m_size);
    }
    /// A message that carries no size: up to its terminating zero.
    [[nodiscard]] std::string c_str() const { return m_data == nullptr ? "unknown" : m_data; }

  private:
    const MgradGraphvizApi& m_api;
    char* m_data = nullptr;
    std::size_t m_size = 0;
};

class GraphvizEngine final : public LayoutEngine {
  public:
    explicit GraphvizEngine(const MgradGraphvizApi& api) : m_api(api) {}

    std::string render(std::string_view dot, Format format, const LayoutSize& size,
                       const DrawControl& control) override {
        const std::string name(format_name(format));
        {
            BackendBytes why(m_api);
            if (m_api.has_format(name.c_str(), why.out()) == 0)
                throw Error(fmt::format(
                    "cannot write {}: this Graphviz has no '{}' output; it comes with {}. Install "
                    "that package (and run `dot -c` as root to register its plugins)",
                    name, name, why.c_str()));
        }
        if (!control.active() || size.layout <= in_process_layout) {
            std::string bytes = lay_out(dot, name, false);
            if (control.cancelled && control.cancelled())
                throw Error("interrupted; nothing was written");
            return bytes;
        }
        m_api.warm_up();  // the child inherits the loaded text layout
        struct Held {
            const MgradGraphvizApi& api;
            explicit Held(const MgradGraphvizApi& a) : api(a) { api.lock(); }
            ~Held() { api.unlock(); }
            Held(const Held&) = delete;
            Held& operator=(const Held&) = delete;
        } held(m_api);  // across the fork: no other thread can hold it in the child
        return render_detail::run_in_child([&] { return lay_out(dot, name, true); }, control,
                                           size.nodes);
    }

  private:
    std::string lay_out(std::string_view dot, const std::string& format, bool locked) {
        BackendBytes bytes(m_api);
        if (m_api.render(dot.data(), dot.size(), format.c_str(), locked ? 1 : 0, bytes.out(),
                         bytes.size(), nullptr) != 0)
            throw Error(bytes.str());
        return bytes.str();
    }

    const MgradGraphvizApi& m_api;
};

/// The native engine, made once: the linked back end, else the module.
std::shared_ptr<LayoutEngine> native_engine() {
    static std::shared_ptr<LayoutEngine> engine;
    static std::string failure;
    if (engine) return engine;
    if (!failure.empty()) throw Error(failure);
    const MgradGraphvizApi* api = mgrad_graphviz_api != nullptr ? mgrad_graphviz_api() : nullptr;
    std::string why;
    if (api == nullptr) {
        using Get = const MgradGraphvizApi* (*)();
        if (void* get = find_module_symbol("libmgrad-graphviz.so", "mgrad_graphviz_api", why))
            api = reinterpret_cast<Get>(get)();
    }
    if (api == nullptr || api->version != MGRAD_GRAPHVIZ_API_VERSION) {
        if (api != nullptr) why = "libmgrad-graphviz.so belongs to another build of mgrad";
        failure = fmt::format(
            "drawing SVG, PNG or PDF needs Graphviz's libraries, which this mgrad cannot load "
            "({}). Install Graphviz (Debian and Ubuntu: apt install libgvc6; macOS: brew install "
            "graphviz); DOT and JSON need nothing",
            why);
        throw Error(failure);
    }
    engine = std::make_shared<GraphvizEngine>(*api);
    return engine;
}

#else

std::shared_ptr<LayoutEngine> native_engine() {
    throw Error("no layout engine is set for pictures in this build; DOT and JSON need none");
}

#endif

}  // namespace

void set_layout_engine(std::shared_ptr<LayoutEngine> engine) {
    std::lock_guard<std::mutex> lock(engine_mutex());
    chosen_engine() = std::move(engine);
}

std::shared_ptr<LayoutEngine> layout_engine() {
    std::lock_guard<std::mutex> lock(engine_mutex());
    if (!chosen_engine()) chosen_engine() = native_engine();
    return chosen_engine();
}

}  // namespace mgrad
