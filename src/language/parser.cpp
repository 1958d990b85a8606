// The mgrad recursive-descent parser (grammar in docs/language.md and above each parse_*).
#include "mgrad/language/parser.hpp"

#include <fmt/format.h>

#include "mgrad/language/diagnostic.hpp"

namespace mgrad {

namespace {

std::uint32_t u32(std::size_t n) { return static_cast<std::uint32_t>(n); }

// The precedence table of the precedence-climbing loop: higher binds tighter. `**` is not
// here: it binds tighter than unary minus and is right-associative, so parse_power handles it.
struct BinaryOperator {
    TokenKind token;
    int precedence;
};
constexpr BinaryOperator binary_operators[] = {
    {TokenKind::Plus, 10},
    {TokenKind::Minus, 10},
    {TokenKind::Star, 20},
    {TokenKind::Slash, 20},
};

int binary_precedence(TokenKind kind) {
    for (const auto& op : binary_operators)
        if (op.token == kind) return op.precedence;
    return -1;  // not a binary operator: the expression ends here
}

SourceSpan join(const SourceSpan& a, const SourceSpan& b) {
    SourceSpan s = a;
    s.length = b.offset + b.length - a.offset;
    return s;
}

std::string describe(const Token& t) {
    switch (t.kind) {
        case TokenKind::End: return "end of input";
        case TokenKind::Newline: return "end of line";
        case TokenKind::Number:
        case TokenKind::Name: return fmt::format("'{}'", t.text);
        default: return fmt::format("'{}'", t.text);
    }
}

}  // namespace

// --- Parser -----------------------------------------------------------------------------------

Parser::Parser(std::string_view text, std::uint32_t first_line) : m_lexer(text, first_line) {
    m_token.kind = TokenKind::Semicolon;  // "before the first statement"
}

void Parser::advance() {
    try {
        // Straight into m_token: a Token returned and copied costs a stall per token.
        m_lexer.next(m_token);
        while (m_token.kind == TokenKind::Newline && m_paren_depth > 0)
            m_lexer.next(m_token);
    } catch (const Error&) {
        // The bad character becomes the current token, so recover() skips the rest of its line.
        m_token = Token{};
        m_token.kind = TokenKind::Name;
        throw;
    }
    const std::size_t end = m_token.span.offset + m_token.span.length;
    // (The end of input is placed after the last token, which may be before the statement.)
    if (end > m_statement_begin && end - m_statement_begin > max_statement_length)
        throw Error(
            fmt::format("statement is too long (the limit is {} bytes)", max_statement_length),
            m_token.span);
}

void Parser::skip_newlines() {
    while (m_token.kind == TokenKind::Newline)
        advance();
}

Token Parser::peek_after_current() {
    Lexer copy = m_lexer;
    try {
        return copy.next();
    } catch (const Error&) {
        return Token{};  // the error is reported when the parser gets there
    }
}

void Parser::fail_expected(std::string_view what) const {
    throw Error(fmt::format("expected {}, found {}", what, describe(m_token)), m_token.span);
}

void Parser::expect(TokenKind kind, std::string_view what) {
    if (m_token.kind != kind) fail_expected(what);
    advance();
}

std::uint32_t Parser::push(Statement& s, Expr e) {
    s.exprs.push_back(e);
    return u32(s.exprs.size() - 1);
}

void Parser::enter(const Token& at) {
    if (++m_depth > max_nesting_depth) {
        --m_depth;
        throw Error(fmt::format("expression is nested too deeply (the limit is {} levels)",
                                max_nesting_depth),
                    at.span);
    }
}

namespace {
struct DepthGuard {
    std::size_t& depth;
    ~DepthGuard() { --depth; }
};
}  // namespace

namespace {
// Empties a statement but keeps its vectors' capacity: a fresh Statement, field by field.
void reset(Statement& s) {
    const Statement fresh;
    s.kind = fresh.kind;
    s.span = fresh.span;
    s.exprs.clear();
    s.args.clear();
    s.root = fresh.root;
    s.target = fresh.target;
    s.target_span = fresh.target_span;
    s.assign_op = fresh.assign_op;
    s.assign_span = fresh.assign_span;
    s.command = fresh.command;
    s.command_span = fresh.command_span;
    s.words.clear();
    s.params.clear();
}
}  // namespace

std::optional<Statement> Parser::next() {
    Statement s;
    if (!next(s)) return std::nullopt;
    return s;
}

bool Parser::next(Statement& s) {
    if (m_token.kind == TokenKind::End) return false;
    m_depth = 0;
    m_paren_depth = 0;
    // Empty statements (blank lines, comments, stray `;`) are skipped. Before the first
    // statement m_token is a virtual ';', so this also reads the first token.
    while (m_token.kind == TokenKind::Newline || m_token.kind == TokenKind::Semicolon) {
        m_statement_begin = m_lexer.offset();
        advance();
    }
    if (m_token.kind == TokenKind::End) return false;
    m_statement_begin = m_token.span.offset;
    m_call_args.clear();
    reset(s);
    parse_statement(s);
    return true;
}

void Parser::recover() {
    m_depth = 0;
    m_paren_depth = 0;
    m_statement_begin = m_lexer.offset();
    for (;;) {
        try {
            if (m_token.kind == TokenKind::Newline || m_token.kind == TokenKind::Semicolon ||
                m_token.kind == TokenKind::End)
                return;
            advance();
        } catch (const Error&) {
            // A bad character inside the rest of the line: keep skipping.
        }
    }
}

/// statement  ::= command | constant | function | assignment | setdata | method | expression
/// setdata    ::= NAME '.' 'data' ( '=' | '+=' | '-=' | '*=' | '/=' ) expression
/// method     ::= NAME '.' 'backward' '(' ')'          (the command :backward NAME)
void Parser::parse_statement(Statement& s) {
    const Token first = m_token;
    auto is_assign = [](TokenKind k) {
        return k == TokenKind::Assign || k == TokenKind::PlusAssign ||
               k == TokenKind::MinusAssign || k == TokenKind::StarAssign ||
               k == TokenKind::SlashAssign;
    };
    if (first.kind == TokenKind::Colon) {
        parse_command(s);
    } else if (first.kind == TokenKind::Name && first.text == "const" &&
               peek_after_current().kind == TokenKind::Name) {
        parse_constant(s);
    } else if (first.kind == TokenKind::Name && first.text == "const" &&
               !is_assign(peek_after_current().kind)) {
        advance();
        fail_expected("a name after 'const' (const NAME = NUMBER)");
    } else {
        const Token second = first.kind == TokenKind::Name ? peek_after_current() : Token{};
        if (first.kind == TokenKind::Name && is_assign(second.kind)) {
            if (first.text == "const")
                throw Error("'const' is a keyword: 'const NAME = NUMBER' binds a constant",
                            first.span);
            parse_assignment(s);
        } else {
            s.kind = StatementKind::Expression;
            s.root = parse_expression(s);
            const Expr root = s.exprs[s.root];
            if (is_assign(m_token.kind)) {
                if (root.kind == ExprKind::Field && root.name == "grad")
                    throw Error(
                        "a gradient is computed, not set: L.backward() (or :backward L) sets "
                        "L.grad to 1 and fills in every gradient L depends on",
                        root.span);
                if (root.kind == ExprKind::Field && s.exprs[root.lhs].kind == ExprKind::Name) {
                    const Expr target = s.exprs[root.lhs];
                    reset(s);
                    s.kind = StatementKind::SetData;
                    s.target = target.name;
                    s.target_span = target.span;
                    s.assign_op = m_token.kind;
                    s.assign_span = m_token.span;
                    advance();
                    s.root = parse_expression(s);
                } else if (root.kind == ExprKind::Call && !root.method &&
                           m_token.kind == TokenKind::Assign) {
                    make_function(s, first);
                } else if (root.kind == ExprKind::Call && !root.method) {
                    throw Error(fmt::format("a function is defined with '=': {}(x) = …", root.name),
                                m_token.span);
                } else {
                    throw Error("only a name (or NAME.data) can be assigned to", first.span);
                }
            } else if (root.kind == ExprKind::Call && root.method && root.name == "backward") {
                make_method_statement(s, first);
            }
        }
    }
    SourceSpan last = s.kind == StatementKind::Command ? s.command_span : s.exprs[s.root].span;
    if (s.kind == StatementKind::Command && !s.words.empty() &&
        s.words.back().span.offset > last.offset)
        last = s.words.back().span;
    s.span = join(first.span, last);
    switch (m_token.kind) {
        case TokenKind::Newline:
        case TokenKind::Semicolon:
        case TokenKind::End: break;
        case TokenKind::RParen: throw Error("unmatched ')'", m_token.span);
        default:
            throw Error(fmt::format("unexpected {} after the end of a statement "
                                    "(statements are separated by ';' or a new line)",
                                    describe(m_token)),
                        m_token.span);
    }
}

/// constant   ::= 'const' NAME '=' expression
void Parser::parse_constant(Statement& s) {
    advance();  // 'const'
    s.kind = StatementKind::Constant;
    s.target = m_token.text;
    s.target_span = m_token.span;
    advance();
    if (m_token.kind != TokenKind::Assign)
        fail_expected(fmt::format("'=' after 'const {}'", s.target));
    s.assign_span = m_token.span;
    advance();
    s.root = parse_expression(s);
}

/// function   ::= NAME '(' [ NAME { ',' NAME } ] ')' '=' expression
/// The call was parsed as an expression; its arguments must be distinct names.
void Parser::make_function(Statement& s, const Token& first) {
    const Expr call = s.exprs[s.root];
    std::vector<Word> params;
    for (std::uint32_t k = 0; k < call.arg_count; ++k) {
        const Expr& arg = s.exprs[s.args[call.first_arg + k]];
        if (arg.kind != ExprKind::Name)
            throw Error(fmt::format("a parameter of {}() must be a name, as in {}(x, y) = …",
                                    call.name, call.name),
                        arg.span);
        for (const Word& p : params)
            if (p.text == arg.name)
                throw Error(fmt::format("parameter '{}' is given twice", arg.name), arg.span);
        params.push_back(Word{std::string(arg.name), arg.span});
    }
    (void)first;
    const std::string_view name = call.name;
    const SourceSpan name_span = call.op_span;
    reset(s);
    s.kind = StatementKind::Function;
    s.target = name;
    s.target_span = name_span;
    s.params = std::move(params);
    s.assign_span = m_token.span;
    advance();
    s.root = parse_expression(s);
}

/// `L.backward()` is the command `:backward L`, as in micrograd.
void Parser::make_method_statement(Statement& s, const Token& first) {
    const Expr call = s.exprs[s.root];
    const Expr receiver = s.exprs[s.args[call.first_arg]];
    if (call.arg_count != 1) throw Error("backward() takes no arguments: L.backward()", call.span);
    if (receiver.kind != ExprKind::Name)
        throw Error("backward() needs a name: L = …; L.backward() (or :backward L)", receiver.span);
    (void)first;
    reset(s);
    s.kind = StatementKind::Command;
    s.command = call.name;
    s.command_span = call.span;
    s.words.push_back(Word{std::string(receiver.name), receiver.span});
}

/// command    ::= ':' NAME { WORD }        (words are separated by blanks; "…" quotes)
/// The command runs to the end of the line or to ';'.
void Parser::parse_command(Statement& s) {
    s.kind = StatementKind::Command;
    const Token colon = m_token;
    SourceSpan rest_span;
    const std::string_view rest = m_lexer.rest_of_command(rest_span);
    // Split into words by hand: arguments are file names and numbers, not expressions.
    std::size_t i = 0;
    std::vector<Word> words;
    while (i < rest.size()) {
        while (i < rest.size() && (rest[i] == ' ' || rest[i] == '\t' || rest[i] == '\r'))
            ++i;
        if (i >= rest.size() || rest[i] == '#') break;
        const std::size_t begin = i;
        Word w;
        if (rest[i] == '"') {
            ++i;
            while (i < rest.size() && rest[i] != '"') {
                if (rest[i] == '\\' && i + 1 < rest.size()) ++i;
                w.text += rest[i++];
            }
            if (i >= rest.size())
                throw Error("unterminated string in command",
                            SourceSpan{u32(rest_span.offset + begin), u32(i - begin),
                                       rest_span.line, u32(rest_span.column + begin)});
            ++i;
        } else {
            while (i < rest.size() && rest[i] != ' ' && rest[i] != '\t' && rest[i] != '\r')
                w.text += rest[i++];
        }
        w.span = SourceSpan{u32(rest_span.offset + begin), u32(i - begin), rest_span.line,
                            u32(rest_span.column + begin)};
        // A NUL would cut a file name short in the C library: refuse rather than write elsewhere.
        for (char ch : w.text)
            if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7F)
                throw Error(fmt::format("a command word cannot hold the control character U+{:04X}",
                                        static_cast<unsigned>(static_cast<unsigned char>(ch))),
                            w.span);
        words.push_back(std::move(w));
    }
    if (words.empty() || words.front().span.offset != rest_span.offset)
        throw Error("expected a command name after ':' (try :help)", colon.span);
    s.command = m_lexer.text().substr(words.front().span.offset, words.front().span.length);
    s.command_span = join(colon.span, words.front().span);
    s.words.assign(words.begin() + 1, words.end());
    advance();
}

