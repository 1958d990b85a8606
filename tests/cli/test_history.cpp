// The REPL's history file (src/cli/history_file.cpp): merged between sessions, never truncated.
#include <doctest/doctest.h>

#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>

#include <mgrad/support/error.hpp>

#include "cli/history_file.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using mgrad::cli::HistoryFile;

using mgrad_test::slurp;
using mgrad_test::TempDir;

namespace {

constexpr std::string_view cookie = "_HiStOrY_V2_\n";  // libedit's first line

}  // namespace

TEST_CASE("history: two sessions at once keep each other's lines") {
    TempDir dir;
    const std::string path = (dir.path / "history").string();
    HistoryFile first(path), second(path);
    first.add("a=1");
    second.add("b=2");
    first.add("a");
    second.add("b");
    CHECK(slurp(path) == std::string(cookie) + "a=1\nb=2\na\nb\n");
    CHECK(first.unsaved() == 0);
    CHECK(second.unsaved() == 0);
}

TEST_CASE("history: libedit's encoding round-trips, and only the newest lines are kept") {
    TempDir dir;
    const std::string path = (dir.path / "history").string();
    HistoryFile h(path, 3);
    for (const char* line : {"x = 1", "y\t= 2", "back\\slash", "L = x * y"})
        h.add(line);
    // Blanks and backslashes are escaped by libedit; the oldest line went.
    CHECK(slurp(path) ==
          std::string(cookie) + "y\\011=\\0402\nback\\134slash\nL\\040=\\040x\\040*\\040y\n");
    // A new session reads them back (as read_history does) and adds to them.
    HistoryFile later(path, 3);
    later.add("z");
    CHECK(slurp(path) == std::string(cookie) + "back\\134slash\nL\\040=\\040x\\040*\\040y\nz\n");
}

TEST_CASE("history: a write error keeps the old file, and the line is saved later") {
    TempDir dir;
    const std::string path = (dir.path / "history").string();
    HistoryFile h(path);
    h.add("kept");
    const std::string before = slurp(path);
    {
        // The file may not grow past 64 bytes: the next save fails halfway (EFBIG), as a full
        // disk would (ENOSPC).
        mgrad_test::FileSizeLimit limit(64);
        CHECK_THROWS_WITH_AS(h.add(std::string(100, 'q')), doctest::Contains("File too large"),
                             mgrad::Error);
    }
    CHECK(slurp(path) == before);
    CHECK(h.unsaved() == 1);
    h.add("next");
    CHECK(slurp(path) == std::string(cookie) + "kept\n" + std::string(100, 'q') + "\nnext\n");
    CHECK(std::distance(fs::directory_iterator(dir.path), {}) == 1);  // no temporary left
}

TEST_CASE("history: a file that cannot be read as a history is never replaced") {
    TempDir dir;
    const std::string path = (dir.path / "history").string();
    std::ofstream(path) << "not a libedit history\n";
    HistoryFile h(path);
    CHECK_THROWS_WITH_AS(h.add("x"), doctest::Contains("cannot read the history file"),
                         mgrad::Error);
    CHECK(slurp(path) == "not a libedit history\n");
}
