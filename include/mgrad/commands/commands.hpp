// Commands — what a Session can do beyond evaluating formulas.
//
// The language layer's Session runs statements and keeps a table of commands (`:grad`, `:draw`
// …) and functions (`grad(f, x)`); this layer fills the table. Every front end (the REPL and
// scripts, the live view, Python, the Jupyter kernel) makes a Session and calls
// add_standard_commands() on it, so they all offer the same commands with the same words.
//
// Each family of commands lives in its own file under src/commands/: the session's own
// (`:help`, `:load`, `:save`, `:reset`, `:quit`), inspection (`:backward`, `:grad`, `:vars`,
// `:tree`), drawing (`:draw`), the gradient lab's checks (`:check`, `grad(f, x)`), what-ifs
// (`:set`, `:nudge`), descent (`:step`, `:minimize`), `:plot`, `:trace` and `:export`.
#pragma once

#include <string>

#include "mgrad/engine/graph.hpp"
#include "mgrad/language/parser.hpp"
#include "mgrad/support/export.hpp"

namespace mgrad {

class Session;

/// Registers every standard command and function on `session`.
MGRAD_API void add_standard_commands(Session& session);

/// A command argument read as a number, with the language's rules for literals (an optional
/// sign; `1e999` is out of range). Throws Error with the word's span otherwise. For commands
/// added with Session::add_command.
[[nodiscard]] MGRAD_API double number_arg(const Word& word);

/// A Python script that rebuilds everything `root` depends on in PyTorch (float64), runs
/// backward from `root` and prints the named nodes as `:grad NAME` does after `:backward NAME`.
[[nodiscard]] MGRAD_API std::string torch_script(Session& session, NodeId root);

}  // namespace mgrad
