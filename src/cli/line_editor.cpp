// libedit behind the three functions of line_editor.hpp.
#include "line_editor.hpp"

#include <editline/readline.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include <mgrad/support/error.hpp>

#include "history_file.hpp"

namespace mgrad::cli {

namespace {

volatile std::sig_atomic_t g_sigint = 0;
bool g_interrupted = false;
bool g_terminal = false;
Completer g_completer;
std::unique_ptr<HistoryFile> g_history;
bool g_history_warned = false;  // one warning per run of failures, not one per line
std::vector<std::string> g_matches;

extern "C" void on_sigint(int) {
    g_sigint = 1;
}

// libedit reads keys through this, so a Ctrl-C (which interrupts read()) can end the line at
// once: the line is accepted as it is and then thrown away by line_editor_read.
extern "C" int read_key(FILE*) {
    for (;;) {
        unsigned char c = 0;
        const ssize_t n = ::read(STDIN_FILENO, &c, 1);
        if (n == 1) return c;
        if (n == 0) return EOF;
        if (errno != EINTR) return EOF;
        if (g_sigint) {
            g_sigint = 0;
            g_interrupted = true;
            // Show the cancel as a shell does; the line ends right after it.
            (void)!::write(STDOUT_FILENO, "^C", 2);
            return '\n';
        }
    }
}

std::string g_line_before;  // the line before the word being completed

extern "C" char* next_match(const char* text, int state) {
    if (state == 0)
        g_matches = g_completer ? g_completer(g_line_before, text) : std::vector<std::string>{};
    const auto index = static_cast<std::size_t>(state);
    if (index >= g_matches.size()) return nullptr;
    return ::strdup(g_matches[index].c_str());
}

extern "C" char** complete(const char* text, int start, int) {
    rl_attempted_completion_over = 1;  // the completer decides, also for file names
    g_line_before.assign(rl_line_buffer ? rl_line_buffer : "",
                         rl_line_buffer ? static_cast<std::size_t>(std::max(start, 0)) : 0);
    char** matches = rl_completion_matches(text, next_match);
    // "tanh(" and "examples/" need no space after them; a name or a command does.
    const bool open = g_matches.size() == 1 &&
                      (g_matches.front().ends_with('(') || g_matches.front().ends_with('/'));
    rl_completion_append_character = open ? '\0' : ' ';
    return matches;
}

}  // namespace

const volatile std::sig_atomic_t* line_editor_interrupt_flag() noexcept {
    return &g_sigint;
}

void catch_interrupts() {
    struct sigaction action {};
    action.sa_handler = on_sigint;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;  // no SA_RESTART: read() must return so the line can be cancelled
    sigaction(SIGINT, &action, nullptr);
}

std::string default_history_path() {
    if (const char* state = std::getenv("XDG_STATE_HOME"); state && *state)
        return std::string(state) + "/mgrad/history";
    if (const char* home = std::getenv("HOME"); home && *home)
        return std::string(home) + "/.local/state/mgrad/history";
    return {};
}

void line_editor_open(Completer completer, std::string history_path) {
    g_completer = std::move(completer);
    g_terminal = ::isatty(STDIN_FILENO) != 0;
    catch_interrupts();

    if (!g_terminal) return;
    rl_readline_name = "mgrad";
    rl_catch_signals = 0;  // our handler, not libedit's (which re-raises the signal)
    rl_getc_function = read_key;
    rl_attempted_completion_function = complete;
    static char breaks[] = " \t\n()+-*/^=,;";
    rl_basic_word_break_characters = breaks;
    rl_completer_word_break_characters = breaks;
    using_history();
    stifle_history(1000);
    if (!history_path.empty()) {
        std::error_code ec;
        std::filesystem::create_directories(std::filesystem::path(history_path).parent_path(), ec);
        read_history(history_path.c_str());
        g_history = std::make_unique<HistoryFile>(std::move(history_path));
    }
}

LineStatus line_editor_read(const char* prompt, std::string& line) {
    line.clear();
    g_sigint = 0;
    g_interrupted = false;
    if (!g_terminal) {
        std::cout << prompt << std::flush;
        if (!std::getline(std::cin, line)) return LineStatus::End;
        return LineStatus::Line;
    }
    char* raw = readline(prompt);
    if (g_interrupted) {
        std::free(raw);
        return LineStatus::Interrupted;
    }
    if (!raw) return LineStatus::End;
    line = raw;
    std::free(raw);
    return LineStatus::Line;
}

void line_editor_remember(const std::string& line) {
    if (!g_terminal || line.find_first_not_of(" \t") == std::string::npos) return;
    add_history(line.c_str());
    if (!g_history) return;
    // Merged into the file, never a truncated file (history_file.hpp). A failure is said once,
    // not after every line; the lines are saved with the next line that can be.
    try {
        g_history->add(line);
        g_history_warned = false;
    } catch (const std::exception& e) {
        if (g_history_warned) return;
        g_history_warned = true;
        std::cerr << fmt::format(
            "mgrad: warning: {}; the history file is kept as it was, and the lines typed are "
            "saved once it can be written\n",
            e.what());
    }
}

}  // namespace mgrad::cli
