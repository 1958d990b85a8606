// SessionOutput — what a Session run from Python produced, kept as C++ data while the run goes
// on (without the GIL) and turned into Python objects afterwards: text, results, tables,
// diagnostics with their spans, the files commands wrote, and pictures drawn in memory (when
// the session was made to show them, as a notebook kernel's is).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mgrad/language/output.hpp"

namespace mgrad::python {

struct Event {
    enum class Kind : std::uint8_t { Text, Result, Table, Diagnostic, File, Picture };
    Kind kind = Kind::Text;
    std::string text;  ///< Text: the text; Result, Table, Diagnostic: the printed form;
                       ///< Picture: its caption
    // Result
    std::string expression;
    std::optional<std::string> label;
    double data = 0.0;
    std::optional<double> grad;
    // Table
    std::vector<std::vector<std::string>> rows;
    std::string align;
    // Diagnostic
    Severity severity = Severity::Error;
    std::string message;
    std::string source;
    std::optional<SourceSpan> span;
    std::optional<ErrorDetail> detail;  ///< the error's parts as data, when it has them
    std::string styled;  ///< the printed form with a terminal's colours (as the REPL shows it)
    // File
    std::string path;
    std::string format;  ///< File and Picture
    // Picture
    std::string bytes;
};

class SessionOutput final : public Output {
  public:
    /// `pictures`: commands draw in memory where no file is named (:draw NAME …), and the
    /// pictures come back as events.
    explicit SessionOutput(bool pictures = false) : m_pictures(pictures) {}
    void text(std::string_view text) override;
    void diagnostic(Severity severity, std::string_view formatted) override;
    void result(const Result& r) override;
    void report(const Diagnostic& d) override;
    void table(const Table& t) override;
    void wrote_file(const WrittenFile& file) override;
    [[nodiscard]] bool shows_pictures() const override { return m_pictures; }
    void picture(const Picture& picture) override;

    /// The events since the last take(), in order.
    std::vector<Event> take() { return std::exchange(m_events, {}); }

  private:
    std::vector<Event> m_events;
    bool m_pictures = false;
};

}  // namespace mgrad::python
