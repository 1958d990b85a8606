// libFuzzer target over the live view's request handling, without a socket: the bytes a client
// sends, read by the gate's RequestReader (src/view/request_reader.hpp) as the server reads
// them, then checked (src/view/request.hpp), then — for a request the gate admits — parsed by
// cpp-httplib from memory exactly as a worker hands it over. Besides crashes and sanitizer
// reports, it asserts:
//   - the reader never holds more than its bounds (head, lines, body), whatever it is fed, and
//     reads a request the same way whether the bytes come at once, one by one or seven by seven;
//   - a request the gate admits names this server in Host, carries the token, comes from no
//     other origin, and is GET, HEAD or a same-site POST of JSON;
//   - the HTTP library parses an admitted request as the gate did: the same method and (for a
//     POST) body, and its own Host, token, Origin, Sec-Fetch-Site and Content-Type pass the
//     same checks (so nothing the gate let through is routed as something it would have
//     refused);
//   - a job's name is an identifier of at most 200 characters, its value finite, and its option
//     words are all accepted by :draw's option parser.
#include <httplib.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <mgrad/render/render.hpp>
#include <mgrad/support/error.hpp>

#include "request.hpp"
#include "request_reader.hpp"

namespace {

using mgrad::view::detail::check_request;
using mgrad::view::detail::is_view_name;
using mgrad::view::detail::Job;
using mgrad::view::detail::JobRoute;
using mgrad::view::detail::parse_job;
using mgrad::view::detail::Refusal;
using mgrad::view::detail::RequestHead;
using mgrad::view::detail::RequestReader;

constexpr std::uint16_t port = 8765;
constexpr std::string_view token =
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

[[noreturn]] void broken(const char* promise) {
    std::fprintf(stderr, "view request handling broken: %s\n", promise);
    std::abort();
}

RequestReader read_in_pieces(std::string_view bytes, std::size_t piece) {
    RequestReader r;
    std::size_t held = 0;
    while (!bytes.empty() && r.wanted() > 0) {
        const std::size_t wanted = r.wanted();
        const std::size_t taken = r.feed(bytes.substr(0, piece));
        if (taken > wanted) broken("the reader takes no more than it wants");
        held += taken;
        if (r.state() != RequestReader::State::Refused &&
            held > RequestReader::max_head + RequestReader::max_body)
            broken("the reader holds at most a head and a body");
        bytes.remove_prefix(std::min(piece, bytes.size()));
    }
    return r;
}

void check_job(const Job& job) {
    switch (job.kind) {
        case Job::Kind::Set:
            if (!is_view_name(job.name)) broken("a Set job names an identifier");
            if (!std::isfinite(job.value)) broken("a Set job's value is finite");
            break;
        case Job::Kind::Show:
            if (!job.name.empty() && !is_view_name(job.name))
                broken("a Show job names an identifier");
            break;
        case Job::Kind::Options: try { (void)mgrad::parse_draw_options(job.words);
            } catch (const mgrad::Error&) {
                broken("an Options job's words are :draw options");
            }
            break;
    }
}

void check_admitted(const RequestHead& head) {
    if (head.host != "127.0.0.1:8765" && head.host != "localhost:8765")
        broken("a request that passes names this server in Host");
    if (head.token != token) broken("a request that passes carries the token");
    if (head.origin && *head.origin != "http://127.0.0.1:8765" &&
        *head.origin != "http://localhost:8765")
        broken("a request that passes comes from this server's origin, if any");
    if (head.method == "POST") {
        if (!head.fetch_site.empty() && head.fetch_site != "same-origin")
            broken("a POST that passes is same-site");
        if (!head.content_type.starts_with("application/json"))
            broken("a POST that passes is JSON");
    } else if (head.method != "GET" && head.method != "HEAD") {
        broken("only GET, HEAD and POST pass");
    }
}

/// An admitted request as a worker hands it to the library: reads from memory, writes dropped.
class MemoryStream final : public httplib::Stream {
  public:
    explicit MemoryStream(std::string_view request) : m_request(request) {}
    bool is_readable() const override { return m_read < m_request.size(); }
    bool is_writable() const override { return true; }
    ssize_t read(char* ptr, size_t size) override {
        const std::size_t n = std::min(size, m_request.size() - m_read);
        std::memcpy(ptr, m_request.data() + m_read, n);
        m_read += n;
        return static_cast<ssize_t>(n);
    }
    ssize_t write(const char*, size_t size) override { return static_cast<ssize_t>(size); }
    void get_remote_ip_and_port(std::string& ip, int& p) const override {
        ip = "127.0.0.1";
        p = 40000;
    }
    void get_local_ip_and_port(std::string& ip, int& p) const override {
        ip = "127.0.0.1";
        p = port;
    }
    socket_t socket() const override { return 3; }

