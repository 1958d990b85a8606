// Graph::backward_accumulating, propagate and zero_grad_downstream: micrograd's backward rule,
// which the Python package follows. The numbers are what micrograd's own engine gives for the
// lecture's L = (a*b + c) * f (tests/python/test_fidelity.py runs micrograd beside it).
#include <doctest/doctest.h>

#include <mgrad/mgrad.hpp>

#include <cmath>
#include <limits>
#include <vector>

using mgrad::Graph;
using mgrad::NodeId;
using mgrad::Value;

namespace {

struct Lecture {
    Graph g;
    Value a{g, 2.0}, b{g, -3.0}, c{g, 10.0}, f{g, -2.0};
    Value e = a * b;
    Value d = e + c;
    Value L = d * f;
};

}  // namespace

TEST_CASE("backward_accumulating: once, the chain rule") {
    Lecture t;
    t.g.backward_accumulating(t.L.id());
    CHECK(t.a.grad() == 6.0);
    CHECK(t.b.grad() == -4.0);
    CHECK(t.c.grad() == -2.0);
    CHECK(t.f.grad() == 4.0);
    CHECK(t.e.grad() == -2.0);
    CHECK(t.L.grad() == 1.0);
}

TEST_CASE("backward_accumulating: twice, every gradient adds up, as in micrograd") {
    Lecture t;
    t.g.backward_accumulating(t.L.id());
    t.g.backward_accumulating(t.L.id());
    // The second pass sends on what the first left: d.grad = -4, e.grad = -2 + -4 = -6, and
    // a.grad = 6 + (-3) * (-6) = 24.
    CHECK(t.L.grad() == 1.0);  // the root's is set, not added
    CHECK(t.d.grad() == -4.0);
    CHECK(t.e.grad() == -6.0);
    CHECK(t.a.grad() == 24.0);
    CHECK(t.f.grad() == 8.0);
}

TEST_CASE("backward_accumulating: nodes the root does not depend on keep their gradients") {
    Lecture t;
    t.g.backward_accumulating(t.L.id());
    t.g.backward_accumulating(t.d.id());
    CHECK(t.L.grad() == 1.0);
    CHECK(t.f.grad() == 4.0);  // d does not depend on f
    CHECK(t.d.grad() == 1.0);
    CHECK(t.e.grad() == -1.0);  // -2 + 1
    CHECK(t.a.grad() == 9.0);   // 6 + (-3) * (-1)
    // A node after the root, with a NaN gradient, gives nothing to a shared leaf.
    Value n = t.a * std::numeric_limits<double>::quiet_NaN();
    t.g.set_grad(n.id(), std::numeric_limits<double>::quiet_NaN());
    t.g.backward_accumulating(t.e.id());
    CHECK(t.e.grad() == 1.0);  // the root's is set: micrograd's self.grad = 1
    CHECK(t.a.grad() == 6.0);  // 9 + (-3) * 1
    CHECK(std::isnan(n.grad()));
}

TEST_CASE("backward_accumulating on a fresh tape: the fresh sweep, and a NaN told apart") {
    Graph g;
    Value x{g, 2.0};
    Value unused = mgrad::log(Value{g, -1.0}) * x;  // NaN, made before the root
    Value y = x * 3.0;
    g.backward_accumulating(y.id());
    CHECK(x.grad() == 3.0);
    CHECK(unused.grad() == 0.0);
    g.backward_accumulating(y.id());
    CHECK(x.grad() == 6.0);
}

TEST_CASE("propagate is micrograd's _backward: one node's share, added") {
    Lecture t;
    t.g.set_grad(t.L.id(), 1.0);
    for (const Value& v : {t.L, t.d, t.e, t.a})
        t.g.propagate(v.id());  // a leaf gives nothing
    CHECK(t.d.grad() == -2.0);
    CHECK(t.f.grad() == 4.0);
    CHECK(t.e.grad() == -2.0);
    CHECK(t.c.grad() == -2.0);
    CHECK(t.a.grad() == 6.0);
    t.g.propagate(t.e.id());  // again: adds again
    CHECK(t.a.grad() == 12.0);
    // backward() afterwards sees these gradients as written (its sweep starts from 0 again).
    t.L.backward();
    CHECK(t.e.grad() == -2.0);
}

TEST_CASE("zero_grad_downstream zeroes what was computed from the nodes, nothing else") {
    Lecture t;
    Value other{t.g, 5.0};
    Value o2 = other * 2.0;
    t.g.backward_accumulating(o2.id());
    t.g.backward_accumulating(t.L.id());
    const std::vector<NodeId> params{t.a.id(), t.b.id()};
    t.g.zero_grad_downstream(params);
    CHECK(t.a.grad() == 0.0);
    CHECK(t.e.grad() == 0.0);
    CHECK(t.d.grad() == 0.0);
    CHECK(t.L.grad() == 0.0);
    CHECK(t.c.grad() == -2.0);  // c and f are not computed from a or b
    CHECK(t.f.grad() == 4.0);
    CHECK(other.grad() == 2.0);
    CHECK(o2.grad() == 1.0);
    // So a loss built once and replayed gives the same gradients every step.
    t.g.backward_accumulating(t.L.id());
    CHECK(t.a.grad() == 6.0);
}
