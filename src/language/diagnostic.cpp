// Diagnostics with a caret line, and the "did you mean" suggestions.
#include "mgrad/language/diagnostic.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "mgrad/support/number.hpp"
#include "mgrad/language/output.hpp"

namespace mgrad {

namespace {

std::string_view severity_name(Severity s) {
    switch (s) {
        case Severity::Error: return "error";
        case Severity::Warning: return "warning";
        case Severity::Note: return "note";
    }
    return "error";
}

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

}  // namespace

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
                              const std::optional<SourceSpan>& span) {
    // Messages quote user input (a file name, a word): never let it write raw bytes.
    std::string shown_message;
    for (std::size_t pos = 0;;) {  // line by line: a message may have several
        const std::size_t nl = message.find('\n', pos);
        shown_message += printable(message.substr(pos, nl - pos));
        if (nl == std::string_view::npos) break;
        shown_message += '\n';
        pos = nl + 1;
    }
    if (!span)
        return fmt::format("{}: {}: {}\n", printable(source_name), severity_name(severity),
                           shown_message);
    std::string out = fmt::format("{}:{}:{}: {}: {}\n", printable(source_name), span->line,
                                  span->column, severity_name(severity), shown_message);
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
        return out + fmt::format("{}\n{}^\n", line, caret_padding(line));
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
    out += fmt::format("{}{}{}\n{}{}^{}\n", lead, printable(shown), trail, lead.empty() ? "" : " ",
                       caret_padding(printable(line.substr(shown_begin, column - shown_begin))),
                       std::string(width > 0 ? width - 1 : 0, '~'));
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

}  // namespace mgrad
