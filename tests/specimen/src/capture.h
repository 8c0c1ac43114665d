// SPDX-License-Identifier: Apache-2.0
// Places a rendered page on the scanner glass and applies the camera's degradations per light.
#pragma once

#include <array>
#include <cstdint>

#include <opencv2/core.hpp>

#include <gw/common/result.h>
#include <gw/specimen/specimen.h>

#include "ink.h"
#include "prng.h"

namespace gw::specimen {

/// Where the page lies: a rigid motion of the upright page onto the glass.
struct Placement {
    double pixelsPerMm = 0;
    cv::Size glassPx;
    double rotationDeg = 0;
    bool upsideDown = false;
    cv::Point2d centreMm;    ///< page centre on the glass
    cv::Matx23d pageToGlass; ///< page pixel index -> glass pixel index
    std::array<cv::Point2d, 4>
        cornersPx; ///< TL, TR, BR, BL of the upright page, glass pixel index coordinates
};

/// Draws a position for a page of @p pageMm that keeps the whole page on the glass.
Placement placePage(cv::Size2d pageMm, double dpi, double rotationDeg, bool upsideDown, Prng& rng);

/// Draws degradations: mostly moderate, some light, a few strong.
Degradations drawDegradations(Prng& rng);

struct Frames {
    cv::Mat white, ir, uv;
};

/// The three frames of the glass with the page placed and degraded (the same geometry for every light).
gw::Result<Frames> composeCapture(const Layers& page, const Placement& placement, const Degradations& d,
                                  std::uint64_t noiseSeed);

} // namespace gw::specimen
