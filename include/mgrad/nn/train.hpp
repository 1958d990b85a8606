// Train — a training loop that records the forward pass and loss once and replays it.
//
// micrograd rebuilds its whole graph every step. mgrad records it once: the inputs, targets and
// parameters are leaves, and the graph of model + loss is fixed for a given data set. Each step
// the optimiser writes new parameter values with set_data(), Graph::forward() recomputes every
// node from the tape in one upward sweep, and backward() sweeps down. No node is created after
// the first step, so memory stays flat and there is no allocation in the loop.
// TrainerOptions::replay = false rebuilds the graph every step instead (clear, re-attach the
// parameters, record again), for comparison.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mgrad/engine/graph.hpp"
#include "mgrad/engine/value.hpp"
#include "mgrad/nn/dataset.hpp"
#include "mgrad/nn/nn.hpp"
#include "mgrad/nn/optim.hpp"
#include "mgrad/support/export.hpp"

namespace mgrad {

enum class LossKind : std::uint8_t { Svm, Mse, Bce, CrossEntropy };

/// "svm", "mse", "bce", "ce".
[[nodiscard]] MGRAD_API std::string_view loss_name(LossKind loss) noexcept;
[[nodiscard]] MGRAD_API std::optional<LossKind> loss_from_name(std::string_view name) noexcept;

/// The class a model's outputs predict: one output is a score (class 1 when > 0), several are
/// logits (the largest wins; the first on a tie).
[[nodiscard]] MGRAD_API std::size_t predicted_class(std::span<const double> outputs) noexcept;

struct MGRAD_API StepResult {
    std::size_t step = 0;  ///< 0-based step number; for evaluate(), the steps taken so far
    double loss = 0.0;
    double accuracy = 0.0;  ///< fraction of samples classified right, 0 … 1
};

struct MGRAD_API TrainerOptions {
    LossKind loss = LossKind::Svm;
    double alpha = 1e-4;  ///< L2 weight; 0 for none
    bool replay = true;
};

class MGRAD_API Trainer {
  public:
    /// The model must give 1 output for svm/mse/bce and data.classes outputs for ce. The model,
    /// data and optimiser must outlive the trainer, and the data is recorded by the first step:
    /// changing it afterwards has no effect on a replaying trainer.
    Trainer(MLP& model, const Dataset& data, Optimizer& optimizer, TrainerOptions options = {});

    /// One step: loss and accuracy of the current parameters, backward, optimiser update. The
    /// result is measured before the update, as micrograd's demo prints it. Every leaf gradient
    /// on the model's graph is reset before the backward pass.
    StepResult step();
    /// Loss and accuracy of the current parameters, without training.
    StepResult evaluate();

    [[nodiscard]] Graph& graph() const noexcept { return m_model.graph(); }
    [[nodiscard]] const TrainerOptions& options() const noexcept { return m_options; }
    /// Nodes in the recorded forward pass and loss (0 before the first step).
    [[nodiscard]] NodeId recorded_nodes() const noexcept { return m_recorded; }

  private:
    void record();
    void prepare();
    StepResult measure();

    MLP& m_model;
    const Dataset& m_data;
    Optimizer& m_optimizer;
    TrainerOptions m_options;
    bool m_recorded_once = false;
    NodeId m_loss = no_node;
    NodeId m_recorded = 0;
    std::vector<NodeId> m_outputs;  // sample-major, nout per sample
    std::vector<double> m_scratch;
    std::vector<NodeId> m_leaves;  // every leaf on the graph: parameters, inputs, constants
};

/// Everything `mgrad train` does, as one object: data set, model, optimiser, trainer.
struct MGRAD_API TrainConfig {
    std::string dataset = "moons";
    std::size_t samples = 100;
    std::optional<double> noise;  ///< default_noise(dataset) when unset
    std::uint64_t seed = 1337;    ///< the data set's seed; the weights use seed + 1
    std::vector<std::size_t> hidden{16, 16};
    std::optional<LossKind> loss;   ///< svm, or ce for blobs, when unset
    std::string optimizer = "sgd";  ///< "sgd" or "adam"
    std::optional<double> lr;       ///< sgd 1.0 (0.1 for mse), adam 0.05 when unset
    bool decay = true;              ///< lr · (1 − 0.9·k/steps); constant when false
    double alpha = 1e-4;
    std::size_t steps = 100;
    bool replay = true;
    bool fused = true;  ///< neurons record MulAdd nodes: same numbers, half the nodes
    /// When not empty, the model starts from these weights (MLP::parameters() order, e.g. a
    /// loaded model's ModelFile::parameters()) instead of random ones: `hidden` must match.
    std::vector<double> initial_parameters;
};

/// The limits TrainingRun checks before it allocates anything: they keep a run within a few
/// hundred megabytes (a graph node takes about 35 bytes) and a step within seconds.
inline constexpr std::size_t max_training_samples = 100'000;
inline constexpr std::size_t max_hidden_layers = 16;
inline constexpr std::size_t max_layer_width = 1'000;
inline constexpr std::size_t max_training_steps = 1'000'000;
inline constexpr std::size_t max_training_nodes = 20'000'000;

/// About how many graph nodes training `config` records (an upper estimate: inputs, weighted
/// sums, activations, loss and regularisation).
[[nodiscard]] MGRAD_API std::size_t estimate_training_nodes(const TrainConfig& config,
                                                            std::size_t classes);
/// Throws Error when `config` is outside the limits above or otherwise unusable; the message
/// names the setting and its range.
MGRAD_API void check_train_config(const TrainConfig& config);

class MGRAD_API TrainingRun {
  public:
    /// Checks the configuration (check_train_config: mgrad::Error on a bad one) and builds
    /// everything.
    explicit TrainingRun(const TrainConfig& config);
    TrainingRun(const TrainingRun&) = delete;
    TrainingRun& operator=(const TrainingRun&) = delete;
    ~TrainingRun();

    StepResult step() { return m_trainer->step(); }
    StepResult evaluate() { return m_trainer->evaluate(); }

    [[nodiscard]] const TrainConfig& config() const noexcept { return m_config; }
    [[nodiscard]] LossKind loss() const noexcept { return m_loss; }
    [[nodiscard]] const Dataset& data() const noexcept { return m_data; }
    [[nodiscard]] const MLP& model() const noexcept { return *m_model; }
    [[nodiscard]] Optimizer& optimizer() noexcept { return *m_optimizer; }
    [[nodiscard]] Trainer& trainer() noexcept { return *m_trainer; }
    [[nodiscard]] Graph& graph() noexcept { return *m_graph; }

  private:
    TrainConfig m_config;
    LossKind m_loss;
    Dataset m_data;
    std::unique_ptr<Graph> m_graph;
    std::unique_ptr<MLP> m_model;
    std::unique_ptr<Optimizer> m_optimizer;
    std::unique_ptr<Trainer> m_trainer;
};

}  // namespace mgrad
