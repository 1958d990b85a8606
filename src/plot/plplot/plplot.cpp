// The PLplot back end: a plot's description in, the bytes of a PNG, SVG or PDF out (api.h).
// The only code that talks to PLplot. PLplot ends the process (exit()) on a fatal error, so the
// host checks everything a user can get wrong (the format, the path, the data: src/plot/plot.cpp)
// and this module checks the device before a PLplot stream is opened.
#include "api.h"

#include <plplot.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <mutex>
#include <new>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mgrad/plot/plot.hpp"

namespace mgrad {
namespace {

/// A failure inside the module; its message goes back through the C interface.
struct Error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

constexpr PLINT width_px = 900;
constexpr PLINT height_px = 640;

// cmap0 slots: 0 background, 1 axes and text, 2 grid, 3.. series and classes (matplotlib's
// "tab10" order, readable on white and for the common forms of colour blindness).
constexpr PLINT color_text = 1, color_grid = 2, color_first = 3;
struct Rgb {
    PLINT r, g, b;
};
constexpr std::array<Rgb, 8> palette{{{31, 119, 180},
                                      {255, 127, 14},
                                      {44, 160, 44},
                                      {214, 39, 40},
                                      {148, 103, 189},
                                      {140, 86, 75},
                                      {227, 119, 194},
                                      {127, 127, 127}}};

// PLplot keeps global state (its stream table): one picture at a time.
std::mutex& plplot_mutex() {
    static std::mutex m;
    return m;
}

std::string_view device_for(std::string_view format) {
    if (format == "png") return "pngcairo";
    if (format == "svg") return "svgcairo";
    if (format == "pdf") return "pdfcairo";
    throw Error("PLplot draws png, svg or pdf, not " + std::string(format));
}

// Where PLplot loads its device drivers from: $PLPLOT_DRV_DIR, else the directory it was built
// with (pkg-config's drvdir, passed in by CMake).
std::filesystem::path driver_dir() {
    if (const char* env = std::getenv("PLPLOT_DRV_DIR"); env != nullptr && *env != '\0') return env;
    return MGRAD_PLPLOT_DRV_DIR;
}

// PLplot ends the process when it finds no drivers at all, even from plgDevs(), so the device
// is looked up the way PLplot does it before PLplot is asked anything: a line
// "device:description:…:module:…" in one of the directory's *.driver_info files, and the
// module's shared object beside it.
bool device_installed(std::string_view device) {
    std::error_code ec;
    const std::filesystem::path dir = driver_dir();
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        if (entry.path().extension() != ".driver_info") continue;
        std::ifstream in(entry.path());
        std::string line;
        while (std::getline(in, line)) {
            std::vector<std::string> fields;
            std::size_t start = 0;
            for (std::size_t colon; (colon = line.find(':', start)) != std::string::npos;
                 start = colon + 1)
                fields.push_back(line.substr(start, colon - start));
            fields.push_back(line.substr(start));
            // The fourth field names the module: "cairo" is cairo.so.
            if (fields.size() >= 4 && fields[0] == device &&
                std::filesystem::exists(dir / (fields[3] + ".so"), ec))
                return true;
        }
    }
    return false;
}

std::string missing_device(std::string_view device) {
    return "PLplot's '" + std::string(device) + "' device is not installed in " +
           driver_dir().string() +
           " (Debian package plplot-driver-cairo; or set PLPLOT_DRV_DIR to the directory "
           "holding cairo.so)";
}

/// What PLplot writes, kept in memory (PLplot's cairo devices ignore write errors, so a full
/// disk would give a truncated picture and no error): the bytes then go to the file through
/// the host's atomic writer. PLplot closes the stream itself when the plot ends.
class MemoryOutput {
  public:
    MemoryOutput() : m_file(::open_memstream(&m_data, &m_size)) {
        if (m_file == nullptr) throw std::bad_alloc();
    }
    MemoryOutput(const MemoryOutput&) = delete;
    MemoryOutput& operator=(const MemoryOutput&) = delete;
    ~MemoryOutput() {
        if (m_file != nullptr) std::fclose(m_file);
        std::free(m_data);
    }
    /// The stream for PLplot, which closes it from plinit() on.
    std::FILE* hand_over() noexcept { return std::exchange(m_file, nullptr); }
    /// Complete once the stream is closed.
    [[nodiscard]] std::string_view bytes() const noexcept { return {m_data, m_size}; }

