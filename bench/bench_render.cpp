// Drawing cost by graph size: our selection and scene code, the cgraph graph + DOT text, and the
// full dot layout + SVG/PNG render. The graphs are forward passes of small MLPs (tanh neurons,
// weights and biases as leaves), the kind of graph users draw.
//
//   cmake --preset bench && cmake --build --preset bench --target mgrad-bench-render
//   ./build/bench/bench/mgrad-bench-render
#include <benchmark/benchmark.h>

#include <mgrad/mgrad.hpp>
#include <mgrad/render/render.hpp>

#include <chrono>
#include <memory>
#include <vector>

#include "render/scene.hpp"

namespace {

/// A graph of at least `values` nodes: layers of 4 tanh neurons over 3 inputs, each layer fed
/// by the previous one, until the tape is long enough. Returns the root (sum of the outputs).
mgrad::NodeId make_mlp(mgrad::Graph& g, std::size_t values) {
    std::vector<mgrad::Value> x{{g, 1.0, "x0"}, {g, -2.0, "x1"}, {g, 0.5, "x2"}};
    int layer = 0;
    double seed = 0.1;
    while (g.size() + 20 < values) {
        std::vector<mgrad::Value> out;
        for (int n = 0; n < 4 && g.size() + 20 < values; ++n) {
            mgrad::ScopeGuard scope(g, "neuron");
            mgrad::Value act{g, 0.0, "b"};
            for (const mgrad::Value& xi : x) {
                seed = seed * 1.7 - static_cast<int>(seed * 1.7);  // a fixed pseudo-random walk
                act = act + mgrad::Value(g, seed - 0.5, "w") * xi;
            }
            out.push_back(mgrad::tanh(act));
        }
        x = out;
        ++layer;
    }
    mgrad::Value root = x[0];
    for (std::size_t i = 1; i < x.size(); ++i)
        root = root + x[i];
    root.set_label("out");
    root.backward();
    return root.id();
}

struct Case {
    mgrad::Graph graph;
    mgrad::NodeId root;
    explicit Case(std::size_t values) : root(make_mlp(graph, values)) {}
};

mgrad::DrawOptions uncapped() {
    mgrad::DrawOptions o;
    o.max_nodes = 1'000'000;
    return o;
}

void report(benchmark::State& state, Case& c) {
    state.counters["values"] = static_cast<double>(c.graph.size());
}

void BM_Scene(benchmark::State& state) {
    Case c(static_cast<std::size_t>(state.range(0)));
    auto o = uncapped();
    for (auto _ : state)
        benchmark::DoNotOptimize(mgrad::render_detail::build_scene(c.graph, c.root, o));
    report(state, c);
}

void BM_Dot(benchmark::State& state) {
    Case c(static_cast<std::size_t>(state.range(0)));
    auto o = uncapped();
    for (auto _ : state)
        benchmark::DoNotOptimize(mgrad::to_dot(c.graph, c.root, o));
    report(state, c);
}

void BM_Json(benchmark::State& state) {
    Case c(static_cast<std::size_t>(state.range(0)));
    auto o = uncapped();
    for (auto _ : state)
        benchmark::DoNotOptimize(mgrad::to_json(c.graph, c.root, o));
    report(state, c);
}

// The full SVG path split into its steps: our code (selection, labels, scene), building the
// cgraph graph, dot's layout, and writing the SVG.
void BM_SvgSplit(benchmark::State& state) {
    Case c(static_cast<std::size_t>(state.range(0)));
    auto o = uncapped();
    double ours = 0, build = 0, layout = 0, render = 0;
    for (auto _ : state) {
        auto t0 = std::chrono::steady_clock::now();
        auto scene = mgrad::render_detail::build_scene(c.graph, c.root, o);
        ours += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        mgrad::render_detail::GraphvizTimings t;
        benchmark::DoNotOptimize(mgrad::render_detail::graphviz_render(scene, "svg", {}, &t));
        build += t.build;
        layout += t.layout;
        render += t.render;
    }
    auto n = static_cast<double>(state.iterations());
    state.counters["scene_ms"] = 1e3 * ours / n;
    state.counters["cgraph_ms"] = 1e3 * build / n;
    state.counters["layout_ms"] = 1e3 * layout / n;
    state.counters["svg_ms"] = 1e3 * render / n;
    report(state, c);
}

void BM_Png(benchmark::State& state) {
    Case c(static_cast<std::size_t>(state.range(0)));
    auto o = uncapped();
    for (auto _ : state)
        benchmark::DoNotOptimize(mgrad::render(c.graph, c.root, mgrad::Format::Png, o));
    report(state, c);
}

void BM_SvgClusterModules(benchmark::State& state) {
    Case c(static_cast<std::size_t>(state.range(0)));
    auto o = uncapped();
    o.cluster_modules = true;
    for (auto _ : state)
        benchmark::DoNotOptimize(mgrad::render(c.graph, c.root, mgrad::Format::Svg, o));
    report(state, c);
}

void BM_SvgCollapseModules(benchmark::State& state) {
    Case c(static_cast<std::size_t>(state.range(0)));
    auto o = uncapped();
    o.collapse_modules = true;
    for (auto _ : state)
        benchmark::DoNotOptimize(mgrad::render(c.graph, c.root, mgrad::Format::Svg, o));
    report(state, c);
}

}  // namespace

BENCHMARK(BM_Scene)->Arg(100)->Arg(1000)->Arg(5000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Dot)->Arg(100)->Arg(1000)->Arg(5000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Json)->Arg(100)->Arg(1000)->Arg(5000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SvgSplit)->Arg(100)->Iterations(10)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SvgSplit)->Arg(1000)->Iterations(2)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SvgSplit)->Arg(1500)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SvgSplit)->Arg(2000)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SvgSplit)->Arg(5000)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Png)->Arg(100)->Iterations(5)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Png)->Arg(1000)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SvgClusterModules)->Arg(1000)->Iterations(1)->Unit(benchmark::kMillisecond);

BENCHMARK(BM_SvgCollapseModules)->Arg(5000)->Iterations(3)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
