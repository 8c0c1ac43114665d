// SPDX-License-Identifier: Apache-2.0
// HAL seam for the LED banks under the glass: white, infrared (870 nm), ultraviolet (365 nm).
#pragma once

#include <cstdint>
#include <string_view>

#include <gw/common/result.h>

namespace gw::hal {

/// @brief A light bank, or none (for the dark frame).
enum class LightBank : std::uint8_t { Off, White, Infrared, Ultraviolet };

/// @brief "off", "white", "ir", "uv" (the names of board.json "lights").
constexpr std::string_view lightBankName(LightBank bank) noexcept
{
    switch (bank) {
    case LightBank::Off:
        return "off";
    case LightBank::White:
        return "white";
    case LightBank::Infrared:
        return "ir";
    case LightBank::Ultraviolet:
        return "uv";
    }
    return "off";
}

/// @brief The light banks. At most one bank is on at a time.
class Illumination {
public:
    virtual ~Illumination() = default;

    /// @brief Switches @p bank on and every other bank off (LightBank::Off: all off). Returns as soon as
    /// the switch is done; the caller waits the bank's settle time (board.json lights.<bank>.settle_ms).
    /// @return Errc::LightFault when the bank does not switch (driver error, open LED string)
    virtual Result<void> select(LightBank bank) = 0;
};

} // namespace gw::hal
