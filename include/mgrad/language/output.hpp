// Output — where a session's results, tables and diagnostics go.
//
// A Session never writes to std::cout itself: the front end hands it an Output. StreamOutput
// writes results to one stream and diagnostics to another (stdout and stderr in the CLI, two
// string streams in tests). A structured front end (e.g. JSON lines) overrides result() and
// diagnostic() and keeps everything else; one that shows diagnostics, tables, progress or
// pictures its own way (a notebook, JSON lines) overrides report(), table(), progress() or
// wrote_file(), and shows_pictures() and picture() to have commands draw in memory instead of
// asking for a file.
#pragma once

#include <cstddef>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "mgrad/language/diagnostic.hpp"
#include "mgrad/support/export.hpp"

namespace mgrad {

/// One printed result of a bare expression.
struct MGRAD_API Result {
    std::string_view expression;       ///< the source text of the expression
    std::optional<std::string> label;  ///< a node's label (or the expression text); no value
    double data = 0.0;                 ///< the number, or the node's data
    std::optional<double> grad;        ///< a node's grad; nothing for a plain number
};

/// A diagnostic with its parts, for a front end that shows them its own way (a notebook marks
/// the line in its cell; Python raises an exception carrying the span).
struct MGRAD_API Diagnostic {
    Severity severity = Severity::Error;
    std::string_view source;       ///< the source's name: a file path, `<repl>` …
    std::string_view source_text;  ///< the whole text the span points into
    std::string_view message;      ///< the message alone, without position or severity
    std::optional<SourceSpan> span;
    /// An error's parts as data (which argument, what it takes, words that would do), when
    /// it has them: for front ends that act on them rather than show them.
    const ErrorDetail* detail = nullptr;
};

/// A table a command prints (`:grad`, `:vars`): a header row and rows of cells, and its text.
struct MGRAD_API Table {
    std::vector<std::vector<std::string>> rows;  ///< rows[0] is the header
    std::string align;                           ///< per column: 'l' left, 'r' right
    std::string text;                            ///< the table laid out in columns
};

/// One step of a long command (`:minimize`), reported as it goes.
struct MGRAD_API Progress {
    std::string_view command;  ///< "minimize"
    std::size_t step = 0;      ///< steps done, 1 to total
    std::size_t total = 0;
    std::string_view name;  ///< what is being watched: the loss's name
    double value = 0.0;     ///< its value after `step` steps
    std::string_view text;  ///< the line a terminal shows, with its newline
};

/// A file a command wrote: a picture (`:draw`, `:plot`, `:trace … frames`) or a script.
struct MGRAD_API WrittenFile {
    std::string path;    ///< as the user named it
    std::string format;  ///< "svg", "png", "pdf", "dot", "json" (pictures), "mg", "py"
};

/// A picture a command drew in memory for the front end to show where it shows results (a
/// notebook, under the cell): `:draw NAME`, `:plot EXPR x=A..B`, `:trace NAME frames` and
/// `:minimize … plot` in a front end whose Output shows pictures.
struct MGRAD_API Picture {
    std::string format;   ///< "svg" or "png"
    std::string data;     ///< the bytes, as a file of that format would hold them
    std::string caption;  ///< one line on what it shows ("L", a :trace frame's update)
};

class MGRAD_API Output {
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
    /// Every diagnostic the session reports comes here. By default it is formatted
    /// (format_diagnostic) and passed to diagnostic().
    virtual void report(const Diagnostic& d);
    /// A table; by default its text.
    virtual void table(const Table& t) { text(t.text); }
    /// A progress report; by default its text.
    virtual void progress(const Progress& p) { text(p.text); }
    /// The width text is wrapped to (`:help`): the terminal's, or 80.
    [[nodiscard]] virtual std::size_t width() const { return 80; }
    /// How many rows of a long table (`:grad`, `:vars`) are shown at once, the rest waiting
    /// for `:more`; 0 (the default: a script, a pipe) shows every row.
    [[nodiscard]] virtual std::size_t page_rows() const { return 0; }
    /// Called after a command wrote a file (its message has gone to text()). Nothing by default.
    virtual void wrote_file(const WrittenFile& /*file*/) {}
    /// True when this front end shows pictures itself (see picture()): commands then draw in
    /// memory where the user names no file. False by default: there they ask for a file.
    [[nodiscard]] virtual bool shows_pictures() const { return false; }
    /// A picture to show; commands call it only when shows_pictures().
    virtual void picture(const Picture& /*picture*/) {}
};

/// Results and text to `out`, diagnostics to `err`; `out` is flushed before each diagnostic so
/// the two interleave in order on a terminal. With colour on (set_color), diagnostics, the
/// names in results and the headers of tables are coloured with ANSI escapes. With a `status`
/// stream (a terminal), status lines are drawn there and erased in place.
class MGRAD_API StreamOutput : public Output {
  public:
    StreamOutput(std::ostream& out, std::ostream& err, std::ostream* status = nullptr)
        : m_out(out), m_err(err), m_status(status) {}
    void text(std::string_view text) override;
    void diagnostic(Severity severity, std::string_view formatted) override;
    void result(const Result& r) override;
    void report(const Diagnostic& d) override;
    void table(const Table& t) override;
    [[nodiscard]] std::size_t width() const override { return m_width; }
    [[nodiscard]] std::size_t page_rows() const override { return m_page_rows; }

    /// Colour for what goes to `out` and to `err` (each is a terminal or not).
    void set_color(bool out, bool err) noexcept {
        m_color_out = out;
        m_color_err = err;
    }
    /// The width `:help` wraps to (at least 40).
    void set_width(std::size_t columns) noexcept { m_width = columns < 40 ? 40 : columns; }
    /// Rows of a long table per page (a REPL on a terminal: its height); 0 shows them all.
    void set_page_rows(std::size_t rows) noexcept { m_page_rows = rows; }
    void status(std::string_view text) override;

  private:
    std::ostream& m_out;
    std::ostream& m_err;
    bool m_color_out = false;
    bool m_color_err = false;
    std::size_t m_width = 80;
    std::size_t m_page_rows = 0;
    std::ostream* m_status;
};

/// The one-line form of a result (see Output::result), with its newline.
[[nodiscard]] MGRAD_API std::string format_result(const Result& r);

/// `text` wrapped to `width` columns at blanks (a word longer than a line stays whole); each
/// line after the first starts with `indent` blanks. Existing line breaks are kept.
[[nodiscard]] MGRAD_API std::string wrap_text(std::string_view text, std::size_t width,
                                              std::size_t indent = 0);

}  // namespace mgrad
