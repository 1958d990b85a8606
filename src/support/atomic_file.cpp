// Atomic file replacement: a locked temporary file in the target's directory, fsync, rename;
// stale temporaries of killed writers removed on the next write.
#include "mgrad/support/atomic_file.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include <fmt/format.h>

#include "mgrad/support/error.hpp"
#include "mgrad/support/write_rule.hpp"

namespace mgrad {
namespace {

[[noreturn]] void fail(const std::filesystem::path& target, std::string_view reason) {
    throw Error(fmt::format("cannot write '{}': {}", target.string(), reason));
}
[[noreturn]] void fail_errno(const std::filesystem::path& target, int error) {
    fail(target, std::strerror(error));
}

/// A symbolic link is followed, so the file it points to is replaced and the link stays (the
/// history file is often a link into a dotfiles repository).
std::filesystem::path resolve(const std::filesystem::path& target) {
    std::error_code ec;
    if (!std::filesystem::is_symlink(target, ec)) return target;
    std::filesystem::path real = std::filesystem::weakly_canonical(target, ec);
    return ec ? target : real;
}

std::filesystem::path directory_of(const std::filesystem::path& file) {
    std::filesystem::path dir = file.parent_path();
    return dir.empty() ? std::filesystem::path(".") : dir;
}

/// Checks `given` (resolved to `target`) and returns the directory the temporary goes to.
std::filesystem::path check_target(const std::filesystem::path& given,
                                   const std::filesystem::path& target) {
    if (given.filename().empty() || target.filename().empty()) fail(given, "not a file name");
    // Where a script may write (write_rule.hpp): judged before anything is made.
    current_write_rule().check(given);
    current_write_rule().check(target);
    // Renaming over a device (/dev/null, /dev/full), a pipe or a socket would replace it with a
    // plain file, which for root means breaking the system; opening a pipe would block.
    struct stat existing {};
    if (::stat(target.c_str(), &existing) == 0 && !S_ISREG(existing.st_mode))
        fail(given, S_ISDIR(existing.st_mode) ? "it is a directory" : "it is not a regular file");
    const std::filesystem::path dir = directory_of(target);
    struct stat d {};
    if (::stat(dir.c_str(), &d) != 0) {
        if (errno == ENOENT) fail(given, fmt::format("there is no directory '{}'", dir.string()));
        fail_errno(given, errno);
    }
    if (!S_ISDIR(d.st_mode)) fail(given, fmt::format("'{}' is not a directory", dir.string()));
    return dir;
}

constexpr std::string_view temp_marker = ".mgrad-";  // .NAME.mgrad-XXXXXX
constexpr std::size_t temp_random = 6;               // mkstemp's XXXXXX

/// The part of a temporary's name before `.mgrad-XXXXXX`: `.NAME`, or for a name too long to
/// take the suffix within the file system's limit (NAME_MAX, 255 bytes on Linux), the start
/// of the name and a hash of all of it, so two long names still get different temporaries.
std::string temp_stem(const std::string& name, const std::filesystem::path& dir) {
    long name_max = ::pathconf(dir.c_str(), _PC_NAME_MAX);
    if (name_max <= 0) name_max = 255;
    const std::size_t limit = static_cast<std::size_t>(name_max);
    const std::size_t suffix = temp_marker.size() + temp_random;
    std::string stem(1, '.');
    if (1 + name.size() + suffix <= limit) return stem.append(name);
    std::uint64_t h = 14695981039346656037u;  // FNV-1a
    for (const char c : name) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211u;
    }
    const std::string tag = fmt::format("~{:016x}", h);
    const std::size_t fixed = 1 + suffix + tag.size();
    std::size_t keep = limit > fixed ? std::min(limit - fixed, name.size()) : 0;
    // Not in the middle of a UTF-8 sequence: the name stays readable in a listing.
    while (keep > 0 && (static_cast<unsigned char>(name[keep]) & 0xC0) == 0x80)
        --keep;
    return stem.append(name, 0, keep).append(tag);
}

/// Removes the temporaries a killed writer left for the same target. A writer holds an
/// exclusive lock on its temporary from creation to rename, and the kernel drops it when the
/// process dies, so a temporary whose lock can be taken belongs to nobody.
void remove_stale_temporaries(const std::filesystem::path& dir, const std::string& stem) {
    DIR* listing = ::opendir(dir.c_str());
    if (listing == nullptr) return;
    const std::string prefix = stem + std::string(temp_marker);
    while (const dirent* entry = ::readdir(listing)) {
        const std::string_view name = entry->d_name;
        if (name.size() != prefix.size() + temp_random || !name.starts_with(prefix)) continue;
        const std::string path = (dir / std::string(name)).string();
        const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) continue;
        struct stat held {
        }, named{};
        if (::fstat(fd, &held) == 0 && S_ISREG(held.st_mode) && held.st_uid == ::geteuid() &&
            ::flock(fd, LOCK_EX | LOCK_NB) == 0 && ::lstat(path.c_str(), &named) == 0 &&
            named.st_ino == held.st_ino && named.st_dev == held.st_dev)
            (void)::unlink(path.c_str());
        ::close(fd);
    }
    ::closedir(listing);
}

