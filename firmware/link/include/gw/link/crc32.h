// SPDX-License-Identifier: Apache-2.0
// CRC-32 of IEEE 802.3 (the zlib/PNG/Ethernet CRC), table-driven, usable incrementally.
#pragma once

#include <cstdint>
#include <span>

namespace gw::link {

/// @brief Incremental CRC-32, IEEE 802.3: reflected polynomial 0xEDB88320, initial value 0xFFFFFFFF, final
/// XOR 0xFFFFFFFF. crc32 of the ASCII bytes "123456789" is 0xCBF43926.
class Crc32 {
public:
    /// @brief Adds @p bytes to the running checksum; chunks may be split anywhere.
    void update(std::span<const std::uint8_t> bytes) noexcept;

    /// @brief The checksum of every byte given so far (the object stays usable for more updates).
    [[nodiscard]] std::uint32_t value() const noexcept { return state_ ^ 0xFFFFFFFFu; }

private:
    std::uint32_t state_ = 0xFFFFFFFFu;
};

/// @brief CRC-32 (IEEE 802.3) of @p bytes in one call.
[[nodiscard]] std::uint32_t crc32(std::span<const std::uint8_t> bytes) noexcept;

} // namespace gw::link
