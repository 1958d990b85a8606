// The interactive loop: read an entry (asking for more lines while it is incomplete), run it
// in the session, print or report, again — the shape of Lua's lua.c.
#pragma once

#include <functional>

#include <mgrad/language/session.hpp>

namespace mgrad::cli {

/// Runs the REPL on standard input until Ctrl-D or :quit. Returns the exit status (0).
/// `before_read`, if given, runs before each entry is read (the live view publishes what the
/// last entry changed and has its wakeup watched while the REPL waits).
int run_repl(Session& session, const std::function<void()>& before_read = {});

}  // namespace mgrad::cli
