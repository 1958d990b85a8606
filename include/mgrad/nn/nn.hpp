// nn — micrograd's neural-network modules on mgrad Values: Neuron, Layer, MLP.
//
// A module owns its parameters as leaf nodes on one Graph (the thread's default graph unless one
// is named). Calling a module on input Values records its forward pass on that graph, each layer
// and neuron inside its own Scope ("layer0" ⊃ "neuron3") so the renderer can draw them as
// clusters. Parameters are labelled `l0.n3.w1`, `l0.n3.b` (layer, neuron, weight).
//
// Weights start uniform in [-1, 1) from a seeded mgrad::Rng and biases at 0, as in micrograd, so
// a seed fixes the whole model on every platform. `predict()` evaluates with plain doubles and
// records nothing: use it for dense grids (decision boundaries), not for training.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mgrad/engine/graph.hpp"
#include "mgrad/engine/value.hpp"
#include "mgrad/nn/random.hpp"
#include "mgrad/support/export.hpp"

namespace mgrad {

enum class Nonlinearity : std::uint8_t { Tanh, Relu, Linear };

/// "tanh", "relu" or "linear".
[[nodiscard]] MGRAD_API std::string_view nonlinearity_name(Nonlinearity n) noexcept;

/// Anything with parameters.
class MGRAD_API Module {
  public:
    Module() = default;
    Module(const Module&) = default;
    Module& operator=(const Module&) = default;
    Module(Module&&) = default;
    Module& operator=(Module&&) = default;
    virtual ~Module() = default;

    /// The parameters, in a fixed order (per neuron: weights, then bias).
    [[nodiscard]] virtual std::vector<Value> parameters() const = 0;
    /// Their values, in parameters() order.
    [[nodiscard]] std::vector<double> parameter_data() const;
    [[nodiscard]] std::size_t parameter_count() const { return parameters().size(); }
    /// Set every parameter's gradient to 0 (other nodes are left alone).
    void zero_grad() const;
    /// Re-create every parameter as a fresh leaf on `graph` holding `values` (parameters()
    /// order, one per parameter). Used to move a model to another graph, or to the same graph
    /// after Graph::clear() (read parameter_data() first).
    void attach(Graph& graph, std::span<const double> values);

  protected:
    /// Consumes this module's values from the front of `values`.
    virtual void attach_from(Graph& graph, std::span<const double>& values) = 0;
    friend class Layer;
    friend class MLP;
};

class MGRAD_API Neuron : public Module {
  public:
    /// `nin` weights drawn uniform in [-1, 1) from `rng`, bias 0. `name` prefixes the labels
    /// (`name.w0`, …, `name.b`) and is the neuron's scope name.
    Neuron(std::size_t nin, Nonlinearity nonlinearity, Rng& rng, Graph& graph = default_graph(),
           std::string name = "n");

    /// Record each `act + wᵢxᵢ` as one MulAdd node instead of a Mul and an Add: the same numbers
    /// and gradients, half the nodes (the trainer's default). Pictures of a fused neuron show
    /// `*+` op nodes. A fused Layer records its neurons side by side (see Layer::operator()).
    void set_fused(bool fused) noexcept { m_fused = fused; }
    [[nodiscard]] bool fused() const noexcept { return m_fused; }
    /// act(b + Σ wᵢ xᵢ), recorded on the neuron's graph.
    Value operator()(std::span<const Value> x) const;
    /// The same with plain doubles, recording nothing.
    [[nodiscard]] double predict(std::span<const double> x) const;

    [[nodiscard]] std::vector<Value> parameters() const override;
    [[nodiscard]] std::size_t nin() const noexcept { return m_w.size(); }
    [[nodiscard]] Nonlinearity nonlinearity() const noexcept { return m_nonlinearity; }
    [[nodiscard]] const std::string& name() const noexcept { return m_name; }

  protected:
    void attach_from(Graph& graph, std::span<const double>& values) override;

  private:
    std::vector<Value> m_w;
    Value m_b;
    Nonlinearity m_nonlinearity;
    Graph* m_graph;
    std::string m_name;
    bool m_fused = false;
    friend class Layer;
};

class MGRAD_API Layer : public Module {
  public:
    /// `nout` neurons of `nin` inputs each; `index` numbers the layer in labels (`l<index>`).
    Layer(std::size_t nin, std::size_t nout, Nonlinearity nonlinearity, Rng& rng,
          Graph& graph = default_graph(), std::size_t index = 0);

    /// Each neuron's output, in the layer's scope. Unfused, neuron after neuron, each in its
    /// own scope. Fused, the neurons' MulAdds are interleaved (see nn.cpp: the same sums in the
    /// same order, so the same numbers, but a tape that replays faster) and only the layer has
    /// a scope.
    std::vector<Value> operator()(std::span<const Value> x) const;
    [[nodiscard]] std::vector<double> predict(std::span<const double> x) const;

    [[nodiscard]] std::vector<Value> parameters() const override;
    [[nodiscard]] const std::vector<Neuron>& neurons() const noexcept { return m_neurons; }
    void set_fused(bool fused) noexcept {
        for (Neuron& n : m_neurons)
            n.set_fused(fused);
    }
    [[nodiscard]] std::size_t nin() const noexcept { return m_neurons.front().nin(); }
    [[nodiscard]] std::size_t nout() const noexcept { return m_neurons.size(); }

  protected:
    void attach_from(Graph& graph, std::span<const double>& values) override;

  private:
    std::vector<Neuron> m_neurons;
    Graph* m_graph;
    std::string m_scope;
};

struct MGRAD_API MlpOptions {
    Nonlinearity hidden = Nonlinearity::Relu;  ///< micrograd's choice
    Nonlinearity output = Nonlinearity::Linear;
    std::uint64_t seed = 1337;  ///< seeds the weights' Rng
    bool fused = false;         ///< neurons record MulAdd nodes (Neuron::set_fused)
};

/// A multi-layer perceptron: MLP(2, {16, 16, 1}) is micrograd's demo model.
class MGRAD_API MLP : public Module {
  public:
    MLP(std::size_t nin, std::vector<std::size_t> sizes, MlpOptions options = {},
        Graph& graph = default_graph());

    std::vector<Value> operator()(std::span<const Value> x) const;
    /// Convenience: the inputs become fresh leaves on the model's graph.
    std::vector<Value> operator()(std::span<const double> x) const;
    [[nodiscard]] std::vector<double> predict(std::span<const double> x) const;

    [[nodiscard]] std::vector<Value> parameters() const override;
    [[nodiscard]] const std::vector<Layer>& layers() const noexcept { return m_layers; }
    /// Neuron::set_fused for every neuron.
    void set_fused(bool fused) noexcept;
    [[nodiscard]] std::size_t nin() const noexcept { return m_layers.front().nin(); }
    [[nodiscard]] std::size_t nout() const noexcept { return m_layers.back().nout(); }
    [[nodiscard]] Graph& graph() const noexcept { return *m_graph; }
    /// e.g. "MLP(2 → 16 relu → 16 relu → 1 linear)".
    [[nodiscard]] std::string describe() const;

  protected:
    void attach_from(Graph& graph, std::span<const double>& values) override;

  private:
    std::vector<Layer> m_layers;
    Graph* m_graph;
};

}  // namespace mgrad
