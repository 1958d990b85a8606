// Plots: checking what is asked before anything is drawn, the descriptions, the engine that
// draws them (PLplot behind the C interface of src/plot/plplot/api.h, in this program or loaded
// from its module), and writing the files.
#include "mgrad/plot/plot.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "mgrad/support/atomic_file.hpp"
#include "mgrad/support/error.hpp"
#include "mgrad/support/module.hpp"
#include "plplot/api.h"

#if !defined(__EMSCRIPTEN__)
// Defined when PLplot's back end is linked into the program (mgrad::mgrad); otherwise the module
// is loaded.
extern "C" const MgradPlplotApi* mgrad_plplot_api(void) __attribute__((weak));
#endif

namespace mgrad {

namespace {

/// "png", "svg" or "pdf" from a file's extension.
std::string format_for(const std::filesystem::path& file) {
    std::string ext = file.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (ext == ".png" || ext == ".svg" || ext == ".pdf") return ext.substr(1);
    throw Error(fmt::format("cannot plot to '{}': the file name must end in .png, .svg or .pdf",
                            file.string()));
}

std::mutex& engine_mutex() {
    static std::mutex m;
    return m;
}

std::shared_ptr<PlotEngine>& chosen_engine() {
    static std::shared_ptr<PlotEngine> engine;
    return engine;
}

#if !defined(__EMSCRIPTEN__)

/// Bytes from the back end, released by it.
class BackendBytes {
  public:
    explicit BackendBytes(const MgradPlplotApi& api) : m_api(api) {}
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
    const MgradPlplotApi& m_api;
    char* m_data = nullptr;
    std::size_t m_size = 0;
};

class PlplotEngine final : public PlotEngine {
  public:
    explicit PlplotEngine(const MgradPlplotApi& api) : m_api(api) {}
    std::string missing(std::string_view format) override {
        const std::string name(format);
        BackendBytes why(m_api);
        if (m_api.has_format(name.c_str(), why.out()) != 0) return {};
        return why.c_str();
    }
    std::string draw(std::string_view description, std::string_view format) override {
        const std::string name(format);
        BackendBytes bytes(m_api);
        if (m_api.draw(description.data(), description.size(), name.c_str(), bytes.out(),
                       bytes.size()) != 0)
            throw Error(bytes.str());
        return bytes.str();
    }

