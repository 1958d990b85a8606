// Engine semantics: exact values from the lecture, accumulation rules, re-evaluation, errors.
#include <doctest/doctest.h>

#include <mgrad/mgrad.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>
#include <vector>

using mgrad::Graph;
using mgrad::Op;
using mgrad::Value;

namespace {
// Each test starts from an empty default graph so ids and sizes are predictable.
struct FreshGraph {
    FreshGraph() { mgrad::default_graph().clear(); }
    ~FreshGraph() { mgrad::default_graph().clear(); }
};
}  // namespace

TEST_CASE_FIXTURE(FreshGraph, "lecture example: L = (a*b + c) * f") {
    Value a{2.0, "a"}, b{-3.0, "b"}, c{10.0, "c"}, f{-2.0, "f"};
    Value L = (a * b + c) * f;
    CHECK(L.data() == -8);
    L.backward();
    CHECK(L.grad() == 1);
    CHECK(a.grad() == 6);
    CHECK(b.grad() == -4);
    CHECK(c.grad() == -2);
    CHECK(f.grad() == 4);
    CHECK(a.label() == "a");
    CHECK(L.label().empty());
}

TEST_CASE_FIXTURE(FreshGraph, "issue example compiles and rebinds on +=") {
    Value x{-4.0};
    Value y = relu(2 * x + 2 + x) + pow(x, 2) - 10.0 / x;
    CHECK(y.data() == doctest::Approx(0 + 16 + 2.5));
    Value before = y;
    y += tanh(y) * exp(-x);
    CHECK_FALSE(same_node(before, y));
    CHECK(before.data() == doctest::Approx(18.5));
    CHECK(y.data() == doctest::Approx(18.5 + std::tanh(18.5) * std::exp(4.0)));
    y.backward();
    // d/dx of the first part: relu' is 0 at z = -10, 2x = -8, 10/x² = 0.625.
    const double t = std::tanh(18.5), dy1 = -8 + 0.625;
    const double expected = dy1 + (1 - t * t) * dy1 * std::exp(4.0) + t * std::exp(4.0) * -1;
    CHECK(x.grad() == doctest::Approx(expected));
}

TEST_CASE_FIXTURE(FreshGraph, "lecture neuron with tanh") {
    Value x1{2.0, "x1"}, x2{0.0, "x2"}, w1{-3.0, "w1"}, w2{1.0, "w2"};
    Value b{6.8813735870195432, "b"};
    Value n = x1 * w1 + x2 * w2 + b;
    Value o = tanh(n);
    o.backward();
    CHECK(o.data() == doctest::Approx(0.70710678).epsilon(1e-8));
    CHECK(x1.grad() == doctest::Approx(-1.5));
    CHECK(w1.grad() == doctest::Approx(1.0));
    CHECK(x2.grad() == doctest::Approx(0.5));
    CHECK(w2.grad() == 0.0);
}

TEST_CASE_FIXTURE(FreshGraph, "methods mirror the functions and << prints micrograd's repr") {
    Value x1{2.0, "x1"}, x2{0.0, "x2"}, w1{-3.0, "w1"}, w2{1.0, "w2"};
    Value b{6.8813735870195432, "b"};
    Value o = (x1 * w1 + x2 * w2 + b).tanh();  // as micrograd writes it
    o.backward();
    CHECK(o.data() == tanh(x1 * w1 + x2 * w2 + b).data());
    CHECK(x1.grad() == doctest::Approx(-1.5));
    // Every one-argument function of the op table is also a method with the same result.
    const Value v{0.75};
    CHECK(v.exp().data() == exp(v).data());
    CHECK(v.log().data() == log(v).data());
    CHECK(v.relu().data() == relu(v).data());
    CHECK(v.sigmoid().data() == sigmoid(v).data());
    CHECK(v.atan().data() == atan(v).data());
    CHECK(v.pow(3.0).op() == Op::PowConst);
    CHECK(v.pow(Value{2.0}).op() == Op::Pow);
    std::ostringstream out;
    out << Value{2.0} << " " << x1;
    CHECK(out.str() == "Value(data=2, grad=0) Value(data=2, grad=-1.4999999999999993)");
    std::ostringstream stale;
    stale << Value{};
    CHECK(stale.str() == "Value(invalid)");
}

