// The op table is the one list of ops: the documents' tables of ops and the Python stubs are
// held equal to it here, and each failure names the op whose row is missing (or the word that
// names no op). The Python Value's methods and `_op` are made from the table itself
// (src/python/value.cpp); tests/python/test_stubs.py holds the stubs to them too.
#include <doctest/doctest.h>

#include <mgrad/engine/op.hpp>

#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "test_support.hpp"

namespace {

namespace fs = std::filesystem;
using mgrad::Op;

std::string source_file(std::string_view relative) {
    return mgrad_test::slurp(fs::path(MGRAD_SOURCE_DIR) / relative);
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    return lines;
}

/// The functions of one argument: the language's `f(x)`, C++'s and Python's methods.
std::set<std::string> functions() {
    std::set<std::string> names;
    for (std::size_t i = 0; i < mgrad::op_count; ++i) {
        const mgrad::OpInfo& info = mgrad::op_info(static_cast<Op>(i));
        if (info.kind == mgrad::OpKind::Function && info.arity == 1)
            names.insert(std::string(info.name));
    }
    return names;
}

/// The words of the first `code` span of the cell after the one that starts a table row with
/// `first_cell` in `file`: "| `f(x)` | `tanh exp log …` (one argument) |" → tanh, exp, log …
std::set<std::string> listed_words(std::string_view file, std::string_view first_cell) {
    for (const std::string& line : lines_of(source_file(file))) {
        if (!line.starts_with(first_cell)) continue;
        const std::size_t open = line.find('`', first_cell.size());
        const std::size_t close = line.find('`', open + 1);
        REQUIRE(close != std::string::npos);
        std::set<std::string> words;
        std::istringstream in(line.substr(open + 1, close - open - 1));
        for (std::string w; in >> w;)
            words.insert(w);
        return words;
    }
    FAIL(file, " has no table row starting '", first_cell, "'");
    return {};
}

void check_same(std::string_view file, const std::set<std::string>& listed) {
    for (const std::string& name : functions()) {
        INFO(file, " does not list the op table's function '", name, "'");
        CHECK(listed.contains(name));
    }
    for (const std::string& word : listed) {
        INFO(file, " lists '", word, "', which is no function of the op table");
        CHECK(functions().contains(word));
    }
}

/// How an op is written in docs/engine.md's table: its formula with the operands a, b, c and the
/// exponent k ("{a} ** {k}" → "a ** k", "tanh({a})" → "tanh(a)").
std::string written(Op op) {
    std::string out;
    const std::string_view formula = mgrad::op_info(op).formula;
    for (std::size_t i = 0; i < formula.size(); ++i) {
        if (formula[i] == '{' && i + 2 < formula.size() && formula[i + 2] == '}') {
            out += formula[i + 1];
            i += 2;
        } else {
            out += formula[i];
        }
    }
    return out;
}

}  // namespace

TEST_CASE("docs/language.md lists every function of the op table") {
    check_same("docs/language.md", listed_words("docs/language.md", "| `f(x)` |"));
}

TEST_CASE("docs/python.md lists every method the op table gives Value") {
    check_same("docs/python.md", listed_words("docs/python.md", "| `v.relu()` |"));
}

TEST_CASE("docs/engine.md has a row for every op of the op table") {
    const std::string text = source_file("docs/engine.md");
    const std::size_t section = text.find("## Ops and their derivatives");
    REQUIRE(section != std::string::npos);
    std::vector<std::string> first_cells;
    for (const std::string& line : lines_of(text.substr(section))) {
        if (!line.starts_with("|")) {
            if (!first_cells.empty()) break;  // the end of the table
            continue;
        }
        first_cells.push_back(line.substr(0, line.find(" | ")));
    }
    REQUIRE(first_cells.size() > 10);
    CHECK(written(Op::PowConst) == "a ** k");
    for (std::size_t i = 0; i < mgrad::op_count; ++i) {
        const auto op = static_cast<Op>(i);
        if (mgrad::is_leaf(op)) continue;
        std::string code = "`";  // (appended: GCC 12 warns about "`" + string, wrongly)
        code += written(op);
        code += '`';
        bool found = false;
        for (const std::string& cell : first_cells)
            found = found || cell.find(code) != std::string::npos;
        INFO("docs/engine.md's table of ops has no row for '", std::string(mgrad::op_info(op).name),
             "' (its first cell should hold ", code, ")");
        CHECK(found);
    }
}

TEST_CASE("the Python stubs declare a method for every function of the op table") {
    const std::string stubs = source_file("src/python/mgrad/_core.pyi");
    for (const std::string& name : functions()) {
        INFO("src/python/mgrad/_core.pyi lacks Value.", name, " (a function of the op table)");
        CHECK(stubs.find("    def " + name + "(self) -> Value: ...") != std::string::npos);
    }
}