  private:
    std::string_view m_request;
    std::size_t m_read = 0;
};

/// What the library made of the request, as the view's pre-routing handler reads it.
struct Seen {
    bool routed = false;
    std::string method, host, token, origin, fetch_site, content_type, body;
    bool has_origin = false;
};

class Library final : public httplib::Server {
  public:
    Library() {
        set_payload_max_length(RequestReader::max_body);
        // The view's checks read the head in the pre-routing handler, as here; the library reads
        // a POST's body only after it (into the route's Request), so the body is taken there.
        set_pre_routing_handler([this](const httplib::Request& req, httplib::Response&) {
            m_seen.method = req.method;
            m_seen.host = req.get_header_value("Host");
            m_seen.token = req.get_param_value("token");
            if (m_seen.token.empty()) m_seen.token = req.get_header_value("X-Mgrad-Token");
            m_seen.has_origin = req.has_header("Origin");
            m_seen.origin = req.get_header_value("Origin");
            m_seen.fetch_site = req.get_header_value("Sec-Fetch-Site");
            m_seen.content_type = req.get_header_value("Content-Type");
            return HandlerResponse::Unhandled;
        });
        const auto route = [this](const httplib::Request& req, httplib::Response& res) {
            m_seen.routed = true;
            m_seen.body = req.body;
            res.status = 204;
        };
        Get(R"([\s\S]*)", route);  // any path (a decoded %0A too); HEAD comes here as well
        Post(R"([\s\S]*)", route);
    }
    Seen parse(std::string_view request) {
        m_seen = Seen{};
        MemoryStream stream(request);
        bool closed = true;
        (void)process_request(stream, true, closed, nullptr);
        return m_seen;
    }

  private:
    Seen m_seen;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    const RequestReader r = read_in_pieces(bytes, std::max<std::size_t>(size, 1));
    for (const std::size_t piece : {std::size_t{1}, std::size_t{7}}) {
        const RequestReader again = read_in_pieces(bytes, piece);
        if (again.state() != r.state() || again.request() != r.request() ||
            (r.state() == RequestReader::State::Refused &&
             again.refusal().status != r.refusal().status))
            broken("a request reads the same in any pieces");
    }
    std::string_view body;
    if (r.state() == RequestReader::State::Done) {
        const RequestHead head = r.head();
        const std::string_view request = r.request();
        body = request.substr(request.find("\r\n\r\n") + 4);
        if (request.size() - body.size() > RequestReader::max_head ||
            body.size() > RequestReader::max_body)
            broken("a request within the bounds");
        const std::optional<Refusal> refusal = check_request(head, port, token);
        if (refusal) {
            if (refusal->status < 400 || refusal->status > 499 || refusal->why.empty())
                broken("a refusal is a 4xx with a reason");
        } else {
            check_admitted(head);
            static Library library;
            const Seen seen = library.parse(request);
            if (!seen.routed) broken("the library routes what the gate admits");
            // The library reads a body for POST only; one request a connection, so a GET's
            // unread body is never taken for a next request.
            if (seen.method != head.method || (head.method == "POST" && seen.body != body))
                broken("the library reads the gate's method and body");
            RequestHead theirs;
            theirs.method = seen.method;
            theirs.host = seen.host;
            theirs.token = seen.token;
            if (seen.has_origin) theirs.origin = seen.origin;
            theirs.fetch_site = seen.fetch_site;
            theirs.content_type = seen.content_type;
            if (check_request(theirs, port, token)) broken("the library's reading passes too");
            check_admitted(theirs);
        }
    } else if (r.state() == RequestReader::State::Refused) {
        const int status = r.refusal().status;
        if (status < 400 || status > 499 || r.refusal().why.empty())
            broken("a refusal is a 4xx with a reason");
    }
    // The body is parsed for every route, refused or not, so the JSON handling is fuzzed even
    // when the fuzzer has not found the token.
    if (r.state() != RequestReader::State::Done) {
        const std::size_t end = bytes.find("\r\n\r\n");
        if (end != std::string_view::npos) body = bytes.substr(end + 4);
    }
    for (const JobRoute route : {JobRoute::Set, JobRoute::Show, JobRoute::Options}) {
        const auto job = parse_job(route, body.substr(0, RequestReader::max_body));
        if (const Job* j = std::get_if<Job>(&job)) {
            check_job(*j);
        } else if (std::get<Refusal>(job).status != 400) {
            broken("a bad body is a 400");
        }
    }
    return 0;
}
