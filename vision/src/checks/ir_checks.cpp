// SPDX-License-Identifier: Apache-2.0
// ir.mrz_absorbs (B900 MRZ, print contrast + IR read) and ir.viz_absorbs (personal data absorbs IR).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/imgproc.hpp>

#include <gw/vision/mrz.h>
#include <gw/vision/mrz_ocr.h>

#include "checks/optical_checks.h"
#include "core/mat_view.h"

namespace gw::vision::checks {
namespace {

constexpr const char* kMrzId = "ir.mrz_absorbs";
constexpr const char* kMrzTrId = "(IR,AB,MR)";
constexpr const char* kVizId = "ir.viz_absorbs";

/// The MRZ band is judged in segments of this many character cells: laminate glare is a smooth patch a
/// few centimetres wide, so some segments of every line stay clear of it.
constexpr int kSegmentCells = 6;
/// Resolution the visual zone is analysed at [px/mm]: value strokes (~0.3 mm) stay two pixels wide.
constexpr double kVizPxPerMm = 6.0;
/// Resolution the IR MRZ is read at [px/mm].
constexpr double kIrReadPxPerMm = 8.0;

std::string fixed(double v, int decimals)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

double percentileOf(std::vector<float>& v, double q)
{
    if (v.empty())
        return 0;
    const auto k = static_cast<std::size_t>(std::clamp(q, 0.0, 1.0) * static_cast<double>(v.size() - 1));
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
    return v[k];
}

// ---------------------------------------------------------------------------------------------------
// ir.mrz_absorbs

/// Print contrast of one stretch of an MRZ line under white light and under IR.
struct SegmentContrast {
    double pcsIr = 0;
    double pcsWhite = 0;
};

/// Grey-level histogram of 8-bit pixels, for percentiles without sorting.
struct Histogram {
    std::array<int, 256> bins{};
    int count = 0;
    void add(std::uint8_t v)
    {
        ++bins[v];
        ++count;
    }
    /// The grey level below which a share @p q of the pixels lie.
    [[nodiscard]] double percentile(double q) const
    {
        const double target = std::clamp(q, 0.0, 1.0) * count;
        int seen = 0;
        for (int v = 0; v < 256; ++v) {
            seen += bins[static_cast<std::size_t>(v)];
            if (seen > 0 && seen >= target)
                return v;
        }
        return 255;
    }
};

/// PCS = (R_L - R_D) / R_L (ISO 1831, used by ICAO 9303-3 for the B900 band) on one MRZ stretch. The ink
/// is located in white light (where the MRZ is always dark), so an MRZ that vanishes under IR is measured
/// where its characters are, not where the IR image happens to be dark. nullopt when white light shows
/// no print there (glare washed it out).
std::optional<SegmentContrast> segmentContrast(const cv::Mat& whiteGrey, const cv::Mat& ir)
{
    Histogram all;
    for (int y = 0; y < whiteGrey.rows; ++y) {
        const auto* p = whiteGrey.ptr<std::uint8_t>(y);
        for (int x = 0; x < whiteGrey.cols; ++x)
            all.add(p[x]);
    }
    const double paperW = all.percentile(0.85);
    const double inkW = all.percentile(0.04);
    if (paperW <= 1 || (paperW - inkW) / paperW < 0.25)
        return std::nullopt;
    // Ink cores: the darkest part of the strokes, clear of the blurred edges; paper: clearly light pixels.
    const double coreBelow = inkW + 0.25 * (paperW - inkW);
    const double paperAbove = inkW + 0.75 * (paperW - inkW);
    Histogram inkIr, paperIr, inkWhite, paperWhite;
    for (int y = 0; y < whiteGrey.rows; ++y) {
        const auto* p = whiteGrey.ptr<std::uint8_t>(y);
        const auto* q = ir.ptr<std::uint8_t>(y);
        for (int x = 0; x < whiteGrey.cols; ++x) {
            if (p[x] <= coreBelow) {
                inkIr.add(q[x]);
                inkWhite.add(p[x]);
            } else if (p[x] >= paperAbove) {
                paperIr.add(q[x]);
                paperWhite.add(p[x]);
            }
        }
    }
    const auto total = static_cast<double>(whiteGrey.total());
    if (inkIr.count < 0.01 * total || paperIr.count < 0.2 * total)
        return std::nullopt;
    const double lIr = paperIr.percentile(0.5);
    const double dIr = inkIr.percentile(0.5);
    const double lW = paperWhite.percentile(0.5);
    const double dW = inkWhite.percentile(0.5);
    if (lIr <= 1 || lW <= 1)
        return std::nullopt;
    return SegmentContrast{std::clamp((lIr - dIr) / lIr, -1.0, 1.0), std::clamp((lW - dW) / lW, -1.0, 1.0)};
}

/// The IR read of the MRZ against the white-light read, character by character where both are confident.
struct IrReadComparison {
    bool comparable = false;  ///< the IR read has the white read's lines and lengths
    int compared = 0;         ///< characters confident in both reads
    int mismatches = 0;       ///< of those, characters that differ
    int characters = 0;       ///< all characters of the white read
    double minSimilarity = 1; ///< lowest white/IR similarity of a cell read differently
    std::vector<RectMm> mismatchCells;
};

/// OCR-B look-alikes that the field type, not the glyph, tells apart (9303-3): the IR read is compared on
/// the glyph, so a letter and the digit it is mistaken for count as the same character.
char foldLookAlike(char c)
{
    const char digit = mrzDigitLookalike(c);
    return digit != '\0' ? digit : c;
}

/// Normalised cross-correlation of one character cell in white light (grey) and in IR: 1 for the same
/// glyph whatever the gain and offset of each light, low for different glyphs.
double cellSimilarity(const cv::Mat& whiteBgr, const cv::Mat& ir)
{
    if (whiteBgr.empty() || whiteBgr.size() != ir.size())
        return 1.0;
    cv::Mat grey, a, b;
    cv::cvtColor(whiteBgr, grey, cv::COLOR_BGR2GRAY);
    grey.convertTo(a, CV_32F);
    ir.convertTo(b, CV_32F);
    cv::Scalar ma, sa, mb, sb;
    cv::meanStdDev(a, ma, sa);
    cv::meanStdDev(b, mb, sb);
    if (sa[0] <= 1e-6 || sb[0] <= 1e-6)
        return 0.0;
    const double cov = cv::mean((a - ma[0]).mul(b - mb[0]))[0];
    return cov / (sa[0] * sb[0]);
}

IrReadComparison compareIrRead(const CheckContext& ctx, double minConfidence, double maxSimilarity)
{
    IrReadComparison out;
    const MrzRead& mrz = *ctx.mrz;
    for (const auto& l : mrz.ocrLines)
        out.characters += static_cast<int>(l.size());
    const cv::Rect band = toPixels(ctx.zones.mrz, ctx.pixelsPerMm, ctx.ir.size());
    if (band.width < 32 || band.height < 16 || mrz.ocrLines.empty())
        return out;
    // OCR-B reads as well at 8 px/mm (200 dpi) as at 12 and in half the time.
    const double scale = std::min(1.0, kIrReadPxPerMm / ctx.pixelsPerMm);
    cv::Mat crop = ctx.ir(band);
    if (scale < 1.0)
        cv::resize(ctx.ir(band), crop, cv::Size(), scale, scale, cv::INTER_AREA);
    MrzOcrOptions options;
    options.pixelsPerMm = ctx.pixelsPerMm * scale;
    options.expectedLineLength = static_cast<int>(mrz.ocrLines.front().size());
    auto lines = readMrzBand(viewOf(crop), options);
    if (!lines || lines->size() != mrz.ocrLines.size())
        return out;
    for (std::size_t i = 0; i < lines->size(); ++i)
        if ((*lines)[i].chars.size() != mrz.ocrLines[i].size())
            return out;
    out.comparable = true;
    for (std::size_t i = 0; i < lines->size(); ++i) {
        const auto& irLine = (*lines)[i];
        const auto& conf = i < mrz.confidences.size() ? mrz.confidences[i] : std::vector<float>{};
        for (std::size_t j = 0; j < irLine.chars.size(); ++j) {
            const CharRead& c = irLine.chars[j];
            const double whiteConf = j < conf.size() ? conf[j] : 0.0;
            if (c.confidence < minConfidence || whiteConf < minConfidence)
                continue;
            ++out.compared;
            if (foldLookAlike(c.best) == foldLookAlike(mrz.ocrLines[i][j]))
                continue;
            const cv::Rect cell = cv::Rect(band.x + static_cast<int>(std::lround(c.box.x / scale)),
                                           band.y + static_cast<int>(std::lround(c.box.y / scale)),
                                           static_cast<int>(std::lround(c.box.width / scale)),
                                           static_cast<int>(std::lround(c.box.height / scale))) &
                                  cv::Rect(0, 0, ctx.ir.cols, ctx.ir.rows);
            // A character altered over B900 print shows another glyph in IR than in white light; a misread
            // shows the same glyph in both. Only the former counts.
            const double similarity = cellSimilarity(ctx.white(cell), ctx.ir(cell));
            out.minSimilarity = std::min(out.minSimilarity, similarity);
            if (similarity < maxSimilarity) {
                ++out.mismatches;
                out.mismatchCells.push_back(toMm(cell, ctx.pixelsPerMm));
            }
        }
    }
    return out;
}

} // namespace

CheckOutcome checkIrMrzAbsorbs(const CheckContext& ctx)
{
    if (ctx.ir.empty())
        return notSupported(kMrzId, kMrzTrId, "infrared", "infrarood");
    CheckOutcome c;
    c.id = kMrzId;
    c.tr03135Id = kMrzTrId;
    if (!ctx.mrz || ctx.mrz->lineRegions.empty()) {
        c.result = CheckResult::Undetermined;
        c.reason = {"Not checked: the MRZ could not be read, so its infrared print could not be located.",
                    "Niet gecontroleerd: de MRZ kon niet worden gelezen, dus de infraroodopdruk is niet "
                    "gevonden."};
        return c;
    }
    const double pcsMin = ctx.threshold("ir.mrz_absorbs.pcs_min");
    const double pcsFail = ctx.threshold("ir.mrz_absorbs.pcs_fail");
    const double minConfidence = ctx.threshold("ir.mrz_absorbs.ocr_min_confidence");
    const double maxMismatches = ctx.threshold("ir.mrz_absorbs.max_mismatches");
    const double ppm = ctx.pixelsPerMm;

    // Per line, the contrast that most of the line's clear stretches reach: a glare patch lowers the
    // stretches under it, a reprinted MRZ lowers all of them.
    double pcsIr = 1e9, pcsWhite = 1e9;
    int segmentsJudged = 0, linesJudged = 0;
    for (const RectMm& line : ctx.mrz->lineRegions) {
        const RectMm padded{line.x, line.y - 0.3, line.width, line.height + 0.6};
        const cv::Rect px = toPixels(padded, ppm, ctx.white.size());
        const int cellPx = std::max(4, static_cast<int>(std::lround(2.54 * ppm)));
        const int segPx = kSegmentCells * cellPx;
        std::vector<float> ir, white;
        for (int x0 = px.x; x0 + segPx / 2 <= px.x + px.width; x0 += segPx) {
            const cv::Rect seg = cv::Rect(x0, px.y, segPx, px.height) & px;
            if (seg.width < cellPx || seg.height < 4)
                continue;
            cv::Mat whiteGrey;
            cv::cvtColor(ctx.white(seg), whiteGrey, cv::COLOR_BGR2GRAY);
            if (auto s = segmentContrast(whiteGrey, ctx.ir(seg))) {
                ir.push_back(static_cast<float>(s->pcsIr));
                white.push_back(static_cast<float>(s->pcsWhite));
            }
        }
        if (ir.size() < 2)
            continue;
        segmentsJudged += static_cast<int>(ir.size());
        ++linesJudged;
        pcsIr = std::min(pcsIr, percentileOf(ir, 0.75));
        pcsWhite = std::min(pcsWhite, percentileOf(white, 0.75));
    }
    const RectMm mrzBox = boundingBox(ctx.mrz->lineRegions);
    c.regions = {mrzBox};
    if (linesJudged < static_cast<int>(ctx.mrz->lineRegions.size())) {
        c.result = CheckResult::Undetermined;
        c.measured = {{"segments", segmentsJudged}};
        c.reason = {
            "Not decided: glare hides the MRZ print, so its infrared contrast could not be measured.",
            "Niet beslist: door schittering is de MRZ-opdruk niet goed te zien, dus het contrast onder "
            "infrarood kon niet worden gemeten."};
        return c;
    }

    const IrReadComparison read =
        compareIrRead(ctx, minConfidence, ctx.threshold("ir.mrz_absorbs.altered_cell_similarity_max"));
    const double agreement =
        read.compared > 0 ? 1.0 - static_cast<double>(read.mismatches) / read.compared : 0;
    c.measured = {{"pcs_ir", pcsIr},
                  {"pcs_white", pcsWhite},
                  {"segments", segmentsJudged},
                  {"ir_read_compared", read.compared},
                  {"ir_read_mismatches", read.mismatches},
                  {"ir_read_agreement", agreement},
                  {"ir_read_min_similarity", read.minSimilarity}};
    c.margin = marginOf(pcsIr, pcsFail, std::max(0.05, pcsMin - pcsFail), true);
    // The IR read confirms the MRZ when it covers most characters: then the print is plainly dark in IR.
    const bool readConfirms =
        read.comparable && read.compared >= read.characters / 2 && read.mismatches <= maxMismatches;

    if (pcsIr < pcsFail) {
        c.result = CheckResult::Failed;
        c.reason = {"The MRZ fades under infrared light (print contrast " + fixed(pcsIr, 2) + ", at least " +
                        fixed(pcsMin, 2) +
                        " required): it was not printed with the IR-absorbing ink of a genuine document.",
                    "De MRZ verdwijnt onder infrarood licht (printcontrast " + fixed(pcsIr, 2) +
                        ", minimaal " + fixed(pcsMin, 2) +
                        " vereist): hij is niet gedrukt met de IR-absorberende inkt van een echt document."};
        return c;
    }
    if (read.comparable && read.mismatches > maxMismatches) {
        c.result = CheckResult::Failed;
        c.margin = std::min(c.margin, -0.5);
        c.regions = read.mismatchCells;
        c.regions.push_back(mrzBox);
        c.reason = {"The MRZ reads differently under infrared light (" + std::to_string(read.mismatches) +
                        " characters): characters were changed with ink that does not absorb infrared.",
                    "De MRZ leest anders onder infrarood licht (" + std::to_string(read.mismatches) +
                        " tekens): er zijn tekens veranderd met inkt die geen infrarood absorbeert."};
        return c;
    }
    if (pcsIr < pcsMin && !readConfirms) {
        c.result = CheckResult::Undetermined;
        c.reason = {"Not decided: the MRZ is only faint under infrared light (print contrast " +
                        fixed(pcsIr, 2) + ") and could not be read there; look at the infrared image.",
                    "Niet beslist: de MRZ is onder infrarood licht maar zwak zichtbaar (printcontrast " +
                        fixed(pcsIr, 2) + ") en daar niet leesbaar; bekijk het infraroodbeeld."};
        return c;
    }
    c.result = CheckResult::Successful;
    c.reason = {"The MRZ stays dark under infrared light (print contrast " + fixed(pcsIr, 2) + ").",
                "De MRZ blijft donker onder infrarood licht (printcontrast " + fixed(pcsIr, 2) + ")."};
    return c;
}

// ---------------------------------------------------------------------------------------------------
// ir.viz_absorbs

namespace {

/// One word-like group of personal-data print in the visual zone.
struct InkBlob {
    cv::Rect box; ///< [px] in the analysis image
    std::vector<float> darkWhite, darkIr;
};

} // namespace

CheckOutcome checkIrVizAbsorbs(const CheckContext& ctx)
{
    if (ctx.ir.empty())
        return notSupported(kVizId, "", "infrared", "infrarood");
    CheckOutcome c;
    c.id = kVizId;
    const double darkMin = ctx.threshold("ir.viz_absorbs.ink_darkness_min");
    const double chromaMax = ctx.threshold("ir.viz_absorbs.ink_chroma_max");
    const double ratioMin = ctx.threshold("ir.viz_absorbs.ir_ratio_min");

    const cv::Rect roi = toPixels(ctx.zones.viz, ctx.pixelsPerMm, ctx.white.size());
    if (roi.width < 16 || roi.height < 16) {
        c.result = CheckResult::Undetermined;
        c.reason = {"Not checked: the visual zone was not found on the page.",
                    "Niet gecontroleerd: de visuele zone is niet gevonden op de pagina."};
        return c;
    }
    const double scale = std::min(1.0, kVizPxPerMm / ctx.pixelsPerMm);
    const double s = ctx.pixelsPerMm * scale; // [px/mm] of the analysis images
    cv::Mat white, ir;
    cv::resize(ctx.white(roi), white, cv::Size(), scale, scale, cv::INTER_AREA);
    cv::resize(ctx.ir(roi), ir, cv::Size(), scale, scale, cv::INTER_AREA);
    cv::Mat grey;
    cv::cvtColor(white, grey, cv::COLOR_BGR2GRAY);
    // The local paper level under each light: a closing wider than any stroke of the personal data removes
    // the print and keeps gradients, vignetting and glare, so darkness is relative to the paper around it.
    const int k = std::max(3, static_cast<int>(std::lround(1.2 * s)) | 1);
    const cv::Mat kernel = cv::getStructuringElement(cv::MORPH_RECT, cv::Size(k, k));
    cv::Mat paperW, paperIr;
    cv::morphologyEx(grey, paperW, cv::MORPH_CLOSE, kernel);
    cv::morphologyEx(ir, paperIr, cv::MORPH_CLOSE, kernel);

    // Personal data is dark and neutral (black toner, laser engraving, black inkjet); the pre-printed
    // background, captions and security print are coloured or light. Chroma is taken relative to the
    // darkness so that contrast and illumination changes do not move the decision.
    cv::Mat ink(grey.size(), CV_8UC1, cv::Scalar(0));
    cv::Mat darkW(grey.size(), CV_32F), darkIr(grey.size(), CV_32F);
    for (int y = 0; y < grey.rows; ++y) {
        const auto* g = grey.ptr<std::uint8_t>(y);
        const auto* bgr = white.ptr<std::uint8_t>(y);
        const auto* pw = paperW.ptr<std::uint8_t>(y);
        const auto* q = ir.ptr<std::uint8_t>(y);
        const auto* pi = paperIr.ptr<std::uint8_t>(y);
        auto* m = ink.ptr<std::uint8_t>(y);
        auto* dw = darkW.ptr<float>(y);
        auto* di = darkIr.ptr<float>(y);
        for (int x = 0; x < grey.cols; ++x) {
            const double depth = pw[x] - g[x];
            dw[x] = static_cast<float>(depth / std::max<int>(pw[x], 1));
            di[x] = static_cast<float>((pi[x] - q[x]) / static_cast<double>(std::max<int>(pi[x], 1)));
            if (dw[x] < darkMin)
                continue;
            const int b = bgr[3 * x], gg = bgr[3 * x + 1], r = bgr[3 * x + 2];
            const int chroma = std::max({b, gg, r}) - std::min({b, gg, r});
            if (chroma <= chromaMax * depth)
                m[x] = 255;
        }
    }
    // Join the characters of one field value into a word; keep lines apart (captions sit just above).
    cv::Mat words;
    const int join = std::max(3, static_cast<int>(std::lround(0.9 * s)) | 1);
    cv::dilate(ink, words, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(join, 1)));
    cv::Mat labels, stats, centroids;
    const int n = cv::connectedComponentsWithStats(words, labels, stats, centroids, 8, CV_32S);
    std::vector<InkBlob> blobs(static_cast<std::size_t>(std::max(0, n)));
    for (int i = 1; i < n; ++i)
        blobs[static_cast<std::size_t>(i)].box =
            cv::Rect(stats.at<int>(i, cv::CC_STAT_LEFT), stats.at<int>(i, cv::CC_STAT_TOP),
                     stats.at<int>(i, cv::CC_STAT_WIDTH), stats.at<int>(i, cv::CC_STAT_HEIGHT));
    for (int y = 0; y < grey.rows; ++y) {
        const auto* m = ink.ptr<std::uint8_t>(y);
        const auto* l = labels.ptr<int>(y);
        const auto* dw = darkW.ptr<float>(y);
        const auto* di = darkIr.ptr<float>(y);
        for (int x = 0; x < grey.cols; ++x)
            if (m[x] && l[x] > 0) {
                auto& b = blobs[static_cast<std::size_t>(l[x])];
                b.darkWhite.push_back(dw[x]);
                b.darkIr.push_back(di[x]);
            }
    }