TEST_CASE_FIXTURE(FreshGraph, "lecture neuron with exp and division gives the same gradients") {
    Value x1{2.0}, x2{0.0}, w1{-3.0}, w2{1.0}, b{6.8813735870195432};
    Value n = x1 * w1 + x2 * w2 + b;
    Value e = exp(2 * n);
    Value o = (e - 1) / (e + 1);
    o.backward();
    CHECK(o.data() == doctest::Approx(0.70710678).epsilon(1e-8));
    CHECK(x1.grad() == doctest::Approx(-1.5));
    CHECK(w1.grad() == doctest::Approx(1.0));
    CHECK(x2.grad() == doctest::Approx(0.5));
    CHECK(w2.grad() == doctest::Approx(0.0));
}

TEST_CASE_FIXTURE(FreshGraph, "micrograd sanity check") {
    Value x{-4.0};
    Value z = 2 * x + 2 + x;
    Value q = relu(z) + z * x;
    Value h = relu(z * z);
    Value y = h + q + q * x;
    y.backward();
    CHECK(y.data() == -20);
    CHECK(x.grad() == 46);
}

TEST_CASE_FIXTURE(FreshGraph, "micrograd test_more_ops") {
    Value a{-4.0}, b{2.0};
    Value c = a + b;
    Value d = a * b + pow(b, 3);
    c += c + 1;
    c += 1 + c + (-a);
    d += d * 2 + relu(b + a);
    d += 3 * d + relu(b - a);
    Value e = c - d;
    Value f = pow(e, 2);
    Value g = f / 2.0;
    g += 10.0 / f;
    g.backward();
    CHECK(g.data() == doctest::Approx(24.70408163265306).epsilon(1e-12));
    CHECK(a.grad() == doctest::Approx(138.83381924198252).epsilon(1e-12));
    CHECK(b.grad() == doctest::Approx(645.5772594752186).epsilon(1e-12));
}

TEST_CASE_FIXTURE(FreshGraph, "fan-out adds gradients") {
    SUBCASE("b = a + a") {
        Value a{3.0};
        Value b = a + a;
        b.backward();
        CHECK(a.grad() == 2);
    }
    SUBCASE("c = b*3 + b*5") {
        Value a{1.0};
        Value b = a + 4;
        Value c = b * 3 + b * 5;
        c.backward();
        CHECK(a.grad() == 8);
        CHECK(b.grad() == 8);
    }
    SUBCASE("a * a") {
        Value a{3.0};
        Value b = a * a;
        b.backward();
        CHECK(a.grad() == 6);
    }
}

TEST_CASE_FIXTURE(FreshGraph, "interior gradients are recomputed, leaf gradients accumulate") {
    Value a{2.0}, b{3.0};
    Value m = a * b;
    Value L = m + 1;
    L.backward();
    CHECK(m.grad() == 1);
    CHECK(a.grad() == 3);
    L.backward();
    CHECK(m.grad() == 1);  // interior: same result every time
    CHECK(a.grad() == 6);  // leaf: accumulated
    mgrad::default_graph().zero_grad();
    L.backward();
    CHECK(a.grad() == 3);
}

TEST_CASE_FIXTURE(FreshGraph, "backward reaches only what the root depends on") {
    Value a{0.0}, b{2.0};
    Value bad = log(a);  // -inf, and d/da = inf
    Value unrelated = bad * b;
    Value L = b * 3;
    (void)unrelated;
    L.backward();
    CHECK(b.grad() == 3);
    CHECK(a.grad() == 0);
    CHECK(bad.grad() == 0);
}