  private:
    const MgradPlplotApi& m_api;
};

std::shared_ptr<PlotEngine> native_engine() {
    static std::shared_ptr<PlotEngine> engine;
    static std::string failure;
    if (engine) return engine;
    if (!failure.empty()) throw Error(failure);
    const MgradPlplotApi* api = mgrad_plplot_api != nullptr ? mgrad_plplot_api() : nullptr;
    std::string why;
    if (api == nullptr) {
        using Get = const MgradPlplotApi* (*)();
        if (void* get = find_module_symbol("libmgrad-plplot.so", "mgrad_plplot_api", why))
            api = reinterpret_cast<Get>(get)();
    }
    if (api == nullptr || api->version != MGRAD_PLPLOT_API_VERSION) {
        if (api != nullptr) why = "libmgrad-plplot.so belongs to another build of mgrad";
        failure = fmt::format(
            "plots need PLplot's libraries, which this mgrad cannot load ({}). Install PLplot "
            "(Debian and Ubuntu: apt install libplplot17 plplot-driver-cairo)",
            why);
        throw Error(failure);
    }
    engine = std::make_shared<PlplotEngine>(*api);
    return engine;
}

#else

std::shared_ptr<PlotEngine> native_engine() {
    throw Error("no plot engine is set for plots in this build");
}

#endif

/// The reason `format` cannot be plotted, or empty.
std::string missing(std::string_view format) { return plot_engine()->missing(format); }

[[noreturn]] void throw_missing(const std::filesystem::path& file, const std::string& why) {
    throw Error(fmt::format("cannot write '{}': {}", file.string(), why));
}

void check_charts(std::span<const LineChart> charts) {
    if (charts.empty()) throw Error("nothing to plot: no charts");
    for (const LineChart& c : charts) {
        if (c.series.empty()) throw Error(fmt::format("chart '{}' has no series", c.title));
        for (const Series& s : c.series)
            if (s.x.size() != s.y.size() || s.x.empty())
                throw Error(fmt::format("series '{}' needs as many x as y values, and at least one",
                                        s.name));
    }
}

/// The most classes a boundary plot tells apart (the palette's colours).
constexpr std::size_t max_classes = 8;

void check_boundary(const BoundaryPlot& plot) {
    const ClassGrid& g = plot.grid;
    const std::size_t points = g.nx * g.ny;
    if (g.nx < 2 || g.ny < 2 || g.classes.size() != points)
        throw Error("decision boundary: the grid needs at least 2 × 2 points and one class each");
    if (plot.classes < 2 || plot.classes > max_classes)
        throw Error(
            fmt::format("decision boundary: between 2 and {} classes can be drawn", max_classes));
    const std::size_t m = g.scores.size() / points;
    if (!g.scores.empty() && (g.scores.size() != points * m || (m != 1 && m != plot.classes) ||
                              (m == 1 && plot.classes != 2)))
        throw Error(
            "decision boundary: scores must hold 1 value (two classes) or one per class "
            "for every grid point");
    if (plot.x.size() != plot.y.size() || plot.x.size() != plot.labels.size())
        throw Error("decision boundary: points need an x, a y and a label each");
    for (std::size_t c : g.classes)
        if (c >= plot.classes) throw Error("decision boundary: a grid class is out of range");
    for (std::size_t c : plot.labels)
        if (c >= plot.classes) throw Error("decision boundary: a point's class is out of range");
}

/// Checks the file and draws `description` into it.
void save(const std::string& description, const std::filesystem::path& file) {
    const std::string format = format_for(file);
    if (std::string why = missing(format); !why.empty()) throw_missing(file, why);
    check_writable(file);
    write_file_atomically(file, plot_engine()->draw(description, format));
}

}  // namespace

void set_plot_engine(std::shared_ptr<PlotEngine> engine) {
    std::lock_guard<std::mutex> lock(engine_mutex());
    chosen_engine() = std::move(engine);
}

std::shared_ptr<PlotEngine> plot_engine() {
    std::lock_guard<std::mutex> lock(engine_mutex());
    if (!chosen_engine()) chosen_engine() = native_engine();
    return chosen_engine();
}

bool can_plot(const std::filesystem::path& file) {
    try {
        return missing(format_for(file)).empty();
    } catch (const Error&) {
        return false;
    }
}

void check_can_plot(const std::filesystem::path& file) {
    const std::string format = format_for(file);
    if (std::string why = missing(format); !why.empty()) throw_missing(file, why);
    const std::filesystem::path dir = file.parent_path();
    std::error_code ec;
    if (!dir.empty() && !std::filesystem::is_directory(dir, ec))
        throw Error(fmt::format("cannot write '{}': there is no directory '{}'", file.string(),
                                dir.string()));
    check_writable(file);
}

void save_line_chart(const LineChart& chart, const std::filesystem::path& file) {
    save_line_charts(std::span<const LineChart>(&chart, 1), file);
}

void save_line_charts(std::span<const LineChart> charts, const std::filesystem::path& file) {
    check_charts(charts);
    save(plot_json(charts), file);
}

std::string line_chart_image(const LineChart& chart, std::string_view format) {
    const std::span<const LineChart> charts(&chart, 1);
    check_charts(charts);
    // The checks a file of that format would get; no file is involved.
    const std::filesystem::path like = fmt::format("chart.{}", format);
    if (std::string why = missing(format_for(like)); !why.empty()) throw_missing(like, why);
    return plot_engine()->draw(plot_json(charts), format);
}

std::string shown_plot_format() {
    try {
        return plot_engine()->missing("png").empty() ? "png" : "svg";
    } catch (const Error&) {
        return "png";  // no engine at all: line_chart_image says what to install
    }
}

void save_decision_boundary(const BoundaryPlot& plot, const std::filesystem::path& file) {
    check_boundary(plot);
    save(plot_json(plot), file);
}

}  // namespace mgrad
