// The language's parser: precedence and associativity, spans, every diagnostic, every limit.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <mgrad/commands/commands.hpp>
#include <mgrad/language/diagnostic.hpp>
#include <mgrad/language/parser.hpp>
#include <mgrad/language/session.hpp>

using mgrad::Error;
using mgrad::ExprKind;
using mgrad::Parser;
using mgrad::Statement;
using mgrad::StatementKind;
using mgrad::TokenKind;

namespace {

Statement parse_one(std::string_view text) {
    auto all = Parser::parse_all(text);
    REQUIRE(all.size() == 1);
    return all.front();
}

// The value a bare expression prints, through a real session.
std::string eval(const std::string& text) {
    std::ostringstream out, err;
    mgrad::StreamOutput sink(out, err);
    mgrad::Session session(sink);
    mgrad::add_standard_commands(session);
    session.run("<test>", "a = 2; b = -3\n" + text);
    return out.str() + err.str();
}

// The error message (and column) for a text that must not parse.
struct Failure {
    std::string message;
    std::uint32_t line = 0;
    std::uint32_t column = 0;
    std::uint32_t length = 0;
};
Failure parse_error(std::string_view text) {
    try {
        (void)Parser::parse_all(text);
    } catch (const Error& e) {
        REQUIRE(e.span().has_value());
        return {e.what(), e.span()->line, e.span()->column, e.span()->length};
    }
    FAIL("expected a syntax error for: " << text);
    return {};
}

}  // namespace

TEST_CASE("parser: ** binds tighter than unary minus and groups to the right") {
    CHECK(eval("-2**2") == "-4\n");
    CHECK(eval("2**3**2") == "512\n");
    CHECK(eval("2^3^2") == "512\n");
    CHECK(eval("-2^2") == "-4\n");
    CHECK(eval("(-2)**2") == "4\n");
    CHECK(eval("2**-1") == "0.5\n");
    CHECK(eval("-a**2") == "-a**2 = -4  (grad 0)\n");

    const Statement s = parse_one("-2**2");
    const auto& root = s.exprs[s.root];
    CHECK(root.kind == ExprKind::Unary);
    CHECK(s.exprs[root.lhs].kind == ExprKind::Binary);
    CHECK(s.exprs[root.lhs].op == TokenKind::Power);
}

TEST_CASE("parser: + - * / are left-associative with the usual precedence") {
    CHECK(eval("10 - 3 - 2") == "5\n");
    CHECK(eval("16 / 4 / 2") == "2\n");
    CHECK(eval("1 + 2 * 3") == "7\n");
    CHECK(eval("2 * 3 + 4 * 5") == "26\n");
    CHECK(eval("(1 + 2) * 3") == "9\n");
    CHECK(eval("1 - -1") == "2\n");
    CHECK(eval("2 * -3 ** 2") == "-18\n");
}

TEST_CASE("parser: children come before their parents (post-order)") {
    const Statement s = parse_one("L = (a*b + c) * tanh(f)");
    for (std::size_t i = 0; i < s.exprs.size(); ++i) {
        const auto& e = s.exprs[i];
        if (e.lhs != mgrad::no_expr) CHECK(e.lhs < i);
        if (e.rhs != mgrad::no_expr) CHECK(e.rhs < i);
    }
    CHECK(s.root == s.exprs.size() - 1);
    CHECK(s.kind == StatementKind::Assignment);
    CHECK(s.target == "L");
}

TEST_CASE("parser: statements, spans and terminators") {
    auto all = Parser::parse_all("a = 2; b = 3\n# comment\n\n  a*b  # trailing\n:grad a\n");
    REQUIRE(all.size() == 4);
    CHECK(all[0].kind == StatementKind::Assignment);
    CHECK(all[2].kind == StatementKind::Expression);
    CHECK(all[2].span.line == 4);
    CHECK(all[2].span.column == 3);
    CHECK(all[2].span.length == 3);
    CHECK(all[3].kind == StatementKind::Command);
    CHECK(all[3].command == "grad");
    REQUIRE(all[3].words.size() == 1);
    CHECK(all[3].words[0].text == "a");
    CHECK(all[3].words[0].span.column == 7);

    const Statement quoted = parse_one(":save \"my file.mg\"");
    REQUIRE(quoted.words.size() == 1);
    CHECK(quoted.words[0].text == "my file.mg");

    const Statement compound = parse_one("c += 1");
    CHECK(compound.assign_op == TokenKind::PlusAssign);
    CHECK(parse_one("x.data = 3").kind == StatementKind::SetData);
    CHECK(Parser::parse_all("a +\n  b\n").size() == 1);
    CHECK(Parser::parse_all("(a\n*\nb)\n").size() == 1);
    CHECK(Parser::parse_all("a = \\\n 2\n").size() == 1);
    CHECK(Parser::parse_all("").empty());
    CHECK(Parser::parse_all(";;\n\n# only a comment").empty());
}

