// SPDX-License-Identifier: Apache-2.0
// Finds MRZ-like text bands directly in an image, without a page edge (photos and scans of a page).
#pragma once

#include <vector>

#include <opencv2/core.hpp>

namespace gw::vision::locate {

/// @brief A candidate MRZ: a rotated rectangle around 2-3 long parallel text lines, in frame pixels.
struct MrzCandidate {
    cv::RotatedRect box; ///< width along the lines (angle of the lines in (-90, 90])
    double score = 0;    ///< higher is more MRZ-like (length, regularity)
};

/// @brief Looks for long, dense, parallel text lines of near-equal length (the MRZ's signature).
/// @param frame CV_8UC1 or CV_8UC3
/// @return candidates, best first (at most 3); empty when nothing line-like is found
std::vector<MrzCandidate> findMrzCandidates(const cv::Mat& frame);

/// @brief Warps the candidate upright into a grey band, scaled so that its lines are about
/// @p targetWidthPx long, with a margin; @p turned rotates it by 180 degrees. Also returns the map
/// from band pixels to frame pixels.
cv::Mat warpCandidate(const cv::Mat& frame, const MrzCandidate& c, double targetWidthPx, bool turned,
                      cv::Matx23d& bandToFrame);

} // namespace gw::vision::locate
