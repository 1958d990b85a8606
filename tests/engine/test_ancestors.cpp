// The parts of a graph one root depends on: AncestorWalk, Graph::backward_through and
// Graph::value_with against the whole-tape passes they stand in for, on random graphs.
#include <doctest/doctest.h>

#include <mgrad/engine/ancestors.hpp>
#include <mgrad/mgrad.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

using mgrad::AncestorWalk;
using mgrad::Graph;
using mgrad::NodeId;
using mgrad::Op;

namespace {

// A random DAG of every op: leaves, constants, unary, binary, pow_const and mul_add nodes, each
// reading recent or arbitrary earlier nodes, so some roots reach little and some nearly all.
void random_graph(Graph& g, std::mt19937& rng, std::size_t n) {
    std::uniform_real_distribution<double> value(-2.0, 2.0);
    g.leaf(value(rng), "x0");
    while (g.size() < n) {
        auto pick = [&] {
            const NodeId size = g.size();
            if (rng() % 2 == 0)
                return static_cast<NodeId>(size - 1 - rng() % std::min<NodeId>(size, 4));
            return static_cast<NodeId>(rng() % size);
        };
        const auto op = static_cast<Op>(rng() % mgrad::op_count);
        const std::uint8_t arity = mgrad::op_info(op).arity;
        if (op == Op::Leaf) {
            g.leaf(value(rng));
        } else if (op == Op::Const) {
            g.constant(value(rng));
        } else if (op == Op::PowConst) {
            g.pow_const(pick(), static_cast<double>(rng() % 5) - 1.0);
        } else if (op == Op::MulAdd) {
            g.mul_add(pick(), pick(), pick());
        } else if (arity == 1) {
            g.unary(op, pick());
        } else if (arity == 2) {
            g.binary(op, pick(), pick());
        }
    }
}

// Everything `root` depends on, by the definition: a downward sweep of the whole tape.
std::vector<NodeId> ancestors_by_sweep(const Graph& g, NodeId root) {
    std::vector<bool> reached(g.size(), false);
    reached[root] = true;
    for (NodeId id = root + 1; id-- > 0;)
        if (reached[id])
            for (NodeId p : g.parents(id))
                reached[p] = true;
    std::vector<NodeId> out;
    for (NodeId id = 0; id <= root; ++id)
        if (reached[id]) out.push_back(id);
    return out;
}

// Bit for bit, except that every NaN is one: which NaN's sign a sum keeps depends on the order
// the compiler gives its operands, and no result depends on it.
bool same_bits(double a, double b) {
    if (std::isnan(a) && std::isnan(b)) return true;
    return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

}  // namespace

TEST_CASE("AncestorWalk finds exactly the nodes a root depends on, in tape order") {
    std::mt19937 rng(17);
    AncestorWalk walk;
    for (int round = 0; round < 40; ++round) {
        Graph g;
        random_graph(g, rng, 20 + rng() % 400);
        // More walks than the 255 stamps a byte holds: the wrap-around must forget old marks.
        for (int k = 0; k < 10; ++k) {
            const auto root = static_cast<NodeId>(rng() % g.size());
            const auto found = walk.of(g, root);
            const std::vector<NodeId> got(found.begin(), found.end());
            CHECK(got == ancestors_by_sweep(g, root));
        }
    }
    Graph g;
    g.leaf(1.0);
    CHECK_THROWS_AS((void)walk.of(g, 5), mgrad::Error);
}

TEST_CASE("backward_through gives exactly what zero_grad() then backward() give") {
    std::mt19937 rng(1717);
    AncestorWalk walk;
    for (int round = 0; round < 60; ++round) {
        Graph whole, part;
        const std::size_t n = 10 + rng() % 300;
        std::mt19937 copy = rng;
        random_graph(whole, rng, n);
        random_graph(part, copy, n);
        // Gradients left over from an earlier backward must not matter to the part: they
        // are zeroed there, and kept elsewhere.
        const auto earlier = static_cast<NodeId>(rng() % n);
        part.backward(earlier);
        const std::vector<double> before = [&] {
            std::vector<double> v;
            for (NodeId id = 0; id < part.size(); ++id)
                v.push_back(part.grad(id));
            return v;
        }();
        const auto root = static_cast<NodeId>(rng() % n);
        whole.zero_grad();
        whole.backward(root);
        const auto nodes = walk.of(part, root);
        part.backward_through(root, nodes);
        std::vector<bool> in_part(n, false);
        for (NodeId id : nodes)
            in_part[id] = true;
        for (NodeId id = 0; id < n; ++id) {
            CAPTURE(round);
            CAPTURE(id);
            if (in_part[id])
                CHECK_MESSAGE(same_bits(part.grad(id), whole.grad(id)), part.grad(id), " vs ",
                              whole.grad(id));
            else
                CHECK(same_bits(part.grad(id), before[id]));
        }
    }
}

TEST_CASE("backward_through after set_data recomputes first, as backward does") {
    Graph whole, part;
    for (Graph* g : {&whole, &part}) {
        const NodeId x = g->leaf(0.5), y = g->leaf(-1.5);
        const NodeId t = g->unary(Op::Tanh, g->binary(Op::Mul, x, y));
        g->binary(Op::Add, t, x);
        g->set_data(y, 3.0);
    }
    whole.zero_grad();
    whole.backward(4);
    AncestorWalk walk;
    part.backward_through(4, walk.of(part, 4));
    for (NodeId id = 0; id < 5; ++id)
        CHECK(same_bits(part.grad(id), whole.grad(id)));
}

TEST_CASE("value_with is the root's value with one leaf changed, and leaves the graph as it was") {
    std::mt19937 rng(71);
    AncestorWalk walk;
    for (int round = 0; round < 60; ++round) {
        Graph g, changed;
        const std::size_t n = 10 + rng() % 300;
        std::mt19937 copy = rng;
        random_graph(g, rng, n);
        random_graph(changed, copy, n);
        const auto root = static_cast<NodeId>(rng() % n);
        g.backward(root);
        const std::vector<NodeId> nodes = [&] {
            const auto s = walk.of(g, root);
            return std::vector<NodeId>(s.begin(), s.end());
        }();
        std::vector<NodeId> leaves;
        for (NodeId id : nodes)
            if (g.op(id) == Op::Leaf) leaves.push_back(id);
        if (leaves.empty()) continue;
        const NodeId leaf = leaves[rng() % leaves.size()];
        const double moved = g.data(leaf) + 1e-3;

        const std::vector<mgrad::Node> tape_before(g.nodes().begin(), g.nodes().end());
        const double got = g.value_with(root, nodes, leaf, moved);
        changed.set_data(leaf, moved);
        CAPTURE(round);
        CHECK(same_bits(got, changed.data(root)));
        // Every record — data, gradient, parents, op, flags — exactly as before.
        const auto tape_after = g.nodes();
        REQUIRE(tape_after.size() == tape_before.size());
        for (std::size_t i = 0; i < tape_before.size(); ++i) {
            CAPTURE(i);
            const mgrad::Node &a = tape_after[i], &b = tape_before[i];
            CHECK(same_bits(a.data, b.data));
            CHECK(same_bits(a.grad, b.grad));
            CHECK((a.a == b.a && a.b == b.b && a.c == b.c && a.op == b.op && a.flags == b.flags &&
                   a.accumulate == b.accumulate));
        }
    }
}
