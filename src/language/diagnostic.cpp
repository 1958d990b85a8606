// Diagnostics with a caret line, and the "did you mean" suggestions.
#include "mgrad/language/diagnostic.hpp"

#include <fmt/color.h>
#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "mgrad/support/number.hpp"
#include "mgrad/language/output.hpp"

namespace mgrad {

namespace {

// Display width of a prefix of a line: tabs are kept as tabs so the caret lines up with the
// source line however the terminal expands them; UTF-8 continuation bytes take no column.
std::string caret_padding(std::string_view line_prefix) {
    std::string pad;
    for (char c : line_prefix) {
        if (c == '\t')
            pad += '\t';
        else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80)
            pad += ' ';
    }
    return pad;
}

std::size_t display_width(std::string_view s) {
    std::size_t n = 0;
    for (char c : s)
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
    return n;
}

// 'names' in a message in bold, quotes included, as gcc and clang show them.
std::string bold_quoted(std::string_view message) {
    std::string out;
    for (std::size_t pos = 0; pos < message.size();) {
        const std::size_t open = message.find('\'', pos);
        const std::size_t close =
            open == std::string_view::npos ? open : message.find('\'', open + 1);
        if (close == std::string_view::npos) {
            out.append(message.substr(pos));
            break;
        }
        out.append(message.substr(pos, open - pos));
        out += fmt::format(
            "{}", fmt::styled(message.substr(open, close - open + 1), fmt::emphasis::bold));
        pos = close + 1;
    }
    return out;
}

}  // namespace

std::string_view severity_name(Severity s) noexcept {
    switch (s) {
        case Severity::Error: return "error";
        case Severity::Warning: return "warning";
        case Severity::Note: return "note";
    }
    return "error";
}

std::size_t utf8_length(std::string_view text) noexcept {
    if (text.empty()) return 0;
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char c = byte(0);
    if (c < 0x80) return 1;
    std::size_t n = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0) lo = 0xA0;  // overlong
        if (c == 0xED) hi = 0x9F;  // UTF-16 surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0) lo = 0x90;  // overlong
        if (c == 0xF4) hi = 0x8F;  // beyond U+10FFFF
    } else {
        return 0;
    }
    if (text.size() < n || byte(1) < lo || byte(1) > hi) return 0;
    for (std::size_t i = 2; i < n; ++i)
        if ((byte(i) & 0xC0) != 0x80) return 0;
    return n;
}

std::string printable(std::string_view text) {
    constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        const std::size_t n = utf8_length(text.substr(i));
        if (n == 0 || (c < 0x20 && c != '\t') || c == 0x7F) {
            out += replacement;
            i += n == 0 ? 1 : n;
        } else {
            out.append(text.substr(i, n));
            i += n;
        }
    }
    return out;
}

std::string format_diagnostic(std::string_view source_name, std::string_view text,
                              Severity severity, std::string_view message,
                              const std::optional<SourceSpan>& span, bool color) {
    // Messages quote user input (a file name, a word): never let it write raw bytes.
    std::string shown_message;
    for (std::size_t pos = 0;;) {  // line by line: a message may have several
        const std::size_t nl = message.find('\n', pos);
        shown_message += printable(message.substr(pos, nl - pos));
        if (nl == std::string_view::npos) break;
        shown_message += '\n';
        pos = nl + 1;
    }
    const std::string place =
        span ? fmt::format("{}:{}:{}:", printable(source_name), span->line, span->column)
             : fmt::format("{}:", printable(source_name));
    std::string head;
    if (color) {
        const fmt::text_style severity_style =
            fmt::emphasis::bold |
            fmt::fg(severity == Severity::Error     ? fmt::terminal_color::red
                    : severity == Severity::Warning ? fmt::terminal_color::magenta
                                                    : fmt::terminal_color::cyan);
        head = fmt::format("{} {} {}\n", fmt::styled(place, fmt::emphasis::bold),
                           fmt::styled(fmt::format("{}:", severity_name(severity)), severity_style),
                           bold_quoted(shown_message));
    } else {
        head = fmt::format("{} {}: {}\n", place, severity_name(severity), shown_message);
    }
    if (!span) return head;
    const auto caret = [color](std::string caret_text) {
        return color ? fmt::format("{}",
                                   fmt::styled(caret_text, fmt::emphasis::bold |
                                                               fmt::fg(fmt::terminal_color::green)))
                     : caret_text;
    };
    std::string out = head;
    const std::size_t offset = std::min<std::size_t>(span->offset, text.size());
    std::size_t line_begin = text.rfind('\n', offset == 0 ? std::string_view::npos : offset - 1);
    line_begin = (offset == 0 || line_begin == std::string_view::npos) ? 0 : line_begin + 1;
    if (offset > 0 && offset == text.size() && text[offset - 1] == '\n') {
        // The span is the end of input after a final newline: show the last line.
        const std::size_t prev = text.rfind('\n', offset >= 2 ? offset - 2 : 0);
        line_begin = (offset < 2 || prev == std::string_view::npos) ? 0 : prev + 1;
        std::string_view last = text.substr(line_begin, offset - 1 - line_begin);
        if (!last.empty() && last.back() == '\r') last.remove_suffix(1);
        const std::string line = printable(last);
        return out + fmt::format("{}\n{}{}\n", line, caret_padding(line), caret("^"));
    }
    std::size_t line_end = text.find('\n', offset);
    if (line_end == std::string_view::npos) line_end = text.size();
    std::string_view line = text.substr(line_begin, line_end - line_begin);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const std::size_t column = std::min(offset - line_begin, line.size());
    // Underline the span on this line only; a span that goes on to later lines stops here.
    std::size_t span_end =
        std::min<std::size_t>(column + std::max<std::uint32_t>(span->length, 1), line.size());
    // A very long line (a generated script, a 1 MiB statement) is shown as a window around the
    // column, so the diagnostic stays readable.
    constexpr std::size_t max_shown = 120;
    std::size_t shown_begin = 0, shown_end = line.size();
    if (display_width(line) > max_shown) {
        auto is_continuation = [&](std::size_t i) {
            return i < line.size() && (static_cast<unsigned char>(line[i]) & 0xC0) == 0x80;
        };
        shown_begin = column > 40 ? column - 40 : 0;
        while (shown_begin > 0 && is_continuation(shown_begin))
            --shown_begin;
        shown_end = std::min(line.size(), shown_begin + max_shown);
        while (is_continuation(shown_end))
            ++shown_end;
        span_end = std::min(span_end, shown_end);
    }
    const std::string_view lead = shown_begin > 0 ? "…" : "";
    const std::string_view trail = shown_end < line.size() ? "…" : "";
    const std::string_view shown = line.substr(shown_begin, shown_end - shown_begin);
    // NUL bytes, escape sequences and invalid UTF-8 are shown as '�', one column each.
    const std::size_t width =
        span_end > column ? display_width(printable(line.substr(column, span_end - column))) : 1;
    out += fmt::format("{}{}{}\n{}{}{}\n", lead, printable(shown), trail, lead.empty() ? "" : " ",
                       caret_padding(printable(line.substr(shown_begin, column - shown_begin))),
                       caret(std::string(1, '^').append(width > 0 ? width - 1 : 0, '~')));
    return out;
}

