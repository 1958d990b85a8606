// Every row of the op table, read every way: the numeric backward pass against finite
// differences, grad(f, x) against the numeric pass at ordinary points and at the edges (0, -0,
// inf, NaN, tiny, huge), and the chain-rule words against the numbers backward() adds. The
// tests walk the table, so a new row is tested without a line here.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <mgrad/engine/chain_rule.hpp>
#include <mgrad/mgrad.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <utility>
#include <vector>

using mgrad::Graph;
using mgrad::NodeId;
using mgrad::Op;
using mgrad::Value;

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();
constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();

std::vector<Op> computed_ops() {
    std::vector<Op> ops;
    for (std::size_t i = 0; i < mgrad::op_count; ++i)
        if (!mgrad::is_leaf(static_cast<Op>(i))) ops.push_back(static_cast<Op>(i));
    return ops;
}

/// How many leaves the op reads (a PowConst reads one; its exponent is a constant).
std::size_t inputs_of(Op op) { return op == Op::PowConst ? 1 : mgrad::op_info(op).arity; }

/// The node `op` of leaves holding `xs` (a PowConst raises to `k`).
NodeId record(Graph& g, Op op, const std::vector<NodeId>& xs, double k = 2.5) {
    switch (mgrad::op_info(op).arity) {
        case 1: return op == Op::PowConst ? g.pow_const(xs[0], k) : g.unary(op, xs[0]);
        case 2: return g.binary(op, xs[0], xs[1]);
        default: return g.mul_add(xs[0], xs[1], xs[2]);
    }
}

/// The same number, counting every NaN as one value and -0 as 0.
bool same(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

std::string show(const std::vector<double>& xs) { return fmt::format("{}", fmt::join(xs, ", ")); }

}  // namespace

TEST_CASE("op table: every row's gradient matches finite differences, first and second") {
    // Points inside every op's domain (log, sqrt, tan) and away from every kink.
    const std::vector<std::vector<double>> points = {
        {0.3, 0.7, 1.3}, {1.2, 0.45, -0.8}, {0.9, 1.1, 0.2}};
    for (Op op : computed_ops()) {
        for (const auto& point : points) {
            Graph g;
            std::vector<NodeId> xs;
            std::vector<Value> leaves;
            for (std::size_t i = 0; i < inputs_of(op); ++i) {
                xs.push_back(g.leaf(point[i]));
                leaves.push_back(Value::from_id(g, xs.back()));
            }
            const NodeId y = record(g, op, xs);
            g.backward(y);
            const Value out = Value::from_id(g, y);
            const std::vector<Value> firsts = mgrad::grad(out, leaves);
            for (std::size_t i = 0; i < xs.size(); ++i) {
                INFO(fmt::format("{} with respect to input {} at ({})", mgrad::op_info(op).name,
                                 i, show(point)));
                const double x0 = point[i];
                const double h = 1e-6;
                g.set_data(xs[i], x0 + h);
                const double up = g.data(y);
                g.set_data(xs[i], x0 - h);
                const double down = g.data(y);
                g.set_data(xs[i], x0);
                const double analytic = g.grad(xs[i]);
                CHECK(analytic == doctest::Approx((up - down) / (2 * h)).epsilon(1e-6).scale(1));
                // grad() records the same number as a node ...
                CHECK(same(firsts[i].data(), analytic));
                // ... and that node's own derivative matches a finite difference of it.
                const Value second = mgrad::grad(firsts[i], leaves[i]);
                const double h2 = 1e-5;
                g.set_data(xs[i], x0 + h2);
                const double up2 = firsts[i].data();
                g.set_data(xs[i], x0 - h2);
                const double down2 = firsts[i].data();
                g.set_data(xs[i], x0);
                CHECK(second.data() ==
                      doctest::Approx((up2 - down2) / (2 * h2)).epsilon(1e-5).scale(1));
            }
        }
    }
}

