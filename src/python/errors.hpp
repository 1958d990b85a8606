// How C++ failures reach Python: mgrad::Error becomes mgrad.Error (a ValueError carrying the
// message and, when there is one, the span); nothing escapes as a crash.
#pragma once

#include <Python.h>

#include <optional>
#include <string>
#include <string_view>

#include "mgrad/support/error.hpp"

namespace mgrad::python {

/// Reads mgrad.errors.Error and mgrad.errors.Span at module initialisation.
void init_errors();

/// Sets mgrad.Error from `e`; `source` and `formatted` (a diagnostic with its caret line) are
/// attached when given.
void set_error(const Error& e, const std::string& source = {}, const std::string& formatted = {});

/// Inside a catch block: sets the Python error for the exception being handled (mgrad::Error,
/// a Python error already set, std::bad_alloc, anything else). For functions called straight
/// from Python's C API; pybind11-bound functions get the same through a translator.
void set_error_from_current() noexcept;

/// A Python str from UTF-8 text; invalid bytes become U+FFFD (a new reference, or null).
PyObject* to_str(std::string_view text);

/// A Python `Span(offset, length, line, column)`, or None.
PyObject* make_span(const std::optional<SourceSpan>& span);

}  // namespace mgrad::python
