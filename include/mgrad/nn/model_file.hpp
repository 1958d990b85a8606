// Model files — a trained MLP as a JSON file, to train it further (`mgrad train --load`),
// look at it in the REPL (`:model FILE`), or use it from C++.
//
//     {"format": "mgrad-mlp", "version": 1, "inputs": 2,
//      "layers": [{"activation": "relu", "neurons": [{"w": [0.25, -0.5], "b": 0.1}, …]}, …],
//      "training": {"dataset": "moons", "samples": 100, …, "accuracy": 1.0}}
//
// Every number is written so that it reads back as the same double, so a model saved and
// loaded predicts bit for bit what it predicted before. "training" is optional: what
// `mgrad train` did to make the model (its data set, loss, optimiser, steps and result).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mgrad/engine/graph.hpp"
#include "mgrad/nn/nn.hpp"
#include "mgrad/nn/train.hpp"
#include "mgrad/support/export.hpp"

namespace mgrad {

/// A model file larger than this is refused unread.
inline constexpr std::size_t max_model_file_size = std::size_t{64} << 20u;

/// What `mgrad train` did to make a model.
struct MGRAD_API TrainingRecord {
    TrainConfig config;  ///< the data set, model, loss and optimiser settings
    std::size_t steps_done = 0;
    double loss = 0.0;      ///< after the last step
    double accuracy = 0.0;  ///< 0 … 1, on the training data
};

struct MGRAD_API ModelFile {
    struct Layer {
        Nonlinearity activation = Nonlinearity::Linear;
        std::vector<std::vector<double>> weights;  ///< one row per neuron, one column per input
        std::vector<double> biases;                ///< one per neuron
    };
    std::size_t inputs = 0;
    std::vector<Layer> layers;
    std::optional<TrainingRecord> training;

    /// The weights of `model`.
    [[nodiscard]] static ModelFile from(const MLP& model);
    /// Layer sizes, as MLP's constructor takes them ({16, 16, 1}).
    [[nodiscard]] std::vector<std::size_t> sizes() const;
    /// Every weight and bias in MLP::parameters() order (per neuron: weights, then bias).
    [[nodiscard]] std::vector<double> parameters() const;
    /// A new MLP on `graph` holding these weights. Throws Error when MLP cannot express the
    /// model (hidden layers with different activations).
    [[nodiscard]] std::unique_ptr<MLP> build(Graph& graph = default_graph(),
                                             bool fused = false) const;
};

/// The JSON text of a model (see the header comment).
[[nodiscard]] MGRAD_API std::string model_to_json(const ModelFile& model);
/// Reads a model from JSON text; `source` names it in errors. Throws Error on anything that is
/// not a well-formed model (each message says where: "layer 2, neuron 5: …").
[[nodiscard]] MGRAD_API ModelFile model_from_json(std::string_view text,
                                                  std::string_view source = "model");

/// Writes `model` to `file` atomically (the old file stays whole if anything fails).
MGRAD_API void save_model(const ModelFile& model, const std::filesystem::path& file);
/// Reads a model file; refuses one that is not a regular file or larger than
/// max_model_file_size before reading it.
[[nodiscard]] MGRAD_API ModelFile load_model(const std::filesystem::path& file);

}  // namespace mgrad