// backward() skips the first-touch mask while no computed gradient has been written since it was
// recorded (Graph's m_clean_from): a fresh tape and a used one must give the same bits.
TEST_CASE("backward on a fresh tape and on a used one give the same gradients") {
    auto build = [](Graph& g) {
        Value a{g, 0.0}, b{g, 2.0}, c{g, -1.5};
        Value bad = log(a);  // -inf, d/da = inf: must not reach a from an unrelated node
        Value unrelated = bad * b;
        Value m = b * c;
        Value L1 = m * m + tanh(c) - m / b;  // m is used three times
        Value L2 = L1 * 0.5 + unrelated;     // after L1: depends on it, not the reverse
        (void)L2;
        return std::vector<Value>{a, b, c, bad, unrelated, m, L1, L2};
    };
    Graph fresh, used;
    const std::vector<Value> f = build(fresh), u = build(used);
    // Dirty the used tape every way there is: a backward from the later root, an interior
    // gradient set by hand past the root, then every leaf's gradient reset.
    u[7].backward();
    used.set_grad(u[7].id(), 42.0);
    used.set_grad(u[4].id(), -7.0);
    for (mgrad::NodeId id = 0; id < used.size(); ++id)
        if (mgrad::is_leaf(used.op(id))) used.set_grad(id, 0.0);  // constants too
    f[6].backward();
    u[6].backward();
    REQUIRE(fresh.size() == used.size());
    for (mgrad::NodeId id = 0; id < fresh.size(); ++id) {
        CAPTURE(id);
        CHECK(std::bit_cast<std::uint64_t>(fresh.grad(id)) ==
              std::bit_cast<std::uint64_t>(used.grad(id)));
    }
    CHECK(f[0].grad() == 0);  // a: unreached, so no NaN from log's inf
    CHECK(f[4].grad() == 0);  // after the root: no gradient
    CHECK(f[7].grad() == 0);
    // And once more on each: interior gradients the same again, leaves accumulated.
    f[6].backward();
    CHECK(f[5].grad() == doctest::Approx(2 * f[5].data() - 0.5));
    CHECK(f[1].grad() == doctest::Approx(2 * u[1].grad()));
}

// On a fresh tape backward sweeps without marking what the root reaches, and starts again with
// marks when a NaN shows up: a NaN the root does reach must survive that.
TEST_CASE("backward on a fresh tape keeps a NaN the root depends on") {
    Graph g;
    Value a{g, 0.0}, b{g, 2.0};
    Value bad = log(a);  // d/da = inf
    Value L = bad * 0.0 + b * 3;
    L.backward();
    CHECK(std::isnan(a.grad()));  // 0 * inf, as PyTorch gives
    CHECK(b.grad() == 3);
    CHECK(L.grad() == 1);
}

// The fresh sweep looks for a NaN only where one could stop: at leaves, and at ops whose rules may
// drop it (relu, a power). Here the NaN comes from a node the root does not reach (0/0 in the
// rule of u) into p only, a relu whose rule then drops it: only the test at p can see it.
TEST_CASE("backward on a fresh tape sees a NaN that a relu would drop") {
    Graph g;
    Value x{g, -1.0};
    Value p = relu(x);  // data 0: relu's rule gives x nothing, whatever p's gradient
    Value u = log(p);   // L does not depend on it; its rule gives p G / A = 0 / 0
    Value L = p * 2.0;
    L.backward();
    CHECK(p.grad() == 2);
    CHECK(x.grad() == 0);
    CHECK(u.grad() == 0);
}

// A leaf gradient set by hand makes the tape used: the fresh sweep would otherwise lose the sign
// of a -0.0 (adding +0.0 to it) and a value set before the sweep is kept either way.
TEST_CASE("a leaf gradient set by hand is kept by backward") {
    Graph g;
    Value a{g, 2.0}, b{g, 5.0};
    Value unrelated = a * 0.0;
    Value L = b * 3;
    (void)unrelated;
    g.set_grad(a.id(), -0.0);
    L.backward();
    CHECK(std::signbit(a.grad()));
    CHECK(b.grad() == 3);
    g.zero_grad();
    g.set_grad(b.id(), 1.5);
    L.backward();
    CHECK(b.grad() == 4.5);
}

