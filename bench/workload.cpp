// Whole-process workloads for bench/run.sh: build, evaluate and backpropagate one graph, then
// print the result (so peers can be checked against each other), the time and the peak RSS.
//   mgrad-workload w1|w3 [mgrad|reference] [N]
// w1: micrograd's test_more_ops repeated into N nodes (default 1,000,000), summed pairwise.
// w3: an N-deep tanh chain (default 10,000,000).
#include <fmt/format.h>
#include <sys/resource.h>

#include <mgrad/mgrad.hpp>

#include <chrono>
#include <cstdlib>
#include <string_view>

#include "reference_tape.hpp"
#include "workloads.hpp"

namespace {

struct Result {
    double y, g0;
    std::size_t nodes;
};

template <class V, class Leaf, class Backward>
Result run(std::string_view which, std::size_t n, Leaf&& leaf, Backward&& backward) {
    if (which == "w1") {
        V first{};
        bool have_first = false;
        auto remember = [&](double v) {
            V x = leaf(v);
            if (!have_first) first = x, have_first = true;
            return x;
        };
        V out = workloads::w1<V>(remember, n);
        return backward(out, first);
    }
    V x = leaf(0.5);
    V y = x;
    for (std::size_t i = 0; i < n; ++i)
        y = tanh(y);
    return backward(y, x);
}

}  // namespace

int main(int argc, char** argv) {
    const std::string_view which = argc > 1 ? argv[1] : "w3";
    const std::string_view engine = argc > 2 ? argv[2] : "mgrad";
    const std::size_t n = argc > 3        ? std::strtoull(argv[3], nullptr, 10)
                          : which == "w1" ? 1'000'000
                                          : 10'000'000;
    if ((which != "w1" && which != "w3") || (engine != "mgrad" && engine != "reference")) {
        fmt::print(stderr, "usage: mgrad-workload w1|w3 [mgrad|reference] [N]\n");
        return 2;
    }
    const auto start = std::chrono::steady_clock::now();
    Result r{};
    if (engine == "reference") {
        reftape::Tape t;
        r = run<reftape::Var>(
            which, n, [&t](double v) { return reftape::leaf(t, v); },
            [&t](reftape::Var out, reftape::Var first) {
                t.backward(out.id);
                return Result{out.v(), first.g(), t.nodes.size()};
            });
    } else {
        mgrad::Graph& g = mgrad::default_graph();
        r = run<mgrad::Value>(
            which, n,
            [&g](double v) {
                return mgrad::Value{g, v};
            },
            [&g](const mgrad::Value& out, const mgrad::Value& first) {
                out.backward();
                return Result{out.data(), first.grad(), g.size()};
            });
    }
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const double peak = static_cast<double>(usage.ru_maxrss) * 1024.0;
    fmt::print(
        "{} {} nodes={} y={:.17g} g0={:.17g} time={:.4f}s ns/node={:.2f} "
        "peak_rss={:.1f}MiB bytes/node={:.1f}\n",
        engine, which, r.nodes, r.y, r.g0, took.count(), took.count() * 1e9 / double(r.nodes),
        peak / (1024.0 * 1024.0), peak / double(r.nodes));
    return 0;
}
