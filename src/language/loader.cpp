// Session loader: running text (a REPL entry, a cell, `-c`), files and `:load`, commands from
// a command line, echoing statements.
#include "session_impl.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>

#include "mgrad/support/write_rule.hpp"

namespace mgrad {

namespace {

std::uint32_t u32(std::size_t n) { return static_cast<std::uint32_t>(n); }

/// How long `:load` of a FIFO waits for something to open it for writing.
constexpr std::chrono::seconds fifo_writer_wait{3};

struct LoadingGuard {  // pops the file run_file pushed, however run() ends
    std::vector<std::pair<std::string, std::string>>* loading = nullptr;
    ~LoadingGuard() {
        if (loading) loading->pop_back();
    }
};

}  // namespace

bool Session::Impl::run(std::string_view source_name, std::string_view text,
                        std::uint32_t first_line, Author author) {
    // A script writes only where the user lets it: the current directory and allow_write.
    std::optional<WriteScope> write_scope;
    if (author == Author::Script) {
        std::vector<std::filesystem::path> dirs{std::filesystem::path(".")};
        dirs.insert(dirs.end(), m_options.allow_write.begin(), m_options.allow_write.end());
        write_scope.emplace(WriteRule::inside(dirs));
    }
    // A copy: a nested :load pushes onto m_frames and may move its elements.
    const Frame frame{std::string(source_name), text, source_index(source_name)};
    m_frames.push_back(frame);
    struct Pop {
        std::vector<Frame>& frames;
        ~Pop() { frames.pop_back(); }
    } pop{m_frames};
    const std::size_t errors_before = m_error_count;
    m_transcript.reserve_more(text.size());
    Parser parser(text, first_line);
    std::size_t echoed_to = 0;
    // One statement reused for the whole text: its vectors keep their memory.
    Statement statement;
    const Statement* s = &statement;
    while (!m_quit) {
        try {
            if (!parser.next(statement)) break;
        } catch (const Error& e) {
            report(frame, Severity::Error, e.what(), e.span());
            if (!m_options.keep_going) break;
            parser.recover();
            continue;
        }
        if (interrupted()) {
            report(frame, Severity::Error, "interrupted", s->span);
            break;
        }
        if (m_options.echo) echo(text, echoed_to, *s);
        const bool ok = execute_reporting(*s, frame);
        progress();  // a live view follows the session
        if (!ok && !m_options.keep_going) break;
    }
    return m_error_count == errors_before;
}

bool Session::Impl::execute_reporting(const Statement& s, const Frame& frame) {
    const std::size_t before = m_error_count;
    try {
        execute(s, frame);
    } catch (const Error& e) {
        report(frame, Severity::Error, e.what(), e.span(), e.detail());
    } catch (const std::bad_alloc&) {
        report(frame, Severity::Error, "out of memory", s.span);
    } catch (const std::exception& e) {
        report(frame, Severity::Error, fmt::format("internal error: {}", e.what()), s.span);
    }
    return m_error_count == before;
}

namespace {

/// Reads a whole script, refusing one larger than max_script_size (`:load /dev/zero` would
/// otherwise take every byte of memory).
std::string read_script(std::istream& in, std::string_view name, std::size_t expected_size = 0) {
    std::string text;
    // Reading into the right size at once spares the copies (and page faults) of a doubling
    // string; a size that turns out wrong (a file still being written) only costs those again.
    if (expected_size <= max_script_size) text.reserve(expected_size);
    char buffer[1 << 16];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
        text.append(buffer, static_cast<std::size_t>(in.gcount()));
        if (text.size() > max_script_size)
            throw Error(fmt::format("cannot read '{}': it is larger than {} MiB", name,
                                    max_script_size >> 20u));
    }
    return text;
}

}  // namespace

