// The option-word parser shared by :draw and :minimize (mgrad/support/options.hpp).
#include <doctest/doctest.h>

#include <array>
#include <string>

#include <mgrad/support/options.hpp>

namespace {

constexpr std::array<mgrad::OptionSpec, 4> specs{{
    {"tb", false, "top to bottom"},
    {"depth", true, "depth=N   how deep"},
    {"plot", true, "plot=FILE  where", "FILE"},
    {"secret", false, ""},
}};

std::string error_of(const mgrad::OptionParser& p, std::string_view word) {
    try {
        (void)p.read(word);
    } catch (const mgrad::Error& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST_CASE("options: flags and key=value words, keys in any case") {
    const mgrad::OptionParser p("test option", specs);
    auto o = p.read("tb");
    REQUIRE(o);
    CHECK(o->spec->key == "tb");
    CHECK(o->value.empty());
    o = p.read("DEPTH=3");
    REQUIRE(o);
    CHECK(o->spec->key == "depth");
    CHECK(o->value == "3");
    o = p.read("plot=a=b.png");  // the first '=' splits
    REQUIRE(o);
    CHECK(o->value == "a=b.png");
    CHECK(p.read("secret"));  // accepted though not listed
    CHECK(p.list() == "tb depth=N plot=FILE");
    CHECK(p.help() ==
          "  tb              top to bottom\n  depth=N   how deep\n  plot=FILE  where\n");
}

TEST_CASE("options: what is wrong with a word, and where") {
    const mgrad::OptionParser p("test option", specs);
    CHECK(error_of(p, "dpeth=2") ==
          "unknown test option 'dpeth=2' (did you mean 'depth='?); options: tb depth=N plot=FILE");
    CHECK(error_of(p, "zzzzzz") == "unknown test option 'zzzzzz'; options: tb depth=N plot=FILE");
    CHECK(error_of(p, "depth") == "test option 'depth' needs a value: depth=…");
    CHECK(error_of(p, "tb=1") == "test option 'tb' takes no value");
    const mgrad::SourceSpan at{10, 4, 2, 5};
    try {
        (void)p.read("nope", at);
        FAIL("no error");
    } catch (const mgrad::Error& e) {
        REQUIRE(e.span());
        CHECK(e.span()->offset == 10);
        CHECK(e.span()->column == 5);
    }
}

TEST_CASE("options: positional words are left to the caller") {
    const mgrad::OptionParser p("test option", specs, true);
    CHECK_FALSE(p.read("x"));
    CHECK(p.read("tb"));
    CHECK(error_of(p, "x=1").starts_with("unknown test option 'x=1'"));
}

TEST_CASE("options: whole numbers in a range") {
    const mgrad::OptionParser p("test option", specs);
    auto number = [&](std::string_view word) {
        return mgrad::whole_number(*p.read(word), word, "test option", 1, 100);
    };
    CHECK(number("depth=1") == 1);
    CHECK(number("depth=100") == 100);
    for (std::string_view bad : {"depth=0", "depth=101", "depth=-1", "depth=x",
                                 "depth=", "depth=1e2", "depth=18446744073709551616", "depth= 5"}) {
        CAPTURE(bad);
        CHECK_THROWS_WITH_AS(number(bad), doctest::Contains("takes a whole number from 1 to 100"),
                             mgrad::Error);
    }
}
