#include "server.hpp"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>
#include <variant>

#include <fmt/format.h>

#include "mgrad/support/error.hpp"
#include "page_assets.hpp"
#include "request.hpp"

namespace mgrad::view::detail {

namespace {

using Clock = std::chrono::steady_clock;
using httplib::Request;
using httplib::Response;

/// How long a write to a page may wait for the page to read.
constexpr auto write_timeout = std::chrono::seconds(5);
/// How often an event stream looks whether its page is still there, between frames: a closed
/// page's stream (and its worker) is freed within this time.
constexpr auto stream_poll = std::chrono::milliseconds(100);
/// How long an event stream sends nothing before it sends a keep-alive comment.
constexpr auto stream_ping = std::chrono::seconds(5);

/// The socket the calling worker is answering: the event stream's handler watches it.
thread_local int t_socket = -1;

void refuse(Response& res, int status, std::string_view why) {
    res.status = status;
    res.set_content(fmt::format("{}\n", why), "text/plain; charset=utf-8");
}

void answer_posted(Response& res, Channel::Posted posted) {
    switch (posted) {
        case Channel::Posted::Queued:
            res.status = 202;
            res.set_content("{\"queued\":true}\n", "application/json");
            return;
        case Channel::Posted::Full:
            refuse(res, 503, "the session is busy: too much work is waiting");
            return;
        case Channel::Posted::Stopped: refuse(res, 503, "the view is stopping"); return;
    }
}

/// Answers a POST with the job its body asks for, or with why not.
void post_job(Channel& channel, JobRoute route, const Request& req, Response& res) {
    auto job = parse_job(route, req.body);
    if (auto* refusal = std::get_if<Refusal>(&job)) {
        refuse(res, refusal->status, refusal->why);
        return;
    }
    answer_posted(res, channel.post(std::move(std::get<Job>(job))));
}

/// Whether the page at the other end of `sock` has closed its side (or the connection broke).
bool peer_gone(int sock) {
    pollfd p{sock, POLLRDHUP, 0};
    return ::poll(&p, 1, 0) == 1 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

/// A request the gate read whole, as the library's Stream: reads come from memory, writes go to
/// the socket (non-blocking, each waiting at most write_timeout for the page to read).
class RequestStream final : public httplib::Stream {
  public:
    RequestStream(int sock, std::string_view request) : m_socket(sock), m_request(request) {}

    bool is_readable() const override { return m_read < m_request.size(); }
    bool is_writable() const override { return wait_writable(); }
    ssize_t read(char* ptr, size_t size) override {
        const std::size_t n = std::min(size, m_request.size() - m_read);
        std::memcpy(ptr, m_request.data() + m_read, n);
        m_read += n;
        return static_cast<ssize_t>(n);
    }
    ssize_t write(const char* ptr, size_t size) override {
        while (true) {
            const ssize_t n = ::send(m_socket, ptr, size, MSG_NOSIGNAL);
            if (n >= 0) return n;
            if (errno == EINTR) continue;
            if ((errno != EAGAIN && errno != EWOULDBLOCK) || !wait_writable()) return -1;
        }
    }
    void get_remote_ip_and_port(std::string& ip, int& port) const override {
        address(::getpeername, ip, port);
    }
    void get_local_ip_and_port(std::string& ip, int& port) const override {
        address(::getsockname, ip, port);
    }
    socket_t socket() const override { return m_socket; }

  private:
    [[nodiscard]] bool wait_writable() const {
        pollfd p{m_socket, POLLOUT, 0};
        const int ms = static_cast<int>(
            std::chrono::duration_cast<std::chrono::milliseconds>(write_timeout).count());
        int ready = 0;
        while ((ready = ::poll(&p, 1, ms)) < 0 && errno == EINTR) {
        }
        return ready == 1 && (p.revents & POLLOUT) != 0;
    }
    void address(int (*get)(int, sockaddr*, socklen_t*), std::string& ip, int& port) const {
        sockaddr_in a{};
        socklen_t size = sizeof a;
        char text[INET_ADDRSTRLEN] = "";
        if (get(m_socket, reinterpret_cast<sockaddr*>(&a), &size) == 0 && a.sin_family == AF_INET) {
            ::inet_ntop(AF_INET, &a.sin_addr, text, sizeof text);
            port = ntohs(a.sin_port);
        }
        ip = text;
    }

    int m_socket;
    std::string_view m_request;
    std::size_t m_read = 0;
};

}  // namespace

/// The HTTP library's server, used for what it does well — parsing a request, routing it,
/// writing the answer — and fed by the gate instead of its own listening loop.
class Http final : public httplib::Server {
  public:
    /// Parses, routes and answers one request, then the connection closes.
    bool serve(httplib::Stream& stream) {
        bool closed = true;
        return process_request(stream, /*close_connection=*/true, closed, nullptr);
    }
    /// The library ends chunked answers (event streams) when it has no listening socket: it is
    /// given the gate's while serving.
    void set_serving(int listening_fd) { svr_sock_ = listening_fd; }
};

Server::Server(std::shared_ptr<Channel> channel, std::string token, std::uint16_t port)
    : m_channel(std::move(channel)), m_token(std::move(token)) {
    // httplib's constructor ignores SIGPIPE for the whole process; put back what the program
    // had. Writes use MSG_NOSIGNAL, and the view's threads block every signal (view.cpp).
    struct sigaction old_pipe {};
    ::sigaction(SIGPIPE, nullptr, &old_pipe);
    m_http = std::make_unique<Http>();
    ::sigaction(SIGPIPE, &old_pipe, nullptr);

    m_http->set_payload_max_length(RequestReader::max_body);
    httplib::Headers headers;
    for (const auto& [name, value] : response_headers())
        headers.emplace(std::string(name), std::string(value));
    m_http->set_default_headers(std::move(headers));
    routes();

    m_gate = std::make_unique<Gate>(port);
    m_port = m_gate->port();
    m_http->set_serving(m_gate->listening_fd());
    for (std::size_t i = 0; i < worker_threads; ++i)
        m_workers.emplace_back([this] { work(); });
    m_gate->start(
        [this](const RequestReader& request) {
            return check_request(request.head(), m_port, m_token);
        },
        [this](Admitted& request) { return admit(request); });
}

Server::~Server() {
    m_gate->stop();
    m_http->set_serving(-1);  // event streams end
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
        m_queue.clear();
        // A worker blocked writing to a page that does not read gives up at once.
        for (const int sock : m_serving)
            ::shutdown(sock, SHUT_RDWR);
    }
    m_queued.notify_all();
    for (std::thread& worker : m_workers)
        worker.join();
}

bool Server::admit(Admitted& request) {
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping || m_queue.size() >= max_queued) return false;
        m_queue.push_back(std::move(request));
    }
    m_queued.notify_one();
    return true;
}

