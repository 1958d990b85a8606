// Output — where a session's results, tables and diagnostics go.
//
// A Session never writes to std::cout itself: the front end hands it an Output. StreamOutput
// writes results to one stream and diagnostics to another (stdout and stderr in the CLI, two
// string streams in tests). A structured front end (e.g. JSON lines) overrides result() and
// diagnostic() and keeps everything else.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "mgrad/language/diagnostic.hpp"

namespace mgrad {

/// One printed result of a bare expression.
struct Result {
    std::string_view expression;       ///< the source text of the expression
    std::optional<std::string> label;  ///< a node's label (or the expression text); no value
    double data = 0.0;                 ///< the number, or the node's data
    std::optional<double> grad;        ///< a node's grad; nothing for a plain number
};

class Output {
  public:
    Output() = default;
    Output(const Output&) = delete;
    Output& operator=(const Output&) = delete;
    virtual ~Output() = default;

    /// Text for the user (tables, help, echoed statements); `text` ends its own lines.
    virtual void text(std::string_view text) = 0;
    /// A diagnostic already formatted by format_diagnostic().
    virtual void diagnostic(Severity severity, std::string_view formatted) = 0;
    /// The value of a bare expression. By default one line: `-8` for a number,
    /// `L = -8  (grad 1)` for a node.
    virtual void result(const Result& r);
    /// A passing status line for work that takes long (`laying out 2,996 nodes… 3 s`); an
    /// empty text removes it. Not part of the transcript: nothing is shown by default.
    virtual void status(std::string_view /*text*/) {}
};

/// Results and text to `out`, diagnostics to `err`; `out` is flushed before each diagnostic so
/// the two interleave in order on a terminal.
/// With a `status` stream (a terminal), status lines are drawn there and erased in place.
class StreamOutput : public Output {
  public:
    StreamOutput(std::ostream& out, std::ostream& err, std::ostream* status = nullptr)
        : m_out(out), m_err(err), m_status(status) {}
    void text(std::string_view text) override;
    void diagnostic(Severity severity, std::string_view formatted) override;
    void status(std::string_view text) override;

  private:
    std::ostream& m_out;
    std::ostream& m_err;
    std::ostream* m_status;
};

/// The one-line form of a result (see Output::result), with its newline.
[[nodiscard]] std::string format_result(const Result& r);

}  // namespace mgrad
