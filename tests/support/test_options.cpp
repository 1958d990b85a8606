// The option-word parser shared by :draw and :minimize (mgrad/support/options.hpp).
#include <doctest/doctest.h>

#include <array>
#include <string>
#include <vector>

#include <mgrad/support/options.hpp>

namespace {

constexpr std::array<std::string_view, 2> extensions{"png", "svg"};
constexpr std::array<std::string_view, 2> colours{"red", "blue"};
constexpr std::array<mgrad::OptionSpec, 7> specs{{
    {.key = "tb", .help = "top to bottom"},
    {.key = "depth", .kind = mgrad::ValueKind::Whole, .help = "how deep", .low = 1, .high = 100},
    {.key = "plot",
     .kind = mgrad::ValueKind::File,
     .help = "where",
     .value_name = "FILE",
     .choices = extensions,
     .what = "plot to"},
    {.key = "lr", .kind = mgrad::ValueKind::Number, .help = "rate", .value_name = "X"},
    {.key = "colour",
     .kind = mgrad::ValueKind::Choice,
     .help = "ink",
     .value_name = "C",
     .choices = colours},
    {.key = "secret"},
    {.key = "see",
     .kind = mgrad::ValueKind::File,
     .help = "look",
     .value_name = "FILE",
     .value_optional = true},
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
    CHECK(o->number == 3);
    o = p.read("plot=a=b.png");  // the first '=' splits
    REQUIRE(o);
    CHECK(o->value == "a=b.png");
    CHECK(p.read("secret"));  // accepted though not listed
    o = p.read("see");        // a value that may be left out
    REQUIRE(o);
    CHECK_FALSE(o->has_value);
    CHECK(p.read("colour=BLUE"));
    CHECK(p.list() == "tb depth=N plot=FILE lr=X colour=C see=FILE");
    CHECK(p.help() ==
          "  tb              top to bottom\n  depth=N         how deep\n"
          "  plot=FILE       where\n  lr=X            rate\n  colour=C        ink\n"
          "  see=FILE        look\n");
}

TEST_CASE("options: what is wrong with a word, and where") {
    const mgrad::OptionParser p("test option", specs);
    const std::string all = "; options: tb depth=N plot=FILE lr=X colour=C see=FILE";
    CHECK(error_of(p, "dpeth=2") == "unknown test option 'dpeth=2' (did you mean 'depth='?)" + all);
    CHECK(error_of(p, "zzzzzz") == "unknown test option 'zzzzzz'" + all);
    CHECK(error_of(p, "depth") == "test option 'depth' needs a value: depth=…");
    CHECK(error_of(p, "tb=1") == "test option 'tb' takes no value");
    // Values are checked against their kind.
    CHECK(error_of(p, "depth=0") ==
          "bad test option 'depth=0': depth takes a whole number from 1 to 100");
    CHECK(error_of(p, "plot=x.bmp") == "cannot plot to 'x.bmp': use .png or .svg");
    CHECK(error_of(p, "plot=") == "plot= needs a file name");
    CHECK(error_of(p, "lr=") == "lr needs a number");
    CHECK(error_of(p, "lr=x") == "expected a number, not 'x'");
    CHECK(error_of(p, "lr=1e999") == "lr must be a finite number, not '1e999'");
    CHECK(error_of(p, "colour=rde") ==
          "unknown colour 'rde' (did you mean 'red'?); supported: red, blue");
    const mgrad::SourceSpan at{10, 4, 2, 5};
    try {
        (void)p.read("nope", at);
        FAIL("no error");
    } catch (const mgrad::Error& e) {
        REQUIRE(e.span());
        CHECK(e.span()->offset == 10);
        CHECK(e.span()->column == 5);
        REQUIRE(e.detail());
        CHECK(e.detail()->argument == "nope");
    }
    // A bad number is shown under the value, and the error says what was expected, as data.
    try {
        (void)p.read("lr=x", mgrad::SourceSpan{10, 4, 2, 5});
        FAIL("no error");
    } catch (const mgrad::Error& e) {
        REQUIRE(e.span());
        CHECK(e.span()->column == 8);
        CHECK(e.span()->length == 1);
        REQUIRE(e.detail());
        CHECK(e.detail()->argument == "lr");
        CHECK(e.detail()->expected == "a finite number");
    }
    try {
        (void)p.read("colour=bleu");
        FAIL("no error");
    } catch (const mgrad::Error& e) {
        REQUIRE(e.detail());
        CHECK(e.detail()->suggestions == std::vector<std::string>{"blue"});
        CHECK(e.detail()->expected == "one of red, blue");
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
