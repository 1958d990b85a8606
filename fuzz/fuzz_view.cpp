// libFuzzer target over the live view's request handling (src/view/request.hpp), without a
// socket: the checks every request passes before routing, and the job a POST's JSON body asks
// for. The input is a request in HTTP/1.1's shape:
//
//   METHOD PATH?QUERY HTTP/1.1\r\n   (or \n)
//   Name: value\r\n …
//   \r\n
//   body
//
// parsed the way the server sees it (headers case-insensitive, the first `token=` of the query),
// then checked. Besides crashes and sanitizer reports, it asserts what the checks promise:
//   - a request that passes names this server in Host, carries the token, comes from no other
//     origin, and is GET, HEAD or a same-site POST of JSON;
//   - a job's name is an identifier of at most 200 characters, its value finite, and its option
//     words are all accepted by :draw's option parser.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <mgrad/render/render.hpp>
#include <mgrad/support/error.hpp>

#include "request.hpp"

namespace {

using mgrad::view::detail::check_request;
using mgrad::view::detail::is_view_name;
using mgrad::view::detail::Job;
using mgrad::view::detail::JobRoute;
using mgrad::view::detail::parse_job;
using mgrad::view::detail::Refusal;
using mgrad::view::detail::RequestHead;

constexpr std::uint16_t port = 8765;
constexpr std::string_view token =
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

[[noreturn]] void broken(const char* promise) {
    std::fprintf(stderr, "view request check broken: %s\n", promise);
    std::abort();
}

bool same_text(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
               return std::tolower(x) == std::tolower(y);
           });
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

struct Parsed {
    std::string_view method, path, query, body;
    std::vector<std::pair<std::string_view, std::string_view>> headers;

    [[nodiscard]] std::optional<std::string_view> header(std::string_view name) const {
        for (const auto& [key, value] : headers)
            if (same_text(key, name)) return value;
        return std::nullopt;
    }
    [[nodiscard]] std::string_view param(std::string_view name) const {
        std::string_view rest = query;
        while (!rest.empty()) {
            const std::size_t amp = rest.find('&');
            const std::string_view pair = rest.substr(0, amp);
            const std::size_t eq = pair.find('=');
            if (pair.substr(0, eq) == name)
                return eq == std::string_view::npos ? "" : pair.substr(eq + 1);
            if (amp == std::string_view::npos) break;
            rest.remove_prefix(amp + 1);
        }
        return {};
    }
};

Parsed parse(std::string_view text) {
    Parsed p;
    auto next_line = [&text] {
        const std::size_t end = text.find('\n');
        std::string_view line = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        return line;
    };
    const std::string_view first = next_line();
    const std::size_t sp1 = first.find(' ');
    p.method = first.substr(0, sp1);
    if (sp1 != std::string_view::npos) {
        std::string_view target = first.substr(sp1 + 1);
        target = target.substr(0, target.find(' '));
        const std::size_t q = target.find('?');
        p.path = target.substr(0, q);
        if (q != std::string_view::npos) p.query = target.substr(q + 1);
    }
    while (!text.empty()) {
        const std::string_view line = next_line();
        if (line.empty()) break;
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        p.headers.emplace_back(trim(line.substr(0, colon)), trim(line.substr(colon + 1)));
    }
    p.body = text;
    return p;
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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const Parsed p = parse(std::string_view(reinterpret_cast<const char*>(data), size));
    const std::string_view no_header;
    RequestHead head;
    head.method = p.method;
    head.host = p.header("Host").value_or(no_header);
    head.token = p.param("token");
    if (head.token.empty()) head.token = p.header("X-Mgrad-Token").value_or(no_header);
    head.origin = p.header("Origin");
    head.fetch_site = p.header("Sec-Fetch-Site").value_or(no_header);
    head.content_type = p.header("Content-Type").value_or(no_header);

    const std::optional<Refusal> refusal = check_request(head, port, token);
    if (refusal) {
        if (refusal->status < 400 || refusal->status > 499 || refusal->why.empty())
            broken("a refusal is a 4xx with a reason");
        // Refused requests never reach a route.
    } else {
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
    // The body is parsed for every route, refused or not, so the JSON handling is fuzzed even
    // when the fuzzer has not found the token.
    for (const JobRoute route : {JobRoute::Set, JobRoute::Show, JobRoute::Options}) {
        const auto job = parse_job(route, p.body.substr(0, 4096));  // the server's body limit
        if (const Job* j = std::get_if<Job>(&job)) {
            check_job(*j);
        } else if (std::get<Refusal>(job).status != 400) {
            broken("a bad body is a 400");
        }
    }
    return 0;
}