  private:
    char* m_data = nullptr;
    std::size_t m_size = 0;
    std::FILE* m_file;
};

// Opens a fresh PLplot stream writing into `output`, and always closes it.
class Stream {
  public:
    Stream(std::string_view device, MemoryOutput& output, PLINT rows) : m_lock(plplot_mutex()) {
        plgstrm(&m_previous);
        plmkstrm(&m_stream);
        if (m_stream < 0) throw Error("PLplot could not open another stream");
        const std::string dev(device);
        plsdev(dev.c_str());
        plspage(0.0, 0.0, width_px, static_cast<PLINT>(height_px * (rows > 1 ? 1.35 : 1.0)), 0, 0);
        plscmap0n(16);
        plscol0(0, 255, 255, 255);
        plscol0(color_text, 30, 30, 30);
        plscol0(color_grid, 225, 225, 225);
        for (std::size_t i = 0; i < palette.size(); ++i)
            plscol0(color_first + static_cast<PLINT>(i), palette[i].r, palette[i].g, palette[i].b);
        plssub(1, rows);
        plsfile(output.hand_over());
        plinit();
        plfontld(1);
        plschr(0.0, 1.05);
    }
    Stream(const Stream&) = delete;
    Stream& operator=(const Stream&) = delete;
    ~Stream() {
        plend1();
        plsstrm(m_previous);
    }

