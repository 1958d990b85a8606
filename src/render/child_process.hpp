// Internal to the renderer: running a piece of work in a forked child process, so that it can
// be abandoned at any moment.
//
// Graphviz's layout cannot be stopped part-way: gvLayout has no callback, and stopping a
// thread inside it would leave Graphviz's global state (its plugins, its font cache, the
// layout's own allocations) broken. A child process can simply be killed. The child is a copy
// of the process made by fork(): it sees the graph and Graphviz's context as they were, does
// the work, sends the bytes back through a pipe and leaves with _exit(); the parent watches
// the pipe, polls DrawControl::cancelled every few milliseconds and reports progress.
//
// What fork() means for a process with threads (the Python module, a server thread): only the
// calling thread exists in the child, so the work must not need a lock another thread could
// hold at the moment of the fork. The caller holds Graphviz's own lock across the fork, glibc
// makes malloc and stdio safe across it, and the child touches nothing else of the process.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include "mgrad/render/render.hpp"

namespace mgrad::render_detail {

/// Runs `work` in a child process and returns the bytes it returned. An Error thrown by `work`
/// is thrown here with its message. When `control.cancelled()` turns true the child is killed
/// and Error("interrupted; nothing was written") is thrown. `nodes` goes into the progress
/// reports, made once a second after the first second. When no child can be started (fork
/// fails), `work` runs in this process.
[[nodiscard]] std::string run_in_child(const std::function<std::string()>& work,
                                       const DrawControl& control, std::size_t nodes);

}  // namespace mgrad::render_detail
