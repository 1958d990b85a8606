// The mgrad lexer: source text to tokens, with spans (see lexer.hpp).
#include "mgrad/language/lexer.hpp"
#include "mgrad/support/number.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <system_error>

#include "mgrad/language/diagnostic.hpp"

namespace mgrad {

namespace {

/// A literal as quoted in a message: a 100 000-digit number is shown by its two ends.
std::string abbreviate(std::string_view text) {
    if (text.size() <= 40) return std::string(text);
    return fmt::format("{}…{}", text.substr(0, 20), text.substr(text.size() - 10));
}

/// The power of ten of a decimal literal's first non-zero digit: 2 for 123.4, -3 for 0.00123e0,
/// 307 for 1e307. Saturates instead of overflowing on absurd exponents.
long long decimal_exponent(std::string_view text) {
    const std::size_t e_pos = text.find_first_of("eE");
    const std::string_view mantissa = text.substr(0, e_pos);
    long long exponent = 0;
    if (e_pos != std::string_view::npos) {
        std::size_t i = e_pos + 1;
        const bool negative = i < text.size() && text[i] == '-';
        if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
        for (; i < text.size(); ++i)
            exponent = std::min<long long>(exponent * 10 + (text[i] - '0'), 1'000'000'000'000);
        if (negative) exponent = -exponent;
    }
    const std::size_t point = std::min(mantissa.find('.'), mantissa.size());
    const std::size_t first = mantissa.find_first_not_of("0.");
    if (first == std::string_view::npos) return exponent;  // zero: never out of range
    const auto places = first < point ? static_cast<long long>(point - first - 1)
                                      : -static_cast<long long>(first - point);
    return exponent + places;
}

bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_name_char(char c) { return is_name_start(c) || is_digit(c); }

std::uint32_t u32(std::size_t n) { return static_cast<std::uint32_t>(n); }

struct TypographicOperator {
    std::string_view glyph;
    TokenKind kind;
    TokenKind assign;  ///< the same followed by '='
};
constexpr TypographicOperator typographic_operators[] = {
    {"\u2212", TokenKind::Minus, TokenKind::MinusAssign},  // − minus sign
    {"\u00D7", TokenKind::Star, TokenKind::StarAssign},    // × multiplication sign
    {"\u00F7", TokenKind::Slash, TokenKind::SlashAssign},  // ÷ division sign
};

// Characters from mathematical notation that have no one meaning here: say what to type.
struct CharacterAdvice {
    std::string_view glyph;
    std::string_view advice;
};
constexpr CharacterAdvice character_advice[] = {
    {"\u00B2", "write x**2 for a square"},
    {"\u00B3", "write x**3 for a cube"},
    {"\u221A", "write sqrt(x) for a square root"},
    {"\u00B7", "write * to multiply"},
    {"\u22C5", "write * to multiply"},
    {"\u2013", "write - (the ASCII hyphen-minus) to subtract"},
    {"\u2014", "write - (the ASCII hyphen-minus) to subtract"},
    {"\u201C", "write \" (a straight double quote) to quote a word"},
    {"\u201D", "write \" (a straight double quote) to quote a word"},
    {"\u2026", "'...' starts a continuation line only in a pasted transcript"},
};

}  // namespace

std::string_view token_kind_name(TokenKind kind) noexcept {
    switch (kind) {
        case TokenKind::End: return "end of input";
        case TokenKind::Newline: return "end of line";
        case TokenKind::Semicolon: return "';'";
        case TokenKind::Number: return "number";
        case TokenKind::Name: return "name";
        case TokenKind::Plus: return "'+'";
        case TokenKind::Minus: return "'-'";
        case TokenKind::Star: return "'*'";
        case TokenKind::Slash: return "'/'";
        case TokenKind::Power: return "'**'";
        case TokenKind::LParen: return "'('";
        case TokenKind::RParen: return "')'";
        case TokenKind::Comma: return "','";
        case TokenKind::Dot: return "'.'";
        case TokenKind::Colon: return "':'";
        case TokenKind::Assign: return "'='";
        case TokenKind::PlusAssign: return "'+='";
        case TokenKind::MinusAssign: return "'-='";
        case TokenKind::StarAssign: return "'*='";
        case TokenKind::SlashAssign: return "'/='";
    }
    return "token";
}

// --- Lexer ------------------------------------------------------------------------------------

Lexer::Lexer(std::string_view text, std::uint32_t first_line) : m_text(text), m_line(first_line) {}

void Lexer::skip_blank() {
    while (m_pos < m_text.size()) {
        const char c = m_text[m_pos];
        if (m_pos == m_line_start && (c == '>' || c == '.')) {
            // A line pasted from a transcript keeps its `>>> ` or `... ` prompt; neither can
            // start a statement, so it is read as blank space (as IPython does).
            const std::string_view rest = m_text.substr(m_pos);
            const std::string_view prompt = c == '>' ? ">>>" : "...";
            if (rest.starts_with(prompt) &&
                (rest.size() == 3 || rest[3] == ' ' || rest[3] == '\n' || rest[3] == '\r')) {
                m_pos += rest.size() > 3 && rest[3] == ' ' ? 4 : 3;
                continue;
            }
            break;
        }
        if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
            ++m_pos;
        } else if (c == '#') {
            while (m_pos < m_text.size() && m_text[m_pos] != '\n')
                ++m_pos;
        } else if (c == '\\' &&
                   (m_text.substr(m_pos + 1, 1) == "\n" || m_text.substr(m_pos + 1, 2) == "\r\n")) {
            // An explicit line continuation, as in Python and the shell (CRLF too).
            m_pos += m_text[m_pos + 1] == '\r' ? 3 : 2;
            ++m_line;
            m_line_start = m_pos;
        } else {
            break;
        }
    }
}

