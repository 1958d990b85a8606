// HistoryFile: lock the directory, load what is on disk, append, write atomically.
#include "history_file.hpp"

#include <fcntl.h>
#include <histedit.h>
#include <sys/file.h>
#include <sys/mman.h>  // memfd_create
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <new>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include <mgrad/support/atomic_file.hpp>
#include <mgrad/support/error.hpp>

namespace mgrad::cli {

namespace {

/// An exclusive lock on a directory, so that two sessions saving at once take turns (each
/// reads the file the other has just written). The kernel drops it if the process dies.
class DirectoryLock {
  public:
    explicit DirectoryLock(const std::filesystem::path& dir)
        : m_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) {
        // Without a lock (a file system that has none) the save still happens, unsynchronised.
        if (m_fd >= 0)
            while (::flock(m_fd, LOCK_EX) != 0 && errno == EINTR) {
            }
    }
    DirectoryLock(const DirectoryLock&) = delete;
    DirectoryLock& operator=(const DirectoryLock&) = delete;
    ~DirectoryLock() {
        if (m_fd >= 0) ::close(m_fd);
    }

  private:
    int m_fd;
};

struct HistoryDeleter {
    void operator()(History* h) const noexcept { history_end(h); }
};

/// libedit's file format, written by libedit itself into an anonymous file in memory (it
/// insists on a FILE with a real descriptor: it sets the file's mode), then read back.
std::string encode(History* h) {
    const int fd = ::memfd_create("mgrad-history", MFD_CLOEXEC);
    if (fd < 0) throw Error(fmt::format("cannot encode the history: {}", std::strerror(errno)));
    std::FILE* out = ::fdopen(fd, "w+");
    if (out == nullptr) {
        ::close(fd);
        throw std::bad_alloc();
    }
    const std::unique_ptr<std::FILE, int (*)(std::FILE*)> closer(out, &std::fclose);
    HistEvent ev{};
    errno = 0;
    if (history(h, &ev, H_SAVE_FP, out) < 0 || std::fflush(out) != 0)
        throw Error(fmt::format("cannot encode the history{}",
                                errno != 0 ? fmt::format(": {}", std::strerror(errno)) : ""));
    const off_t size = ::lseek(fd, 0, SEEK_END);
    std::string bytes(static_cast<std::size_t>(std::max<off_t>(size, 0)), '\0');
    std::size_t got = 0;
    while (got < bytes.size()) {
        const ssize_t n =
            ::pread(fd, bytes.data() + got, bytes.size() - got, static_cast<off_t>(got));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw Error("cannot read back the encoded history");
        got += static_cast<std::size_t>(n);
    }
    return bytes;
}

}  // namespace

HistoryFile::HistoryFile(std::string path, std::size_t max_lines)
    : m_path(std::move(path)), m_max_lines(max_lines) {}

void HistoryFile::add(std::string line) {
    m_pending.push_back(std::move(line));
    // A long failure (a full disk for a whole session) must not grow this without end.
    if (m_pending.size() > m_max_lines)
        m_pending.erase(m_pending.begin(), m_pending.begin() + static_cast<std::ptrdiff_t>(
                                                                   m_pending.size() - m_max_lines));
    save();
}

void HistoryFile::save() {
    if (m_pending.empty()) return;
    std::filesystem::path dir = std::filesystem::path(m_path).parent_path();
    if (dir.empty()) dir = ".";
    const DirectoryLock lock(dir);
    const std::unique_ptr<History, HistoryDeleter> h(history_init());
    if (!h) throw std::bad_alloc();
    HistEvent ev{};
    history(h.get(), &ev, H_SETSIZE, static_cast<int>(m_max_lines));
    struct stat st {};
    if (::stat(m_path.c_str(), &st) == 0 && st.st_size > 0) {
        // What is on disk now, with the lines other sessions added since this one started.
        // A file that exists but cannot be read is never replaced: that would lose it.
        errno = 0;
        if (history(h.get(), &ev, H_LOAD, m_path.c_str()) < 0)
            throw Error(fmt::format(
                "cannot read the history file '{}'{}", m_path,
                errno != 0 ? fmt::format(": {}", std::strerror(errno)) : std::string()));
    }
    for (const std::string& line : m_pending)
        history(h.get(), &ev, H_ENTER, line.c_str());
    write_file_atomically(m_path, encode(h.get()));
    m_pending.clear();
}

}  // namespace mgrad::cli
