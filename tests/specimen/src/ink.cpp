// SPDX-License-Identifier: Apache-2.0
// The document as three registered layers (white, IR, UV) and inks that look different under each light.
#include "ink.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include <opencv2/imgproc.hpp>

namespace gw::specimen {
namespace {

// cv drawing functions take integer points; 8 fractional bits keep strokes sub-pixel exact.
constexpr int kShift = 8;
constexpr double kShiftScale = 1 << kShift;

std::vector<cv::Point> fixedPoint(const Layers& layers, const std::vector<cv::Point2d>& pointsMm)
{
    std::vector<cv::Point> out;
    out.reserve(pointsMm.size());
    for (const auto& p : pointsMm) {
        const cv::Point2d q = layers.px(p);
        out.emplace_back(static_cast<int>(std::lround(q.x * kShiftScale)),
                         static_cast<int>(std::lround(q.y * kShiftScale)));
    }
    return out;
}

template <int N>
void blendInto(cv::Mat& dst, const cv::Mat& coverage, cv::Rect dstRect, cv::Point srcOffset,
               const cv::Scalar& colour, double opacity)
{
    const int scale = static_cast<int>(std::lround(std::clamp(opacity, 0.0, 1.0) * 256.0));
    int c[3];
    for (int k = 0; k < N; ++k)
        c[k] = static_cast<int>(std::lround(std::clamp(colour[k], 0.0, 255.0)));
    for (int y = 0; y < dstRect.height; ++y) {
        const auto* a = coverage.ptr<std::uint8_t>(y + srcOffset.y) + srcOffset.x;
        auto* d = dst.ptr<std::uint8_t>(y + dstRect.y) + static_cast<std::ptrdiff_t>(dstRect.x) * N;
        for (int x = 0; x < dstRect.width; ++x) {
            const int alpha = (a[x] * scale) >> 8; // 0..255
            if (alpha == 0)
                continue;
            for (int k = 0; k < N; ++k) {
                const int v = d[x * N + k];
                d[x * N + k] = static_cast<std::uint8_t>((v * (255 - alpha) + c[k] * alpha + 127) / 255);
            }
        }
    }
}

} // namespace

void stamp(Layers& layers, const cv::Mat& coverage, cv::Point topLeftPx, const Ink& ink, double opacity)
{
    if (coverage.empty())
        return;
    const cv::Rect page(0, 0, layers.white.cols, layers.white.rows);
    const cv::Rect dst = cv::Rect(topLeftPx, coverage.size()) & page;
    if (dst.area() == 0)
        return;
    const cv::Point srcOffset = dst.tl() - topLeftPx;
    if (ink.white)
        blendInto<3>(layers.white, coverage, dst, srcOffset, *ink.white, opacity);
    if (ink.ir)
        blendInto<1>(layers.ir, coverage, dst, srcOffset, cv::Scalar::all(*ink.ir), opacity);
    if (ink.uv)
        blendInto<3>(layers.uv, coverage, dst, srcOffset, *ink.uv, opacity);
}

void stroke(Layers& layers, const std::vector<cv::Point2d>& pointsMm, double widthMm, const Ink& ink,
            bool closed)
{
    if (pointsMm.size() < 2)
        return;
    const std::vector<std::vector<cv::Point>> polys{fixedPoint(layers, pointsMm)};
    const int thickness = std::max(1, static_cast<int>(std::lround(layers.len(widthMm))));
    if (ink.white)
        cv::polylines(layers.white, polys, closed, *ink.white, thickness, cv::LINE_AA, kShift);
    if (ink.ir)
        cv::polylines(layers.ir, polys, closed, cv::Scalar::all(*ink.ir), thickness, cv::LINE_AA, kShift);
    if (ink.uv)
        cv::polylines(layers.uv, polys, closed, *ink.uv, thickness, cv::LINE_AA, kShift);
}

void fill(Layers& layers, const std::vector<cv::Point2d>& pointsMm, const Ink& ink)
{
    if (pointsMm.size() < 3)
        return;
    const std::vector<std::vector<cv::Point>> polys{fixedPoint(layers, pointsMm)};
    if (ink.white)
        cv::fillPoly(layers.white, polys, *ink.white, cv::LINE_AA, kShift);
    if (ink.ir)
        cv::fillPoly(layers.ir, polys, cv::Scalar::all(*ink.ir), cv::LINE_AA, kShift);
    if (ink.uv)
        cv::fillPoly(layers.uv, polys, *ink.uv, cv::LINE_AA, kShift);
}

std::vector<cv::Point2d> ellipseMm(cv::Point2d centreMm, cv::Size2d halfAxesMm, double angleDeg, int segments)
{
    std::vector<cv::Point2d> out;
    out.reserve(static_cast<std::size_t>(segments));
    const double a = angleDeg * std::numbers::pi / 180.0;
    for (int i = 0; i < segments; ++i) {
        const double t = 2.0 * std::numbers::pi * i / segments;
        const double x = halfAxesMm.width * std::cos(t);
        const double y = halfAxesMm.height * std::sin(t);
        out.emplace_back(centreMm.x + x * std::cos(a) - y * std::sin(a),
                         centreMm.y + x * std::sin(a) + y * std::cos(a));
    }
    return out;
}

std::vector<cv::Point2d> rectMm(double x, double y, double w, double h)
{
    return {{x, y}, {x + w, y}, {x + w, y + h}, {x, y + h}};
}

} // namespace gw::specimen
