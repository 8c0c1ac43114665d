// SPDX-License-Identifier: Apache-2.0
// Loads a capture folder (white/ir/uv/dark images + capture.json) into frames the sim camera replays.
#pragma once

#include <filesystem>
#include <optional>

#include <gw/common/result.h>
#include <gw/vision/image.h>

namespace gw::emulator {

/// @brief Largest frame side accepted [px], and largest image file [bytes].
inline constexpr int kMaxFrameSidePx = 20000;
inline constexpr std::uintmax_t kMaxImageFileBytes = 512ull * 1024 * 1024;

/// @brief The frames of one capture folder, all the same size.
struct CaptureFrames {
    vision::Image white;               ///< Bgr8
    std::optional<vision::Image> ir;   ///< Gray8
    std::optional<vision::Image> uv;   ///< Bgr8
    std::optional<vision::Image> dark; ///< Bgr8: ambient light with every bank off
    double pixelsPerMm = 0;            ///< from capture.json; 0 when absent
};

/// @brief Loads @p folder: white.(png|jpg|jpeg) required; ir.*, uv.*, dark.* optional; capture.json
/// ({"pixels_per_mm": 23.62}) optional.
/// @return Errc::Io for a missing folder or white image or an unreadable file; Errc::InvalidInput for an
///         undecodable or oversized image, frames of different sizes, or a bad capture.json
[[nodiscard]] Result<CaptureFrames> loadCaptureFolder(const std::filesystem::path& folder);

/// @brief Writes @p frames as a capture folder (PNG) — for tests and the lab; creates @p folder.
[[nodiscard]] Result<void> writeCaptureFolder(const std::filesystem::path& folder,
                                              const CaptureFrames& frames);

} // namespace gw::emulator
