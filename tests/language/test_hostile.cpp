// Hostile input and faults: atomic file replacement, the node cap, interrupts, and text that
// must never reach a terminal raw.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <fmt/format.h>

#include <mgrad/commands/commands.hpp>
#include <mgrad/language/diagnostic.hpp>
#include <mgrad/language/session.hpp>
#include <mgrad/support/atomic_file.hpp>

#include "test_support.hpp"

#include "session_fixture.hpp"

namespace fs = std::filesystem;

namespace {

using mgrad_test::slurp;
using mgrad_test::TempDir;

using Fixture = mgrad_test::SessionFixture;

}  // namespace

TEST_CASE("atomic write: creates, replaces, keeps the mode, leaves no temporary file") {
    TempDir dir;
    const fs::path file = dir.path / "a.txt";
    mgrad::write_file_atomically(file, "first\n");
    CHECK(slurp(file) == "first\n");
    struct stat st {};
    REQUIRE(::stat(file.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0644);

    REQUIRE(::chmod(file.c_str(), 0600) == 0);
    mgrad::write_file_atomically(file, "second\n");
    CHECK(slurp(file) == "second\n");
    REQUIRE(::stat(file.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(dir.entries().size() == 1);
}

TEST_CASE("atomic write: a symbolic link is followed and stays a link") {
    TempDir dir;
    mgrad::write_file_atomically(dir.path / "real", "old");
    fs::create_symlink("real", dir.path / "link");
    mgrad::write_file_atomically(dir.path / "link", "new");
    CHECK(fs::is_symlink(dir.path / "link"));
    CHECK(slurp(dir.path / "real") == "new");
    CHECK(dir.entries().size() == 2);
}

TEST_CASE("atomic write: errors name the file and the reason") {
    TempDir dir;
    CHECK_THROWS_WITH_AS(mgrad::write_file_atomically(dir.path / "no-such-dir" / "x.mg", "x"),
                         doctest::Contains("there is no directory"), mgrad::Error);
    CHECK_THROWS_WITH_AS(mgrad::write_file_atomically(dir.path / "", "x"),
                         doctest::Contains("not a file name"), mgrad::Error);
    // A directory, a device or a pipe is never replaced by a plain file.
    fs::create_directory(dir.path / "d");
    CHECK_THROWS_WITH_AS(mgrad::write_file_atomically(dir.path / "d", "x"),
                         doctest::Contains("it is a directory"), mgrad::Error);
    CHECK(fs::is_directory(dir.path / "d"));
    CHECK(dir.entries().size() == 1);
    CHECK_THROWS_WITH_AS(mgrad::write_file_atomically("/dev/null", "x"),
                         "cannot write '/dev/null': it is not a regular file", mgrad::Error);
    CHECK(fs::is_character_file("/dev/null"));
    REQUIRE(::mkfifo((dir.path / "fifo").c_str(), 0600) == 0);
    CHECK_THROWS_WITH_AS(mgrad::write_file_atomically(dir.path / "fifo", "x"),
                         doctest::Contains("it is not a regular file"), mgrad::Error);
    CHECK(fs::is_fifo(dir.path / "fifo"));
}

TEST_CASE(":save replaces a script atomically and refuses a directory") {
    TempDir dir;
    Fixture f;
    const std::string file = (dir.path / "s.mg").string();
    REQUIRE(f.session.run("<test>", "a = 2\nb = a * 3\n:save \"" + file + "\""));
    const std::string saved = slurp(file);
    CHECK(saved.find("b = a * 3\n") != std::string::npos);
    // A failing :save (the target is a directory) reports and keeps the session.
    CHECK_FALSE(f.session.run("<test>", ":save \"" + dir.path.string() + "\""));
    CHECK(f.err.str().find("it is a directory") != std::string::npos);
    CHECK(slurp(file) == saved);
    CHECK(dir.entries().size() == 1);
}

TEST_CASE("node cap: a statement that could pass it is refused and leaves the graph as it was") {
    std::ostringstream out, err;
    mgrad::StreamOutput sink{out, err};
    mgrad::SessionOptions options;
    options.max_nodes = 12;
    mgrad::Session session{sink, options};
    mgrad::add_standard_commands(session);
    REQUIRE(session.run("<test>", "a = 2\nb = a * 3"));  // 3 nodes: a, the constant 3, a*3
    CHECK(session.graph().size() == 3);
    CHECK_FALSE(session.run("<test>", "c = b * b * b * b * b"));  // could make 4*2+2 more: 13
    CHECK(err.str().find("the graph has 3 nodes; this could take it past the limit of 12") !=
          std::string::npos);
    CHECK(session.graph().size() == 3);
    CHECK_FALSE(session.lookup("c"));
    CHECK(session.run("<test>", "c = b * b"));  // 3 + 2*3 + 2 = 11 fits
    CHECK(session.graph().size() == 4);

    options.max_nodes = 0;  // no cap
    mgrad::Session free_session{sink, options};
    mgrad::add_standard_commands(free_session);
    std::string big = "x = 1";
    for (int i = 0; i < 100; ++i)
        big += " + x";
    CHECK(free_session.run("<test>", big.substr(0, 5) + "\n" + big));
}

TEST_CASE("Ctrl-C: run() stops between statements and keeps what was done") {
    Fixture f;
    volatile std::sig_atomic_t flag = 0;
    f.session.set_interrupt_flag(&flag);
    REQUIRE(f.session.run("<test>", "a = 1"));
    flag = 1;
    CHECK_FALSE(f.session.run("<test>", "b = 2\nc = 3"));
    CHECK(f.err.str().find("interrupted") != std::string::npos);
    CHECK_FALSE(f.session.lookup("b"));
    flag = 0;
    CHECK(f.session.run("<test>", "b = a + 1"));
    CHECK(f.session.graph().data(*f.session.lookup("b")) == 2.0);
}

TEST_CASE("utf8_length and printable: nothing raw reaches the terminal") {
    using mgrad::printable;
    using mgrad::utf8_length;
    CHECK(utf8_length("a") == 1);
    CHECK(utf8_length("λx") == 2);
    CHECK(utf8_length("€") == 3);
    CHECK(utf8_length("\xF0\x9F\x98\x80") == 4);  // U+1F600
    CHECK(utf8_length("") == 0);
    CHECK(utf8_length("\xFF") == 0);
    CHECK(utf8_length("\x80") == 0);              // a lone continuation byte
    CHECK(utf8_length("\xC0\xAF") == 0);          // overlong '/'
    CHECK(utf8_length("\xE0\x80\xAF") == 0);      // overlong
    CHECK(utf8_length("\xED\xA0\x80") == 0);      // a UTF-16 surrogate
    CHECK(utf8_length("\xF4\x90\x80\x80") == 0);  // past U+10FFFF
    CHECK(utf8_length("\xE2\x82") == 0);          // truncated
    CHECK(printable("a\tb") == "a\tb");
    CHECK(printable(std::string_view("a\0b", 3)) ==
          "a\xEF\xBF\xBD"
          "b");
    CHECK(printable("\x1B[31mred") == "\xEF\xBF\xBD[31mred");
    CHECK(printable("x\xFF\xFEy") == "x\xEF\xBF\xBD\xEF\xBF\xBDy");
    CHECK(printable("λ €") == "λ €");
}

TEST_CASE("diagnostics: a NUL byte neither cuts the message short nor reaches the output") {
    Fixture f;
    const std::string text("a = 1\nb = a\0 + 1\n", 17);
    CHECK_FALSE(f.session.run("<test>", text));
    const std::string e = f.err.str();
    CHECK(e.find("unexpected control character U+0000") != std::string::npos);
    CHECK(e.find('\0') == std::string::npos);
    CHECK(e.find("b = a\xEF\xBF\xBD + 1\n     ^\n") != std::string::npos);
}

TEST_CASE(":tree: deep and wide graphs are cut, so the text stays small") {
    Fixture f;
    // A chain 100 000 operations deep: at most 1000 levels are shown. Without the caps the
    // text grew as lines × depth (tens of gigabytes).
    std::string script = "x = 1\n";
    for (int i = 0; i < 50'000; ++i)
        script += "x = x * 2 + 1\n";
    REQUIRE(f.session.run("<test>", script));
    CHECK_FALSE(f.session.run("<test>", ":tree x 1001"));
    CHECK(f.err.str().find("DEPTH must be a whole number from 1 to 1000, not '1001'") !=
          std::string::npos);
    REQUIRE(f.session.run("<test>", ":tree x 1000"));
    const std::string deep = f.out.str();
    CHECK(deep.size() < 20'000'000);
    CHECK(deep.find("(deeper nodes are not shown: ':tree x 1000' shows more levels)") !=
          std::string::npos);
    f.out.str("");

    // 100 sums of 30 leaves each, summed: over 6000 lines at most 130 deep, cut at 5000.
    std::string wide;
    std::string sum = "s = g0";
    for (int k = 0; k < 100; ++k) {
        wide += fmt::format("g{} = x{}_0", k, k);
        for (int i = 1; i < 30; ++i)
            wide += fmt::format(" + x{}_{}", k, i);
        wide += '\n';
        if (k > 0) sum += fmt::format(" + g{}", k);
    }
    std::string leaves;
    for (int k = 0; k < 100; ++k)
        for (int i = 0; i < 30; ++i)
            leaves += fmt::format("x{}_{} = {}\n", k, i, i);
    REQUIRE(f.session.run("<test>", leaves + wide + sum + "\n:tree s 1000"));
    const std::string text = f.out.str();
    CHECK(std::count(text.begin(), text.end(), '\n') == 5001);
    CHECK(text.find("(the tree is cut at 5000 lines") != std::string::npos);
}
