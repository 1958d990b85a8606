// Plot — line charts and decision-boundary pictures, as PNG, SVG or PDF.
//
// The API speaks in plain numbers (series of x/y values, a grid of predicted classes, labelled
// points) so that anything in mgrad can draw — `mgrad train`'s loss curve and boundary, the
// exploration commands' function plots. A plot is first a description (plot_json(): curves,
// axes, labels) and then a picture drawn from it by a plot engine: natively PLplot's cairo
// devices (Debian package plplot-driver-cairo), loaded from libmgrad-plplot.so the first time
// (src/plot/plplot), in the page the page's own drawing. The file type follows the extension:
// .png, .svg or .pdf. A missing device, an unknown extension or an unwritable path is an
// mgrad::Error, raised before anything is drawn.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mgrad/support/export.hpp"

namespace mgrad {

/// One line: y over x (same length, at least one point).
struct MGRAD_API Series {
    std::string name;  ///< shown in the legend when a chart has more than one series
    std::vector<double> x, y;
};

struct MGRAD_API LineChart {
    std::string title;
    std::string x_label;
    std::string y_label;
    std::vector<Series> series;
    /// Fixed y range; when lo >= hi the range is fitted to the data with a margin.
    double y_min = 0.0, y_max = 0.0;
};

/// One chart in one file.
MGRAD_API void save_line_chart(const LineChart& chart, const std::filesystem::path& file);
/// Several charts stacked top to bottom in one file (e.g. loss over accuracy).
MGRAD_API void save_line_charts(std::span<const LineChart> charts,
                                const std::filesystem::path& file);
/// The chart as the bytes a file of that format ("png", "svg" or "pdf") would hold, for a
/// front end that shows pictures itself (a notebook).
[[nodiscard]] MGRAD_API std::string line_chart_image(const LineChart& chart,
                                                     std::string_view format);

/// The format a front end that shows pictures gets a chart in (line_chart_image): "png" where
/// the plot engine draws PNG, else "svg" (the page, whose plots are SVG).
[[nodiscard]] MGRAD_API std::string shown_plot_format();

/// What a classifier predicts over a rectangle, sampled on an nx × ny grid of points from
/// (x_min, y_min) to (x_max, y_max) inclusive.
struct MGRAD_API ClassGrid {
    double x_min = 0.0, x_max = 1.0, y_min = 0.0, y_max = 1.0;
    std::size_t nx = 0, ny = 0;
    /// Predicted class at grid point (ix, iy), stored at [iy * nx + ix].
    std::vector<std::size_t> classes;
    /// Optional, and better: the model's outputs at each grid point, m values per point stored
    /// at [(iy * nx + ix) * m + j] — m = 1 for a binary score (class 1 where > 0) or m = the
    /// number of classes for logits (the largest wins). With them the regions and boundary
    /// lines follow the interpolated outputs and are smooth rather than stepped by the grid.
    std::vector<double> scores;
};

struct MGRAD_API BoundaryPlot {
    std::string title;
    std::size_t classes = 2;
    ClassGrid grid;
    std::vector<double> x, y;         ///< the data points
    std::vector<std::size_t> labels;  ///< their true classes
};

MGRAD_API void save_decision_boundary(const BoundaryPlot& plot, const std::filesystem::path& file);

/// The description of charts stacked in one picture, as JSON: {"kind": "lines", "charts":
/// [{"title", "x_label", "y_label", "y_min", "y_max", "series": [{"name", "x": [...], "y":
/// [...]}]}]} (a number that is not finite is null: a gap in a curve).
[[nodiscard]] MGRAD_API std::string plot_json(std::span<const LineChart> charts);
/// The description of a decision boundary: {"kind": "boundary", "title", "classes", "grid":
/// {"x_min", "x_max", "y_min", "y_max", "nx", "ny", "classes", "scores"}, "x", "y", "labels"}.
[[nodiscard]] MGRAD_API std::string plot_json(const BoundaryPlot& plot);

/// What draws a plot from its description.
class MGRAD_API PlotEngine {
  public:
    PlotEngine() = default;
    PlotEngine(const PlotEngine&) = delete;
    PlotEngine& operator=(const PlotEngine&) = delete;
    virtual ~PlotEngine() = default;
    /// Empty when `format` ("png", "svg" or "pdf") can be drawn; else why not (what to install).
    [[nodiscard]] virtual std::string missing(std::string_view format) = 0;
    /// The picture `description` (plot_json) describes, as the bytes of a file of `format`.
    [[nodiscard]] virtual std::string draw(std::string_view description,
                                           std::string_view format) = 0;
};
/// Draws plots with `engine` from now on (nullptr: back to the default).
MGRAD_API void set_plot_engine(std::shared_ptr<PlotEngine> engine);
/// The engine in use: the one set, else PLplot (linked in, or loaded from its module). Throws
/// Error, saying what to install, when there is none.
[[nodiscard]] MGRAD_API std::shared_ptr<PlotEngine> plot_engine();

/// Whether this file type can be plotted here (PLplot's device is installed).
[[nodiscard]] MGRAD_API bool can_plot(const std::filesystem::path& file);
/// Throws the mgrad::Error that saving to `file` would raise for its type, a missing device or
/// a missing directory — to check before spending time on what is to be drawn. Writes nothing.
MGRAD_API void check_can_plot(const std::filesystem::path& file);

}  // namespace mgrad
