// SPDX-License-Identifier: Apache-2.0
// What the scanner recorded of one document: registered frames under white, infrared and UV light.
#pragma once

#include <optional>
#include <string_view>

#include <gw/vision/image.h>

namespace gw::vision {

/// @brief The scanner's light banks.
enum class Light { White, Infrared, Ultraviolet };

/// @brief Stable names used in reports and file names: "white", "ir", "uv".
constexpr std::string_view lightName(Light l) noexcept
{
    switch (l) {
    case Light::White:
        return "white";
    case Light::Infrared:
        return "ir";
    case Light::Ultraviolet:
        return "uv";
    }
    return "white";
}

/// @brief One capture: the frames share one geometry (the lights are registered).
/// The views do not own pixels; the caller keeps the images alive during the call.
struct CaptureSet {
    ImageView white;             ///< required; Bgr8 (or Gray8 for a grey scan)
    std::optional<ImageView> ir; ///< ~870 nm, Gray8 (Bgr8 is converted); absent when not captured
    std::optional<ImageView> uv; ///< 365 nm, Bgr8; absent when not captured
    /// [px/mm] sampling of the scanner glass from the board's calibration; 0 for a scan or photo of
    /// unknown resolution, then the scale is estimated from the document and its MRZ.
    double pixelsPerMm = 0;
};

} // namespace gw::vision