TEST_CASE("op table: grad(f, x) equals backward() at the edges: 0, -0, inf, NaN, tiny, huge") {
    const std::vector<double> edges = {0.0, -0.0, 1.0, -1.0, 2.0, -2.5, 1e-300, -1e-300,
                                       1e300, -1e300, inf, -inf, not_a_number};
    // Two- and three-input ops take every pair (and a few triples) of a smaller set.
    const std::vector<double> small = {0.0, -0.0, 1.0, -2.0, 0.5, inf, not_a_number};
    for (Op op : computed_ops()) {
        const std::size_t n = inputs_of(op);
        std::vector<std::vector<double>> points;
        if (n == 1)
            for (double a : edges)
                points.push_back({a});
        else
            for (double a : small)
                for (double b : small)
                    points.push_back(n == 2 ? std::vector{a, b} : std::vector{a, b, 0.5});
        for (double k : op == Op::PowConst ? std::vector{0.0, 1.0, 2.0, -1.0, 0.5}
                                           : std::vector{2.5}) {
            for (const auto& point : points) {
                Graph g;
                std::vector<NodeId> xs;
                std::vector<Value> leaves;
                for (double p : point) {
                    xs.push_back(g.leaf(p));
                    leaves.push_back(Value::from_id(g, xs.back()));
                }
                const NodeId y = record(g, op, xs, k);
                g.backward(y);
                const std::vector<Value> firsts = mgrad::grad(Value::from_id(g, y), leaves);
                for (std::size_t i = 0; i < xs.size(); ++i) {
                    INFO(fmt::format("d {} / d input {} at ({}){}", mgrad::op_info(op).name, i,
                                     show(point),
                                     op == Op::PowConst ? fmt::format(", k = {}", k) : ""));
                    CHECK(same(firsts[i].data(), g.grad(xs[i])));
                }
            }
        }
    }
}

TEST_CASE("op table: x ** y at a zero base has PyTorch's gradients, symbolically too") {
    Graph g;
    Value x{g, 0.0, "x"}, y{g, 2.0, "y"};
    Value f = pow(x, y);
    f.backward();
    CHECK(x.grad() == 0.0);
    CHECK(y.grad() == 0.0);
    CHECK(mgrad::grad(f, y).data() == 0.0);  // not NaN: 0 * log(0) is guarded
    CHECK(mgrad::grad(f, x).data() == 0.0);
    // The guard is a node of the graph, not a number frozen when grad() ran: it follows x.
    Value dy = mgrad::grad(f, y);
    x.set_data(2.0);
    CHECK(dy.data() == doctest::Approx(4.0 * std::log(2.0)));
    y.set_data(0.0);
    x.set_data(0.0);
    CHECK(dy.data() == 0.0);  // 0 ** 0: both gradients 0, as PyTorch has them
    CHECK(mgrad::grad(f, x).data() == 0.0);
    Value xx = pow(x, x);
    CHECK(mgrad::grad(xx, x).data() == 0.0);
}

TEST_CASE("op table: chain-rule steps add what backward() adds, and say it") {
    for (Op op : computed_ops()) {
        Graph g;
        const std::vector<double> point = {0.3, 0.7, 1.3};
        std::vector<NodeId> xs;
        for (std::size_t i = 0; i < inputs_of(op); ++i)
            xs.push_back(g.leaf(point[i], fmt::format("x{}", i)));
        const NodeId y = record(g, op, xs);
        g.set_label(y, "y");
        g.backward(y);
        g.set_grad(y, -2.0);  // an upstream gradient other than 1, as deep in a graph
        const auto steps = mgrad::chain_steps(g, y, [&](NodeId id) {
            return std::string(g.label(id).empty() ? "#" : g.label(id));
        });
        INFO(mgrad::op_info(op).name);
        REQUIRE(steps.size() == inputs_of(op));
        Graph check;
        std::vector<NodeId> cs;
        for (std::size_t i = 0; i < xs.size(); ++i)
            cs.push_back(check.leaf(point[i]));
        const NodeId cy = record(check, op, cs);
        check.backward(cy);
        for (std::size_t i = 0; i < steps.size(); ++i) {
            CHECK(steps[i].parent == xs[i]);
            // backward() from y with y.grad = 1 gives the local derivative; times -2 the step.
            CHECK(same(steps[i].local_value, check.grad(cs[i])));
            CHECK(steps[i].value == doctest::Approx(-2.0 * check.grad(cs[i])));
            CHECK(!steps[i].formula.empty());
            CHECK(!steps[i].numbers.empty());
            CHECK(!steps[i].local.empty());
        }
        CHECK(!mgrad::op_info(op).formula.empty());
        CHECK(!mgrad::op_info(op).torch.empty());
        if (mgrad::op_info(op).kind == mgrad::OpKind::Function)
            CHECK(!mgrad::op_info(op).help.empty());
    }
}

