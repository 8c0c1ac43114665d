// SPDX-License-Identifier: Apache-2.0
// The engines linked into this build are the Debian 12 versions the project is specified against.
#include <catch2/catch.hpp>

#include <gw/vision/version.h>

TEST_CASE("engine versions are reported and match Debian 12's", "[version]")
{
    const auto v = gw::vision::engineVersions();
    CHECK_FALSE(v.docvision.empty());
    CHECK(v.opencv.starts_with("4.6"));
    CHECK(v.tesseract.starts_with("5.3"));
    CHECK(v.zxing.starts_with("1.4"));
}