/// assignment ::= NAME ( '=' | '+=' | '-=' | '*=' | '/=' ) expression
void Parser::parse_assignment(Statement& s) {
    s.kind = StatementKind::Assignment;
    s.target = m_token.text;
    s.target_span = m_token.span;
    advance();
    s.assign_op = m_token.kind;
    s.assign_span = m_token.span;
    advance();
    s.root = parse_expression(s);
}

/// expression ::= unary { binop unary }      binop: '+' '-' (10) < '*' '/' (20)
std::uint32_t Parser::parse_expression(Statement& s) {
    const std::uint32_t lhs = parse_unary(s);
    return parse_binary_rhs(s, 0, lhs);
}

// Precedence climbing as in Kaleidoscope's ParseBinOpRHS: a loop over operators of at least
// `min_precedence`; only a tighter operator on the right recurses. Chains of one precedence
// (`1+1+1+…`) therefore loop instead of recursing.
std::uint32_t Parser::parse_binary_rhs(Statement& s, int min_precedence, std::uint32_t lhs) {
    for (;;) {
        const int precedence = binary_precedence(m_token.kind);
        if (precedence < min_precedence || precedence < 0) return lhs;
        const Token op = m_token;
        advance();
        std::uint32_t rhs = parse_unary(s);
        const int next = binary_precedence(m_token.kind);
        if (precedence < next) {
            enter(op);
            DepthGuard guard{m_depth};
            rhs = parse_binary_rhs(s, precedence + 1, rhs);
        }
        Expr e;
        e.kind = ExprKind::Binary;
        e.op = op.kind;
        e.lhs = lhs;
        e.rhs = rhs;
        e.span = join(s.exprs[lhs].span, s.exprs[rhs].span);
        e.op_span = op.span;
        lhs = push(s, e);
    }
}