TEST_CASE("an operator applies a pending set_data before it records") {
    Graph g;
    Value a{g, 2.0}, b{g, 3.0};
    Value m = a * b;
    a.set_data(4.0);
    Value n = m + b;  // m must be recomputed first: 4 * 3 + 3
    CHECK(n.data() == 15);
    a.set_data(1.0);
    Value t = tanh(m);  // a unary operator, the same
    CHECK(t.data() == doctest::Approx(std::tanh(3.0)));
}

TEST_CASE("a handle from one graph is stale on another, whatever their epochs") {
    Graph g1, g2;
    Value a{g1, 1.0};
    Value b{g2, 2.0};
    CHECK(g1.epoch() != g2.epoch());
    CHECK_THROWS_WITH_AS((void)(a + b), doctest::Contains("two different graphs"), mgrad::Error);
    CHECK_THROWS_WITH_AS((void)(b * a), doctest::Contains("two different graphs"), mgrad::Error);
    g1.clear();
    CHECK_THROWS_WITH_AS((void)(a + 1.0), doctest::Contains("stale"), mgrad::Error);
    CHECK_THROWS_WITH_AS((void)(-a), doctest::Contains("stale"), mgrad::Error);
    Value empty;
    CHECK_THROWS_WITH_AS((void)(empty + b), doctest::Contains("empty Value"), mgrad::Error);
    CHECK_THROWS_WITH_AS((void)(b + empty), doctest::Contains("empty Value"), mgrad::Error);
}

TEST_CASE_FIXTURE(FreshGraph, "backward from a leaf") {
    Value a{2.0};
    a.backward();
    CHECK(a.grad() == 1);
}

TEST_CASE_FIXTURE(FreshGraph, "set_data re-evaluates downstream lazily") {
    Value a{2.0, "a"}, b{-3.0, "b"}, c{10.0, "c"}, f{-2.0, "f"};
    Value e = a * b;
    Value L = (e + c) * f;
    Graph& g = mgrad::default_graph();
    const auto size = g.size();
    a.set_data(3.0);
    CHECK(L.data() == (3.0 * -3.0 + 10.0) * -2.0);
    CHECK(e.data() == -9);
    CHECK(g.size() == size);  // nothing rebuilt
    L.backward();
    CHECK(a.grad() == 6);
    CHECK(b.grad() == -6);
    SUBCASE("forward reports how many nodes changed") {
        c.set_data(0.0);
        CHECK(g.forward() == 2);  // e + c and the product
        CHECK(g.forward() == 0);
    }
    SUBCASE("a new node sees pending changes") {
        f.set_data(1.0);
        Value h = L + 0.5;
        CHECK(h.data() == 1.5);
    }
    SUBCASE("only leaves can be set") { CHECK_THROWS_AS(L.set_data(1.0), mgrad::Error); }
}

TEST_CASE("forward after many set_data calls recomputes everything, to the same values") {
    // Below Graph::many_leaves changes forward() follows the changed leaves; from it on it
    // recomputes every node after the first. Either way the numbers must be those of a graph
    // built from the new values.
    for (const std::size_t changes : {std::size_t{3}, std::size_t{Graph::many_leaves + 8}}) {
        CAPTURE(changes);
        Graph g;
        std::vector<Value> leaves;
        for (std::size_t i = 0; i < 64; ++i)
            leaves.emplace_back(g, 0.1 * static_cast<double>(i) - 2.0);
        Value acc = Value::constant(1.0, g);
        for (std::size_t i = 0; i < leaves.size(); ++i)
            acc = i % 2 ? tanh(acc * leaves[i]) : mul_add(acc, leaves[i], pow(leaves[i], 2.0));
        const mgrad::NodeId size = g.size();
        for (std::size_t i = 0; i < changes; ++i)
            leaves[i].set_data(leaves[i].data() * -1.5 + 0.25);
        const std::size_t recomputed = g.forward();
        CHECK(recomputed > 0);
        CHECK(recomputed <= size - leaves.size() - 1);
        Graph fresh;
        std::vector<Value> copy;
        for (const Value& v : leaves)
            copy.emplace_back(fresh, v.data());
        Value expect = Value::constant(1.0, fresh);
        for (std::size_t i = 0; i < copy.size(); ++i)
            expect = i % 2 ? tanh(expect * copy[i]) : mul_add(expect, copy[i], pow(copy[i], 2.0));
        for (mgrad::NodeId id = 0; id < size; ++id)
            CHECK(g.nodes()[id].data == fresh.nodes()[id].data);
        CHECK(acc.data() == expect.data());
        CHECK(g.forward() == 0);
    }
}