std::string Session::Impl::read_file(const std::string& path) const {
    // Not blocking on open: a pipe with no writer yet would hang there, beyond Ctrl-C's reach.
    const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) throw Error(fmt::format("cannot open '{}': {}", path, std::strerror(errno)));
    struct Close {
        int fd;
        ~Close() { ::close(fd); }
    } close_it{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0)
        throw Error(fmt::format("cannot read '{}': {}", path, std::strerror(errno)));
    if (S_ISDIR(st.st_mode)) throw Error(fmt::format("cannot read '{}': it is a directory", path));
    const auto too_large = [&] {
        return Error(fmt::format("cannot read '{}': it is larger than {} MiB", path,
                                 max_script_size >> 20u));
    };
    const bool regular = S_ISREG(st.st_mode);
    // A file too large is refused by its size, before a byte of it is read.
    if (regular && static_cast<std::uintmax_t>(st.st_size) > max_script_size) throw too_large();
    std::string text;
    if (regular) text.reserve(static_cast<std::size_t>(st.st_size));
    // A pipe, a terminal or a device is read as it comes, waiting at most a tenth of a second
    // at a time so that Ctrl-C (or another front end's interrupt) is noticed. A FIFO that
    // nothing has opened for writing reads as empty (and would never be readable): it is given
    // fifo_writer_wait for a writer to come, then refused, so that a front end without Ctrl-C
    // (a thread of a Python program, a notebook) is not held for good.
    const bool fifo = S_ISFIFO(st.st_mode);
    bool writer = !fifo;  // known once a read waits for data (EAGAIN) or gets some
    const auto opened = std::chrono::steady_clock::now();
    std::vector<char> buffer(std::size_t{1} << 16u);
    for (;;) {
        if (!regular) {
            if (interrupted()) throw Error(fmt::format("interrupted while reading '{}'", path));
            pollfd p{fd, POLLIN, 0};
            const int ready = ::poll(&p, 1, 100);
            if (ready < 0 && errno != EINTR)
                throw Error(fmt::format("cannot read '{}': {}", path, std::strerror(errno)));
            if (ready <= 0 && writer) continue;
        }
        const ssize_t n = ::read(fd, buffer.data(), buffer.size());
        if (n == 0 && writer) break;
        if (n == 0) {
            if (std::chrono::steady_clock::now() - opened >= fifo_writer_wait)
                throw Error(fmt::format(
                    "cannot read '{}': it is a pipe that nothing opened for writing within {} s",
                    path, fifo_writer_wait.count()));
            continue;
        }
        if (n < 0) {
            if (errno == EAGAIN) writer = true;
            if (errno == EINTR || errno == EAGAIN) continue;
            throw Error(fmt::format("cannot read '{}': {}", path, std::strerror(errno)));
        }
        writer = true;
        if (text.size() + static_cast<std::size_t>(n) > max_script_size) throw too_large();
        text.append(buffer.data(), static_cast<std::size_t>(n));
    }
    return text;
}

bool Session::Impl::run_file(const std::string& path) {
    if (path == "-") return run("<stdin>", read_script(std::cin, "<stdin>"), 1, Author::Script);
    std::error_code ec;
    std::string key = std::filesystem::weakly_canonical(path, ec).string();
    if (ec) key = path;
    const auto seen = std::find_if(m_loading.begin(), m_loading.end(),
                                   [&](const auto& l) { return l.first == key; });
    if (seen != m_loading.end()) {
        if (seen + 1 == m_loading.end())
            throw Error(fmt::format("':load' cycle: {} loads itself", path));
        std::string chain;
        for (auto it = seen; it != m_loading.end(); ++it)
            chain += fmt::format("{} → ", it->second);
        throw Error(fmt::format("':load' cycle: {}{}", chain, path));
    }
    if (m_loading.size() >= max_load_depth)
        throw Error(
            fmt::format("':load' is nested too deeply (the limit is {} files)", max_load_depth));
    std::string text = read_file(path);
    m_loading.emplace_back(key, path);
    LoadingGuard guard{&m_loading};
    return run(path, text, 1, Author::Script);
}

