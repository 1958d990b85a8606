// mgrad::Error — the one exception type of the project.
//
// Every failure a user can cause (a syntax error, a stale Value handle, an unwritable file, a
// missing Graphviz plugin) is reported as an Error. Errors that point into source text carry a
// SourceSpan so the front end can print `file:line:col: error: message` with a caret line.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include "mgrad/support/export.hpp"

namespace mgrad {

/// A half-open range of characters in one source text. Lines and columns are 1-based; `length`
/// is in bytes and is at least 1 when the span is printed.
struct MGRAD_API SourceSpan {
    std::uint32_t offset = 0;  ///< byte offset of the first character
    std::uint32_t length = 0;  ///< bytes covered
    std::uint32_t line = 1;
    std::uint32_t column = 1;
};

class MGRAD_API Error : public std::runtime_error {
  public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
    Error(const std::string& message, SourceSpan span)
        : std::runtime_error(message), m_span(span) {}

    /// Where in the source the error happened, when it came from source text.
    [[nodiscard]] const std::optional<SourceSpan>& span() const noexcept { return m_span; }

  private:
    std::optional<SourceSpan> m_span;
};

}  // namespace mgrad
