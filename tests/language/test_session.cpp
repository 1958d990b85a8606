// Sessions: bindings and versions, errors that keep state, commands as an extension point.
#include <doctest/doctest.h>

#include <cmath>
#include <sstream>
#include <string>

#include <mgrad/commands/commands.hpp>
#include <mgrad/language/session.hpp>
#include <mgrad/support/number.hpp>

#include "session_fixture.hpp"

namespace {

using Fixture = mgrad_test::SessionFixture;

}  // namespace

TEST_CASE("number printing matches Python's repr, without .0 on whole numbers") {
    using mgrad::format_number;
    CHECK(format_number(0.1) == "0.1");
    CHECK(format_number(-20.0) == "-20");
    CHECK(format_number(0.1 + 0.2) == "0.30000000000000004");
    CHECK(format_number(1e-5) == "1e-05");
    CHECK(format_number(0.0001) == "0.0001");
    CHECK(format_number(1e16) == "1e+16");
    CHECK(format_number(1e15) == "1000000000000000");
    CHECK(format_number(123456789012345678.0) == "1.2345678901234568e+17");
    CHECK(format_number(5e-324) == "5e-324");
    CHECK(format_number(1.7976931348623157e308) == "1.7976931348623157e+308");
    CHECK(format_number(-0.0) == "-0");
    CHECK(format_number(INFINITY) == "inf");
    CHECK(format_number(-INFINITY) == "-inf");
    CHECK(format_number(NAN) == "nan");
    CHECK(format_number(1.0 / 3) == "0.3333333333333333");
    CHECK(format_number(24.70408163265306) == "24.70408163265306");
}

TEST_CASE("session: the lecture's L = (a*b + c) * f") {
    Fixture f;
    REQUIRE(
        f.run("a = 2.0; b = -3.0; c = 10.0; e = a*b; d = e + c; f = -2.0; L = d * f\n"
              ":backward L"));
    CHECK(f.data("L") == -8.0);
    // dL/da = f*b, dL/db = f*a, dL/dc = f, dL/df = d: computed here, not copied.
    const double a = 2, b = -3, c = 10, fv = -2;
    CHECK(f.grad("a") == fv * b);
    CHECK(f.grad("b") == fv * a);
    CHECK(f.grad("c") == fv);
    CHECK(f.grad("f") == a * b + c);
    CHECK(f.grad("L") == 1.0);
    CHECK(f.session.graph().op(*f.session.lookup("a")) == mgrad::Op::Leaf);
    CHECK(f.session.graph().label(*f.session.lookup("e")) == "e");
}

TEST_CASE("session: the tanh neuron, and the same with exp and division") {
    Fixture f;
    REQUIRE(
        f.run("x1 = 2; x2 = 0; w1 = -3; w2 = 1; b = 6.8813735870195432\n"
              "n = x1*w1 + x2*w2 + b; o = tanh(n); :backward o\n"));
    // volatile: computed at run time by the same libm, not folded by the compiler (whose
    // correctly rounded tanh can differ from libm's in the last bit).
    volatile double bias = 6.8813735870195432;
    const double n = 2.0 * -3.0 + 0.0 * 1.0 + bias;
    volatile double n_runtime = n;
    const double o = std::tanh(n_runtime);
    CHECK(f.data("o") == o);
    CHECK(f.grad("n") == 1 - o * o);
    CHECK(f.grad("w1") == doctest::Approx(2.0 * (1 - o * o)));
    REQUIRE(f.run("e = exp(2*n); o = (e - 1) / (e + 1); :backward o"));
    CHECK(f.data("o") == doctest::Approx(o).epsilon(1e-15));
    CHECK(f.grad("n") == doctest::Approx(1 - o * o).epsilon(1e-12));
    CHECK(f.grad("x1") == doctest::Approx(-3.0 * (1 - o * o)).epsilon(1e-12));
}

