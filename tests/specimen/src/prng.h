// SPDX-License-Identifier: Apache-2.0
// Seeded pseudo-random numbers (splitmix64 + xoshiro256**) that are identical on every platform.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <span>
#include <string_view>

namespace gw::specimen {

constexpr std::uint64_t splitmix64(std::uint64_t x) noexcept
{
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

constexpr std::uint64_t fnv1a(std::string_view s) noexcept
{
    std::uint64_t h = 0xCBF29CE484222325ULL;
    for (char c : s) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001B3ULL;
    }
    return h;
}

/// @brief xoshiro256**. std::uniform_*_distribution is not used on purpose: its output is
/// implementation-defined, and captures must be byte-identical for a seed on any standard library.
class Prng {
public:
    /// A named stream: each aspect of a capture (person, geometry, noise...) draws from its own stream,
    /// so adding a draw to one aspect does not shift every other aspect of existing seeds.
    Prng(std::uint64_t seed, std::string_view stream) noexcept
    {
        std::uint64_t x = seed ^ fnv1a(stream);
        for (auto& s : s_) {
            x = splitmix64(x);
            s = x;
        }
    }

    std::uint64_t next() noexcept
    {
        const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const std::uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }

    /// Uniform in [0, 1).
    double uniform() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    /// Uniform in [lo, hi).
    double uniform(double lo, double hi) noexcept { return lo + (hi - lo) * uniform(); }
    /// Uniform integer in [lo, hi] (inclusive); the modulo bias is below 2^-40 for our ranges.
    int range(int lo, int hi) noexcept
    {
        const auto span = static_cast<std::uint64_t>(hi - lo + 1);
        return lo + static_cast<int>(next() % span);
    }
    bool chance(double p) noexcept { return uniform() < p; }
    /// Standard normal (Box-Muller).
    double normal() noexcept
    {
        const double u1 = 1.0 - uniform();
        const double u2 = uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
    }
    template <typename T>
    const T& pick(std::span<const T> items) noexcept
    {
        return items[static_cast<std::size_t>(range(0, static_cast<int>(items.size()) - 1))];
    }

private:
    static constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept
    {
        return (x << k) | (x >> (64 - k));
    }
    std::array<std::uint64_t, 4> s_{};
};

} // namespace gw::specimen
