// SPDX-License-Identifier: Apache-2.0
#include "reader/mrz_reader.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <opencv2/imgproc.hpp>

#include <gw/vision/mrz_ocr.h>

#include "core/mat_view.h"
#include "locate/mrz_finder.h"

namespace gw::vision::reader {
namespace {

// Every format's MRZ lies within the bottom 23 mm of the page (9303-4..7: the TD1 zone is the tallest,
// three lines at 4.23 mm pitch above a 1 mm margin); 26 mm leaves room for a page found slightly large.
constexpr double kBandHeightMm = 26.0;
// Every format's first character is at least 4 mm from the page edge (9303-6/7; TD3 6 mm): reading from
// 2 mm in keeps the page's own edge and the lid out of the band.
constexpr double kBandInsetMm = 2.0;
// When the resolution is unknown, the page's aspect ratio suggests its width until the MRZ says
// otherwise (the recogniser then measures the pitch itself): ID-1 cards are 1.59:1, every other
// format 1.42:1 to 1.50:1.
double assumedWidthMm(double aspect)
{
    return aspect > 1.54 ? 85.6 : 125.0;
}

struct Candidate {
    std::vector<LineRead> lines;
    Result<MrzRecord> record = fail(Errc::NoDocument, "no MRZ");
    double score = -1;
};

// The window of @p length characters that the recogniser is surest of: drops specks, the page edge or
// neighbouring print read as extra cells at either end of a line.
LineRead bestWindow(const LineRead& line, std::size_t length)
{
    if (line.chars.size() != line.text.size() || line.text.size() <= length)
        return line;
    std::size_t bestStart = 0;
    double bestSum = -1;
    for (std::size_t start = 0; start + length <= line.chars.size(); ++start) {
        double sum = 0;
        for (std::size_t k = start; k < start + length; ++k)
            sum += line.chars[k].confidence;
        if (sum > bestSum) {
            bestSum = sum;
            bestStart = start;
        }
    }
    LineRead out = line;
    out.chars.assign(line.chars.begin() + std::ptrdiff_t(bestStart),
                     line.chars.begin() + std::ptrdiff_t(bestStart + length));
    out.text = line.text.substr(bestStart, length);
    out.minConfidence = 1;
    for (const auto& c : out.chars)
        out.minConfidence = std::min(out.minConfidence, c.confidence);
    const auto& first = out.chars.front().box;
    const auto& last = out.chars.back().box;
    out.box.x = first.x;
    out.box.width = last.x + last.width - first.x;
    return out;
}

// Every run of consecutive lines that can hold an MRZ shape (3x30, 2x36 or 2x44), each line cut to the
// format's length; a line may carry a few extra cells, never fewer.
std::vector<std::vector<LineRead>> mrzLineGroups(const std::vector<LineRead>& lines)
{
    constexpr std::size_t kExtraCells = 6;
    std::vector<std::vector<LineRead>> groups;
    for (const std::size_t len : {44u, 36u, 30u}) {
        const std::size_t count = len == 30 ? 3 : 2;
        for (std::size_t i = 0; i + count <= lines.size(); ++i) {
            std::vector<LineRead> g;
            for (std::size_t k = i; k < i + count; ++k)
                if (lines[k].text.size() >= len && lines[k].text.size() <= len + kExtraCells)
                    g.push_back(bestWindow(lines[k], len));
            if (g.size() == count)
                groups.push_back(std::move(g));
        }
    }
    return groups;
}

Candidate parseLines(std::vector<LineRead> picked)
{
    Candidate c;
    std::vector<std::string> text;
    std::vector<std::string> alternates;
    for (const auto& l : picked) {
        text.push_back(l.text);
        std::string alt(l.text.size(), '\0');
        // Offer the runner-up only where the recogniser was in real doubt.
        for (std::size_t k = 0; k < l.chars.size() && k < alt.size(); ++k)
            if (l.chars[k].confidence < 0.9f && l.chars[k].secondConfidence > 0.05f)
                alt[k] = l.chars[k].second;
        alternates.push_back(std::move(alt));
    }
    MrzParseOptions po;
    po.alternates = alternates;
    c.record = parseMrz(text, po);
    c.lines = std::move(picked);
    if (c.record) {
        float minConf = 1;
        for (const auto& l : c.lines)
            minConf = std::min(minConf, l.minConfidence);
        c.score =
            (c.record->checkDigitsValid() ? 2.0 : 1.0) + (c.record->structureValid() ? 1.0 : 0.0) + minConf;
    }
    return c;
}

Candidate bestParse(const std::vector<LineRead>& lines)
{
    Candidate best;
    for (auto& group : mrzLineGroups(lines)) {
        Candidate c = parseLines(std::move(group));
        if (c.score > best.score)
            best = std::move(c);
    }
    return best;
}

Candidate readBand(const cv::Mat& band, double normPixelsPerMm, bool resolutionKnown)
{
    MrzOcrOptions options;
    options.pixelsPerMm = resolutionKnown ? normPixelsPerMm : 0;
    auto lines = readMrzBand(viewOf(band), options);
    if (!lines || lines->empty())
        return {};
    Candidate best = bestParse(*lines);
    if (best.record && best.record->checkDigitsValid())
        return best;
    // Still no consistent MRZ: let the recogniser itself fit each format's line length (it keeps the
    // best-inked run of cells and re-segments), and keep the best parse of all.
    std::size_t longest = 0;
    for (const auto& l : *lines)
        longest = std::max(longest, l.text.size());
    if (longest < 20)
        return best;
    for (const int len : {30, 36, 44}) {
        if (std::size_t(len) > longest + 2)
            continue;
        options.expectedLineLength = len;
        auto again = readMrzBand(viewOf(band), options);
        if (!again)
            continue;
        Candidate c = bestParse(*again);
        if (c.score > best.score)
            best = std::move(c);
    }
    return best;
}

DocumentGeometry geometryOf(const locate::PageQuad& q, double widthMm, double normPixelsPerMm,
                            bool upsideDown, bool pageFound)
{
    DocumentGeometry g;
    for (std::size_t i = 0; i < 4; ++i)
        g.cornersPx[i] = {q.corners[i].x, q.corners[i].y};
    g.rotationDeg = q.angleDeg;
    g.upsideDown = upsideDown;
    g.widthMm = widthMm;
    g.heightMm = widthMm * q.heightPx / q.widthPx;
    g.pixelsPerMm = normPixelsPerMm;
    g.pageFound = pageFound;
    return g;
}

// Where the MRZ sits on each format (9303 parts 4-7): first character from the left edge and centre of
// the last line from the bottom edge [mm]. Used only to place a page that showed no edge.
struct MrzPlacement {
    double firstCharMm;
    double lastLineCentreMm;
    double heightMm;
};

MrzPlacement placementOf(MrzFormat f)
{
    switch (f) {
    case MrzFormat::TD1:
        return {5.0, 4.55, 53.98};
    case MrzFormat::TD2:
        return {4.0, 6.0, 74.0};
    case MrzFormat::TD3:
        return {6.0, 9.40, 88.0};
    case MrzFormat::MRVA:
        return {4.0, 9.40, 80.0};
    case MrzFormat::MRVB:
        return {4.0, 6.0, 74.0};
    }
    return {6.0, 9.40, 88.0};
}

// The MRZ read from a band found anywhere, placed on the page whose edge was found: the page turned
// so that the MRZ reads left to right, and the line boxes in that page's normalised pixels.
struct OnPage {
    locate::PageQuad quad;
    double widthMm = 0;
    bool upsideDown = false;
    std::vector<LineRead> lines;
};

std::optional<OnPage> mrzOnPage(const locate::PageQuad& base, const Candidate& c,
                                const cv::Matx23d& bandToFrame, double glassPixelsPerMm,
                                double normPixelsPerMm)
{
    const cv::Point2d dir(bandToFrame(0, 0), bandToFrame(1, 0)); // the band's x axis in the frame
    OnPage out;
    double bestDot = -2;
    for (const bool up : {false, true}) {
        const locate::PageQuad q = up ? locate::turned(base) : base;
        const cv::Point2d top = q.corners[1] - q.corners[0];
        const double dot = (top.x * dir.x + top.y * dir.y) / (cv::norm(top) * cv::norm(dir) + 1e-9);
        if (dot > bestDot) {
            bestDot = dot;
            out.quad = q;
            out.upsideDown = up;
        }
    }
    if (bestDot < 0.96) // more than ~16 degrees between the MRZ and the page: not this page's MRZ
        return std::nullopt;
    const auto& q = out.quad;
    out.widthMm =
        glassPixelsPerMm > 0 ? q.widthPx / glassPixelsPerMm : assumedWidthMm(q.widthPx / q.heightPx);
    const double heightMm = out.widthMm * q.heightPx / q.widthPx;
    cv::Matx23d frameToDoc;
    cv::invertAffineTransform(locate::documentToFrame(q, out.widthMm, normPixelsPerMm), frameToDoc);
    const cv::Matx23d bandToDoc(
        frameToDoc(0, 0) * bandToFrame(0, 0) + frameToDoc(0, 1) * bandToFrame(1, 0),
        frameToDoc(0, 0) * bandToFrame(0, 1) + frameToDoc(0, 1) * bandToFrame(1, 1),
        frameToDoc(0, 0) * bandToFrame(0, 2) + frameToDoc(0, 1) * bandToFrame(1, 2) + frameToDoc(0, 2),
        frameToDoc(1, 0) * bandToFrame(0, 0) + frameToDoc(1, 1) * bandToFrame(1, 0),
        frameToDoc(1, 0) * bandToFrame(0, 1) + frameToDoc(1, 1) * bandToFrame(1, 1),
        frameToDoc(1, 0) * bandToFrame(0, 2) + frameToDoc(1, 1) * bandToFrame(1, 2) + frameToDoc(1, 2));
    const double scale =
        std::sqrt(std::abs(bandToDoc(0, 0) * bandToDoc(1, 1) - bandToDoc(0, 1) * bandToDoc(1, 0)));
    for (LineRead l : c.lines) {
        double x0 = 1e18, y0 = 1e18, x1 = -1e18, y1 = -1e18;
        for (const auto& [u, v] : {std::pair{l.box.x, l.box.y}, std::pair{l.box.x + l.box.width, l.box.y},
                                   std::pair{l.box.x, l.box.y + l.box.height},
                                   std::pair{l.box.x + l.box.width, l.box.y + l.box.height}}) {
            const double x = bandToDoc(0, 0) * u + bandToDoc(0, 1) * v + bandToDoc(0, 2);
            const double y = bandToDoc(1, 0) * u + bandToDoc(1, 1) * v + bandToDoc(1, 2);
            x0 = std::min(x0, x);
            y0 = std::min(y0, y);
            x1 = std::max(x1, x);
            y1 = std::max(y1, y);
        }
        // The MRZ must lie on the page (with a millimetre of slack for the edge fit).
        const double slack = normPixelsPerMm;
        if (x0 < -slack || y0 < -slack || x1 > out.widthMm * normPixelsPerMm + slack ||
            y1 > heightMm * normPixelsPerMm + slack)
            return std::nullopt;
        l.box = PixelBox{int(std::lround(x0)), int(std::lround(y0)), int(std::lround(x1 - x0)),
                         int(std::lround(y1 - y0))};
        l.pitchPx = float(l.pitchPx * scale);
        out.lines.push_back(std::move(l));
    }
    return out;
}

} // namespace

double documentWidthMm(MrzFormat f)
{
    switch (f) {
    case MrzFormat::TD1:
        return 85.60;
    case MrzFormat::TD2:
        return 105.0;
    case MrzFormat::TD3:
        return 125.0;
    case MrzFormat::MRVA:
        return 120.0;
    case MrzFormat::MRVB:
        return 105.0;
    }
    return 125.0;
}

Reading readMrz(const cv::Mat& white, const cv::Mat& ir, double glassPixelsPerMm, double normPixelsPerMm)
{
    Reading out;
    const auto page = locate::findPage(white, glassPixelsPerMm);
    locate::PageQuad base;
    if (page) {
        base = *page;
    } else {
        // No page edge: the page fills the frame (a photo or a scan of a data page).
        const double w = white.cols;
        const double h = white.rows;
        base.corners = {cv::Point2d(0, 0), cv::Point2d(w, 0), cv::Point2d(w, h), cv::Point2d(0, h)};
        base.widthPx = w;
        base.heightPx = h;
    }
    const bool known = glassPixelsPerMm > 0;

    Candidate best;
    bool pageFromMrz = false; // the page's place was inferred from the MRZ, not from its edge
    locate::PageQuad bestQuad = base;
    double bestWidthMm = 0;
    bool bestUpsideDown = false;
    Light bestLight = Light::White;
    for (const bool upsideDown : {false, true}) {
        const locate::PageQuad q = upsideDown ? locate::turned(base) : base;
        const double widthMm = known ? q.widthPx / glassPixelsPerMm : assumedWidthMm(q.widthPx / q.heightPx);
        const double heightMm = widthMm * q.heightPx / q.widthPx;
        const double bandMm = page ? std::min(kBandHeightMm, heightMm) : heightMm * 0.4;
        const auto m = locate::documentToFrame(q, widthMm, normPixelsPerMm);
        const double inset = page ? kBandInsetMm : 0.0;
        for (const Light light : {Light::White, Light::Infrared}) {
            const cv::Mat& frame = light == Light::White ? white : ir;
            if (frame.empty() || (light == Light::Infrared && best.score >= 3.5))
                continue;
            cv::Mat band = locate::warpRegion(frame, m, normPixelsPerMm, inset, heightMm - bandMm,
                                              widthMm - 2 * inset, bandMm, cv::INTER_LINEAR);
            if (band.channels() == 3)
                cv::cvtColor(band, band, cv::COLOR_BGR2GRAY);
            Candidate c = readBand(band, normPixelsPerMm, known);
            if (c.score > best.score) {
                // Line boxes from band pixels to document millimetres.
                for (auto& l : c.lines) {
                    l.box.x += int(std::lround(inset * normPixelsPerMm));
                    l.box.y += int(std::lround((heightMm - bandMm) * normPixelsPerMm));
                }
                best = std::move(c);
                bestQuad = q;
                bestWidthMm = widthMm;
                bestUpsideDown = upsideDown;
                bestLight = light;
            }
        }
        if (best.score >= 3.5)
            break; // valid, well-formed and confidently read: the other orientation cannot beat it
    }
    if (!best.record || best.score < 3.0) {
        // No page edge, or no clean MRZ at the page's bottom: look for the MRZ itself anywhere.
        constexpr double kTargetLinePx = 1100; // ~44 characters at 25 px: well resolved, still fast
        for (const auto& cand : locate::findMrzCandidates(white)) {
            for (const bool turnedBand : {false, true}) {
                cv::Matx23d bandToFrame;
                const cv::Mat band =
                    locate::warpCandidate(white, cand, kTargetLinePx, turnedBand, bandToFrame);
                Candidate c = readBand(band, 0, false);
                if (c.score <= best.score || c.lines.empty())
                    continue;
                const auto pl = placementOf(c.record->format);
                const double widthMm = documentWidthMm(c.record->format);
                const double bandPxPerMm = c.lines.front().pitchPx / 2.54;
                if (!(bandPxPerMm > 1))
                    continue;
                const auto& first = c.lines.front();
                const auto& last = c.lines.back();
                const double ox = first.box.x - pl.firstCharMm * bandPxPerMm;
                const double oy =
                    last.box.y + last.box.height / 2.0 + (pl.lastLineCentreMm - pl.heightMm) * bandPxPerMm;
                auto toFrame = [&](double u, double v) {
                    return cv::Point2d(bandToFrame(0, 0) * u + bandToFrame(0, 1) * v + bandToFrame(0, 2),
                                       bandToFrame(1, 0) * u + bandToFrame(1, 1) * v + bandToFrame(1, 2));
                };
                locate::PageQuad q;
                q.corners = {toFrame(ox, oy), toFrame(ox + widthMm * bandPxPerMm, oy),
                             toFrame(ox + widthMm * bandPxPerMm, oy + pl.heightMm * bandPxPerMm),
                             toFrame(ox, oy + pl.heightMm * bandPxPerMm)};
                q.widthPx = cv::norm(q.corners[1] - q.corners[0]);
                q.heightPx = cv::norm(q.corners[3] - q.corners[0]);
                q.angleDeg = std::atan2(q.corners[1].y - q.corners[0].y, q.corners[1].x - q.corners[0].x) *
                             180.0 / CV_PI;
                // A page edge was found but the MRZ lay outside the bottom band (reprinted higher up,
                // or a page with a tall bottom margin): keep the page's own geometry, so that the
                // MRZ's position on it can still be judged, when the MRZ lies on that page.
                if (page) {
                    if (auto onPage = mrzOnPage(base, c, bandToFrame, glassPixelsPerMm, normPixelsPerMm)) {
                        best = std::move(c);
                        best.lines = std::move(onPage->lines);
                        bestQuad = onPage->quad;
                        bestWidthMm = onPage->widthMm;
                        bestUpsideDown = onPage->upsideDown;
                        bestLight = Light::White;
                        pageFromMrz = false;
                        continue;
                    }
                }
                // Line boxes from band pixels to normalised document pixels.
                for (auto& l : c.lines) {
                    l.box.x = int(std::lround((l.box.x - ox) / bandPxPerMm * normPixelsPerMm));
                    l.box.y = int(std::lround((l.box.y - oy) / bandPxPerMm * normPixelsPerMm));
                    l.box.width = int(std::lround(l.box.width / bandPxPerMm * normPixelsPerMm));
                    l.box.height = int(std::lround(l.box.height / bandPxPerMm * normPixelsPerMm));
                    l.pitchPx = float(l.pitchPx / bandPxPerMm * normPixelsPerMm);
                }
                best = std::move(c);
                bestQuad = q;
                bestWidthMm = widthMm;
                bestUpsideDown = std::abs(q.angleDeg) > 90;
                bestLight = Light::White;
                pageFromMrz = true;
            }
        }
    }
    if (!best.record) {
        if (page)
            out.geometry = geometryOf(
                base, known ? base.widthPx / glassPixelsPerMm : assumedWidthMm(base.widthPx / base.heightPx),
                normPixelsPerMm, false, true);
        return out;
    }
    // With the format known, the page's true width fixes the scale of an unknown-resolution capture.
    double widthMm = bestWidthMm;
    double pitchScale = 1.0;
    if (!known && !pageFromMrz) {
        widthMm = documentWidthMm(best.record->format);
        pitchScale = widthMm / bestWidthMm;
    }
    out.geometry =
        geometryOf(bestQuad, widthMm, normPixelsPerMm, bestUpsideDown, page.has_value() && !pageFromMrz);
    out.docToFrame = locate::documentToFrame(bestQuad, widthMm, normPixelsPerMm);

    MrzRead read;
    read.record = std::move(*best.record);
    float minConf = 1;
    double pitchSum = 0;
    for (const auto& l : best.lines) {
        read.ocrLines.push_back(l.text);
        auto& conf = read.confidences.emplace_back();
        auto& second = read.runnerUps.emplace_back();
        for (const auto& ch : l.chars) {
            conf.push_back(ch.confidence);
            second.push_back(ch.second);
        }
        minConf = std::min(minConf, l.minConfidence);
        pitchSum += l.pitchPx;
        read.lineRegions.push_back(
            RectMm{l.box.x / normPixelsPerMm * pitchScale, l.box.y / normPixelsPerMm * pitchScale,
                   l.box.width / normPixelsPerMm * pitchScale, l.box.height / normPixelsPerMm * pitchScale});
    }
    read.minConfidence = minConf;
    read.light = bestLight;
    read.pitchMm = pitchSum / double(best.lines.size()) / normPixelsPerMm * pitchScale;
    out.mrz = std::move(read);
    return out;
}

} // namespace gw::vision::reader
