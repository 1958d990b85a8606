// Loss — scalar objectives built from ordinary Value ops, so backward() differentiates them like
// anything else and a recorded loss can be replayed after the parameters change.
//
// n samples; s = a model's score (a logit), y = its target. Every loss is the mean over samples.
//   mse                  (1/n) Σ (sᵢ − yᵢ)²                              (Sum: without the 1/n)
//   svm_hinge            (1/n) Σ relu(1 − yᵢ sᵢ),           yᵢ ∈ {−1, +1}   (micrograd's demo)
//   binary_cross_entropy (1/n) Σ relu(sᵢ) − yᵢ sᵢ + log(1 + exp(−|sᵢ|)),  yᵢ ∈ {0, 1}
//                        = −y log σ(s) − (1 − y) log(1 − σ(s)) without overflow for any s
//   cross_entropy        (1/n) Σ log Σⱼ exp(zᵢⱼ − mᵢ) − (z_{i,cᵢ} − mᵢ),  mᵢ = maxⱼ zᵢⱼ
//   l2                   α Σ p²
//
// Why subtracting the max is free: log Σ exp(zⱼ − m) − (z_c − m) = log Σ exp(zⱼ) − z_c for every
// m, so the shift changes neither the loss nor its gradient; ∂loss/∂m = −Σ softmax + 1 = 0. It
// only keeps exp() from overflowing. The max is recorded in the graph (max(a, b) = b +
// relu(a − b)), so a replayed loss re-picks it from the new logits instead of keeping a stale
// constant from the step it was recorded in.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "mgrad/engine/value.hpp"
#include "mgrad/support/export.hpp"

namespace mgrad {

enum class Reduction { Mean, Sum };

/// s₀ + s₁ + … (left to right, as Python's sum()); at least one term.
MGRAD_API Value sum(std::span<const Value> terms);
/// max(a, b) as a differentiable node: b + relu(a − b).
MGRAD_API Value max(const Value& a, const Value& b);

MGRAD_API Value mse(std::span<const Value> predictions, std::span<const Value> targets,
                    Reduction reduction = Reduction::Mean);
MGRAD_API Value mse(std::span<const Value> predictions, std::span<const double> targets,
                    Reduction reduction = Reduction::Mean);

/// Labels ±1.
MGRAD_API Value svm_hinge(std::span<const Value> scores, std::span<const Value> labels);
MGRAD_API Value svm_hinge(std::span<const Value> scores, std::span<const double> labels);

/// Logits in, targets 0 or 1.
MGRAD_API Value binary_cross_entropy(std::span<const Value> logits, std::span<const Value> targets);
MGRAD_API Value binary_cross_entropy(std::span<const Value> logits,
                                     std::span<const double> targets);

/// One vector of logits per sample; targets one-hot (as Values, so they can be re-set) or as
/// class indices.
MGRAD_API Value cross_entropy(std::span<const std::vector<Value>> logits,
                              std::span<const std::vector<Value>> one_hot);
MGRAD_API Value cross_entropy(std::span<const std::vector<Value>> logits,
                              std::span<const std::size_t> classes);

/// α Σ p² over the parameters.
MGRAD_API Value l2(std::span<const Value> parameters, double alpha);

}  // namespace mgrad
