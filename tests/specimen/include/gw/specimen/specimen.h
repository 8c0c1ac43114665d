// SPDX-License-Identifier: Apache-2.0
// Renders one fictitious travel document on the scanner glass under white, IR and UV light, with truth.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <opencv2/core.hpp>

#include <gw/common/result.h>
#include <gw/specimen/mrz_builder.h>
#include <gw/vision/check.h>

namespace gw::specimen {

/// @brief Version written into every truth.json; bump it when the same seed renders differently.
inline constexpr std::string_view kGeneratorVersion = "1.0.1";

inline constexpr double kGlassWidthMm = 160.0;  ///< scanner glass, landscape
inline constexpr double kGlassHeightMm = 120.0; ///< scanner glass
inline constexpr double kMmPerInch = 25.4;

/// @brief Forgery kinds, each with a stable id (forgeryId) used in truth.json and on the command line.
enum class Forgery : std::uint8_t {
    Genuine,       ///< "genuine"
    MrzCheckDigit, ///< "mrz_check_digit": a field altered (MRZ and VIZ) after the check digits were computed
    VizMismatch,   ///< "viz_mismatch": the visual zone disagrees with a valid MRZ
    UvBrightPaper, ///< "uv_bright_paper": substrate with optical brighteners, glows under UV
    MrzIrTransparent, ///< "mrz_ir_transparent": MRZ printed in ink that vanishes under IR (not B900)
    MrzFont,          ///< "mrz_font": MRZ in a monospace font that is not OCR-B, same pitch and height
    PhotoSubstituted, ///< "photo_substituted": white and IR show different faces; photo paper glows in UV
    VizDyeInk,        ///< "viz_dye_ink": visual-zone personal data in dye ink that vanishes under IR
    UvGlue,           ///< "uv_glue": a local UV-bright patch (glue / correction fluid) on the data page
    VizReprinted,     ///< "viz_reprinted": one VIZ field erased and reprinted (other font, IR-weak, UV halo)
    MrzLayout,        ///< "mrz_layout": MRZ reprinted at a wrong pitch and off the ICAO position
    /// "seal_signature": an MRV-B visa whose Visible Digital Seal has one signature byte flipped (needs
    /// SpecimenSpec::sealMaker)
    SealSignature,
    /// "seal_mrz": an MRV-B visa whose seal is validly signed over an MRZ that differs from the printed
    /// one (the printed MRZ was altered; needs SpecimenSpec::sealMaker)
    SealMrz,
};

/// @brief True for the kinds that forge the Visible Digital Seal (they need a SealMaker and a visa).
constexpr bool isSealForgery(Forgery kind) noexcept
{
    return kind == Forgery::SealSignature || kind == Forgery::SealMrz;
}

/// @brief Stable id of a forgery kind, e.g. "mrz_check_digit"; "genuine" for Forgery::Genuine.
std::string_view forgeryId(Forgery kind) noexcept;
/// @brief Inverse of forgeryId. @return std::nullopt for an unknown id.
std::optional<Forgery> parseForgery(std::string_view id) noexcept;
/// @brief Every forgery kind except Genuine, in enum order.
std::span<const Forgery> allForgeries() noexcept;

/// @brief Nominal size and MRZ print position of one format (ICAO 9303 parts 4-7).
struct FormatGeometry {
    double widthMm = 0;         ///< document width, landscape (the long side)
    double heightMm = 0;        ///< document height
    int lineCount = 0;          ///< MRZ lines
    int lineLength = 0;         ///< MRZ characters per line
    double firstCharLeftMm = 0; ///< left edge of the document to the left edge of the first character cell
    std::array<double, 3>
        lineCentreFromBottomMm{}; ///< centre line of MRZ line i (0 = top) from the bottom edge
};

/// @brief The geometry table for @p format.
const FormatGeometry& formatGeometry(Format format) noexcept;

inline constexpr double kMrzPitchMm = 2.54; ///< ICAO 9303-3: 10 characters per 25.4 mm

/// @brief Image degradations applied on the glass. All zero (and contrast 1) is a clean capture.
struct Degradations {
    std::string level = "clean";     ///< "clean", "light", "moderate" or "strong" (how they were drawn)
    double blurSigmaMm = 0;          ///< Gaussian blur sigma on the glass [mm]; IR gets 1.2x (focus shift)
    double noiseSigma = 0;           ///< additive sensor noise sigma [grey levels of 255]
    double illuminationGradient = 0; ///< relative brightness drop across the glass, 0..0.5
    double illuminationAngleDeg = 0; ///< direction in which the light falls off, 0 = towards +x
    double vignetting = 0;           ///< relative brightness drop in the glass corners, 0..0.4
    double glareStrength = 0;        ///< peak of the laminate glare in white light, 0..1 (0 = none)
    double glareRadiusMm = 0;        ///< 1-sigma radius of the glare patch [mm]
    double glareXMm = 0;             ///< glare centre on the glass [mm from the glass top-left]
    double glareYMm = 0;             ///< glare centre on the glass [mm]
    double irGlareXMm = 0;           ///< IR LEDs sit elsewhere: their (weaker) glare centre [mm]
    double irGlareYMm = 0;           ///< [mm]
    double contrast = 1;             ///< gain about mid grey, 0.5..1.1
    double brightness = 0;           ///< offset [grey levels]
};

/// @brief A Visible Digital Seal to print: its DataMatrix and what truth.json should say about it.
struct SealPrint {
    cv::Mat modules; ///< CV_8UC1, 0 = dark module, one pixel per module, no quiet zone
    std::map<std::string, std::string> info; ///< e.g. {"kind": "visa", "passport_number": ...}
};

/// @brief Makes the seal of one capture from the MRZ as printed; an empty SealPrint when the document
/// carries none. gw/specimen/seals.h provides one backed by tests/specimen/seal when that is built.
/// @p forgery is the capture's kind: for the seal kinds the maker forges the seal accordingly.
using SealMaker =
    std::function<gw::Result<SealPrint>(Format format, const std::vector<std::string>& mrz,
                                        const DocumentFields& fields, std::uint64_t seed, Forgery forgery)>;

/// @brief What to render. Anything left unset is drawn from the seed.
struct SpecimenSpec {
    Format format = Format::Td3;
    std::uint64_t seed = 1; ///< the whole capture is a pure function of (spec, seed)
    Forgery forgery = Forgery::Genuine;
    std::optional<double> dpi; ///< fixed capture resolution [dots per inch], 100..1200
    double dpiMin = 300;       ///< else uniform in [dpiMin, dpiMax]
    double dpiMax = 600;
    std::optional<double> rotationDeg; ///< fixed rotation [deg, counter-clockwise], else uniform in [-15, 15]
    std::optional<bool> upsideDown;    ///< fixed, else true in 25 % of captures
    bool clean = false;                ///< no degradations at all (overrides degradations)
    std::optional<Degradations> degradations; ///< fixed degradations, else drawn from the seed
    /// Seals on visas and residence permits; empty = none. Seal signatures are randomised (ECDSA), so a
    /// capture with a seal is byte-identical for its seed except inside the seal.
    SealMaker sealMaker;
};

/// @brief What the visual inspection zone prints (UTF-8, as printed, with diacritics).
struct VizText {
    std::string documentType; ///< e.g. "PASSPORT", "IDENTITY CARD", "VISA"
    std::string documentCode; ///< e.g. "P", "ID", "V"
    std::string issuingState; ///< code as printed, e.g. "UTO"
    std::string issuingStateName;
    std::string documentNumber;
    std::string surname;
    std::string givenNames;
    std::string nationality; ///< as printed (the name of the nationality, e.g. "UTOPIAN")
    std::string birthDate;   ///< as printed, e.g. "12 MAR 1985" or "12.03.1985"
    std::string sex;         ///< "M", "F" or "X"
    std::string placeOfBirth;
    std::string issueDate;  ///< as printed
    std::string expiryDate; ///< as printed
    std::string authority;
    std::string dateStyle; ///< which date style: "dd_mon_yyyy", "dd.mm.yyyy", "dd_mon/mon_yyyy", "dd_mm_yyyy"
};

/// @brief Where and how the MRZ was printed (document millimetres, upright frame).
struct MrzPrint {
    std::string font; ///< "OCR-B" or the font actually used
    double pitchMm = kMrzPitchMm;
    double firstCharLeftMm = 0; ///< left edge of the first character cell from the left edge
    std::vector<double> lineCentreFromBottomMm;
    double charHeightMm = 0; ///< measured cap height of 'H'
    bool irAbsorbing = true; ///< false when the MRZ vanishes under IR
};

/// @brief Placement on the glass.
struct GlassGeometry {
    double dpi = 0;
    double pixelsPerMm = 0;
    cv::Size glassSizePx;
    cv::Size2d documentSizeMm; ///< width (long side) x height
    double rotationDeg = 0;    ///< counter-clockwise in the image, before the upside-down turn
    bool upsideDown = false;
    /// TL, TR, BR, BL of the document in its own upright frame, in glass pixels (OpenCV convention:
    /// the centre of pixel (0,0) is (0,0)).
    std::array<cv::Point2d, 4> documentCornersPx;
    gw::vision::RectMm mrzBoxMm; ///< the MRZ character cells, document mm from the top-left
};

/// @brief Ground truth of one capture; serialised by truthToJson().
struct Truth {
    std::string generatorVersion{kGeneratorVersion};
    std::uint64_t seed = 0;
    Format format = Format::Td3;
    Forgery forgery = Forgery::Genuine;
    std::vector<std::string> mrz; ///< the lines as printed (after any forgery)
    DocumentFields fields;        ///< the MRZ data as printed (after any forgery)
    VizText viz;
    MrzPrint mrzPrint;
    GlassGeometry geometry;
    Degradations degradations;
    /// Named areas on the document (mm, upright): "portrait", "personal_data", "background_sample" (only
    /// background print), "uv_emblem", "seal", and forgery areas such as "uv_glue", "reprinted_field".
    std::map<std::string, gw::vision::RectMm> regionsMm;
    std::map<std::string, std::string> forgeryDetail; ///< what the forgery changed, e.g. "altered_field"
    bool hasSeal = false;                             ///< a Visible Digital Seal was printed (region "seal")
    std::map<std::string, std::string> sealInfo;      ///< SealPrint::info of that seal
    std::optional<std::uint64_t> setSeed;             ///< set by `specimen generate`: its --seed
    std::optional<std::uint64_t> setIndex; ///< set by `specimen generate`: 0-based index in the set
};

/// @brief One capture: the three registered frames and the truth.
struct Capture {
    cv::Mat white; ///< CV_8UC3 BGR, glass size
    cv::Mat ir;    ///< CV_8UC1, ~870 nm
    cv::Mat uv;    ///< CV_8UC3 BGR, 365 nm excitation
    Truth truth;
};

/// @brief Renders one capture, deterministically: the same spec gives byte-identical images.
/// @return Errc::InvalidArgument for a dpi outside 100..1200 or a rotation outside [-45, 45];
///         Errc::Io when a font file is missing; Errc::Internal when OpenCV throws.
gw::Result<Capture> renderSpecimen(const SpecimenSpec& spec);

/// @brief The seed of capture @p index (0-based) of a set generated with @p baseSeed:
///        splitmix64(baseSeed ^ splitmix64(index + 1)), so neighbouring sets and indices do not overlap.
std::uint64_t captureSeed(std::uint64_t baseSeed, std::uint64_t index) noexcept;

/// @brief A set of captures as `specimen generate` makes it (README: Seeds).
struct SetPlan {
    std::uint64_t seed = 1;
    std::size_t count = 0;
    std::vector<Format> formats{Format::Td1, Format::Td2, Format::Td3, Format::MrvA, Format::MrvB};
    std::vector<Forgery> forgeries; ///< kinds to draw from; empty: all genuine
    double forgedShare = 0.3;       ///< share of forged captures when forgeries are given
    double dpiMin = 300;            ///< capture resolution, uniform in [dpiMin, dpiMax]
    double dpiMax = 600;
    bool clean = false;
    /// The set carries seals: the seal kinds among forgeries are drawn (on MRV-B visas); without seals
    /// they are skipped.
    bool seals = false;
};

/// @brief The spec of every capture of @p plan, in order: capture i has seed captureSeed(plan.seed, i)
/// and format formats[i % n]; it is forged when a draw from its seed falls below forgedShare, and the
/// k-th forged capture takes forgeries[k % n], so that even a small set covers every kind. A seal kind
/// makes its capture an MRV-B visa, and is passed over when the plan has no seals.
std::vector<SpecimenSpec> planSet(const SetPlan& plan);

/// @brief truth.json text (pretty, 2-space indent, keys as documented in tests/specimen/README.md).
std::string truthToJson(const Truth& truth);
/// @brief One manifest.jsonl line (no newline): folder, format, forgery, seed and the MRZ.
std::string manifestLine(const Truth& truth, std::string_view folder);

} // namespace gw::specimen
