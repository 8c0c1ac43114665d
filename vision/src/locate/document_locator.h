// SPDX-License-Identifier: Apache-2.0
// Finds the document on the scanner glass (bright page on the dark lid) and maps it to millimetres.
#pragma once

#include <array>
#include <optional>

#include <opencv2/core.hpp>

namespace gw::vision::locate {

/// @brief The page as found: a rotated rectangle in the frame's pixels, long side horizontal.
struct PageQuad {
    /// Corners in frame pixels: top-left, top-right, bottom-right, bottom-left of the page as it would be
    /// upright *if* it is not upside down (the MRZ decides that later).
    std::array<cv::Point2d, 4> corners;
    double widthPx = 0;  ///< long side
    double heightPx = 0; ///< short side
    double angleDeg = 0; ///< rotation of the long side from the frame's x axis, in (-90, 90]
};

/// @brief Finds the largest bright quadrilateral against the dark lid.
/// @param frame the white-light frame (CV_8UC1 or CV_8UC3), full resolution
/// @param glassPixelsPerMm the frame's sampling, 0 when unknown
/// @return std::nullopt when no page edge is found (the page fills the frame, or no contrast)
std::optional<PageQuad> findPage(const cv::Mat& frame, double glassPixelsPerMm);

/// @brief The same page turned by 180 degrees (corners rotated by two places).
PageQuad turned(const PageQuad& q);

/// @brief The affine map from normalised document pixels (at @p pixelsPerMm, origin top-left) to frame
/// pixels, for a page whose physical width is @p widthMm.
cv::Matx23d documentToFrame(const PageQuad& q, double widthMm, double pixelsPerMm);

/// @brief Warps the rectangle [x0, x0+w) x [y0, y0+h) mm of the normalised document out of @p frame.
cv::Mat warpRegion(const cv::Mat& frame, const cv::Matx23d& docToFrame, double pixelsPerMm, double x0Mm,
                   double y0Mm, double wMm, double hMm, int interpolation);

} // namespace gw::vision::locate
