#include "server.hpp"

#include <httplib.h>
#include <sys/socket.h>

#include <atomic>
#include <csignal>
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

using httplib::Request;
using httplib::Response;

/// Workers: one per open page's event stream (at most Channel::max_streams) and a few for the
/// page's other requests.
constexpr std::size_t worker_threads = Channel::max_streams + 4;
/// The largest request body (a POST's JSON: a name and a number, or a few options).
constexpr std::size_t max_body = 4096;
/// How long an event stream waits for a frame before it sends a keep-alive comment (which is
/// also how it finds out that a page has gone).
constexpr auto stream_ping = std::chrono::seconds(5);

const std::string content_security_policy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

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

}  // namespace

Server::Server(std::shared_ptr<Channel> channel, std::string token, std::uint16_t port)
    : m_channel(std::move(channel)), m_token(std::move(token)) {
    // httplib's constructor ignores SIGPIPE for the whole process; put back what the program
    // had. The view's threads block every signal instead (view.cpp), so a write to a page that
    // has gone only fails.
    struct sigaction old_pipe {};
    ::sigaction(SIGPIPE, nullptr, &old_pipe);
    m_http = std::make_unique<httplib::Server>();
    ::sigaction(SIGPIPE, &old_pipe, nullptr);

    m_http->new_task_queue = [] { return new httplib::ThreadPool(worker_threads); };
    // httplib's default also sets SO_REUSEPORT, which would let a second process bind the same
    // port and take a share of the connections: SO_REUSEADDR only (a restart may reuse a port
    // still in TIME_WAIT; a port another program listens on stays an error).
    m_http->set_socket_options([](int sock) {
        const int yes = 1;
        ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });
    m_http->set_payload_max_length(max_body);
    m_http->set_keep_alive_timeout(2);
    m_http->set_read_timeout(5, 0);
    m_http->set_write_timeout(5, 0);
    m_http->set_default_headers({{"Cache-Control", "no-store"},
                                 {"X-Content-Type-Options", "nosniff"},
                                 {"Referrer-Policy", "no-referrer"},
                                 {"X-Frame-Options", "DENY"},
                                 {"Cross-Origin-Resource-Policy", "same-origin"},
                                 {"Content-Security-Policy", content_security_policy}});
    if (port == 0) {
        const int bound = m_http->bind_to_any_port("127.0.0.1");
        if (bound <= 0) throw Error("the view cannot listen on 127.0.0.1: no free port");
        m_port = static_cast<std::uint16_t>(bound);
    } else {
        if (!m_http->bind_to_port("127.0.0.1", port))
            throw Error(fmt::format(
                "the view cannot listen on 127.0.0.1:{} (is another program using that port? "
                "--view-port 0 picks a free one)",
                port));
        m_port = port;
    }
    routes();
    auto ended = std::make_shared<std::atomic<bool>>(false);
    m_thread = std::thread([http = m_http.get(), ended] {
        http->listen_after_bind();
        *ended = true;
    });
    // httplib's stop() does nothing until the listening loop has started: wait for it, so that a
    // view stopped at once (a short script) does not leave that loop in accept() for good.
    while (!m_http->is_running() && !*ended)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

Server::~Server() {
    m_http->stop();
    if (m_thread.joinable()) m_thread.join();
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
        };
        auto stream = std::make_shared<Stream>();
        auto channel = m_channel;
        res.set_chunked_content_provider(
            "text/event-stream",
            [channel, stream](std::size_t, httplib::DataSink& sink) {
                auto send_frame = [&](const Frame& frame) {
                    stream->seen = frame.number;
                    std::string event = "event: frame\ndata: ";
                    event += *frame.text;
                    event += "\n\n";
                    return sink.write(event.data(), event.size());
                };
                if (!stream->started) {
                    stream->started = true;
                    stream->status_seen = channel->status().first;
                    const std::string hello = "retry: 1000\n\n";
                    if (!sink.write(hello.data(), hello.size())) return false;
                    if (auto frame = channel->latest()) return send_frame(*frame);
                    return true;
                }
                auto frame = channel->wait(
                    stream->seen, stream->status_seen,
                    std::chrono::duration_cast<std::chrono::milliseconds>(stream_ping));
                if (channel->stopped()) return false;
                if (frame) return send_frame(*frame);
                auto [number, text] = channel->status();
                std::string event = ": ping\n\n";
                if (number != stream->status_seen) {
                    stream->status_seen = number;
                    event = "event: status\ndata: " + text + "\n\n";
                }
                return sink.write(event.data(), event.size());
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
