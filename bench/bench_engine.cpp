// Engine benchmarks: W1 (micrograd's test_more_ops into a 1,000,000-node graph) and W3 (a deep
// tanh chain), each next to the hand-written reference tape in the same run.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <mgrad/mgrad.hpp>

#include <string_view>
#include <vector>

#include "reference_tape.hpp"
#include "workloads.hpp"

namespace {

constexpr std::size_t w1_nodes = 1'000'000;

// ns_per_node: CPU time per iteration over nodes. Google Benchmark computes it as an inverted
// rate (which is exact), but prints any rate with a unit of seconds ("9.5s"); PlainPerNode
// below prints it as the plain number of nanoseconds it is.
void set_per_node(benchmark::State& state, std::size_t nodes) {
    state.counters["nodes"] = static_cast<double>(nodes);
    state.counters["ns_per_node"] = benchmark::Counter(
        static_cast<double>(nodes) * 1e-9,
        benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

void BM_W1_mgrad(benchmark::State& state) {
    mgrad::Graph g;
    std::size_t nodes = 0;
    for (auto _ : state) {
        g.clear();
        auto leaf = [&g](double v) { return mgrad::Value{g, v}; };
        mgrad::Value out = workloads::w1<mgrad::Value>(leaf, w1_nodes);
        out.backward();
        benchmark::DoNotOptimize(g.node(0).grad);
        nodes = g.size();
    }
    set_per_node(state, nodes);
}
BENCHMARK(BM_W1_mgrad)->Unit(benchmark::kMillisecond)->MinTime(1.0);

void BM_W1_reference_tape(benchmark::State& state) {
    reftape::Tape t;
    std::size_t nodes = 0;
    for (auto _ : state) {
        t.nodes.clear();
        auto leaf = [&t](double v) { return reftape::leaf(t, v); };
        reftape::Var out = workloads::w1<reftape::Var>(leaf, w1_nodes);
        t.backward(out.id);
        benchmark::DoNotOptimize(t.nodes[0].g);
        nodes = t.nodes.size();
    }
    set_per_node(state, nodes);
}
BENCHMARK(BM_W1_reference_tape)->Unit(benchmark::kMillisecond)->MinTime(1.0);

// The backward pass alone (the graph is rebuilt outside the timed region each time), to see
// where build + backward differ between the engines.
void BM_W1_mgrad_backward(benchmark::State& state) {
    mgrad::Graph g;
    for (auto _ : state) {
        state.PauseTiming();
        g.clear();
        auto leaf = [&g](double v) { return mgrad::Value{g, v}; };
        mgrad::Value out = workloads::w1<mgrad::Value>(leaf, w1_nodes);
        state.ResumeTiming();
        out.backward();
        benchmark::DoNotOptimize(g.node(0).grad);
    }
    set_per_node(state, g.size());
}
BENCHMARK(BM_W1_mgrad_backward)->Unit(benchmark::kMillisecond)->MinTime(1.0);

void BM_W1_reference_tape_backward(benchmark::State& state) {
    reftape::Tape t;
    for (auto _ : state) {
        state.PauseTiming();
        t.nodes.clear();
        auto leaf = [&t](double v) { return reftape::leaf(t, v); };
        reftape::Var out = workloads::w1<reftape::Var>(leaf, w1_nodes);
        state.ResumeTiming();
        t.backward(out.id);
        benchmark::DoNotOptimize(t.nodes[0].g);
    }
    set_per_node(state, t.nodes.size());
}
BENCHMARK(BM_W1_reference_tape_backward)->Unit(benchmark::kMillisecond)->MinTime(1.0);

// Replaying a recorded graph: every leaf changes (as an optimiser's update changes every
// parameter), then forward() recomputes every computed node (past Graph::many_leaves changed
// leaves it does not test which depend on them) and backward() sweeps the whole tape. So this is
// a full replay: the set_data() calls, a full forward pass and a full backward pass.
void BM_W1_mgrad_replay(benchmark::State& state) {
    mgrad::Graph g;
    auto leaf = [&g](double v) { return mgrad::Value{g, v}; };
    mgrad::Value out = workloads::w1<mgrad::Value>(leaf, w1_nodes);
    std::vector<mgrad::NodeId> leaves;
    std::vector<double> start;
    for (mgrad::NodeId id = 0; id < g.size(); ++id)
        if (g.node(id).op == mgrad::Op::Leaf) {
            leaves.push_back(id);
            start.push_back(g.node(id).data);
        }
    double shift = 0.0;
    std::size_t recomputed = 0;
    for (auto _ : state) {
        shift = shift == 0.0 ? 1e-3 : 0.0;
        for (std::size_t k = 0; k < leaves.size(); ++k)
            g.set_data(leaves[k], start[k] + shift);
        recomputed = g.forward();
        out.backward();
        benchmark::DoNotOptimize(g.node(0).grad);
    }
    // Every node but the leaves and constants was recomputed: a full forward pass.
    state.counters["recomputed"] = static_cast<double>(recomputed);
    set_per_node(state, g.size());
}
BENCHMARK(BM_W1_mgrad_replay)->Unit(benchmark::kMillisecond)->MinTime(1.0);

template <class Build>
void chain(benchmark::State& state, Build&& build) {
    const auto depth = static_cast<std::size_t>(state.range(0));
    for (auto _ : state)
        benchmark::DoNotOptimize(build(depth));
    set_per_node(state, depth + 1);
}

void BM_W3_mgrad(benchmark::State& state) {
    chain(state, [](std::size_t depth) {
        mgrad::Graph g;
        mgrad::Value x{g, 0.5};
        mgrad::Value y = x;
        for (std::size_t i = 0; i < depth; ++i)
            y = tanh(y);
        y.backward();
        return x.grad();
    });
}
BENCHMARK(BM_W3_mgrad)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->MinTime(1.0);

void BM_W3_reference_tape(benchmark::State& state) {
    chain(state, [](std::size_t depth) {
        reftape::Tape t;
        reftape::Var x = reftape::leaf(t, 0.5);
        reftape::Var y = x;
        for (std::size_t i = 0; i < depth; ++i)
            y = tanh(y);
        t.backward(y.id);
        return x.g();
    });
}
BENCHMARK(BM_W3_reference_tape)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->MinTime(1.0);

// The console reporter, with ns_per_node printed as a plain number (see set_per_node).
class PlainPerNode : public benchmark::ConsoleReporter {
  public:
    using ConsoleReporter::ConsoleReporter;
    void ReportRuns(const std::vector<Run>& reports) override {
        std::vector<Run> plain = reports;
        for (Run& run : plain)
            if (auto c = run.counters.find("ns_per_node"); c != run.counters.end())
                c->second.flags = benchmark::Counter::kDefaults;
        ConsoleReporter::ReportRuns(plain);
    }
};

}  // namespace

int main(int argc, char** argv) {
    // Another --benchmark_format (json, csv) keeps Google Benchmark's own reporter: only the
    // console prints units.
    bool console = true;
    for (int i = 1; i < argc; ++i)
        if (std::string_view arg = argv[i];
            arg.starts_with("--benchmark_format=") && arg != "--benchmark_format=console")
            console = false;
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    if (console) {
        PlainPerNode reporter(isatty(STDOUT_FILENO) ? benchmark::ConsoleReporter::OO_Color
                                                    : benchmark::ConsoleReporter::OO_None);
        benchmark::RunSpecifiedBenchmarks(&reporter);
    } else {
        benchmark::RunSpecifiedBenchmarks();
    }
    benchmark::Shutdown();
    return 0;
}
