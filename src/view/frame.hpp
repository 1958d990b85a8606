// What a frame says besides the picture, read from the session on its own thread: each drawn
// node for the inspector, the backward pass for the stepper, the names for the picker.
#pragma once

#include <cstddef>
#include <span>

#include <nlohmann/json.hpp>

#include "mgrad/engine/graph.hpp"

namespace mgrad {
class Session;
}

namespace mgrad::view::detail {

/// The stepper walks at most this many chain-rule steps (a larger pass is listed by `:trace`).
inline constexpr std::size_t max_steps = 5000;
/// The name picker lists the newest this many names (any other can be typed).
inline constexpr std::size_t max_listed_names = 300;

/// {"ID": {name, kind, formula, data, grad, inputs: [{id, name, local, local_value, step}],
/// users: [ID…]}} for each node in `values`, as the session has them now.
[[nodiscard]] nlohmann::json describe_nodes(Session& session, NodeId root,
                                            std::span<const NodeId> values);

/// The backward pass from `root` as `:trace` walks it, without changing the session:
/// {"start": "L.grad = 1", "steps": [{from, to, line, grad (fixed, `decimals` digits)}], "zero",
/// "one"}, or {"note": why there are no steps}.
[[nodiscard]] nlohmann::json backward_steps(Session& session, NodeId root, int decimals);

/// The newest bound names, newest first.
[[nodiscard]] nlohmann::json listed_names(const Session& session);

}  // namespace mgrad::view::detail
