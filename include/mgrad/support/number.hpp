// Number printing — the one way mgrad writes a double for people and for golden files.
//
// Every number is printed in the shortest form that reads back to the same double, laid out the
// way Python's repr() lays out a float, except that integral values have no ".0": 0.1, -20,
// 24.70408163265306, 1e-05, 1e+16, inf, -inf, nan. Output can therefore be compared exactly
// with micrograd or PyTorch printouts, and parsing a printed number gives the same bits back.
#pragma once

#include <string>
#include <string_view>
#include <system_error>

#include "mgrad/support/export.hpp"

namespace mgrad {

/// The shortest round-trip text of `value` (see the header comment for the layout).
[[nodiscard]] MGRAD_API std::string format_number(double value);

/// What parse_double() read: as std::from_chars reports it.
struct ParsedDouble {
    double value = 0.0;
    const char* end = nullptr;  ///< one past the last character read
    std::errc ec{};  ///< result_out_of_range when the number overflows or underflows to 0
};

/// Reads a decimal number (digits, '.', an exponent) exactly, whatever the locale: what
/// std::from_chars does for a double, on every standard library mgrad builds with (libc++ 14,
/// the page's, has no from_chars for floating point).
[[nodiscard]] MGRAD_API ParsedDouble parse_double(std::string_view text);

}  // namespace mgrad
