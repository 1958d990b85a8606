// Atomic file replacement: a temporary file in the target's directory, fsync, rename.
#include "mgrad/support/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "mgrad/support/error.hpp"

namespace mgrad {
namespace {

[[noreturn]] void fail(const std::filesystem::path& target, int error) {
    throw Error(fmt::format("cannot write '{}': {}", target.string(), std::strerror(error)));
}

/// A symbolic link is followed, so the file it points to is replaced and the link stays (the
/// history file is often a link into a dotfiles repository).
std::filesystem::path resolve(const std::filesystem::path& target) {
    std::error_code ec;
    if (!std::filesystem::is_symlink(target, ec)) return target;
    std::filesystem::path real = std::filesystem::weakly_canonical(target, ec);
    return ec ? target : real;
}

/// Owns the temporary file: closes it and removes it unless commit() renamed it.
class TempFile {
  public:
    explicit TempFile(const std::filesystem::path& target)
        : m_given(target), m_target(resolve(target)) {
        if (target.filename().empty())
            throw Error(fmt::format("cannot write '{}': not a file name", target.string()));
        // Renaming over a device (/dev/null, /dev/full), a pipe or a socket would replace it
        // with a plain file, which for root means breaking the system.
        struct stat existing {};
        if (::stat(m_target.c_str(), &existing) == 0 && !S_ISREG(existing.st_mode))
            throw Error(fmt::format(
                "cannot write '{}': {}", target.string(),
                S_ISDIR(existing.st_mode) ? "it is a directory" : "it is not a regular file"));
        std::filesystem::path dir = m_target.parent_path();
        if (dir.empty()) dir = ".";
        std::string name = m_target.filename().string();
        name.insert(0, 1, '.');  // hidden while incomplete
        name.append(".XXXXXX");
        m_path = (dir / name).string();
        m_fd = ::mkstemp(m_path.data());
        if (m_fd < 0) fail(target, errno);
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    ~TempFile() {
        if (m_fd >= 0) ::close(m_fd);
        if (!m_kept) ::unlink(m_path.c_str());
    }

    [[nodiscard]] const std::string& path() const noexcept { return m_path; }

    void write_all(std::string_view bytes) {
        const char* p = bytes.data();
        std::size_t left = bytes.size();
        while (left > 0) {
            const ssize_t n = ::write(m_fd, p, left);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) fail(m_given, n < 0 ? errno : EIO);
            p += n;
            left -= static_cast<std::size_t>(n);
        }
    }

    /// Flushes, sets the mode and renames the temporary file over the target.
    void commit() {
        // mkstemp makes the file 0600: keep the mode of the file being replaced, else the
        // usual 0644 (reading the umask would mean changing it, which races other threads).
        struct stat old {};
        ::fchmod(m_fd, ::stat(m_target.c_str(), &old) == 0 ? (old.st_mode & 07777) : 0644);
        // Without fsync a crash soon after the rename can leave an empty file on some file
        // systems: the rename reaches the disk before the data.
        if (::fsync(m_fd) != 0 && errno != EINVAL) fail(m_given, errno);
        const int rc = ::close(m_fd);
        m_fd = -1;
        if (rc != 0) fail(m_given, errno);
        if (::rename(m_path.c_str(), m_target.c_str()) != 0) fail(m_given, errno);
        m_kept = true;
    }

  private:
    std::filesystem::path m_given;   ///< as the user wrote it, for messages
    std::filesystem::path m_target;  ///< the file replaced (a link's target)
    std::string m_path;
    int m_fd = -1;
    bool m_kept = false;
};

}  // namespace

void write_file_atomically(const std::filesystem::path& file, std::string_view bytes) {
    TempFile temp(file);
    temp.write_all(bytes);
    temp.commit();
}

void write_file_atomically(
    const std::filesystem::path& file,
    const std::function<void(const std::function<void(std::string_view)>& sink)>& produce) {
    TempFile temp(file);
    produce([&temp](std::string_view bytes) { temp.write_all(bytes); });
    temp.commit();
}

void replace_file_atomically(const std::filesystem::path& file,
                             const std::function<bool(const std::string& temp_path)>& write) {
    TempFile temp(file);
    errno = 0;
    if (!write(temp.path()))
        throw Error(fmt::format("cannot write '{}': {}", file.string(),
                                errno ? std::strerror(errno) : "the writer failed"));
    temp.commit();
}

}  // namespace mgrad
