// SPDX-License-Identifier: Apache-2.0
// Reads a board's board.json (camera mode, glass calibration, light timings) into hal::BoardConfig.
#pragma once

#include <filesystem>
#include <string_view>

#include <gw/common/result.h>
#include <gw/hal/board.h>

namespace gw::fw {

/// @brief Largest board.json accepted [bytes]; it is a few hundred bytes in practice.
inline constexpr std::size_t kMaxBoardJsonBytes = 64 * 1024;

/// @brief Parses board.json text (keys: boards/emulator/README.md). Required: board, camera.width_px,
/// camera.height_px, glass.pixels_per_mm; lights.<white|ir|uv|dark>.{settle_ms, exposure_us} default to 0.
/// @return the configuration, or Errc::InvalidInput naming the missing or out-of-range key
///         (camera sides 1..20000 px, pixels_per_mm in (0, 200], settle_ms 0..10000, exposure_us 0..10 s)
[[nodiscard]] Result<hal::BoardConfig> parseBoardConfig(std::string_view jsonText);

/// @brief Reads and parses @p file. @return Errc::Io when it cannot be read, else as parseBoardConfig()
[[nodiscard]] Result<hal::BoardConfig> loadBoardConfig(const std::filesystem::path& file);

} // namespace gw::fw
