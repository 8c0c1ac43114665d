// SPDX-License-Identifier: Apache-2.0
// Public entry points of the MRZ line recogniser: input checks, exception containment, assembly of reads.
#include <algorithm>
#include <cmath>
#include <exception>
#include <new>
#include <string>

#include <opencv2/imgproc.hpp>

#include <gw/vision/mrz_ocr.h>

#include "ocr/line_segmenter.h"

namespace gw::vision {
namespace {

constexpr int kMinWidthPx = 16;
constexpr int kMinHeightPx = 8;
constexpr int kMaxCellsPerLine = 128; // 44 on a passport; more means this is no MRZ line
constexpr int kMaxLinesPerBand = 16;
constexpr double kMaxPixelsPerMm = 200.0;

Result<cv::Mat> toGray(const ImageView& image, const MrzOcrOptions& options)
{
    if (!image.valid())
        return fail(Errc::InvalidArgument,
                    "MRZ OCR: the image view is empty or its stride is shorter than a row");
    if (image.format != PixelFormat::Gray8 && image.format != PixelFormat::Bgr8)
        return fail(Errc::InvalidArgument, "MRZ OCR: pixel format must be Gray8 or Bgr8");
    if (image.width > kMrzOcrMaxSidePx || image.height > kMrzOcrMaxSidePx ||
        static_cast<long long>(image.width) * image.height > kMrzOcrMaxPixels)
        return fail(Errc::InvalidArgument, "MRZ OCR: image of " + std::to_string(image.width) + "x" +
                                               std::to_string(image.height) + " px exceeds the size limit");
    if (image.width < kMinWidthPx || image.height < kMinHeightPx)
        return fail(Errc::InvalidInput, "MRZ OCR: image of " + std::to_string(image.width) + "x" +
                                            std::to_string(image.height) +
                                            " px is too small to hold an MRZ line");
    if (!std::isfinite(options.pixelsPerMm) || options.pixelsPerMm < 0 ||
        options.pixelsPerMm > kMaxPixelsPerMm)
        return fail(Errc::InvalidArgument, "MRZ OCR: pixelsPerMm must be 0 (unknown) or in (0, 200]");
    const int len = options.expectedLineLength;
    if (len != 0 && len != 30 && len != 36 && len != 44)
        return fail(Errc::InvalidArgument,
                    "MRZ OCR: expectedLineLength must be 0, 30, 36 or 44, not " + std::to_string(len));
    // OpenCV wants a mutable pointer for a header; the view is only read.
    const int type = image.format == PixelFormat::Gray8 ? CV_8UC1 : CV_8UC3;
    const cv::Mat wrapped(image.height, image.width, type, const_cast<std::uint8_t*>(image.data),
                          static_cast<std::size_t>(image.strideBytes));
    cv::Mat gray;
    if (image.format == PixelFormat::Bgr8)
        cv::cvtColor(wrapped, gray, cv::COLOR_BGR2GRAY);
    else
        gray = wrapped;
    return gray;
}

// Boxes are found in the deskewed frame; their centres go back to the input (sizes kept: skew is small).
PixelBox toBox(const cv::Rect& r, const cv::Size& size, const cv::Matx23d& toInput)
{
    const double cx = r.x + 0.5 * r.width;
    const double cy = r.y + 0.5 * r.height;
    const double ix = toInput(0, 0) * cx + toInput(0, 1) * cy + toInput(0, 2);
    const double iy = toInput(1, 0) * cx + toInput(1, 1) * cy + toInput(1, 2);
    const cv::Rect moved(static_cast<int>(std::lround(ix - 0.5 * r.width)),
                         static_cast<int>(std::lround(iy - 0.5 * r.height)), r.width, r.height);
    const cv::Rect c = moved & cv::Rect(0, 0, size.width, size.height);
    return PixelBox{c.x, c.y, c.width, c.height};
}

Result<LineRead> readRows(const ocr::InkMaps& maps, const cv::Matx23d& toInput, cv::Range rows,
                          const MrzOcrOptions& options)
{
    LineRead line;
    const ocr::LineGeometry geo = ocr::fitLine(maps, rows, options);
    if (geo.count <= 0)
        return line;
    if (geo.count > kMaxCellsPerLine)
        return fail(Errc::InvalidInput, "MRZ OCR: a text line of " + std::to_string(geo.count) +
                                            " character cells is no MRZ line");
    line.pitchPx = geo.pitch;
    line.charHeightPx = geo.charHeight;
    line.minConfidence = 1.0F;
    line.chars.reserve(static_cast<std::size_t>(geo.count));
    line.text.reserve(static_cast<std::size_t>(geo.count));
    cv::Rect all;
    ocr::GlyphFeatures features{};
    for (int k = 0; k < geo.count; ++k) {
        cv::Rect cell;
        ocr::cellFeatures(maps, geo, k, features, cell);
        auto probs = ocr::classifyGlyph(features);
        if (!probs)
            return std::unexpected(probs.error());
        std::size_t best = 0;
        std::size_t second = 1;
        for (std::size_t c = 0; c < probs->size(); ++c) {
            if ((*probs)[c] > (*probs)[best]) {
                second = best;
                best = c;
            } else if (c != best && ((*probs)[c] > (*probs)[second] || second == best)) {
                second = c;
            }
        }
        CharRead read;
        read.best = ocr::kAlphabet[best];
        read.confidence = (*probs)[best];
        read.second = ocr::kAlphabet[second];
        read.secondConfidence = (*probs)[second];
        read.box = toBox(cell, maps.mask.size(), toInput);
        line.text.push_back(read.best);
        line.minConfidence = std::min(line.minConfidence, read.confidence);
        line.chars.push_back(read);
        all = (k == 0) ? cell : (all | cell);
    }
    line.box = toBox(all, maps.mask.size(), toInput);
    return line;
}

template <typename F>
auto guarded(F&& body) -> decltype(body())
{
    try {
        return body();
    } catch (const cv::Exception& e) {
        return fail(Errc::Internal, std::string("MRZ OCR: OpenCV failed: ") + e.what());
    } catch (const std::bad_alloc&) {
        return fail(Errc::Internal, "MRZ OCR: out of memory");
    } catch (const std::exception& e) {
        return fail(Errc::Internal, std::string("MRZ OCR: ") + e.what());
    }
}

} // namespace

Result<std::vector<LineRead>> readMrzBand(ImageView image, const MrzOcrOptions& options)
{
    return guarded([&]() -> Result<std::vector<LineRead>> {
        auto gray = toGray(image, options);
        if (!gray)
            return std::unexpected(gray.error());
        cv::Matx23d toInput;
        const ocr::InkMaps maps = ocr::computeInkUpright(*gray, toInput);
        const auto rows = ocr::findLineRows(maps, ocr::maxMrzLineHeightPx(options.pixelsPerMm));
        if (rows.size() > static_cast<std::size_t>(kMaxLinesPerBand))
            return fail(Errc::InvalidInput, "MRZ OCR: " + std::to_string(rows.size()) +
                                                " text lines found; an MRZ band has 2 or 3");
        std::vector<LineRead> lines;
        for (const auto& r : rows) {
            auto line = readRows(maps, toInput, r, options);
            if (!line)
                return std::unexpected(line.error());
            if (!line->text.empty())
                lines.push_back(std::move(*line));
        }
        return lines;
    });
}

Result<LineRead> readMrzLine(ImageView image, const MrzOcrOptions& options)
{
    return guarded([&]() -> Result<LineRead> {
        auto gray = toGray(image, options);
        if (!gray)
            return std::unexpected(gray.error());
        cv::Matx23d toInput;
        const ocr::InkMaps maps = ocr::computeInkUpright(*gray, toInput);
        const auto rows = ocr::findLineRows(maps, ocr::maxMrzLineHeightPx(options.pixelsPerMm));
        if (rows.empty())
            return LineRead{};
        // The line is the run with the most ink; others are neighbouring print or the crop's edge.
        cv::Range best = rows.front();
        double bestInk = -1;
        for (const auto& r : rows) {
            const double ink = cv::sum(maps.mask.rowRange(r))[0];
            if (ink > bestInk) {
                bestInk = ink;
                best = r;
            }
        }
        return readRows(maps, toInput, best, options);
    });
}

} // namespace gw::vision
