// Every op's gradient against a central finite difference, at several points, in hand-written
// cases (fan-out, constants on either side, compositions) that between them record every op of
// the table: a new row without a case here fails, naming the op. (tests/test_op_rules.cpp walks
// the table itself, row by row.)
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <mgrad/mgrad.hpp>

#include <array>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

using mgrad::Graph;
using mgrad::Value;

namespace {

using Fn = std::function<Value(const std::vector<Value>&)>;

// Builds f on a fresh graph at `point`, backpropagates, and compares each input's gradient with
// (f(x + h) - f(x - h)) / 2h evaluated through the engine's own forward re-evaluation.
// `recorded` notes every op the case's function recorded.
void check_gradient(const char* what, const Fn& f, const std::vector<double>& point,
                    std::array<bool, mgrad::op_count>& recorded) {
    Graph g;
    std::vector<Value> inputs;
    for (double p : point)
        inputs.emplace_back(g, p);
    Value out = f(inputs);
    for (const mgrad::Node& n : g.nodes())
        recorded[static_cast<std::size_t>(n.op)] = true;
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
    // The derivative recorded as a graph agrees with backward(), and its own derivative
    // agrees with a finite difference of it: the second derivative is right too.
    const std::vector<Value> firsts = mgrad::grad(out, inputs);
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        INFO(fmt::format("grad({}) wrt input {} at ({})", what, i, fmt::join(point, ", ")));
        CHECK(firsts[i].data() == doctest::Approx(inputs[i].grad()).epsilon(1e-12));
        const Value second = mgrad::grad(firsts[i], inputs[i]);
        const double x0 = point[i];
        const double h = 1e-5 * std::max(1.0, std::fabs(x0));
        const double analytic = second.data();
        inputs[i].set_data(x0 + h);
        const double up = firsts[i].data();
        inputs[i].set_data(x0 - h);
        const double down = firsts[i].data();
        inputs[i].set_data(x0);
        CHECK(analytic == doctest::Approx((up - down) / (2 * h)).epsilon(1e-5).scale(1.0));
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
        {"step", [](auto& v) { return step(v[0]) * v[0]; }, {{0.3}, {-1.2}}},
        {"sign", [](auto& v) { return sign(v[0]) * v[0]; }, {{0.3}, {-1.2}}},
        {"tan", [](auto& v) { return tan(v[0]); }, {{0.3}, {-1.2}, {2.5}}},
        {"atan", [](auto& v) { return atan(v[0]); }, {{0.3}, {-1.2}, {2.5}}},
        {"mul_add(a, b, c)",
         [](auto& v) { return mul_add(v[0], v[1], v[2]); },
         {{1.5, -2, 0.25}, {-3, 0.5, 4}}},
        {"mul_add fan-out",
         [](auto& v) { return mul_add(v[0], v[0], v[0] * v[1]); },
         {{1.5, -2}, {-0.3, 0.7}}},
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
        // mask: made by grad() for the zero-base guard of a ** b (no function records it).
        {"mask, in grad(a ** b, a)",
         [](auto& v) { return mgrad::grad(pow(v[0], v[1]), v[0]); },
         {{1.5, 2}, {0.7, -1.3}}},
    };
    std::array<bool, mgrad::op_count> recorded{};
    for (const auto& c : cases)
        for (const auto& point : c.points)
            check_gradient(c.name, c.fn, point, recorded);
    for (std::size_t i = 0; i < mgrad::op_count; ++i) {
        const auto op = static_cast<mgrad::Op>(i);
        if (mgrad::is_leaf(op)) continue;
        INFO("no case above records the op '", std::string(mgrad::op_info(op).name),
             "': add one (a new row of the op table needs its own)");
        CHECK(recorded[i]);
    }
}

TEST_CASE("grad(f, x) is a differentiable graph: closed forms") {
    Graph g;
    SUBCASE("x**3: first 3x², second 6x, third 6") {
        Value x{g, 1.7, "x"};
        Value f = pow(x, 3.0);
        Value d1 = mgrad::grad(f, x);
        Value d2 = mgrad::grad(d1, x);
        Value d3 = mgrad::grad(d2, x);
        CHECK(d1.data() == doctest::Approx(3 * 1.7 * 1.7));
        CHECK(d2.data() == doctest::Approx(6 * 1.7));
        CHECK(d3.data() == doctest::Approx(6.0));
        x.set_data(-2.0);  // the derivative graphs re-evaluate like any other
        CHECK(d2.data() == doctest::Approx(-12.0));
    }
    SUBCASE("tanh: second derivative -2 tanh x (1 - tanh² x)") {
        for (double x0 : {-1.3, 0.0, 0.4, 2.0}) {
            Value x{g, x0};
            Value d2 = mgrad::grad(mgrad::grad(tanh(x), x), x);
            const double t = std::tanh(x0);
            CHECK(d2.data() == doctest::Approx(-2 * t * (1 - t * t)));
        }
    }
    SUBCASE("mixed partials of x²y + exp(xy)") {
        const double x0 = 0.7, y0 = -1.2;
        Value x{g, x0}, y{g, y0};
        Value f = pow(x, 2.0) * y + exp(x * y);
        const double e = std::exp(x0 * y0);
        Value fx = mgrad::grad(f, x), fy = mgrad::grad(f, y);
        CHECK(fx.data() == doctest::Approx(2 * x0 * y0 + y0 * e));
        CHECK(fy.data() == doctest::Approx(x0 * x0 + x0 * e));
        CHECK(mgrad::grad(fx, x).data() == doctest::Approx(2 * y0 + y0 * y0 * e));
        CHECK(mgrad::grad(fy, y).data() == doctest::Approx(x0 * x0 * e));
        const double fxy = 2 * x0 + e + x0 * y0 * e;
        CHECK(mgrad::grad(fx, y).data() == doctest::Approx(fxy));
        CHECK(mgrad::grad(fy, x).data() == doctest::Approx(fxy));
    }
    SUBCASE("independent variable gives a constant zero") {
        Value x{g, 1.0}, y{g, 2.0};
        Value d = mgrad::grad(x * 3.0, y);
        CHECK(d.data() == 0.0);
        CHECK(d.op() == mgrad::Op::Const);
    }
    SUBCASE("backward through a derivative graph") {
        Value x{g, 1.5};
        Value d1 = mgrad::grad(pow(x, 3.0), x);  // 3x²
        d1.backward();
        CHECK(x.grad() == doctest::Approx(9.0));  // 6x
    }
}
