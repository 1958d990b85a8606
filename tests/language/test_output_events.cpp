// Output's structured events: diagnostics with their parts, tables, files written. Front ends
// that show them their own way (Python, a notebook) override these; the defaults print text.
#include <doctest/doctest.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <mgrad/commands/commands.hpp>
#include <mgrad/language/session.hpp>
#include "engines.hpp"

namespace {

struct Recorder : mgrad::Output {
    std::string texts;
    std::vector<std::string> formatted;
    std::vector<std::string> messages;
    std::vector<std::optional<mgrad::SourceSpan>> spans;
    std::vector<mgrad::Table> tables;
    std::vector<mgrad::WrittenFile> files;

    void text(std::string_view t) override { texts += t; }
    void diagnostic(mgrad::Severity, std::string_view f) override { formatted.emplace_back(f); }
    void report(const mgrad::Diagnostic& d) override {
        messages.emplace_back(d.message);
        spans.push_back(d.span);
        Output::report(d);  // the default formats it and calls diagnostic()
    }
    void table(const mgrad::Table& t) override { tables.push_back(t); }
    void wrote_file(const mgrad::WrittenFile& f) override { files.push_back(f); }
};

}  // namespace

TEST_CASE("a diagnostic reaches report() with its message and span, then diagnostic() formatted") {
    Recorder out;
    mgrad::Session session(out);
    mgrad::add_standard_commands(session);
    CHECK_FALSE(session.run("<cell>", "a = 2\nL = (ab + 1) * a", 1));
    REQUIRE(out.messages.size() == 1);
    CHECK(out.messages[0] == "undefined name 'ab'; did you mean 'a'?");
    REQUIRE(out.spans[0].has_value());
    CHECK(out.spans[0]->line == 2);
    CHECK(out.spans[0]->column == 6);
    CHECK(out.spans[0]->length == 2);
    REQUIRE(out.formatted.size() == 1);
    CHECK(out.formatted[0].rfind("<cell>:2:6: error: undefined name 'ab'", 0) == 0);
}

TEST_CASE(":grad and :vars report tables; the default Output prints their text") {
    Recorder out;
    mgrad::Session session(out);
    mgrad::add_standard_commands(session);
    REQUIRE(session.run("<t>", "a = 2; b = -3\nL = a * b\n:backward L\n:grad L\n:vars"));
    REQUIRE(out.tables.size() == 2);
    const mgrad::Table& grad = out.tables[0];
    CHECK(grad.align == "lrr");
    REQUIRE(grad.rows.size() == 4);
    CHECK(grad.rows[0] == std::vector<std::string>{"node", "data", "grad"});
    CHECK(grad.rows[1] == std::vector<std::string>{"a", "2", "-3"});
    CHECK(grad.text.find("L       -6     1\n") != std::string::npos);
    CHECK(out.tables[1].rows[0][0] == "name");

    std::ostringstream text, err;
    mgrad::StreamOutput plain(text, err);
    mgrad::Session printed(plain);
    mgrad::add_standard_commands(printed);
    REQUIRE(printed.run("<t>", "a = 2; b = -3\nL = a * b\n:backward L\n:grad L"));
    CHECK(text.str() == grad.text);
}

TEST_CASE("commands that write files report them" * MGRAD_NEEDS_LAYOUT) {
    const auto dir = std::filesystem::temp_directory_path() / "mgrad-output-events";
    std::filesystem::create_directories(dir);
    const std::string svg = (dir / "L.svg").string();
    const std::string script = (dir / "s.mg").string();
    Recorder out;
    mgrad::Session session(out);
    mgrad::add_standard_commands(session);
    REQUIRE(session.run("<t>", "a = 2; L = a * 3\n:draw L " + svg + "\n:save " + script));
    REQUIRE(out.files.size() == 2);
    CHECK(out.files[0].path == svg);
    CHECK(out.files[0].format == "svg");
    CHECK(out.files[1].path == script);
    CHECK(out.files[1].format == "mg");
    CHECK(out.texts.find("drew L to") != std::string::npos);  // the message is still text
    std::filesystem::remove_all(dir);
}
