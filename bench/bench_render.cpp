// Drawing cost by graph size and shape: our selection and scene code, the cgraph graph + DOT
// text, JSON, and the full dot layout + SVG/PNG render.
//
// BM_Draw{Svg,Png}/SHAPE/N draw the shapes of draw_shapes.hpp (a leaf shared by every step, a
// wide sum of products, an MLP forward pass, a long chain, a random DAG) at 100, 500 and
// 1,500 values, in this process; BM_DrawSvgChild lays out in a child process, as `:draw`
// does. The other benchmarks use the MLP shape, the kind of graph users draw.
//
//   cmake --preset bench && cmake --build --preset bench --target mgrad-bench-render
//   ./build/bench/bench/mgrad-bench-render
#include <benchmark/benchmark.h>

#include <mgrad/mgrad.hpp>
#include <mgrad/render/render.hpp>

#include <chrono>

#include <fmt/format.h>
#include <memory>
#include <string>
#include <vector>

#include "draw_shapes.hpp"
#include "render/scene.hpp"

namespace {

mgrad::NodeId make_mlp(mgrad::Graph& g, std::size_t values) { return mgrad::bench::mlp(g, values); }

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

// One shape at one size: the graph is built once, drawn `iterations` times.
void draw_shape(benchmark::State& state, mgrad::NodeId (*build)(mgrad::Graph&, std::size_t),
                std::size_t values, mgrad::Format format, bool child) {
    mgrad::Graph g;
    const mgrad::NodeId root = build(g, values);
    mgrad::DrawControl control;
    if (child) control.cancelled = [] { return false; };
    const auto scene = mgrad::render_detail::build_scene(g, root, {});
    for (auto _ : state)
        benchmark::DoNotOptimize(mgrad::render(g, root, format, {}, control));
    state.counters["values"] = static_cast<double>(g.size());
    state.counters["nodes"] = static_cast<double>(scene.nodes.size());
    state.counters["layout_size"] = static_cast<double>(scene.layout_size);
}

void register_shapes() {
    for (const auto& shape : mgrad::bench::shapes)
        for (std::size_t values : {100, 500, 1500}) {
            const std::string name = fmt::format("{}/{}", shape.name, values);
            benchmark::RegisterBenchmark(("BM_DrawSvg/" + name).c_str(), draw_shape, shape.build,
                                         values, mgrad::Format::Svg, false)
                ->Iterations(values < 1500 ? 5 : 3)
                ->Unit(benchmark::kMillisecond);
            benchmark::RegisterBenchmark(("BM_DrawPng/" + name).c_str(), draw_shape, shape.build,
                                         values, mgrad::Format::Png, false)
                ->Iterations(values < 1500 ? 3 : 1)
                ->Unit(benchmark::kMillisecond);
        }
    // The cost of the child process (fork, pipe) on a graph laid out in about 0.1 s.
    benchmark::RegisterBenchmark("BM_DrawSvgChild/mlp/500", draw_shape, mgrad::bench::mlp,
                                 std::size_t{500}, mgrad::Format::Svg, true)
        ->Iterations(5)
        ->Unit(benchmark::kMillisecond);
}

}  // namespace

BENCHMARK(BM_Scene)->Arg(100)->Arg(1000)->Arg(5000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Dot)->Arg(100)->Arg(1000)->Arg(5000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Json)->Arg(100)->Arg(1000)->Arg(5000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SvgSplit)->Arg(100)->Iterations(10)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SvgSplit)->Arg(1000)->Iterations(3)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SvgSplit)->Arg(1500)->Iterations(3)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SvgClusterModules)->Arg(1000)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SvgCollapseModules)->Arg(5000)->Iterations(3)->Unit(benchmark::kMillisecond);

int main(int argc, char** argv) {
    register_shapes();
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
