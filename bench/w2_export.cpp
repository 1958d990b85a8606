// W2's shared starting point: the demo's data set and initial weights as JSON, plus the first
// losses mgrad computes, so a peer can train the same model from the same start and check that
// it agrees.   mgrad-w2-export [STEPS]
// With --time, times 200 replayed steps one by one and prints their median, measured as the
// PyTorch peer measures its own steps (bench/peers/torch_peers.py), so the two compare.
#include <fmt/format.h>

#include <mgrad/nn/nn.hpp>
#include <mgrad/nn/train.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string_view>
#include <vector>

namespace {

int time_steps() {
    mgrad::TrainConfig config;  // micrograd's demo, with a learning rate that stays sane for
    config.decay = false;       // as many steps as are timed (as bench_nn.cpp does)
    config.lr = 0.05;
    mgrad::TrainingRun run{config};
    run.step();  // records the graph
    std::vector<double> times;
    for (int k = 0; k < 200; ++k) {
        const auto t0 = std::chrono::steady_clock::now();
        run.step();
        times.push_back(
            std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0)
                .count());
    }
    std::nth_element(times.begin(), times.begin() + 100, times.end());
    fmt::print("mgrad w2 replay ({} nodes): time per step={:.1f}us (median of 200)\n",
               run.trainer().recorded_nodes(), times[100]);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc > 1 && std::string_view(argv[1]) == "--time") return time_steps();
    const std::size_t steps = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 5;
    mgrad::TrainingRun run{mgrad::TrainConfig{}};
    nlohmann::json out;
    out["points"] = run.data().points;
    out["labels"] = run.data().labels;
    out["alpha"] = run.config().alpha;
    out["steps"] = run.config().steps;
    for (const mgrad::Layer& layer : run.model().layers()) {
        nlohmann::json w = nlohmann::json::array(), b = nlohmann::json::array();
        for (const mgrad::Neuron& n : layer.neurons()) {
            const auto params = n.parameter_data();  // weights, then the bias
            w.push_back(std::vector<double>(params.begin(), params.end() - 1));
            b.push_back(params.back());
        }
        out["layers"].push_back({{"w", w}, {"b", b}});
    }
    for (std::size_t k = 0; k < steps; ++k)
        out["losses"].push_back(run.step().loss);
    fmt::print("{}\n", out.dump());
    return 0;
}
