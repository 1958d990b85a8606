#include "json_output.hpp"

#include <charconv>
#include <cmath>
#include <string>

#include <nlohmann/json.hpp>

#include <mgrad/support/number.hpp>

namespace mgrad::cli {

namespace {

using Json = nlohmann::ordered_json;

Json number(double v) {
    if (std::isfinite(v)) return v;
    return format_number(v);
}

// A table cell as it is meant: a number when the whole cell is one (mgrad prints numbers so
// that they read back to the same double), else the text. "nan" and "inf" stay strings, as
// everywhere in this output.
Json cell(const std::string& text) {
    double v = 0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, v);
    if (!text.empty() && ec == std::errc{} && ptr == end && std::isfinite(v)) return v;
    return text;
}

void write_line(std::ostream& out, const Json& j) {
    // Invalid UTF-8 in a label or a statement becomes U+FFFD instead of an exception.
    out << j.dump(-1, ' ', false, Json::error_handler_t::replace) << '\n';
}

}  // namespace

void JsonOutput::text(std::string_view text) {
    write_line(m_out, {{"type", "text"}, {"text", std::string(text)}});
}

void JsonOutput::diagnostic(Severity severity, std::string_view formatted) {
    // Only reached by a diagnostic formatted elsewhere; the session's come through report().
    write_line(m_out, {{"type", "diagnostic"},
                       {"severity", severity_name(severity)},
                       {"file", nullptr},
                       {"line", nullptr},
                       {"column", nullptr},
                       {"message", std::string(formatted)}});
}

void JsonOutput::report(const Diagnostic& d) {
    Json j{{"type", "diagnostic"},
           {"severity", severity_name(d.severity)},
           {"file", std::string(d.source)}};
    if (d.span) {
        j["line"] = d.span->line;
        j["column"] = d.span->column;
        j["length"] = d.span->length;
    } else {
        j["line"] = nullptr;
        j["column"] = nullptr;
        j["length"] = nullptr;
    }
    j["message"] = std::string(d.message);
    if (d.detail != nullptr)  // the parts of an error about an argument, as data
        j["detail"] = {{"argument", d.detail->argument},
                       {"expected", d.detail->expected},
                       {"suggestions", d.detail->suggestions},
                       {"fixes", d.detail->fixes}};
    write_line(m_out, j);
}

void JsonOutput::result(const Result& r) {
    Json j{{"type", "result"}, {"expression", std::string(r.expression)}};
    if (r.label) j["label"] = *r.label;
    j["data"] = number(r.data);
    if (r.grad) j["grad"] = number(*r.grad);
    write_line(m_out, j);
}

void JsonOutput::table(const Table& t) {
    Json columns = Json::array(), rows = Json::array();
    if (!t.rows.empty())
        for (const auto& c : t.rows.front())
            columns.push_back(c);
    for (std::size_t i = 1; i < t.rows.size(); ++i) {
        Json row = Json::array();
        for (const auto& c : t.rows[i])
            row.push_back(cell(c));
        rows.push_back(std::move(row));
    }
    write_line(m_out,
               {{"type", "table"}, {"columns", std::move(columns)}, {"rows", std::move(rows)}});
}

void JsonOutput::progress(const Progress& p) {
    write_line(m_out, {{"type", "progress"},
                       {"command", std::string(p.command)},
                       {"step", p.step},
                       {"total", p.total},
                       {"name", std::string(p.name)},
                       {"value", number(p.value)}});
}

}  // namespace mgrad::cli