void Server::work() {
    while (true) {
        Admitted request;
        {
            std::unique_lock lock(m_mutex);
            m_queued.wait(lock, [this] { return m_stopping || !m_queue.empty(); });
            if (m_stopping) return;
            request = std::move(m_queue.front());
            m_queue.pop_front();
            m_serving.insert(request.socket.fd());
        }
        RequestStream stream(request.socket.fd(), request.request);
        t_socket = request.socket.fd();
        (void)m_http->serve(stream);
        t_socket = -1;
        std::lock_guard lock(m_mutex);
        m_serving.erase(request.socket.fd());
        // Closed here, under the lock, so that stop() never shuts down a number reused since.
        ::shutdown(request.socket.fd(), SHUT_WR);
        request.socket = Socket();
    }
}

void Server::routes() {
    m_http->set_pre_routing_handler([this](const Request& req, Response& res) {
        using Handled = httplib::Server::HandlerResponse;
        const std::string host = req.get_header_value("Host");
        std::string token = req.get_param_value("token");
        if (token.empty()) token = req.get_header_value("X-Mgrad-Token");
        const std::string origin = req.get_header_value("Origin");
        const std::string site = req.get_header_value("Sec-Fetch-Site");
        const std::string type = req.get_header_value("Content-Type");
        RequestHead head;
        head.method = req.method;
        head.host = host;
        head.token = token;
        if (req.has_header("Origin")) head.origin = origin;
        head.fetch_site = site;
        head.content_type = type;
        if (auto refusal = check_request(head, m_port, m_token)) {
            refuse(res, refusal->status, refusal->why);
            return Handled::Handled;
        }
        return Handled::Unhandled;
    });

    for (const Asset& asset : page_assets()) {
        const bool index = asset.path == "/index.html";
        const std::string route = index ? "/" : std::string(asset.path);
        m_http->Get(route, [this, &asset, index](const Request&, Response& res) {
            std::string body(asset.bytes);
            if (index) {
                // The page's own URLs carry the token too (every request must).
                std::size_t at = 0;
                while ((at = body.find("__TOKEN__", at)) != std::string::npos) {
                    body.replace(at, 9, m_token);
                    at += m_token.size();
                }
            }
            res.set_content(body, std::string(asset.type));
        });
    }

    m_http->Get("/events", [this](const Request&, Response& res) {
        if (!m_channel->open_stream()) {
            refuse(res, 503, "too many pages are open");
            return;
        }
        struct Stream {
            std::uint64_t seen = 0;
            std::uint64_t status_seen = 0;
            bool started = false;
            Clock::time_point last_sent{};
        };
        auto stream = std::make_shared<Stream>();
        auto channel = m_channel;
        const int sock = t_socket;
        res.set_chunked_content_provider(
            "text/event-stream",
            [channel, stream, sock](std::size_t, httplib::DataSink& sink) {
                auto send = [&](const std::string& event) {
                    stream->last_sent = Clock::now();
                    return sink.write(event.data(), event.size());
                };
                auto send_frame = [&](const Frame& frame) {
                    stream->seen = frame.number;
                    return send("event: frame\ndata: " + *frame.text + "\n\n");
                };
                if (!stream->started) {
                    stream->started = true;
                    stream->status_seen = channel->status().first;
                    if (!send("retry: 1000\n\n")) return false;
                    if (auto frame = channel->latest()) return send_frame(*frame);
                    return true;
                }
                // Called again and again: each call waits a little for a frame, so that a page
                // that has closed is noticed soon after (and its slot and worker freed).
                auto frame = channel->wait(
                    stream->seen, stream->status_seen,
                    std::chrono::duration_cast<std::chrono::milliseconds>(stream_poll));
                if (channel->stopped()) return false;
                if (frame) return send_frame(*frame);
                auto [number, text] = channel->status();
                if (number != stream->status_seen) {
                    stream->status_seen = number;
                    return send("event: status\ndata: " + text + "\n\n");
                }
                if (sock >= 0 && peer_gone(sock)) return false;
                if (Clock::now() - stream->last_sent >= stream_ping) return send(": ping\n\n");
                return true;
            },
            [channel](bool) { channel->close_stream(); });
    });

    m_http->Get("/api/frame", [this](const Request&, Response& res) {
        if (auto frame = m_channel->latest())
            res.set_content(*frame->text, "application/json");
        else
            res.status = 204;
    });

    m_http->Post("/api/set", [this](const Request& req, Response& res) {
        post_job(*m_channel, JobRoute::Set, req, res);
    });
    m_http->Post("/api/show", [this](const Request& req, Response& res) {
        post_job(*m_channel, JobRoute::Show, req, res);
    });
    m_http->Post("/api/options", [this](const Request& req, Response& res) {
        post_job(*m_channel, JobRoute::Options, req, res);
    });
}

}  // namespace mgrad::view::detail
