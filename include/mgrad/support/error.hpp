// mgrad::Error — the one exception type of the project.
//
// Every failure a user can cause (a syntax error, a stale Value handle, an unwritable file, a
// missing Graphviz plugin) is reported as an Error. Errors that point into source text carry a
// SourceSpan so the front end can print `file:line:col: error: message` with a caret line.
// An error about an argument also carries its parts as data (ErrorDetail: which argument, what
// was expected, the words that would do), so that no front end has to read them out of the
// message.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

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

/// What an error about an argument or an option is, as data: a page offers `fixes` as buttons,
/// a notebook or `--json` passes them on. Every field may be empty.
struct MGRAD_API ErrorDetail {
    std::string argument;  ///< the argument or option at fault: "FILE", "depth", "NAME"
    std::string expected;  ///< what it takes: "a whole number from 0 to 17", "a bound name"
    std::vector<std::string> suggestions;  ///< valid words near the one given (did you mean)
    std::vector<std::string> fixes;        ///< option words that would make it work: "depth=3"
};

class MGRAD_API Error : public std::runtime_error {
  public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
    Error(const std::string& message, SourceSpan span)
        : std::runtime_error(message), m_span(span) {}
    Error(const std::string& message, std::optional<SourceSpan> span, ErrorDetail detail)
        : std::runtime_error(message),
          m_span(span),
          m_detail(std::make_shared<const ErrorDetail>(std::move(detail))) {}

    /// Where in the source the error happened, when it came from source text.
    [[nodiscard]] const std::optional<SourceSpan>& span() const noexcept { return m_span; }
    /// The error's parts as data, when it has them.
    [[nodiscard]] const ErrorDetail* detail() const noexcept { return m_detail.get(); }
    /// The same error (message and detail) pointing at `span`.
    [[nodiscard]] Error at(SourceSpan span) const {
        Error e(*this);
        e.m_span = span;
        return e;
    }

  private:
    std::optional<SourceSpan> m_span;
    std::shared_ptr<const ErrorDetail> m_detail;  // shared: errors are copied as they are thrown
};

}  // namespace mgrad