TEST_CASE("parser: numbers") {
    CHECK(parse_one(".5").exprs[0].number == 0.5);
    CHECK(parse_one("3.").exprs[0].number == 3.0);
    CHECK(parse_one("1e-3").exprs[0].number == 1e-3);
    CHECK(parse_one("2.5E+2").exprs[0].number == 250.0);
    CHECK(parse_one("0.1").exprs[0].number == 0.1);
}

TEST_CASE("parser: every diagnostic, with its place") {
    struct Case {
        const char* text;
        const char* message;
        std::uint32_t column;
        std::uint32_t length;
    };
    const Case cases[] = {
        {"a = 2 $ 3", "unexpected character '$'", 7, 1},
        {"x = 1e999",
         "number '1e999' is out of range (larger than the largest double, "
         "1.7976931348623157e+308)",
         5, 5},
        {"x = 1e-999",
         "number '1e-999' is out of range (smaller than the smallest double, "
         "4.9e-324)",
         5, 6},
        {"x = 1.5e", "malformed number '1.5e': the exponent has no digits", 5, 4},
        {"x = 2x", "malformed number '2x'", 5, 2},
        {"x = 1.2.3", "malformed number '1.2.3'", 5, 5},
        {"1 +* 2", "expected an expression, found '*'", 4, 1},
        {"x = 3)", "unmatched ')'", 6, 1},
        {")", "unmatched ')'", 1, 1},
        {"x = (1 + 2", "expected ')', found end of input", 11, 0},
        {"x = (1 2)", "expected ')' to close the '(' at column 5, found '2'", 8, 1},
        {"a b",
         "unexpected 'b' after the end of a statement (statements are separated by ';' "
         "or a new line)",
         3, 1},
        {"3 = a", "only a name (or NAME.data) can be assigned to", 1, 1},
        {"a.b = 3",
         "a node has only .data and .grad, not .b; a method is called with parentheses: x.b()", 3,
         1},
        {"a.gard", "a node has only .data and .grad, not .gard; did you mean 'grad'?", 3, 4},
        {"a.", "expected 'data', 'grad' or a method after '.', found end of input", 3, 0},
        {"pow(1 2)", "expected ',' or ')' in the call, found '2'", 7, 1},
        {":", "expected a command name after ':' (try :help)", 1, 1},
        {": grad", "expected a command name after ':' (try :help)", 1, 1},
        {":save \"x", "unterminated string in command", 7, 2},
        // The end of input is placed right after the last token, on its line.
        {"x = ", "expected an expression, found end of input", 4, 0},
        {"x = 1 +\n\n", "expected an expression, found end of input", 8, 0},
        {"a.data() = 2", "'.data' is a number, not a method: write x.data without parentheses", 3,
         4},
        {"L.grad = 1",
         "a gradient is computed, not set: L.backward() (or :backward L) sets L.grad to 1 and "
         "fills in every gradient L depends on",
         1, 6},
        {"f(3) = 9", "a parameter of f() must be a name, as in f(x, y) = …", 3, 1},
        {"f(x, x) = 1", "parameter 'x' is given twice", 6, 1},
        {"f(x) += 1", "a function is defined with '=': f(x) = …", 6, 2},
        {"(a*b).backward()", "backward() needs a name: L = …; L.backward() (or :backward L)", 1, 5},
        {"const = 2", "'const' is a keyword: 'const NAME = NUMBER' binds a constant", 1, 5},
        {"const n += 2", "expected '=' after 'const n', found '+='", 9, 2},
        {"a \u00B2", "unexpected character '\u00B2': write x**2 for a square", 3, 2},
    };
    for (const auto& c : cases) {
        CAPTURE(c.text);
        const Failure f = parse_error(c.text);
        CHECK(f.message == c.message);
        CHECK(f.column == c.column);
        CHECK(f.length == c.length);
    }
    CHECK(parse_error("a = 1\nb = (2\n+ $)").line == 3);
    CHECK(parse_error("a = 1\nb = (2 +\n\n\n").line == 2);
}