TEST_CASE_FIXTURE(FreshGraph, "IEEE semantics and finding the first non-finite node") {
    Value a{-1.0, "a"}, z{0.0, "z"};
    Value l = log(a);
    CHECK(std::isnan(l.data()));
    Value q = 1.0 / z;
    CHECK(std::isinf(q.data()));
    Value s = l + 1;
    auto first = mgrad::default_graph().first_non_finite();
    REQUIRE(first.has_value());
    CHECK(*first == l.id());
    CHECK(std::isnan(s.data()));
    auto after = mgrad::default_graph().first_non_finite(s.id() + 1);
    CHECK_FALSE(after.has_value());
}

TEST_CASE("a cleared graph makes its Values stale, detectably") {
    Graph g;
    Value a{g, 1.0, "a"};
    Value b = a * 2;
    g.clear();
    CHECK_FALSE(a.valid());
    CHECK_THROWS_WITH_AS((void)b.data(), doctest::Contains("stale"), mgrad::Error);
    CHECK_THROWS_AS(a + 1, mgrad::Error);
    Value fresh{g, 5.0};
    CHECK(fresh.valid());
    CHECK_FALSE(b.valid());  // same id may exist again, but the epoch differs
}

TEST_CASE("empty Values and mixed graphs are errors") {
    Value empty;
    CHECK_THROWS_WITH_AS((void)empty.data(), doctest::Contains("empty"), mgrad::Error);
    Graph g1, g2;
    Value a{g1, 1.0}, b{g2, 2.0};
    CHECK_THROWS_WITH_AS(a + b, doctest::Contains("different graphs"), mgrad::Error);
}

TEST_CASE("named graphs are independent of the default graph") {
    Graph g;
    Value a{g, 2.0}, b{g, 5.0};
    Value c = a * b + 1.0;
    CHECK(&c.graph() == &g);
    CHECK(g.size() == 5);  // a, b, a*b, const 1, sum
    CHECK(c.data() == 11);
}

TEST_CASE("the tape records ops, parents, constants and exponents") {
    Graph g;
    Value x{g, 3.0, "x"};
    Value y = pow(x, 3.0);
    Value z = 2.0 * y;
    CHECK(g.op(y.id()) == Op::PowConst);
    CHECK(g.exponent(y.id()) == 3.0);
    CHECK(g.parents(y.id()).size() == 1);
    CHECK(g.parents(y.id())[0] == x.id());
    const auto p = g.parents(z.id());
    REQUIRE(p.size() == 2);
    CHECK(g.op(p[0]) == Op::Const);
    CHECK(g.data(p[0]) == 2.0);
    CHECK(g.parents(x.id()).size() == 0);
    CHECK_THROWS_AS((void)g.exponent(z.id()), mgrad::Error);
    CHECK_THROWS_AS((void)g.node(1000), mgrad::Error);
}

TEST_CASE("op table is consistent") {
    for (std::size_t i = 0; i < mgrad::op_count; ++i) {
        const auto op = static_cast<Op>(i);
        const auto& info = mgrad::op_info(op);
        CHECK(!info.name.empty());
        CHECK(mgrad::op_from_name(info.name) == op);
        CHECK(info.arity <= 3);
    }
    CHECK(mgrad::op_info(Op::Tanh).symbol == "tanh");
    CHECK_FALSE(mgrad::op_from_name("nope").has_value());
}