TEST_CASE("session: rebinding makes versions c, c#2, c#3 and keeps the old nodes") {
    Fixture f;
    REQUIRE(f.run("c = 1; old = c; c = c + 1; c += c + 1"));
    const auto& g = f.session.graph();
    const mgrad::NodeId c3 = *f.session.lookup("c");
    CHECK(g.label(c3) == "c#3");
    CHECK(f.data("c") == 2.0 + (2.0 + 1.0));
    CHECK(g.label(*f.session.lookup("old")) == "c");  // an alias shares the node
    // c#3 = c#2 + (c#2 + 1): its parents are c#2 and an unnamed node.
    const auto parents = g.parents(c3);
    CHECK(g.label(parents[0]) == "c#2");
    CHECK(g.label(g.parents(parents[0])[0]) == "c");
}

TEST_CASE("session: an error never loses earlier bindings, and leaves the graph untouched") {
    Fixture f;
    CHECK(f.run("a = 2; b = a * 3"));
    const auto size = f.session.graph().size();
    CHECK_FALSE(f.run("c = a * nope + 1"));
    CHECK(f.take_err().find("undefined name 'nope'") != std::string::npos);
    CHECK(f.session.graph().size() == size);  // checked before any node was made
    CHECK(f.data("b") == 6.0);
    CHECK_FALSE(f.session.lookup("c"));
    CHECK(f.session.error_count() == 1);

    CHECK_FALSE(f.run("x = 1; tahn(x); y = 2"));
    CHECK(f.take_err().find("did you mean 'tanh'?") != std::string::npos);
    CHECK(f.session.lookup("x"));
    CHECK_FALSE(f.session.lookup("y"));  // the first error stops the text

    f.session.options().keep_going = true;
    CHECK_FALSE(f.run("p = 1; q = nope; r = 2"));
    CHECK(f.session.lookup("r"));

    // After a syntax error, parsing resumes on the next line: one error each, no cascade.
    const auto errors = f.session.error_count();
    CHECK_FALSE(f.run("$ = 1\ns = 2\nt = (1 $ 2)\nu = s.\nv = 3"));
    CHECK(f.session.error_count() == errors + 3);
    CHECK(f.session.lookup("s"));
    CHECK(f.session.lookup("v"));
}

TEST_CASE("session: runtime warnings name the node and its line") {
    Fixture f;
    CHECK(f.run("a = 1\nzero = 0\nq = a / zero\n"));
    const std::string err = f.take_err();
    CHECK(err.find("<test>:3:5: warning: division by zero: 1 / 0 = inf (in node 'q')") !=
          std::string::npos);
    CHECK(std::isinf(f.data("q")));
    CHECK(f.run("r = log(-a)"));
    CHECK(f.take_err().find("log of a non-positive number: log(-1) = nan") != std::string::npos);
    CHECK(std::isnan(f.data("r")));
}

TEST_CASE("session: commands are an extension point") {
    Fixture f;
    std::vector<std::string> seen;
    f.session.add_command(
        {"shout", ":shout WORD…", "print the words in capitals", "",
         [&seen](mgrad::Session& s, std::span<const mgrad::Word> words, mgrad::Output& out) {
             for (const auto& w : words) {
                 if (w.text == "bad") throw mgrad::Error("no!", w.span);
                 seen.push_back(w.text);
             }
             out.text(s.lookup("a") ? "a is bound\n" : "a is not bound\n");
         }});
    CHECK(f.run("a = 1\n:shout x \"y z\""));
    CHECK(seen == std::vector<std::string>{"x", "y z"});
    CHECK(f.take_out() == "a is bound\n");
    CHECK_FALSE(f.run(":shout ok bad"));
    CHECK(f.take_err() == "<test>:1:11: error: no!\n:shout ok bad\n          ^~~\n");
    CHECK(f.run(":help"));
    CHECK(f.take_out().find(":shout WORD…") != std::string::npos);
    CHECK_FALSE(f.run(":shuot"));
    CHECK(f.take_err().find("did you mean ':shout'?") != std::string::npos);
    CHECK(f.session.completions(":sh") == std::vector<std::string>{":shout"});
    CHECK(f.session.completions("ta") == std::vector<std::string>{"tan", "tanh"});

    // The front end's --draw goes through run_command, and reports like a typed command.
    CHECK_FALSE(f.session.run_command("draw", {}));
    CHECK(f.take_err().find("usage: :draw NAME [FILE]") != std::string::npos);
    CHECK_FALSE(f.session.run_command("drow", {"a"}));
    CHECK(f.take_err().find("unknown command ':drow'") != std::string::npos);
}