Token Lexer::next() {
    Token t;
    next(t);
    return t;
}

void Lexer::next(Token& t) {
    skip_blank();
    const std::size_t begin = m_pos;
    const std::uint32_t line = m_line;
    const auto column = u32(begin - m_line_start + 1);
    t.number = 0.0;
    if (m_pos >= m_text.size()) {
        // The end of input is placed right after the last token, so that "expected an
        // expression, found end of input" names and shows the line that needs it, not the
        // blank line after it.
        t.kind = TokenKind::End;
        t.text = {};
        t.span = m_seen_token ? SourceSpan{u32(m_last_end), 0, m_last_line, m_last_column}
                              : SourceSpan{u32(m_text.size()), 0, line, column};
        return;
    }
    const char c = m_text[m_pos];
    auto make = [&](TokenKind kind, std::size_t length) {
        m_pos += length;
        t.kind = kind;
        t.text = std::string_view(m_text.data() + begin, length);  // within m_text
        t.span = span_from(begin, line, column);
        if (kind != TokenKind::Newline) remember_end(column + u32(length));
    };
    auto next_is = [&](char d) { return m_pos + 1 < m_text.size() && m_text[m_pos + 1] == d; };

    if (c == '\n') {
        make(TokenKind::Newline, 1);
        ++m_line;
        m_line_start = m_pos;
        return;
    }
    if (is_digit(c) || (c == '.' && m_pos + 1 < m_text.size() && is_digit(m_text[m_pos + 1]))) {
        t = lex_number(begin, line, column);
        remember_end(column + t.span.length);
        return;
    }
    if (is_name_start(c)) {
        std::size_t end = m_pos;
        while (end < m_text.size() && is_name_char(m_text[end]))
            ++end;
        make(TokenKind::Name, end - m_pos);
        return;
    }
    switch (c) {
        case ';': make(TokenKind::Semicolon, 1); return;
        case '+': next_is('=') ? make(TokenKind::PlusAssign, 2) : make(TokenKind::Plus, 1); return;
        case '-':
            next_is('=') ? make(TokenKind::MinusAssign, 2) : make(TokenKind::Minus, 1);
            return;
        case '*':
            if (next_is('*'))
                make(TokenKind::Power, 2);
            else
                next_is('=') ? make(TokenKind::StarAssign, 2) : make(TokenKind::Star, 1);
            return;
        case '/':
            next_is('=') ? make(TokenKind::SlashAssign, 2) : make(TokenKind::Slash, 1);
            return;
        case '^': make(TokenKind::Power, 1); return;
        case '(': make(TokenKind::LParen, 1); return;
        case ')': make(TokenKind::RParen, 1); return;
        case ',': make(TokenKind::Comma, 1); return;
        case '.': make(TokenKind::Dot, 1); return;
        case ':': make(TokenKind::Colon, 1); return;
        case '=': make(TokenKind::Assign, 1); return;
        default: break;
    }
    // One UTF-8 character, whole, for the message and the caret. Bytes that must not reach a
    // terminal (a NUL, an escape, invalid UTF-8) are named by their code instead.
    const auto byte = static_cast<unsigned char>(c);
    const std::size_t length = utf8_length(m_text.substr(m_pos));
    // Typographic operators, as text copied from a document or a slide has them: the minus
    // sign U+2212, × and ÷ mean exactly -, * and /.
    const std::string_view character = m_text.substr(m_pos, length);
    for (const auto& [glyph, kind, assign] : typographic_operators) {
        if (character != glyph) continue;
        const bool with_assign = m_pos + length < m_text.size() && m_text[m_pos + length] == '=';
        make(with_assign ? assign : kind, length + (with_assign ? 1 : 0));
        return;
    }
    if (length == 0) {
        m_pos += 1;
        throw Error(fmt::format("invalid UTF-8 (byte 0x{:02X}); mgrad reads UTF-8 text", byte),
                    span_from(begin, line, column));
    }
    m_pos += length;
    if (byte < 0x20 || byte == 0x7F)
        throw Error(fmt::format("unexpected control character U+{:04X}{}", byte,
                                byte == 0 ? " (a NUL byte: is this a binary file?)" : ""),
                    span_from(begin, line, column));
    for (const auto& [glyph, advice] : character_advice)
        if (character == glyph)
            throw Error(fmt::format("unexpected character '{}': {}", glyph, advice),
                        span_from(begin, line, column));
    throw Error(fmt::format("unexpected character '{}'", m_text.substr(begin, length)),
                span_from(begin, line, column));
}

