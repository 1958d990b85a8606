// Shortest round-trip printing laid out like Python's float repr (see number.hpp).
#include "mgrad/support/number.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>
#include <system_error>

namespace mgrad {

std::string format_number(double value) {
    if (std::isnan(value)) return "nan";
    if (std::isinf(value)) return value < 0 ? "-inf" : "inf";

    // std::to_chars without a precision gives the shortest digits that round-trip; the
    // scientific form hands them over as d.ddde±x so they can be laid out like repr().
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
    if (ec != std::errc{}) return "nan";  // cannot happen with 64 bytes
    std::string_view sci(buf, static_cast<std::size_t>(end - buf));

    std::string sign;
    if (sci.front() == '-') {
        sign = "-";
        sci.remove_prefix(1);
    }
    const auto e_pos = sci.find('e');
    const int exponent = std::atoi(std::string(sci.substr(e_pos + 1)).c_str());
    std::string digits;
    for (char c : sci.substr(0, e_pos))
        if (c != '.') digits += c;

    // Python switches to scientific notation below 1e-4 and from 1e16 on.
    if (exponent < -4 || exponent >= 16) {
        std::string out = sign + digits.substr(0, 1);
        if (digits.size() > 1) out += "." + digits.substr(1);
        out += exponent < 0 ? "e-" : "e+";
        const int mag = std::abs(exponent);
        if (mag < 10) out += '0';
        out += std::to_string(mag);
        return out;
    }
    if (exponent < 0)
        return sign + "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
    const auto int_len = static_cast<std::size_t>(exponent) + 1;
    if (digits.size() <= int_len) return sign + digits + std::string(int_len - digits.size(), '0');
    return sign + digits.substr(0, int_len) + "." + digits.substr(int_len);
}

}  // namespace mgrad
