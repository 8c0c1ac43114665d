// SPDX-License-Identifier: Apache-2.0
#include "capture_files.h"

#include <fstream>
#include <sstream>
#include <system_error>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace gw::tools {
namespace fs = std::filesystem;
namespace {

vision::ImageView viewOf(const cv::Mat& m)
{
    return {m.data, m.cols, m.rows, int(m.step),
            m.channels() == 3 ? vision::PixelFormat::Bgr8 : vision::PixelFormat::Gray8};
}

std::optional<fs::path> findImage(const fs::path& dir, const std::string& stem)
{
    for (const char* ext : {".png", ".jpg", ".jpeg", ".PNG", ".JPG", ".JPEG"}) {
        const fs::path p = dir / (stem + ext);
        std::error_code ec;
        if (fs::is_regular_file(p, ec))
            return p;
    }
    return std::nullopt;
}

Result<cv::Mat> readImage(const fs::path& p, int flags)
{
    std::ifstream in(p, std::ios::binary);
    if (!in)
        return fail(Errc::Io, "cannot open " + p.string());
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (bytes.empty())
        return fail(Errc::InvalidInput, p.string() + " is empty");
    try {
        cv::Mat m = cv::imdecode(bytes, flags);
        if (m.empty())
            return fail(Errc::InvalidInput, p.string() + " is not a decodable PNG or JPEG image");
        if (m.cols > kMaxFrameSidePx || m.rows > kMaxFrameSidePx)
            return fail(Errc::InvalidInput, p.string() + " is " + std::to_string(m.cols) + "x" +
                                                std::to_string(m.rows) + " px, larger than a scanner frame");
        if (m.depth() != CV_8U)
            m.convertTo(m, CV_8U, 1.0 / 256.0);
        return m;
    } catch (const cv::Exception& e) {
        return fail(Errc::InvalidInput, p.string() + ": " + e.what());
    }
}

} // namespace

vision::CaptureSet LoadedCapture::captureSet() const
{
    vision::CaptureSet c;
    c.white = viewOf(white);
    if (!ir.empty())
        c.ir = viewOf(ir);
    if (!uv.empty())
        c.uv = viewOf(uv);
    c.pixelsPerMm = pixelsPerMm;
    return c;
}

Result<LoadedCapture> loadCapture(const fs::path& path)
{
    std::error_code ec;
    LoadedCapture out;
    if (fs::is_regular_file(path, ec)) {
        auto white = readImage(path, cv::IMREAD_COLOR);
        if (!white)
            return std::unexpected(white.error());
        out.white = std::move(*white);
        return out;
    }
    if (!fs::is_directory(path, ec))
        return fail(Errc::Io, path.string() + " is neither a capture folder nor an image file");
    const auto whitePath = findImage(path, "white");
    if (!whitePath)
        return fail(Errc::InvalidInput, path.string() + " holds no white.png / white.jpg");
    auto white = readImage(*whitePath, cv::IMREAD_COLOR);
    if (!white)
        return std::unexpected(white.error());
    out.white = std::move(*white);
    if (const auto p = findImage(path, "ir")) {
        auto ir = readImage(*p, cv::IMREAD_GRAYSCALE);
        if (!ir)
            return std::unexpected(ir.error());
        out.ir = std::move(*ir);
    }
    if (const auto p = findImage(path, "uv")) {
        auto uv = readImage(*p, cv::IMREAD_COLOR);
        if (!uv)
            return std::unexpected(uv.error());
        out.uv = std::move(*uv);
    }
    const fs::path meta = path / "capture.json";
    if (fs::is_regular_file(meta, ec)) {
        std::ifstream in(meta);
        const auto j = nlohmann::json::parse(in, nullptr, false);
        if (j.is_discarded() || !j.is_object())
            return fail(Errc::InvalidInput, meta.string() + " is not a JSON object");
        if (j.contains("pixels_per_mm")) {
            if (!j["pixels_per_mm"].is_number() || j["pixels_per_mm"].get<double>() <= 0 ||
                j["pixels_per_mm"].get<double>() > 200)
                return fail(Errc::InvalidInput,
                            meta.string() + ": pixels_per_mm must be a number in (0, 200]");
            out.pixelsPerMm = j["pixels_per_mm"].get<double>();
        }
    }
    for (const auto* m : {&out.ir, &out.uv})
        if (!m->empty() && m->size() != out.white.size())
            return fail(Errc::InvalidInput,
                        path.string() + ": the frames differ in size (lights must be registered)");
    return out;
}

} // namespace gw::tools
