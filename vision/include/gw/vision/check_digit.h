// SPDX-License-Identifier: Apache-2.0
// ICAO Doc 9303-3 §4.9 check digits over MRZ character strings.
#pragma once

#include <optional>
#include <string_view>

namespace gw::vision {

/// @brief Numeric value of one MRZ character for check digits: '0'-'9' -> 0-9, 'A'-'Z' -> 10-35, '<' -> 0.
/// @return std::nullopt for any other character (lower case, space, punctuation, bytes >= 0x80).
constexpr std::optional<int> mrzCharValue(char c) noexcept
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    if (c == '<')
        return 0;
    return std::nullopt;
}

/// @brief The check digit (0-9) of @p field with the repeating weights 7, 3, 1 modulo 10.
/// @return std::nullopt when the field holds a character outside the MRZ set [0-9A-Z<].
///         The empty field has check digit 0.
constexpr std::optional<int> mrzCheckDigit(std::string_view field) noexcept
{
    constexpr int kWeights[3] = {7, 3, 1};
    int sum = 0;
    for (std::size_t i = 0; i < field.size(); ++i) {
        const auto v = mrzCharValue(field[i]);
        if (!v)
            return std::nullopt;
        sum += *v * kWeights[i % 3];
    }
    return sum % 10;
}

/// @brief The check digit as the MRZ character '0'-'9', or std::nullopt as above.
constexpr std::optional<char> mrzCheckChar(std::string_view field) noexcept
{
    const auto d = mrzCheckDigit(field);
    return d ? std::optional<char>(static_cast<char>('0' + *d)) : std::nullopt;
}

} // namespace gw::vision
