// SPDX-License-Identifier: Apache-2.0
// Frame work the firmware does around the inspection: dark-frame subtraction and PNG/JPEG encoding.
#pragma once

#include <gw/common/result.h>
#include <gw/link/messages.h>
#include <gw/vision/image.h>

namespace gw::fw {

/// @brief Removes ambient light: frame = max(frame - dark, 0) per pixel and channel.
/// @param frame Gray8 or Bgr8, modified in place
/// @param dark the frame taken with every bank off, same size; Gray8 or Bgr8 (converted to the frame's
///        format: a grey dark frame is applied to each colour channel, a colour one is averaged for grey)
/// @return Errc::InvalidArgument for empty frames or different sizes
Result<void> subtractDark(vision::Image& frame, const vision::Image& dark);

/// @brief Scales @p image by @p scale (0 < scale <= 1; area averaging, so fine print does not alias).
/// @return the scaled copy (at least 1x1 px), or Errc::InvalidArgument
Result<vision::Image> downscale(const vision::Image& image, double scale);

/// @brief How images travel to the host.
struct ImageEncodingOptions {
    /// JPEG by default: PNG of a noisy 12 px/mm frame costs ~20x the time (bench_firmware, 600 dpi
    /// specimen, three images: encode stage 262 ms PNG vs 14 ms JPEG), which breaks the 400 ms budget.
    link::ImageEncoding encoding = link::ImageEncoding::Jpeg;
    int jpegQuality = 90;   ///< 1..100 (JPEG only)
    int pngCompression = 1; ///< 0..9 (PNG only); 1 because the link, not the CPU, has room to spare
};

/// @brief Encodes @p image (Gray8 or Bgr8) as PNG or JPEG.
/// @return the encoded image, or Errc::InvalidArgument (empty image, option out of range) or
///         Errc::Internal (the codec failed)
Result<link::EncodedImage> encodeImage(const vision::Image& image, link::Light light,
                                       const ImageEncodingOptions& options);

} // namespace gw::fw
