// Writing files when things go wrong: write errors halfway, a process killed inside a write,
// names at the file system's length limit, targets that are not regular files; and reading
// scripts that are too large or never end.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include <fmt/format.h>

#include <mgrad/commands/commands.hpp>
#include <mgrad/language/session.hpp>
#include <mgrad/support/atomic_file.hpp>

#include "test_support.hpp"

#include "engines.hpp"
#include "session_fixture.hpp"

namespace fs = std::filesystem;

using mgrad_test::FileSizeLimit;
using mgrad_test::InterruptAfter;
using mgrad_test::put;
using mgrad_test::slurp;
using mgrad_test::TempDir;

namespace {

using Fixture = mgrad_test::SessionFixture;

}  // namespace

TEST_CASE("atomic write: a write error halfway keeps the old file and leaves no temporary") {
    TempDir dir;
    const fs::path file = dir.path / "kept.txt";
    mgrad::write_file_atomically(file, "the old contents\n");
    {
        // 64 KiB may be written; the new contents are 1 MiB, so write() fails partway (EFBIG).
        FileSizeLimit limit(64 << 10);
        CHECK_THROWS_WITH_AS(mgrad::write_file_atomically(file, std::string(1 << 20, 'x')),
                             doctest::Contains("File too large"), mgrad::Error);
    }
    CHECK(slurp(file) == "the old contents\n");
    CHECK(dir.entries() == std::set<std::string>{"kept.txt"});
}

TEST_CASE("atomic write: a device through a symbolic link is refused and the link stays") {
    TempDir dir;
    fs::create_symlink("/dev/full", dir.path / "full.png");
    CHECK_THROWS_WITH_AS(mgrad::write_file_atomically(dir.path / "full.png", "x"),
                         doctest::Contains("it is not a regular file"), mgrad::Error);
    CHECK_THROWS_WITH_AS(mgrad::check_writable(dir.path / "full.png"),
                         doctest::Contains("it is not a regular file"), mgrad::Error);
    CHECK(fs::is_symlink(dir.path / "full.png"));
    CHECK(fs::is_character_file("/dev/full"));
    REQUIRE(::mkfifo((dir.path / "pipe.py").c_str(), 0600) == 0);
    CHECK_THROWS_WITH_AS(mgrad::check_writable(dir.path / "pipe.py"),
                         doctest::Contains("it is not a regular file"), mgrad::Error);
    CHECK_THROWS_WITH_AS(mgrad::check_writable(dir.path / "nowhere" / "x.png"),
                         doctest::Contains("there is no directory"), mgrad::Error);
    CHECK_NOTHROW(mgrad::check_writable(dir.path / "new.png"));
    CHECK(dir.entries() == std::set<std::string>{"full.png", "pipe.py"});  // nothing written
}

TEST_CASE("atomic write: names up to the file system's limit work (the temporary fits)") {
    TempDir dir;
    const long name_max = ::pathconf(dir.path.c_str(), _PC_NAME_MAX);
    REQUIRE(name_max >= 250);
    for (const std::size_t length :
         {std::size_t{240}, std::size_t{250}, static_cast<std::size_t>(name_max)}) {
        const std::string name = std::string(length - 4, 'n') + ".png";
        mgrad::write_file_atomically(dir.path / name, "first");
        mgrad::write_file_atomically(dir.path / name, "second");
        CHECK(slurp(dir.path / name) == "second");
    }
    // Multi-byte characters up to the limit: the temporary's name is cut between characters.
    std::string wide;
    while (wide.size() + 2 <= static_cast<std::size_t>(name_max))
        wide += "é";
    mgrad::write_file_atomically(dir.path / wide, "accent");
    CHECK(slurp(dir.path / wide) == "accent");
    CHECK(dir.entries().size() == 4);  // no temporary left behind
}

TEST_CASE("atomic write: a writer killed halfway leaves a temporary the next write removes") {
    TempDir dir;
    const fs::path file = dir.path / "plot.png";
    mgrad::write_file_atomically(file, "the old picture");
    // The child is killed by the kernel in the middle of write() (SIGXFSZ, no core): no
    // destructor, no cleanup, as with kill -9.
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        rlimit no_core{0, 0};
        ::setrlimit(RLIMIT_CORE, &no_core);
        std::signal(SIGXFSZ, SIG_DFL);
        rlimit small{4096, RLIM_INFINITY};
        ::setrlimit(RLIMIT_FSIZE, &small);
        try {
            mgrad::write_file_atomically(file, std::string(1 << 20, 'p'));
        } catch (...) {
        }
        ::_exit(0);  // not reached: the write is over the limit
    }
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    REQUIRE(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGXFSZ);
    CHECK(slurp(file) == "the old picture");
    std::set<std::string> left = dir.entries();
    REQUIRE(left.size() == 2);  // the target and the dead writer's temporary
    left.erase("plot.png");
    const std::string temp = *left.begin();
    CHECK(temp.starts_with(".plot.png.mgrad-"));

    // Files that only look alike are never touched: another target's temporary, a user's own
    // hidden file, a name one letter longer.
    for (const char* other : {".other.png.mgrad-abcdef", ".plot.png.backup",
                              ".plot.png.mgrad-abcdefg", ".plot.png.mgrad-"})
        put(dir.path / other, "mine");
    // A live writer's temporary (its lock is held by another process) is not removed either.
    const fs::path live = dir.path / ".plot.png.mgrad-live01";
    put(live, "in progress");
    int ready[2], done[2];
    REQUIRE(::pipe(ready) == 0);
    REQUIRE(::pipe(done) == 0);
    const pid_t holder = ::fork();
    REQUIRE(holder >= 0);
    if (holder == 0) {
        const int fd = ::open(live.c_str(), O_RDONLY);
        ::flock(fd, LOCK_EX);
        char c = 1;
        (void)!::write(ready[1], &c, 1);
        (void)!::read(done[0], &c, 1);
        ::_exit(0);
    }
    char c = 0;
    REQUIRE(::read(ready[0], &c, 1) == 1);

    mgrad::write_file_atomically(file, "the new picture");
    CHECK(slurp(file) == "the new picture");
    const std::set<std::string> after = dir.entries();
    CHECK(after.count(temp) == 0);  // the stale one is gone
    CHECK(after.count(".plot.png.mgrad-live01") == 1);
    for (const char* other : {".other.png.mgrad-abcdef", ".plot.png.backup",
                              ".plot.png.mgrad-abcdefg", ".plot.png.mgrad-"})
        CHECK(after.count(other) == 1);

    (void)!::write(done[1], &c, 1);  // the live writer "dies"; its temporary is stale now
    REQUIRE(::waitpid(holder, &status, 0) == holder);
    mgrad::write_file_atomically(file, "the newest picture");
    CHECK(dir.entries().count(".plot.png.mgrad-live01") == 0);
    for (int fd : {ready[0], ready[1], done[0], done[1]})
        ::close(fd);
}

