// The write rule: a thread's innermost WriteScope, and the test of a file against it.
#include "mgrad/support/write_rule.hpp"

#include <iterator>
#include <string>

#include <fmt/format.h>

#include "mgrad/support/error.hpp"

namespace mgrad {
namespace {

namespace fs = std::filesystem;

const WriteRule anywhere{};
thread_local const WriteRule* t_rule = nullptr;

/// Where `path` really is: absolute, with `.`, `..` and every symbolic link resolved, as far
/// as it exists (a file not made yet is judged by its directory).
fs::path real_place(const fs::path& path) {
    std::error_code ec;
    fs::path absolute = fs::absolute(path, ec);
    if (ec) absolute = path;
    fs::path real = fs::weakly_canonical(absolute, ec);
    return ec ? absolute.lexically_normal() : real;
}

/// Whether `file` lies strictly inside `dir` (both resolved), component by component.
bool is_inside(const fs::path& file, const fs::path& dir) {
    auto f = file.begin();
    for (auto d = dir.begin(); d != dir.end(); ++d, ++f) {
        if (d->empty() && std::next(d) == dir.end()) break;  // a trailing separator
        if (f == file.end() || *f != *d) return false;
    }
    return f != file.end();
}

}  // namespace

WriteRule WriteRule::inside(const std::vector<fs::path>& dirs) {
    WriteRule rule;
    rule.m_dirs.emplace();
    for (const fs::path& dir : dirs)
        rule.m_dirs->push_back(real_place(dir));
    return rule;
}

bool WriteRule::allows(const fs::path& file) const {
    if (!m_dirs) return true;
    const fs::path place = real_place(file);
    for (const fs::path& dir : *m_dirs)
        if (is_inside(place, dir)) return true;
    return false;
}

bool WriteRule::allows_directory(const fs::path& dir) const {
    if (!m_dirs) return true;
    const fs::path place = real_place(dir);
    for (const fs::path& allowed : *m_dirs)
        if (place == allowed || is_inside(place, allowed)) return true;
    return false;
}

void WriteRule::check(const fs::path& file) const {
    if (!allows(file)) refuse(fmt::format("cannot write '{}'", file.string()));
}

void WriteRule::check_directory(const fs::path& dir) const {
    if (!allows_directory(dir)) refuse(fmt::format("cannot make the directory '{}'", dir.string()));
}

void WriteRule::refuse(std::string_view what) const {
    // The current directory is not named (the user knows it, and a transcript stays the same
    // wherever it is run); the other allowed ones are.
    std::string where = "the current directory";
    for (std::size_t i = 1; i < m_dirs->size(); ++i)
        where += fmt::format(" and {}", (*m_dirs)[i].string());
    throw Error(
        fmt::format("{}: a script may write only inside {} (mgrad --allow-write DIR allows another "
                    "directory)",
                    what, where));
}

const WriteRule& current_write_rule() noexcept { return t_rule ? *t_rule : anywhere; }

WriteScope::WriteScope(WriteRule rule) : m_rule(std::move(rule)), m_outer(t_rule) {
    t_rule = &m_rule;
}

WriteScope::~WriteScope() { t_rule = m_outer; }

}  // namespace mgrad
