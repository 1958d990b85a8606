// Request — what the view's server decides about a request, apart from the socket: the checks
// every request passes before it is routed, and the job a POST's JSON body asks for. The server
// (server.cpp) feeds these from httplib's parsed request; the fuzz target fuzz/fuzz_view.cpp
// feeds them any bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "channel.hpp"

namespace mgrad::view::detail {

/// An answer other than the route's: the HTTP status and a line saying why.
struct Refusal {
    int status = 400;
    std::string why;
};

/// The parts of a request the checks look at (server.hpp lists the checks).
struct RequestHead {
    std::string_view method;
    std::string_view host;                   ///< the Host header
    std::string_view token;                  ///< `token=` in the URL, else the X-Mgrad-Token header
    std::optional<std::string_view> origin;  ///< the Origin header, if there is one
    std::string_view fetch_site;             ///< Sec-Fetch-Site (empty when absent)
    std::string_view content_type;           ///< Content-Type (empty when absent)
};

/// Why the request is refused before routing, or nothing when it may be routed. `port` is the
/// server's, `token` the one it printed.
[[nodiscard]] std::optional<Refusal> check_request(const RequestHead& head, std::uint16_t port,
                                                   std::string_view token);

/// The headers every response carries, the server's own refusals too: no caching, no sniffing,
/// no referrer, no framing, and a Content-Security-Policy that lets the page run only its own
/// script.
[[nodiscard]] const std::vector<std::pair<std::string_view, std::string_view>>& response_headers();

/// The routes that post a job.
enum class JobRoute { Set, Show, Options };

/// The job a POST's body asks for, or why it is refused (400). Names are identifiers of at most
/// 200 characters, numbers finite, option words only those `:draw` knows, in their ranges.
[[nodiscard]] std::variant<Job, Refusal> parse_job(JobRoute route, std::string_view body);

/// Whether `text` is a name a page may send: an identifier of at most 200 characters.
[[nodiscard]] bool is_view_name(std::string_view text) noexcept;

}  // namespace mgrad::view::detail
