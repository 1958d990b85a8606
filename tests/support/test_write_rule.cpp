// The write rule (mgrad/support/write_rule.hpp): where a script may write, judged where the file
// really is, and enforced by the atomic writer before anything is made.
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include <mgrad/support/atomic_file.hpp>
#include <mgrad/support/error.hpp>
#include <mgrad/support/write_rule.hpp>

#include "test_support.hpp"

namespace fs = std::filesystem;
using mgrad::WriteRule;
using mgrad::WriteScope;
using mgrad_test::TempDir;

namespace {

/// Runs the test from `dir` (the current directory is what a script may write into).
struct InDirectory {
    explicit InDirectory(const fs::path& dir) : m_old(fs::current_path()) { fs::current_path(dir); }
    InDirectory(const InDirectory&) = delete;
    InDirectory& operator=(const InDirectory&) = delete;
    ~InDirectory() { fs::current_path(m_old); }

  private:
    fs::path m_old;
};

}  // namespace

TEST_CASE("write rule: inside the allowed directories, judged where the file really is") {
    TempDir top;
    const fs::path lesson = top.path / "lesson";
    const fs::path other = top.path / "other";
    fs::create_directories(lesson / "sub");
    fs::create_directories(other);
    InDirectory here(lesson);
    const WriteRule rule = WriteRule::inside({"."});
    CHECK(rule.restricted());
    CHECK(rule.allows("x.mg"));
    CHECK(rule.allows("sub/x.svg"));
    CHECK(rule.allows("new/dir/x.svg"));  // judged by where it would be
    CHECK(rule.allows(lesson / "x.mg"));
    CHECK_FALSE(rule.allows("../x.mg"));
    CHECK_FALSE(rule.allows("sub/../../x.mg"));
    CHECK_FALSE(rule.allows(other / "x.mg"));
    CHECK_FALSE(rule.allows("/tmp/x.mg"));
    CHECK_FALSE(rule.allows("."));  // the directory itself is not a file inside it
    CHECK_FALSE(rule.allows(top.path / "lessonx" / "y.mg"));  // a name that starts the same
    // A link beside the lesson to a file outside it, a linked directory: judged by the target.
    mgrad_test::put(other / "bashrc", "keep");
    fs::create_symlink(other / "bashrc", lesson / "out.svg");
    fs::create_directory_symlink(other, lesson / "linked");
    CHECK_FALSE(rule.allows("out.svg"));
    CHECK_FALSE(rule.allows("linked/x.mg"));
    // More directories, and anywhere.
    CHECK(WriteRule::inside({".", other}).allows("linked/x.mg"));
    CHECK(WriteRule{}.allows("/tmp/x.mg"));
    CHECK_FALSE(WriteRule{}.restricted());
    CHECK_THROWS_WITH_AS(rule.check("../x.mg"),
                         "cannot write '../x.mg': a script may write only inside the current "
                         "directory (mgrad --allow-write DIR allows another directory)",
                         mgrad::Error);
}

TEST_CASE("write rule: the atomic writer asks the thread's rule before it makes anything") {
    TempDir top;
    const fs::path lesson = top.path / "lesson";
    fs::create_directories(lesson);
    InDirectory here(lesson);
    const fs::path outside = top.path / "x.mg";
    {
        WriteScope script(WriteRule::inside({"."}));
        CHECK_THROWS_WITH_AS(mgrad::write_file_atomically(outside, "x"),
                             doctest::Contains("a script may write only inside"), mgrad::Error);
        CHECK_THROWS_AS(mgrad::check_writable(outside), mgrad::Error);
        // Through a link: refused, and the link's target is untouched.
        std::ofstream(top.path / "target") << "keep";
        fs::create_symlink(top.path / "target", lesson / "link");
        CHECK_THROWS_AS(mgrad::write_file_atomically(lesson / "link", "x"), mgrad::Error);
        CHECK(mgrad_test::slurp((top.path / "target").string()) == "keep");
        mgrad::write_file_atomically("inside.mg", "y");
        // Another thread has its own rule: anywhere.
        std::thread other([&] { mgrad::write_file_atomically(top.path / "other.mg", "z"); });
        other.join();
        {
            WriteScope user(WriteRule{});  // the innermost scope counts
            mgrad::write_file_atomically(top.path / "typed.mg", "t");
        }
        CHECK_THROWS_AS(mgrad::write_file_atomically(top.path / "again.mg", "x"), mgrad::Error);
    }
    mgrad::write_file_atomically(outside, "x");  // the scope is gone: anywhere again
    CHECK(fs::exists(outside));
    CHECK(fs::exists(lesson / "inside.mg"));
    CHECK(fs::exists(top.path / "other.mg"));
    CHECK(fs::exists(top.path / "typed.mg"));
    CHECK_FALSE(fs::exists(top.path / "again.mg"));
    // Nothing half made: no temporary left anywhere.
    for (const auto& entry : fs::recursive_directory_iterator(top.path))
        CHECK(entry.path().filename().string().find(".mgrad-") == std::string::npos);
}