    // Text-like groups only: a printed value is 1-5 mm high; a portrait edge or a tall graphic is not.
    const auto minPixels = static_cast<std::size_t>(std::max(6.0, 0.8 * s * s));
    double minRatio = 1e9, sumRatio = 0;
    int judged = 0, weak = 0;
    std::vector<RectMm> weakRegions;
    RectMm weakest;
    for (auto& b : blobs) {
        const double hMm = b.box.height / s;
        if (b.darkWhite.size() < minPixels || hMm < 0.8 || hMm > 5.0)
            continue;
        const double dW = percentileOf(b.darkWhite, 0.5);
        const double dI = percentileOf(b.darkIr, 0.5);
        if (dW <= 0)
            continue;
        const double ratio = dI / dW;
        ++judged;
        sumRatio += ratio;
        const cv::Rect boxPx(roi.x + static_cast<int>(std::lround(b.box.x / scale)),
                             roi.y + static_cast<int>(std::lround(b.box.y / scale)),
                             static_cast<int>(std::lround(b.box.width / scale)),
                             static_cast<int>(std::lround(b.box.height / scale)));
        const RectMm boxMm = toMm(boxPx, ctx.pixelsPerMm);
        if (ratio < minRatio) {
            minRatio = ratio;
            weakest = boxMm;
        }
        if (ratio < ratioMin) {
            ++weak;
            weakRegions.push_back(boxMm);
        }
    }
    if (judged == 0) {
        c.result = CheckResult::Undetermined;
        c.measured = {{"groups", 0}};
        c.regions = {ctx.zones.viz};
        c.reason = {"Not decided: no dark personal-data print was found in the visual zone.",
                    "Niet beslist: in de visuele zone is geen donkere opdruk van persoonsgegevens gevonden."};
        return c;
    }
    c.measured = {{"groups", judged},
                  {"weak_groups", weak},
                  {"ir_ratio_min", minRatio},
                  {"ir_ratio_mean", sumRatio / judged}};
    c.margin = marginOf(minRatio, ratioMin, std::max(0.05, 1.0 - ratioMin), true);
    if (weak > 0) {
        c.result = CheckResult::Failed;
        c.regions = weakRegions;
        c.reason = {weak == judged
                        ? "The personal data vanishes under infrared light: it was printed with a dye that a "
                          "genuine document does not use."
                        : "Part of the personal data vanishes under infrared light: that text was added or "
                          "altered after the document was issued.",
                    weak == judged
                        ? "De persoonsgegevens verdwijnen onder infrarood licht: ze zijn gedrukt met een "
                          "inkt die een echt document niet gebruikt."
                        : "Een deel van de persoonsgegevens verdwijnt onder infrarood licht: die tekst is na "
                          "uitgifte toegevoegd of veranderd."};
        return c;
    }
    c.result = CheckResult::Successful;
    c.regions = {weakest};
    c.reason = {"The personal data stays dark under infrared light.",
                "De persoonsgegevens blijven donker onder infrarood licht."};
    return c;
}

} // namespace gw::vision::checks