TEST_CASE(":load refuses a file over the size limit before reading it") {
    TempDir dir;
    const fs::path big = dir.path / "big.mg";
    { std::ofstream(big) << "a = 1\n"; }
    // 300 MB, sparse: no disk is used, but reading it would take 300 MB of memory.
    fs::resize_file(big, 300u << 20u);
    Fixture f;
    rusage before{};
    ::getrusage(RUSAGE_SELF, &before);
    CHECK_FALSE(f.session.run("<test>", fmt::format(":load \"{}\"", big.string())));
    CHECK(f.err.str().find("it is larger than 256 MiB") != std::string::npos);
    rusage after{};
    ::getrusage(RUSAGE_SELF, &after);
    // The peak resident size did not grow by anything near the file's size.
    CHECK(after.ru_maxrss - before.ru_maxrss < 64 * 1024);  // KiB
}

TEST_CASE(":load of a pipe that nobody writes to stops at Ctrl-C, and reads one that is") {
    TempDir dir;
    const fs::path fifo = dir.path / "pipe.mg";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    Fixture f;
    {
        InterruptAfter ctrl_c(300);
        f.session.set_interrupt_flag(&InterruptAfter::flag);
        CHECK_FALSE(f.session.run("<test>", fmt::format(":load \"{}\"", fifo.string())));
    }
    CHECK(f.err.str().find("interrupted while reading") != std::string::npos);

    // With a writer, the script is read to its end and runs.
    std::thread writer([&fifo] { std::ofstream(fifo) << "a = 6\nb = a * 7\n"; });
    CHECK(f.session.run("<test>", fmt::format(":load \"{}\"", fifo.string())));
    writer.join();
    REQUIRE(f.session.lookup("b"));
    CHECK(f.session.graph().data(*f.session.lookup("b")) == 42.0);
}

TEST_CASE(":load of a pipe that nothing opens for writing is refused in seconds, without Ctrl-C") {
    TempDir dir;
    const fs::path fifo = dir.path / "pipe.mg";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    Fixture f;
    const std::string load = fmt::format(":load \"{}\"", fifo.string());
    {
        // Before, only this (a front end's Ctrl-C) ended the wait: a thread of a Python program
        // or a notebook has none.
        InterruptAfter watchdog(20000);
        f.session.set_interrupt_flag(&InterruptAfter::flag);
        const auto start = std::chrono::steady_clock::now();
        CHECK_FALSE(f.session.run("<test>", load));
        CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
    }
    CHECK(f.err.str().find("it is a pipe that nothing opened for writing within 3 s") !=
          std::string::npos);
    // A writer that comes within that time is waited for.
    std::thread writer([&fifo] {
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        std::ofstream(fifo) << "c = 5\n";
    });
    CHECK(f.session.run("<test>", load));
    writer.join();
    REQUIRE(f.session.lookup("c"));
}

TEST_CASE("commands that write refuse a pipe at once (opening it would block)" *
          MGRAD_NEEDS_LAYOUT_AND_PLOTS) {
    TempDir dir;
    const fs::path fifo = dir.path / "fifo";
    for (const char* name : {"p.png", "p.py", "p.svg", "p.mg"})
        REQUIRE(::mkfifo((dir.path / name).c_str(), 0600) == 0);
    Fixture f;
    REQUIRE(f.session.run("<test>", "x = 3\nL = (x - 1)**2"));
    const std::string d = dir.path.string();
    for (const std::string& command :
         {fmt::format(":plot x**2 x=0..1 \"{}/p.png\"", d),
          fmt::format(":export torch \"{}/p.py\"", d), fmt::format(":draw L \"{}/p.svg\"", d),
          fmt::format(":save \"{}/p.mg\"", d),
          fmt::format(":minimize L steps=3 \"plot={}/p.png\"", d)}) {
        f.err.str("");
        CHECK_FALSE(f.session.run("<test>", command));
        CHECK_MESSAGE(f.err.str().find("it is not a regular file") != std::string::npos, command);
    }
    // :minimize refused its plot before taking a step.
    CHECK(f.session.graph().data(*f.session.lookup("x")) == 3.0);
}