/// Owns the temporary file: closes it and removes it unless commit() renamed it.
class TempFile {
  public:
    explicit TempFile(const std::filesystem::path& target)
        : m_given(target), m_target(resolve(target)) {
        m_dir = check_target(m_given, m_target);
        const std::string stem = temp_stem(m_target.filename().string(), m_dir);
        remove_stale_temporaries(m_dir, stem);
        // A cleaner in another process may take the lock between mkstemp and flock and remove
        // the new file: then it has no link left, and a fresh one is made.
        for (int attempt = 0; attempt < 8; ++attempt) {
            m_path = (m_dir / (stem + std::string(temp_marker) + "XXXXXX")).string();
            m_fd = ::mkostemp(m_path.data(), O_CLOEXEC);
            if (m_fd < 0) fail_errno(m_given, errno);
            // Where the file system has no locks (some network ones), nothing is locked, and
            // nothing is cleaned either: a cleaner cannot take a lock there.
            while (::flock(m_fd, LOCK_EX) != 0 && errno == EINTR) {
            }
            struct stat st {};
            if (::fstat(m_fd, &st) == 0 && st.st_nlink > 0) {
                // The lock belongs to the open file, which this second descriptor keeps open
                // until the rename is done, after the first one is closed (and checked).
                m_lock = ::fcntl(m_fd, F_DUPFD_CLOEXEC, 0);
                if (m_lock >= 0) return;
                const int error = errno;
                ::unlink(m_path.c_str());
                ::close(m_fd);
                fail_errno(m_given, error);
            }
            ::close(m_fd);
            m_fd = -1;
        }
        fail(m_given, "the temporary file kept disappearing");
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    ~TempFile() {
        if (!m_kept && !m_path.empty()) ::unlink(m_path.c_str());
        // After unlink: the lock guards the name until it is gone.
        if (m_fd >= 0) ::close(m_fd);
        if (m_lock >= 0) ::close(m_lock);
    }

    void write_all(std::string_view bytes) {
        const char* p = bytes.data();
        std::size_t left = bytes.size();
        while (left > 0) {
            const ssize_t n = ::write(m_fd, p, left);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) fail_errno(m_given, n < 0 ? errno : EIO);
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
        // systems: the rename reaches the disk before the data. A write-back error (EIO) is
        // reported here too.
        if (::fsync(m_fd) != 0 && errno != EINVAL) fail_errno(m_given, errno);
        const int rc = ::close(m_fd);
        m_fd = -1;
        if (rc != 0 && errno != EINTR) fail_errno(m_given, errno);
        // Renamed while still locked (m_lock), so no cleaner can take it for a stale one.
        if (::rename(m_path.c_str(), m_target.c_str()) != 0) fail_errno(m_given, errno);
        m_kept = true;
        ::close(m_lock);
        m_lock = -1;
        // The rename itself reaches the disk with the directory: best effort, the new file is
        // complete either way.
        const int dir = ::open(m_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir >= 0) {
            (void)::fsync(dir);
            ::close(dir);
        }
    }

  private:
    std::filesystem::path m_given;   ///< as the user wrote it, for messages
    std::filesystem::path m_target;  ///< the file replaced (a link's target)
    std::filesystem::path m_dir;     ///< where the temporary file lives: the target's directory
    std::string m_path;
    int m_fd = -1;    ///< written to
    int m_lock = -1;  ///< the same open file, holding the lock until the rename
    bool m_kept = false;
};

}  // namespace

void write_file_atomically(const std::filesystem::path& file, std::string_view bytes) {
    TempFile temp(file);
    temp.write_all(bytes);
    temp.commit();
}

void check_writable(const std::filesystem::path& file) { (void)check_target(file, resolve(file)); }

void make_directories(const std::filesystem::path& dir) {
    current_write_rule().check_directory(dir);
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec || !std::filesystem::is_directory(dir))
        throw Error(fmt::format("cannot make the directory '{}': {}", dir.string(),
                                ec ? ec.message() : "a file has that name"));
}

void write_file_atomically(
    const std::filesystem::path& file,
    const std::function<void(const std::function<void(std::string_view)>& sink)>& produce) {
    TempFile temp(file);
    produce([&temp](std::string_view bytes) { temp.write_all(bytes); });
    temp.commit();
}

}  // namespace mgrad
