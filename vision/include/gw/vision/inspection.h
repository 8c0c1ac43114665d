// SPDX-License-Identifier: Apache-2.0
// The inspection: CaptureSet -> InspectionReport. Pure: the caller supplies the date and a stopwatch.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <gw/common/result.h>
#include <gw/vision/capture.h>
#include <gw/vision/check.h>
#include <gw/vision/image.h>
#include <gw/vision/mrz.h>
#include <gw/vision/thresholds.h>

namespace gw::vision {

class TrustStore;    // gw/vision/seal.h
class VizTextReader; // gw/vision/viz_reader.h

/// @brief The officer's traffic light.
enum class Verdict { Green, Amber, Red };

/// @brief "GREEN", "AMBER", "RED".
std::string_view verdictName(Verdict v) noexcept;

/// @brief Where the document lay on the glass and how it was normalised.
struct DocumentGeometry {
    /// Corners of the upright document (top-left, top-right, bottom-right, bottom-left) in the captured
    /// frames' pixels.
    std::array<PointPx, 4> cornersPx{};
    double rotationDeg = 0;  ///< rotation of the document on the glass, in (-180, 180]
    bool upsideDown = false; ///< the document lay rotated by about 180 degrees
    double widthMm = 0;      ///< size of the normalised document
    double heightMm = 0;
    double pixelsPerMm = 0; ///< [px/mm] of the normalised images
    bool pageFound = false; ///< false: no page edge, the geometry was derived from the MRZ alone
};

/// @brief The MRZ as read: the parsed record plus the evidence of the reading.
struct MrzRead {
    MrzRecord record;                            ///< after look-alike resolution (see record.corrections)
    std::vector<std::string> ocrLines;           ///< the characters as the recogniser returned them
    std::vector<std::vector<float>> confidences; ///< [0, 1] per line, per character
    float minConfidence = 0;                     ///< [0, 1] the least certain character
    std::vector<RectMm> lineRegions;             ///< each MRZ line on the normalised document
    double pitchMm = 0;                          ///< measured character pitch (2.54 mm when conforming)
    /// The light the read came from: white, or infrared where white light gave no valid read (glare).
    Light light = Light::White;
    /// The recogniser's second choice per line, per character (same shape as ocrLines): a doubt between
    /// OCR-B look-alikes (O or 0) is no doubt about the glyph, unlike a doubt between L and U.
    std::vector<std::string> runnerUps;
};

/// @brief Time spent per stage, for the lab; empty when no stopwatch was given.
using StageTimings = std::vector<std::pair<std::string, double>>; // (stage, milliseconds)

/// @brief The result of one inspection.
struct InspectionReport {
    Verdict verdict = Verdict::Amber;
    std::optional<DocumentGeometry> geometry; ///< absent when no document was found
    std::optional<MrzRead> mrz;               ///< absent when no MRZ was read
    std::vector<CheckOutcome> checks;         ///< the reasons behind a non-GREEN verdict come first
    StageTimings timingsMs;
    /// Thresholds::version() of the table the checks used, so that a lab can reproduce the verdict.
    std::string thresholdsVersion;
    /// Each Visible Digital Seal found on the document, decoded, as JSON (see docs/report-format.md).
    std::vector<std::string> sealsJson;
    /// The normalised document under each light (upright, InspectionSettings::pixelsPerMm), when asked for.
    std::optional<Image> normalisedWhite, normalisedIr, normalisedUv;
};

/// @brief What the caller decides for the inspection.
struct InspectionSettings {
    /// The date of the inspection as "YYYY-MM-DD" (the caller's clock; vision reads none). Used for
    /// expiry and plausibility of dates; empty: those checks are undetermined.
    std::string inspectionDate;
    /// Optional stopwatch in microseconds (any monotonic origin) for timingsMs; empty: no timings.
    std::function<std::int64_t()> stopwatchUs;
    /// [px/mm] resolution of the normalised document images (12 px/mm = 305 dpi; default).
    double pixelsPerMm = 12.0;
    /// Return the normalised images in the report (for the host's display and the checks' evidence).
    bool keepNormalisedImages = false;
    /// The thresholds the checks decide by; null: Thresholds::defaults() (vision/config/thresholds.json).
    std::shared_ptr<const Thresholds> thresholds;
    /// Reads the visual inspection zone for viz.mrz_consistency; null: that check is not_supported.
    std::shared_ptr<VizTextReader> vizReader;
    /// Signer certificates for Visible Digital Seals; null: every signer is unknown (seal AMBER).
    std::shared_ptr<const TrustStore> trustStore;
    /// Look for Visible Digital Seals (DataMatrix / QR) on the document.
    bool readSeals = true;
};

/// @brief Inspects one capture.
/// @return The report; a document without a readable MRZ is an AMBER report, not an error. Errors:
///         Errc::InvalidArgument for an invalid or empty white frame, or frames of different sizes.
Result<InspectionReport> inspect(const CaptureSet& capture, const InspectionSettings& settings = {});

/// @brief The report as the JSON object documented in docs/report-format.md (a public contract).
/// @param withMargins include every check's margin (always present; kept for the lab's tuning tools)
std::string reportToJson(const InspectionReport& report, bool pretty = false);

} // namespace gw::vision
