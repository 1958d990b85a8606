// Random — a small seeded generator whose streams are the same on every platform.
//
// Reproducibility is a feature: the same seed gives the same weights, data sets and training run
// on any compiler and standard library. std::mt19937_64 is portable, but std::uniform_real_
// distribution and std::normal_distribution are not (each library converts bits differently),
// so mgrad uses xoshiro256** seeded through splitmix64 and converts bits itself: uniform() takes
// the top 53 bits, normal() is Box-Muller over two uniforms.
#pragma once

#include <cmath>
#include <cstdint>
#include <numbers>

#include "mgrad/support/export.hpp"

namespace mgrad {

class MGRAD_API Rng {
  public:
    explicit Rng(std::uint64_t seed = 0) noexcept { reseed(seed); }

    /// Restart the stream from `seed` (splitmix64 fills the state, as the xoshiro authors advise).
    void reseed(std::uint64_t seed) noexcept {
        for (auto& s : m_state)
            s = splitmix64(seed);
        m_has_spare = false;
    }

    /// 64 random bits (xoshiro256**).
    std::uint64_t next() noexcept {
        const std::uint64_t result = rotl(m_state[1] * 5, 7) * 9;
        const std::uint64_t t = m_state[1] << 17;
        m_state[2] ^= m_state[0];
        m_state[3] ^= m_state[1];
        m_state[1] ^= m_state[2];
        m_state[0] ^= m_state[3];
        m_state[2] ^= t;
        m_state[3] = rotl(m_state[3], 45);
        return result;
    }

    /// Uniform in [0, 1): the top 53 bits scaled by 2^-53, so every value is exact.
    double uniform() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    /// Uniform in [lo, hi).
    double uniform(double lo, double hi) noexcept { return lo + (hi - lo) * uniform(); }
    /// Uniform integer in [0, n) (n > 0), by Lemire's multiply-shift; bias below 2^-64 n.
    std::uint64_t below(std::uint64_t n) noexcept {
        __extension__ using Wide = unsigned __int128;  // GCC and Clang both have it
        return static_cast<std::uint64_t>((static_cast<Wide>(next()) * n) >> 64);
    }
    /// Standard normal (mean 0, standard deviation 1) by Box-Muller; the second value of each
    /// pair is kept for the next call.
    double normal() noexcept {
        if (m_has_spare) {
            m_has_spare = false;
            return m_spare;
        }
        const double u1 = 1.0 - uniform();  // (0, 1]: log(u1) is finite
        const double u2 = uniform();
        const double r = std::sqrt(-2.0 * std::log(u1));
        const double theta = 2.0 * std::numbers::pi * u2;
        m_spare = r * std::sin(theta);
        m_has_spare = true;
        return r * std::cos(theta);
    }
    double normal(double mean, double stddev) noexcept { return mean + stddev * normal(); }

  private:
    static std::uint64_t splitmix64(std::uint64_t& x) noexcept {
        std::uint64_t z = (x += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    static std::uint64_t rotl(std::uint64_t x, int k) noexcept {
        return (x << k) | (x >> (64 - k));
    }

    std::uint64_t m_state[4]{};
    double m_spare = 0.0;
    bool m_has_spare = false;
};

}  // namespace mgrad
