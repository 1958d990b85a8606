// format_number: {fmt}'s "{}" prints every double exactly as repr()'s rules lay it out.
#include <doctest/doctest.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <system_error>

#include <mgrad/support/number.hpp>

namespace {

/// The rules of number.hpp written out from std::to_chars' shortest digits: Python's repr()
/// without ".0" on whole numbers. (This was format_number before it used {fmt}.)
std::string repr_rules(double value) {
    if (std::isnan(value)) return "nan";
    if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
    REQUIRE(ec == std::errc{});
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
    if (exponent < -4 || exponent >= 16) {
        std::string out = sign + digits.substr(0, 1);
        if (digits.size() > 1) out += "." + digits.substr(1);
        out += exponent < 0 ? "e-" : "e+";
        const int mag = std::abs(exponent);
        if (mag < 10) out += '0';
        return out + std::to_string(mag);
    }
    if (exponent < 0)
        return sign + "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
    const auto int_len = static_cast<std::size_t>(exponent) + 1;
    if (digits.size() <= int_len) return sign + digits + std::string(int_len - digits.size(), '0');
    return sign + digits.substr(0, int_len) + "." + digits.substr(int_len);
}

double from_bits(std::uint64_t bits) {
    double v = 0;
    std::memcpy(&v, &bits, sizeof v);
    return v;
}

}  // namespace

TEST_CASE("format_number prints what repr()'s rules print, for a million random doubles") {
    std::mt19937_64 rng(20240601);
    std::size_t differ = 0;
    auto compare = [&](double v) {
        const std::string got = mgrad::format_number(v), want = repr_rules(v);
        if (got != want && ++differ <= 10) CHECK_MESSAGE(got == want, "value ", want);
    };
    for (int i = 0; i < 400'000; ++i) {
        compare(from_bits(rng()));  // any bit pattern: subnormals, huge, NaN payloads
        // Decimals of every magnitude around the switch to scientific notation.
        const int exponent = static_cast<int>(rng() % 48) - 24;
        compare(std::ldexp(static_cast<double>(rng() >> 11), -53) * std::pow(10.0, exponent));
        // Whole numbers up to 2^63, where ".0" is left off and 1e16 switches.
        compare(static_cast<double>(static_cast<std::int64_t>(rng()) >> (rng() % 64)));
    }
    CHECK(differ == 0);
}

TEST_CASE("format_number at the edges") {
    using mgrad::format_number;
    constexpr double inf = std::numeric_limits<double>::infinity();
    const double edges[] = {0.0,
                            -0.0,
                            1e-4,
                            9.999999999999999e-5,
                            1e16,
                            9999999999999998.0,
                            1e15,
                            5e-324,
                            -5e-324,
                            2.2250738585072014e-308,
                            1.7976931348623157e308,
                            -1.7976931348623157e308,
                            9007199254740993.0,
                            0.1 + 0.2,
                            1.0 / 3,
                            inf,
                            -inf,
                            std::numeric_limits<double>::quiet_NaN(),
                            -std::numeric_limits<double>::quiet_NaN(),
                            from_bits(0x7ff0000000000001ULL),
                            from_bits(0xfff8000000000001ULL)};
    for (double v : edges)
        CHECK(format_number(v) == repr_rules(v));
    for (int e = -330; e <= 310; ++e)
        for (double m : {1.0, 1.5, 5.0, 9.999999999999999}) {
            CHECK(format_number(m * std::pow(10.0, e)) == repr_rules(m * std::pow(10.0, e)));
            CHECK(format_number(-m * std::pow(10.0, e)) == repr_rules(-m * std::pow(10.0, e)));
        }
    // The layout itself, spelled out.
    CHECK(format_number(-0.0) == "-0");
    CHECK(format_number(1e-5) == "1e-05");
    CHECK(format_number(1e16) == "1e+16");
    CHECK(format_number(1e15) == "1000000000000000");
    CHECK(format_number(-std::numeric_limits<double>::quiet_NaN()) == "nan");
}