/// unary      ::= ( '-' | '+' ) unary | power
std::uint32_t Parser::parse_unary(Statement& s) {
    skip_newlines();  // an operand may follow its operator on the next line
    if (m_token.kind != TokenKind::Minus && m_token.kind != TokenKind::Plus) return parse_power(s);
    const Token op = m_token;
    enter(op);
    DepthGuard guard{m_depth};
    advance();
    const std::uint32_t operand = parse_unary(s);
    Expr e;
    e.kind = ExprKind::Unary;
    e.op = op.kind;
    e.lhs = operand;
    e.span = join(op.span, s.exprs[operand].span);
    e.op_span = op.span;
    return push(s, e);
}

/// power      ::= postfix [ ( '**' | '^' ) unary ]      (right-associative, above unary minus)
std::uint32_t Parser::parse_power(Statement& s) {
    const std::uint32_t base = parse_postfix(s);
    if (m_token.kind != TokenKind::Power) return base;
    const Token op = m_token;
    enter(op);
    DepthGuard guard{m_depth};
    advance();
    const std::uint32_t exponent = parse_unary(s);
    Expr e;
    e.kind = ExprKind::Binary;
    e.op = TokenKind::Power;
    e.lhs = base;
    e.rhs = exponent;
    e.span = join(s.exprs[base].span, s.exprs[exponent].span);
    e.op_span = op.span;
    return push(s, e);
}