void Output::result(const Result& r) { text(format_result(r)); }

void Output::report(const Diagnostic& d) {
    diagnostic(d.severity,
               format_diagnostic(d.source, d.source_text, d.severity, d.message, d.span));
}

std::string format_result(const Result& r) {
    if (!r.label) return fmt::format("{}\n", format_number(r.data));
    return fmt::format("{} = {}  (grad {})\n", *r.label, format_number(r.data),
                       format_number(r.grad.value_or(0.0)));
}

void StreamOutput::text(std::string_view text) { m_out << text; }

void StreamOutput::status(std::string_view text) {
    if (m_status == nullptr) return;
    m_out.flush();
    // Back to the start of the line and clear it: the next status, or the next output, takes
    // its place.
    *m_status << "\r\033[K" << text << std::flush;
}

void StreamOutput::diagnostic(Severity, std::string_view formatted) {
    m_out.flush();
    m_err << formatted;
    m_err.flush();
}

void StreamOutput::report(const Diagnostic& d) {
    diagnostic(d.severity, format_diagnostic(d.source, d.source_text, d.severity, d.message, d.span,
                                             m_color_err));
}

void StreamOutput::result(const Result& r) {
    if (!m_color_out || !r.label) {
        text(format_result(r));
        return;
    }
    text(fmt::format("{} = {}  {}\n", fmt::styled(*r.label, fmt::emphasis::bold),
                     format_number(r.data),
                     fmt::styled(fmt::format("(grad {})", format_number(r.grad.value_or(0.0))),
                                 fmt::emphasis::faint)));
}

void StreamOutput::table(const Table& t) {
    if (!m_color_out) {
        text(t.text);
        return;
    }
    // The header is the first line of the laid-out text.
    const std::size_t nl = t.text.find('\n');
    if (nl == std::string::npos) {
        text(t.text);
        return;
    }
    text(fmt::format("{}{}", fmt::styled(t.text.substr(0, nl), fmt::emphasis::bold),
                     std::string_view(t.text).substr(nl)));
}

std::string wrap_text(std::string_view text, std::size_t width, std::size_t indent) {
    std::string out;
    for (std::size_t pos = 0;;) {
        const std::size_t nl = text.find('\n', pos);
        const std::string_view line = text.substr(pos, nl - pos);
        if (display_width(line) <= width) {
            out.append(line);  // as it is: aligned columns keep their blanks
        } else {
            const std::size_t lead = std::min(line.find_first_not_of(' '), line.size());
            const std::size_t hang = indent > 0 ? indent : lead;
            out.append(line.substr(0, lead));
            std::size_t column = lead;
            bool first = true;
            for (std::size_t i = lead; i < line.size();) {
                std::size_t word_begin = i;
                while (word_begin < line.size() && line[word_begin] == ' ')
                    ++word_begin;
                if (word_begin == line.size()) break;
                const std::size_t word_end = std::min(line.find(' ', word_begin), line.size());
                const std::string_view gap = line.substr(i, word_begin - i);
                const std::string_view word = line.substr(word_begin, word_end - word_begin);
                const std::size_t w = display_width(word);
                if (!first && column + gap.size() + w > width) {
                    out += '\n';
                    out.append(hang, ' ');
                    column = hang;
                } else {
                    out.append(gap);
                    column += gap.size();
                }
                out.append(word);
                column += w;
                first = false;
                i = word_end;
            }
        }
        if (nl == std::string_view::npos) break;
        out += '\n';
        pos = nl + 1;
    }
    return out;
}

}  // namespace mgrad
