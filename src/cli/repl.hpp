// The interactive loop: read an entry (asking for more lines while it is incomplete), run it
// in the session, print or report, again — the shape of Lua's lua.c.
#pragma once

#include <mgrad/language/session.hpp>

namespace mgrad::cli {

/// Runs the REPL on standard input until Ctrl-D or :quit. Returns the exit status (0).
int run_repl(Session& session);

}  // namespace mgrad::cli
