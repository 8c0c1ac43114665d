// SPDX-License-Identifier: Apache-2.0
// Internal: binarisation, line split and 2.54 mm pitch cell fitting of MRZ print; glyph cell features.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include <opencv2/core.hpp>

#include <gw/common/result.h>
#include <gw/vision/mrz_ocr.h>

namespace gw::vision::ocr {

/// The 37 classes of the MRZ alphabet, in the order of the classifier's outputs.
inline constexpr std::string_view kAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<";
inline constexpr int kClassCount = 37;

/// A cell is resampled to this grid; the window is one pitch wide and kCellHeightRatio char heights tall.
inline constexpr int kGridWidth = 14;
inline constexpr int kGridHeight = 18;
inline constexpr float kCellHeightRatio = 1.3F;
/// Shape features after the grid: ink extent width/pitch, height/char height, vertical offset/char height.
inline constexpr int kExtraFeatures = 3;
inline constexpr int kFeatureCount = kGridWidth * kGridHeight + kExtraFeatures;

using GlyphFeatures = std::array<float, kFeatureCount>;

/// Contrast- and illumination-normalised ink of an image.
struct InkMaps {
    cv::Mat ink;  ///< CV_32F in [0, 1]; 1 is full ink
    cv::Mat mask; ///< CV_8U, 255 where ink
    float strokeWidthPx = 0;
};

/// Where the cells of one line are: cell k (0 <= k < count) is centred at centres[k], pitches[k] wide.
struct LineGeometry {
    std::vector<float> centres; ///< [px] x of each cell's centre, left to right
    std::vector<float> pitches; ///< [px] local pitch at each cell
    float pitch = 0;            ///< [px] the line's fitted pitch
    int count = 0;              ///< cells on the line (size of centres)
    float yAtZero = 0;          ///< [px] centre line of the glyphs at x = 0
    float slope = 0;            ///< d(centre y)/dx, for slightly skewed lines
    float charHeight = 0;       ///< [px] median height of full-height glyphs
    float glyphWidth = 0;       ///< [px] median width of single glyphs
};

/// @brief Builds the ink maps of a grey image (dark print on light ground; inverted input is detected).
[[nodiscard]] InkMaps computeInk(const cv::Mat& gray);

/// @brief Skew of the print in degrees (the angle to rotate by, as cv::getRotationMatrix2D takes it, to make
/// the lines horizontal), searched within +-2.5 degrees from the row-projection sharpness of the ink.
[[nodiscard]] double estimateSkewDeg(const InkMaps& maps);

/// @brief computeInk on an image deskewed by estimateSkewDeg when the skew exceeds 0.1 degree.
/// @param toInput receives the 2x3 affine map from the deskewed frame back to @p gray (identity if none).
[[nodiscard]] InkMaps computeInkUpright(const cv::Mat& gray, cv::Matx23d& toInput);

/// @brief Row ranges of the text lines in @p maps, top to bottom (band split by horizontal projection).
/// @param maxLineHeightPx the tallest a line of this print can be [px]; 0 = unknown. Runs are kept or
///        dropped relative to the tallest run, and a taller block (a barcode, a portrait edge, lines of
///        VIZ text run together) must not set that scale: with it, the real lines looked like specks.
[[nodiscard]] std::vector<cv::Range> findLineRows(const InkMaps& maps, int maxLineHeightPx = 0);

/// @brief The tallest an MRZ line can be at @p pixelsPerMm [px] (0 when the resolution is unknown):
/// OCR-B size 1 capitals are about 2.4 mm tall on the 2.54 mm pitch; 1.4 pitches leaves room for blur,
/// ink spread and print tolerance.
[[nodiscard]] int maxMrzLineHeightPx(double pixelsPerMm) noexcept;

/// @brief Fits the cell lattice of the line whose glyphs lie in @p rows.
/// @return the geometry, or a geometry with count 0 when no glyphs are found.
[[nodiscard]] LineGeometry fitLine(const InkMaps& maps, cv::Range rows, const MrzOcrOptions& options);

/// @brief Features of cell @p k of @p geo for the classifier; @p box receives the cell window.
void cellFeatures(const InkMaps& maps, const LineGeometry& geo, int k, GlyphFeatures& out, cv::Rect& box);

/// @brief Classifier output: probabilities over kAlphabet.
using ClassProbs = std::array<float, kClassCount>;

/// @brief Runs the compact OCR-B classifier (ocrb_model.inc) on one cell's features.
/// @return Errc::Internal when the compiled-in model does not match the feature layout.
[[nodiscard]] Result<ClassProbs> classifyGlyph(const GlyphFeatures& features);

} // namespace gw::vision::ocr
