#include "json_output.hpp"

#include <cmath>
#include <string>

#include <nlohmann/json.hpp>

#include <mgrad/support/number.hpp>

namespace mgrad::cli {

namespace {

nlohmann::ordered_json number(double v) {
    if (std::isfinite(v)) return v;
    return format_number(v);
}

void write_line(std::ostream& out, const nlohmann::ordered_json& j) {
    // Invalid UTF-8 in a label or a statement becomes U+FFFD instead of an exception.
    out << j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
}

}  // namespace

void JsonOutput::text(std::string_view text) {
    write_line(m_out, {{"type", "text"}, {"text", std::string(text)}});
}

void JsonOutput::diagnostic(Severity, std::string_view formatted) {
    m_out.flush();
    m_err << formatted;
}

void JsonOutput::result(const Result& r) {
    nlohmann::ordered_json j{{"type", "result"}, {"expression", std::string(r.expression)}};
    if (r.label) j["label"] = *r.label;
    j["data"] = number(r.data);
    if (r.grad) j["grad"] = number(*r.grad);
    write_line(m_out, j);
}

}  // namespace mgrad::cli
