// Graphs that are hard to lay out, for the drawing benchmarks (bench_render.cpp, draw_shape.cpp).
//
// Each builder records on `g` until the graph has about `values` nodes, every one of them an
// ancestor of the returned root (so `:draw` of the root draws them all), and runs backward so
// the boxes show gradients. The shapes are the ones that stress dot in different phases:
//   shared-leaf  x = x*y + 0.1 repeated: one leaf feeds every step, so its edges span the
//                whole picture (dot's virtual nodes grow with the square of the length)
//   wide-sum     s = s + a_i*b_i: a long spine with two leaves hanging off each step
//   mlp          the forward pass of a small MLP (tanh neurons over 3 inputs, 4 per layer)
//   chain        x = tanh(0.9*x) repeated: as long as a graph of that size can be
//   random-dag   binary and unary ops on operands drawn uniformly from everything before,
//                summed at the end: long edges everywhere, many crossings
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <string_view>
#include <vector>

#include <mgrad/mgrad.hpp>

namespace mgrad::bench {

inline NodeId finish(Value root) {
    root.set_label("out");
    root.backward();
    return root.id();
}

inline NodeId shared_leaf(Graph& g, std::size_t values) {
    Value x{g, 1.0, "x"}, y{g, 1.01, "y"};
    while (g.size() + 3 <= values)
        x = x * y + 0.1;
    return finish(x);
}

inline NodeId wide_sum(Graph& g, std::size_t values) {
    Value s{g, 0.0, "s"};
    double seed = 0.3;
    while (g.size() + 4 <= values) {
        seed = seed * 1.7 - static_cast<int>(seed * 1.7);
        s = s + Value(g, seed - 0.5, "a") * Value(g, 0.5 - seed, "b");
    }
    return finish(s);
}

inline NodeId mlp(Graph& g, std::size_t values) {
    std::vector<Value> x{{g, 1.0, "x0"}, {g, -2.0, "x1"}, {g, 0.5, "x2"}};
    double seed = 0.1;
    // A neuron over k inputs makes 3k + 3 nodes; the final sum 2 per output.
    while (g.size() + 3 * x.size() + 3 + 2 * 4 <= values) {
        std::vector<Value> out;
        for (int n = 0; n < 4 && g.size() + 3 * x.size() + 3 + 2 * 4 <= values; ++n) {
            ScopeGuard scope(g, "neuron");
            Value act{g, 0.0, "b"};
            for (const Value& xi : x) {
                seed = seed * 1.7 - static_cast<int>(seed * 1.7);  // a fixed pseudo-random walk
                act = act + Value(g, seed - 0.5, "w") * xi;
            }
            out.push_back(tanh(act));
        }
        x = out;
    }
    Value root = x[0];
    for (std::size_t i = 1; i < x.size(); ++i)
        root = root + x[i];
    return finish(root);
}

inline NodeId chain(Graph& g, std::size_t values) {
    Value x{g, 0.5, "x"};
    while (g.size() + 3 <= values)
        x = tanh(x * 0.9);
    return finish(x);
}

inline NodeId random_dag(Graph& g, std::size_t values) {
    std::mt19937 rng(17);  // fixed: the same graph every run
    std::vector<Value> all;
    for (int i = 0; i < 8; ++i)
        all.emplace_back(g, 0.1 * (i + 1), "l");
    std::vector<std::uint8_t> used(all.size(), 0);
    std::size_t unused = all.size();
    // Leave room for the final sum of what nothing used.
    while (g.size() + unused + 2 <= values) {
        auto pick = [&] {
            std::size_t i = std::uniform_int_distribution<std::size_t>(0, all.size() - 1)(rng);
            if (!used[i]) --unused;
            used[i] = 1;
            return all[i];
        };
        switch (std::uniform_int_distribution<int>(0, 3)(rng)) {
            case 0: all.push_back(pick() + pick()); break;
            case 1: all.push_back(pick() * pick()); break;
            case 2: all.push_back(tanh(pick())); break;
            default: all.push_back(pick() - pick()); break;
        }
        used.push_back(0);
        ++unused;
    }
    Value root = all.back();
    for (std::size_t i = 0; i + 1 < all.size(); ++i)
        if (!used[i]) root = root + all[i];
    return finish(root);
}

struct Shape {
    std::string_view name;
    NodeId (*build)(Graph&, std::size_t);
};

inline constexpr Shape shapes[] = {{"shared-leaf", shared_leaf},
                                   {"wide-sum", wide_sum},
                                   {"mlp", mlp},
                                   {"chain", chain},
                                   {"random-dag", random_dag}};

}  // namespace mgrad::bench
