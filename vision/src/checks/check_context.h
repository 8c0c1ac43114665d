// SPDX-License-Identifier: Apache-2.0
// What every optical check sees: the normalised document under each light, the MRZ read, the zones.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <opencv2/core.hpp>

#include <gw/vision/check.h>
#include <gw/vision/inspection.h>
#include <gw/vision/thresholds.h>

#include "checks/mrz_checks.h"
#include "checks/page_zones.h"

namespace gw::vision::checks {

/// @brief The input of one check. The images are the upright normalised document (one transform for
/// all lights, so a point in millimetres is the same place under each light).
struct CheckContext {
    cv::Mat white;                              ///< CV_8UC3 BGR, never empty when a check runs
    cv::Mat ir;                                 ///< CV_8UC1 at ~870 nm; empty when not captured
    cv::Mat uv;                                 ///< CV_8UC3 BGR under 365 nm; empty when not captured
    double pixelsPerMm = 0;                     ///< [px/mm] of the three images
    const DocumentGeometry* geometry = nullptr; ///< never null when a check runs
    const MrzRead* mrz = nullptr;               ///< null when no MRZ was read
    std::optional<MrzFormat> format;            ///< from the MRZ, else from the page size; nullopt: unknown
    PageZones zones;                            ///< where the ICAO 9303 zones lie on this page
    const Thresholds* thresholds = nullptr;     ///< never null when a check runs
    std::optional<Date> today;                  ///< the inspection date, when the caller gave one

    /// @brief Threshold @p key of vision/config/thresholds.json (throws std::out_of_range if unknown).
    [[nodiscard]] double threshold(std::string_view key) const { return thresholds->value(key); }
};

/// @brief A check function: pure, no state; exceptions become an 'aborted' outcome in inspect().
using CheckFunction = CheckOutcome (*)(const CheckContext&);

/// @brief [px] rectangle of @p mm on an image of @p size at @p pixelsPerMm, clipped to the image
/// (empty when it lies outside).
cv::Rect toPixels(const RectMm& mm, double pixelsPerMm, cv::Size size);
/// @brief [mm] rectangle of the pixel rectangle @p px.
RectMm toMm(const cv::Rect& px, double pixelsPerMm);

/// @brief The grey level at rank size * @p percent / 100 of the sorted pixels of @p grey (CV_8UC1, may be
/// a view into a larger image); 0 when it is empty.
double greyAtPercent(const cv::Mat& grey, int percent);

/// @brief The outcome of a check whose light was not captured ('not_supported', never failed).
/// @param lightEn / lightNl the light's name, e.g. "infrared" / "infrarood"
CheckOutcome notSupported(std::string id, std::string tr03135Id, std::string_view lightEn,
                          std::string_view lightNl);

/// @brief Margin helper: maps @p measured against @p threshold to [-1, +1], 0 at the threshold,
/// +-1 at @p threshold +- @p span (positive when measured is on the passing side).
/// @param higherPasses true when values above the threshold pass
double marginOf(double measured, double threshold, double span, bool higherPasses);

} // namespace gw::vision::checks
