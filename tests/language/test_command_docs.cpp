// The docs held equal to the command specs: each command's heading in docs/commands.md is its
// usage line as the spec makes it (the line `:help NAME` shows), every command of the session
// has its section, and `:draw`'s option tables (commands.md, rendering.md) list exactly the
// options of its spec. Change a spec and this fails until the docs say the same.
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <mgrad/render/render.hpp>

#include "session_fixture.hpp"

namespace {

std::vector<std::string> doc_lines(const char* name) {
    std::ifstream in(std::string(MGRAD_SOURCE_DIR) + "/docs/" + name);
    REQUIRE(in.good());
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    return lines;
}

/// The `## :name …` and `### :name …` headings: command name → the heading's text.
std::map<std::string, std::string> command_headings(const std::vector<std::string>& lines) {
    std::map<std::string, std::string> out;
    for (const std::string& line : lines) {
        const std::size_t hashes = line.find_first_not_of('#');
        if (hashes == 0 || hashes == std::string::npos || line.compare(hashes, 2, " :") != 0)
            continue;
        const std::string usage = line.substr(hashes + 1);
        const std::size_t end = usage.find(' ');
        CHECK_MESSAGE(
            out.emplace(usage.substr(1, end == std::string::npos ? end : end - 1), usage).second,
            "two sections for " << usage);
    }
    return out;
}

/// The option words of the first column of the first table after the line starting with
/// `after` whose header starts with `header`: `decimals=N`, `lr`, `tb` …
std::set<std::string> option_rows(const std::vector<std::string>& lines, std::string_view after,
                                  std::string_view header) {
    std::set<std::string> out;
    auto it = std::find_if(lines.begin(), lines.end(),
                           [&](const std::string& l) { return l.starts_with(after); });
    REQUIRE(it != lines.end());
    it = std::find_if(it, lines.end(), [&](const std::string& l) { return l.starts_with(header); });
    REQUIRE(it != lines.end());
    for (it += 2; it != lines.end() && it->starts_with("| "); ++it) {
        const std::string first = it->substr(2, it->find(" |", 2) - 2);
        // Cells hold one or more `word`s: "`lr`, `tb`".
        for (std::size_t open = first.find('`'); open != std::string::npos;) {
            const std::size_t close = first.find('`', open + 1);
            REQUIRE(close != std::string::npos);
            out.insert(first.substr(open + 1, close - open - 1));
            open = first.find('`', close + 1);
        }
    }
    return out;
}

}  // namespace

TEST_CASE("docs/commands.md: each command's heading is the usage line of its spec") {
    mgrad_test::SessionFixture lab;
    const auto headings = command_headings(doc_lines("commands.md"));
    for (const auto& entry : headings) {        // no structured binding: clang 14's lambdas
        const std::string& name = entry.first;  // (in CHECK_MESSAGE) cannot capture one
        const std::string& heading = entry.second;
        const mgrad::Command* c = lab.session.find_command(name);
        if (name == "view") continue;  // added by the REPL with the live view, not by the core
        CHECK_MESSAGE(c != nullptr,
                      "docs/commands.md has a section for :" << name << ", no such command");
        if (c) CHECK(heading == c->usage);
    }
    for (const mgrad::Command* c : lab.session.commands())
        CHECK_MESSAGE(headings.contains(c->name),
                      "docs/commands.md has no section for " << c->usage);
}

TEST_CASE("docs: :draw's option tables list exactly the options of its spec") {
    std::set<std::string> from_spec;
    for (const mgrad::OptionSpec& o : mgrad::draw_option_parser().specs())
        if (!o.help.empty()) {  // an option without help is accepted but not listed
            std::string word(o.key);
            if (o.takes_value()) word.append("=").append(o.value_name);
            from_spec.insert(word);
        }
    CHECK(option_rows(doc_lines("commands.md"), "## :draw ", "| option |") == from_spec);
    CHECK(option_rows(doc_lines("rendering.md"), "", "| Option | Effect |") == from_spec);
}
