// SPDX-License-Identifier: Apache-2.0
#include "locate/document_locator.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <opencv2/imgproc.hpp>

namespace gw::vision::locate {
namespace {

constexpr double kCoarsePxPerMm = 2.0;      // page finding needs edges to ~0.5 mm, no more
constexpr int kCoarseLongSideUnknown = 480; // when the resolution is unknown
constexpr double kMinPageShare = 0.04;      // a page covers at least this share of the frame
constexpr double kBorderTouchPx = 2.0;      // a hull this close to the frame's edge is cut by it

} // namespace

std::optional<PageQuad> findPage(const cv::Mat& frame, double glassPixelsPerMm)
{
    const double scale =
        glassPixelsPerMm > 0
            ? std::min(1.0, kCoarsePxPerMm / glassPixelsPerMm)
            : std::min(1.0, kCoarseLongSideUnknown / double(std::max(frame.cols, frame.rows)));
    // Nearest-neighbour subsampling reads only the pixels it keeps: a 10 MP frame costs well under a
    // millisecond, where an area average would read all 30 MB. The blur below tames the aliasing.
    cv::Mat small;
    cv::resize(frame, small, cv::Size(), scale, scale, cv::INTER_NEAREST);
    cv::Mat gray;
    if (small.channels() == 3)
        cv::cvtColor(small, gray, cv::COLOR_BGR2GRAY);
    else
        gray = small;
    cv::GaussianBlur(gray, gray, cv::Size(5, 5), 0);

    cv::Mat mask;
    const double otsu = cv::threshold(gray, mask, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU);
    // The lid is dark and fairly uniform; an Otsu split that lands in it means no lid is visible.
    cv::Scalar meanAll = cv::mean(gray);
    if (otsu < 20 || cv::countNonZero(mask) > 0.97 * double(mask.total()) || meanAll[0] > 0.9 * 255)
        return std::nullopt;
    // Close the page's own dark print (portrait, text) so that the page is one blob.
    const int k = std::max(3, int(std::lround(3.0 * std::max(1.0, gray.cols / 320.0))));
    cv::morphologyEx(mask, mask, cv::MORPH_CLOSE, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(k, k)));
    cv::morphologyEx(mask, mask, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(3, 3)));

    std::vector<std::vector<cv::Point>> contours;
    cv::findContours(mask, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
    const std::vector<cv::Point>* best = nullptr;
    double bestArea = kMinPageShare * double(mask.total());
    for (const auto& c : contours) {
        const double a = cv::contourArea(c);
        if (a > bestArea) {
            bestArea = a;
            best = &c;
        }
    }
    if (best == nullptr)
        return std::nullopt;
    std::vector<cv::Point> hull;
    cv::convexHull(*best, hull);
    for (const auto& p : hull)
        if (p.x < kBorderTouchPx || p.y < kBorderTouchPx || p.x > mask.cols - 1 - kBorderTouchPx ||
            p.y > mask.rows - 1 - kBorderTouchPx)
            return std::nullopt; // cut by the frame: the edge we would measure is not the page's

    const cv::RotatedRect r = cv::minAreaRect(hull);
    cv::Point2f pts[4];
    r.points(pts);
    // Order: the long side horizontal, then top-left, top-right, bottom-right, bottom-left.
    const cv::Point2d c(r.center.x, r.center.y);
    double w = r.size.width;
    double h = r.size.height;
    double angle = r.angle;
    if (w < h) {
        std::swap(w, h);
        angle += 90.0;
    }
    while (angle > 90.0)
        angle -= 180.0;
    while (angle <= -90.0)
        angle += 180.0;
    const double rad = angle * CV_PI / 180.0;
    const cv::Point2d ux(std::cos(rad), std::sin(rad));  // along the long side
    const cv::Point2d uy(-std::sin(rad), std::cos(rad)); // down the short side
    PageQuad q;
    const double inv = 1.0 / scale;
    const cv::Point2d cf = c * inv;
    const double wf = w * inv;
    const double hf = h * inv;
    q.corners = {cf - ux * (wf / 2) - uy * (hf / 2), cf + ux * (wf / 2) - uy * (hf / 2),
                 cf + ux * (wf / 2) + uy * (hf / 2), cf - ux * (wf / 2) + uy * (hf / 2)};
    q.widthPx = wf;
    q.heightPx = hf;
    q.angleDeg = angle;
    return q;
}

PageQuad turned(const PageQuad& q)
{
    PageQuad t = q;
    t.corners = {q.corners[2], q.corners[3], q.corners[0], q.corners[1]};
    t.angleDeg = q.angleDeg > 0 ? q.angleDeg - 180.0 : q.angleDeg + 180.0;
    return t;
}

cv::Matx23d documentToFrame(const PageQuad& q, double widthMm, double pixelsPerMm)
{
    // Three corners fix the affine map; the scanner images a flat page, so no perspective.
    const double heightMm = widthMm * q.heightPx / q.widthPx;
    const cv::Point2f src[3] = {cv::Point2f(0, 0), cv::Point2f(float(widthMm * pixelsPerMm), 0),
                                cv::Point2f(0, float(heightMm * pixelsPerMm))};
    const cv::Point2f dst[3] = {cv::Point2f(q.corners[0]), cv::Point2f(q.corners[1]),
                                cv::Point2f(q.corners[3])};
    return cv::Matx23d(cv::getAffineTransform(src, dst));
}

cv::Mat warpRegion(const cv::Mat& frame, const cv::Matx23d& docToFrame, double pixelsPerMm, double x0Mm,
                   double y0Mm, double wMm, double hMm, int interpolation)
{
    // Shift the output origin to (x0, y0) mm: frame = A * (p + offset) + b.
    cv::Matx23d m = docToFrame;
    const double ox = x0Mm * pixelsPerMm;
    const double oy = y0Mm * pixelsPerMm;
    m(0, 2) += m(0, 0) * ox + m(0, 1) * oy;
    m(1, 2) += m(1, 0) * ox + m(1, 1) * oy;
    cv::Mat out;
    const cv::Size size(std::max(1, int(std::lround(wMm * pixelsPerMm))),
                        std::max(1, int(std::lround(hMm * pixelsPerMm))));
    cv::warpAffine(frame, out, cv::Mat(m), size, interpolation | cv::WARP_INVERSE_MAP, cv::BORDER_REPLICATE);
    return out;
}

} // namespace gw::vision::locate
