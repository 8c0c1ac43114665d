// SPDX-License-Identifier: Apache-2.0
// Binarisation, line split and 2.54 mm pitch lattice fitting of MRZ print; cell features for the classifier.
#include "ocr/line_segmenter.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include <opencv2/imgproc.hpp>

namespace gw::vision::ocr {
namespace {

// A line longer than this is no MRZ line; the bound also caps the work on hostile input.
constexpr std::size_t kMaxCells = 256;

struct Blob {
    int left = 0;
    int right = 0; // exclusive
    int top = 0;
    int bottom = 0; // exclusive
    [[nodiscard]] float centreX() const { return 0.5F * static_cast<float>(left + right); }
    [[nodiscard]] float centreY() const { return 0.5F * static_cast<float>(top + bottom); }
    [[nodiscard]] int width() const { return right - left; }
    [[nodiscard]] int height() const { return bottom - top; }
};

float median(std::vector<float> v)
{
    if (v.empty())
        return 0;
    const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
    std::nth_element(v.begin(), mid, v.end());
    return *mid;
}

int oddAtLeast(int v, int minimum)
{
    v = std::max(v, minimum);
    return (v % 2 == 0) ? v + 1 : v;
}

// Twice the area over the boundary length approximates the stroke width for stroke-like shapes,
// whatever the print size: that sets the scale of the background estimate without knowing the resolution.
float strokeWidth(const cv::Mat& mask)
{
    cv::Mat eroded;
    cv::erode(mask, eroded, cv::getStructuringElement(cv::MORPH_CROSS, {3, 3}), {-1, -1}, 1,
              cv::BORDER_CONSTANT, cv::Scalar(0));
    const double area = cv::countNonZero(mask);
    const double boundary = area - cv::countNonZero(eroded);
    if (boundary <= 0)
        return 1.0F;
    return static_cast<float>(std::clamp(2.0 * area / boundary, 1.0, 64.0));
}

} // namespace

InkMaps computeInk(const cv::Mat& grayIn)
{
    InkMaps maps;
    cv::Mat gray = grayIn;
    // The rough ink is thresholded on the image less its large-scale light falloff: under glare or a
    // strong gradient a global threshold calls the darker half of the band ink, which both inverted the
    // polarity below and swelled the stroke width (an IR-transparent MRZ under glare went unread).
    const int flatK = oddAtLeast(std::max(gray.rows, gray.cols) / 8, 15);
    auto flattened = [flatK](const cv::Mat& g) {
        cv::Mat falloff;
        cv::Mat flat;
        cv::blur(g, falloff, {flatK, flatK}, {-1, -1}, cv::BORDER_REPLICATE);
        cv::addWeighted(g, 1.0, falloff, -1.0, 128.0, flat);
        return flat;
    };
    cv::Mat rough;
    cv::threshold(flattened(gray), rough, 0, 255, cv::THRESH_BINARY_INV | cv::THRESH_OTSU);
    // Print covers well under half of a line or band; more "ink" than ground means light print on dark.
    if (cv::countNonZero(rough) > static_cast<int>(0.55 * static_cast<double>(gray.total()))) {
        cv::Mat inverted;
        cv::bitwise_not(gray, inverted);
        gray = inverted;
        cv::threshold(flattened(gray), rough, 0, 255, cv::THRESH_BINARY_INV | cv::THRESH_OTSU);
    }
    const float sw = strokeWidth(rough);
    maps.strokeWidthPx = sw;

    cv::Mat smooth = gray;
    if (sw >= 2.5F)
        cv::GaussianBlur(gray, smooth, {3, 3}, 0);
    // Ground estimate: a max filter a few strokes wide erases the print; the box blur smooths its blockiness.
    const int k = oddAtLeast(static_cast<int>(std::lround(5.0F * sw)), 3);
    cv::Mat ground;
    cv::dilate(smooth, ground, cv::getStructuringElement(cv::MORPH_RECT, {k, k}));
    cv::blur(ground, ground, {k, k});

    cv::Mat groundF;
    cv::Mat grayF;
    ground.convertTo(groundF, CV_32F);
    smooth.convertTo(grayF, CV_32F);
    cv::Mat diff = groundF - grayF;
    // Contrast: the typical depth of the print below its ground, measured on the rough ink.
    const double depth = cv::mean(diff, rough)[0];
    const double scale = 1.0 / std::max(depth * 1.15, 24.0);
    diff.convertTo(maps.ink, CV_32F, scale);
    cv::min(maps.ink, 1.0, maps.ink);
    cv::max(maps.ink, 0.0, maps.ink);

    cv::Mat ink8;
    maps.ink.convertTo(ink8, CV_8U, 255.0);
    const double otsu = cv::threshold(ink8, maps.mask, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU);
    const double level = std::clamp(otsu, 0.3 * 255.0, 0.6 * 255.0);
    cv::threshold(ink8, maps.mask, level, 255, cv::THRESH_BINARY);
    return maps;
}

double estimateSkewDeg(const InkMaps& maps)
{
    std::vector<cv::Point> ink;
    cv::findNonZero(maps.mask, ink);
    if (ink.size() < 16)
        return 0;
    // A bounded sample of the ink keeps the cost fixed (about 0.3 ms) whatever the size of the band.
    const std::size_t stride = std::max<std::size_t>(1, ink.size() / 4000);
    const int rows = maps.mask.rows;
    const int cols = maps.mask.cols;
    const int pad = static_cast<int>(std::ceil(std::tan(3.5 * std::numbers::pi / 180.0) * cols)) + 2;
    std::vector<float> bins(static_cast<std::size_t>(rows + 2 * pad));
    const auto sharpness = [&](double deg) {
        std::fill(bins.begin(), bins.end(), 0.0F);
        const auto t = static_cast<float>(std::tan(deg * std::numbers::pi / 180.0));
        const float cx = 0.5F * static_cast<float>(cols);
        const auto offset = static_cast<float>(pad) + 0.5F;
        for (std::size_t i = 0; i < ink.size(); i += stride) {
            // Non-negative by the padding, so truncation rounds.
            const auto y = static_cast<std::size_t>(static_cast<float>(ink[i].y) +
                                                    (static_cast<float>(ink[i].x) - cx) * t + offset);
            if (y < bins.size())
                bins[y] += 1.0F;
        }
        double s = 0;
        for (const float b : bins)
            s += static_cast<double>(b) * b;
        return s;
    };
    double best = 0;
    double bestScore = sharpness(0.0);
    for (double d = -2.5; d <= 2.5001; d += 0.5) {
        const double sc = sharpness(d);
        if (sc > bestScore * 1.0001) {
            bestScore = sc;
            best = d;
        }
    }
    const double coarse = best;
    for (double d = coarse - 0.3; d <= coarse + 0.3001; d += 0.1) {
        const double sc = sharpness(d);
        if (sc > bestScore * 1.0001) {
            bestScore = sc;
            best = d;
        }
    }
    // The shear y + x tan(d) levels lines that rise by d to the right; cv::getRotationMatrix2D levels them
    // with the opposite angle.
    return -best;
}

InkMaps computeInkUpright(const cv::Mat& gray, cv::Matx23d& toInput)
{
    toInput = cv::Matx23d(1, 0, 0, 0, 1, 0);
    InkMaps maps = computeInk(gray);
    const double skew = estimateSkewDeg(maps);
    if (std::abs(skew) <= 0.1)
        return maps;
    const cv::Point2f centre(0.5F * static_cast<float>(gray.cols), 0.5F * static_cast<float>(gray.rows));
    const cv::Mat rot = cv::getRotationMatrix2D(centre, skew, 1.0);
    cv::Mat upright;
    cv::warpAffine(gray, upright, rot, gray.size(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    cv::Mat back;
    cv::invertAffineTransform(rot, back);
    toInput = cv::Matx23d(back);
    return computeInk(upright);
}

int maxMrzLineHeightPx(double pixelsPerMm) noexcept
{
    constexpr double kMaxLineHeightMm = 1.4 * 2.54;
    return pixelsPerMm > 0 ? static_cast<int>(std::lround(kMaxLineHeightMm * pixelsPerMm)) : 0;
}

std::vector<cv::Range> findLineRows(const InkMaps& maps, int maxLineHeightPx)
{
    std::vector<cv::Range> runs;
    if (maps.mask.empty())
        return runs;
    cv::Mat rowSum;
    cv::reduce(maps.mask, rowSum, 1, cv::REDUCE_SUM, CV_32F);
    double maxRow = 0;
    cv::minMaxLoc(rowSum, nullptr, &maxRow);
    if (maxRow <= 0)
        return runs;
    const auto threshold = static_cast<float>(0.06 * maxRow);
    int start = -1;
    for (int y = 0; y <= rowSum.rows; ++y) {
        const bool on = y < rowSum.rows && rowSum.at<float>(y) > threshold;
        if (on && start < 0)
            start = y;
        if (!on && start >= 0) {
            runs.emplace_back(start, y);
            start = -1;
        }
    }
    if (runs.empty())
        return runs;
    // The scale of a line: the tallest run, but no taller than a line of this print can be.
    auto lineScale = [maxLineHeightPx](const std::vector<cv::Range>& rs) {
        int tallest = 0;
        for (const auto& r : rs)
            tallest = std::max(tallest, r.size());
        return maxLineHeightPx > 0 ? std::min(tallest, maxLineHeightPx) : tallest;
    };
    int tallest = lineScale(runs);
    // Join runs split by a thin gap (broken horizontal strokes), then drop specks and rules.
    std::vector<cv::Range> joined;
    for (const auto& r : runs) {
        if (!joined.empty() && r.start - joined.back().end < std::max(2, tallest / 6))
            joined.back().end = r.end;
        else
            joined.push_back(r);
    }
    tallest = lineScale(joined);
    std::vector<cv::Range> lines;
    for (const auto& r : joined) {
        if (r.size() >= std::max(3, static_cast<int>(0.4 * tallest)))
            lines.push_back(r);
    }
    return lines;
}

LineGeometry fitLine(const InkMaps& maps, cv::Range rows, const MrzOcrOptions& options)
{
    LineGeometry geo;
    const int margin = std::max(1, rows.size() / 8);
    const cv::Range band(std::max(0, rows.start - margin), std::min(maps.mask.rows, rows.end + margin));
    if (band.size() < 2)
        return geo;
    const cv::Mat sub = maps.mask.rowRange(band);
    cv::Mat labels;
    cv::Mat stats;
    cv::Mat centroids;
    const int n = cv::connectedComponentsWithStats(sub, labels, stats, centroids, 8, CV_32S);
    const auto bandH = static_cast<float>(rows.size());
    std::vector<Blob> comps;
    for (int i = 1; i < n; ++i) {
        Blob b;
        b.left = stats.at<int>(i, cv::CC_STAT_LEFT);
        b.top = stats.at<int>(i, cv::CC_STAT_TOP) + band.start;
        b.right = b.left + stats.at<int>(i, cv::CC_STAT_WIDTH);
        b.bottom = b.top + stats.at<int>(i, cv::CC_STAT_HEIGHT);
        const int area = stats.at<int>(i, cv::CC_STAT_AREA);
        // Specks: far smaller than a stroke segment.
        if (static_cast<float>(std::max(b.width(), b.height())) < 0.18F * bandH || area < 3)
            continue;
        comps.push_back(b);
    }
    if (comps.empty())
        return geo;

    std::vector<float> tall;
    for (const auto& b : comps) {
        if (static_cast<float>(b.height()) >= 0.6F * bandH)
            tall.push_back(static_cast<float>(b.height()));
    }
    const float charH = tall.empty() ? bandH : median(tall);

    // Pieces of one broken glyph overlap in x: merge them into one blob.
    std::sort(comps.begin(), comps.end(), [](const Blob& a, const Blob& b) { return a.left < b.left; });
    std::vector<Blob> blobs;
    for (const auto& c : comps) {
        if (!blobs.empty()) {
            Blob& last = blobs.back();
            const int overlap = std::min(last.right, c.right) - std::max(last.left, c.left);
            if (static_cast<float>(overlap) > 0.3F * static_cast<float>(std::min(last.width(), c.width()))) {
                last.left = std::min(last.left, c.left);
                last.right = std::max(last.right, c.right);
                last.top = std::min(last.top, c.top);
                last.bottom = std::max(last.bottom, c.bottom);
                continue;
            }
        }
        blobs.push_back(c);
    }
    std::erase_if(blobs, [&](const Blob& b) { return static_cast<float>(b.height()) < 0.25F * charH; });
    if (blobs.empty())
        return geo;

    std::vector<float> widths;
    for (const auto& b : blobs)
        widths.push_back(static_cast<float>(b.width()));
    const float medW = median(widths);
    const auto single = [&](const Blob& b) {
        return static_cast<float>(b.width()) <= 1.4F * medW;
    };

    // Pitch prior: the resolution when known, else the spacing of neighbouring single glyphs.
    float prior = 0;
    if (options.pixelsPerMm > 0) {
        prior = static_cast<float>(2.54 * options.pixelsPerMm);
    } else {
        std::vector<float> gaps;
        for (std::size_t i = 1; i < blobs.size(); ++i) {
            if (single(blobs[i - 1]) && single(blobs[i]))
                gaps.push_back(blobs[i].centreX() - blobs[i - 1].centreX());
        }
        prior = gaps.empty() ? std::max(medW * 1.3F, 0.7F * charH) : median(gaps);
        prior = std::max(prior, medW);
    }

    std::vector<float> centres;
    for (const auto& b : blobs) {
        if (single(b))
            centres.push_back(b.centreX());
    }
    float pitch = prior;
    float x0 = centres.empty() ? blobs.front().centreX() : centres.front();
    if (centres.size() >= 3) {
        // Periodogram of the single-glyph centres: at the true pitch their phases agree. Coarse, then fine.
        const auto score = [&](float p, float& phase) {
            double c = 0;
            double s = 0;
            const double w = 2.0 * std::numbers::pi / p;
            for (float x : centres) {
                c += std::cos(w * x);
                s += std::sin(w * x);
            }
            phase = static_cast<float>(std::atan2(s, c));
            return c * c + s * s;
        };
        const float lo = options.pixelsPerMm > 0 ? 0.85F : 0.75F;
        const float hi = options.pixelsPerMm > 0 ? 1.15F : 1.33F;
        double best = -1;
        float bestP = prior;
        float bestPhase = 0;
        for (float f = lo; f <= hi; f += 0.004F) {
            float ph = 0;
            const double sc = score(prior * f, ph);
            if (sc > best) {
                best = sc;
                bestP = prior * f;
                bestPhase = ph;
            }
        }
        const float coarse = bestP;
        for (float f = -0.004F; f <= 0.004F; f += 0.0004F) {
            float ph = 0;
            const double sc = score(coarse * (1 + f), ph);
            if (sc > best) {
                best = sc;
                bestP = coarse * (1 + f);
                bestPhase = ph;
            }
        }
        pitch = bestP;
        x0 = pitch * bestPhase / static_cast<float>(2.0 * std::numbers::pi);
        // Least squares of centre = x0 + k * pitch over the single glyphs, k from the current fit.
        for (int iter = 0; iter < 2; ++iter) {
            double sk = 0;
            double sx = 0;
            double skk = 0;
            double skx = 0;
            double cnt = 0;
            for (float x : centres) {
                const double k = std::round((x - x0) / pitch);
                sk += k;
                sx += x;
                skk += k * k;
                skx += k * x;
                cnt += 1;
            }
            const double det = cnt * skk - sk * sk;
            if (det <= 1e-6)
                break;
            const double p = (cnt * skx - sk * sx) / det;
            if (p < 0.6 * prior || p > 1.6 * prior)
                break;
            pitch = static_cast<float>(p);
            x0 = static_cast<float>((sx - p * sk) / cnt);
        }
    } else if (!centres.empty()) {
        x0 = centres.front();
    }
    if (!(pitch > 1.0F))
        return geo;
    // Pieces of one glyph side by side (a broken 'M' or 'W') are closer than half a pitch: merge them.
    std::vector<Blob> merged;
    for (const auto& b : blobs) {
        if (!merged.empty() && b.centreX() - merged.back().centreX() < 0.45F * pitch &&
            static_cast<float>(std::max(b.right, merged.back().right) - merged.back().left) <= 1.3F * medW) {
            Blob& m = merged.back();
            m.right = std::max(m.right, b.right);
            m.top = std::min(m.top, b.top);
            m.bottom = std::max(m.bottom, b.bottom);
            continue;
        }
        merged.push_back(b);
    }
    blobs.swap(merged);

    // Glyph positions: a touching pair (or run) is one wide blob holding several cells; pieces closer than
    // half a pitch are parts of one glyph.
    std::vector<float> units;
    for (const auto& b : blobs) {
        const auto w = static_cast<float>(b.width());
        const int cells = std::max(1, static_cast<int>(std::lround((w - medW) / pitch)) + 1);
        if (cells == 1) {
            units.push_back(b.centreX());
            continue;
        }
        const float step = (w - medW) / static_cast<float>(cells - 1);
        for (int i = 0; i < cells; ++i)
            units.push_back(static_cast<float>(b.left) + 0.5F * medW + step * static_cast<float>(i));
    }
    std::sort(units.begin(), units.end());

    // Walk the glyphs with a local pitch: photographed or warped lines drift off any single lattice, so each
    // cell snaps to its glyph and gaps (faint or missing glyphs) get evenly spaced cells.
    std::vector<float> centres2;
    std::vector<float> pitches;
    std::vector<std::uint8_t> backed;
    // A normalised capture (known resolution) has one pitch; a photographed crop may vary by half.
    const bool knownScale = options.pixelsPerMm > 0;
    const float minLocal = (knownScale ? 0.85F : 0.6F) * pitch;
    const float maxLocal = (knownScale ? 1.15F : 1.6F) * pitch;
    float local = pitch;
    float cur = units.front();
    centres2.push_back(cur);
    pitches.push_back(local);
    backed.push_back(1);
    for (std::size_t u = 1; u < units.size() && centres2.size() < kMaxCells; ++u) {
        const float ratio = (units[u] - cur) / local;
        if (ratio < 0.5F)
            continue; // a piece of the glyph just placed
        // Nothing is inked between two units, and an MRZ has no blank cells: lean towards fewer, wider
        // steps, which lets the local pitch follow perspective; a whole blank pitch still counts as a cell.
        const int steps = std::max(1, static_cast<int>(std::floor(ratio + 0.25F)));
        const float step = (units[u] - cur) / static_cast<float>(steps);
        if (steps == 1)
            local = std::clamp(0.6F * local + 0.4F * step, minLocal, maxLocal);
        for (int s = 1; s < steps && centres2.size() < kMaxCells; ++s) {
            centres2.push_back(cur + step * static_cast<float>(s));
            pitches.push_back(local);
            backed.push_back(0);
        }
        cur = units[u];
        centres2.push_back(cur);
        pitches.push_back(local);
        backed.push_back(1);
    }
    std::size_t first = 0;
    std::size_t count = centres2.size();
    const auto expected = static_cast<std::size_t>(std::max(0, options.expectedLineLength));
    if (expected > 0 && count > expected) {
        // Keep the run of `expected` cells holding the most glyphs (drops specks and neighbouring print).
        std::size_t bestHits = 0;
        for (std::size_t s = 0; s + expected <= count; ++s) {
            const auto hits = static_cast<std::size_t>(
                std::count(backed.begin() + static_cast<std::ptrdiff_t>(s),
                           backed.begin() + static_cast<std::ptrdiff_t>(s + expected), std::uint8_t{1}));
            if (hits > bestHits) {
                bestHits = hits;
                first = s;
            }
        }
        count = expected;
    }
    geo.centres.assign(centres2.begin() + static_cast<std::ptrdiff_t>(first),
                       centres2.begin() + static_cast<std::ptrdiff_t>(first + count));
    geo.pitches.assign(pitches.begin() + static_cast<std::ptrdiff_t>(first),
                       pitches.begin() + static_cast<std::ptrdiff_t>(first + count));

    // Centre line through full-height glyphs, tolerating a slight skew.
    double sx = 0;
    double sy = 0;
    double sxx = 0;
    double sxy = 0;
    double cnt = 0;
    for (const auto& b : blobs) {
        if (static_cast<float>(b.height()) >= 0.8F * charH && single(b)) {
            const double x = b.centreX();
            const double y = b.centreY();
            sx += x;
            sy += y;
            sxx += x * x;
            sxy += x * y;
            cnt += 1;
        }
    }
    float slope = 0;
    float y0 = 0.5F * static_cast<float>(rows.start + rows.end);
    if (cnt >= 1) {
        const double det = cnt * sxx - sx * sx;
        if (cnt >= 3 && det > 1e-6)
            slope = static_cast<float>(std::clamp((cnt * sxy - sx * sy) / det, -0.1, 0.1));
        y0 = static_cast<float>((sy - slope * sx) / cnt);
    }

    geo.pitch = pitch;
    geo.count = static_cast<int>(count);
    geo.yAtZero = y0;
    geo.slope = slope;
    geo.charHeight = charH;
    geo.glyphWidth = medW;
    return geo;
}

void cellFeatures(const InkMaps& maps, const LineGeometry& geo, int k, GlyphFeatures& out, cv::Rect& box)
{
    const auto ki = static_cast<std::size_t>(k);
    const float p = geo.pitches[ki];
    const float h = geo.charHeight;
    float cx = geo.centres[ki];
    float cy = geo.yAtZero + geo.slope * cx;
    const int cols = maps.mask.cols;
    const int rowsN = maps.mask.rows;

    // Ink extent near the lattice position: recentres on the glyph (jitter, pitch error along the line).
    const int sx0 = std::clamp(static_cast<int>(std::floor(cx - 0.45F * p)), 0, cols);
    const int sx1 = std::clamp(static_cast<int>(std::ceil(cx + 0.45F * p)), 0, cols);
    const int sy0 = std::clamp(static_cast<int>(std::floor(cy - 0.6F * h)), 0, rowsN);
    const int sy1 = std::clamp(static_cast<int>(std::ceil(cy + 0.6F * h)), 0, rowsN);
    int l = sx1;
    int r = sx0 - 1;
    int t = sy1;
    int b = sy0 - 1;
    for (int y = sy0; y < sy1; ++y) {
        const auto* m = maps.mask.ptr<std::uint8_t>(y);
        for (int x = sx0; x < sx1; ++x) {
            if (m[x] != 0) {
                l = std::min(l, x);
                r = std::max(r, x);
                t = std::min(t, y);
                b = std::max(b, y);
            }
        }
    }
    float extW = 0;
    float extH = 0;
    float offY = 0;
    if (r >= l) {
        extW = static_cast<float>(r - l + 1);
        extH = static_cast<float>(b - t + 1);
        const float ecx = 0.5F * static_cast<float>(l + r + 1);
        const float ecy = 0.5F * static_cast<float>(t + b + 1);
        offY = (ecy - cy) / h;
        cx += std::clamp(ecx - cx, -0.2F * p, 0.2F * p);
        if (extH >= 0.7F * h)
            cy += std::clamp(ecy - cy, -0.25F * h, 0.25F * h);
    }

    const float winH = kCellHeightRatio * h;
    box = cv::Rect(
        static_cast<int>(std::lround(cx - 0.5F * p)), static_cast<int>(std::lround(cy - 0.5F * winH)),
        std::max(1, static_cast<int>(std::lround(p))), std::max(1, static_cast<int>(std::lround(winH))));
    // Zero padding where the window leaves the image (cells at the crop edge).
    cv::Mat window(box.height, box.width, CV_32F, cv::Scalar(0));
    const cv::Rect inside = box & cv::Rect(0, 0, cols, rowsN);
    if (inside.area() > 0)
        maps.ink(inside).copyTo(
            window(cv::Rect(inside.x - box.x, inside.y - box.y, inside.width, inside.height)));
    cv::Mat grid(kGridHeight, kGridWidth, CV_32F, out.data());
    cv::resize(window, grid, grid.size(), 0, 0, cv::INTER_AREA);
    out[kGridWidth * kGridHeight + 0] = extW / p;
    out[kGridWidth * kGridHeight + 1] = extH / h;
    out[kGridWidth * kGridHeight + 2] = offY;
}

} // namespace gw::vision::ocr
