// Helpers for the tests of faults and interrupts: a scratch directory, a Ctrl-C delivered after
// a delay (as the REPL's SIGINT handler delivers it), a file size limit for one scope.
#pragma once

#include <doctest/doctest.h>

#include <sys/resource.h>
#include <sys/time.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <string_view>

namespace mgrad_test {

struct TempDir {
    std::filesystem::path path;
    TempDir() {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "mgrad-test-XXXXXX").string();
        REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        path = pattern;
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    [[nodiscard]] std::set<std::string> entries() const {
        std::set<std::string> names;
        for (const auto& e : std::filesystem::directory_iterator(path))
            names.insert(e.path().filename().string());
        return names;
    }
};

inline std::string slurp(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

inline void put(const std::filesystem::path& file, std::string_view text) {
    std::ofstream(file, std::ios::binary) << text;
}

/// The flag a Session polls, set by SIGALRM after a delay: how the REPL's Ctrl-C arrives (from
/// a signal handler, while the command runs), without a pseudo-terminal.
class InterruptAfter {
  public:
    static inline volatile std::sig_atomic_t flag = 0;

    explicit InterruptAfter(int milliseconds) {
        flag = 0;
        struct sigaction action {};
        action.sa_handler = [](int) { flag = 1; };
        sigemptyset(&action.sa_mask);
        sigaction(SIGALRM, &action, &m_old);
        itimerval when{};
        when.it_value.tv_sec = milliseconds / 1000;
        when.it_value.tv_usec = (milliseconds % 1000) * 1000;
        setitimer(ITIMER_REAL, &when, nullptr);
    }
    InterruptAfter(const InterruptAfter&) = delete;
    InterruptAfter& operator=(const InterruptAfter&) = delete;
    ~InterruptAfter() {
        itimerval off{};
        setitimer(ITIMER_REAL, &off, nullptr);
        sigaction(SIGALRM, &m_old, nullptr);
        flag = 0;
    }

  private:
    struct sigaction m_old {};
};

/// The soft file size limit (ulimit -f) for one scope, with SIGXFSZ ignored so that a write
/// past it fails with EFBIG instead of ending the process.
class FileSizeLimit {
  public:
    explicit FileSizeLimit(rlim_t bytes) {
        REQUIRE(::getrlimit(RLIMIT_FSIZE, &m_old) == 0);
        m_handler = std::signal(SIGXFSZ, SIG_IGN);
        rlimit limited = m_old;
        limited.rlim_cur = bytes;
        REQUIRE(::setrlimit(RLIMIT_FSIZE, &limited) == 0);
    }
    FileSizeLimit(const FileSizeLimit&) = delete;
    FileSizeLimit& operator=(const FileSizeLimit&) = delete;
    ~FileSizeLimit() {
        ::setrlimit(RLIMIT_FSIZE, &m_old);
        std::signal(SIGXFSZ, m_handler);
    }

  private:
    rlimit m_old{};
    void (*m_handler)(int) = nullptr;
};

}  // namespace mgrad_test
