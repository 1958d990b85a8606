// Lexer — the mgrad language's tokens.
//
// A Lexer reads a std::string_view one token at a time, never copying the text and never
// touching global state. Every token carries a SourceSpan (offset, length, line, column) so a
// diagnostic can point at it with a caret. Numbers are read exactly (parse_number) and a
// literal out of a double's range is an error, not an infinity.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mgrad/support/error.hpp"
#include "mgrad/support/export.hpp"

namespace mgrad {

/// Limits that turn pathological input into a clear error instead of a crash.
inline constexpr std::size_t max_nesting_depth = 256;           ///< ( - ** levels in one statement
inline constexpr std::size_t max_statement_length = 1u << 20u;  ///< bytes in one statement

enum class TokenKind : std::uint8_t {
    End,
    Newline,
    Semicolon,
    Number,
    Name,
    Plus,
    Minus,
    Star,
    Slash,
    Power,  ///< `**` or its synonym `^`
    LParen,
    RParen,
    Comma,
    Dot,
    Colon,
    Assign,
    PlusAssign,
    MinusAssign,
    StarAssign,
    SlashAssign,
};

/// How a token kind is named in messages ("')'", "end of input" …).
[[nodiscard]] MGRAD_API std::string_view token_kind_name(TokenKind kind) noexcept;

struct MGRAD_API Token {
    TokenKind kind = TokenKind::End;
    std::string_view text;  ///< the characters of the token in the source
    SourceSpan span;
    double number = 0.0;  ///< the value of a Number token
};

/// Splits source text into tokens. Comments (`#` to the end of the line), blank space other
/// than newlines and a transcript's prompts (`>>> `, `... ` at the start of a line) are
/// skipped; U+2212 −, × and ÷ are read as -, * and /. Lines are counted from `first_line`.
class MGRAD_API Lexer {
  public:
    explicit Lexer(std::string_view text, std::uint32_t first_line = 1);

    /// The next token; throws Error for a character that starts no token or a bad number.
    Token next();
    /// The same, written over `t` (the parser's current token).
    void next(Token& t);
    /// The raw rest of the current line up to (not including) a newline or a `;` outside a
    /// quoted word, consumed. Commands use it: their arguments are words, not expressions.
    std::string_view rest_of_command(SourceSpan& span);

    [[nodiscard]] std::size_t offset() const noexcept { return m_pos; }
    [[nodiscard]] std::string_view text() const noexcept { return m_text; }

  private:
    [[nodiscard]] SourceSpan span_from(std::size_t begin, std::uint32_t line,
                                       std::uint32_t column) const {
        return SourceSpan{static_cast<std::uint32_t>(begin),
                          static_cast<std::uint32_t>(m_pos - begin), line, column};
    }
    Token lex_number(std::size_t begin, std::uint32_t line, std::uint32_t column);
    void skip_blank();
    /// Records where the token just made ends (the end of input is reported there).
    void remember_end(std::uint32_t end_column) noexcept {
        m_seen_token = true;
        m_last_end = m_pos;
        m_last_line = m_line;
        m_last_column = end_column;
    }

    std::string_view m_text;
    std::size_t m_pos = 0;
    std::uint32_t m_line = 1;
    std::size_t m_line_start = 0;
    bool m_seen_token = false;  ///< a token other than a newline was read
    std::size_t m_last_end = 0;
    std::uint32_t m_last_line = 1;
    std::uint32_t m_last_column = 1;
};

}  // namespace mgrad
