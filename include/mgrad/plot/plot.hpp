// Plot — line charts and decision-boundary pictures, written as PNG, SVG or PDF by PLplot.
//
// The API speaks in plain numbers (series of x/y values, a grid of predicted classes, labelled
// points) so that anything in mgrad can draw — `mgrad train`'s loss curve and boundary, the
// exploration commands' function plots — without seeing PLplot, which stays inside
// src/plot/plot.cpp. The file type follows the extension: .png, .svg or .pdf (PLplot's cairo
// devices, Debian package plplot-driver-cairo). A missing device, an unknown extension or an
// unwritable path is an mgrad::Error, raised before PLplot is started.
#pragma once

#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mgrad {

/// One line: y over x (same length, at least one point).
struct Series {
    std::string name;  ///< shown in the legend when a chart has more than one series
    std::vector<double> x, y;
};

struct LineChart {
    std::string title;
    std::string x_label;
    std::string y_label;
    std::vector<Series> series;
    /// Fixed y range; when lo >= hi the range is fitted to the data with a margin.
    double y_min = 0.0, y_max = 0.0;
};

/// One chart in one file.
void save_line_chart(const LineChart& chart, const std::filesystem::path& file);
/// Several charts stacked top to bottom in one file (e.g. loss over accuracy).
void save_line_charts(std::span<const LineChart> charts, const std::filesystem::path& file);
/// The chart as the bytes a file of that format ("png", "svg" or "pdf") would hold, for a
/// front end that shows pictures itself (a notebook).
[[nodiscard]] std::string line_chart_image(const LineChart& chart, std::string_view format);

/// What a classifier predicts over a rectangle, sampled on an nx × ny grid of points from
/// (x_min, y_min) to (x_max, y_max) inclusive.
struct ClassGrid {
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

struct BoundaryPlot {
    std::string title;
    std::size_t classes = 2;
    ClassGrid grid;
    std::vector<double> x, y;         ///< the data points
    std::vector<std::size_t> labels;  ///< their true classes
};

void save_decision_boundary(const BoundaryPlot& plot, const std::filesystem::path& file);

/// Whether PLplot can write this file type here (its device is installed).
[[nodiscard]] bool can_plot(const std::filesystem::path& file);
/// Throws the mgrad::Error that saving to `file` would raise for its type, a missing device or
/// a missing directory — to check before spending time on what is to be drawn. Writes nothing.
void check_can_plot(const std::filesystem::path& file);

}  // namespace mgrad
