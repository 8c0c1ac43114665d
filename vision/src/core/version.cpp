// SPDX-License-Identifier: Apache-2.0
#include <string>

#include <ZXing/ZXVersion.h>
#include <opencv2/core/utility.hpp>
#include <tesseract/baseapi.h>

#include <gw/vision/version.h>

namespace gw::vision {

EngineVersions engineVersions()
{
    // Asking the libraries (not their headers) catches a mismatched runtime on the scanner image.
    return EngineVersions{
        .docvision = GW_VERSION,
        .opencv = cv::getVersionString(),
        .tesseract = tesseract::TessBaseAPI::Version(),
        // ZXing-cpp 1.4 has no run-time version call; its header is the best we have.
        .zxing = std::to_string(ZXING_VERSION_MAJOR) + "." + std::to_string(ZXING_VERSION_MINOR) + "." +
                 std::to_string(ZXING_VERSION_PATCH),
    };
}

} // namespace gw::vision
