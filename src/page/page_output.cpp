#include "page_output.hpp"

#include <string>

namespace mgrad::page {

void PageOutput::text(std::string_view text) {
    // Consecutive text joins into one event (a table printed a row at a time).
    if (!m_events.empty() && m_events.back()["kind"] == "text") {
        m_events.back()["text"] = m_events.back()["text"].get<std::string>() + std::string(text);
        return;
    }
    m_events.push_back({{"kind", "text"}, {"text", std::string(text)}});
}

void PageOutput::diagnostic(Severity severity, std::string_view formatted) {
    m_events.push_back({{"kind", "diagnostic"},
                        {"severity", severity_name(severity)},
                        {"text", std::string(formatted)}});
}

void PageOutput::report(const Diagnostic& d) {
    Output::report(d);  // formats it and calls diagnostic()
    auto& event = m_events.back();
    event["message"] = std::string(d.message);
    if (d.span) {
        event["line"] = d.span->line;
        event["column"] = d.span->column;
        event["length"] = d.span->length;
    }
}

void PageOutput::result(const Result& r) {
    m_events.push_back({{"kind", "result"}, {"text", format_result(r)}});
}

void PageOutput::picture(const Picture& picture) {
    m_events.push_back({{"kind", "picture"},
                        {"format", picture.format},
                        {"data", picture.data},
                        {"caption", picture.caption}});
}

void PageOutput::wrote_file(const WrittenFile& file) {
    m_events.push_back({{"kind", "file"}, {"path", file.path}, {"format", file.format}});
}

std::string PageOutput::take() {
    std::string out = m_events.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    m_events = nlohmann::json::array();
    return out;
}

}  // namespace mgrad::page
