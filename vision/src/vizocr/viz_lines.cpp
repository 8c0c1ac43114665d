// SPDX-License-Identifier: Apache-2.0
// Finds the printed text items of the visual zone with plain image processing (no OCR).
#include <algorithm>
#include <cmath>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "vizocr/viz_text.h"

namespace gw::vision::vizocr {
namespace {

constexpr double kMinCharMm = 0.5; // smaller marks are dust, noise or microprint
constexpr double kMaxCharMm = 7.0; // taller ones are portrait or artwork, not personal data
constexpr double kMaxCharWidthMm = 12.0;
constexpr double kMinInkContrast = 35;     // [grey levels] weaker is background print or paper texture
constexpr double kValueShareOfCap = 0.55;  // labels are printed at about half the data's height
constexpr double kCaptionShareOfCap = 0.2; // of the value height: caption x-heights (Surname) reach 0.3

double percentile(std::vector<double> v, double q)
{
    if (v.empty())
        return 0;
    const auto k = static_cast<std::size_t>(std::clamp(q, 0.0, 1.0) * static_cast<double>(v.size() - 1));
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
    return v[k];
}

} // namespace

TextLayer findText(const cv::Mat& grey, cv::Rect roi, double pixelsPerMm)
{
    TextLayer layer;
    roi &= cv::Rect(0, 0, grey.cols, grey.rows);
    layer.roi = roi;
    if (roi.width < 8 || roi.height < 8 || pixelsPerMm <= 0)
        return layer;
    const cv::Mat page = grey(roi);
    // Ink is darker than its surroundings; a grey closing wider than any stroke gives the local paper
    // level, so glare, vignetting and background tints drop out of the difference.
    const int k = std::max(3, static_cast<int>(std::lround(1.2 * pixelsPerMm)) | 1);
    cv::Mat paper;
    cv::morphologyEx(page, paper, cv::MORPH_CLOSE, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(k, k)));
    cv::Mat contrast;
    cv::subtract(paper, page, contrast);
    cv::Mat bin;
    const double otsu = cv::threshold(contrast, bin, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU);
    if (otsu < kMinInkContrast)
        cv::threshold(contrast, bin, kMinInkContrast, 255, cv::THRESH_BINARY);
    // Ink image for the reader: full ink (the 99th percentile of contrast) maps to black.
    {
        cv::Mat hist;
        const int channels[] = {0};
        const int bins[] = {256};
        const float range[] = {0, 256};
        const float* ranges[] = {range};
        cv::calcHist(&contrast, 1, channels, cv::Mat(), hist, 1, bins, ranges);
        const double total = static_cast<double>(contrast.total());
        double acc = 0;
        int full = 255;
        for (int i = 255; i > 0; --i) {
            acc += hist.at<float>(i);
            if (acc >= 0.01 * total) {
                full = i;
                break;
            }
        }
        const double scale = 255.0 / std::max(full, 60);
        contrast.convertTo(layer.ink, CV_8U, -scale, 255.0);
    }

    cv::Mat labels, stats, centroids;
    const int n = cv::connectedComponentsWithStats(bin, labels, stats, centroids, 8, CV_32S);
    const double minH = kMinCharMm * pixelsPerMm, maxH = kMaxCharMm * pixelsPerMm;
    const double maxW = kMaxCharWidthMm * pixelsPerMm;
    std::vector<char> isChar(static_cast<std::size_t>(n), 0);
    std::vector<double> heights;
    for (int i = 1; i < n; ++i) {
        const int h = stats.at<int>(i, cv::CC_STAT_HEIGHT), w = stats.at<int>(i, cv::CC_STAT_WIDTH);
        const int area = stats.at<int>(i, cv::CC_STAT_AREA);
        if (h >= minH && h <= maxH && w <= maxW && area >= 6 && area <= 0.9 * w * h + 4) {
            isChar[static_cast<std::size_t>(i)] = 1;
            heights.push_back(h);
        }
    }
    if (heights.empty())
        return layer;
    // The personal data is the largest common print of the zone; labels are smaller.
    layer.referenceCapPx = percentile(heights, 0.9);
    const double ref = layer.referenceCapPx;