Token Lexer::lex_number(std::size_t begin, std::uint32_t line, std::uint32_t column) {
    std::size_t end = m_pos;
    while (end < m_text.size() && is_digit(m_text[end]))
        ++end;
    if (end < m_text.size() && m_text[end] == '.') {
        ++end;
        while (end < m_text.size() && is_digit(m_text[end]))
            ++end;
    }
    if (end < m_text.size() && (m_text[end] == 'e' || m_text[end] == 'E')) {
        std::size_t e = end + 1;
        if (e < m_text.size() && (m_text[e] == '+' || m_text[e] == '-')) ++e;
        if (e < m_text.size() && is_digit(m_text[e])) {
            while (e < m_text.size() && is_digit(m_text[e]))
                ++e;
            end = e;
        } else {
            end = e;
            m_pos = end;
            throw Error(fmt::format("malformed number '{}': the exponent has no digits",
                                    abbreviate(m_text.substr(begin, end - begin))),
                        span_from(begin, line, column));
        }
    }
    // `2x` or `1.5.2` is a typo, not a number followed by something.
    if (end < m_text.size() &&
        (is_name_char(m_text[end]) ||
         (m_text[end] == '.' && end + 1 < m_text.size() && is_digit(m_text[end + 1])))) {
        std::size_t junk = end;
        while (junk < m_text.size() && (is_name_char(m_text[junk]) || m_text[junk] == '.'))
            ++junk;
        m_pos = junk;
        throw Error(
            fmt::format("malformed number '{}'", abbreviate(m_text.substr(begin, junk - begin))),
            span_from(begin, line, column));
    }
    Token t;
    t.kind = TokenKind::Number;
    t.text = m_text.substr(begin, end - begin);
    m_pos = end;
    t.span = span_from(begin, line, column);
    const ParsedDouble parsed = parse_double(t.text);
    t.number = parsed.value;
    const auto ec = parsed.ec;
    const char* ptr = parsed.end;
    if (ec == std::errc::result_out_of_range || !std::isfinite(t.number)) {
        // from_chars reports underflow the same way: tell the two apart by the magnitude.
        const bool tiny = decimal_exponent(t.text) < 0;
        throw Error(fmt::format("number '{}' is out of range ({})", abbreviate(t.text),
                                tiny ? "smaller than the smallest double, 4.9e-324"
                                     : "larger than the largest double, 1.7976931348623157e+308"),
                    t.span);
    }
    if (ec != std::errc{} || ptr != t.text.data() + t.text.size())
        throw Error(fmt::format("malformed number '{}'", abbreviate(t.text)), t.span);
    return t;
}

std::string_view Lexer::rest_of_command(SourceSpan& span) {
    const std::size_t begin = m_pos;
    const auto column = u32(begin - m_line_start + 1);
    // A `;` inside a quoted word ("a;b.mg") belongs to the word; a quote opens only at the start
    // of a word, as the parser reads them (Parser::parse_command).
    bool quoted = false;
    bool word_start = true;
    while (m_pos < m_text.size() && m_text[m_pos] != '\n' && (quoted || m_text[m_pos] != ';')) {
        const char c = m_text[m_pos];
        if (quoted) {
            if (c == '\\' && m_pos + 1 < m_text.size() && m_text[m_pos + 1] != '\n') {
                ++m_pos;
            } else if (c == '"') {
                quoted = false;
                word_start = true;  // the parser starts a new word right after a closing quote
            }
        } else if (c == '"' && word_start) {
            quoted = true;
        } else {
            word_start = c == ' ' || c == '\t' || c == '\r';
        }
        ++m_pos;
    }
    span = SourceSpan{u32(begin), u32(m_pos - begin), m_line, column};
    const std::string_view rest = m_text.substr(begin, m_pos - begin);
    const std::size_t content = rest.find_last_not_of(" \t\r");
    if (content != std::string_view::npos) {
        const std::size_t saved = m_pos;
        m_pos = begin + content + 1;
        remember_end(column + u32(content + 1));
        m_pos = saved;
    }
    return rest;
}

}  // namespace mgrad