TEST_CASE("op table: the words of the lecture's chain-rule steps") {
    Graph g;
    Value a{g, 2.0, "a"}, b{g, -3.0, "b"}, c{g, 10.0, "c"}, f{g, -2.0, "f"};
    Value e = a * b;
    g.set_label(e.id(), "e");
    Value d = e + c;
    g.set_label(d.id(), "d");
    Value L = d * f;
    g.set_label(L.id(), "L");
    L.backward();
    auto name = [&](NodeId id) { return std::string(g.label(id)); };
    const auto steps = mgrad::chain_steps(g, e.id(), name);
    REQUIRE(steps.size() == 2);
    CHECK(steps[0].formula == "b.data * e.grad");
    CHECK(steps[0].numbers == "-3 * -2");
    CHECK(steps[0].value == 6.0);
    CHECK(steps[0].local == "b.data");
    CHECK(steps[0].local_numbers == "-3");
    CHECK(steps[1].formula == "a.data * e.grad");
    Value t = tanh(a);
    g.set_label(t.id(), "t");
    t.backward();
    const auto ts = mgrad::chain_steps(g, t.id(), name);
    CHECK(ts[0].formula == "(1 - t.data**2) * t.grad");
    CHECK(ts[0].local == "1 - t.data**2");
    Value r = relu(b);
    g.set_label(r.id(), "r");
    r.backward();
    const auto rs = mgrad::chain_steps(g, r.id(), name);
    CHECK(rs[0].formula == "(r.data > 0) * r.grad");
    CHECK(rs[0].numbers == "0 * 1");
    CHECK(rs[0].local == "(r.data > 0)");
    Value q = a / b;
    g.set_label(q.id(), "q");
    q.backward();
    const auto qs = mgrad::chain_steps(g, q.id(), name);
    CHECK(qs[0].formula == "q.grad / b.data");
    CHECK(qs[0].local == "1 / b.data");
    CHECK(qs[1].formula == "-q.grad * (q.data / b.data)");
    CHECK(qs[1].local == "-(q.data / b.data)");
    CHECK(mgrad::formula(g, L.id(), name) == "d * f");
    CHECK(mgrad::formula(g, t.id(), name) == "tanh(a)");
}

TEST_CASE("op table: `commutes` says what the forward formula does") {
    // Probes away from every special point: an op that commutes gives the same both ways at
    // each of them, one that does not differs at one at least.
    constexpr std::pair<double, double> probes[] = {{2.0, 3.0}, {0.5, -7.0}, {-1.5, 0.25}};
    for (std::size_t i = 0; i < mgrad::op_count; ++i) {
        const auto op = static_cast<Op>(i);
        const mgrad::OpInfo& info = mgrad::op_info(op);
        CAPTURE(info.name);
        if (info.arity != 2) {
            CHECK_FALSE(info.commutes);  // a statement about two operands only
            continue;
        }
        bool same_both_ways = true;
        for (const auto& [a, b] : probes)
            same_both_ways = same_both_ways &&
                             same(mgrad::detail::apply(op, a, b), mgrad::detail::apply(op, b, a));
        CHECK(info.commutes == same_both_ways);
    }
}

TEST_CASE("op table: every computed op has micrograd's name and its warning") {
    for (Op op : computed_ops()) {
        const mgrad::OpInfo& info = mgrad::op_info(op);
        CAPTURE(info.name);
        CHECK(!info.micrograd.empty());
        // The warning names the result; a two-operand op's names both operands.
        for (const auto& [a, b] : {std::pair{1.0, 0.0}, {-1.0, 0.5}, {0.0, -1.0}, {2.0, 3.0}}) {
            const std::string_view words = mgrad::op_problem(op, a, b);
            CHECK(words.find("{a}") != std::string_view::npos);
            CHECK(words.find("{r}") != std::string_view::npos);
            if (inputs_of(op) == 2) CHECK(words.find("{b}") != std::string_view::npos);
        }
    }
    CHECK(mgrad::op_problem(Op::Div, 1, 0) == "division by zero: {a} / {b} = {r}");
    CHECK(mgrad::op_problem(Op::Div, 1e308, 1e-308) == "division overflows: {a} / {b} = {r}");
    CHECK(mgrad::op_problem(Op::Log, -1, 0) == "log of a non-positive number: log({a}) = {r}");
    CHECK(
        mgrad::op_problem(Op::PowConst, -8, 0.5).starts_with("a negative number to a fractional"));
    CHECK(mgrad::op_problem(Op::Pow, 0, -1).starts_with("zero to a negative power"));
    CHECK(mgrad::op_problem(Op::Pow, 10, 400).starts_with("power overflows"));
    CHECK(mgrad::op_info(Op::Relu).micrograd == "ReLU");
    CHECK(mgrad::op_info(Op::PowConst).micrograd == "**{k}");
}
