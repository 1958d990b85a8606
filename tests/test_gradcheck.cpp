// Every op's gradient against a central finite difference, at several points.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <mgrad/mgrad.hpp>

#include <cmath>
#include <functional>
#include <vector>

using mgrad::Graph;
using mgrad::Value;

namespace {

using Fn = std::function<Value(const std::vector<Value>&)>;

// Builds f on a fresh graph at `point`, backpropagates, and compares each input's gradient with
// (f(x + h) - f(x - h)) / 2h evaluated through the engine's own forward re-evaluation.
void check_gradient(const char* what, const Fn& f, const std::vector<double>& point) {
    Graph g;
    std::vector<Value> inputs;
    for (double p : point)
        inputs.emplace_back(g, p);
    Value out = f(inputs);
    out.backward();
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        const double analytic = inputs[i].grad();
        const double x0 = point[i];
        const double h = 1e-6 * std::max(1.0, std::fabs(x0));
        inputs[i].set_data(x0 + h);
        const double up = out.data();
        inputs[i].set_data(x0 - h);
        const double down = out.data();
        inputs[i].set_data(x0);
        const double numeric = (up - down) / (2 * h);
        INFO(fmt::format("{} at input {} of ({})", what, i, fmt::join(point, ", ")));
        CHECK(analytic == doctest::Approx(numeric).epsilon(1e-6).scale(1.0));
    }
}

struct Case {
    const char* name;
    Fn fn;
    std::vector<std::vector<double>> points;
};

}  // namespace

TEST_CASE("every op's gradient matches central finite differences") {
    const std::vector<Case> cases = {
        {"a + b", [](auto& v) { return v[0] + v[1]; }, {{1, 2}, {-3.5, 0.25}}},
        {"a - b", [](auto& v) { return v[0] - v[1]; }, {{1, 2}, {-3.5, 0.25}}},
        {"a * b", [](auto& v) { return v[0] * v[1]; }, {{1, 2}, {-3.5, 0.25}, {0, 4}}},
        {"a / b", [](auto& v) { return v[0] / v[1]; }, {{1, 2}, {-3.5, 0.25}, {2, -7}}},
        {"-a", [](auto& v) { return -v[0]; }, {{1}, {-2.5}}},
        {"a ** 3", [](auto& v) { return pow(v[0], 3.0); }, {{1.5}, {-2}, {0.1}}},
        {"a ** -1.5", [](auto& v) { return pow(v[0], -1.5); }, {{1.5}, {4}}},
        {"a ** 0", [](auto& v) { return pow(v[0], 0.0); }, {{1.5}, {-4}}},
        {"a ** b", [](auto& v) { return pow(v[0], v[1]); }, {{1.5, 2}, {3, -0.5}, {0.7, 2.3}}},
        {"2 ** b", [](auto& v) { return pow(2.0, v[0]); }, {{1.5}, {-3}}},
        {"tanh", [](auto& v) { return tanh(v[0]); }, {{0.3}, {-1.2}, {2.5}}},
        {"exp", [](auto& v) { return exp(v[0]); }, {{0.3}, {-1.2}, {2.5}}},
        {"log", [](auto& v) { return log(v[0]); }, {{0.3}, {1.2}, {25}}},
        {"relu", [](auto& v) { return relu(v[0]); }, {{0.3}, {-1.2}, {2.5}}},
        {"sigmoid", [](auto& v) { return sigmoid(v[0]); }, {{0.3}, {-1.2}, {4}}},
        {"sqrt", [](auto& v) { return sqrt(v[0]); }, {{0.3}, {1.2}, {16}}},
        {"abs", [](auto& v) { return abs(v[0]); }, {{0.3}, {-1.2}}},
        {"sin", [](auto& v) { return sin(v[0]); }, {{0.3}, {-1.2}, {2.5}}},
        {"cos", [](auto& v) { return cos(v[0]); }, {{0.3}, {-1.2}, {2.5}}},
        // Constants on both sides.
        {"3 + a, a + 3", [](auto& v) { return (3.0 + v[0]) * (v[0] + 3.0); }, {{0.5}, {-2}}},
        {"3 - a, a - 3", [](auto& v) { return (3.0 - v[0]) * (v[0] - 3.0); }, {{0.5}, {-2}}},
        {"3 * a, a * 3", [](auto& v) { return (3.0 * v[0]) * (v[0] * 3.0); }, {{0.5}, {-2}}},
        {"3 / a, a / 3", [](auto& v) { return (3.0 / v[0]) + (v[0] / 3.0); }, {{0.5}, {-2}}},
        // Fan-out: one value used by several ops and twice by one op.
        {"a*a + a", [](auto& v) { return v[0] * v[0] + v[0]; }, {{0.5}, {-2}}},
        {"b = a+4; b*3 + b*5",
         [](auto& v) {
             Value b = v[0] + 4.0;
             return b * 3.0 + b * 5.0;
         },
         {{1}, {-7}}},
        {"tanh neuron",
         [](auto& v) { return tanh(v[0] * v[1] + v[2] * v[3] + v[4]); },
         {{2, -3, 0, 1, 6.8813735870195432}, {0.5, 0.1, -0.3, 0.8, 0.2}}},
        {"composition",
         [](auto& v) {
             return exp(sin(v[0]) * v[1]) / (1.0 + abs(v[1])) - sqrt(pow(v[0], 2.0) + 1.0);
         },
         {{0.4, -1.1}, {2.0, 0.7}}},
    };
    for (const auto& c : cases)
        for (const auto& point : c.points)
            check_gradient(c.name, c.fn, point);
}
