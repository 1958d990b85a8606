#include "mgrad/nn/dataset.hpp"

#include <fmt/format.h>

#include <array>
#include <cmath>
#include <numbers>
#include <utility>

#include "mgrad/nn/random.hpp"
#include "mgrad/support/error.hpp"

namespace mgrad {

namespace {

constexpr std::array<std::string_view, 4> names{"moons", "circles", "xor", "blobs"};

// numpy.linspace(0, stop, n) (endpoint included).
double linspace(double stop, std::size_t i, std::size_t n) {
    return n < 2 ? 0.0 : stop * static_cast<double>(i) / static_cast<double>(n - 1);
}

// Fisher-Yates over points and labels together.
void shuffle(Dataset& d, Rng& rng) {
    for (std::size_t i = d.size(); i > 1; --i) {
        const std::size_t j = rng.below(i);
        std::swap(d.points[i - 1], d.points[j]);
        std::swap(d.labels[i - 1], d.labels[j]);
    }
}

void add_noise(Dataset& d, double noise, Rng& rng) {
    if (noise == 0.0) return;
    for (auto& p : d.points) {
        p[0] += noise * rng.normal();
        p[1] += noise * rng.normal();
    }
}

void check(std::size_t samples, double noise) {
    if (samples == 0) throw Error("a data set needs at least one sample");
    if (!(noise >= 0.0) || !std::isfinite(noise))
        throw Error(fmt::format("noise must be a finite number >= 0, not {}", noise));
}

}  // namespace

Dataset make_moons(std::size_t samples, double noise, std::uint64_t seed) {
    check(samples, noise);
    Dataset d{"moons", 2, {}, {}};
    const std::size_t n_out = samples / 2, n_in = samples - n_out;
    for (std::size_t i = 0; i < n_out; ++i) {
        const double t = linspace(std::numbers::pi, i, n_out);
        d.points.push_back({std::cos(t), std::sin(t)});
        d.labels.push_back(0);
    }
    for (std::size_t i = 0; i < n_in; ++i) {
        const double t = linspace(std::numbers::pi, i, n_in);
        d.points.push_back({1.0 - std::cos(t), 1.0 - std::sin(t) - 0.5});
        d.labels.push_back(1);
    }
    Rng rng(seed);
    shuffle(d, rng);
    add_noise(d, noise, rng);
    return d;
}

Dataset make_circles(std::size_t samples, double noise, std::uint64_t seed, double factor) {
    check(samples, noise);
    Dataset d{"circles", 2, {}, {}};
    const std::size_t n_out = samples / 2, n_in = samples - n_out;
    const double two_pi = 2.0 * std::numbers::pi;
    for (std::size_t i = 0; i < n_out; ++i) {  // endpoint excluded, as make_circles
        const double t = two_pi * static_cast<double>(i) / static_cast<double>(n_out);
        d.points.push_back({std::cos(t), std::sin(t)});
        d.labels.push_back(0);
    }
    for (std::size_t i = 0; i < n_in; ++i) {
        const double t = two_pi * static_cast<double>(i) / static_cast<double>(n_in);
        d.points.push_back({factor * std::cos(t), factor * std::sin(t)});
        d.labels.push_back(1);
    }
    Rng rng(seed);
    shuffle(d, rng);
    add_noise(d, noise, rng);
    return d;
}

Dataset make_xor(std::size_t samples, double noise, std::uint64_t seed) {
    check(samples, noise);
    Dataset d{"xor", 2, {}, {}};
    Rng rng(seed);
    for (std::size_t i = 0; i < samples; ++i) {
        const double x = rng.uniform(-1.0, 1.0), y = rng.uniform(-1.0, 1.0);
        d.points.push_back({x, y});
        d.labels.push_back(x * y < 0.0 ? 1 : 0);
    }
    add_noise(d, noise, rng);
    return d;
}

Dataset make_blobs(std::size_t samples, double noise, std::uint64_t seed, std::size_t classes) {
    check(samples, noise);
    if (classes < 2) throw Error("blobs need at least 2 classes");
    Dataset d{"blobs", classes, {}, {}};
    Rng rng(seed);
    for (std::size_t i = 0; i < samples; ++i) {
        const std::size_t c = i % classes;  // balanced classes, then shuffled
        const double angle = std::numbers::pi / 2.0 + 2.0 * std::numbers::pi *
                                                          static_cast<double>(c) /
                                                          static_cast<double>(classes);
        d.points.push_back({2.0 * std::cos(angle) + noise * rng.normal(),
                            2.0 * std::sin(angle) + noise * rng.normal()});
        d.labels.push_back(c);
    }
    shuffle(d, rng);
    return d;
}

std::span<const std::string_view> dataset_names() noexcept { return names; }

double default_noise(std::string_view name) { return name == "blobs" ? 0.4 : 0.1; }

Dataset make_dataset(std::string_view name, std::size_t samples, std::optional<double> noise,
                     std::uint64_t seed) {
    const double s = noise.value_or(default_noise(name));
    if (name == "moons") return make_moons(samples, s, seed);
    if (name == "circles") return make_circles(samples, s, seed);
    if (name == "xor") return make_xor(samples, s, seed);
    if (name == "blobs") return make_blobs(samples, s, seed);
    throw Error(fmt::format("unknown data set '{}' (known: {})", name, fmt::join(names, ", ")));
}

}  // namespace mgrad
