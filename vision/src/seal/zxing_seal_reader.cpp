// SPDX-License-Identifier: Apache-2.0
// ZXing adapter: DataMatrix/QR Code reading with raw bytes, plus a crop fallback for busy backgrounds.
// ZXing 1.4 warns unless text() is asked to be UTF-8; we only use bytes().
#define ZX_USE_UTF8 1

#include <algorithm>
#include <cstdint>
#include <exception>
#include <string>
#include <vector>

#include <ZXing/ReadBarcode.h>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <gw/vision/seal.h>

namespace gw::vision {
namespace {

constexpr int kMinBarcodeSidePx = 20;
constexpr std::size_t kMaxCandidates = 8;
constexpr double kCropMarginFraction = 0.2;

ZXing::DecodeHints hints()
{
    ZXing::DecodeHints h;
    h.setFormats(ZXing::BarcodeFormat::DataMatrix | ZXing::BarcodeFormat::QRCode);
    h.setTryHarder(true);
    // DataMatrix and QR detectors find any orientation; tryRotate only re-runs them on rotated copies
    // when nothing is found: on a 1250x880 page without a seal that cost 31 ms instead of 5.5 ms.
    h.setTryRotate(false);
    h.setTryDownscale(true);
    h.setMaxNumberOfSymbols(8);
    return h;
}

void collect(const ZXing::Results& results, int offsetX, int offsetY, std::vector<DecodedBarcode>& out)
{
    for (const auto& r : results) {
        if (!r.isValid())
            continue;
        DecodedBarcode b;
        b.format =
            r.format() == ZXing::BarcodeFormat::QRCode ? BarcodeFormat::QrCode : BarcodeFormat::DataMatrix;
        // bytes() is the content before any character-set conversion: a seal's binary stays intact.
        const auto& bytes = r.bytes();
        b.bytes.assign(bytes.begin(), bytes.end());
        const auto& pos = r.position();
        const ZXing::PointI pts[4] = {pos.topLeft(), pos.topRight(), pos.bottomRight(), pos.bottomLeft()};
        for (std::size_t i = 0; i < 4; ++i)
            b.corners[i] =
                PointPx{static_cast<double>(pts[i].x + offsetX), static_cast<double>(pts[i].y + offsetY)};
        const bool duplicate = std::any_of(out.begin(), out.end(), [&](const DecodedBarcode& o) {
            return o.format == b.format && o.bytes == b.bytes;
        });
        if (!duplicate)
            out.push_back(std::move(b));
    }
}

/// Square, dark, solid blobs the size of a barcode: where a DataMatrix on a guilloche may be.
std::vector<cv::Rect> candidateRegions(const cv::Mat& gray)
{
    const int minSide = std::min(gray.cols, gray.rows);
    cv::Mat dark;
    cv::threshold(gray, dark, 0, 255, cv::THRESH_BINARY_INV | cv::THRESH_OTSU);
    // A kernel of ~1/80 of the image bridges the light modules of a seal (module pitch 0.3-0.4 mm on
    // 40-60 mm wide stickers) but not the gaps between printed words.
    const int k = std::max(3, minSide / 80);
    const cv::Mat kernel = cv::getStructuringElement(cv::MORPH_RECT, {k, k});
    cv::morphologyEx(dark, dark, cv::MORPH_CLOSE, kernel);
    cv::morphologyEx(dark, dark, cv::MORPH_OPEN, kernel);
    std::vector<std::vector<cv::Point>> contours;
    cv::findContours(dark, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
    std::vector<std::pair<double, cv::Rect>> scored;
    const double imageArea = static_cast<double>(gray.cols) * gray.rows;
    for (const auto& c : contours) {
        const cv::Rect r = cv::boundingRect(c);
        if (r.width < kMinBarcodeSidePx || r.height < kMinBarcodeSidePx)
            continue;
        const double aspect = static_cast<double>(r.width) / r.height;
        const double fill = cv::contourArea(c) / r.area();
        if (aspect < 0.5 || aspect > 2.0 || fill < 0.6 || r.area() > 0.6 * imageArea)
            continue;
        scored.emplace_back(r.area() * fill, r);
    }
    std::sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    std::vector<cv::Rect> out;
    for (std::size_t i = 0; i < scored.size() && i < kMaxCandidates; ++i) {
        cv::Rect r = scored[i].second;
        const int mx = static_cast<int>(r.width * kCropMarginFraction);
        const int my = static_cast<int>(r.height * kCropMarginFraction);
        r = cv::Rect(r.x - mx, r.y - my, r.width + 2 * mx, r.height + 2 * my) &
            cv::Rect(0, 0, gray.cols, gray.rows);
        out.push_back(r);
    }
    return out;
}

} // namespace

Result<std::vector<DecodedBarcode>> findSealBarcodes(ImageView image)
{
    if (!image.valid())
        return fail(Errc::InvalidArgument,
                    "findSealBarcodes: image view is empty or its stride is too small");
    try {
        const auto zxFormat =
            image.format == PixelFormat::Bgr8 ? ZXing::ImageFormat::BGR : ZXing::ImageFormat::Lum;
        const ZXing::ImageView view(image.data, image.width, image.height, zxFormat, image.strideBytes);
        std::vector<DecodedBarcode> found;
        collect(ZXing::ReadBarcodes(view, hints()), 0, 0, found);
        if (!found.empty())
            return found;

        // OpenCV only reads the pixels; the const_cast never leads to a write.
        const cv::Mat src(image.height, image.width, image.format == PixelFormat::Bgr8 ? CV_8UC3 : CV_8UC1,
                          const_cast<std::uint8_t*>(image.data), static_cast<std::size_t>(image.strideBytes));
        cv::Mat gray;
        if (image.format == PixelFormat::Bgr8)
            cv::cvtColor(src, gray, cv::COLOR_BGR2GRAY);
        else
            gray = src;
        for (const cv::Rect& r : candidateRegions(gray)) {
            const cv::Mat crop = gray(r);
            const ZXing::ImageView cropView(crop.data, crop.cols, crop.rows, ZXing::ImageFormat::Lum,
                                            static_cast<int>(crop.step));
            collect(ZXing::ReadBarcodes(cropView, hints()), r.x, r.y, found);
        }
        return found;
    } catch (const cv::Exception& e) {
        return fail(Errc::Internal, std::string("OpenCV failed while looking for seals: ") + e.what());
    } catch (const std::exception& e) {
        return fail(Errc::Internal, std::string("ZXing failed while reading barcodes: ") + e.what());
    }
}

} // namespace gw::vision
