// SPDX-License-Identifier: Apache-2.0
// HAL seam for what the officer sees and hears on the scanner: a status LED and a buzzer.
#pragma once

#include <cstdint>
#include <string_view>

#include <gw/common/result.h>

namespace gw::hal {

enum class LedColour : std::uint8_t { Off, Blue, Green, Amber, Red };
enum class LedPattern : std::uint8_t { Steady, Blinking };
/// @brief Short: GREEN, Double: AMBER, Long: RED or a fault.
enum class BuzzerPattern : std::uint8_t { Short, Double, Long };

/// @brief "off", "blue", "green", "amber", "red".
constexpr std::string_view ledColourName(LedColour c) noexcept
{
    switch (c) {
    case LedColour::Off:
        return "off";
    case LedColour::Blue:
        return "blue";
    case LedColour::Green:
        return "green";
    case LedColour::Amber:
        return "amber";
    case LedColour::Red:
        return "red";
    }
    return "off";
}

/// @brief The status LED and the buzzer.
class Indicator {
public:
    virtual ~Indicator() = default;

    /// @brief Shows @p colour with @p pattern until the next call (blinking is timed by the board).
    /// @return Errc::Io when the LED driver fails (the firmware logs it and carries on)
    virtual Result<void> show(LedColour colour, LedPattern pattern) = 0;

    /// @brief Starts @p pattern and returns at once (the board times it).
    virtual Result<void> beep(BuzzerPattern pattern) = 0;
};

} // namespace gw::hal
