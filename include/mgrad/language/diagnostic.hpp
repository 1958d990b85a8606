// Diagnostics — how an error or a warning that points into source text is shown.
//
//     lecture.mg:3:9: error: undefined name 'ab'; did you mean 'a'?
//     L = (ab + c) * f
//          ^~
//
// The first line names the source (a file path, `<stdin>`, `<command line>` or `<repl>`), the
// 1-based line and column, the severity and the message; then the source line and a caret
// under the offending span. Messages without a span print only `source: error: message`.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mgrad/support/error.hpp"
#include "mgrad/support/export.hpp"
#include "mgrad/support/suggest.hpp"

namespace mgrad {

enum class Severity { Error, Warning, Note };

/// "error", "warning" or "note": the word every front end shows and sends for a severity.
[[nodiscard]] MGRAD_API std::string_view severity_name(Severity s) noexcept;

/// Formats one diagnostic, ending in a newline. `text` is the whole source the span points
/// into; a span past its end is shown at the end of the last line. With `color`, ANSI escapes
/// make the place bold, the severity red (error), magenta (warning) or cyan (note), quoted
/// 'names' bold and the caret green, as compilers do on a terminal.
[[nodiscard]] MGRAD_API std::string format_diagnostic(std::string_view source_name,
                                                      std::string_view text, Severity severity,
                                                      std::string_view message,
                                                      const std::optional<SourceSpan>& span,
                                                      bool color = false);

/// The length in bytes of the well-formed UTF-8 character `text` starts with (1 to 4), or 0
/// when it starts with an invalid, overlong or truncated sequence (or is empty).
[[nodiscard]] MGRAD_API std::size_t utf8_length(std::string_view text) noexcept;

/// `text` as it is safe to print on a terminal: control characters other than tab (a NUL, an
/// escape sequence) and every byte of invalid UTF-8 become U+FFFD '�', one column each.
[[nodiscard]] MGRAD_API std::string printable(std::string_view text);

}  // namespace mgrad
