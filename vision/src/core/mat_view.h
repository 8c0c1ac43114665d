// SPDX-License-Identifier: Apache-2.0
// A cv::Mat seen as the library's ImageView (no copy), for handing OpenCV images to our own readers.
#pragma once

#include <opencv2/core.hpp>

#include <gw/vision/image.h>

namespace gw::vision {

/// @brief A view of @p m (CV_8UC3 as Bgr8, else Gray8); valid while @p m lives.
inline ImageView viewOf(const cv::Mat& m)
{
    return ImageView{m.data, m.cols, m.rows, static_cast<int>(m.step),
                     m.channels() == 3 ? PixelFormat::Bgr8 : PixelFormat::Gray8};
}

} // namespace gw::vision