TEST_CASE("session: run_command hands its words over as they are, never as script text") {
    Fixture f;
    std::vector<std::string> seen;
    f.session.add_command(
        {"keep", ":keep WORD…", "remember the words", "",
         [&seen](mgrad::Session&, std::span<const mgrad::Word> words, mgrad::Output&) {
             for (const auto& w : words)
                 seen.push_back(w.text);
         },
         true});
    // Characters that end a command or start a comment or a string in a script are just
    // characters of the word.
    const std::vector<std::string> words{"a;b.mg",      "#not a comment", "\"quoted\"",
                                         "back\\slash", "two words",      ""};
    CHECK(f.session.run_command("keep", words));
    CHECK(seen == words);
    CHECK(f.take_err().empty());
    // What :save writes reads back as the same words.
    seen.clear();
    const std::string saved(f.session.transcript().text);
    CHECK(f.run(saved));
    CHECK(seen == words);

    // A newline cannot smuggle in another statement: the command is refused, nothing runs.
    seen.clear();
    CHECK(f.run("L = 2"));
    CHECK_FALSE(f.session.run_command("keep", {"x.svg\n:keep injected\n#"}));
    CHECK(seen.empty());
    CHECK(f.take_err() ==
          "<command line>:1:7: error: a command word cannot hold the control character U+000A\n"
          ":keep \"x.svg\\x0a:keep injected\\x0a#\"\n"
          "      ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n");
    CHECK_FALSE(f.session.run_command("keep", {std::string("a\0b", 3)}));
    CHECK(seen.empty());

    // In a script, a quoted `;` belongs to the word too.
    CHECK(f.run(":keep \"x;y\" z; :keep w"));
    CHECK(seen == std::vector<std::string>{"x;y", "z", "w"});
}

TEST_CASE("session: functions can be added to the language") {
    Fixture f;
    f.session.add_function({"twice", 1, "twice(x)", "2 * x",
                            [](mgrad::Session& s, std::span<const mgrad::Operand> args,
                               mgrad::SourceSpan) -> mgrad::Operand {
                                auto& g = s.graph();
                                const auto x = std::get<mgrad::NodeId>(args[0]);
                                return g.binary(mgrad::Op::Add, x, x);
                            }});
    CHECK(f.run("a = 3; b = twice(a); :backward b"));
    CHECK(f.data("b") == 6.0);
    CHECK(f.grad("a") == 2.0);
    CHECK_FALSE(f.run("twice(a, a)"));
    CHECK(f.take_err().find("twice() takes 1 argument, not 2") != std::string::npos);
}

TEST_CASE("session: x.data = v changes a leaf and recomputes downstream") {
    Fixture f;
    CHECK(f.run("a = 2; b = a * a; a.data = 5"));
    CHECK(f.data("b") == 25.0);
    CHECK_FALSE(f.run("b.data = 1"));
    CHECK(f.take_err().find("not a leaf") != std::string::npos);
}

TEST_CASE("session: :reset forgets everything; :quit asks to stop") {
    Fixture f;
    CHECK(f.run("a = 1; a = 2; :reset; a = 3"));
    CHECK(f.session.graph().label(*f.session.lookup("a")) == "a");
    CHECK(f.session.names().size() == 1);
    CHECK(f.run(":quit; b = 1"));
    CHECK(f.session.quit_requested());
    CHECK_FALSE(f.session.lookup("b"));
}

TEST_CASE("number_arg reads command arguments as number literals") {
    auto word = [](std::string text) { return mgrad::Word{std::move(text), {6, 1, 1, 7}}; };
    CHECK(mgrad::number_arg(word("0.1")) == 0.1);
    CHECK(mgrad::number_arg(word("-2.5e-3")) == -2.5e-3);
    CHECK(mgrad::number_arg(word("+.5")) == 0.5);
    CHECK_THROWS_WITH_AS((void)mgrad::number_arg(word("abc")), "expected a number, not 'abc'",
                         mgrad::Error);
    CHECK_THROWS_WITH_AS((void)mgrad::number_arg(word("1 2")), "expected a number, not '1 2'",
                         mgrad::Error);
    try {
        (void)mgrad::number_arg(word("1e999"));
        FAIL("1e999 must be out of range");
    } catch (const mgrad::Error& e) {
        CHECK(std::string(e.what()).find("out of range") != std::string::npos);
        REQUIRE(e.span());
        CHECK(e.span()->column == 7);  // the word's place, not the lexer's
    }
}

