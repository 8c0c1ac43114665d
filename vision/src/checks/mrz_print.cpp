// SPDX-License-Identifier: Apache-2.0
// mrz.print: the MRZ is printed in OCR-B at the ICAO 9303 pitch, line spacing, skew and page position.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "checks/optical_checks.h"
#include "ocr/line_segmenter.h"

namespace gw::vision::checks {
namespace {

constexpr double kPitchMm = 2.54; // 9303-3: ten characters per inch
constexpr double kRadToDeg = 180.0 / 3.14159265358979323846;

/// Where ICAO 9303 parts 4-7 put the MRZ: nominal page size, first character cell from the left edge,
/// line centres from the bottom edge (top line first).
struct Placement {
    double widthMm;
    double heightMm;
    double firstCharLeftMm;
    std::array<double, 3> centreFromBottomMm;
};

Placement placementOf(MrzFormat f)
{
    switch (f) {
    case MrzFormat::TD1: // three lines at 4.23 mm (6 lines per inch)
        return {85.60, 53.98, 5.0, {13.12, 8.89, 4.66}};
    case MrzFormat::TD2:
        return {105.0, 74.0, 4.0, {15.75, 9.40, 0}};
    case MrzFormat::MRVA:
        return {120.0, 80.0, 4.0, {15.75, 9.40, 0}};
    case MrzFormat::MRVB:
        return {105.0, 74.0, 4.0, {15.75, 9.40, 0}};
    case MrzFormat::TD3:
        break;
    }
    return {125.0, 88.0, 6.0, {15.75, 9.40, 0}};
}

/// Whether the page's size in millimetres was measured (a calibrated capture) rather than assumed. Without
/// a calibrated resolution the reader sets the page to the format's nominal width exactly and derives the
/// height from the page's aspect, so pitch and position would only restate that guess. A calibrated
/// capture can land exactly on the nominal width too: the page finder locates the edges of an upright page
/// on a 0.5 mm grid (2 px/mm), so such a page often measures exactly 120.0 or 125.0 mm wide (14 of 646
/// calibrated captures), and then its height lies on that grid as well (73.5 or 80.0 mm). An assumed
/// width gives a height of nominal width x aspect, which falls on the grid only by chance; then the
/// page's own aspect still places the MRZ, only its absolute size is assumed.
/// (The reader could say which it was; until it does, this is the evidence.)
bool scaleWasMeasured(const DocumentGeometry& g, const Placement& nominal)
{
    constexpr double kExactMm = 1e-6;
    constexpr double kGridMm = 0.5;    // document_locator.cpp: kCoarsePxPerMm = 2
    constexpr double kOnGridMm = 1e-4; // float rounding of the edge fit, far below a grid step
    if (std::abs(g.widthMm - nominal.widthMm) > kExactMm)
        return true;
    const double steps = g.heightMm / kGridMm;
    return std::abs(steps - std::round(steps)) * kGridMm <= kOnGridMm;
}

/// Characters per MRZ line of each format (9303 parts 4-7).
int lineLengthOf(MrzFormat f)
{
    switch (f) {
    case MrzFormat::TD1:
        return 30;
    case MrzFormat::TD2:
    case MrzFormat::MRVB:
        return 36;
    case MrzFormat::TD3:
    case MrzFormat::MRVA:
        break;
    }
    return 44;
}

/// One MRZ line as re-measured on the normalised white image.
struct LineFit {
    int count = 0;            ///< cells of the fitted lattice
    double pitchMm = 0;       ///< first to last cell centre over (count - 1)
    double leftMm = 0;        ///< left edge of the first cell from the page's left edge
    double centreYMm = 0;     ///< glyph centre line at the line's middle, from the page's top edge
    double skewDeg = 0;       ///< of the centre line against the page's horizontal
    std::vector<float> pTrue; ///< the reader's probability of the character the record holds in each cell
    std::vector<float> pBest; ///< classifier probability of its own best reading of each cell
    std::vector<RectMm> cells;
    RectMm region;
};

/// Ink maps of a page area of the white image, deskewed, with the map back to document millimetres.
struct AreaInk {
    ocr::InkMaps maps;
    cv::Matx23d toInput;
    cv::Point origin; ///< [px] of the crop on the normalised image
    double ppm = 0;

