// Pictures in memory: in a front end whose Output shows pictures (a notebook), `:draw NAME`,
// `:plot`, `:trace NAME frames` and `:minimize … plot` draw without a file; elsewhere they ask
// for one, as before.
#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

#include <mgrad/commands/commands.hpp>
#include <mgrad/language/session.hpp>
#include "engines.hpp"

namespace {

struct Notebook : mgrad::Output {
    std::vector<std::string> events;  // "text: …" or "picture svg: caption"
    std::vector<mgrad::Picture> pictures;
    std::vector<std::string> errors;

    void text(std::string_view t) override { events.push_back("text: " + std::string(t)); }
    void diagnostic(mgrad::Severity, std::string_view f) override { errors.emplace_back(f); }
    [[nodiscard]] bool shows_pictures() const override { return true; }
    void picture(const mgrad::Picture& p) override {
        events.push_back("picture " + p.format + ": " + p.caption);
        pictures.push_back(p);
    }
};

constexpr const char* lecture = "a = 2; b = -3; c = 10; f = -2\nL = (a*b + c) * f\n:backward L\n";

bool starts_with(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

TEST_CASE(":draw NAME without a file is an SVG picture; format=png a PNG") {
    Notebook out;
    mgrad::Session session(out);
    mgrad::add_standard_commands(session);
    REQUIRE(session.run("<cell>", std::string(lecture) + ":draw L\n:draw L shade format=png"));
    REQUIRE(out.pictures.size() == 2);
    CHECK(out.pictures[0].format == "svg");
    CHECK(out.pictures[0].caption == "L");
    CHECK(out.pictures[0].data.find("data &#45;8.0000") != std::string::npos);
    CHECK(out.pictures[1].format == "png");
    CHECK(starts_with(out.pictures[1].data, "\x89PNG"));
    CHECK_FALSE(session.run("<cell>", ":draw L format=pdf"));
    REQUIRE(out.errors.size() == 1);
    CHECK(out.errors[0].find("a picture shown here is svg or png") != std::string::npos);
}

TEST_CASE(":trace NAME frames: each update's line, then its frame" * MGRAD_NEEDS_LAYOUT) {
    Notebook out;
    mgrad::Session session(out);
    mgrad::add_standard_commands(session);
    REQUIRE(session.run("<cell>", "a = 2; b = -3; L = a * b\n:trace L frames"));
    REQUIRE(out.events.size() == 6);
    CHECK(out.events[0] == "text: L.grad = 1\n");
    CHECK(out.events[1] == "picture svg: L.grad = 1");
    CHECK(out.events[2] == "text: a.grad += b.data * L.grad = -3 * 1 = -3\n");
    CHECK(out.events[3] == "picture svg: a.grad += b.data * L.grad = -3 * 1 = -3");
    // The frame shows the gradient just updated.
    CHECK(out.pictures[1].data.find("grad &#45;3.0000") != std::string::npos);
    CHECK(session.graph().grad(*session.lookup("b")) == 2.0);  // as after :backward L
}

TEST_CASE(":plot without a file and :minimize … plot are PNG charts" * MGRAD_NEEDS_PLOTS) {
    Notebook out;
    mgrad::Session session(out);
    mgrad::add_standard_commands(session);
    REQUIRE(session.run("<cell>",
                        ":plot 3*x**2 - 4*x + 5 x=-2..3\n"
                        "x = 3; M = (x - 1)**2\n:minimize M steps=10 lr=0.1 plot"));
    REQUIRE(out.pictures.size() == 2);
    CHECK(out.pictures[0].format == "png");
    CHECK(out.pictures[0].caption == "f(x) = 3*x**2 - 4*x + 5 and its derivative");
    CHECK(starts_with(out.pictures[0].data, "\x89PNG"));
    CHECK(out.pictures[1].caption == "M during gradient descent (lr 0.1)");
    CHECK(starts_with(out.pictures[1].data, "\x89PNG"));
    CHECK(out.events.back() == "picture png: M during gradient descent (lr 0.1)");
}

TEST_CASE("without pictures the commands write or ask for a file, and :plot draws characters") {
    std::ostringstream text, err;
    mgrad::StreamOutput out(text, err);
    mgrad::Session session(out);
    mgrad::add_standard_commands(session);
    REQUIRE(session.run("<repl>", std::string(lecture)));
    // `:draw L` alone writes L.svg here (tests/golden/draw_default.mg); no picture is shown.
    CHECK_FALSE(session.run("<repl>", ":draw"));
    CHECK(err.str().find("usage: :draw NAME [FILE]") != std::string::npos);
    CHECK_FALSE(session.run("<repl>", ":minimize L plot"));
    CHECK(err.str().find("plot needs a file here: plot=FILE") != std::string::npos);
    REQUIRE(session.run("<repl>", ":plot x**2 x=-1..1"));
    CHECK(text.str().find("* f(x) = x**2") != std::string::npos);
}
