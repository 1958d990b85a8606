#include "request_reader.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace mgrad::view::detail {

namespace {

/// RFC 9110's tchar: what a method or a header name is made of.
bool is_tchar(char c) noexcept {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) noexcept {
    return !s.empty() && std::all_of(s.begin(), s.end(), is_tchar);
}

bool same_name(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

/// The headers the checks read, each allowed once: two Host headers could be read one way here
/// and the other way by the HTTP library.
enum Single : std::size_t { Host, Token, Origin, FetchSite, ContentType, ContentLength };
constexpr std::string_view single_names[] = {"Host",           "X-Mgrad-Token", "Origin",
                                             "Sec-Fetch-Site", "Content-Type",  "Content-Length"};

}  // namespace

void RequestReader::refuse(int status, std::string why) {
    m_state = State::Refused;
    m_refusal = Refusal{status, std::move(why)};
    m_bytes.clear();
    m_bytes.shrink_to_fit();
}

std::size_t RequestReader::wanted() const noexcept {
    switch (m_state) {
        case State::Head: return max_head - m_bytes.size();
        case State::Body: return m_head_size + m_body_size - m_bytes.size();
        case State::Done:
        case State::Refused: return 0;
    }
    return 0;
}

std::size_t RequestReader::feed(std::string_view bytes) {
    const std::size_t take = std::min(bytes.size(), wanted());
    if (take == 0) return 0;
    m_bytes.append(bytes.data(), take);
    if (m_state == State::Body) {
        if (m_bytes.size() == m_head_size + m_body_size) m_state = State::Done;
        return take;
    }
    // The head: every line ends with CRLF, and an empty line ends the head.
    for (std::size_t i = m_scanned; i < m_bytes.size(); ++i) {
        const auto c = static_cast<unsigned char>(m_bytes[i]);
        const bool after_cr = i > 0 && m_bytes[i - 1] == '\r';
        if (c == '\n' && !after_cr) {
            refuse(400, "each line of a request must end with CRLF");
            return take;
        }
        if (c != '\n' && after_cr) {
            refuse(400, "a CR in a request's head must end a line");
            return take;
        }
        if (c != '\n' && c != '\r' && ((c < 0x20 && c != '\t') || c == 0x7f)) {
            refuse(400, "a control character in the request's head");
            return take;
        }
        if (c != '\n') continue;
        if (i >= 2 && m_bytes[i - 2] == '\n') {  // CRLF CRLF: the end of the head
            m_head_size = i + 1;
            parse_head();
            if (m_state == State::Refused) return take;
            // Bytes past the body belong to no request this server reads (one a connection).
            const std::size_t total = m_head_size + m_body_size;
            std::size_t kept = take;
            if (m_bytes.size() > total) {
                kept -= m_bytes.size() - total;
                m_bytes.resize(total);
            }
            m_state = m_bytes.size() == total ? State::Done : State::Body;
            return kept;
        }
        if (++m_lines > max_header_lines + 1) {
            refuse(431,
                   fmt::format("a request may have at most {} header lines", max_header_lines));
            return take;
        }
    }
    m_scanned = m_bytes.size();
    if (m_bytes.size() >= max_head)
        refuse(431, fmt::format("a request's head may have at most {} bytes", max_head));
    return take;
}

void RequestReader::parse_head() {
    const std::string_view head = std::string_view(m_bytes).substr(0, m_head_size);
    std::size_t at = 0;
    bool first = true;
    while (at < head.size()) {
        const std::size_t end = head.find("\r\n", at);
        const std::string_view line = head.substr(at, end - at);
        at = end + 2;
        if (line.empty()) break;  // the empty line that ends the head
        if (first ? !parse_request_line(line) : !parse_header(line)) return;
        first = false;
    }
    if (first) return refuse(400, "a request starts with its request line");
    if (const auto& length = m_single[ContentLength]) {
        const std::string_view digits = text(*length);
        if (digits.empty() || digits.size() > 9 ||
            !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return refuse(400, "Content-Length must be a number of bytes");
        m_body_size = std::stoul(std::string(digits));
        if (m_body_size > max_body)
            return refuse(413, fmt::format("a request's body may have at most {} bytes", max_body));
    }
    m_bytes.reserve(m_head_size + m_body_size);
}

bool RequestReader::parse_request_line(std::string_view line) {
    const std::size_t sp1 = line.find(' ');
    const std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    const std::string_view method = line.substr(0, sp1);
    const std::string_view target =
        sp2 == std::string_view::npos ? std::string_view{} : line.substr(sp1 + 1, sp2 - sp1 - 1);
    const std::string_view version =
        sp2 == std::string_view::npos ? std::string_view{} : line.substr(sp2 + 1);
    // No '#' either: a browser never sends a fragment, and the library cuts the target there, so
    // a token or path after it would be read one way here and another way there.
    if (!is_token(method) || method.size() > 16 || target.empty() || target[0] != '/' ||
        !std::all_of(target.begin(), target.end(),
                     [](char c) { return c > 0x20 && c < 0x7f && c != '#'; }) ||
        (version != "HTTP/1.1" && version != "HTTP/1.0")) {
        refuse(400, "the request line must be METHOD TARGET HTTP/1.1");
        return false;
    }
    m_method = span_of(method);
    const std::size_t query = target.find('?');
    m_path = span_of(target.substr(0, query));
    if (query == std::string_view::npos) return true;
    // The first `token=` of the query (the library reads the first one too).
    std::string_view rest = target.substr(query + 1);
    while (true) {
        const std::size_t amp = rest.find('&');
        const std::string_view pair = rest.substr(0, amp);
        if (pair.starts_with("token=")) {
            m_url_token = span_of(pair.substr(6));
            return true;
        }
        if (amp == std::string_view::npos) return true;
        rest.remove_prefix(amp + 1);
    }
}

bool RequestReader::parse_header(std::string_view line) {
    const std::size_t colon = line.find(':');
    const std::string_view name = line.substr(0, colon);
    if (colon == std::string_view::npos || !is_token(name)) {
        // Also a folded line (one that starts with a space), which HTTP/1.1 forbids.
        refuse(400, "a header line must be NAME: VALUE");
        return false;
    }
    if (same_name(name, "Transfer-Encoding")) {
        refuse(411, "a request's body must have a Content-Length");
        return false;
    }
    if (same_name(name, "Expect")) {
        refuse(417, "Expect is not supported: send the body with the request");
        return false;
    }
    for (std::size_t i = 0; i < single_count; ++i) {
        if (!same_name(name, single_names[i])) continue;
        if (m_single[i]) {
            refuse(400, fmt::format("the header {} is given twice", single_names[i]));
            return false;
        }
        m_single[i] = span_of(trim(line.substr(colon + 1)));
    }
    return true;
}

RequestHead RequestReader::head() const noexcept {
    RequestHead head;
    if (m_state != State::Done) return head;
    auto value = [this](Single which) {
        return m_single[which] ? text(*m_single[which]) : std::string_view{};
    };
    head.method = text(m_method);
    head.host = value(Host);
    head.token = m_url_token ? text(*m_url_token) : value(Token);
    if (m_single[Origin]) head.origin = text(*m_single[Origin]);
    head.fetch_site = value(FetchSite);
    head.content_type = value(ContentType);
    return head;
}

std::string_view reason_phrase(int status) noexcept {
    switch (status) {
        case 400: return "Bad Request";
        case 403: return "Forbidden";
        case 404: return "Not Found";
        case 405: return "Method Not Allowed";
        case 408: return "Request Timeout";
        case 411: return "Length Required";
        case 413: return "Payload Too Large";
        case 415: return "Unsupported Media Type";
        case 417: return "Expectation Failed";
        case 431: return "Request Header Fields Too Large";
        case 503: return "Service Unavailable";
        default: return "Error";
    }
}

std::string refusal_response(const Refusal& refusal) {
    std::string text =
        fmt::format("HTTP/1.1 {} {}\r\n", refusal.status, reason_phrase(refusal.status));
    for (const auto& [name, value] : response_headers())
        text += fmt::format("{}: {}\r\n", name, value);
    const std::string body = refusal.why + "\n";
    text += fmt::format(
        "Content-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: "
        "close\r\n\r\n",
        body.size());
    return text + body;
}

}  // namespace mgrad::view::detail
