// SPDX-License-Identifier: Apache-2.0
// Image types at the vision API boundary: a non-owning view and an owning buffer, 8 bits per channel.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace gw::vision {

/// @brief Pixel layout. Colour frames are BGR (OpenCV's order), infrared frames are grey.
enum class PixelFormat : std::uint8_t { Gray8 = 1, Bgr8 = 3 };

constexpr int channels(PixelFormat f) noexcept
{
    return static_cast<int>(f);
}

/// @brief Non-owning view of pixels (like ZXing's ImageView): the caller keeps the memory alive.
/// @note strideBytes >= width * channels; rows may be padded.
struct ImageView {
    const std::uint8_t* data = nullptr;
    int width = 0;       ///< [px]
    int height = 0;      ///< [px]
    int strideBytes = 0; ///< bytes from one row to the next
    PixelFormat format = PixelFormat::Gray8;

    [[nodiscard]] bool empty() const noexcept { return data == nullptr || width <= 0 || height <= 0; }
    /// True when the fields describe memory a reader may walk: no null data, positive size, stride large
    /// enough for a row.
    [[nodiscard]] bool valid() const noexcept { return !empty() && strideBytes >= width * channels(format); }
};

/// @brief A point in an image's pixels (origin top-left, x right, y down).
struct PointPx {
    double x = 0; ///< [px] from the left edge
    double y = 0; ///< [px] from the top edge
};

/// @brief An owning image with tightly packed rows.
struct Image {
    std::vector<std::uint8_t> pixels;
    int width = 0;
    int height = 0;
    PixelFormat format = PixelFormat::Gray8;

    [[nodiscard]] ImageView view() const noexcept
    {
        return ImageView{pixels.data(), width, height, width * channels(format), format};
    }
};

} // namespace gw::vision
