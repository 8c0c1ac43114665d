// SPDX-License-Identifier: Apache-2.0
// Dark-frame subtraction and image encoding with OpenCV (imgproc, imgcodecs); exceptions stop here.
#include <algorithm>
#include <exception>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <gw/fw/frame_ops.h>

namespace gw::fw {
namespace {

bool consistent(const vision::Image& img) noexcept
{
    return img.width > 0 && img.height > 0 &&
           img.pixels.size() == static_cast<std::size_t>(img.width) * static_cast<std::size_t>(img.height) *
                                    static_cast<std::size_t>(vision::channels(img.format));
}

cv::Mat wrap(const vision::Image& img)
{
    // OpenCV wants a non-const pointer; the Mats made here are only read or written as the caller allows.
    return cv::Mat(img.height, img.width, img.format == vision::PixelFormat::Bgr8 ? CV_8UC3 : CV_8UC1,
                   const_cast<std::uint8_t*>(img.pixels.data()));
}

} // namespace

Result<void> subtractDark(vision::Image& frame, const vision::Image& dark)
{
    if (!consistent(frame) || !consistent(dark))
        return fail(Errc::InvalidArgument, "dark subtraction needs two non-empty, consistent frames");
    if (frame.width != dark.width || frame.height != dark.height)
        return fail(Errc::InvalidArgument,
                    "dark frame is " + std::to_string(dark.width) + "x" + std::to_string(dark.height) +
                        ", frame is " + std::to_string(frame.width) + "x" + std::to_string(frame.height));
    try {
        cv::Mat f = wrap(frame);
        cv::Mat d = wrap(dark);
        if (frame.format != dark.format) {
            cv::Mat converted;
            cv::cvtColor(d, converted,
                         frame.format == vision::PixelFormat::Bgr8 ? cv::COLOR_GRAY2BGR : cv::COLOR_BGR2GRAY);
            d = converted;
        }
        // cv::subtract on 8-bit data saturates at 0, which is the clamp wanted here.
        cv::subtract(f, d, f);
    } catch (const std::exception& e) {
        return fail(Errc::Internal, std::string("dark subtraction failed: ") + e.what());
    }
    return {};
}

Result<vision::Image> downscale(const vision::Image& image, double scale)
{
    if (!consistent(image))
        return fail(Errc::InvalidArgument, "cannot scale an empty or inconsistent image");
    if (!(scale > 0 && scale <= 1))
        return fail(Errc::InvalidArgument, "scale " + std::to_string(scale) + " is outside (0, 1]");
    vision::Image out;
    out.format = image.format;
    out.width = std::max(1, static_cast<int>(image.width * scale + 0.5));
    out.height = std::max(1, static_cast<int>(image.height * scale + 0.5));
    out.pixels.resize(static_cast<std::size_t>(out.width) * static_cast<std::size_t>(out.height) *
                      static_cast<std::size_t>(vision::channels(out.format)));
    try {
        cv::Mat src = wrap(image);
        // INTER_AREA is fast only for integer factors (measured: a 3780x2835 BGR frame to 0.51x took
        // ~150 ms, halving it ~15 ms), so halve while the factor allows and interpolate the rest.
        double left = scale;
        cv::Mat halved;
        while (left <= 0.5 && src.cols >= 2 && src.rows >= 2) {
            cv::resize(src, halved, cv::Size(src.cols / 2, src.rows / 2), 0, 0, cv::INTER_AREA);
            src = halved.clone();
            left *= 2.0;
        }
        cv::Mat dst = wrap(out);
        cv::resize(src, dst, dst.size(), 0, 0, left < 1.0 ? cv::INTER_LINEAR : cv::INTER_AREA);
    } catch (const std::exception& e) {
        return fail(Errc::Internal, std::string("scaling failed: ") + e.what());
    }
    return out;
}

Result<link::EncodedImage> encodeImage(const vision::Image& image, link::Light light,
                                       const ImageEncodingOptions& options)
{
    if (!consistent(image))
        return fail(Errc::InvalidArgument, "cannot encode an empty or inconsistent image");
    std::vector<int> params;
    std::string ext;
    if (options.encoding == link::ImageEncoding::Jpeg) {
        if (options.jpegQuality < 1 || options.jpegQuality > 100)
            return fail(Errc::InvalidArgument,
                        "JPEG quality " + std::to_string(options.jpegQuality) + " is outside 1..100");
        ext = ".jpg";
        params = {cv::IMWRITE_JPEG_QUALITY, options.jpegQuality};
    } else {
        if (options.pngCompression < 0 || options.pngCompression > 9)
            return fail(Errc::InvalidArgument,
                        "PNG compression " + std::to_string(options.pngCompression) + " is outside 0..9");
        ext = ".png";
        params = {cv::IMWRITE_PNG_COMPRESSION, options.pngCompression};
    }
    link::EncodedImage out;
    out.light = light;
    out.encoding = options.encoding;
    try {
        if (!cv::imencode(ext, wrap(image), out.bytes, params) || out.bytes.empty())
            return fail(Errc::Internal, "image encoder returned nothing");
    } catch (const std::exception& e) {
        return fail(Errc::Internal, std::string("image encoding failed: ") + e.what());
    }
    return out;
}

} // namespace gw::fw
