// SPDX-License-Identifier: Apache-2.0
// Loads a capture from disk: a folder (white/ir/uv images, optional capture.json) or one image file.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include <opencv2/core.hpp>

#include <gw/common/result.h>
#include <gw/vision/capture.h>

namespace gw::tools {

/// @brief The decoded frames of a capture; keeps the pixels that the CaptureSet views point at.
struct LoadedCapture {
    cv::Mat white;
    cv::Mat ir;
    cv::Mat uv;
    double pixelsPerMm = 0; ///< from capture.json, 0 when absent

    /// Views into the frames above (valid while this object lives).
    [[nodiscard]] vision::CaptureSet captureSet() const;
};

/// @brief Largest frame accepted [px per side]; a bigger file is refused before it is decoded fully.
inline constexpr int kMaxFrameSidePx = 20000;

/// @brief Loads @p path: a folder holding white.(png|jpg|jpeg) and optionally ir.* and uv.* and
/// capture.json ({"pixels_per_mm": 23.62}), or a single image file (white light only).
/// @return Errc::Io for unreadable files, Errc::InvalidInput for undecodable images or a bad capture.json.
Result<LoadedCapture> loadCapture(const std::filesystem::path& path);

} // namespace gw::tools
