// Command specs (mgrad/language/command_spec.hpp): words checked by their kind wherever the
// options stand, errors with their parts as data, and completion that offers exactly the words
// the spec allows — held against the checks themselves for every command.
#include <doctest/doctest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <mgrad/commands/commands.hpp>
#include <mgrad/language/session.hpp>

#include "engines.hpp"
#include "test_support.hpp"

namespace {

/// Keeps the Diagnostics' details, as a front end that acts on them would.
class DetailOutput final : public mgrad::Output {
  public:
    void text(std::string_view t) override { out += t; }
    void diagnostic(mgrad::Severity, std::string_view formatted) override { err += formatted; }
    void report(const mgrad::Diagnostic& d) override {
        err += std::string(d.message) + "\n";
        column = d.span ? d.span->column : 0;
        detail = d.detail ? std::optional<mgrad::ErrorDetail>(*d.detail) : std::nullopt;
    }
    std::string out, err;
    std::uint32_t column = 0;
    std::optional<mgrad::ErrorDetail> detail;
};

struct Lab {
    DetailOutput sink;
    mgrad::Session session{sink};
    bool with_commands = (mgrad::add_standard_commands(session), true);
    bool run(std::string_view text) {
        sink.err.clear();
        return session.run("<test>", text);
    }
    std::vector<std::string> complete(std::string_view text) {
        std::vector<std::string> out;
        for (const auto& c : session.complete(text).candidates)
            out.push_back(c.text);
        return out;
    }
};

/// Runs the body in `dir` as the working directory.
struct InDirectory {
    std::filesystem::path old = std::filesystem::current_path();
    explicit InDirectory(const std::filesystem::path& dir) { std::filesystem::current_path(dir); }
    InDirectory(const InDirectory&) = delete;
    InDirectory& operator=(const InDirectory&) = delete;
    ~InDirectory() { std::filesystem::current_path(old); }
};

bool contains(const std::vector<std::string>& words, std::string_view w) {
    return std::find(words.begin(), words.end(), w) != words.end();
}

}  // namespace

TEST_CASE("command specs: options may come before or after a file name") {
    mgrad_test::TempDir dir;
    InDirectory here(dir.path);
    Lab lab;
    REQUIRE(lab.run("a = 2; b = -3; L = a*b"));
    // SVG where pictures are laid out, DOT text in the core alone (no layout engine there).
    const bool svg = mgrad_test::have_layout();
    CHECK(lab.run(svg ? ":draw L decimals=2 before.svg" : ":draw L decimals=2 before.dot"));
    CHECK(lab.sink.err.empty());
    const std::string before = mgrad_test::slurp(dir.path / (svg ? "before.svg" : "before.dot"));
    CHECK(before.find(svg ? "data &#45;6.00" : "-6.00") != std::string::npos);
    CHECK(before.find(svg ? "data &#45;6.000" : "-6.000") == std::string::npos);
    CHECK(lab.run(":draw L after.dot decimals=3 tb"));
    CHECK(mgrad_test::slurp(dir.path / "after.dot").find("-6.000") != std::string::npos);
    // Between the leaves of :minimize too, and lr= in place of :step's lr.
    CHECK(lab.run(":minimize L steps=2 a lr=0.1"));
    CHECK(lab.run(":step L lr=0.5 b"));
    CHECK(lab.sink.err.empty());
}

TEST_CASE("command specs: each word is checked by its kind, with a caret and the parts as data") {
    Lab lab;
    REQUIRE(lab.run("a = 2; b = -3; L = a*b"));
    CHECK_FALSE(lab.run(":nudge a x"));
    CHECK(lab.sink.err == "expected a number, not 'x'\n");
    CHECK(lab.sink.column == 10);
    REQUIRE(lab.sink.detail);
    CHECK(lab.sink.detail->argument == "h");
    CHECK(lab.sink.detail->expected == "a finite number");

    CHECK_FALSE(lab.run(":tree L 0"));
    CHECK(lab.sink.err == "DEPTH must be a whole number from 1 to 1000, not '0'\n");
    CHECK(lab.sink.detail->expected == "a whole number from 1 to 1000");

    CHECK_FALSE(lab.run(":set L 3"));  // a leaf is wanted
    CHECK(lab.sink.err.find("not a leaf") != std::string::npos);
    CHECK(lab.sink.detail->argument == "LEAF");

    CHECK_FALSE(lab.run(":grad Lx"));  // a name, with the nearest one as data
    CHECK(lab.sink.detail->suggestions == std::vector<std::string>{"L"});

    CHECK_FALSE(lab.run(":draw L dpeth=2"));
    CHECK(lab.sink.err.starts_with("unknown draw option 'dpeth=2' (did you mean 'depth='?)"));
    CHECK(lab.sink.detail->suggestions == std::vector<std::string>{"depth="});

    CHECK_FALSE(lab.run(":draw L depth=1 depth=2"));
    CHECK(lab.sink.err == "draw option 'depth' is given twice\n");
    CHECK(lab.run(":draw L cluster=a cluster=b x.dot"));  // a repeatable one
    std::filesystem::remove("x.dot");

    CHECK_FALSE(lab.run(":set a"));  // missing: under the command, and which one it is
    CHECK(lab.sink.err == "missing argument; usage: :set LEAF VALUE\n");
    CHECK(lab.sink.column == 1);
    CHECK(lab.sink.detail->argument == "VALUE");

    CHECK_FALSE(lab.run(":export numpy x.py"));
    CHECK(lab.sink.err == "unknown export format 'numpy' (the one format is 'torch')\n");
    CHECK(lab.sink.detail->suggestions == std::vector<std::string>{"torch"});
}

