// The descriptions of plots as JSON: what a plot engine draws from (PLplot natively, the page).
#include <nlohmann/json.hpp>

#include <cmath>
#include <span>
#include <string>

#include "mgrad/plot/plot.hpp"

namespace mgrad {
namespace {

/// Numbers with null for what is not finite (JSON has no NaN): a gap in a curve.
nlohmann::json numbers(const std::vector<double>& values) {
    nlohmann::json out = nlohmann::json::array();
    for (double v : values)
        out.push_back(std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr));
    return out;
}

}  // namespace

std::string plot_json(std::span<const LineChart> charts) {
    nlohmann::json list = nlohmann::json::array();
    for (const LineChart& c : charts) {
        nlohmann::json series = nlohmann::json::array();
        for (const Series& s : c.series)
            series.push_back({{"name", s.name}, {"x", numbers(s.x)}, {"y", numbers(s.y)}});
        list.push_back({{"title", c.title},
                        {"x_label", c.x_label},
                        {"y_label", c.y_label},
                        {"y_min", c.y_min},
                        {"y_max", c.y_max},
                        {"series", std::move(series)}});
    }
    return nlohmann::json{{"kind", "lines"}, {"charts", std::move(list)}}.dump(
        -1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string plot_json(const BoundaryPlot& plot) {
    const ClassGrid& g = plot.grid;
    nlohmann::json grid{{"x_min", g.x_min},     {"x_max", g.x_max},
                        {"y_min", g.y_min},     {"y_max", g.y_max},
                        {"nx", g.nx},           {"ny", g.ny},
                        {"classes", g.classes}, {"scores", numbers(g.scores)}};
    return nlohmann::json{{"kind", "boundary"},      {"title", plot.title},
                          {"classes", plot.classes}, {"grid", std::move(grid)},
                          {"x", numbers(plot.x)},    {"y", numbers(plot.y)},
                          {"labels", plot.labels}}
        .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace mgrad
