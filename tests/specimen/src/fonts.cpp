// SPDX-License-Identifier: Apache-2.0
// Font files (OCR-B, DejaVu, Liberation) through cv::freetype, rendered to anti-aliased coverage masks.
#include "fonts.h"

#include <cmath>
#include <filesystem>
#include <map>
#include <string>

#include <opencv2/freetype.hpp>
#include <opencv2/imgproc.hpp>

namespace gw::specimen {
namespace {

struct FontInfo {
    std::string_view path;
    std::string_view name;
};

FontInfo info(FontId font) noexcept
{
    switch (font) {
    case FontId::OcrB:
        return {"/usr/share/fonts/opentype/ocr-b/OCRB.otf", "OCR-B"};
    case FontId::DejaVuSans:
        return {"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "DejaVu Sans"};
    case FontId::DejaVuSansBold:
        return {"/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", "DejaVu Sans Bold"};
    case FontId::DejaVuSansCondensed:
        return {"/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf", "DejaVu Sans Condensed"};
    case FontId::DejaVuSansMono:
        return {"/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf", "DejaVu Sans Mono"};
    case FontId::DejaVuSerif:
        return {"/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf", "DejaVu Serif"};
    case FontId::LiberationSans:
        return {"/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf", "Liberation Sans"};
    case FontId::LiberationSansBold:
        return {"/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf", "Liberation Sans Bold"};
    case FontId::LiberationSansNarrow:
        return {"/usr/share/fonts/truetype/liberation/LiberationSansNarrow-Regular.ttf",
                "Liberation Sans Narrow"};
    case FontId::LiberationMono:
        return {"/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf", "Liberation Mono"};
    case FontId::LiberationSerif:
        return {"/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf", "Liberation Serif"};
    }
    return {"", "unknown"};
}

// FreeType faces are expensive to open and not thread-safe, so each thread keeps its own.
gw::Result<cv::Ptr<cv::freetype::FreeType2>> face(FontId font)
{
    thread_local std::map<FontId, cv::Ptr<cv::freetype::FreeType2>> cache;
    if (auto it = cache.find(font); it != cache.end())
        return it->second;
    const std::string path(info(font).path);
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        return gw::fail(gw::Errc::Io, "font file missing: " + path +
                                          " (install fonts-ocr-b, fonts-dejavu-core, "
                                          "fonts-liberation)");
    try {
        auto ft = cv::freetype::createFreeType2();
        ft->loadFontData(path, 0);
        cache.emplace(font, ft);
        return ft;
    } catch (const cv::Exception& e) {
        return gw::fail(gw::Errc::Io, "cannot load font " + path + ": " + e.what());
    }
}

// FreeType2::putText places the baseline one em below the origin when bottomLeftOrigin is false
// (measured: the ink of 'H' ends exactly emPx rows below org.y for OCR-B, DejaVu and Liberation).
constexpr double kBaselineBelowOriginEm = 1.0;

} // namespace

std::string_view fontPath(FontId font) noexcept
{
    return info(font).path;
}
std::string_view fontName(FontId font) noexcept
{
    return info(font).name;
}

gw::Result<TextMask> renderText(FontId font, std::string_view utf8, double emPx)
{
    auto ft = face(font);
    if (!ft)
        return std::unexpected(ft.error());
    // FreeType sizes are whole pixels: the em is rounded (at most 0.5 px of glyph height). Positions stay
    // exact because callers place each string (each MRZ character) by its pen origin.
    const int em = std::max(4, static_cast<int>(std::lround(emPx)));
    try {
        const std::string text(utf8);
        int baseline = 0;
        const cv::Size size = (*ft)->getTextSize(text, em, -1, &baseline);
        const int margin = em / 2 + 2;
        cv::Mat canvas(em * 2 + 2 * margin, std::max(1, size.width) + em + 2 * margin, CV_8UC3,
                       cv::Scalar::all(0));
        const cv::Point org(margin, margin);
        (*ft)->putText(canvas, text, org, em, cv::Scalar::all(255), -1, cv::LINE_AA, false);
        cv::Mat coverage;
        cv::extractChannel(canvas, coverage, 0);
        const cv::Rect ink = cv::boundingRect(coverage);
        TextMask out;
        if (ink.area() == 0) {
            out.penPx = {0, 0};
            return out;
        }
        const cv::Point2d pen(org.x, org.y + kBaselineBelowOriginEm * em);
        out.coverage = coverage(ink).clone();
        out.penPx = pen - cv::Point2d(ink.tl());
        return out;
    } catch (const cv::Exception& e) {
        return gw::fail(gw::Errc::Internal, std::string("FreeType rendering failed: ") + e.what());
    }
}

gw::Result<double> capHeightPerEm(FontId font)
{
    thread_local std::map<FontId, double> cache;
    if (auto it = cache.find(font); it != cache.end())
        return it->second;
    constexpr int kProbeEm = 400;
    auto m = renderText(font, "H", kProbeEm);
    if (!m)
        return std::unexpected(m.error());
    const double v = static_cast<double>(m->coverage.rows) / kProbeEm;
    cache.emplace(font, v);
    return v;
}

gw::Result<double> advancePerEm(FontId font)
{
    thread_local std::map<FontId, double> cache;
    if (auto it = cache.find(font); it != cache.end())
        return it->second;
    constexpr int kProbeEm = 400;
    auto one = renderText(font, "H", kProbeEm);
    auto eleven = renderText(font, "HHHHHHHHHHH", kProbeEm);
    if (!one)
        return std::unexpected(one.error());
    if (!eleven)
        return std::unexpected(eleven.error());
    const double v = static_cast<double>(eleven->coverage.cols - one->coverage.cols) / 10.0 / kProbeEm;
    cache.emplace(font, v);
    return v;
}

} // namespace gw::specimen
