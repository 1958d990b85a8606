// Line editing for the REPL: three small functions, so nothing else in mgrad sees libedit.
//
// On a terminal the REPL gets libedit (BSD licence): editing keys, a history that persists
// across runs, and tab completion. When standard input is not a terminal the same functions
// read plain lines, so `mgrad -i` still works in a pipe.
#pragma once

#include <csignal>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace mgrad::cli {

/// Completions for the word being typed, given the line before it (commands start with ':').
using Completer =
    std::function<std::vector<std::string>(std::string_view line_before, std::string_view word)>;

/// Sets up editing, loads the history from `history_path` (empty: no history file) and
/// installs the Ctrl-C handler that cancels the line being typed.
void line_editor_open(Completer completer, std::string history_path);

enum class LineStatus { Line, Interrupted, End };

/// Reads one line after showing `prompt`: a Line, Interrupted (Ctrl-C; `line` is discarded)
/// or End (Ctrl-D on an empty line, or the end of the input).
LineStatus line_editor_read(const char* prompt, std::string& line);

/// Adds a line to the history and saves the history file.
void line_editor_remember(const std::string& line);

/// While a line is being read, runs `on_ready` (on this thread) whenever `fd` is readable: the
/// live view's work from its pages. Output it makes must follow line_editor_make_room(); the
/// prompt and the text typed so far are drawn again when it returns. -1: stop watching.
void line_editor_watch(int fd, std::function<void()> on_ready);

/// Moves the prompt and the line being typed out of the way (once per on_ready call), so that
/// output can be printed while line_editor_read waits. Does nothing outside on_ready.
void line_editor_make_room();

/// Set by Ctrl-C while a statement runs (cleared when the next line is read).
const volatile std::sig_atomic_t* line_editor_interrupt_flag() noexcept;

/// Makes Ctrl-C set that flag instead of ending the process (line_editor_open does it too):
/// for `mgrad -i`, whose scripts run before the REPL starts and stop at a Ctrl-C.
void catch_interrupts();

/// Where the history is kept: $XDG_STATE_HOME/mgrad/history, else
/// ~/.local/state/mgrad/history; empty when neither variable is set.
std::string default_history_path();

}  // namespace mgrad::cli