TEST_CASE("parser: functions, constants, methods and compound .data") {
    Statement s = parse_one("f(x, y) = x*y + 1");
    CHECK(s.kind == StatementKind::Function);
    CHECK(s.target == "f");
    REQUIRE(s.params.size() == 2);
    CHECK(s.params[1].text == "y");
    CHECK(s.exprs[s.root].kind == ExprKind::Binary);

    s = parse_one("const n = 2 * 3");
    CHECK(s.kind == StatementKind::Constant);
    CHECK(s.target == "n");

    s = parse_one("x.tanh()");
    CHECK(s.kind == StatementKind::Expression);
    CHECK(s.exprs[s.root].kind == ExprKind::Call);
    CHECK(s.exprs[s.root].method);
    CHECK(s.exprs[s.root].name == "tanh");
    CHECK(s.exprs[s.exprs[s.root].first_arg].kind == ExprKind::Name);

    s = parse_one("L.backward()");
    CHECK(s.kind == StatementKind::Command);
    CHECK(s.command == "backward");
    REQUIRE(s.words.size() == 1);
    CHECK(s.words[0].text == "L");
    CHECK(s.span.length == 12);

    s = parse_one("a.data -= lr * a.grad");
    CHECK(s.kind == StatementKind::SetData);
    CHECK(s.assign_op == TokenKind::MinusAssign);

    // Prompts pasted from a transcript are blanks; typographic operators are operators.
    CHECK(Parser::parse_all(">>> a = 2\n>>> b = (a +\n...   1)\n...\n>>>\n").size() == 2);
    CHECK(eval("3 \u00D7 4 \u2212 1") == "11\n");
    CHECK(eval("3 \u00F7 4") == "0.75\n");
}

