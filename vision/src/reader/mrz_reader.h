// SPDX-License-Identifier: Apache-2.0
// Finds and reads the MRZ of a capture: page -> orientation -> MRZ band -> OCR -> ICAO 9303 parse.
#pragma once

#include <optional>

#include <opencv2/core.hpp>

#include <gw/vision/inspection.h>

#include "locate/document_locator.h"

namespace gw::vision::reader {

/// @brief The outcome of reading: geometry of the page and, when found, the MRZ.
struct Reading {
    std::optional<DocumentGeometry> geometry;
    std::optional<MrzRead> mrz;
    cv::Matx23d docToFrame = cv::Matx23d::eye(); ///< normalised document px -> frame px (valid with geometry)
};

/// @brief Reads the MRZ from the white frame, and from the infrared frame where white light gives no
/// valid, confident read (laminate glare that washes out white light falls elsewhere under the IR
/// LEDs, and B900 MRZ ink is darkest at 870 nm; full-page readers read the MRZ in IR for that reason).
/// @param white CV_8UC3 or CV_8UC1 full frame
/// @param ir CV_8UC1 frame registered with @p white, or empty when not captured
/// @param glassPixelsPerMm sampling of the frame, 0 when unknown
/// @param normPixelsPerMm resolution of the normalised document
Reading readMrz(const cv::Mat& white, const cv::Mat& ir, double glassPixelsPerMm, double normPixelsPerMm);

/// @brief Physical width of a document of this format [mm] (ICAO 9303 parts 4-7; long side).
double documentWidthMm(MrzFormat f);

} // namespace gw::vision::reader
