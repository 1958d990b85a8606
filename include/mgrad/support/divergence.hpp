// Divergence — noticing that a loss being minimised runs away instead of settling.
//
// Gradient descent with too large a step overshoots further each time: the loss grows by
// orders of magnitude, then overflows to inf and NaN. `:minimize` and `mgrad train` watch
// every step's loss with a DivergenceWatch and stop, saying so, at the first sign:
//
//     DivergenceWatch watch(first_loss);
//     if (auto why = watch.check(loss)) stop(*why);   // "grew from 4.5 to 5123 (×1138)"
#pragma once

#include <optional>
#include <string>

#include "mgrad/support/export.hpp"

namespace mgrad {

class MGRAD_API DivergenceWatch {
  public:
    /// A loss whose size grows past this many times its start (or past this many times 1,
    /// for a start smaller than 1) is diverging.
    static constexpr double growth_limit = 1e3;

    explicit DivergenceWatch(double first_loss) noexcept : m_first(first_loss) {}

    /// Why `loss` means divergence ("became nan", "grew from 4.5 to 5123"), or nothing.
    [[nodiscard]] std::optional<std::string> check(double loss) const;

  private:
    double m_first;
};

}  // namespace mgrad
