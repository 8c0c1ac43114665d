// SPDX-License-Identifier: Apache-2.0
// Font files (OCR-B, DejaVu, Liberation) through cv::freetype, rendered to anti-aliased coverage masks.
#pragma once

#include <string_view>

#include <opencv2/core.hpp>

#include <gw/common/result.h>

namespace gw::specimen {

enum class FontId {
    OcrB,
    DejaVuSans,
    DejaVuSansBold,
    DejaVuSansCondensed,
    DejaVuSansMono,
    DejaVuSerif,
    LiberationSans,
    LiberationSansBold,
    LiberationSansNarrow,
    LiberationMono,
    LiberationSerif,
};

/// The file the font is loaded from (Debian packages fonts-ocr-b, fonts-dejavu-core, fonts-liberation).
std::string_view fontPath(FontId font) noexcept;
/// A human name for truth.json, e.g. "OCR-B", "DejaVu Sans Mono".
std::string_view fontName(FontId font) noexcept;

/// Coverage (0 = no ink, 255 = full ink) of a rendered string, cropped to its ink.
struct TextMask {
    cv::Mat coverage;  ///< CV_8UC1; empty for a string without ink (spaces only)
    cv::Point2d penPx; ///< the pen origin (left end of the baseline) in coverage coordinates
};

/// Renders @p utf8 with an em size of @p emPx pixels (the font's units-per-em maps to emPx).
/// @return Errc::Io when the font file cannot be loaded, Errc::Internal when FreeType fails.
gw::Result<TextMask> renderText(FontId font, std::string_view utf8, double emPx);

/// Cap height of 'H' divided by the em size, measured once per font.
gw::Result<double> capHeightPerEm(FontId font);
/// Horizontal advance of 'H' divided by the em size (the pitch of a monospaced font), measured once.
gw::Result<double> advancePerEm(FontId font);

} // namespace gw::specimen
