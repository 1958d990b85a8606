// Graph::compact: what survives a collection, and that it computes exactly as before.
#include <doctest/doctest.h>

#include <mgrad/mgrad.hpp>

#include <cstddef>
#include <vector>

using mgrad::Graph;
using mgrad::no_node;
using mgrad::NodeId;
using mgrad::Op;
using mgrad::Value;

TEST_CASE("compact keeps the roots and their ancestors, in order, with data, grads and labels") {
    Graph g;
    Value a{g, 2.0, "a"}, b{g, -3.0, "b"}, c{g, 10.0, "c"}, f{g, -2.0, "f"};
    Value junk1 = a * 100.0;  // not depended on: dropped
    Value e = a * b;
    Value d = e + c;
    Value junk2 = tanh(junk1);
    Value L = d * f;
    L.set_label("L");
    L.backward();
    const NodeId old_l = L.id();
    const NodeId old_junk1 = junk1.id(), old_junk2 = junk2.id();
    const std::size_t before = g.size();

    const std::vector<NodeId> roots{old_l};
    std::vector<NodeId> remap;
    g.compact(roots, remap);
    REQUIRE(remap.size() == before);
    CHECK(g.size() == 7);  // a b c f e d L; the constant 100 and both junk nodes are gone
    CHECK(remap[old_junk1] == no_node);
    CHECK(remap[old_junk2] == no_node);
    CHECK_FALSE(L.valid());  // a new epoch: old handles are stale

    const NodeId l = remap[old_l];
    REQUIRE(l != no_node);
    CHECK(g.op(l) == Op::Mul);
    CHECK(g.data(l) == -8.0);
    CHECK(g.grad(l) == 1.0);
    CHECK(g.label(l) == "L");
    // Parents follow: L = d * f, d = e + c, e = a * b.
    const mgrad::Parents lp = g.parents(l);
    CHECK(g.label(lp[1]) == "f");
    CHECK(g.grad(lp[1]) == 4.0);
    const mgrad::Parents dp = g.parents(lp[0]);
    CHECK(g.label(dp[1]) == "c");
    const mgrad::Parents ep = g.parents(dp[0]);
    CHECK(g.label(ep[0]) == "a");
    CHECK(g.grad(ep[0]) == 6.0);
    CHECK(g.grad(ep[1]) == -4.0);
    // Ids stay in creation order.
    for (NodeId i = 0; i < g.size(); ++i)
        for (const NodeId p : g.parents(i))
            CHECK(p < i);

    // The compacted graph computes as before: change a and replay.
    const NodeId new_a = ep[0];
    Value a2 = Value::from_id(g, new_a);
    a2.set_data(3.0);
    CHECK(g.data(l) == ((3.0 * -3.0) + 10.0) * -2.0);
    g.zero_grad();
    g.backward(l);
    CHECK(g.grad(new_a) == 6.0);
}

TEST_CASE("compact applies a pending recomputation first and keeps constant exponents") {
    Graph g;
    Value x{g, 2.0, "x"};
    Value y = pow(x, 3.0) + mul_add(x, x, x);
    x.set_data(3.0);  // y is stale until read
    const std::vector<NodeId> roots{y.id()};
    std::vector<NodeId> remap;
    g.compact(roots, remap);
    const NodeId ny = remap[roots[0]];
    CHECK(g.data(ny) == 27.0 + 12.0);
    const NodeId cube = g.parents(ny)[0];
    CHECK(g.op(cube) == Op::PowConst);
    CHECK(g.exponent(cube) == 3.0);
    g.backward(ny);
    CHECK(g.grad(g.parents(cube)[0]) == 27.0 + 7.0);  // 3x² + (2x + 1)
}

TEST_CASE("compact with no roots empties the graph; empty scopes go, others are renumbered") {
    Graph g;
    Value keep{g, 1.0, "keep"};
    NodeId u_id = no_node;
    {
        mgrad::ScopeGuard outer(g, "outer");
        Value t = keep * 2.0;
        {
            mgrad::ScopeGuard inner(g, "inner");
            Value u = t + 1.0;
            u_id = u.id();
        }
    }
    {
        mgrad::ScopeGuard dropped(g, "dropped");
        Value v = keep - 5.0;
        (void)v;
    }
    Value w = keep * 3.0;  // inside no scope
    const std::vector<NodeId> roots{w.id(), u_id};
    std::vector<NodeId> remap;
    g.compact(roots, remap);
    // keep, 2, t, 1, u survive (u's ancestors), plus 3 and w.
    CHECK(g.size() == 7);
    REQUIRE(g.scopes().size() == 2);
    CHECK(g.scopes()[0].name == "outer");
    CHECK(g.scopes()[0].begin == 1);
    CHECK(g.scopes()[0].end == 5);
    CHECK(g.scopes()[1].name == "inner");
    CHECK(g.scopes()[1].parent == 0);

    g.compact({}, remap);
    CHECK(g.empty());
    CHECK(g.scopes().empty());
}

TEST_CASE("compact refuses an id that is not on the graph") {
    Graph g;
    Value a{g, 1.0};
    const std::vector<NodeId> roots{a.id() + 1};
    std::vector<NodeId> remap;
    CHECK_THROWS_AS(g.compact(roots, remap), mgrad::Error);
    CHECK(a.valid());  // nothing changed
}

TEST_CASE("assign changes a leaf and leaves what was computed from it alone") {
    Graph g;
    Value x{g, 2.0, "x"};
    Value y = x * 3.0;
    g.assign(x.id(), 5.0);
    CHECK(x.data() == 5.0);
    CHECK(y.data() == 6.0);  // as micrograd: computed with the old x
    Value z = x * 3.0;       // new nodes read the new value
    CHECK(z.data() == 15.0);
    y.backward();
    CHECK(x.grad() == 3.0);
    CHECK_THROWS_AS(g.assign(y.id(), 1.0), mgrad::Error);
}
