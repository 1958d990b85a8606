// Exploring gradients — the commands that make a session a lab bench for the chain rule.
//
// `:check` compares backpropagated gradients with central finite differences, `:set` and
// `:nudge` change a leaf and show what moves, `:step` and `:minimize` run gradient descent,
// `:plot` draws a one-variable function beside its derivative, `:trace` prints (or draws,
// frame by frame) every chain-rule update of a backward pass, and `:export torch` writes a
// PyTorch script that rebuilds a graph so its numbers can be confirmed independently. The
// language function `grad(f, x)` exposes derivative.hpp: ∂f/∂x as a differentiable node.
#pragma once

#include <string>

#include "mgrad/graph.hpp"

namespace mgrad {

class Session;

/// Registers `grad(f, x)` and the commands above. The Session constructor calls it.
void add_explore_commands(Session& session);

/// A Python script that rebuilds everything `root` depends on in PyTorch (float64), runs
/// backward from `root` and prints the named nodes as `:grad NAME` does after `:backward NAME`.
[[nodiscard]] std::string torch_script(Session& session, NodeId root);

}  // namespace mgrad
