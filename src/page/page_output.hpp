// PageOutput — a session's output as events for the page's console.
//
// The console shows each event its own way: text and results as lines, a diagnostic with its
// caret (and its parts, to mark the line), a picture inline (SVG), a file a command wrote as a
// download. Events are collected while a statement runs and handed over as JSON when it ends.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "mgrad/language/output.hpp"

namespace mgrad::page {

class PageOutput final : public Output {
  public:
    explicit PageOutput(bool shows_pictures) : m_shows_pictures(shows_pictures) {}
    void text(std::string_view text) override;
    void diagnostic(Severity severity, std::string_view formatted) override;
    void report(const Diagnostic& d) override;
    void result(const Result& r) override;
    [[nodiscard]] bool shows_pictures() const override { return m_shows_pictures; }
    void picture(const Picture& picture) override;
    void wrote_file(const WrittenFile& file) override;

    /// An event of the page's own (a note, a request to pick a file).
    void event(nlohmann::json event) { m_events.push_back(std::move(event)); }
    /// The events since the last call, as a JSON array; clears them.
    [[nodiscard]] std::string take();

  private:
    bool m_shows_pictures;
    nlohmann::json m_events = nlohmann::json::array();
};

}  // namespace mgrad::page
