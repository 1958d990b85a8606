// The benchmarks' hand-written reference tape (bench/reference_tape.hpp) computes what mgrad
// computes: W1's values and every node's gradient, so that timing one against the other
// compares like with like (the reference has no zeroing pass and relies on nodes born with 0).
#include <doctest/doctest.h>

#include <mgrad/mgrad.hpp>

#include <cstddef>

#include "reference_tape.hpp"
#include "workloads.hpp"

TEST_CASE("reference tape: W1's values and gradients equal mgrad's, node for node") {
    constexpr std::size_t nodes = 100'000;
    mgrad::Graph g;
    auto leaf = [&g](double v) { return mgrad::Value{g, v}; };
    const mgrad::Value out = workloads::w1<mgrad::Value>(leaf, nodes);
    out.backward();

    reftape::Tape t;
    auto ref_leaf = [&t](double v) { return reftape::leaf(t, v); };
    const reftape::Var ref = workloads::w1<reftape::Var>(ref_leaf, nodes);
    t.backward(ref.id);

    // Both record the same nodes in the same order (constants are nodes in both).
    REQUIRE(t.nodes.size() == g.size());
    REQUIRE(ref.id == out.id());
    CHECK(ref.v() == doctest::Approx(out.data()).epsilon(1e-12));
    std::size_t leaves = 0;
    std::size_t mismatches = 0;
    for (std::size_t i = 0; i < t.nodes.size(); ++i) {
        const mgrad::Node& m = g.node(static_cast<mgrad::NodeId>(i));
        const reftape::Node& r = t.nodes[i];
        if (mgrad::is_leaf(m.op) != (r.op == reftape::Op::Leaf)) ++mismatches;
        if (r.op == reftape::Op::Leaf) ++leaves;
        if (r.v != doctest::Approx(m.data).epsilon(1e-12)) ++mismatches;
        if (r.g != doctest::Approx(m.grad).epsilon(1e-12)) ++mismatches;
    }
    CHECK(mismatches == 0);
    CHECK(leaves > nodes / 5);  // 8 leaves and constants in 34 nodes: compared too
    // micrograd's test_more_ops: dg/da at the first instance (a = -4, b = 2).
    CHECK(t.nodes[0].g == doctest::Approx(138.83381924198252).epsilon(1e-12));
}
