// Python operations on a Session's Values, as the session's own statements.
//
// The session rule — what `:save` writes replays to the same tape — holds only for what went
// through the session's statements. So a Python operation that changes a session's graph is
// turned into the statement that makes the same change (`v.data = 7` on the Value bound to `a`
// runs `a.data = 7`, `v.backward()` runs `:backward a`), and one the language cannot express is
// refused with the statement to use instead.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "mgrad/engine/graph.hpp"
#include "tape.hpp"

namespace mgrad::python {

/// Runs `statement` on the session of `tape` (with the GIL held), so that its transcript
/// records it. Its warnings become Python RuntimeWarnings, except those about its text from
/// `quiet_from` on (a number written as `0/0` warns of a division by zero); an error is thrown
/// as mgrad::Error. After `:quit` it throws too.
void run_session_statement(Tape& tape, std::string_view statement,
                           std::size_t quiet_from = std::string_view::npos);

/// A name the session of `tape` binds to `id` now, if any.
[[nodiscard]] std::optional<std::string> bound_name(Tape& tape, NodeId id);

/// `x` as the language writes it: the shortest text that reads back to the same double, and
/// an expression for NaN and the infinities, which have no literal (`0/0`, `1/0`, `-1/0`).
[[nodiscard]] std::string number_statement_text(double x);

/// The error for a session that `:quit`: nothing more runs on it.
[[noreturn]] void throw_session_ended();

}  // namespace mgrad::python
