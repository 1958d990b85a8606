// RequestReader — one HTTP/1.1 request read from a socket's bytes with fixed bounds, before the
// HTTP library sees any of it.
//
// The view's server reads each connection's request itself (gate.hpp) and hands the library
// only a request that is complete, small and carries the token: so a client that sends header
// lines without end, or one byte a second, or nothing, costs a fixed small amount of memory and
// no worker thread. The reader takes bytes as they come and never holds more than
// max_head + max_body of them; it asks for no more than the request can still use (wanted()),
// so it never reads past the request's end. It is strict where the library is lenient (lines end
// with CRLF, no folded lines, one of each header the checks read, a body only with a
// Content-Length), so that what it checked is what the library parses.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "request.hpp"

namespace mgrad::view::detail {

class RequestReader {
  public:
    /// The request line and the headers, with their CRLFs and the blank line.
    static constexpr std::size_t max_head = 16 * 1024;
    /// Header lines after the request line.
    static constexpr std::size_t max_header_lines = 64;
    /// A POST's JSON body: a name and a number, or a few options.
    static constexpr std::size_t max_body = 4096;

    enum class State {
        Head,     ///< reading the request line and headers
        Body,     ///< reading Content-Length bytes of body
        Done,     ///< complete: request() is the whole request, head() its checked parts
        Refused,  ///< malformed or over a bound: refusal() says why; read nothing more
    };

    /// Takes up to wanted() bytes of `bytes`; returns how many it took.
    std::size_t feed(std::string_view bytes);
    /// The most bytes the request can still use (0 when Done or Refused).
    [[nodiscard]] std::size_t wanted() const noexcept;
    [[nodiscard]] State state() const noexcept { return m_state; }

    /// Done: the request's bytes (head and body), exactly.
    [[nodiscard]] std::string_view request() const noexcept { return m_bytes; }
    /// Done: the parts check_request() looks at (views into request()).
    [[nodiscard]] RequestHead head() const noexcept;
    /// Done: the request's path (the target before `?`).
    [[nodiscard]] std::string_view path() const noexcept { return text(m_path); }
    /// Refused: the status and why.
    [[nodiscard]] const Refusal& refusal() const noexcept { return m_refusal; }

  private:
    /// Where a part of the head lies in m_bytes (offsets, which stay right when it grows).
    struct Span {
        std::size_t at = 0;
        std::size_t size = 0;
    };
    /// The headers the checks read, each allowed once (request_reader.cpp names them).
    static constexpr std::size_t single_count = 6;

    [[nodiscard]] std::string_view text(Span span) const noexcept {
        return std::string_view(m_bytes).substr(span.at, span.size);
    }
    [[nodiscard]] Span span_of(std::string_view part) const noexcept {
        return {static_cast<std::size_t>(part.data() - m_bytes.data()), part.size()};
    }
    void refuse(int status, std::string why);
    void parse_head();
    bool parse_request_line(std::string_view line);
    bool parse_header(std::string_view line);

    State m_state = State::Head;
    std::string m_bytes;
    std::size_t m_scanned = 0;  ///< bytes of the head already searched for line ends
    std::size_t m_lines = 0;    ///< line ends seen in the head
    std::size_t m_head_size = 0;
    std::size_t m_body_size = 0;
    Span m_method;
    Span m_path;
    std::optional<Span> m_url_token;
    std::optional<Span> m_single[single_count];
    Refusal m_refusal;
};

/// The status line's words for the statuses the view answers with ("Forbidden" for 403).
[[nodiscard]] std::string_view reason_phrase(int status) noexcept;

/// A complete response with `status`, the view's security headers, `Connection: close` and
/// `why` as its plain-text body: what the server sends for a request it refuses itself.
[[nodiscard]] std::string refusal_response(const Refusal& refusal);

}  // namespace mgrad::view::detail