TEST_CASE("command specs: a drawing over the cap names the options that would help, as data") {
    Lab lab;
    REQUIRE(lab.run("a = 2; b = -3; c = 10; L = (a*b + c) * 2"));
    CHECK_FALSE(lab.run(":draw L x.svg max-nodes=2"));
    REQUIRE(lab.sink.detail);
    const auto& fixes = lab.sink.detail->fixes;
    REQUIRE(fixes.size() >= 2);
    CHECK(fixes.front().starts_with("depth="));
    CHECK(contains(fixes, "hide-constants"));
    CHECK(fixes.back().starts_with("max-nodes="));
}

TEST_CASE("command specs: the usage line and the aliases come from the spec") {
    Lab lab;
    const mgrad::Command* minimize = lab.session.find_command("minimize");
    REQUIRE(minimize);
    CHECK(minimize->usage == ":minimize NAME [LEAF…] [steps=N] [lr=X] [plot=FILE]");
    CHECK(lab.session.find_command("step")->usage == ":step NAME lr [LEAF…]");
    CHECK(lab.session.find_command("draw")->usage == ":draw NAME [FILE] [OPTIONS]");
    CHECK(lab.session.resolve_command("q").name == "quit");
    CHECK(lab.session.resolve_command("?").name == "help");
    const std::string json = mgrad::describe_commands(lab.session);
    CHECK(json.find(R"("key":"depth","kind":"whole")") != std::string::npos);
    CHECK(json.find(R"("name":"FILE","kind":"file")") != std::string::npos);
}

namespace {

/// A word that the argument takes, for building command lines.
std::string sample_word(const mgrad::ArgSpec& a) {
    using mgrad::ArgKind;
    switch (a.kind) {
        case ArgKind::Node: return "L";
        case ArgKind::Leaf: return "a";
        case ArgKind::Number: return "0.5";
        case ArgKind::Whole: return std::to_string(static_cast<long>(a.low));
        case ArgKind::Choice: return a.choices.front();
        case ArgKind::File:
            return "out." + (a.choices.empty() ? std::string("txt") : a.choices.front());
        case ArgKind::Directory: return "dir";
        case ArgKind::Topic: return "draw";
        case ArgKind::Expression: return "x";
        case ArgKind::Range: return "x=0..1";
    }
    return "L";
}

/// A completed candidate as a whole word: `depth=` with a value it takes.
std::string with_value(const mgrad::Command& c, const std::string& candidate) {
    if (!candidate.ends_with('=') || !c.spec) return candidate;
    const std::string key = candidate.substr(0, candidate.size() - 1);
    for (const mgrad::OptionSpec& o : c.spec->options) {
        if (o.key != key) continue;
        switch (o.kind) {
            case mgrad::ValueKind::Whole:
                return candidate + std::to_string(static_cast<long>(o.low));
            case mgrad::ValueKind::Number: return candidate + "0.5";
            case mgrad::ValueKind::Choice: return candidate + std::string(o.choices.front());
            case mgrad::ValueKind::File:
                return candidate + "f." +
                       (o.choices.empty() ? std::string("txt") : std::string(o.choices.front()));
            default: return candidate + "w";
        }
    }
    return candidate;
}

/// Whether the words pass the command's checks (a missing argument further on is no fault of
/// these words).
bool accepted(mgrad::Session& s, const mgrad::Command& c, const std::vector<std::string>& words) {
    std::vector<mgrad::Word> ws;
    for (const auto& w : words)
        ws.push_back(mgrad::Word{w, mgrad::SourceSpan{0, 1, 1, 1}});
    try {
        (void)mgrad::check_args(s, c, ws);
    } catch (const mgrad::Error& e) {
        return !e.span().has_value();  // missing ones have no place
    }
    return true;
}

}  // namespace

