// Derivatives as graphs: higher-order differentiation.
//
// backward() computes gradients as numbers. grad(f, x) instead records, on the same tape, the
// nodes that compute ∂f/∂x — the backward pass written out as a graph — and returns the Value at
// its end. That Value is differentiable like any other, so grad(grad(f, x), x) is a second
// derivative and grad(grad(f, x), y) a mixed one (what PyTorch calls create_graph=True).
#pragma once

#include <span>
#include <vector>

#include "mgrad/engine/value.hpp"
#include "mgrad/support/export.hpp"

namespace mgrad {

/// ∂f/∂x as a new node on f's graph (a Const 0 when f does not depend on x).
MGRAD_API Value grad(const Value& f, const Value& x);

/// ∂f/∂xᵢ for each xᵢ, sharing one symbolic backward pass.
MGRAD_API std::vector<Value> grad(const Value& f, std::span<const Value> xs);

}  // namespace mgrad