namespace {

/// A word as a command line shows it: as it is when the parser would read it back unchanged,
/// else quoted. Control characters (refused in words) are shown escaped so that a diagnostic
/// stays on one line.
std::string show_word(std::string_view word) {
    const bool plain = !word.empty() && word.front() != '"' && word.front() != '#' &&
                       word.find_first_of(" \t\r;") == std::string_view::npos &&
                       std::none_of(word.begin(), word.end(), [](char c) {
                           return static_cast<unsigned char>(c) < 0x20 || c == 0x7F;
                       });
    if (plain) return std::string(word);
    std::string out = "\"";
    for (char c : word) {
        if (c == '"' || c == '\\') out += '\\';
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F)
            out += fmt::format("\\x{:02x}", static_cast<unsigned>(static_cast<unsigned char>(c)));
        else
            out += c;
    }
    return out + '"';
}

}  // namespace

bool Session::Impl::run_command(std::string_view name, const std::vector<std::string>& args) {
    // The words go to the command as they are, never through the parser: a newline, a quote or
    // a `;` in a name from the command line is part of the name, not more script. The text made
    // here only shows where a word is in a diagnostic, and is what `:save` writes (it reads back
    // as the same words: words with control characters are refused).
    std::string text = fmt::format(":{}", name);
    Statement s;
    s.kind = StatementKind::Command;
    s.words.reserve(args.size());
    for (const std::string& a : args) {
        text += ' ';
        const std::size_t begin = text.size();
        text += show_word(a);
        s.words.push_back(
            Word{a, SourceSpan{u32(begin), u32(text.size() - begin), 1, u32(begin + 1)}});
    }
    const Frame frame{"<command line>", text, source_index("<command line>")};
    m_frames.push_back(frame);
    struct Pop {
        std::vector<Frame>& frames;
        ~Pop() { frames.pop_back(); }
    } pop{m_frames};
    s.span = SourceSpan{0, u32(text.size()), 1, 1};
    s.command = std::string_view(text).substr(1, name.size());
    s.command_span = SourceSpan{0, u32(name.size() + 1), 1, 1};
    for (const Word& w : s.words) {
        const auto bad = std::find_if(w.text.begin(), w.text.end(), [](char c) {
            return static_cast<unsigned char>(c) < 0x20 || c == 0x7F;
        });
        if (bad != w.text.end()) {
            // As the parser refuses them in a script: a NUL would cut a file name short, and a
            // newline would make :save write two lines.
            report(frame, Severity::Error,
                   fmt::format("a command word cannot hold the control character U+{:04X}",
                               static_cast<unsigned>(static_cast<unsigned char>(*bad))),
                   w.span);
            return false;
        }
    }
    if (m_options.echo) {
        std::size_t echoed_to = 0;
        echo(text, echoed_to, s);
    }
    return execute_reporting(s, frame);
}

void Session::Impl::echo(std::string_view text, std::size_t& echoed_to, const Statement& s) {
    // Comment lines and blank lines between statements are shown as they are, so a commented
    // script reads as a transcript; the statement itself gets the REPL's prompts.
    std::string out;
    const std::string_view gap = text.substr(echoed_to, s.span.offset - echoed_to);
    std::size_t pos = 0;
    bool first_piece = true;
    bool last_blank = echoed_to == 0;
    while (pos <= gap.size()) {
        const std::size_t nl = gap.find('\n', pos);
        if (nl == std::string_view::npos) break;  // the start of the statement's own line
        std::string_view line = gap.substr(pos, nl - pos);
        pos = nl + 1;
        const bool rest_of_previous = first_piece && echoed_to > 0;
        first_piece = false;
        if (rest_of_previous) continue;
        while (!line.empty() && (line.front() == ' ' || line.front() == '\t'))
            line.remove_prefix(1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty()) {
            if (!last_blank) out += '\n';
            last_blank = true;
        } else if (line.front() == '#') {
            out += fmt::format("{}\n", line);
            last_blank = false;
        }
    }
    std::string_view body = text.substr(s.span.offset, s.span.length);
    std::string_view prompt = ">>> ";
    for (;;) {
        const std::size_t nl = body.find('\n');
        out += fmt::format("{}{}\n", prompt, body.substr(0, nl));
        if (nl == std::string_view::npos) break;
        body.remove_prefix(nl + 1);
        prompt = "... ";
    }
    echoed_to = s.span.offset + s.span.length;
    m_output->text(out);
}
}  // namespace mgrad
