#include "gate.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "mgrad/support/error.hpp"

namespace mgrad::view::detail {

namespace {

using Clock = std::chrono::steady_clock;

/// Connections accepted in one turn of the loop before the waiting ones are read again, so a
/// flood of new connections cannot keep the gate from reading the page's request.
constexpr int accepts_per_turn = 16;

Socket listen_on(std::uint16_t port) {
    Socket sock(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (sock.fd() < 0)
        throw Error(fmt::format("the view cannot make a socket: {}", std::strerror(errno)));
    // A restart may reuse a port still in TIME_WAIT; no SO_REUSEPORT, so a port another program
    // listens on stays an error (a second process cannot share the view's port).
    const int yes = 1;
    ::setsockopt(sock.fd(), SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(sock.fd(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(sock.fd(), SOMAXCONN) != 0) {
        if (port == 0)
            throw Error(
                fmt::format("the view cannot listen on 127.0.0.1: {}", std::strerror(errno)));
        throw Error(fmt::format(
            "the view cannot listen on 127.0.0.1:{} (is another program using that port? "
            "--view-port 0 picks a free one)",
            port));
    }
    return sock;
}

std::uint16_t port_of(const Socket& sock) {
    sockaddr_in address{};
    socklen_t size = sizeof address;
    if (::getsockname(sock.fd(), reinterpret_cast<sockaddr*>(&address), &size) != 0)
        throw Error(fmt::format("the view cannot read its port: {}", std::strerror(errno)));
    return ntohs(address.sin_port);
}

/// A connection that has not sent its whole request yet, or that is being closed after a
/// refusal (`lingering`).
struct Pending {
    Socket socket;
    RequestReader reader;
    Clock::time_point deadline;
    bool lingering = false;
    std::size_t drained = 0;
};

/// The gate's thread: its connections and what it does with each.
class Loop {
  public:
    Loop(int listen_fd, int wake_fd, const Gate::Check& check, const Gate::Admit& admit)
        : m_listen(listen_fd), m_wake(wake_fd), m_check(check), m_admit(admit) {}

    void run() {
        std::vector<pollfd> fds;
        while (true) {
            const auto now = Clock::now();
            expire(now);
            fds.clear();
            fds.push_back({m_wake, POLLIN, 0});
            const bool accepting = now >= m_accept_after;
            fds.push_back({accepting ? m_listen : -1, POLLIN, 0});
            auto next = now + std::chrono::hours(1);
            if (!accepting) next = std::min(next, m_accept_after);
            for (const Pending& p : m_pending) {
                fds.push_back({p.socket.fd(), POLLIN, 0});
                next = std::min(next, p.deadline);
            }
            const auto wait =
                std::chrono::ceil<std::chrono::milliseconds>(next - Clock::now()).count();
            const int ready =
                ::poll(fds.data(), fds.size(), static_cast<int>(std::max<long>(wait, 0)));
            if (ready < 0 && errno != EINTR) return;
            if (ready <= 0) continue;
            if (fds[0].revents != 0) return;  // stop()
            // Read before accepting, so the connections already waiting go first; indices in
            // `fds` match m_pending until something is removed, so go from the back.
            for (std::size_t i = m_pending.size(); i-- > 0;)
                if (fds[i + 2].revents != 0) serve(i);
            if (fds[1].revents != 0) accept_some();
        }
    }

  private:
    void accept_some() {
        for (int n = 0; n < accepts_per_turn; ++n) {
            const int fd = ::accept4(m_listen, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0) {
                if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                    // Out of descriptors: free the oldest and pause accepting for a moment, as
                    // the listening socket would stay readable and the loop would spin.
                    if (!m_pending.empty()) drop(oldest());
                    m_accept_after = Clock::now() + std::chrono::milliseconds(10);
                }
                return;  // EAGAIN: none left; anything else: try again next turn
            }
            const int yes = 1;
            ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
            if (m_pending.size() >= Gate::max_pending) drop(oldest());
            Pending p;
            p.socket = Socket(fd);
            p.deadline = Clock::now() + Gate::request_time;
            m_pending.push_back(std::move(p));
            serve(m_pending.size() - 1);  // its request is often there already
        }
    }

    /// Reads what connection `i` has sent, and answers it when its request is complete.
    void serve(std::size_t i) {
        Pending& p = m_pending[i];
        std::array<char, 4096> buffer{};
        while (true) {
            const std::size_t want =
                p.lingering ? buffer.size() : std::min(buffer.size(), p.reader.wanted());
            const ssize_t n = ::recv(p.socket.fd(), buffer.data(), want, 0);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
            if (n <= 0) return drop(i);  // closed by the client, or reset
            if (p.lingering) {
                p.drained += static_cast<std::size_t>(n);
                if (p.drained > Gate::linger_bytes) return drop(i);
                continue;
            }
            p.reader.feed(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
            switch (p.reader.state()) {
                case RequestReader::State::Head:
                case RequestReader::State::Body: continue;
                case RequestReader::State::Refused: return refuse(i, p.reader.refusal());
                case RequestReader::State::Done: return decide(i);
            }
        }
    }

    void decide(std::size_t i) {
        Pending& p = m_pending[i];
        if (auto refusal = m_check(p.reader)) return refuse(i, *refusal);
        Admitted admitted{std::move(p.socket), std::string(p.reader.request()),
                          std::string(p.reader.path())};
        if (m_admit(admitted)) return drop(i);
        p.socket = std::move(admitted.socket);
        refuse(i, Refusal{503, "the view is busy: try again"});
    }

    /// Sends the refusal, then reads and drops what the client still sends for a moment (a
    /// close with unread data would reset the connection, and the client could lose the
    /// answer before reading it).
    void refuse(std::size_t i, const Refusal& refusal) {
        Pending& p = m_pending[i];
        const std::string response = refusal_response(refusal);
        // Small enough for the socket's buffer; a client that cannot take it gets nothing.
        (void)::send(p.socket.fd(), response.data(), response.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        ::shutdown(p.socket.fd(), SHUT_WR);
        p.lingering = true;
        p.reader = RequestReader{};
        p.deadline = std::min(p.deadline, Clock::now() + Gate::linger_time);
        p.deadline = std::max(p.deadline, Clock::now() + std::chrono::milliseconds(100));
    }

    void expire(Clock::time_point now) {
        for (std::size_t i = m_pending.size(); i-- > 0;) {
            if (m_pending[i].deadline > now) continue;
            if (m_pending[i].lingering)
                drop(i);
            else
                refuse(i, Refusal{408, fmt::format("a request must arrive whole within {} s",
                                                   Gate::request_time.count() / 1000.0)});
        }
    }

    [[nodiscard]] std::size_t oldest() const {
        // Deadlines are set at accept (or shortened by a refusal): the earliest is the oldest
        // or one that is being closed anyway.
        const auto it = std::min_element(
            m_pending.begin(), m_pending.end(),
            [](const Pending& a, const Pending& b) { return a.deadline < b.deadline; });
        return static_cast<std::size_t>(it - m_pending.begin());
    }

    void drop(std::size_t i) {
        if (i + 1 != m_pending.size()) m_pending[i] = std::move(m_pending.back());
        m_pending.pop_back();
    }

    int m_listen;
    int m_wake;
    const Gate::Check& m_check;
    const Gate::Admit& m_admit;
    std::vector<Pending> m_pending;
    Clock::time_point m_accept_after{};
};

}  // namespace

Socket& Socket::operator=(Socket&& other) noexcept {
    if (this != &other) {
        if (m_fd >= 0) ::close(m_fd);
        m_fd = other.m_fd;
        other.m_fd = -1;
    }
    return *this;
}

Socket::~Socket() {
    if (m_fd >= 0) ::close(m_fd);
}

Gate::Gate(std::uint16_t port)
    : m_listen(listen_on(port)), m_wake(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (m_wake.fd() < 0)
        throw Error(fmt::format("the view cannot make an eventfd: {}", std::strerror(errno)));
    m_port = port_of(m_listen);
}

Gate::~Gate() { stop(); }

void Gate::start(Check check, Admit admit) {
    m_check = std::move(check);
    m_admit = std::move(admit);
    m_thread = std::thread([this] { run(); });
}

void Gate::stop() {
    if (!m_thread.joinable()) return;
    const std::uint64_t one = 1;
    (void)!::write(m_wake.fd(), &one, sizeof one);
    m_thread.join();
}

void Gate::run() {
    Loop loop(m_listen.fd(), m_wake.fd(), m_check, m_admit);
    loop.run();
}

}  // namespace mgrad::view::detail