TEST_CASE("parser: limits") {
    using mgrad::max_nesting_depth;
    const std::string ok =
        std::string(max_nesting_depth, '(') + "1" + std::string(max_nesting_depth, ')');
    CHECK(Parser::parse_all(ok).size() == 1);
    const std::string deep =
        std::string(max_nesting_depth + 1, '(') + "1" + std::string(max_nesting_depth + 1, ')');
    CHECK(parse_error(deep).message == "expression is nested too deeply (the limit is 256 levels)");

    // A million '(' is refused quickly, without exhausting the stack.
    CHECK(parse_error(std::string(1'000'000, '(')).column == max_nesting_depth + 1);
    CHECK(parse_error(std::string(100'000, '-') + "1").message.starts_with("expression is nested"));
    std::string towers = "2";
    for (int i = 0; i < 1000; ++i)
        towers += "**2";
    CHECK(parse_error(towers).message.starts_with("expression is nested"));

    // Long chains of one precedence are loops, not recursion: no limit but the length.
    std::string chain = "1";
    for (int i = 0; i < 100'000; ++i)
        chain += "+1";
    CHECK(eval(chain) == "100001\n");

    std::string huge = "x = 1";
    while (huge.size() <= mgrad::max_statement_length)
        huge += "+1";
    CHECK(parse_error(huge).message == "statement is too long (the limit is 1048576 bytes)");
    // ... but many statements may together be longer.
    std::string many;
    while (many.size() <= mgrad::max_statement_length)
        many += "x = 1+1+1+1\n";
    CHECK(Parser::parse_all(many).size() > 1000);
}

TEST_CASE("parser: is_incomplete tells the REPL to ask for another line") {
    CHECK(Parser::is_incomplete("a +\n"));
    CHECK(Parser::is_incomplete("(a\n"));
    CHECK(Parser::is_incomplete("a = \n"));
    CHECK(Parser::is_incomplete("pow(1,\n"));
    CHECK(Parser::is_incomplete("x = (1 +\n 2\n"));
    CHECK_FALSE(Parser::is_incomplete("a\n"));
    CHECK_FALSE(Parser::is_incomplete("a b\n"));
    CHECK_FALSE(Parser::is_incomplete("a $\n"));
    CHECK_FALSE(Parser::is_incomplete(":help\n"));
    CHECK_FALSE(Parser::is_incomplete("a)\n"));
}

TEST_CASE("diagnostics: caret under the span, long lines windowed") {
    const std::string d =
        mgrad::format_diagnostic("f.mg", "a = 1\nL = ab * c\n", mgrad::Severity::Error,
                                 "undefined name 'ab'", mgrad::SourceSpan{10, 2, 2, 5});
    CHECK(d == "f.mg:2:5: error: undefined name 'ab'\nL = ab * c\n    ^~\n");
    CHECK(mgrad::format_diagnostic("<repl>", "", mgrad::Severity::Warning, "w", {}) ==
          "<repl>: warning: w\n");
    // A tab in the line is kept in the caret line so the two stay aligned.
    CHECK(mgrad::format_diagnostic("t", "\tx $", mgrad::Severity::Error, "m",
                                   mgrad::SourceSpan{3, 1, 1, 4}) ==
          "t:1:4: error: m\n\tx $\n\t  ^\n");
    const std::string long_line = std::string(5000, 'a') + " $";
    const std::string w = mgrad::format_diagnostic("t", long_line, mgrad::Severity::Error, "m",
                                                   mgrad::SourceSpan{5001, 1, 1, 5002});
    CHECK(w.size() < 400);
    CHECK(w.find("…") != std::string::npos);
}

namespace {

/// The whole optimal-string-alignment table, for comparison with the banded one.
std::size_t full_distance(std::string_view a, std::string_view b) {
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i)
        d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j)
        d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i)
        for (std::size_t j = 1; j <= b.size(); ++j) {
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1,
                                d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    return d[a.size()][b.size()];
}

}  // namespace

TEST_CASE("suggestions: the banded distance agrees with the full table") {
    std::uint32_t seed = 12345;
    auto next = [&seed] {
        seed = seed * 1664525u + 1013904223u;
        return seed >> 16u;
    };
    for (int trial = 0; trial < 3000; ++trial) {
        std::string a, b;
        const std::size_t na = next() % 9, nb = next() % 9;
        for (std::size_t i = 0; i < na; ++i)
            a += static_cast<char>('a' + next() % 3);
        for (std::size_t i = 0; i < nb; ++i)
            b += static_cast<char>('a' + next() % 3);
        for (std::size_t limit : {0u, 1u, 2u, 3u, 5u}) {
            const std::size_t full = full_distance(a, b);
            const std::size_t banded = mgrad::edit_distance(a, b, limit);
            INFO(a, " / ", b, " limit ", limit);
            if (full <= limit)
                CHECK(banded == full);
            else
                CHECK(banded > limit);
        }
    }
}

TEST_CASE("suggestions: very long names with a one-letter typo (time and memory stay linear)") {
    // A 20,000-letter name once took 15 s and 3 GB; 100,000 letters ran out of memory; with
    // the band but whole rows cleared, 100,000 letters took 4 s and a million would take
    // minutes. Each now costs a few passes over the name (ctest's timeout catches a relapse).
    for (const std::size_t n :
         {std::size_t{20'000}, std::size_t{100'000}, std::size_t{1'000'000}}) {
        const std::string name(n, 'a');
        std::string typo = name;
        typo[n / 2] = 'b';
        CHECK(mgrad::edit_distance(name, typo) == 1);
        CHECK(mgrad::nearest_name(typo, {name, "b"}) == name);
    }
    // Through the session: "undefined name … did you mean", never "out of memory".
    std::ostringstream out, err;
    mgrad::StreamOutput sink{out, err};
    mgrad::Session session{sink};
    const std::string name(100'000, 'a');
    std::string typo = name;
    typo.back() = 'b';
    CHECK_FALSE(session.run("<test>", name + " = 1\n" + typo));
    CHECK(err.str().find("undefined name") != std::string::npos);
    CHECK(err.str().find("did you mean") != std::string::npos);
}

TEST_CASE("suggestions: edit distance and the nearest name") {
    CHECK(mgrad::edit_distance("tahn", "tanh") == 1);
    CHECK(mgrad::edit_distance("", "abc") == 3);
    CHECK(mgrad::edit_distance("kitten", "sitting") == 3);
    const std::vector<std::string> names{"tanh", "exp", "log", "sigmoid"};
    CHECK(mgrad::nearest_name("tahn", names) == "tanh");
    CHECK(mgrad::nearest_name("sigmod", names) == "sigmoid");
    CHECK_FALSE(mgrad::nearest_name("zzzzzz", names));
    CHECK(mgrad::did_you_mean("lg", names) == "; did you mean 'log'?");
}
