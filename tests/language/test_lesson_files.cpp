// Lesson files: a script (a file run, `:load`, text run as Author::Script) writes files only
// inside the current directory and SessionOptions::allow_write; what the user types writes
// anywhere (docs/reliability.md, "Lesson files").
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "engines.hpp"
#include "session_fixture.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using mgrad_test::SessionFixture;
using mgrad_test::TempDir;

namespace {

struct InDirectory {
    explicit InDirectory(const fs::path& dir) : m_old(fs::current_path()) { fs::current_path(dir); }
    InDirectory(const InDirectory&) = delete;
    InDirectory& operator=(const InDirectory&) = delete;
    ~InDirectory() { fs::current_path(m_old); }

  private:
    fs::path m_old;
};

/// A lesson that writes everywhere it can: each file command once outside the current
/// directory (an absolute name or `..`), and once inside it.
std::string hostile_lesson(const fs::path& out) {
    const std::string o = out.string();
    return fmt::format(
        "a = 2; b = -3; L = a * b\n"
        ":draw L \"{0}/x.svg\"\n"
        ":save ../escape.mg\n"
        ":export torch \"{0}/m.py\"\n"
        ":plot a**2 a=0..1 \"{0}/p.png\"\n"
        ":trace L \"{0}/frames\"\n"
        ":minimize L steps=1 \"plot={0}/m.png\"\n"
        ":draw L inside.svg\n"
        ":save inside.mg\n"
        ":trace L frames\n",
        o);
}

std::size_t count(const std::string& text, std::string_view word) {
    std::size_t n = 0;
    for (std::size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1))
        ++n;
    return n;
}

}  // namespace

TEST_CASE("lesson files: a script writes only inside the current directory" *
          MGRAD_NEEDS_LAYOUT_AND_PLOTS) {
    TempDir top;
    const fs::path lesson = top.path / "lesson";
    const fs::path out = top.path / "out";
    fs::create_directories(lesson);
    fs::create_directories(out);
    InDirectory here(lesson);
    mgrad_test::put(lesson / "lesson.mg", hostile_lesson(out));

    SessionFixture f;
    f.session.options().keep_going = true;
    // Run directly, and :load-ed from what the user types: refused the same way.
    for (const std::string& how : {std::string("file"), std::string(":load")}) {
        CAPTURE(how);
        const bool ok = how == "file" ? f.session.run_file("lesson.mg") : f.run(":load lesson.mg");
        CHECK_FALSE(ok);
        const std::string err = f.take_err();
        CHECK(count(err, "a script may write only inside the current directory") == 6);
        CHECK(fs::is_empty(out));
        CHECK_FALSE(fs::exists(top.path / "escape.mg"));
        CHECK(fs::exists(lesson / "inside.svg"));
        CHECK(fs::exists(lesson / "inside.mg"));
        CHECK(fs::is_directory(lesson / "frames"));
        CHECK(f.data("a") == 2.0);  // :minimize refused its plot before its first step
        fs::remove(lesson / "inside.mg");
    }
    // Typed, the same commands write where they are told.
    CHECK(f.run(fmt::format(":save \"{}/typed.mg\"", out.string())));
    CHECK(f.run(fmt::format(":draw L \"{}/typed.svg\"", out.string())));
    CHECK(f.session.run("<repl>", ":save ../typed.mg"));
    CHECK(fs::exists(out / "typed.mg"));
    CHECK(fs::exists(top.path / "typed.mg"));
    // Text run as a script (a notebook's cell, the page) is a script.
    CHECK_FALSE(f.session.run("<cell 1>", ":save ../cell.mg", 1, mgrad::Author::Script));
    CHECK_FALSE(fs::exists(top.path / "cell.mg"));
}

TEST_CASE("lesson files: --allow-write lets scripts write in another directory too" *
          MGRAD_NEEDS_LAYOUT_AND_PLOTS) {
    TempDir top;
    const fs::path lesson = top.path / "lesson";
    const fs::path out = top.path / "out";
    fs::create_directories(lesson);
    fs::create_directories(out);
    InDirectory here(lesson);
    mgrad_test::put(lesson / "lesson.mg", hostile_lesson(out));
    SessionFixture f;
    f.session.options().keep_going = true;
    f.session.options().allow_write = {out.string()};
    CHECK_FALSE(f.session.run_file("lesson.mg"));  // only ../escape.mg is still refused
    const std::string err = f.take_err();
    CHECK(count(err, "a script may write only inside") == 1);
    CHECK(err.find(fmt::format("inside the current directory and {}",
                               fs::weakly_canonical(out).string())) != std::string::npos);
    for (const char* name : {"x.svg", "m.py", "p.png", "m.png"})
        CHECK_MESSAGE(fs::exists(out / name), name);
    CHECK(fs::is_directory(out / "frames"));
    CHECK_FALSE(fs::exists(top.path / "escape.mg"));
}

TEST_CASE("lesson files: :save and :export from a script stay inside (no layout needed)") {
    TempDir top;
    const fs::path lesson = top.path / "lesson";
    fs::create_directories(lesson);
    InDirectory here(lesson);
    mgrad_test::put(lesson / "lesson.mg",
                    fmt::format("a = 2; L = a * a\n:save ../escape.mg\n:export torch \"{}\"\n"
                                ":save inside.mg\n",
                                (top.path / "m.py").string()));
    SessionFixture f;
    f.session.options().keep_going = true;
    CHECK_FALSE(f.session.run_file("lesson.mg"));
    CHECK(count(f.take_err(), "a script may write only inside the current directory") == 2);
    CHECK(fs::exists(lesson / "inside.mg"));
    CHECK_FALSE(fs::exists(top.path / "escape.mg"));
    CHECK_FALSE(fs::exists(top.path / "m.py"));
}
