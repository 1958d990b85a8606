#include "request.hpp"

#include <cmath>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "token.hpp"

namespace mgrad::view::detail {

namespace {

/// The longest name a page may send (names are identifiers; see the language's lexer).
constexpr std::size_t max_name = 200;

Refusal bad(std::string why) { return Refusal{400, std::move(why)}; }

std::variant<Job, Refusal> set_job(const nlohmann::json& body) {
    const auto name = body.find("name");
    const auto value = body.find("value");
    if (name == body.end() || !name->is_string() || !is_view_name(name->get<std::string>()))
        return bad("\"name\" must be a name (letters, digits, _)");
    if (value == body.end() || !value->is_number() || !std::isfinite(value->get<double>()))
        return bad("\"value\" must be a finite number");
    Job job;
    job.kind = Job::Kind::Set;
    job.name = name->get<std::string>();
    job.value = value->get<double>();
    return job;
}

std::variant<Job, Refusal> show_job(const nlohmann::json& body) {
    const auto name = body.find("name");
    Job job;
    job.kind = Job::Kind::Show;
    if (name != body.end() && !name->is_null()) {
        if (!name->is_string() || !is_view_name(name->get<std::string>()))
            return bad("\"name\" must be a name (letters, digits, _) or null");
        job.name = name->get<std::string>();
    }
    return job;
}

std::variant<Job, Refusal> options_job(const nlohmann::json& body) {
    Job job;
    job.kind = Job::Kind::Options;
    // Each field becomes one of :draw's option words; anything else is refused.
    for (const auto& [key, value] : body.items()) {
        if (key == "depth" || key == "max_nodes" || key == "decimals") {
            if (value.is_null() && key == "depth") continue;
            if (!value.is_number_unsigned())
                return bad(fmt::format("\"{}\" must be a whole number", key));
            const auto n = value.get<std::uint64_t>();
            const std::uint64_t high = key == "decimals" ? 17 : 100000;
            if (n > high || (key == "max_nodes" && n == 0))
                return bad(fmt::format("\"{}\" is out of range", key));
            job.words.push_back(fmt::format("{}={}", key == "max_nodes" ? "max-nodes" : key, n));
        } else if (key == "hide_constants" || key == "cluster_modules" ||
                   key == "collapse_modules" || key == "shade" || key == "tb") {
            if (!value.is_boolean()) return bad(fmt::format("\"{}\" must be true or false", key));
            if (value.get<bool>()) {
                std::string word = key;
                for (char& c : word)
                    if (c == '_') c = '-';
                job.words.push_back(word);
            }
        } else {
            return bad("unknown option");
        }
    }
    return job;
}

}  // namespace

bool is_view_name(std::string_view text) noexcept {
    if (text.empty() || text.size() > max_name) return false;
    auto start = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    };
    if (!start(text[0])) return false;
    for (char c : text)
        if (!start(c) && !(c >= '0' && c <= '9')) return false;
    return true;
}

std::optional<Refusal> check_request(const RequestHead& head, std::uint16_t port,
                                     std::string_view token) {
    const std::string hosts[] = {fmt::format("127.0.0.1:{}", port),
                                 fmt::format("localhost:{}", port)};
    if (head.host != hosts[0] && head.host != hosts[1])
        return Refusal{403,
                       "wrong Host header: this server answers only to 127.0.0.1 and "
                       "localhost"};
    if (!same_token(head.token, token))
        return Refusal{403, "a valid token is needed: open the address mgrad printed"};
    if (head.origin && *head.origin != "http://" + hosts[0] && *head.origin != "http://" + hosts[1])
        return Refusal{403, "requests from other sites are refused"};
    if (head.method == "POST") {
        if (!head.fetch_site.empty() && head.fetch_site != "same-origin")
            return Refusal{403, "requests from other sites are refused"};
        if (head.content_type != "application/json" &&
            !head.content_type.starts_with("application/json;"))
            return Refusal{415, "the body must be application/json"};
    } else if (head.method != "GET" && head.method != "HEAD") {
        return Refusal{405, "only GET and POST"};
    }
    return std::nullopt;
}

const std::vector<std::pair<std::string_view, std::string_view>>& response_headers() {
    static const std::vector<std::pair<std::string_view, std::string_view>> headers{
        {"Cache-Control", "no-store"},
        {"X-Content-Type-Options", "nosniff"},
        {"Referrer-Policy", "no-referrer"},
        {"X-Frame-Options", "DENY"},
        {"Cross-Origin-Resource-Policy", "same-origin"},
        {"Content-Security-Policy",
         "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
         "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"}};
    return headers;
}

std::variant<Job, Refusal> parse_job(JobRoute route, std::string_view body) {
    const nlohmann::json json = nlohmann::json::parse(body, nullptr, false);
    if (json.is_discarded() || !json.is_object()) return bad("the body must be a JSON object");
    switch (route) {
        case JobRoute::Set: return set_job(json);
        case JobRoute::Show: return show_job(json);
        case JobRoute::Options: return options_job(json);
    }
    return bad("unknown route");
}

}  // namespace mgrad::view::detail
