// Parser — the mgrad language as tokens, a small AST and a recursive-descent parser.
//
// The parser reads one statement at a time from a std::string_view and never touches global
// state, so a REPL, a script and `:load` can each run their own. Every token, expression and
// statement carries a SourceSpan; syntax errors are mgrad::Error with the span of the offending
// token. The full grammar is in docs/language.md and above each parse_* function.
//
// Expressions of one statement are stored flat, children before parents (post-order), so
// evaluating, copying and destroying a statement never recurses, however long a chain such as
// `1+1+1+…` is. Recursion in the parser itself (parentheses, unary minus, `**`) is capped at
// max_nesting_depth.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mgrad/language/lexer.hpp"
#include "mgrad/support/error.hpp"
#include "mgrad/support/export.hpp"

namespace mgrad {

enum class ExprKind : std::uint8_t {
    Number,  ///< a literal
    Name,    ///< a variable
    Unary,   ///< -x or +x (op is Minus or Plus)
    Binary,  ///< x op y (op is Plus, Minus, Star, Slash or Power)
    Call,    ///< name(args…), or x.name(args…) with x as the first argument (Expr::method)
    Field,   ///< x.data or x.grad (name is "data" or "grad")
};

inline constexpr std::uint32_t no_expr = 0xFFFFFFFFu;

/// One expression of a statement. Children are indexes into Statement::exprs and are always
/// smaller than the index of the expression itself.
struct MGRAD_API Expr {
    ExprKind kind = ExprKind::Number;
    TokenKind op = TokenKind::End;
    bool method = false;  ///< Call written as a method, `x.tanh()`: args[0] is x
    double number = 0.0;
    std::string_view name;        ///< Name, Call (the function) and Field (data/grad)
    std::uint32_t lhs = no_expr;  ///< Unary and Field operand, Binary left side
    std::uint32_t rhs = no_expr;  ///< Binary right side
    std::uint32_t first_arg = 0;  ///< Call: first index into Statement::args
    std::uint32_t arg_count = 0;
    SourceSpan span;     ///< the whole expression
    SourceSpan op_span;  ///< the operator, function name or field name
};

/// A word of a command line (`:grad L` has the word "L"), unquoted, with its span.
struct MGRAD_API Word {
    std::string text;
    SourceSpan span;
};

enum class StatementKind : std::uint8_t {
    Expression,  ///< prints its value
    Assignment,  ///< name = expr, name += expr …
    SetData,     ///< name.data = expr, name.data += expr …
    Command,     ///< :name words… (and NAME.backward(), which is :backward NAME)
    Constant,    ///< const name = expr
    Function,    ///< name(params…) = expr
};

struct MGRAD_API Statement {
    StatementKind kind = StatementKind::Expression;
    SourceSpan span;  ///< the whole statement, without its terminator

    std::vector<Expr> exprs;          ///< post-order: the root is last
    std::vector<std::uint32_t> args;  ///< call arguments, see Expr::first_arg
    std::uint32_t root = no_expr;     ///< the expression (Expression, Assignment, SetData)

    std::string_view target;  ///< Assignment, SetData, Constant, Function: the name defined
    SourceSpan target_span;
    TokenKind assign_op = TokenKind::Assign;  ///< Assign, PlusAssign …
    SourceSpan assign_span;
    std::vector<Word> params;  ///< Function: the parameters' names

    std::string_view command;  ///< Command: its name without the colon
    SourceSpan command_span;   ///< the colon and the name
    std::vector<Word> words;   ///< Command: its arguments
};

/// Parses statements one at a time:
///
///     Parser parser{text, "lecture.mg"};
///     while (auto statement = parser.next()) run(*statement);
///
/// next() throws Error on a syntax error; recover() then skips to the next line so that the
/// caller can report every error in a file. Statements hold views into `text`: keep it alive.
class MGRAD_API Parser {
  public:
    explicit Parser(std::string_view text, std::uint32_t first_line = 1);

    /// The next statement, or nothing at the end of the input. Empty statements are skipped.
    std::optional<Statement> next();
    /// The same into `s`, reusing its vectors' memory (a script of a million statements then
    /// allocates nothing per statement); false at the end of the input.
    bool next(Statement& s);
    /// After an error: skip the rest of the statement (to the next newline outside parentheses
    /// or `;`), so parsing can go on.
    void recover();

    /// Parses a whole text into statements (throws on the first error).
    static std::vector<Statement> parse_all(std::string_view text);
    /// True when `text` is a prefix of a valid program that ended too early (an open
    /// parenthesis, a trailing operator): the REPL then asks for another line.
    static bool is_incomplete(std::string_view text);

  private:
    void parse_statement(Statement& s);
    void parse_command(Statement& s);
    void parse_assignment(Statement& s);
    std::uint32_t parse_expression(Statement& s);
    std::uint32_t parse_binary_rhs(Statement& s, int min_precedence, std::uint32_t lhs);
    std::uint32_t parse_unary(Statement& s);
    std::uint32_t parse_power(Statement& s);
    std::uint32_t parse_postfix(Statement& s);
    std::uint32_t parse_primary(Statement& s);
    std::uint32_t parse_call(Statement& s, const Token& name, std::uint32_t receiver = no_expr);
    void parse_constant(Statement& s);
    void make_function(Statement& s, const Token& first);
    void make_method_statement(Statement& s, const Token& first);

    void advance();
    void skip_newlines();
    [[nodiscard]] Token peek_after_current();
    [[noreturn]] void fail_expected(std::string_view what) const;
    void expect(TokenKind kind, std::string_view what);
    static std::uint32_t push(Statement& s, Expr e);
    void enter(const Token& at);
    void leave() noexcept { --m_depth; }

    Lexer m_lexer;
    Token m_token;
    std::size_t m_depth = 0;
    std::size_t m_paren_depth = 0;
    std::size_t m_statement_begin = 0;
    std::vector<std::uint32_t> m_call_args;  ///< a stack shared by nested calls being parsed
};

}  // namespace mgrad
