// A forked child that does one piece of work and can be killed (child_process.hpp).
#include "child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <exception>
#include <utility>

#include <fmt/format.h>

#include "mgrad/support/error.hpp"

namespace mgrad::render_detail {
namespace {

/// The first byte the child sends: what the rest is.
constexpr char result_ok = 'O';
constexpr char result_error = 'E';

/// A file descriptor, closed on destruction.
class Fd {
  public:
    explicit Fd(int fd = -1) noexcept : m_fd(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { reset(); }
    void reset() noexcept {
        if (m_fd >= 0) ::close(m_fd);
        m_fd = -1;
    }
    [[nodiscard]] int get() const noexcept { return m_fd; }

  private:
    int m_fd;
};

/// The child's process id; a child still running when this goes away is killed and reaped, so
/// no exception path leaves a layout running or a zombie behind.
class Child {
  public:
    explicit Child(pid_t pid) noexcept : m_pid(pid) {}
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    ~Child() {
        if (m_pid > 0) {
            ::kill(m_pid, SIGKILL);
            (void)wait();
        }
    }
    /// Waits for the child to end and returns its status (as waitpid gives it).
    int wait() noexcept {
        int status = 0;
        while (::waitpid(m_pid, &status, 0) < 0 && errno == EINTR) {
        }
        m_pid = -1;
        return status;
    }
    void kill() noexcept { ::kill(m_pid, SIGKILL); }

  private:
    pid_t m_pid;
};

void write_all(int fd, const char* data, std::size_t size) noexcept {
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0) {
            if (errno == EINTR) continue;
            return;  // the parent went away or stopped listening: nothing more to do
        }
        data += n;
        size -= static_cast<std::size_t>(n);
    }
}

/// The child's side: do the work, send the result, leave without running any of the parent's
/// exit handlers or flushing its stdio buffers (which would print them twice).
[[noreturn]] void child_main(const std::function<std::string()>& work, int out, pid_t parent) {
    // A Ctrl-C on the terminal reaches the whole process group: the child ends at once rather
    // than run the parent's handler. It also ends if the parent dies (kill -9).
    std::signal(SIGINT, SIG_DFL);
    // A crash ends the child plainly: the handlers of the process it was copied from (a test
    // framework's, Python's fault handler) must not run in it.
    for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTERM, SIGPIPE})
        std::signal(sig, SIG_DFL);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(1);
    std::string result;
    char kind = result_ok;
    try {
        result = work();
    } catch (const std::exception& e) {
        kind = result_error;
        result = e.what();
    } catch (...) {
        kind = result_error;
        result = "unknown error";
    }
    write_all(out, &kind, 1);
    write_all(out, result.data(), result.size());
    ::_exit(0);
}

}  // namespace

std::string run_in_child(const std::function<std::string()>& work, const DrawControl& control,
                         std::size_t nodes) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return work();
    Fd read_end(fds[0]), write_end(fds[1]);
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) return work();  // no room for a child: lay out here, uninterruptibly
    if (pid == 0) {
        read_end.reset();
        child_main(work, write_end.get(), parent);
    }
    Child child(pid);
    write_end.reset();  // so that the pipe ends when the child does

    using Clock = std::chrono::steady_clock;
    const Clock::time_point start = Clock::now();
    Clock::time_point next_report = start + std::chrono::seconds(1);
    bool reported = false;
    auto seconds = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
    auto finish_progress = [&] {
        if (reported && control.progress) control.progress(DrawProgress{seconds(), nodes, true});
    };
    std::string bytes;
    char buffer[65536];
    for (;;) {
        if (control.cancelled && control.cancelled()) {
            child.kill();
            (void)child.wait();
            finish_progress();
            throw Error("interrupted; nothing was written");
        }
        pollfd p{read_end.get(), POLLIN, 0};
        const int ready = ::poll(&p, 1, 20);  // 20 ms: a Ctrl-C is seen well within 0.5 s
        if (ready < 0 && errno != EINTR) break;
        if (ready > 0) {
            const ssize_t n = ::read(read_end.get(), buffer, sizeof buffer);
            if (n == 0) break;  // the child has finished (or died)
            if (n < 0) {
                if (errno == EINTR || errno == EAGAIN) continue;
                break;
            }
            bytes.append(buffer, static_cast<std::size_t>(n));
        }
        if (control.progress && Clock::now() >= next_report) {
            control.progress(DrawProgress{seconds(), nodes, false});
            reported = true;
            next_report += std::chrono::seconds(1);
        }
    }
    const int status = child.wait();
    finish_progress();
    if (WIFSIGNALED(status)) {
        // SIGINT: the terminal's Ctrl-C reached the child first.
        if (WTERMSIG(status) == SIGINT || (control.cancelled && control.cancelled()))
            throw Error("interrupted; nothing was written");
        throw Error(fmt::format("the layout process ended with signal {} ({})", WTERMSIG(status),
                                strsignal(WTERMSIG(status))));
    }
    if (bytes.empty() || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw Error("the layout process ended without a result");
    const char kind = bytes.front();
    bytes.erase(0, 1);
    if (kind == result_error) throw Error(bytes);
    return bytes;
}

}  // namespace mgrad::render_detail