/// postfix    ::= primary { '.' ( 'data' | 'grad' | NAME '(' [ arguments ] ')' ) }
/// A method call `x.tanh()` is the call `tanh(x)`, as in micrograd.
std::uint32_t Parser::parse_postfix(Statement& s) {
    std::uint32_t operand = parse_primary(s);
    while (m_token.kind == TokenKind::Dot) {
        advance();
        if (m_token.kind != TokenKind::Name) fail_expected("'data', 'grad' or a method after '.'");
        const Token name = m_token;
        const bool field = name.text == "data" || name.text == "grad";
        if (peek_after_current().kind == TokenKind::LParen) {
            if (field)
                throw Error(fmt::format("'.{}' is a number, not a method: write x.{} without "
                                        "parentheses",
                                        name.text, name.text),
                            name.span);
            advance();  // the name; parse_call expects '('
            operand = parse_call(s, name, operand);
            continue;
        }
        if (!field) {
            const bool close = name.text.size() <= 6;
            throw Error(fmt::format("a node has only .data and .grad, not .{}{}", name.text,
                                    close && name.text.starts_with('g') ? "; did you mean 'grad'?"
                                    : close && name.text.starts_with('d')
                                        ? "; did you mean 'data'?"
                                        : fmt::format("; a method is called with parentheses: "
                                                      "x.{}()",
                                                      name.text)),
                        name.span);
        }
        Expr e;
        e.kind = ExprKind::Field;
        e.name = name.text;
        e.lhs = operand;
        e.span = join(s.exprs[operand].span, name.span);
        e.op_span = name.span;
        advance();
        operand = push(s, e);
    }
    return operand;
}

