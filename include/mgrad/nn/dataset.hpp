// Dataset — small two-dimensional classification sets, generated in-process from a seed.
//
// Nothing is downloaded and nothing depends on the platform: the same seed gives the same points
// everywhere (see random.hpp). Labels are class indices 0 … classes−1; binary losses that want
// ±1 use sign_label().
//   moons    two interleaving half circles, as scikit-learn's make_moons (shuffled, then
//            Gaussian noise of standard deviation `noise` on both coordinates)
//   circles  a circle of radius 1 (class 0) around one of radius `factor` (class 1), as
//            make_circles
//   xor      uniform points in [−1, 1]², class 1 where x·y < 0, then noise
//   blobs    `classes` Gaussian clusters (standard deviation `noise`) on a circle of radius 2
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mgrad/support/export.hpp"

namespace mgrad {

struct MGRAD_API Dataset {
    std::string name;
    std::size_t classes = 2;
    std::vector<std::array<double, 2>> points;
    std::vector<std::size_t> labels;

    [[nodiscard]] std::size_t size() const noexcept { return points.size(); }
    /// −1 for class 0, +1 for class 1 (binary sets).
    [[nodiscard]] double sign_label(std::size_t i) const noexcept {
        return labels[i] == 0 ? -1.0 : 1.0;
    }
};

MGRAD_API Dataset make_moons(std::size_t samples, double noise, std::uint64_t seed);
MGRAD_API Dataset make_circles(std::size_t samples, double noise, std::uint64_t seed,
                               double factor = 0.5);
MGRAD_API Dataset make_xor(std::size_t samples, double noise, std::uint64_t seed);
MGRAD_API Dataset make_blobs(std::size_t samples, double noise, std::uint64_t seed,
                             std::size_t classes = 3);

/// "moons", "circles", "xor", "blobs".
[[nodiscard]] MGRAD_API std::span<const std::string_view> dataset_names() noexcept;
/// The noise a set gets when none is asked for: 0.1, except 0.4 for blobs.
[[nodiscard]] MGRAD_API double default_noise(std::string_view name);
/// One of the sets by name; throws mgrad::Error for an unknown name or zero samples.
MGRAD_API Dataset make_dataset(std::string_view name, std::size_t samples,
                               std::optional<double> noise, std::uint64_t seed);

}  // namespace mgrad
