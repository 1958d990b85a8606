// Shortest round-trip printing laid out like Python's float repr (see number.hpp).
#include "mgrad/support/number.hpp"

#include <fmt/format.h>

#include <cmath>

namespace mgrad {

std::string format_number(double value) {
    // {fmt}'s "{}" is exactly this layout: the shortest digits that read back to the same
    // double (Dragonbox), scientific below 1e-4 and from 1e16 on, no ".0" on whole numbers
    // (tests/test_number.cpp compares it with the repr() rules over a million doubles). Only
    // a NaN with its sign bit set differs: fmt writes "-nan", repr() and mgrad "nan".
    if (std::isnan(value)) return "nan";
    return fmt::format("{}", value);
}

}  // namespace mgrad
