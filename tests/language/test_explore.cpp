// The gradient lab: grad(f, x) in the language against closed forms, and the commands'
// effects on a session (what they change, what they leave alone, Ctrl-C).
#include <doctest/doctest.h>

#include <cmath>
#include <csignal>
#include <sstream>
#include <string>
#include <vector>

#include <mgrad/commands/commands.hpp>
#include <mgrad/language/session.hpp>
#include <mgrad/render/render.hpp>

#include "session_fixture.hpp"

namespace {

using Lab = mgrad_test::SessionFixture;

}  // namespace

TEST_CASE("grad(f, x) in the language: x³ → 3x² → 6x → 6 at several points") {
    Lab lab;
    REQUIRE(lab.run("x = 1; f = x**3; d1 = grad(f, x); d2 = grad(d1, x); d3 = grad(d2, x)"));
    for (double x : {-2.5, -1.0, 0.0, 0.3, 1.5, 4.0}) {
        REQUIRE(lab.run("x.data = " + std::to_string(x)));
        CHECK(lab.data("d1") == doctest::Approx(3 * x * x).epsilon(1e-15));
        CHECK(lab.data("d2") == doctest::Approx(6 * x).epsilon(1e-15));
        CHECK(lab.data("d3") == 6.0);
    }
}

TEST_CASE("grad(grad(tanh x, x), x) = -2 tanh x (1 - tanh² x)") {
    Lab lab;
    REQUIRE(lab.run("x = 0; h = grad(grad(tanh(x), x), x)"));
    for (double x : {-3.0, -0.7, 0.0, 0.2, 0.7, 2.0}) {
        REQUIRE(lab.run("x.data = " + std::to_string(x)));
        const double t = std::tanh(x);
        CHECK(lab.data("h") == doctest::Approx(-2 * t * (1 - t * t)).epsilon(1e-14));
    }
}

TEST_CASE("mixed partials of u²v + exp(uv) agree with the closed form in both orders") {
    Lab lab;
    REQUIRE(
        lab.run("u = 0; v = 0; g = u**2 * v + exp(u*v)\n"
                "guv = grad(grad(g, u), v); gvu = grad(grad(g, v), u)\n"
                "guu = grad(grad(g, u), u); gvv = grad(grad(g, v), v)"));
    for (auto [u, v] : {std::pair{0.3, -1.2}, {1.0, 2.0}, {-0.5, 0.25}}) {
        REQUIRE(lab.run("u.data = " + std::to_string(u) + "; v.data = " + std::to_string(v)));
        const double e = std::exp(u * v);
        CHECK(lab.data("guv") == doctest::Approx(2 * u + e * (1 + u * v)).epsilon(1e-14));
        CHECK(lab.data("gvu") == doctest::Approx(2 * u + e * (1 + u * v)).epsilon(1e-14));
        CHECK(lab.data("guu") == doctest::Approx(2 * v + v * v * e).epsilon(1e-14));
        CHECK(lab.data("gvv") == doctest::Approx(u * u * e).epsilon(1e-14));
    }
}

TEST_CASE(":check passes on correct gradients, fails on a kink, and changes nothing") {
    Lab lab;
    REQUIRE(lab.run("a = 2; b = -3; L = tanh(a*b) + a/b; :backward a"));
    const double grad_b = lab.grad("b");
    CHECK(lab.run(":check L"));
    CHECK(lab.out.str().find("FAIL") == std::string::npos);
    CHECK(lab.grad("b") == grad_b);  // still the gradients of :backward a
    CHECK(lab.data("a") == 2.0);
    CHECK_FALSE(lab.run("x = 0; y = relu(x); :check y"));
    CHECK(lab.out.str().find("FAIL") != std::string::npos);
}

TEST_CASE(":set recomputes downstream; :nudge puts the leaf back") {
    Lab lab;
    REQUIRE(lab.run("a = 2; b = -3; L = a*b + 1"));
    REQUIRE(lab.run(":set a 3"));
    CHECK(lab.data("L") == -8.0);
    REQUIRE(lab.run(":nudge a 0.5 L"));
    CHECK(lab.data("a") == 3.0);
    CHECK(lab.data("L") == -8.0);
    CHECK(lab.out.str().find("L: -8 → -9.5") != std::string::npos);
}