    [[nodiscard]] cv::Point2d toDoc(double x, double y) const
    {
        return {(toInput(0, 0) * x + toInput(0, 1) * y + toInput(0, 2) + origin.x) / ppm,
                (toInput(1, 0) * x + toInput(1, 1) * y + toInput(1, 2) + origin.y) / ppm};
    }
};

/// @p source: the white image (BGR) or the infrared one (grey), which share one geometry.
std::optional<AreaInk> inkOf(const CheckContext& ctx, const cv::Mat& source, const RectMm& area)
{
    const cv::Rect px = toPixels(area, ctx.pixelsPerMm, source.size());
    if (px.width < 16 || px.height < 8)
        return std::nullopt;
    cv::Mat gray;
    if (source.channels() == 1)
        gray = source(px);
    else
        cv::cvtColor(source(px), gray, cv::COLOR_BGR2GRAY);
    AreaInk a;
    a.maps = ocr::computeInkUpright(gray, a.toInput);
    a.origin = px.tl();
    a.ppm = ctx.pixelsPerMm;
    return a;
}

/// The text row of @p area with the most ink: the MRZ line, where a neighbouring line or microprint may
/// show at the crop's edge. std::nullopt when the area holds no text row.
std::optional<cv::Range> inkiestRow(const AreaInk& area)
{
    std::optional<cv::Range> best;
    double bestInk = -1;
    for (const auto& r : ocr::findLineRows(area.maps)) {
        const double ink = cv::sum(area.maps.mask.rowRange(r))[0];
        if (ink > bestInk) {
            bestInk = ink;
            best = r;
        }
    }
    return best;
}

/// The image the reader read from: it falls back to infrared when glare spoils the white image.
const cv::Mat& readSource(const CheckContext& ctx)
{
    return ctx.mrz && ctx.mrz->light == Light::Infrared && !ctx.ir.empty() ? ctx.ir : ctx.white;
}

/// Fits the cell lattice of the line in @p rows of @p area; with @p classify, pBest holds the classifier's
/// probability of its own best reading of each cell.
std::optional<LineFit> measureLine(const AreaInk& area, cv::Range rows, int expectedLength, bool classify)
{
    MrzOcrOptions options;
    options.pixelsPerMm = area.ppm;
    options.expectedLineLength = expectedLength;
    ocr::LineGeometry geo = ocr::fitLine(area.maps, rows, options);
    // A lattice of another length means the read does not match these cells (a misread, or a reprint at a
    // pitch the reader's hint did not expect): the geometry can still be measured.
    if (geo.count != expectedLength && expectedLength > 0) {
        options.expectedLineLength = 0;
        geo = ocr::fitLine(area.maps, rows, options);
    }
    if (geo.count < 2 || !(geo.charHeight > 0))
        return std::nullopt;
    const double ppm = area.ppm;
    const double x0 = geo.centres.front();
    const double x1 = geo.centres.back();
    const cv::Point2d first = area.toDoc(x0, geo.yAtZero + geo.slope * x0);
    const cv::Point2d last = area.toDoc(x1, geo.yAtZero + geo.slope * x1);
    LineFit fit;
    fit.count = geo.count;
    fit.pitchMm = cv::norm(last - first) / (geo.count - 1);
    fit.leftMm = first.x - fit.pitchMm / 2;
    fit.centreYMm = (first.y + last.y) / 2;
    fit.skewDeg = std::atan2(last.y - first.y, last.x - first.x) * kRadToDeg;
    const double heightMm = 1.3 * geo.charHeight / ppm;
    fit.region = {fit.leftMm, fit.centreYMm - heightMm / 2, fit.pitchMm * geo.count, heightMm};

    for (int k = 0; k < geo.count; ++k) {
        const auto x = static_cast<double>(geo.centres[static_cast<std::size_t>(k)]);
        const double w = geo.pitches[static_cast<std::size_t>(k)] / ppm;
        const cv::Point2d c = area.toDoc(x, geo.yAtZero + geo.slope * x);
        fit.cells.push_back({c.x - w / 2, c.y - heightMm / 2, w, heightMm});
    }
    if (!classify)
        return fit;
    ocr::GlyphFeatures features{};
    fit.pBest.reserve(static_cast<std::size_t>(geo.count));
    for (int k = 0; k < geo.count; ++k) {
        cv::Rect cell;
        ocr::cellFeatures(area.maps, geo, k, features, cell);
        auto probs = ocr::classifyGlyph(features);
        if (!probs)
            return std::nullopt;
        fit.pBest.push_back(*std::max_element(probs->begin(), probs->end()));
    }
    return fit;
}

/// Re-segments one MRZ line (the reader's region plus a margin) with the OCR-B recogniser's own lattice fit,
/// so that the cells line up with the characters of the parsed record.
std::optional<LineFit> fitMrzLine(const CheckContext& ctx, const RectMm& lineMm, const std::string& text)
{
    if (text.size() < 2)
        return std::nullopt;
    const RectMm search{lineMm.x - 1.5, lineMm.y - 0.35 * lineMm.height, lineMm.width + 3.0,
                        lineMm.height * 1.7};
    // The reader falls back to the infrared image when glare spoils the white one: measure where it read.
    const auto area = inkOf(ctx, readSource(ctx), search);
    if (!area)
        return std::nullopt;
    const auto best = inkiestRow(*area);
    if (!best)
        return std::nullopt;
    auto fit = measureLine(*area, *best, static_cast<int>(text.size()), false);
    // A lattice that starts a cell away from the reader's (a speck, or a glare-eaten first character) holds
    // other characters than the record and mis-states the position: such a line is not measured.
    if (fit && std::abs(fit->leftMm - lineMm.x) > 0.5 * kPitchMm)
        return std::nullopt;
    return fit;
}

/// The lines the reader found, re-fitted across the whole page width with the page format's cell count:
/// a misread can cut a line short or give it the wrong length, but its row is still the MRZ line's.
std::vector<LineFit> refitReadLines(const CheckContext& ctx, double pageWidthMm, int lineLength)
{
    std::vector<LineFit> fits;
    for (const auto& lineMm : ctx.mrz->lineRegions) {
        const RectMm search{1.0, lineMm.y - 0.35 * lineMm.height, pageWidthMm - 2.0, lineMm.height * 1.7};
        const auto area = inkOf(ctx, readSource(ctx), search);
        if (!area)
            return {};
        const auto best = inkiestRow(*area);
        if (!best)
            return {};
        auto f = measureLine(*area, *best, lineLength, true);
        if (!f)
            return {};
        fits.push_back(std::move(*f));
    }
    return fits;
}

/// The MRZ-like lines of the MRZ zone when the reader gave no usable lines: text lines whose lattice has
/// the format's number of cells. Their glyphs are judged by the classifier's own best reading.
std::vector<LineFit> scanMrzZone(const CheckContext& ctx, const RectMm& zone, int lineLength)
{
    std::vector<LineFit> fits;
    const auto area = inkOf(ctx, ctx.white, zone);
    if (!area)
        return fits;
    for (const auto& r : ocr::findLineRows(area->maps)) {
        auto f = measureLine(*area, r, lineLength, true);
        if (f && f->count == lineLength)
            fits.push_back(std::move(*f));
    }
    return fits;
}

/// "2.41" in English, "2,41" in Dutch.
std::string number(double v, int decimals, bool dutch)
{
    std::array<char, 32> buf{};
    std::snprintf(buf.data(), buf.size(), "%.*f", decimals, v);
    std::string s(buf.data());
    if (dutch)
        std::replace(s.begin(), s.end(), '.', ',');
    return s;
}

/// One finding of the check: its margin, and the sentence for the officer when it fails.
struct Finding {
    double margin = 1;
    Reason failure;
};

/// Share of cells whose probability lies below @p minProbability, with the least OCR-B-like cells.
struct GlyphEvidence {
    int cells = 0;
    int unlike = 0;
    int washedOut = 0; ///< cells left out: glare took their contrast
    double meanLogP = 0;
    std::vector<std::pair<float, RectMm>> worst;
};

// Ink contrast of a cell of @p grey: its 95th less its 5th percentile of grey.
double cellContrast(const cv::Mat& grey, const RectMm& cell, double pixelsPerMm)
{
    const cv::Rect px = toPixels(cell, pixelsPerMm, grey.size());
    if (px.width < 2 || px.height < 2)
        return 0;
    return greyAtPercent(grey(px), 95) - greyAtPercent(grey(px), 5);
}

// Cells whose glyph glare washed out (ink contrast below @p washedOut times the MRZ's median) are left out:
// the classifier finds them unlike OCR-B whatever the font (a genuine TD3 under strong glare showed 10 % of
// its characters unlike), while a foreign font shows on the cells glare left alone.
GlyphEvidence glyphEvidence(const std::vector<LineFit>& fits, bool ofRead, double minProbability,
                            const cv::Mat& grey, double pixelsPerMm, double washedOut)
{
    GlyphEvidence e;
    std::vector<std::vector<double>> contrast;
    std::vector<double> all;
    for (const auto& f : fits) {
        auto& c = contrast.emplace_back();
        for (const auto& cell : f.cells) {
            c.push_back(cellContrast(grey, cell, pixelsPerMm));
            all.push_back(c.back());
        }
    }
    double median = 0;
    if (!all.empty()) {
        auto mid = all.begin() + static_cast<std::ptrdiff_t>(all.size() / 2);
        std::ranges::nth_element(all, mid);
        median = *mid;
    }
    double logP = 0;
    for (std::size_t i = 0; i < fits.size(); ++i) {
        const auto& f = fits[i];
        const auto& p = ofRead ? f.pTrue : f.pBest;
        for (std::size_t k = 0; k < p.size() && k < f.cells.size(); ++k) {
            if (contrast[i][k] < washedOut * median) {
                ++e.washedOut;
                continue;
            }
            ++e.cells;
            logP += std::log(std::max(1e-4, static_cast<double>(p[k])));
            if (p[k] < minProbability) {
                ++e.unlike;
                e.worst.emplace_back(p[k], f.cells[k]);
            }
        }
    }
    e.meanLogP = logP / std::max(1, e.cells);
    std::sort(e.worst.begin(), e.worst.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    return e;
}

} // namespace

CheckOutcome checkMrzPrint(const CheckContext& ctx)
{
    CheckOutcome c;
    c.id = "mrz.print";
    c.result = CheckResult::Undetermined;
    const bool haveRead = ctx.mrz && !ctx.mrz->record.lines.empty() &&
                          ctx.mrz->lineRegions.size() == ctx.mrz->record.lines.size();
    const std::optional<MrzFormat> format = haveRead ? std::optional(ctx.mrz->record.format) : ctx.format;
    if (!format) {
        c.reason = {"The MRZ print was not checked: the MRZ could not be read.",
                    "De druk van de MRZ is niet gecontroleerd: de MRZ kon niet worden gelezen."};
        return c;
    }

    // The lines the reader found, re-measured so that cell k holds character k of the record.
    // A line that cannot be measured (or whose cells disagree with the reader's) is left out; the others
    // still speak for the print's position, each against its own nominal place.
    std::vector<LineFit> fits;
    std::vector<std::size_t> lineOf; // index in the record of each fit
    bool allLines = false;
    if (haveRead) {
        const MrzRecord& record = ctx.mrz->record;
        for (std::size_t i = 0; i < record.lines.size(); ++i) {
            auto f = fitMrzLine(ctx, ctx.mrz->lineRegions[i], record.lines[i]);
            if (!f)
                continue;
            fits.push_back(std::move(*f));
            lineOf.push_back(i);
        }
        allLines = fits.size() == record.lines.size();
        // The reader's own classifier output, per character, where its cells are the ones re-measured here:
        // where the record holds the character it read, its probability; where the parser replaced a
        // look-alike, at most the rest of the probability mass.
        for (std::size_t j = 0; j < fits.size() && allLines; ++j) {
            const std::size_t i = lineOf[j];
            const std::string& rec = record.lines[i];
            if (i >= ctx.mrz->ocrLines.size() || i >= ctx.mrz->confidences.size())
                break;
            const std::string& ocr = ctx.mrz->ocrLines[i];
            const auto& conf = ctx.mrz->confidences[i];
            if (fits[j].count != static_cast<int>(rec.size()) || ocr.size() != rec.size() ||
                conf.size() != rec.size())
                continue;
            for (std::size_t k = 0; k < rec.size(); ++k)
                fits[j].pTrue.push_back(ocr[k] == rec[k] ? conf[k] : std::min(conf[k], 1.0F - conf[k]));
        }
    }

    // Geometry: needs a page edge and a measured scale. Without a calibrated resolution the reader scales
    // the page to the format's nominal width exactly, so pitch and position would only restate that guess.
    const Placement pl = placementOf(*format);
    const DocumentGeometry& g = *ctx.geometry;
    const bool scaleMeasured = scaleWasMeasured(g, pl);
    const double sizeTol = ctx.threshold("mrz.print.page_size_tolerance");
    const bool pageMatches =
        std::abs(g.widthMm / pl.widthMm - 1) <= sizeTol && std::abs(g.heightMm / pl.heightMm - 1) <= sizeTol;
    const bool pageMeasured = g.pageFound && scaleMeasured && pageMatches;
    // A misread can give the record another format than the page has (a TD3 read as 2 x 36): then the
    // measured page says how many cells the lines must have.
    std::optional<MrzFormat> scanFormat;
    if (pageMeasured) {
        scanFormat = format;
    } else if (g.pageFound) {
        const auto sized = formatFromSize(g.widthMm, g.heightMm);
        if (sized) {
            const Placement sp = placementOf(*sized);
            if (scaleWasMeasured(g, sp) && std::abs(g.widthMm / sp.widthMm - 1) <= sizeTol &&
                std::abs(g.heightMm / sp.heightMm - 1) <= sizeTol)
                scanFormat = sized;
        }
    }
    // A record of another format than the measured page (a TD3 reprinted at a wider pitch reads as 2 x 36
    // when its line runs off the page) is placed by the page: pitch and line heights do not depend on
    // which characters were read. The left margin does (a partial read starts elsewhere): not judged then.
    const bool byPageFormat = !pageMeasured && scanFormat && haveRead &&
                              ctx.mrz->record.lines.size() == (*scanFormat == MrzFormat::TD1 ? 3U : 2U);
    const bool geometryJudged = (pageMeasured || byPageFormat) && !fits.empty();
    const Placement gp = byPageFormat ? placementOf(*scanFormat) : pl;

    // Font: our OCR-B classifier was trained on OCR-B alone, so it gives a character printed in another
    // monospace font a low probability of being the character the (check-digit-valid) MRZ says it is. The
    // reader already classified every cell: its probabilities are used, not recomputed. Judged on a
    // calibrated scanner capture of a whole page (where an OCR-B MRZ reads cleanly: genuine captures show at
    // most 4.6 % of characters below 0.9 even under glare and blur), or on any image whose check digits
    // all hold. A photo of unknown scale with a doubtful read is not judged: there, low probabilities
    // come from the photo (web resolution, perspective) as much as from the print.
    // (A record whose format disagrees with the measured page is not trusted: it was misread.)
    const bool readTrusted =
        haveRead && ((pageMeasured && !fits.empty()) || ctx.mrz->record.checkDigitsValid());
    const bool fontByRead = readTrusted && allLines &&
                            std::ranges::all_of(fits, [](const LineFit& f) { return !f.pTrue.empty(); });
    // Otherwise, on a calibrated capture of the whole page, the glyphs of MRZ-like lines (the format's line
    // and cell count at 2.54 mm) are judged by the classifier's own best reading: OCR-B, even blurred or
    // under glare, is recognised with confidence on nearly every cell whatever was read; another font
    // leaves many cells without a confident class. This needs no read, so a foreign font the reader could
    // not read or misread is still judged.
    std::vector<LineFit> scanned;
    const auto mrzLikeOf = [&](const std::vector<LineFit>& lines, MrzFormat f) {
        const std::size_t n = f == MrzFormat::TD1 ? 3 : 2;
        return lines.size() == n && std::ranges::all_of(lines, [&](const LineFit& l) {
                   return l.count == lineLengthOf(f) &&
                          std::abs(l.pitchMm / kPitchMm - 1) <= ctx.threshold("mrz.print.pitch_tolerance");
               });
    };
    const std::vector<LineFit>* byBest = nullptr;
    if (!fontByRead && scanFormat) {
        if (haveRead) {
            scanned = refitReadLines(ctx, g.widthMm, lineLengthOf(*scanFormat));
        } else {
            // The nominal clear area of the page's format, inside the page edges.
            const RectMm nominal = pageZones(scanFormat, g.widthMm, g.heightMm, nullptr).mrz;
            scanned = scanMrzZone(ctx, {1.0, nominal.y, g.widthMm - 2.0, g.heightMm - nominal.y - 1.0},
                                  lineLengthOf(*scanFormat));
        }
        if (mrzLikeOf(scanned, *scanFormat))
            byBest = &scanned;
    }
    const bool fontJudged = fontByRead || byBest != nullptr;

    for (const auto& f : fits)
        c.regions.push_back(f.region);
    if (fits.empty() && byBest)
        for (const auto& f : *byBest)
            c.regions.push_back(f.region);
    if (fits.empty() && !fontJudged) {
        if (haveRead)
            c.regions = ctx.mrz->lineRegions;
        c.reason = haveRead
                       ? Reason{"The MRZ print was not checked: its characters could not be measured.",
                                "De druk van de MRZ is niet gecontroleerd: de tekens konden niet worden "
                                "gemeten."}
                       : Reason{"The MRZ print was not checked: the MRZ could not be read.",
                                "De druk van de MRZ is niet gecontroleerd: de MRZ kon niet worden gelezen."};
        return c;
    }

    std::vector<Finding> findings;
    if (fontJudged) {
        const cv::Mat& source = readSource(ctx);
        cv::Mat grey = source;
        if (source.channels() != 1)
            cv::cvtColor(source, grey, cv::COLOR_BGR2GRAY);
        const double washedOut = ctx.threshold("mrz.print.washed_out_contrast");
        const GlyphEvidence e =
            fontByRead ? glyphEvidence(fits, true, ctx.threshold("mrz.print.glyph_min_probability"), grey,
                                       ctx.pixelsPerMm, washedOut)
                       : glyphEvidence(*byBest, false, ctx.threshold("mrz.print.best_min_probability"), grey,
                                       ctx.pixelsPerMm, washedOut);
        const double share = static_cast<double>(e.unlike) / std::max(1, e.cells);
        const double maxShare =
            ctx.threshold(fontByRead ? "mrz.print.max_unlike_share" : "mrz.print.max_unsure_share");
        c.measured.emplace_back(fontByRead ? "unlike_glyph_share" : "unsure_glyph_share", share);
        c.measured.emplace_back("mean_log_probability", e.meanLogP);
        c.measured.emplace_back("washed_out_cells", e.washedOut);
        c.measured.emplace_back("font_by_read", fontByRead ? 1.0 : 0.0);
        Finding font;
        font.margin = marginOf(share, maxShare, maxShare, false);
        font.failure = {
            std::to_string(e.unlike) + " of " + std::to_string(e.cells) +
                " MRZ characters do not have the shapes of OCR-B: the MRZ was printed in another font.",
            std::to_string(e.unlike) + " van de " + std::to_string(e.cells) +
                " MRZ-tekens hebben niet de vorm van OCR-B: de MRZ is in een ander lettertype gedrukt."};
        if (font.margin < 0) // the least OCR-B-like characters show the officer where to look
            for (std::size_t i = 0; i < std::min<std::size_t>(e.worst.size(), 8); ++i)
                c.regions.push_back(e.worst[i].second);
        findings.push_back(std::move(font));
    }

    c.measured.emplace_back("geometry_judged", geometryJudged ? 1.0 : 0.0);

    // Skew and line spacing are relative to the MRZ itself: they hold whatever the scale.
    double maxSkew = 0;
    for (const auto& f : fits.empty() && byBest ? *byBest : fits)
        maxSkew = std::max(maxSkew, std::abs(f.skewDeg));
    c.measured.emplace_back("skew_deg", maxSkew);
    const double skewMax = ctx.threshold("mrz.print.max_skew_deg");
    findings.push_back(
        {marginOf(maxSkew, skewMax, skewMax, false),
         {"The MRZ lines are tilted by " + number(maxSkew, 1, false) +
              " degrees against the page edge (at most 3 allowed): the MRZ was reprinted.",
          "De MRZ-regels staan " + number(maxSkew, 1, true) +
              " graden scheef ten opzichte van de paginarand (hooguit 3 toegestaan): de MRZ is opnieuw "
              "gedrukt."}});

    if (geometryJudged) {
        // Pitch: the line nearest to 2.54 mm speaks for the print, so a line mis-fitted under glare cannot
        // fail a genuine document; a reprint at another pitch shows on every line.
        double pitch = fits.front().pitchMm;
        for (const auto& f : fits)
            if (std::abs(f.pitchMm - kPitchMm) < std::abs(pitch - kPitchMm))
                pitch = f.pitchMm;
        const double pitchDev = std::abs(pitch / kPitchMm - 1);
        const double pitchTol = ctx.threshold("mrz.print.pitch_tolerance");
        c.measured.emplace_back("pitch_mm", pitch);
        findings.push_back(
            {marginOf(pitchDev, pitchTol, pitchTol, false),
             {"The MRZ characters are " + number(pitch, 2, false) +
                  " mm apart instead of 2.54 mm: the MRZ was not printed by the issuer.",
              "De MRZ-tekens staan " + number(pitch, 2, true) +
                  " mm uit elkaar in plaats van 2,54 mm: de MRZ is niet door de uitgever gedrukt."}});

        // Left margin: every line starts at the same ICAO position.
        double left = fits.front().leftMm;
        for (const auto& f : fits)
            if (std::abs(f.leftMm - gp.firstCharLeftMm) < std::abs(left - gp.firstCharLeftMm))
                left = f.leftMm;
        const double leftTol = ctx.threshold("mrz.print.left_tolerance_mm");
        c.measured.emplace_back("first_char_left_mm", left);
        if (!byPageFormat)
            findings.push_back(
                {marginOf(std::abs(left - gp.firstCharLeftMm), leftTol, leftTol, false),
                 {"The MRZ starts " + number(left, 1, false) + " mm from the left edge instead of " +
                      number(gp.firstCharLeftMm, 1, false) + " mm: it is not where ICAO 9303 places it.",
                  "De MRZ begint " + number(left, 1, true) + " mm van de linkerrand in plaats van " +
                      number(gp.firstCharLeftMm, 1, true) +
                      " mm: hij staat niet waar ICAO 9303 hem plaatst."}});

        // Height: the block's mean offset from the nominal line centres, and each line's own spacing.
        double offset = 0;
        for (std::size_t j = 0; j < fits.size(); ++j)
            offset +=
                (g.heightMm - fits[j].centreYMm) - gp.centreFromBottomMm[std::min<std::size_t>(lineOf[j], 2)];
        offset /= static_cast<double>(fits.size());
        const double vTol = ctx.threshold("mrz.print.vertical_tolerance_mm");
        c.measured.emplace_back("vertical_offset_mm", offset);
        const bool higher = offset > 0;
        findings.push_back(
            {marginOf(std::abs(offset), vTol, vTol, false),
             {"The MRZ sits " + number(std::abs(offset), 1, false) + " mm " + (higher ? "higher" : "lower") +
                  " than ICAO 9303 prescribes: it was reprinted.",
              "De MRZ staat " + number(std::abs(offset), 1, true) + " mm " + (higher ? "hoger" : "lager") +
                  " dan ICAO 9303 voorschrijft: hij is opnieuw gedrukt."}});

        double spacingDev = 0;
        double spacingWorst = 0;
        double spacingNominal = 0;
        for (std::size_t j = 1; j < fits.size(); ++j) {
            const std::size_t i = lineOf[j];
            if (i != lineOf[j - 1] + 1 || i > 2)
                continue; // only neighbouring lines, both measured
            const double seen = fits[j].centreYMm - fits[j - 1].centreYMm;
            const double nominal = gp.centreFromBottomMm[i - 1] - gp.centreFromBottomMm[i];
            if (std::abs(seen - nominal) >= spacingDev) {
                spacingDev = std::abs(seen - nominal);
                spacingWorst = seen;
                spacingNominal = nominal;
            }
        }
        const double sTol = ctx.threshold("mrz.print.line_spacing_tolerance_mm");
        c.measured.emplace_back("line_spacing_deviation_mm", spacingDev);
        findings.push_back(
            {marginOf(spacingDev, sTol, sTol, false),
             {"The MRZ lines are " + number(spacingWorst, 2, false) + " mm apart instead of " +
                  number(spacingNominal, 2, false) + " mm: the MRZ was reprinted.",
              "De MRZ-regels staan " + number(spacingWorst, 2, true) + " mm uit elkaar in plaats van " +
                  number(spacingNominal, 2, true) + " mm: de MRZ is opnieuw gedrukt."}});
    }

    if (!fontJudged && !geometryJudged) {
        c.reason = {
            "The MRZ print was not checked: the MRZ did not read reliably and the page edge or scale is "
            "unknown.",
            "De druk van de MRZ is niet gecontroleerd: de MRZ is niet betrouwbaar gelezen en de paginarand "
            "of "
            "schaal is onbekend."};
        return c;
    }
    // On a tie (margins saturate at -1) the later finding speaks: the geometry is measured on the cells
    // themselves, where a reprint moved off its place also spoils the read the font is judged by.
    const Finding* worst = &findings.front();
    for (const auto& f : findings)
        if (f.margin <= worst->margin)
            worst = &f;
    c.margin = worst->margin;
    if (worst->margin < 0) {
        c.result = CheckResult::Failed;
        c.reason = worst->failure;
        return c;
    }
    c.result = CheckResult::Successful;
    if (fontJudged && geometryJudged)
        c.reason = {"The MRZ is printed in OCR-B at the ICAO pitch and position.",
                    "De MRZ is in OCR-B gedrukt, op de ICAO-tekenafstand en -positie."};
    else if (fontJudged && pageMeasured)
        c.reason = {"The MRZ is printed in OCR-B; its position was not checked (the MRZ was not read).",
                    "De MRZ is in OCR-B gedrukt; de positie is niet gecontroleerd (de MRZ is niet gelezen)."};
    else if (fontJudged)
        c.reason = {
            "The MRZ is printed in OCR-B; its position was not checked (page edge or scale unknown).",
            "De MRZ is in OCR-B gedrukt; de positie is niet gecontroleerd (paginarand of schaal onbekend)."};
    else
        c.reason = {"The MRZ is at the ICAO pitch and position; its font was not checked (uncertain read).",
                    "De MRZ staat op de ICAO-tekenafstand en -positie; het lettertype is niet gecontroleerd "
                    "(onzekere lezing)."};
    return c;
}

} // namespace gw::vision::checks
