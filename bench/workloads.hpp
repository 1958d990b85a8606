// The benchmark workloads, written once as templates so every engine runs the same maths.
#pragma once

#include <cstddef>
#include <vector>

namespace workloads {

// micrograd's test_more_ops expression: 33 nodes per instance in mgrad (constants included).
template <class V, class MakeLeaf>
V more_ops(MakeLeaf&& make_leaf, double av, double bv) {
    V a = make_leaf(av);
    V b = make_leaf(bv);
    V c = a + b;
    V d = a * b + pow(b, 3);
    c = c + (c + 1.0);
    c = c + (1.0 + c + (-a));
    d = d + (d * 2.0 + relu(b + a));
    d = d + (3.0 * d + relu(b - a));
    V e = c - d;
    V f = pow(e, 2);
    V g = f / 2.0;
    g = g + 10.0 / f;
    return g;
}

inline constexpr std::size_t more_ops_nodes = 33;

// W1: instances with fresh leaves until about `nodes` nodes, outputs summed pairwise.
template <class V, class MakeLeaf>
V w1(MakeLeaf&& make_leaf, std::size_t nodes) {
    std::vector<V> outs;
    const std::size_t count = nodes / (more_ops_nodes + 1);
    outs.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        const double t = static_cast<double>(i % 97) / 97.0;
        outs.push_back(more_ops<V>(make_leaf, -4.0 + t, 2.0 - t));
    }
    while (outs.size() > 1) {
        std::size_t half = 0;
        for (std::size_t i = 0; i + 1 < outs.size(); i += 2)
            outs[half++] = outs[i] + outs[i + 1];
        if (outs.size() % 2) outs[half++] = outs.back();
        outs.resize(half);
    }
    return outs.front();
}

}  // namespace workloads
