// SPDX-License-Identifier: Apache-2.0
#include "locate/mrz_finder.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace gw::vision::locate {
namespace {

constexpr int kWorkLongSidePx = 1000;  // enough for an MRZ line of 30+ characters to stay resolved
constexpr double kMinLineAspect = 8.0; // an MRZ line is ~25:1; two or three merged lines ~8:1 or more

double normAngle(double a)
{
    while (a > 90)
        a -= 180;
    while (a <= -90)
        a += 180;
    return a;
}

// A rotated rect with its width along its long side and the angle of that side.
cv::RotatedRect longSideFirst(cv::RotatedRect r)
{
    if (r.size.width < r.size.height) {
        std::swap(r.size.width, r.size.height);
        r.angle += 90;
    }
    r.angle = float(normAngle(r.angle));
    return r;
}

} // namespace

std::vector<MrzCandidate> findMrzCandidates(const cv::Mat& frame)
{
    const double scale = std::min(1.0, kWorkLongSidePx / double(std::max(frame.cols, frame.rows)));
    cv::Mat gray;
    if (frame.channels() == 3)
        cv::cvtColor(frame, gray, cv::COLOR_BGR2GRAY);
    else
        gray = frame;
    cv::Mat small;
    cv::resize(gray, small, cv::Size(), scale, scale, cv::INTER_AREA);

    // Dark strokes on light ground, then horizontal-ish smearing into line blobs. The kernels are
    // relative to the working size: an MRZ spans a large share of the page's width.
    const int unit = std::max(3, small.cols / 200);
    cv::Mat blackhat;
    cv::morphologyEx(small, blackhat, cv::MORPH_BLACKHAT,
                     cv::getStructuringElement(cv::MORPH_RECT, cv::Size(unit * 3, unit * 3)));
    cv::Mat bin;
    cv::threshold(blackhat, bin, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU);
    std::vector<MrzCandidate> out;
    // Lines may be tilted: smear with a square-ish kernel first, then keep elongated blobs.
    cv::Mat merged;
    cv::morphologyEx(bin, merged, cv::MORPH_CLOSE,
                     cv::getStructuringElement(cv::MORPH_RECT, cv::Size(unit * 2, unit * 2)));
    cv::morphologyEx(merged, merged, cv::MORPH_OPEN,
                     cv::getStructuringElement(cv::MORPH_RECT, cv::Size(unit, unit)));
    std::vector<std::vector<cv::Point>> contours;
    cv::findContours(merged, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
    std::vector<cv::RotatedRect> lines;
    for (const auto& c : contours) {
        if (c.size() < 5)
            continue;
        const auto r = longSideFirst(cv::minAreaRect(c));
        if (r.size.height < 2 || r.size.width < 0.25 * small.cols * 0.5)
            continue;
        if (r.size.width / r.size.height < kMinLineAspect * 0.5)
            continue;
        // A text line is well filled: blob area over its box.
        if (cv::contourArea(c) < 0.45 * double(r.size.area()))
            continue;
        lines.push_back(r);
    }
    // Group parallel lines of similar length that sit one above the other.
    std::ranges::sort(lines, [](const auto& a, const auto& b) { return a.size.width > b.size.width; });
    std::vector<bool> used(lines.size(), false);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (used[i])
            continue;
        const auto& a = lines[i];
        const double rad = a.angle * CV_PI / 180.0;
        const cv::Point2f normal(float(-std::sin(rad)), float(std::cos(rad)));
        std::vector<cv::Point2f> pts;
        cv::Point2f corners[4];
        a.points(corners);
        pts.insert(pts.end(), corners, corners + 4);
        int members = 1;
        for (std::size_t j = i + 1; j < lines.size(); ++j) {
            const auto& b = lines[j];
            if (used[j] || std::abs(normAngle(a.angle - b.angle)) > 4 || b.size.width < 0.75 * a.size.width)
                continue;
            const cv::Point2f d = b.center - a.center;
            const double across = std::abs(d.dot(normal));
            const double along = std::abs(d.x * normal.y - d.y * normal.x);
            if (across > 4.0 * a.size.height * members || along > 0.2 * a.size.width)
                continue;
            used[j] = true;
            ++members;
            b.points(corners);
            pts.insert(pts.end(), corners, corners + 4);
        }
        auto box = longSideFirst(cv::minAreaRect(pts));
        if (box.size.width / std::max(1.0f, box.size.height) < 3.0)
            continue;
        MrzCandidate c;
        c.box = cv::RotatedRect(box.center / float(scale), box.size / float(scale), box.angle);
        c.score = double(members >= 2 && members <= 3 ? 2 : 1) + double(box.size.width) / double(small.cols);
        out.push_back(c);
    }
    std::ranges::sort(out, [](const auto& a, const auto& b) { return a.score > b.score; });
    if (out.size() > 3)
        out.resize(3);
    return out;
}

cv::Mat warpCandidate(const cv::Mat& frame, const MrzCandidate& c, double targetWidthPx, bool turned,
                      cv::Matx23d& bandToFrame)
{
    const double s = targetWidthPx / c.box.size.width; // band px per frame px
    const double marginX = 0.04 * c.box.size.width;
    const double marginY = 0.35 * c.box.size.height + 0.01 * c.box.size.width;
    const double w = c.box.size.width + 2 * marginX;
    const double h = c.box.size.height + 2 * marginY;
    const double rad = (c.box.angle + (turned ? 180.0 : 0.0)) * CV_PI / 180.0;
    const cv::Point2d ux(std::cos(rad), std::sin(rad));
    const cv::Point2d uy(-std::sin(rad), std::cos(rad));
    const cv::Point2d origin = cv::Point2d(c.box.center) - ux * (w / 2) - uy * (h / 2);
    // band (u, v) -> frame: origin + ux * u / s + uy * v / s
    bandToFrame = cv::Matx23d(ux.x / s, uy.x / s, origin.x, ux.y / s, uy.y / s, origin.y);
    cv::Mat band;
    cv::warpAffine(frame, band, cv::Mat(bandToFrame), cv::Size(int(w * s), int(h * s)),
                   cv::INTER_LINEAR | cv::WARP_INVERSE_MAP, cv::BORDER_REPLICATE);
    if (band.channels() == 3)
        cv::cvtColor(band, band, cv::COLOR_BGR2GRAY);
    return band;
}

} // namespace gw::vision::locate