TEST_CASE(":step moves each leaf against its gradient; :minimize reaches the minimum") {
    Lab lab;
    REQUIRE(lab.run("x = 3; y = -1; L = (x - 1)**2 + 2*(y + 0.5)**2"));
    REQUIRE(lab.run(":step L 0.1"));
    CHECK(lab.data("x") == 3 - 0.1 * 4);
    CHECK(lab.data("y") == -1 - 0.1 * -2);
    REQUIRE(lab.run(":minimize L x steps=200 lr=0.1"));
    CHECK(lab.data("x") == doctest::Approx(1.0).epsilon(1e-12));
    CHECK(lab.data("y") == -0.8);  // not among the leaves named
}

TEST_CASE(":minimize stops at Ctrl-C after the current step and the session goes on") {
    Lab lab;
    volatile std::sig_atomic_t flag = 0;
    lab.session.set_interrupt_flag(&flag);
    REQUIRE(lab.run("x = 3; L = x**2"));
    // run() itself stops before a statement when the flag is up, so the handler is called
    // directly, as if Ctrl-C came during the loop.
    flag = 1;
    const mgrad::Command* minimize = lab.session.find_command("minimize");
    REQUIRE(minimize);
    const std::vector<mgrad::Word> words{{"L", {}}, {"steps=1000000", {}}, {"lr=0.1", {}}};
    CHECK_THROWS_WITH_AS(
        minimize->handler(lab.session, mgrad::check_args(lab.session, *minimize, words), lab.sink),
        "interrupted after 0 of 1000000 steps (the leaves keep the values "
        "reached)",
        mgrad::Error);
    CHECK(lab.data("x") == 3.0);
    flag = 0;
    CHECK(lab.run(":minimize L steps=3 lr=0.25"));
    CHECK(lab.data("x") == 3.0 * 0.5 * 0.5 * 0.5);
}

TEST_CASE(":trace leaves the gradients of :backward and prints one line per update") {
    Lab lab, ref;
    const std::string_view script = "a = 2; b = a*a + a; c = exp(b) / a";
    REQUIRE(lab.run(script));
    REQUIRE(ref.run(script));
    REQUIRE(lab.run(":trace c"));
    REQUIRE(ref.run(":backward c"));
    for (const char* n : {"a", "b", "c"})
        CHECK(lab.grad(n) == ref.grad(n));
    CHECK(lab.out.str().find("a.grad += a.data * #1.grad = 2 * 201.71439674636756 = "
                             "403.4287934927351  (now 504.2859918659189)") != std::string::npos);
}

TEST_CASE("torch_script rebuilds the graph with every op it uses") {
    Lab lab;
    REQUIRE(lab.run("a = 2; b = a**3 - sigmoid(a) + pow(a, a); L = b / 2"));
    const std::string py = mgrad::torch_script(lab.session, *lab.session.lookup("L"));
    CHECK(py.find("** float(\"3\")") != std::string::npos);
    CHECK(py.find("torch.sigmoid(n0)") != std::string::npos);
    CHECK(py.find("torch.pow(n0, n0)") != std::string::npos);
    CHECK(py.find("(\"L\", n") != std::string::npos);
}

TEST_CASE("DrawOptions::highlight colours exactly one value") {
    Lab lab;
    REQUIRE(lab.run("a = 2; b = 3; c = a*b"));
    mgrad::DrawOptions options;
    options.highlight = *lab.session.lookup("b");
    options.legend = false;  // the legend shows the colour too
    const std::string dot = mgrad::to_dot(lab.session.graph(), *lab.session.lookup("c"), options);
    std::size_t count = 0;
    for (std::size_t at = dot.find("#FBCFE8"); at != std::string::npos;
         at = dot.find("#FBCFE8", at + 1))
        ++count;
    CHECK(count == 1);
    CHECK(mgrad::to_dot(lab.session.graph(), *lab.session.lookup("c")).find("#FBCFE8") ==
          std::string::npos);
}
