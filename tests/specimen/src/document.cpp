// SPDX-License-Identifier: Apache-2.0
// Lays out and draws one document page (security print, portrait, visual zone, MRZ) under three lights.
#include "document.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <span>

#include <opencv2/imgproc.hpp>

#include "portrait.h"
#include "prng.h"

namespace gw::specimen {
namespace {

using gw::vision::RectMm;

/// Colours of one issuer's security print (BGR).
struct Palette {
    cv::Scalar paperA, paperB; ///< the rainbow tint runs from A (left) to B (right)
    cv::Scalar line1, line2;   ///< guilloche and rosette inks
    cv::Scalar caption;
    cv::Scalar header;
};

const std::array<Palette, 5> kPalettes{{
    {{214, 236, 222}, {228, 240, 238}, {165, 205, 150}, {205, 190, 150}, {80, 95, 50}, {60, 85, 30}},
    {{240, 226, 206}, {238, 236, 228}, {215, 175, 130}, {195, 200, 165}, {125, 70, 30}, {110, 50, 20}},
    {{222, 218, 244}, {232, 236, 246}, {180, 165, 228}, {205, 200, 215}, {95, 50, 140}, {75, 30, 120}},
    {{198, 228, 242}, {222, 238, 244}, {145, 192, 228}, {178, 208, 198}, {40, 80, 125}, {30, 60, 100}},
    {{236, 214, 228}, {242, 232, 238}, {212, 165, 198}, {200, 188, 212}, {110, 50, 95}, {90, 30, 80}},
}};

/// UV fluorescence colours of security fibres and emblems (BGR): red, blue, yellow-green, orange.
const std::array<cv::Scalar, 4> kFluorescent{{{70, 60, 250}, {255, 170, 60}, {90, 250, 200}, {40, 170, 255}}};

constexpr double kPaperIr = 212;                // ~83 % reflectance at 870 nm
constexpr double kBlackInkIr = 28;              // carbon / B900 ink
const cv::Scalar kUvDullPaper{40, 24, 34};      // lamp leak (violet) on a substrate without brighteners
const cv::Scalar kUvBrightPaper{232, 212, 196}; // optical brighteners glow blue-white

/// The page layout in mm (upright, from the top-left corner).
struct Layout {
    double w = 0, h = 0;
    double margin = 0;
    double headerTop = 0, headerH = 0;
    RectMm portrait, signature, fields;
    double contentBottom = 0;
    double mrzBandTop = 0;
};

Layout layoutFor(Format format)
{
    const FormatGeometry& g = formatGeometry(format);
    Layout l;
    l.w = g.widthMm;
    l.h = g.heightMm;
    l.margin = std::clamp(0.04 * l.h, 2.5, 4.5);
    const bool card = format == Format::Td1;
    l.headerTop = l.margin * 0.8;
    l.headerH = card ? 5.0 : 8.0;
    l.mrzBandTop = l.h - (g.lineCentreFromBottomMm[0] + 2.2) - 1.0;
    l.contentBottom = l.mrzBandTop - 0.6;
    const double contentTop = l.headerTop + l.headerH + (card ? 0.8 : 1.5);
    const double portraitShare = card ? 0.86 : format == Format::Td3 || format == Format::MrvA ? 0.78 : 0.80;
    const double ph = (l.contentBottom - contentTop) * portraitShare;
    const double pw = ph * 0.78;
    l.portrait = {g.firstCharLeftMm, contentTop, pw, ph};
    l.signature = {g.firstCharLeftMm, contentTop + ph + 0.5, pw, l.contentBottom - (contentTop + ph + 0.5)};
    const double fx = l.portrait.x + pw + 0.04 * l.w;
    l.fields = {fx, contentTop, l.w - l.margin - fx, l.contentBottom - contentTop};
    return l;
}

cv::Scalar mix(const cv::Scalar& a, const cv::Scalar& b, double t)
{
    return a * (1 - t) + b * t;
}

/// Draws text with its pen (baseline-left) at @p penMm; shrinks it to @p maxWidthMm if given.
/// @return the ink box in mm.
gw::Result<RectMm> drawText(Layers& layers, FontId font, std::string_view text, cv::Point2d penMm,
                            double capHeightMm, const Ink& ink, double maxWidthMm = 0, double opacity = 1.0)
{
    auto cap = capHeightPerEm(font);
    if (!cap)
        return std::unexpected(cap.error());
    double emPx = layers.len(capHeightMm) / *cap;
    auto mask = renderText(font, text, emPx);
    if (!mask)
        return std::unexpected(mask.error());
    if (maxWidthMm > 0 && mask->coverage.cols > layers.len(maxWidthMm)) {
        emPx *= layers.len(maxWidthMm) / mask->coverage.cols;
        mask = renderText(font, text, emPx);
        if (!mask)
            return std::unexpected(mask.error());
    }
    if (mask->coverage.empty())
        return RectMm{penMm.x, penMm.y, 0, 0};
    const cv::Point2d pen = layers.px(penMm);
    const cv::Point topLeft(static_cast<int>(std::lround(pen.x - mask->penPx.x)),
                            static_cast<int>(std::lround(pen.y - mask->penPx.y)));
    stamp(layers, mask->coverage, topLeft, ink, opacity);
    const double ppm = layers.pixelsPerMm;
    return RectMm{(topLeft.x + 0.5) / ppm, (topLeft.y + 0.5) / ppm, mask->coverage.cols / ppm,
                  mask->coverage.rows / ppm};
}

RectMm unite(const RectMm& a, const RectMm& b)
{
    if (a.width <= 0 || a.height <= 0)
        return b;
    if (b.width <= 0 || b.height <= 0)
        return a;
    const double x0 = std::min(a.x, b.x), y0 = std::min(a.y, b.y);
    const double x1 = std::max(a.x + a.width, b.x + b.width), y1 = std::max(a.y + a.height, b.y + b.height);
    return {x0, y0, x1 - x0, y1 - y0};
}

/// The paper: a rainbow tint in white light, even in IR, dull or glowing in UV.
void drawPaper(Layers& layers, const Palette& pal, bool uvBright, Prng& rng)
{
    const int cols = layers.white.cols;
    cv::Mat rowWhite(1, cols, CV_8UC3);
    for (int x = 0; x < cols; ++x) {
        const double t = static_cast<double>(x) / std::max(1, cols - 1);
        const cv::Scalar c = mix(pal.paperA, pal.paperB, 0.5 - 0.5 * std::cos(std::numbers::pi * t));
        rowWhite.at<cv::Vec3b>(0, x) =
            cv::Vec3b(cv::saturate_cast<std::uint8_t>(c[0]), cv::saturate_cast<std::uint8_t>(c[1]),
                      cv::saturate_cast<std::uint8_t>(c[2]));
    }
    cv::repeat(rowWhite, layers.white.rows, 1, layers.white);
    layers.ir.setTo(cv::Scalar::all(kPaperIr + rng.uniform(-6, 6)));
    const cv::Scalar uv = uvBright ? kUvBrightPaper : kUvDullPaper;
    layers.uv.setTo(uv + cv::Scalar::all(rng.uniform(-4, 4)));
}

/// Interwoven sine bands and a rosette: fine line print in inks that IR passes straight through.
void drawSecurityPrint(Layers& layers, const Layout& l, const Palette& pal, const cv::Scalar& uvPaper,
                       Prng& rng)
{
    const Ink ink1{pal.line1, std::nullopt, uvPaper * 0.8};
    const Ink ink2{pal.line2, std::nullopt, uvPaper * 0.8};
    const double step = 0.4; // [mm] between polyline vertices; finer than the line width at 600 dpi
    for (int family = 0; family < 2; ++family) {
        const Ink& ink = family == 0 ? ink1 : ink2;
        const double lambda1 = rng.uniform(18, 40), lambda2 = rng.uniform(6, 14);
        const double amp1 = rng.uniform(2, 5), amp2 = rng.uniform(0.6, 1.6);
        const double phase = rng.uniform(0, 6.28), drift = rng.uniform(0.15, 0.35);
        const double spacing = rng.uniform(1.6, 2.6);
        const double lineW = rng.uniform(0.07, 0.11);
        for (double y0 = -4 + family * spacing / 2; y0 < l.h + 4; y0 += spacing) {
            std::vector<cv::Point2d> pts;
            for (double x = -1; x <= l.w + 1; x += step) {
                const double k = y0 / spacing;
                const double y = y0 +
                                 amp1 * std::sin(2 * std::numbers::pi * x / lambda1 + phase + k * drift) +
                                 amp2 * std::sin(2 * std::numbers::pi * x / lambda2 - k * drift * 2);
                pts.emplace_back(x, y);
            }
            stroke(layers, pts, lineW, ink);
        }
    }
    // Rosette: superposed rotated rose curves around a point right of the centre.
    const cv::Point2d c(l.w * rng.uniform(0.55, 0.75), l.h * rng.uniform(0.35, 0.5));
    const double r0 = l.h * rng.uniform(0.12, 0.18);
    const int petals = rng.range(7, 13);
    for (int copy = 0; copy < 14; ++copy) {
        std::vector<cv::Point2d> pts;
        const double rot = copy * std::numbers::pi / (7.0 * petals);
        for (int i = 0; i <= 720; ++i) {
            const double t = 2 * std::numbers::pi * i / 720.0;
            const double r = r0 * (0.62 + 0.38 * std::cos(petals * t)) * (1 + 0.06 * copy / 14.0);
            pts.emplace_back(c.x + r * std::cos(t + rot), c.y + r * std::sin(t + rot));
        }
        stroke(layers, pts, 0.08, copy % 2 ? ink1 : ink2, true);
    }
}

/// Planchette fibres: faint in white light, bright in UV, absent in IR.
void drawFibres(Layers& layers, const Layout& l, const Palette& pal, Prng& rng)
{
    const int count = rng.range(35, 70);
    for (int i = 0; i < count; ++i) {
        const cv::Scalar glow = rng.pick(std::span<const cv::Scalar>(kFluorescent));
        const Ink ink{mix(pal.paperA, glow, 0.12), std::nullopt, glow * rng.uniform(0.6, 1.0)};
        cv::Point2d p(rng.uniform(0, l.w), rng.uniform(0, l.h));
        double angle = rng.uniform(0, 2 * std::numbers::pi);
        const double length = rng.uniform(2, 6);
        std::vector<cv::Point2d> pts{p};
        for (int s = 0; s < 5; ++s) {
            angle += rng.uniform(-0.4, 0.4);
            p += cv::Point2d(std::cos(angle), std::sin(angle)) * (length / 5);
            pts.push_back(p);
        }
        stroke(layers, pts, 0.09, ink);
    }
}

/// The UV emblem: a ring, a star and the issuer code, printed in invisible fluorescent ink.
gw::Result<RectMm> drawUvEmblem(Layers& layers, const Layout& l, const std::string& code, Prng& rng)
{
    const cv::Scalar glow = rng.pick(std::span<const cv::Scalar>(kFluorescent));
    const Ink ink{std::nullopt, std::nullopt, glow};
    const double r = std::min(l.fields.height * 0.32, l.fields.width * 0.2);
    const cv::Point2d c(l.fields.x + l.fields.width * rng.uniform(0.45, 0.7),
                        l.fields.y + l.fields.height * rng.uniform(0.3, 0.5));
    stroke(layers, ellipseMm(c, {r, r}), r * 0.08, ink, true);
    stroke(layers, ellipseMm(c, {r * 0.84, r * 0.84}), r * 0.03, ink, true);
    std::vector<cv::Point2d> star;
    for (int i = 0; i < 10; ++i) {
        const double a = -std::numbers::pi / 2 + i * std::numbers::pi / 5;
        const double rr = i % 2 ? r * 0.28 : r * 0.7;
        star.emplace_back(c.x + rr * std::cos(a), c.y - r * 0.1 + rr * std::sin(a));
    }
    fill(layers, star, ink);
    auto t = drawText(layers, FontId::DejaVuSansBold, code, {c.x - r * 0.35, c.y + r * 0.72}, r * 0.22, ink,
                      r * 0.7);
    if (!t)
        return std::unexpected(t.error());
    // A wavy fluorescent line pattern across the page in a second colour.
    const cv::Scalar glow2 = rng.pick(std::span<const cv::Scalar>(kFluorescent)) * 0.7;
    const Ink waves{std::nullopt, std::nullopt, glow2};
    for (int k = 0; k < 3; ++k) {
        std::vector<cv::Point2d> pts;
        const double y0 = l.h * (0.25 + 0.2 * k), ph = rng.uniform(0, 6.28);
        for (double x = 0; x <= l.w; x += 0.5)
            pts.emplace_back(x, y0 + 2.5 * std::sin(2 * std::numbers::pi * x / 30 + ph));
        stroke(layers, pts, 0.15, waves);
    }
    return RectMm{c.x - r, c.y - r, 2 * r, 2 * r};
}

/// Row/column grid of the visual zone: caption above value.
struct FieldSlot {
    std::string key;
    std::string caption;
    std::string value;
    int row = 0;
    double col0 = 0, col1 = 1; ///< fraction of the field area width
};

std::vector<FieldSlot> fieldSlots(Format format, const VizText& v)
{
    const bool visa = format == Format::MrvA || format == Format::MrvB;
    const std::string numberCaption = format == Format::Td3 ? "Passport No. / N° du passeport"
                                      : visa                ? "Visa No. / N° du visa"
                                                            : "Document No. / N° du document";
    return {
        {"document_code", "Type", v.documentCode, 0, 0.0, 0.2},
        {"issuing_state", "Code", v.issuingState, 0, 0.22, 0.45},
        {"document_number", numberCaption, v.documentNumber, 0, 0.48, 1.0},
        {"surname", "Surname / Nom", v.surname, 1, 0.0, 1.0},
        {"given_names", "Given names / Prénoms", v.givenNames, 2, 0.0, 1.0},
        {"nationality", "Nationality / Nationalité", v.nationality, 3, 0.0, 0.52},
        {"birth_date", "Date of birth / Date de naissance", v.birthDate, 3, 0.55, 1.0},
        {"sex", "Sex / Sexe", v.sex, 4, 0.0, 0.2},
        {"place_of_birth", "Place of birth / Lieu de naissance", v.placeOfBirth, 4, 0.22, 1.0},
        {"issue_date", visa ? "Valid from / Du" : "Date of issue / Date de délivrance", v.issueDate, 5, 0.0,
         0.5},
        {"expiry_date", visa ? "Until / Au" : "Date of expiry / Date d'expiration", v.expiryDate, 5, 0.52,
         1.0},
        {"authority", "Authority / Autorité", v.authority, 6, 0.0, 0.5},
    };
}

constexpr int kRows = 7;
constexpr double kBackgroundSampleCol0 = 0.6; ///< row 6 right of this fraction carries only background print

/// A signature: a few connected loops in dark blue ballpoint-like ink.
void drawSignature(Layers& layers, const RectMm& box, Prng& rng)
{
    if (box.height < 2)
        return;
    const Ink ink{cv::Scalar(110, 45, 25), std::nullopt, cv::Scalar(20, 12, 16)};
    std::vector<cv::Point2d> pts;
    const double cy = box.y + box.height * 0.55;
    const double amp = std::min(box.height * 0.3, 3.0);
    const int loops = rng.range(4, 8);
    for (int i = 0; i <= loops * 24; ++i) {
        const double t = static_cast<double>(i) / (loops * 24);
        const double a = 2 * std::numbers::pi * t * loops;
        pts.emplace_back(box.x + box.width * (0.1 + 0.8 * t) + amp * 0.35 * std::cos(a),
                         cy + amp * std::sin(a) * (0.6 + 0.4 * std::sin(3 * t)));
    }
    stroke(layers, pts, 0.18, ink);
}

/// A soft-edged blob of glue or correction fluid: invisible in white light and IR, glowing in UV.
RectMm drawUvGlue(Layers& layers, const Layout& l, Prng& rng)
{
    const double w = rng.uniform(8, 16), h = rng.uniform(5, 10);
    // Near the portrait's edge (a re-glued photo) or over the personal data (a washed field).
    const bool atPhoto = rng.chance(0.5);
    const cv::Point2d c = atPhoto ? cv::Point2d(l.portrait.x + l.portrait.width,
                                                l.portrait.y + l.portrait.height * rng.uniform(0.3, 0.7))
                                  : cv::Point2d(l.fields.x + l.fields.width * rng.uniform(0.2, 0.6),
                                                l.fields.y + l.fields.height * rng.uniform(0.25, 0.7));
    const double ppm = layers.pixelsPerMm;
    cv::Mat mask(static_cast<int>(std::ceil(h * 1.6 * ppm)), static_cast<int>(std::ceil(w * 1.6 * ppm)),
                 CV_8UC1, cv::Scalar(0));
    for (int i = 0; i < 4; ++i) {
        const cv::Point centre(static_cast<int>(mask.cols * rng.uniform(0.35, 0.65)),
                               static_cast<int>(mask.rows * rng.uniform(0.35, 0.65)));
        const cv::Size axes(static_cast<int>(w * ppm * rng.uniform(0.2, 0.45)),
                            static_cast<int>(h * ppm * rng.uniform(0.2, 0.45)));
        cv::ellipse(mask, centre, axes, rng.uniform(0, 180), 0, 360, cv::Scalar(255), -1, cv::LINE_AA);
    }
    cv::GaussianBlur(mask, mask, cv::Size(), std::max(1.0, 0.6 * ppm));
    const cv::Point topLeft(static_cast<int>(std::lround(c.x * ppm - mask.cols / 2.0)),
                            static_cast<int>(std::lround(c.y * ppm - mask.rows / 2.0)));
    const Ink glue{std::nullopt, std::nullopt, cv::Scalar(235, 225, 215)};
    stamp(layers, mask, topLeft, glue, rng.uniform(0.55, 0.8));
    // A faint sheen in white light where the glue dried.
    stamp(layers, mask, topLeft, Ink{cv::Scalar(250, 250, 250), std::nullopt, std::nullopt}, 0.06);
    const cv::Rect ink = cv::boundingRect(mask);
    return {(topLeft.x + ink.x) / ppm, (topLeft.y + ink.y) / ppm, ink.width / ppm, ink.height / ppm};
}

} // namespace

gw::Result<DocumentRender> renderDocument(const DocumentPlan& plan, double pixelsPerMm)
{
    try {
        const FormatGeometry& g = formatGeometry(plan.format);
        Layout l = layoutFor(plan.format);
        // A seal takes a strip at the right of the visual zone; the fields narrow to make room.
        const double sealSideMm = std::min(l.fields.height * 0.45, 20.0);
        if (!plan.sealImage.empty())
            l.fields.width -= sealSideMm + 1.5;
        Prng rng(plan.seed, "document");
        const Palette& pal = rng.pick(std::span<const Palette>(kPalettes));

        DocumentRender out;
        Layers& layers = out.layers;
        layers.pixelsPerMm = pixelsPerMm;
        const cv::Size sizePx(static_cast<int>(std::ceil(l.w * pixelsPerMm)),
                              static_cast<int>(std::ceil(l.h * pixelsPerMm)));
        layers.white.create(sizePx, CV_8UC3);
        layers.ir.create(sizePx, CV_8UC1);
        layers.uv.create(sizePx, CV_8UC3);
        const cv::Scalar uvPaper = plan.uvBrightPaper ? kUvBrightPaper : kUvDullPaper;

        drawPaper(layers, pal, plan.uvBrightPaper, rng);
        drawSecurityPrint(layers, l, pal, uvPaper, rng);
        drawFibres(layers, l, pal, rng);
        auto emblem = drawUvEmblem(layers, l, plan.viz.issuingState, rng);
        if (!emblem)
            return std::unexpected(emblem.error());
        out.regionsMm["uv_emblem"] = *emblem;

        // Pre-printed text (header, captions, microprint) uses security inks that vanish under IR.
        const Ink headerInk{pal.header, std::nullopt, uvPaper * 0.55};
        const Ink captionInk{pal.caption, std::nullopt, uvPaper * 0.6};
        // An IR-visible crest: metameric ink, the same colour family as the header but carbon-based.
        const Ink crestInk{pal.header, 95.0, uvPaper * 0.5};
        const double headerBase = l.headerTop + l.headerH * 0.55;
        const double crestH = l.headerH * 0.8;
        const RectMm crest{l.margin, l.headerTop + l.headerH * 0.05, crestH * 0.8, crestH};
        std::vector<cv::Point2d> shield{{crest.x, crest.y},
                                        {crest.x + crest.width, crest.y},
                                        {crest.x + crest.width, crest.y + crest.height * 0.6},
                                        {crest.x + crest.width / 2, crest.y + crest.height},
                                        {crest.x, crest.y + crest.height * 0.6}};
        fill(layers, shield, crestInk);
        out.regionsMm["ir_feature"] = crest;

        const double headerCap = l.headerH * 0.26;
        const double headerX = crest.x + crest.width + 1.5;
        auto r = drawText(layers, FontId::DejaVuSansBold, plan.viz.issuingStateName, {headerX, headerBase},
                          headerCap, headerInk, l.w * 0.5);
        if (!r)
            return std::unexpected(r.error());
        r = drawText(layers, FontId::DejaVuSans, plan.viz.documentType,
                     {headerX, headerBase + headerCap * 1.7}, headerCap * 0.75, headerInk, l.w * 0.5);
        if (!r)
            return std::unexpected(r.error());
        // SPECIMEN marks every generated document as not genuine, also for real issuer codes.
        r = drawText(layers, FontId::DejaVuSansBold, "SPECIMEN", {l.w * 0.66, headerBase}, headerCap * 1.1,
                     Ink{cv::Scalar(60, 60, 200), std::nullopt, uvPaper * 0.6}, l.w * 0.3);
        if (!r)
            return std::unexpected(r.error());
        // Microprint line above the MRZ band.
        {
            std::string micro;
            while (micro.size() < 400)
                micro += "SPECIMEN " + plan.viz.issuingState + " ";
            r = drawText(layers, FontId::DejaVuSansCondensed, micro, {0.5, l.mrzBandTop + 0.2}, 0.45,
                         captionInk, l.w - 1);
            if (!r)
                return std::unexpected(r.error());
        }

        // Portrait: the face in white light, its IR rendition (IR-absorbing print), dark under UV.
        const cv::Rect portraitPx(static_cast<int>(std::lround(l.portrait.x * pixelsPerMm)),
                                  static_cast<int>(std::lround(l.portrait.y * pixelsPerMm)),
                                  static_cast<int>(std::lround(l.portrait.width * pixelsPerMm)),
                                  static_cast<int>(std::lround(l.portrait.height * pixelsPerMm)));
        const bool beard = plan.viz.sex == "M";
        const cv::Mat face = renderFace(portraitPx.size(), plan.portraitSeed, beard);
        const cv::Mat faceIr =
            faceInInfrared(plan.irPortraitSeed == plan.portraitSeed
                               ? face
                               : renderFace(portraitPx.size(), plan.irPortraitSeed, beard));
        face.copyTo(layers.white(portraitPx));
        faceIr.copyTo(layers.ir(portraitPx));
        {
            cv::Mat faceGrey;
            cv::cvtColor(face, faceGrey, cv::COLOR_BGR2GRAY);
            cv::Mat uvRoi = layers.uv(portraitPx);
            if (plan.photoSubstituted) {
                // Photographic paper carries brighteners: the pasted photo glows, its dyes show faintly.
                cv::Mat glow(portraitPx.size(), CV_8UC3, cv::Scalar(205, 185, 172));
                cv::Mat dyes;
                cv::cvtColor(faceGrey, dyes, cv::COLOR_GRAY2BGR);
                cv::addWeighted(glow, 0.75, dyes, 0.25, 0, uvRoi);
            } else {
                // The print absorbs the little UV the substrate returns.
                uvRoi.setTo(uvPaper * 0.45);
            }
        }
        out.regionsMm["portrait"] = l.portrait;
        if (plan.photoSubstituted)
            out.regionsMm["substituted_photo"] = l.portrait;
        drawSignature(layers, l.signature, rng);

        // The visual zone: captions in pre-print ink, values in the personaliser's ink.
        const double rowH = l.fields.height / kRows;
        const double captionCap = std::min(0.16 * rowH, 1.1);
        const double valueCap = std::min(0.36 * rowH, 2.5);
        const FontId valueFont = rng.chance(0.5) ? FontId::DejaVuSans : FontId::LiberationSans;
        const FontId captionFont =
            rng.chance(0.5) ? FontId::DejaVuSansCondensed : FontId::LiberationSansNarrow;
        const Ink dataInk{cv::Scalar(28, 26, 30),
                          plan.vizIrAbsorbing ? std::optional<double>(kBlackInkIr) : std::nullopt,
                          uvPaper * 0.35};
        RectMm personal;
        for (const FieldSlot& slot : fieldSlots(plan.format, plan.viz)) {
            const double x = l.fields.x + l.fields.width * slot.col0;
            const double maxW = l.fields.width * (slot.col1 - slot.col0) - 0.5;
            const double top = l.fields.y + slot.row * rowH;
            const double captionBase = top + captionCap * 1.25;
            const double valueBase = captionBase + captionCap * 0.5 + valueCap * 1.25;
            r = drawText(layers, captionFont, slot.caption, {x, captionBase}, captionCap, captionInk, maxW);
            if (!r)
                return std::unexpected(r.error());
            if (slot.value.empty())
                continue;
            if (plan.reprintedField && *plan.reprintedField == slot.key) {
                // Erased and reprinted: the eraser took the background print with it (bare paper, a
                // faint UV halo of bleach), the new text is an inkjet dye in another font, slightly off.
                const RectMm erased{x - 0.6, valueBase - valueCap * 1.35, std::min(maxW, valueCap * 9) + 1.2,
                                    valueCap * 1.9};
                fill(layers, rectMm(erased.x, erased.y, erased.width, erased.height),
                     Ink{mix(pal.paperB, cv::Scalar(235, 245, 250), 0.5), std::nullopt, std::nullopt});
                cv::Mat halo(static_cast<int>(layers.len(erased.height)),
                             static_cast<int>(layers.len(erased.width)), CV_8UC1, cv::Scalar(255));
                cv::GaussianBlur(halo, halo, cv::Size(), std::max(1.0, layers.len(0.5)));
                const cv::Point2d tl = layers.px({erased.x, erased.y});
                stamp(layers, halo, cv::Point(static_cast<int>(tl.x), static_cast<int>(tl.y)),
                      Ink{std::nullopt, std::nullopt, cv::Scalar(200, 190, 180)}, 0.35);
                const Ink dye{cv::Scalar(45, 38, 32), std::nullopt, uvPaper * 0.4};
                r = drawText(layers, FontId::DejaVuSerif, slot.value, {x + 0.2, valueBase + 0.3},
                             valueCap * 1.05, dye, maxW);
                if (!r)
                    return std::unexpected(r.error());
                out.regionsMm["reprinted_field"] = erased;
            } else {
                r = drawText(layers, valueFont, slot.value, {x, valueBase}, valueCap, dataInk, maxW);
                if (!r)
                    return std::unexpected(r.error());
            }
            out.regionsMm["viz_" + slot.key] = *r;
            personal = unite(personal, *r);
        }
        out.regionsMm["personal_data"] = personal;
        out.regionsMm["background_sample"] = {l.fields.x + l.fields.width * kBackgroundSampleCol0 + 1.0,
                                              l.fields.y + (kRows - 1) * rowH + 0.3,
                                              l.fields.width * (1 - kBackgroundSampleCol0) - 2.0, rowH - 0.6};

        // Seal (Visible Digital Seal DataMatrix), printed in IR-absorbing black to the right of the
        // authority.
        if (!plan.sealImage.empty()) {
            const double side = sealSideMm;
            // A forger who reprints the MRZ higher leaves the seal clear of it (no print overlaps).
            const double lift = plan.mrzShiftYMm > 0 ? plan.mrzShiftYMm + 1.0 : 0.0;
            const RectMm box{l.fields.x + l.fields.width + 1.5,
                             std::max(l.fields.y, l.fields.y + l.fields.height - side - lift), side, side};
            const int sidePx = static_cast<int>(std::lround(layers.len(side)));
            cv::Mat sealPx;
            cv::resize(plan.sealImage, sealPx, cv::Size(sidePx, sidePx), 0, 0, cv::INTER_NEAREST);
            const cv::Mat coverage = 255 - sealPx;
            // Quiet zone: the personaliser prints the symbol on a cleared patch.
            fill(layers, rectMm(box.x - 1, box.y - 1, side + 2, side + 2),
                 Ink{mix(pal.paperB, cv::Scalar(250, 250, 250), 0.6), kPaperIr, std::nullopt});
            const cv::Point2d tl = layers.px({box.x, box.y});
            stamp(layers, coverage,
                  cv::Point(static_cast<int>(std::lround(tl.x)), static_cast<int>(std::lround(tl.y))),
                  Ink{cv::Scalar(20, 20, 20), kBlackInkIr, uvPaper * 0.3});
            out.regionsMm["seal"] = box;
        }

        // The MRZ: each character centred in its 2.54 mm cell, the cap height centred on the line's
        // reference centre line.
        auto ocrbAdvance = advancePerEm(FontId::OcrB);
        auto ocrbCap = capHeightPerEm(FontId::OcrB);
        auto mrzCap = capHeightPerEm(plan.mrzFont);
        if (!ocrbAdvance)
            return std::unexpected(ocrbAdvance.error());
        if (!ocrbCap)
            return std::unexpected(ocrbCap.error());
        if (!mrzCap)
            return std::unexpected(mrzCap.error());
        // OCR-B is sized so that its own advance is 2.54 mm (its design pitch); other fonts get the same
        // cap height, so only the shapes differ.
        const double capHeightMm = kMrzPitchMm / *ocrbAdvance * *ocrbCap;
        const double emPx = layers.len(capHeightMm) / *mrzCap;
        const Ink mrzInk{cv::Scalar(22, 22, 24),
                         plan.mrzIrAbsorbing ? std::optional<double>(kBlackInkIr) : std::nullopt,
                         uvPaper * 0.3};
        std::map<char, TextMask> glyphs;
        const double left = g.firstCharLeftMm + plan.mrzShiftXMm;
        std::vector<double> centres;
        for (std::size_t i = 0; i < plan.mrzLines.size(); ++i) {
            const double centreFromBottom = g.lineCentreFromBottomMm[i] + plan.mrzShiftYMm;
            centres.push_back(centreFromBottom);
            const double baseline = l.h - centreFromBottom + capHeightMm / 2;
            const std::string& line = plan.mrzLines[i];
            for (std::size_t j = 0; j < line.size(); ++j) {
                const char ch = line[j];
                auto it = glyphs.find(ch);
                if (it == glyphs.end()) {
                    auto m = renderText(plan.mrzFont, std::string(1, ch), emPx);
                    if (!m)
                        return std::unexpected(m.error());
                    it = glyphs.emplace(ch, std::move(*m)).first;
                }
                const TextMask& glyph = it->second;
                if (glyph.coverage.empty())
                    continue;
                const double cellCentre = left + (static_cast<double>(j) + 0.5) * plan.mrzPitchMm;
                const cv::Point2d c = layers.px({cellCentre, baseline});
                const cv::Point topLeft(static_cast<int>(std::lround(c.x - glyph.coverage.cols / 2.0)),
                                        static_cast<int>(std::lround(c.y - glyph.penPx.y)));
                stamp(layers, glyph.coverage, topLeft, mrzInk);
            }
        }
        out.mrzPrint.font = std::string(fontName(plan.mrzFont));
        out.mrzPrint.pitchMm = plan.mrzPitchMm;
        out.mrzPrint.firstCharLeftMm = left;
        out.mrzPrint.lineCentreFromBottomMm = centres;
        out.mrzPrint.charHeightMm = capHeightMm;
        out.mrzPrint.irAbsorbing = plan.mrzIrAbsorbing;
        const double lineLength =
            plan.mrzLines.empty() ? 0 : static_cast<double>(plan.mrzLines.front().size());
        out.mrzBoxMm = {left, l.h - centres.front() - capHeightMm / 2, lineLength * plan.mrzPitchMm,
                        centres.front() - centres.back() + capHeightMm};

        if (plan.uvGlue)
            out.regionsMm["uv_glue"] = drawUvGlue(layers, l, rng);
        return out;
    } catch (const cv::Exception& e) {
        return gw::fail(gw::Errc::Internal,
                        std::string("OpenCV failed while drawing the document: ") + e.what());
    }
}

} // namespace gw::specimen
