// The view's RequestReader (src/view/request_reader.hpp): a request read with fixed bounds, and
// strict enough that what the gate checks is what the HTTP library parses.
#include <doctest/doctest.h>

#include <string>

#include "request_reader.hpp"

namespace {

using mgrad::view::detail::RequestReader;
using State = RequestReader::State;

const std::string token(64, 'a');

std::string request(const std::string& extra = "", const std::string& target = "/?token=" + token) {
    return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:8765\r\n" + extra + "\r\n";
}

/// Feeds `bytes` in pieces of `piece` bytes, as a socket might deliver them.
RequestReader read(const std::string& bytes, std::size_t piece = 1 << 20) {
    RequestReader r;
    for (std::size_t at = 0; at < bytes.size() && r.wanted() > 0; at += piece)
        r.feed(std::string_view(bytes).substr(at, piece));
    return r;
}

}  // namespace

TEST_CASE("request reader: a request is read whole, in any pieces, and its parts found") {
    const std::string text =
        "POST /api/set?x=1&token=" + token +
        " HTTP/1.1\r\nhost: 127.0.0.1:8765\r\nContent-Type:  application/json \r\n"
        "Origin: http://127.0.0.1:8765\r\nSec-Fetch-Site: same-origin\r\nContent-Length: 5\r\n\r\n"
        "{\"a\"}";
    for (const std::size_t piece : {std::size_t{1}, std::size_t{7}, text.size()}) {
        CAPTURE(piece);
        const RequestReader r = read(text, piece);
        REQUIRE(r.state() == State::Done);
        CHECK(r.request() == text);
        CHECK(r.path() == "/api/set");
        const auto head = r.head();
        CHECK(head.method == "POST");
        CHECK(head.host == "127.0.0.1:8765");
        CHECK(head.token == token);
        CHECK(head.origin == "http://127.0.0.1:8765");
        CHECK(head.fetch_site == "same-origin");
        CHECK(head.content_type == "application/json");
    }
    // The token from the header when the URL has none; no Origin is not an empty one.
    const RequestReader r = read(request("X-Mgrad-Token: " + token + "\r\n", "/events"));
    REQUIRE(r.state() == State::Done);
    CHECK(r.head().token == token);
    CHECK_FALSE(r.head().origin.has_value());
}

TEST_CASE("request reader: the head is bounded in bytes and lines, the body in bytes") {
    // A header flood: refused once the head reaches its limit, holding no more than that.
    RequestReader flood;
    flood.feed("GET / HTTP/1.1\r\n");
    const std::string line = "X-1: " + std::string(4000, 'v') + "\r\n";
    std::size_t taken = 0;
    for (int i = 0; i < 100 && flood.state() == State::Head; ++i)
        taken += flood.feed(line);
    CHECK(flood.state() == State::Refused);
    CHECK(flood.refusal().status == 431);
    CHECK(taken <= RequestReader::max_head);
    CHECK(flood.wanted() == 0);
    CHECK(flood.feed(line) == 0);
    // Many short lines (with Host, one more than the limit).
    std::string lines;
    for (std::size_t i = 0; i < RequestReader::max_header_lines; ++i)
        lines += "X: y\r\n";
    CHECK(read(request(lines)).refusal().status == 431);
    lines.resize(lines.size() - 6);
    CHECK(read(request(lines)).state() == State::Done);
    // One long line with no end.
    CHECK(read("GET /" + std::string(RequestReader::max_head, 'a')).refusal().status == 431);
    // The body: its length is known before a byte of it is read.
    const RequestReader big = read(request("Content-Length: 4097\r\n"));
    CHECK(big.refusal().status == 413);
    const RequestReader body = read(request("Content-Length: 4096\r\n"));
    CHECK(body.state() == State::Body);
    CHECK(body.wanted() == 4096);
}

TEST_CASE("request reader: only what the library parses the same way gets through") {
    auto status = [](const std::string& text) {
        const RequestReader r = read(text);
        return r.state() == State::Refused ? r.refusal().status : 0;
    };
    CHECK(status(request()) == 0);
    CHECK(status("GET / HTTP/1.1\nHost: x\n\n") == 400);              // bare LF
    CHECK(status("GET / HTTP/1.1\r\nHost: x\rY: z\r\n\r\n") == 400);  // a lone CR
    CHECK(status(request(" folded\r\n")) == 400);
    CHECK(status(request("No colon\r\n")) == 400);
    CHECK(status(request("X: a\x01z\r\n")) == 400);
    CHECK(status(request(std::string("X: a") + '\0' + "z\r\n")) == 400);
    CHECK(status(request("Host: 127.0.0.1:8765\r\n")) == 400);  // two Host headers
    CHECK(status(request("x-mgrad-token: a\r\nX-Mgrad-Token: b\r\n")) == 400);
    CHECK(status(request("Content-Length: 1\r\nContent-Length: 1\r\n")) == 400);
    CHECK(status(request("Content-Length: -1\r\n")) == 400);
    CHECK(status(request("Content-Length: 1e3\r\n")) == 400);
    CHECK(status(request("Transfer-Encoding: chunked\r\n")) == 411);
    CHECK(status(request("Expect: 100-continue\r\n")) == 417);
    CHECK(status("GET  / HTTP/1.1\r\n\r\n") == 400);
    CHECK(status("GET / HTTP/2\r\n\r\n") == 400);
    CHECK(status("GET http://x/ HTTP/1.1\r\n\r\n") == 400);
    CHECK(status("G(T / HTTP/1.1\r\n\r\n") == 400);
    // A fragment: the library cuts the target at '#' and would find no token after it.
    CHECK(status(request("", "/api#/show?token=" + token)) == 400);
    CHECK(status(request("", "/?x=1#&token=" + token)) == 400);
    CHECK(status("\r\n\r\n") == 400);
    // Bytes past the request are not kept (one request a connection).
    const RequestReader r = read(request("Content-Length: 2\r\n") + "{}GET / HTTP/1.1\r\n");
    REQUIRE(r.state() == State::Done);
    CHECK(r.request().ends_with("\r\n\r\n{}"));
}

TEST_CASE("request reader: a refusal is a whole response with the security headers") {
    const std::string text = mgrad::view::detail::refusal_response({431, "too long"});
    CHECK(text.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"));
    CHECK(text.find("\r\nContent-Security-Policy: default-src 'none';") != std::string::npos);
    CHECK(text.find("\r\nConnection: close\r\n") != std::string::npos);
    CHECK(text.ends_with("\r\nContent-Length: 9\r\nConnection: close\r\n\r\ntoo long\n"));
}