TEST_CASE(
    "session: backward after backward zeroes what the last one set, and all after other writes") {
    // Two sessions run the same statements; one backpropagates with Session::backward (which
    // zeroes only what it set before), the other with zero_grad() and Graph::backward. Every
    // gradient must agree after each step, also when gradients were written directly between.
    Fixture a, b;
    const char* lines[] = {"x = 0.5; y = -1.5", "u = tanh(x*y) + x", "v = y ** 2 - u / 3",
                           "w = exp(v) * u",    "z = 2.0",           "t = z * z + 1",
                           "s = w + t * x",     "x = 1.25",          "r = x * s"};
    const char* roots[] = {"u", "t", "w", "t", "s", "y", "r", "u", "r", "z"};
    std::size_t step = 0;
    for (const char* line : lines) {
        REQUIRE(a.run(line));
        REQUIRE(b.run(line));
        for (int k = 0; k < 2; ++k, ++step) {
            const char* root = roots[step % std::size(roots)];
            if (!a.session.lookup(root)) root = "x";
            if (step % 3 == 2) a.session.graph().set_grad(a.session.graph().size() - 1, 7.0);
            a.session.backward(*a.session.lookup(root));
            auto& gb = b.session.graph();
            gb.zero_grad();
            gb.backward(*b.session.lookup(root));
            const auto& ga = a.session.graph();
            REQUIRE(ga.size() == gb.size());
            for (mgrad::NodeId id = 0; id < ga.size(); ++id) {
                CAPTURE(step);
                CAPTURE(id);
                CHECK(ga.grad(id) == gb.grad(id));
            }
        }
    }
}

TEST_CASE("session: long tables page where the output pages, and :more goes on") {
    Fixture f;
    f.sink.set_page_rows(2);
    REQUIRE(f.run("a = 1; b = 2; c = a*b; d = c + a; e = d*d"));
    (void)f.take_out();
    REQUIRE(f.run(":grad"));
    CHECK(f.take_out() ==
          "node  data  grad\n"
          "a        1     0\n"
          "b        2     0\n"
          "(2 of 5 rows; :more shows the next 2)\n");
    REQUIRE(f.run(":more"));
    CHECK(f.take_out() ==
          "node  data  grad\n"
          "c        2     0\n"
          "d        3     0\n"
          "(4 of 5 rows; :more shows the next 1)\n");
    // Rows are made when shown: a gradient set meanwhile by the library shows its new value.
    f.session.graph().set_grad(*f.session.lookup("e"), 7);
    REQUIRE(f.run(":more"));
    CHECK(f.take_out() == "node  data  grad\ne        9     7\n");
    CHECK_FALSE(f.run(":more"));  // the table is done
    CHECK(f.take_err().find("nothing more to show") != std::string::npos);

    // Any other statement drops the rest of the table.
    REQUIRE(f.run(":vars"));
    CHECK(f.take_out().find("(2 of 5 rows; :more shows the next 2)") != std::string::npos);
    REQUIRE(f.run("x = 3"));
    CHECK_FALSE(f.run(":more"));
    (void)f.take_err();
    REQUIRE(f.run(":grad e"));
    CHECK(f.take_out().find("(2 of 5 rows") != std::string::npos);
    REQUIRE(f.run(":reset"));
    CHECK_FALSE(f.run(":more"));

    // Without paging (a script, a pipe) every row comes at once.
    f.sink.set_page_rows(0);
    (void)f.take_out();
    REQUIRE(f.run("a = 1; b = 2; c = a*b; :grad"));
    CHECK(f.take_out() ==
          "node  data  grad\na        1     0\nb        2     0\nc        2     0\n");
}
