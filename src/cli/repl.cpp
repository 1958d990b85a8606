// The REPL as a chain of small functions (after lua.c): push_line reads one line,
// read_entry keeps reading while the parser says the entry is incomplete, run_entry runs it
// under the session's protection (an error is reported and the session goes on), run_repl
// ties them together.
#include "repl.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <mgrad/version.hpp>

#include "line_editor.hpp"

namespace mgrad::cli {

namespace {

constexpr const char* prompt_first = ">>> ";
constexpr const char* prompt_more = "... ";

enum class Entry { Ready, Cancelled, End };

/// What completes `word` (libedit's word, after its last break character) in the line: the
/// session's completion of the whole line (Session::complete, the same for every front end),
/// each candidate cut or extended to start where libedit's word does.
std::vector<std::string> complete_line(const Session& session, std::string_view line_before,
                                       std::string_view word) {
    const std::string line = std::string(line_before) + std::string(word);
    const Completion c = session.complete(line);
    const std::size_t at = line_before.size();
    std::vector<std::string> out;
    for (const Completion::Candidate& candidate : c.candidates) {
        std::string text;
        if (c.start <= at) {
            // `format=` or `examples/` was typed before libedit's word: it is not repeated.
            const std::string_view typed = std::string_view(line).substr(c.start, at - c.start);
            if (!std::string_view(candidate.text).starts_with(typed)) continue;
            text = candidate.text.substr(typed.size());
        } else {
            text = line.substr(at, c.start - at) + candidate.text;  // `a.` before `grad`
        }
        // A function comes with its '(' so the argument can follow.
        if (candidate.kind == "function") text += '(';
        out.push_back(std::move(text));
    }
    return out;
}

/// One line with the first or the continuation prompt, remembered in the history.
LineStatus push_line(bool first, std::string& line) {
    const LineStatus status = line_editor_read(first ? prompt_first : prompt_more, line);
    if (status == LineStatus::Line) line_editor_remember(line);
    return status;
}

/// A whole entry: more lines while it ends inside parentheses or after an operator.
Entry read_entry(std::string& entry, std::uint32_t& lines) {
    entry.clear();
    lines = 0;
    std::string line;
    switch (push_line(true, line)) {
        case LineStatus::End: return Entry::End;
        case LineStatus::Interrupted: return Entry::Cancelled;
        case LineStatus::Line: break;
    }
    entry = line + "\n";
    lines = 1;
    while (Parser::is_incomplete(entry)) {
        switch (push_line(false, line)) {
            case LineStatus::End:
                // End the prompt's line, as at the first prompt, then let the parser say what
                // is missing.
                std::cout << "\n" << std::flush;
                return Entry::Ready;
            case LineStatus::Interrupted: return Entry::Cancelled;
            case LineStatus::Line: break;
        }
        entry += line + "\n";
        ++lines;
    }
    return Entry::Ready;
}

/// Runs an entry; errors are reported by the session, which keeps every binding made so far.
void run_entry(Session& session, const std::string& entry, std::uint32_t first_line) {
    (void)session.run("<repl>", entry, first_line);
    std::cout.flush();
}

}  // namespace

int run_repl(Session& session, const std::function<void()>& before_read) {
    line_editor_open(
        [&session](std::string_view line_before, std::string_view word) {
            return complete_line(session, line_before, word);
        },
        default_history_path());
    session.set_interrupt_flag(line_editor_interrupt_flag());
    // In the REPL every entry stands alone: an error ends that entry, never the loop.
    session.options().keep_going = false;
    if (::isatty(STDIN_FILENO))
        std::cout << fmt::format("mgrad {} — type :help for commands, Ctrl-D to leave\n",
                                 version_string);
    std::string entry;
    std::uint32_t line_number = 1;
    while (!session.quit_requested()) {
        std::uint32_t lines = 0;
        if (before_read) before_read();
        const Entry status = read_entry(entry, lines);
        if (status == Entry::End) {
            std::cout << "\n";  // end the prompt's line, as a shell does
            break;
        }
        if (status == Entry::Cancelled) continue;
        run_entry(session, entry, line_number);
        line_number += lines;
    }
    return 0;
}

}  // namespace mgrad::cli