TEST_CASE("scopes record node ranges and nest") {
    Graph g;
    Value a{g, 1.0};
    {
        mgrad::ScopeGuard layer(g, "layer0");
        Value b = a * 2;
        {
            mgrad::ScopeGuard neuron(g, "neuron0");
            Value c = tanh(b);
            (void)c;
        }
    }
    const auto& scopes = g.scopes();
    REQUIRE(scopes.size() == 2);
    CHECK(scopes[0].name == "layer0");
    CHECK(scopes[0].begin == 1);
    CHECK(scopes[0].end == 4);
    CHECK(scopes[1].parent == 0);
    CHECK(scopes[1].begin == 3);
    CHECK(scopes[1].end == 4);
    CHECK_THROWS_AS(g.end_scope(), mgrad::Error);
}

TEST_CASE("a 1,000,000-deep tanh chain evaluates and backpropagates without recursion") {
    Graph g;
    Value x{g, 0.5, "x"};
    Value y = x;
    constexpr int depth = 1'000'000;
    for (int i = 0; i < depth; ++i)
        y = tanh(y);
    CHECK(g.size() == depth + 1);
    y.backward();
    // Compare against the same recurrence in plain doubles.
    double v = 0.5, d = 1.0;
    for (int i = 0; i < depth; ++i) {
        v = std::tanh(v);
        d *= 1.0 - v * v;
    }
    CHECK(y.data() == v);
    CHECK(x.grad() == doctest::Approx(d).epsilon(1e-9));
}

TEST_CASE("mul_add is the two-node form in one node, bit for bit") {
    Graph g;
    Value a{g, 0.1}, b{g, 0.7}, c{g, -0.3};
    Value fused = mul_add(a, b, c);
    Value pair = c + a * b;
    CHECK(fused.data() == pair.data());
    CHECK(g.parents(fused.id()).size() == 3);
    CHECK(g.parents(fused.id())[2] == c.id());
    Value t = tanh(fused);
    t.backward();
    const double ga = a.grad(), gb = b.grad(), gc = c.grad();
    g.zero_grad();
    tanh(pair).backward();
    CHECK(a.grad() == ga);
    CHECK(b.grad() == gb);
    CHECK(c.grad() == gc);
    a.set_data(2.0);  // re-evaluation follows the third parent too
    c.set_data(1.0);
    CHECK(fused.data() == 2.0 * 0.7 + 1.0);
}

TEST_CASE("mul_add gives the gradients of a * b + c whichever operands are leaves") {
    // MulAdd adds to leaf operands directly and to interior ones with a first-touch test:
    // every mix, the same node in several slots included, must match the two-node form.
    for (unsigned mask = 0; mask < 8; ++mask) {
        for (const bool shared : {false, true}) {
            CAPTURE(mask);
            CAPTURE(shared);
            auto run = [&](bool fused) {
                Graph g;
                Value x{g, 1.5}, y{g, -0.25}, z{g, 2.0};
                auto operand = [&](unsigned bit, const Value& leaf) {
                    return (mask >> bit) & 1u ? leaf : tanh(leaf) * 2.0;  // interior when set
                };
                const Value a = operand(0, x);
                const Value b = shared ? a : operand(1, y);
                const Value c = shared ? a : operand(2, z);
                const Value out = fused ? mul_add(a, b, c) : a * b + c;
                const Value root = out * out + a;  // a is reached by two paths
                root.backward();
                root.backward();  // interior gradients start again from 0, leaves accumulate
                return std::vector<double>{root.data(), x.grad(), y.grad(), z.grad(), a.grad()};
            };
            const auto two_nodes = run(false), one_node = run(true);
            for (std::size_t i = 0; i < two_nodes.size(); ++i)
                CHECK(std::bit_cast<std::uint64_t>(one_node[i]) ==
                      std::bit_cast<std::uint64_t>(two_nodes[i]));
        }
    }
}
