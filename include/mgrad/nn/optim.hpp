// Optim — optimisers that read parameter gradients and write new values with set_data().
//
// Because they write through set_data(), a recorded forward pass and loss can be replayed on the
// same graph after each step (Graph::forward()) instead of being rebuilt.
//
//   SGD   p ← p − η(k) g                 η(k) from a Schedule, k = 0, 1, … the step number
//   Adam  m ← β₁ m + (1 − β₁) g;  v ← β₂ v + (1 − β₂) g²
//         p ← p − η(k) m̂ / (√v̂ + ε),  m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ), t = k + 1
//         (Kingma & Ba; the same as PyTorch's Adam without weight decay)
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "mgrad/engine/value.hpp"
#include "mgrad/support/export.hpp"

namespace mgrad {

/// Learning rate as a function of the step number k (0-based).
using Schedule = std::function<double(std::size_t k)>;

/// η(k) = lr.
MGRAD_API Schedule constant_schedule(double lr);
/// η(k) = lr · (1 − (1 − final_fraction) · k / steps): micrograd's demo is
/// linear_schedule(1.0, 0.1, 100), i.e. 1.0 − 0.9·k/100.
/// After `steps` steps the rate stays at lr·final_fraction (micrograd's formula would turn
/// negative past step 111 and climb the loss).
MGRAD_API Schedule linear_schedule(double lr, double final_fraction, std::size_t steps);

class MGRAD_API Optimizer {
  public:
    explicit Optimizer(std::vector<Value> parameters, Schedule schedule);
    Optimizer(const Optimizer&) = delete;
    Optimizer& operator=(const Optimizer&) = delete;
    virtual ~Optimizer() = default;

    /// One update from the current gradients; then the step counter advances.
    void step();
    /// Set every parameter's gradient to 0.
    void zero_grad() const;
    /// Point at new handles of the same parameters (same count and order), keeping state: used
    /// when a model was re-attached to a cleared graph.
    void set_parameters(std::vector<Value> parameters);

    [[nodiscard]] std::size_t steps_taken() const noexcept { return m_k; }
    /// The learning rate the next step() will use.
    [[nodiscard]] double learning_rate() const { return m_schedule(m_k); }
    [[nodiscard]] const std::vector<Value>& parameters() const noexcept { return m_parameters; }
    [[nodiscard]] virtual std::string name() const = 0;

  protected:
    /// Called once at the start of step() with the step number k.
    virtual void begin_step(std::size_t /*k*/) {}
    /// New value of parameter i, given its value, its gradient and the learning rate.
    virtual double update(std::size_t i, double value, double grad, double lr) = 0;

  private:
    std::vector<Value> m_parameters;
    Schedule m_schedule;
    std::size_t m_k = 0;
};

class MGRAD_API SGD : public Optimizer {
  public:
    SGD(std::vector<Value> parameters, Schedule schedule)
        : Optimizer(std::move(parameters), std::move(schedule)) {}
    SGD(std::vector<Value> parameters, double lr)
        : SGD(std::move(parameters), constant_schedule(lr)) {}
    [[nodiscard]] std::string name() const override { return "sgd"; }

  protected:
    double update(std::size_t i, double value, double grad, double lr) override;
};

struct MGRAD_API AdamOptions {
    double beta1 = 0.9;
    double beta2 = 0.999;
    double eps = 1e-8;
};

class MGRAD_API Adam : public Optimizer {
  public:
    Adam(std::vector<Value> parameters, Schedule schedule, AdamOptions options = {});
    Adam(std::vector<Value> parameters, double lr, AdamOptions options = {})
        : Adam(std::move(parameters), constant_schedule(lr), options) {}
    [[nodiscard]] std::string name() const override { return "adam"; }

  protected:
    void begin_step(std::size_t k) override;
    double update(std::size_t i, double value, double grad, double lr) override;

  private:
    AdamOptions m_options;
    std::vector<double> m_m, m_v;
    double m_correction1 = 1.0, m_correction2 = 1.0;  // 1 − β₁ᵗ, 1 − β₂ᵗ for this step
};

}  // namespace mgrad