  private:
    std::lock_guard<std::mutex> m_lock;
    PLINT m_previous = 0;
    PLINT m_stream = -1;
};

struct Range {
    double lo = std::numeric_limits<double>::infinity();
    double hi = -std::numeric_limits<double>::infinity();
    void add(double v) {
        if (!std::isfinite(v)) return;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    // A little air around the data, and a visible range even for a constant.
    void pad(double fraction) {
        if (!(lo <= hi)) lo = 0.0, hi = 1.0;
        double span = hi - lo;
        if (span == 0.0) span = lo == 0.0 ? 1.0 : std::fabs(lo) * 0.1;
        lo -= span * fraction;
        hi += span * fraction;
    }
};

void frame(double x0, double x1, double y0, double y1) {
    plvsta();
    plwind(x0, x1, y0, y1);
    plcol0(color_grid);
    plwidth(1.0);
    plbox("g", 0.0, 0, "g", 0.0, 0);
    plcol0(color_text);
}

void axes_and_labels(const std::string& x_label, const std::string& y_label,
                     const std::string& title) {
    plcol0(color_text);
    plwidth(1.0);
    plbox("bcnst", 0.0, 0, "bcnstv", 0.0, 0);
    pllab(x_label.c_str(), y_label.c_str(), title.c_str());
}

void draw_line_chart(const LineChart& chart) {
    Range xr, yr;
    for (const Series& s : chart.series) {
        if (s.x.size() != s.y.size() || s.x.empty())
            throw Error("series '" + s.name + "' needs as many x as y values, and at least one");
        for (double v : s.x)
            xr.add(v);
        for (double v : s.y)
            yr.add(v);
    }
    if (!(xr.lo < xr.hi)) xr.pad(0.05);
    if (chart.y_min < chart.y_max) {
        yr.lo = chart.y_min;
        yr.hi = chart.y_max;
    } else {
        yr.pad(0.06);
    }
    pladv(0);
    const bool legend = chart.series.size() > 1;
    if (legend) {
        // The legend goes below the chart, outside it, so that it never covers a curve.
        plvpor(0.10, 0.95, 0.22, 0.92);
        plwind(xr.lo, xr.hi, yr.lo, yr.hi);
        plcol0(color_grid);
        plwidth(1.0);
        plbox("g", 0.0, 0, "g", 0.0, 0);
        plcol0(color_text);
    } else {
        frame(xr.lo, xr.hi, yr.lo, yr.hi);
    }
    for (std::size_t i = 0; i < chart.series.size(); ++i) {
        const Series& s = chart.series[i];
        plcol0(color_first + static_cast<PLINT>(i % palette.size()));
        plwidth(2.5);
        // A NaN or infinite y ends a line: no segment is drawn across a gap (log(x) for
        // x <= 0) or into a pole.
        for (std::size_t begin = 0; begin < s.y.size();) {
            while (begin < s.y.size() && !std::isfinite(s.y[begin]))
                ++begin;
            std::size_t end = begin;
            while (end < s.y.size() && std::isfinite(s.y[end]))
                ++end;
            if (end - begin == 1)
                plpoin(1, &s.x[begin], &s.y[begin], 1);
            else if (end > begin)
                plline(static_cast<PLINT>(end - begin), &s.x[begin], &s.y[begin]);
            begin = end;
        }
    }
    axes_and_labels(chart.x_label, chart.y_label, chart.title);
    if (legend) {
        const auto n = static_cast<PLINT>(chart.series.size());
        std::vector<PLINT> opts(chart.series.size(), PL_LEGEND_LINE), colors,
            styles(opts.size(), 1);
        std::vector<PLFLT> widths(opts.size(), 2.5);
        std::vector<const char*> texts;
        std::vector<PLINT> text_colors(opts.size(), color_text);
        for (std::size_t i = 0; i < chart.series.size(); ++i) {
            colors.push_back(color_first + static_cast<PLINT>(i % palette.size()));
            texts.push_back(chart.series[i].name.c_str());
        }
        PLFLT w = 0, h = 0;
        pllegend(&w, &h, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX | PL_LEGEND_ROW_MAJOR,
                 PL_POSITION_BOTTOM | PL_POSITION_OUTSIDE, 0.0, 0.15, 0.06, 0, color_grid, 1, 1, n,
                 n, opts.data(), 0.6, 0.85, 2.0, 0.0, text_colors.data(), texts.data(), nullptr,
                 nullptr, nullptr, nullptr, colors.data(), styles.data(), widths.data(), nullptr,
                 nullptr, nullptr, nullptr);
    }
}

// A filled disc with a dark rim, `radius_px` pixels wide whatever the axes' scales.
void disc(double x, double y, double rx, double ry, PLINT color) {
    plcol0(color);
    plarc(x, y, rx, ry, 0.0, 360.0, 0.0, 1);
    plcol0(color_text);
    plwidth(0.8);
    plarc(x, y, rx, ry, 0.0, 360.0, 0.0, 0);
}

}  // namespace

// Column arrays as PLplot wants them (z[ix][iy]), from a row-major field.
struct Field {
    std::vector<std::vector<PLFLT>> columns;
    std::vector<const PLFLT*> pointers;
    Field(std::size_t nx, std::size_t ny) : columns(nx, std::vector<PLFLT>(ny)), pointers(nx) {
        for (std::size_t ix = 0; ix < nx; ++ix)
            pointers[ix] = columns[ix].data();
    }
};

namespace {

/// The fields whose zero lines are the boundaries.
std::vector<Field> boundary_fields(const BoundaryPlot& plot) {
    const ClassGrid& g = plot.grid;
    const std::size_t points = g.nx * g.ny;
    const std::size_t m = g.scores.size() / points;
    // One field per class, positive exactly where that class is predicted: the score (or its
    // negation) for a binary model, z_c − max_{j≠c} z_j for logits, and without scores the
    // indicator ±1 of the predicted class. Each region is then the part of its field above 0,
    // and the boundaries are the fields' zero lines.
    const std::size_t k = plot.classes;
    std::vector<Field> fields;
    for (std::size_t c = 0; c < k; ++c) {
        Field f(g.nx, g.ny);
        for (std::size_t iy = 0; iy < g.ny; ++iy) {
            for (std::size_t ix = 0; ix < g.nx; ++ix) {
                const std::size_t p = iy * g.nx + ix;
                double v;
                if (m == 1) {
                    v = c == 1 ? g.scores[p] : -g.scores[p];
                } else if (m == k) {
                    double other = -std::numeric_limits<double>::infinity();
                    for (std::size_t j = 0; j < k; ++j)
                        if (j != c) other = std::max(other, g.scores[p * k + j]);
                    v = g.scores[p * k + c] - other;
                } else {
                    v = g.classes[p] == c ? 1.0 : -1.0;
                }
                f.columns[ix][iy] = std::isfinite(v) ? v : 0.0;
            }
        }
        fields.push_back(std::move(f));
    }

    return fields;
}

void draw_boundary(const BoundaryPlot& plot, const std::vector<Field>& fields,
                   std::string_view device, MemoryOutput& picture) {
    const ClassGrid& g = plot.grid;
    const std::size_t k = plot.classes;
    Stream stream(device, picture, 1);
    // Regions in pale versions of the class colours: cmap1 holds exactly one colour per class.
    const auto nk = static_cast<PLINT>(k);
    std::vector<PLINT> r, gr, b;
    for (std::size_t c = 0; c < k; ++c) {
        auto pale = [](PLINT v) { return static_cast<PLINT>(v + (255 - v) * 0.72); };
        r.push_back(pale(palette[c].r));
        gr.push_back(pale(palette[c].g));
        b.push_back(pale(palette[c].b));
    }
    plscmap1n(nk);
    plscmap1(r.data(), gr.data(), b.data(), nk);

    const auto nx = static_cast<PLINT>(g.nx), ny = static_cast<PLINT>(g.ny);
    pladv(0);
    plvsta();
    plwind(g.x_min, g.x_max, g.y_min, g.y_max);
    const double top = std::numeric_limits<double>::max();
    for (std::size_t c = 0; c < k; ++c)
        plshade(fields[c].pointers.data(), nx, ny, nullptr, g.x_min, g.x_max, g.y_min, g.y_max, 0.0,
                top, 1, static_cast<double>(c) / static_cast<double>(k - 1), 1.0, 0, 0.0, 0, 0.0,
                plfill, 1, nullptr, nullptr);

    std::vector<PLFLT> xs(g.nx), ys(g.ny);
    for (std::size_t ix = 0; ix < g.nx; ++ix)
        xs[ix] =
            g.x_min + (g.x_max - g.x_min) * static_cast<double>(ix) / static_cast<double>(g.nx - 1);
    for (std::size_t iy = 0; iy < g.ny; ++iy)
        ys[iy] =
            g.y_min + (g.y_max - g.y_min) * static_cast<double>(iy) / static_cast<double>(g.ny - 1);
    PLcGrid cgrid{xs.data(), ys.data(), nullptr, nx, ny, 0};
    const PLFLT zero = 0.0;
    plcol0(color_text);
    plwidth(1.5);
    // A binary model's two fields share one zero line; draw it once.
    for (std::size_t c = k == 2 ? 1 : 0; c < k; ++c)
        plcont(fields[c].pointers.data(), nx, ny, 1, nx, 1, ny, &zero, 1, pltr1, &cgrid);

    // Discs 4.5 px in radius: convert pixels to world units along each axis.
    PLFLT vx0 = 0, vx1 = 0, vy0 = 0, vy1 = 0;
    plgvpd(&vx0, &vx1, &vy0, &vy1);
    const double rx = 4.5 * (g.x_max - g.x_min) / ((vx1 - vx0) * width_px);
    const double ry = 4.5 * (g.y_max - g.y_min) / ((vy1 - vy0) * height_px);
    for (std::size_t i = 0; i < plot.x.size(); ++i)
        disc(plot.x[i], plot.y[i], rx, ry, color_first + static_cast<PLINT>(plot.labels[i]));

    axes_and_labels("x₁", "x₂", plot.title);

    std::vector<PLINT> opts(k, PL_LEGEND_SYMBOL), colors, numbers(k, 1),
        text_colors(plot.classes, color_text);
    std::vector<PLFLT> scales(plot.classes, 1.1);
    std::vector<std::string> names;
    std::vector<const char*> texts, symbols(plot.classes, "●");
    for (std::size_t c = 0; c < plot.classes; ++c) {
        colors.push_back(color_first + static_cast<PLINT>(c));
        names.push_back("class " + std::to_string(c));
    }
    for (const auto& n : names)
        texts.push_back(n.c_str());
    PLFLT w = 0, h = 0;
    pllegend(&w, &h, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX,
             PL_POSITION_TOP | PL_POSITION_RIGHT | PL_POSITION_INSIDE, 0.02, 0.02, 0.03, 0,
             color_grid, 1, 0, 0, nk, opts.data(), 0.6, 0.85, 2.0, 0.0, text_colors.data(),
             texts.data(), nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
             colors.data(), scales.data(), numbers.data(), symbols.data());
}

/// Numbers as plot_json writes them: null is not a number (a gap in a curve).
std::vector<double> json_numbers(const nlohmann::json& j) {
    std::vector<double> out;
    out.reserve(j.size());
    for (const auto& v : j)
        out.push_back(v.is_null() ? std::numeric_limits<double>::quiet_NaN() : v.get<double>());
    return out;
}

std::string draw(const std::string& description, std::string_view format) {
    const std::string_view device = device_for(format);
    {
        std::lock_guard<std::mutex> lock(plplot_mutex());
        if (!device_installed(device)) throw Error(missing_device(device));
    }
    const nlohmann::json j = nlohmann::json::parse(description);
    MemoryOutput picture;
    if (j.at("kind") == "lines") {
        std::vector<LineChart> charts;
        for (const auto& c : j.at("charts")) {
            LineChart chart;
            chart.title = c.at("title").get<std::string>();
            chart.x_label = c.at("x_label").get<std::string>();
            chart.y_label = c.at("y_label").get<std::string>();
            chart.y_min = c.at("y_min").get<double>();
            chart.y_max = c.at("y_max").get<double>();
            for (const auto& s : c.at("series"))
                chart.series.push_back(Series{s.at("name").get<std::string>(),
                                              json_numbers(s.at("x")), json_numbers(s.at("y"))});
            charts.push_back(std::move(chart));
        }
        Stream stream(device, picture, static_cast<PLINT>(charts.size()));
        for (const LineChart& c : charts)
            draw_line_chart(c);
    } else if (j.at("kind") == "boundary") {
        BoundaryPlot plot;
        plot.title = j.at("title").get<std::string>();
        plot.classes = j.at("classes").get<std::size_t>();
        const auto& g = j.at("grid");
        plot.grid.x_min = g.at("x_min").get<double>();
        plot.grid.x_max = g.at("x_max").get<double>();
        plot.grid.y_min = g.at("y_min").get<double>();
        plot.grid.y_max = g.at("y_max").get<double>();
        plot.grid.nx = g.at("nx").get<std::size_t>();
        plot.grid.ny = g.at("ny").get<std::size_t>();
        plot.grid.classes = g.at("classes").get<std::vector<std::size_t>>();
        plot.grid.scores = json_numbers(g.at("scores"));
        plot.x = json_numbers(j.at("x"));
        plot.y = json_numbers(j.at("y"));
        plot.labels = j.at("labels").get<std::vector<std::size_t>>();
        draw_boundary(plot, boundary_fields(plot), device, picture);
    } else {
        throw Error("not a plot description");
    }
    return std::string(picture.bytes());
}

char* copy_out(const std::string& bytes, std::size_t* size) {
    char* p = static_cast<char*>(std::malloc(bytes.size() + 1));
    if (p == nullptr) return nullptr;
    std::memcpy(p, bytes.data(), bytes.size());
    p[bytes.size()] = '\0';
    if (size != nullptr) *size = bytes.size();
    return p;
}

int api_has_format(const char* format, char** why) {
    try {
        const std::string_view device = device_for(format);
        std::lock_guard<std::mutex> lock(plplot_mutex());
        if (device_installed(device)) return 1;
        *why = copy_out(missing_device(device), nullptr);
    } catch (const std::exception& e) {
        *why = copy_out(e.what(), nullptr);
    }
    return 0;
}

int api_draw(const char* description, std::size_t size, const char* format, char** out,
             std::size_t* out_size) {
    try {
        *out = copy_out(draw(std::string(description, size), format), out_size);
        return *out == nullptr ? 1 : 0;
    } catch (const std::exception& e) {
        *out = copy_out(e.what(), out_size);
    }
    return 1;
}

void api_release(char* p) { std::free(p); }

constexpr MgradPlplotApi the_api{MGRAD_PLPLOT_API_VERSION, api_has_format, api_draw, api_release};

}  // namespace
}  // namespace mgrad

extern "C" MGRAD_BACKEND_EXPORT const MgradPlplotApi* mgrad_plplot_api(void) {
    return &mgrad::the_api;
}