/// primary    ::= NUMBER | NAME | call | '(' expression ')'
std::uint32_t Parser::parse_primary(Statement& s) {
    const Token t = m_token;
    switch (t.kind) {
        case TokenKind::Number: {
            advance();
            Expr e;
            e.kind = ExprKind::Number;
            e.number = t.number;
            e.span = e.op_span = t.span;
            return push(s, e);
        }
        case TokenKind::Name: {
            advance();
            if (m_token.kind == TokenKind::LParen) return parse_call(s, t);
            Expr e;
            e.kind = ExprKind::Name;
            e.name = t.text;
            e.span = e.op_span = t.span;
            return push(s, e);
        }
        case TokenKind::LParen: {
            enter(t);
            DepthGuard guard{m_depth};
            ++m_paren_depth;
            advance();
            const std::uint32_t inner = parse_expression(s);
            if (m_token.kind != TokenKind::RParen) {
                if (m_token.kind == TokenKind::End) fail_expected("')'");
                throw Error(fmt::format("expected ')' to close the '(' at column {}, found {}",
                                        t.span.column, describe(m_token)),
                            m_token.span);
            }
            --m_paren_depth;
            // Widen the span to the parentheses so carets cover what the user wrote.
            s.exprs[inner].span = join(t.span, m_token.span);
            advance();
            return inner;
        }
        case TokenKind::RParen: throw Error("unmatched ')'", t.span);
        default: fail_expected("an expression");
    }
}

/// call       ::= NAME '(' [ expression { ',' expression } ] ')'
std::uint32_t Parser::parse_call(Statement& s, const Token& name, std::uint32_t receiver) {
    enter(name);
    DepthGuard guard{m_depth};
    ++m_paren_depth;
    advance();  // '('
    // This call's arguments go on m_call_args above those of the calls it is nested in.
    const std::size_t base = m_call_args.size();
    if (receiver != no_expr) m_call_args.push_back(receiver);
    skip_newlines();
    if (m_token.kind != TokenKind::RParen) {
        for (;;) {
            const std::uint32_t arg = parse_expression(s);
            m_call_args.push_back(arg);
            if (m_token.kind != TokenKind::Comma) break;
            advance();
        }
    }
    if (m_token.kind != TokenKind::RParen) fail_expected("',' or ')' in the call");
    --m_paren_depth;
    Expr e;
    e.kind = ExprKind::Call;
    e.method = receiver != no_expr;
    e.name = name.text;
    e.first_arg = u32(s.args.size());
    e.arg_count = u32(m_call_args.size() - base);
    s.args.insert(s.args.end(), m_call_args.begin() + static_cast<std::ptrdiff_t>(base),
                  m_call_args.end());
    m_call_args.resize(base);
    e.span = join(receiver != no_expr ? s.exprs[receiver].span : name.span, m_token.span);
    e.op_span = name.span;
    advance();
    return push(s, e);
}

std::vector<Statement> Parser::parse_all(std::string_view text) {
    Parser p(text);
    std::vector<Statement> out;
    while (auto s = p.next())
        out.push_back(std::move(*s));
    return out;
}

bool Parser::is_incomplete(std::string_view text) {
    Parser p(text);
    try {
        Statement s;
        while (p.next(s)) {
        }
        return false;
    } catch (const Error& e) {
        // Only an error at the end of the input means "keep typing"; an unexpected character
        // on the line is a real error even if it is the last one.
        return p.m_token.kind == TokenKind::End && e.span() && e.span()->length == 0 &&
               e.span()->offset == p.m_token.span.offset;
    }
}

}  // namespace mgrad
