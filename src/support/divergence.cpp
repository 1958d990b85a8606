#include "mgrad/support/divergence.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "mgrad/support/number.hpp"

namespace mgrad {

std::optional<std::string> DivergenceWatch::check(double loss) const {
    if (!std::isfinite(loss)) return fmt::format("became {}", format_number(loss));
    // Measured against at least 1, so that a loss already near 0 can wobble without alarm.
    const double scale = std::max(std::fabs(m_first), 1.0);
    if (!std::isfinite(m_first) || std::fabs(loss) <= growth_limit * scale) return std::nullopt;
    return fmt::format("grew from {} to {}", format_number(m_first), format_number(loss));
}

}  // namespace mgrad
