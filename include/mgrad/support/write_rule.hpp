// Write rule — where the files a script writes may go.
//
// A lesson file from someone else runs with the user's rights: unchecked, its `:save ../../x`,
// `:draw L /abs/x.svg` or `:trace L /abs/frames` would write anywhere the user may. So the
// statements of a script (a file run or `:load`ed, a notebook's cell) may write only inside the
// current directory and the directories the user allowed, while what the user types may write
// anywhere. The rule belongs to the calling thread: a Session sets one (WriteScope) while it runs
// a script, and write_file_atomically and check_writable (atomic_file.hpp), through which mgrad
// writes every file a user keeps, ask it first. So no command checks anything of its own.
//
// The file is judged by where it really is: `..` and symbolic links (a link to ~/.bashrc placed
// beside the lesson, a linked directory) are resolved before the test.
#pragma once

#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

#include "mgrad/support/export.hpp"

namespace mgrad {

class MGRAD_API WriteRule {
  public:
    /// Anywhere: typed statements, and files mgrad writes for itself.
    WriteRule() = default;
    /// Only inside `dirs` and below (made absolute and resolved now). The first is the current
    /// directory (the error calls it that).
    static WriteRule inside(const std::vector<std::filesystem::path>& dirs);

    [[nodiscard]] bool restricted() const noexcept { return m_dirs.has_value(); }
    [[nodiscard]] bool allows(const std::filesystem::path& file) const;
    /// Whether files may be written inside the directory `dir` (an allowed one or below it).
    [[nodiscard]] bool allows_directory(const std::filesystem::path& dir) const;
    /// Throws mgrad::Error ("cannot write 'FILE': a script may write only inside …") unless
    /// allows(file).
    void check(const std::filesystem::path& file) const;
    /// Throws mgrad::Error ("cannot make the directory 'DIR': …") unless allows_directory(dir).
    void check_directory(const std::filesystem::path& dir) const;

  private:
    [[noreturn]] void refuse(std::string_view what) const;

    std::optional<std::vector<std::filesystem::path>> m_dirs;
};

/// The calling thread's rule: the innermost live WriteScope's, else anywhere.
[[nodiscard]] MGRAD_API const WriteRule& current_write_rule() noexcept;

/// Makes `rule` the calling thread's while it lives; the rule before comes back after.
class MGRAD_API WriteScope {
  public:
    explicit WriteScope(WriteRule rule);
    WriteScope(const WriteScope&) = delete;
    WriteScope& operator=(const WriteScope&) = delete;
    ~WriteScope();

  private:
    WriteRule m_rule;
    const WriteRule* m_outer;
};

}  // namespace mgrad
