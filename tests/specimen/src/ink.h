// SPDX-License-Identifier: Apache-2.0
// The document as three registered layers (white, IR, UV) and inks that look different under each light.
#pragma once

#include <optional>
#include <vector>

#include <opencv2/core.hpp>

namespace gw::specimen {

/// One document page rendered upright at the capture resolution, one image per light.
struct Layers {
    cv::Mat white; ///< CV_8UC3 BGR, what the page reflects under white light
    cv::Mat ir;    ///< CV_8UC1, reflectance at ~870 nm
    cv::Mat uv;    ///< CV_8UC3 BGR, visible fluorescence plus lamp leak under 365 nm
    double pixelsPerMm = 0;

    /// Pixel coordinate (OpenCV convention, pixel centres at integers) of a document position in mm.
    [[nodiscard]] cv::Point2d px(cv::Point2d mm) const { return mm * pixelsPerMm - cv::Point2d(0.5, 0.5); }
    [[nodiscard]] double len(double mm) const { return mm * pixelsPerMm; }
};

/// How an ink appears under each light; std::nullopt = invisible there (the layer is left untouched).
/// Background security inks vanish under IR, B900-type black stays dark, fluorescent inks only show in UV.
struct Ink {
    std::optional<cv::Scalar> white; ///< BGR
    std::optional<double> ir;        ///< grey level
    std::optional<cv::Scalar> uv;    ///< BGR
};

/// Blends a coverage mask (0..255) with its top-left at @p topLeftPx into every layer the ink shows in.
/// @p opacity scales the coverage (0..1). Parts outside the page are clipped.
void stamp(Layers& layers, const cv::Mat& coverage, cv::Point topLeftPx, const Ink& ink,
           double opacity = 1.0);

/// Strokes a polyline given in mm with anti-aliasing.
void stroke(Layers& layers, const std::vector<cv::Point2d>& pointsMm, double widthMm, const Ink& ink,
            bool closed = false);

/// Fills a polygon given in mm with anti-aliasing.
void fill(Layers& layers, const std::vector<cv::Point2d>& pointsMm, const Ink& ink);

/// A closed ellipse outline as a polygon in mm (for fill/stroke).
std::vector<cv::Point2d> ellipseMm(cv::Point2d centreMm, cv::Size2d halfAxesMm, double angleDeg = 0,
                                   int segments = 72);

/// An axis-aligned rectangle as a polygon in mm.
std::vector<cv::Point2d> rectMm(double x, double y, double w, double h);

} // namespace gw::specimen
