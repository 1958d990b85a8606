// Shortest round-trip printing laid out like Python's float repr (see number.hpp).
#include "mgrad/support/number.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>

#if defined(_LIBCPP_VERSION) && !defined(__EMSCRIPTEN__)
#include <locale.h>
#include <clocale>
#endif

namespace mgrad {

std::string format_number(double value) {
    // {fmt}'s "{}" is exactly this layout: the shortest digits that read back to the same
    // double (Dragonbox), scientific below 1e-4 and from 1e16 on, no ".0" on whole numbers
    // (tests/test_number.cpp compares it with the repr() rules over a million doubles). Only
    // a NaN with its sign bit set differs: fmt writes "-nan", repr() and mgrad "nan".
    if (std::isnan(value)) return "nan";
    return fmt::format("{}", value);
}

ParsedDouble parse_double(std::string_view text) {
    ParsedDouble r;
#if !defined(_LIBCPP_VERSION)
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), r.value);
    r.end = ptr;
    r.ec = ec;
#else
    // strtod rounds correctly (glibc, and musl in the page) but reads a sign, spaces, hex and
    // words that from_chars does not: only a plain decimal number goes to it.
    std::size_t n = 0;
    while (n < text.size() && ((text[n] >= '0' && text[n] <= '9') || text[n] == '.' ||
                               text[n] == 'e' || text[n] == 'E' ||
                               ((text[n] == '-' || text[n] == '+') && n > 0 &&
                                (text[n - 1] == 'e' || text[n - 1] == 'E')) ||
                               (text[n] == '-' && n == 0)))
        ++n;
    const std::string copy(text.substr(0, n));
    char* end = nullptr;
    errno = 0;
#if defined(__EMSCRIPTEN__)
    r.value = std::strtod(copy.c_str(), &end);  // the page's locale is always "C"
#else
    static const locale_t c_locale = ::newlocale(LC_ALL_MASK, "C", nullptr);
    r.value = ::strtod_l(copy.c_str(), &end, c_locale);
#endif
    const std::size_t used = static_cast<std::size_t>(end - copy.c_str());
    r.end = text.data() + used;
    if (used == 0) {
        r.ec = std::errc::invalid_argument;
        r.value = 0.0;
    } else if (errno == ERANGE && (r.value == 0.0 || std::isinf(r.value))) {
        r.ec = std::errc::result_out_of_range;  // a subnormal result is not out of range
    }
#endif
    return r;
}

}  // namespace mgrad
