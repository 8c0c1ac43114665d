// SPDX-License-Identifier: Apache-2.0
// Lays out and draws one document page (security print, portrait, visual zone, MRZ) under three lights.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include <gw/common/result.h>
#include <gw/specimen/specimen.h>

#include "fonts.h"
#include "ink.h"

namespace gw::specimen {

/// Everything the page shows, including how a forgery changes the print.
struct DocumentPlan {
    Format format = Format::Td3;
    std::vector<std::string> mrzLines;
    VizText viz;                      ///< what the visual zone prints
    std::uint64_t seed = 0;           ///< drawing variations (palette, guilloche, fibres)
    std::uint64_t portraitSeed = 0;   ///< the face in white light
    std::uint64_t irPortraitSeed = 0; ///< the face in IR (differs only for a substituted photo)
    FontId mrzFont = FontId::OcrB;
    bool mrzIrAbsorbing = true;
    double mrzPitchMm = kMrzPitchMm;
    double mrzShiftXMm = 0; ///< MrzLayout: offset of the whole MRZ, +x to the right
    double mrzShiftYMm = 0; ///< MrzLayout: +y towards the top edge
    bool vizIrAbsorbing = true;
    bool uvBrightPaper = false;
    bool photoSubstituted = false;
    bool uvGlue = false;
    std::optional<std::string> reprintedField; ///< key of the VIZ field that was erased and reprinted
    cv::Mat sealImage;                         ///< CV_8UC1 DataMatrix (0 = ink) to print, or empty
};

struct DocumentRender {
    Layers layers;
    MrzPrint mrzPrint;
    gw::vision::RectMm mrzBoxMm;
    std::map<std::string, gw::vision::RectMm> regionsMm;
};

/// Draws the page of @p plan at @p pixelsPerMm.
/// @return Errc::Io for a missing font, Errc::Internal when OpenCV throws.
gw::Result<DocumentRender> renderDocument(const DocumentPlan& plan, double pixelsPerMm);

} // namespace gw::specimen
