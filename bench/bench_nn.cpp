// W2: one training step of micrograd's two-moons demo — MLP(2, [16, 16, 1]), 100 points, SVM
// loss + 1e-4 L2, SGD — replaying the recorded graph versus rebuilding it every step.
// Whole-process peak memory of `mgrad train`: see docs/performance.md (/usr/bin/time -v).
#include <benchmark/benchmark.h>

#include <mgrad/nn/train.hpp>

#include <cstdint>

namespace {

void train_step(benchmark::State& state, bool replay, bool fused = true) {
    mgrad::TrainConfig config;  // micrograd's demo
    config.replay = replay;
    config.fused = fused;
    // A schedule that never reaches zero however many iterations the benchmark runs.
    config.decay = false;
    config.lr = 0.05;
    mgrad::TrainingRun run(config);
    run.step();  // record the graph outside the timed loop
    for (auto _ : state) {
        mgrad::StepResult r = run.step();
        benchmark::DoNotOptimize(r);
    }
    const auto nodes = static_cast<std::int64_t>(run.trainer().recorded_nodes());
    state.counters["nodes"] = static_cast<double>(nodes);
    state.SetItemsProcessed(state.iterations() * nodes);  // items/s = nodes/s (forward + backward)
}

void BM_train_step_replay(benchmark::State& state) { train_step(state, true); }
void BM_train_step_rebuild(benchmark::State& state) { train_step(state, false); }
// A Mul and an Add node per weight instead of one MulAdd (`mgrad train --unfused`).
void BM_train_step_replay_unfused(benchmark::State& state) { train_step(state, true, false); }
void BM_train_step_rebuild_unfused(benchmark::State& state) { train_step(state, false, false); }

// The whole demo, 100 steps from a fresh model (includes recording the graph once).
void BM_demo_100_steps(benchmark::State& state) {
    for (auto _ : state) {
        mgrad::TrainingRun run(mgrad::TrainConfig{});
        for (int k = 0; k < 100; ++k)
            run.step();
        benchmark::DoNotOptimize(run.evaluate());
    }
}

}  // namespace

BENCHMARK(BM_train_step_replay)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_train_step_rebuild)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_train_step_replay_unfused)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_train_step_rebuild_unfused)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_demo_100_steps)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
