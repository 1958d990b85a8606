// libedit behind the three functions of line_editor.hpp.
#include "line_editor.hpp"

#include <editline/readline.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <clocale>
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

// The watched fd (the live view's wakeup) and what runs when it is readable.
int g_watch_fd = -1;
std::function<void()> g_on_ready;
bool g_in_ready = false;   // on_ready is running
bool g_made_room = false;  // and has moved the prompt out of the way
// Without a terminal: the prompt shown, whether it still waits at the end of its line, and
// the bytes read past the last line.
std::string g_prompt;
bool g_prompt_pending = false;
std::string g_input;
bool g_input_end = false;

extern "C" void on_sigint(int) { g_sigint = 1; }

/// Runs the watcher's work, then draws the prompt and the typed text again if it printed.
void run_ready() {
    g_in_ready = true;
    g_made_room = false;
    try {
        g_on_ready();
    } catch (...) {  // the watcher reports its own errors; a stray one must not end the REPL
    }
    g_in_ready = false;
    if (!g_made_room) return;
    std::cout.flush();
    if (g_terminal) {
        rl_forced_update_display();
    } else {
        std::cout << g_prompt << std::flush;
        g_prompt_pending = true;
    }
}

/// Waits until standard input has something to read, running the watcher's work meanwhile.
/// False when a signal interrupted the wait (g_sigint tells whether it was Ctrl-C).
bool wait_for_input() {
    for (;;) {
        if (g_watch_fd < 0) return true;
        pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {g_watch_fd, POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR) return false;
            return true;  // let read() report it
        }
        if ((fds[1].revents & POLLIN) != 0) run_ready();
        if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) != 0) return true;
    }
}

// One byte of input; a Ctrl-C (which interrupts read()) ends the line at once: the line is
// accepted as it is and then thrown away by line_editor_read.
int read_byte() {
    for (;;) {
        unsigned char c = 0;
        const ssize_t n = wait_for_input() ? ::read(STDIN_FILENO, &c, 1) : -1;
        if (n == 1) return c;
        if (n == 0) return EOF;
        if (n < 0 && errno != EINTR) return EOF;
        if (g_sigint) {
            g_sigint = 0;
            g_interrupted = true;
            // Show the cancel as a shell does; the line ends right after it.
            (void)!::write(STDOUT_FILENO, "^C", 2);
            return '\n';
        }
    }
}

// libedit reads keys through this and takes each result as one wide character: a UTF-8
// sequence is decoded here into its code point (in a UTF-8 locale), or − and × would arrive as
// two or three Latin-1 characters.
extern "C" int read_key(FILE*) {
    const int first = read_byte();
    if (first == EOF || first < 0xC0 || MB_CUR_MAX == 1) return first;
    const std::size_t length = first >= 0xF0 ? 4 : first >= 0xE0 ? 3 : 2;
    auto code = static_cast<char32_t>(first & (0x7F >> length));
    for (std::size_t i = 1; i < length; ++i) {
        const int next = read_byte();
        if (next == EOF || (next & 0xC0) != 0x80) return 0xFFFD;
        code = (code << 6u) | static_cast<char32_t>(next & 0x3F);
    }
    return static_cast<int>(code);
}

/// A line from standard input when it is not a terminal: read() in blocks, no stdio buffer, so
/// the watcher can run while we wait.
LineStatus read_plain_line(const char* prompt, std::string& line) {
    std::cout << prompt << std::flush;
    g_prompt = prompt;
    g_prompt_pending = true;
    for (;;) {
        const auto newline = g_input.find('\n');
        if (newline != std::string::npos) {
            line.assign(g_input, 0, newline);
            g_input.erase(0, newline + 1);
            g_prompt_pending = false;
            return LineStatus::Line;
        }
        if (g_input_end) {
            g_prompt_pending = false;
            if (g_input.empty()) return LineStatus::End;
            line = std::move(g_input);
            g_input.clear();
            return LineStatus::Line;
        }
        char buffer[4096];
        const ssize_t n = wait_for_input() ? ::read(STDIN_FILENO, buffer, sizeof buffer) : -1;
        if (n > 0) {
            g_input.append(buffer, static_cast<std::size_t>(n));
        } else if (n == 0 || errno != EINTR) {
            g_input_end = true;
        } else if (g_sigint) {
            g_sigint = 0;
            g_input.clear();
            g_prompt_pending = false;
            std::cout << "\n";
            return LineStatus::Interrupted;
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
    // "tanh(", "examples/" and "depth=" need no space after them; a name or a command does.
    const bool open = g_matches.size() == 1 &&
                      (g_matches.front().ends_with('(') || g_matches.front().ends_with('/') ||
                       g_matches.front().ends_with('='));
    rl_completion_append_character = open ? '\0' : ' ';
    return matches;
}

}  // namespace

const volatile std::sig_atomic_t* line_editor_interrupt_flag() noexcept { return &g_sigint; }

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
    // libedit decodes keys by the locale's character type: without this it runs in the "C"
    // locale and drops every byte of a UTF-8 character (− × ² …). Only LC_CTYPE: numbers are
    // never read or printed through the locale.
    std::setlocale(LC_CTYPE, "");
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
    if (!g_terminal) return read_plain_line(prompt, line);
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

void line_editor_watch(int fd, std::function<void()> on_ready) {
    g_watch_fd = fd;
    g_on_ready = std::move(on_ready);
}

void line_editor_make_room() {
    if (!g_in_ready || g_made_room) return;
    g_made_room = true;
    std::cout.flush();
    if (g_terminal) {
        // Back to the start of the prompt's line and clear it; run_ready draws it again.
        (void)!::write(STDOUT_FILENO, "\r\033[K", 4);
    } else if (g_prompt_pending) {
        std::cout << "\n" << std::flush;
        g_prompt_pending = false;
    }
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