TEST_CASE("completion offers exactly the words each command's spec allows") {
    mgrad_test::TempDir dir;
    InDirectory here(dir.path);
    mgrad_test::put(dir.path / "net.json", "{}");
    mgrad_test::put(dir.path / "pic.png", "");
    mgrad_test::put(dir.path / "notes.txt", "");
    std::filesystem::create_directory(dir.path / "sub");
    Lab lab;
    REQUIRE(lab.run("a = 2; b = -3; L = a*b"));
    for (const mgrad::Command* c : lab.session.commands()) {
        REQUIRE(c->spec);
        // After the command alone, and after a word for each argument it requires.
        std::vector<std::vector<std::string>> lines{{}};
        std::vector<std::string> required;
        for (const mgrad::ArgSpec& a : c->spec->args)
            if (!a.optional && a.option.empty()) required.push_back(sample_word(a));
        lines.push_back(required);
        for (const auto& done : lines) {
            std::string line = ":" + c->name;
            for (const auto& w : done)
                line += " " + w;
            const std::vector<std::string> offered = lab.complete(line + " ");
            CAPTURE(line);
            for (const std::string& candidate : offered) {
                CAPTURE(candidate);
                std::vector<std::string> words = done;
                words.push_back(with_value(*c, candidate));
                // A directory leads to a file; every other candidate is a word the checks take.
                if (!candidate.ends_with('/')) CHECK(accepted(lab.session, *c, words));
            }
            // Every option it takes there is offered (flags alone, the others with their '=').
            for (const mgrad::OptionSpec& o : c->spec->options) {
                if (o.help.empty()) continue;
                const std::string word =
                    o.takes_value() ? std::string(o.key) + "=" : std::string(o.key);
                std::vector<std::string> words = done;
                words.push_back(with_value(*c, word));
                if (accepted(lab.session, *c, words)) CHECK(contains(offered, word));
            }
        }
    }
    // Where only options fit, no names are offered (`:draw L out.svg `), and no word of a help
    // text ever is.
    const auto options_only = lab.complete(":draw L out.svg ");
    CHECK_FALSE(contains(options_only, "a"));
    CHECK(contains(options_only, "depth="));
    for (const auto& bad : {"them", "stronger", "L"})
        CHECK_FALSE(contains(lab.complete(":draw L "), bad));
    // Files with the accepted extensions, directories, values of a set.
    CHECK(lab.complete(":draw L ") ==
          std::vector<std::string>{"cluster-modules", "cluster=", "collapse-modules",
                                   "decimals=", "depth=", "format=", "hide-constants", "lr",
                                   "max-nodes=", "net.json", "no-legend", "pic.png", "shade",
                                   "sub/", "tb"});
    CHECK(lab.complete(":model ") == std::vector<std::string>{"net.json", "sub/"});
    CHECK(lab.complete(":draw L format=s") == std::vector<std::string>{"format=svg"});
    CHECK(lab.complete(":minimize L plot=") ==
          std::vector<std::string>{"plot=pic.png", "plot=sub/"});
    CHECK(lab.complete(":set ") == std::vector<std::string>{"a", "b"});  // leaves only
    CHECK(lab.complete(":step L ") == std::vector<std::string>{"lr="});
    CHECK(lab.complete(":step L 0.1 ") == std::vector<std::string>{"a", "b"});
    CHECK(lab.complete("x = 2 * a.g") == std::vector<std::string>{"grad"});
    CHECK(lab.complete(":b") == std::vector<std::string>{":backward"});
    CHECK(lab.complete("# :draw L ").empty());  // a comment
    CHECK(lab.session.complete("y = 1; :draw L de").start == 15);
}

TEST_CASE("completion takes time in proportion to the text, and ignores a word too long") {
    Lab lab;
    REQUIRE(lab.run("a = 2"));
    const std::string word(60'000, 'a');
    CHECK(lab.complete(word).empty());
    CHECK(lab.complete(":draw " + word).empty());
    CHECK(lab.complete(std::string(60'000, ' ') + "a") ==
          std::vector<std::string>{"a", "abs", "atan"});
}
