// SPDX-License-Identifier: Apache-2.0
// Procedural, fictitious portraits: a face drawn from a seed (no photographs of real people).
#pragma once

#include <cstdint>

#include <opencv2/core.hpp>

namespace gw::specimen {

/// @brief A face of @p sizePx (width x height, portrait orientation), BGR, deterministic for @p seed.
/// @p beardAllowed lets the seed decide on a beard (holders with sex M).
cv::Mat renderFace(cv::Size sizePx, std::uint64_t seed, bool beardAllowed);

/// @brief The face as an ~870 nm camera sees a print in IR-absorbing ink: red-weighted grey, since skin
/// and most dyes reflect strongly in the near infrared.
cv::Mat faceInInfrared(const cv::Mat& faceBgr);

} // namespace gw::specimen