    cv::Mat chars = cv::Mat::zeros(bin.size(), CV_8UC1);
    for (int y = 0; y < labels.rows; ++y) {
        const int* l = labels.ptr<int>(y);
        std::uint8_t* c = chars.ptr<std::uint8_t>(y);
        for (int x = 0; x < labels.cols; ++x)
            if (l[x] > 0 && isChar[static_cast<std::size_t>(l[x])])
                c[x] = 255;
    }
    // Join characters into items across gaps up to about one cap height (word spaces), not across the
    // wider gaps between the columns of fields.
    const int gap = std::max(3, static_cast<int>(std::lround(1.4 * ref)));
    cv::Mat joined;
    cv::dilate(chars, joined, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(gap, 1)));
    cv::Mat itemLabels, itemStats, itemCentroids;
    const int m = cv::connectedComponentsWithStats(joined, itemLabels, itemStats, itemCentroids, 8, CV_32S);
    std::vector<std::vector<double>> members(static_cast<std::size_t>(m));
    std::vector<cv::Rect> boxes(static_cast<std::size_t>(m));
    for (int i = 1; i < n; ++i) {
        if (!isChar[static_cast<std::size_t>(i)])
            continue;
        const cv::Rect r(stats.at<int>(i, cv::CC_STAT_LEFT), stats.at<int>(i, cv::CC_STAT_TOP),
                         stats.at<int>(i, cv::CC_STAT_WIDTH), stats.at<int>(i, cv::CC_STAT_HEIGHT));
        // A character's centre row lies inside its own item.
        const cv::Point c(r.x + r.width / 2, r.y + r.height / 2);
        int item = itemLabels.at<int>(c);
        if (item <= 0)
            item = itemLabels.at<int>(r.y + r.height / 2, r.x);
        if (item <= 0)
            continue;
        auto& box = boxes[static_cast<std::size_t>(item)];
        box = box.area() == 0 ? r : (box | r);
        members[static_cast<std::size_t>(item)].push_back(r.height);
    }
    for (int i = 1; i < m; ++i) {
        auto& hs = members[static_cast<std::size_t>(i)];
        if (hs.empty())
            continue;
        const double cap = percentile(hs, 0.5);
        const cv::Rect box = boxes[static_cast<std::size_t>(i)];
        if (cap < kCaptionShareOfCap * ref || box.height > 2.2 * cap || box.width < 0.3 * cap)
            continue;
        TextItem item;
        item.boxPx = box + roi.tl();
        item.capHeightPx = cap;
        item.characters = static_cast<int>(hs.size());
        (cap < kValueShareOfCap * ref ? layer.captions : layer.items).push_back(item);
    }
    const auto readingOrder = [](const TextItem& a, const TextItem& b) {
        const int ay = a.boxPx.y + a.boxPx.height / 2, by = b.boxPx.y + b.boxPx.height / 2;
        if (std::abs(ay - by) > std::min(a.boxPx.height, b.boxPx.height) / 2)
            return ay < by;
        return a.boxPx.x < b.boxPx.x;
    };
    std::ranges::sort(layer.items, readingOrder);
    std::ranges::sort(layer.captions, readingOrder);
    return layer;
}

cv::Mat itemImage(const TextLayer& layer, const TextItem& item, double targetCapPx, double padCaps)
{
    // The ink is copied with a small margin only, so that a wider white border adds no neighbouring print.
    const int inkPad = std::max(2, static_cast<int>(std::lround(0.4 * item.capHeightPx)));
    const int pad =
        std::max(inkPad, static_cast<int>(std::lround(std::clamp(padCaps, 0.0, 3.0) * item.capHeightPx)));
    const cv::Rect box = item.boxPx - layer.roi.tl();
    const cv::Rect r(box.x - pad, box.y - pad, box.width + 2 * pad, box.height + 2 * pad);
    const cv::Rect inkArea(box.x - inkPad, box.y - inkPad, box.width + 2 * inkPad, box.height + 2 * inkPad);
    const cv::Rect inside = inkArea & cv::Rect(0, 0, layer.ink.cols, layer.ink.rows);
    cv::Mat out(r.size(), CV_8UC1, cv::Scalar(255));
    if (inside.area() > 0)
        layer.ink(inside).copyTo(out(inside - r.tl()));
    const double f = std::clamp(targetCapPx / std::max(1.0, item.capHeightPx), 0.25, 4.0);
    cv::Mat scaled;
    cv::resize(out, scaled, cv::Size(), f, f, f < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
    return scaled;
}

} // namespace gw::vision::vizocr
