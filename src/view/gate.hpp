// Gate — the view's listening socket, and the one thread that reads every request before a
// worker sees it.
//
// The HTTP library would give each new connection a worker thread of its own to read the
// request in, with no bound on its header lines and a timeout per read only: one client sending
// header lines without end grew mgrad by a gigabyte, and a dozen sending one line every few
// seconds held every worker, so the page itself got no answer. Here one thread polls every
// connection that has not yet sent a whole request, reads what each has sent into a
// RequestReader (bounded in bytes and lines), and gives each connection a fixed time for its
// whole request. A request that is complete and passes the checks (the token first) goes to a
// worker; any other gets its refusal from this thread, and the connection is closed. So a
// client without the token never occupies a worker, and costs at most one RequestReader for a
// few seconds; at most max_pending connections wait at once (the oldest goes when another
// comes).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <thread>

#include "request_reader.hpp"

namespace mgrad::view::detail {

/// A connected socket, closed when this goes.
class Socket {
  public:
    Socket() = default;
    explicit Socket(int fd) noexcept : m_fd(fd) {}
    Socket(Socket&& other) noexcept : m_fd(other.m_fd) { other.m_fd = -1; }
    Socket& operator=(Socket&& other) noexcept;
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    ~Socket();
    [[nodiscard]] int fd() const noexcept { return m_fd; }

  private:
    int m_fd = -1;
};

/// A connection whose request is complete and passed the checks.
struct Admitted {
    Socket socket;
    std::string request;  ///< the request's bytes, exactly (head and body)
    std::string path;     ///< its path, without the query
};

class Gate {
  public:
    /// Connections waiting for their request to be complete; one more closes the oldest.
    static constexpr std::size_t max_pending = 256;
    /// The time a connection has, from being accepted, to send its whole request.
    static constexpr std::chrono::milliseconds request_time{3000};
    /// After a refusal, how long the rest of what the client sends is read and dropped (so the
    /// refusal is not lost to a reset), and how much of it at most.
    static constexpr std::chrono::milliseconds linger_time{1000};
    static constexpr std::size_t linger_bytes = 64 * 1024;

    /// Why a complete request is refused, or nothing when it may be admitted.
    using Check = std::function<std::optional<Refusal>(const RequestReader&)>;
    /// Takes an admitted request (moving from it) and returns true, or returns false when it
    /// cannot take more now (the client is told the server is busy).
    using Admit = std::function<bool(Admitted&)>;

    /// Listens on 127.0.0.1:`port` (0: a free port). Throws mgrad::Error when it cannot.
    explicit Gate(std::uint16_t port);
    Gate(const Gate&) = delete;
    Gate& operator=(const Gate&) = delete;
    ~Gate();

    [[nodiscard]] std::uint16_t port() const noexcept { return m_port; }
    [[nodiscard]] int listening_fd() const noexcept { return m_listen.fd(); }

    /// Starts the gate's thread. `check` and `admit` run on it.
    void start(Check check, Admit admit);
    /// Stops accepting and closes every connection not yet admitted; joins the thread.
    void stop();

  private:
    void run();

    Socket m_listen;
    Socket m_wake;  ///< an eventfd: stop() makes it readable
    std::uint16_t m_port = 0;
    Check m_check;
    Admit m_admit;
    std::thread m_thread;
};

}  // namespace mgrad::view::detail
