// SPDX-License-Identifier: Apache-2.0
// MRZ line recogniser: grey image of an MRZ band or line -> OCR-B characters with confidences.
#pragma once

#include <string>
#include <vector>

#include <gw/common/result.h>
#include <gw/vision/image.h>

namespace gw::vision {

/// @brief An axis-aligned rectangle in the pixels of the image handed to the recogniser.
struct PixelBox {
    int x = 0;      ///< [px] left column
    int y = 0;      ///< [px] top row
    int width = 0;  ///< [px]
    int height = 0; ///< [px]
};

/// @brief One character cell as read: the best class and the runner-up, so that the MRZ parser can
/// resolve look-alikes (0/O, 1/I, 2/Z, 5/S, 8/B) from the field type.
struct CharRead {
    char best = '<';            ///< one of 0-9, A-Z, '<'
    float confidence = 0;       ///< [0, 1] classifier probability of @c best
    char second = '<';          ///< the runner-up class (never equal to @c best)
    float secondConfidence = 0; ///< [0, 1] probability of @c second
    PixelBox box;               ///< the character cell (one pitch wide, one line high) in the input
};

/// @brief One MRZ line as read.
struct LineRead {
    std::string text;            ///< @c chars[i].best for each cell; empty when no text was found
    std::vector<CharRead> chars; ///< left to right, one per 2.54 mm cell
    PixelBox box;                ///< the cells' union in the input
    float pitchPx = 0;           ///< [px] fitted character pitch (2.54 mm on a conforming document)
    float charHeightPx = 0;      ///< [px] measured height of the capital letters and digits
    float minConfidence = 0;     ///< [0, 1] the lowest @c confidence over the line (0 for no text)
};

/// @brief Settings of the recogniser. Both fields are hints; 0 means unknown.
struct MrzOcrOptions {
    /// [px/mm] resolution of the image; 0 = unknown, then the pitch is estimated from the glyphs.
    /// When given, the pitch is searched within +-15 % of 2.54 mm.
    double pixelsPerMm = 0;
    /// Characters per line: 0 = unknown, else 30 (TD1), 36 (TD2, MRV-B) or 44 (TD3, MRV-A). When the
    /// image shows more cells than this (specks, neighbouring print), the best-inked run of this many
    /// cells is kept; when it shows fewer, the shorter line is returned and the parser will reject it.
    int expectedLineLength = 0;
};

/// @brief Largest image accepted, in either dimension [px]; larger input gets Errc::InvalidArgument.
inline constexpr int kMrzOcrMaxSidePx = 16384;
/// @brief Largest image accepted in pixels (width x height); bounds the memory of one call (~8 bytes/px).
inline constexpr long long kMrzOcrMaxPixels = 24LL * 1000 * 1000;

/// @brief Reads the 2 or 3 lines of an upright MRZ band (dark print on a light ground).
/// @param image Gray8 (or Bgr8, converted) image of the band with some margin; rows may be padded.
/// @param options resolution and line-length hints, see MrzOcrOptions.
/// @return the lines found, top to bottom (an empty vector when the image holds no text lines);
///         Errc::InvalidArgument for an invalid view, a bad option or an image beyond the size limits;
///         Errc::Internal if a library failed unexpectedly.
/// @note Pure and thread-safe: no I/O, no global state. Typical cost: well under 1 ms per line.
[[nodiscard]] Result<std::vector<LineRead>> readMrzBand(ImageView image, const MrzOcrOptions& options = {});

/// @brief Reads one upright MRZ line (an image holding a single line of OCR-B, with some margin).
/// @param image Gray8 (or Bgr8) image of the line.
/// @param options see MrzOcrOptions.
/// @return the line; a LineRead with empty text when no characters were found; errors as readMrzBand.
[[nodiscard]] Result<LineRead> readMrzLine(ImageView image, const MrzOcrOptions& options = {});

} // namespace gw::vision
