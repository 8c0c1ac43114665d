// SPDX-License-Identifier: Apache-2.0
// Versions of the vision library and the third-party engines it runs, for reproducible lab reports.
#pragma once

#include <string>

namespace gw::vision {

/// @brief Versions that decide a verdict: this library, OpenCV, Tesseract and ZXing-cpp.
struct EngineVersions {
    std::string docvision;
    std::string opencv;
    std::string tesseract;
    std::string zxing;
};

/// @brief The versions linked into this build (asks each engine, not the headers, where it can).
EngineVersions engineVersions();

} // namespace gw::vision
