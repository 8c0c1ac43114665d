// SPDX-License-Identifier: Apache-2.0
// Capture folders <-> frames, with OpenCV imgcodecs; every OpenCV exception becomes an Error here.
#include <array>
#include <fstream>
#include <system_error>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <gw/emulator/capture_folder.h>

namespace gw::emulator {
namespace {

namespace fs = std::filesystem;

std::optional<fs::path> findImage(const fs::path& folder, std::string_view stem)
{
    for (const char* ext : {".png", ".jpg", ".jpeg"}) {
        fs::path p = folder / (std::string(stem) + ext);
        std::error_code ec;
        if (fs::is_regular_file(p, ec))
            return p;
    }
    return std::nullopt;
}

Result<vision::Image> readImage(const fs::path& file, vision::PixelFormat format)
{
    std::error_code ec;
    const auto size = fs::file_size(file, ec);
    if (ec)
        return fail(Errc::Io, "cannot read " + file.string() + ": " + ec.message());
    if (size > kMaxImageFileBytes)
        return fail(Errc::InvalidInput, file.string() + " has " + std::to_string(size) + " bytes, limit " +
                                            std::to_string(kMaxImageFileBytes));
    cv::Mat m;
    try {
        m = cv::imread(file.string(), cv::IMREAD_UNCHANGED);
        if (m.empty())
            return fail(Errc::InvalidInput, "cannot decode " + file.string());
        if (m.cols > kMaxFrameSidePx || m.rows > kMaxFrameSidePx)
            return fail(Errc::InvalidInput, file.string() + " is " + std::to_string(m.cols) + "x" +
                                                std::to_string(m.rows) + " px, limit " +
                                                std::to_string(kMaxFrameSidePx) + " per side");
        if (m.depth() != CV_8U) {
            cv::Mat c;
            m.convertTo(c, CV_8U, m.depth() == CV_16U ? 1.0 / 257.0 : 1.0);
            m = c;
        }
        const int want = format == vision::PixelFormat::Bgr8 ? 3 : 1;
        if (m.channels() != want) {
            cv::Mat c;
            if (want == 3)
                cv::cvtColor(m, c, m.channels() == 4 ? cv::COLOR_BGRA2BGR : cv::COLOR_GRAY2BGR);
            else
                cv::cvtColor(m, c, m.channels() == 4 ? cv::COLOR_BGRA2GRAY : cv::COLOR_BGR2GRAY);
            m = c;
        }
        if (!m.isContinuous())
            m = m.clone();
    } catch (const std::exception& e) {
        return fail(Errc::InvalidInput, "cannot decode " + file.string() + ": " + e.what());
    }
    vision::Image img;
    img.width = m.cols;
    img.height = m.rows;
    img.format = format;
    img.pixels.assign(m.data, m.data + m.total() * m.elemSize());
    return img;
}

Result<double> readPixelsPerMm(const fs::path& file)
{
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return fail(Errc::Io, "cannot open " + file.string());
    std::string text(64 * 1024 + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() > 64 * 1024)
        return fail(Errc::InvalidInput, file.string() + " is larger than 64 KiB");
    try {
        const auto j = nlohmann::json::parse(text);
        if (!j.is_object() || !j.contains("pixels_per_mm"))
            return 0.0;
        const auto& v = j.at("pixels_per_mm");
        if (!v.is_number() || !(v.get<double>() > 0 && v.get<double>() <= 200))
            return fail(Errc::InvalidInput, file.string() + ": pixels_per_mm must be a number in (0, 200]");
        return v.get<double>();
    } catch (const std::exception& e) {
        return fail(Errc::InvalidInput, file.string() + " is not JSON: " + e.what());
    }
}

} // namespace

Result<CaptureFrames> loadCaptureFolder(const fs::path& folder)
{
    std::error_code ec;
    if (!fs::is_directory(folder, ec))
        return fail(Errc::Io, "capture folder " + folder.string() + " does not exist");
    const auto whiteFile = findImage(folder, "white");
    if (!whiteFile)
        return fail(Errc::Io, "capture folder " + folder.string() + " has no white.png/.jpg");
    CaptureFrames out;
    auto white = readImage(*whiteFile, vision::PixelFormat::Bgr8);
    if (!white)
        return std::unexpected(white.error());
    out.white = std::move(*white);
    const std::array<std::pair<const char*, std::optional<vision::Image>*>, 3> optional = {
        {{"ir", &out.ir}, {"uv", &out.uv}, {"dark", &out.dark}}};
    for (const auto& [stem, slot] : optional) {
        const auto file = findImage(folder, stem);
        if (!file)
            continue;
        auto img = readImage(*file, std::string_view(stem) == "ir" ? vision::PixelFormat::Gray8
                                                                   : vision::PixelFormat::Bgr8);
        if (!img)
            return std::unexpected(img.error());
        if (img->width != out.white.width || img->height != out.white.height)
            return fail(Errc::InvalidInput, file->string() + " is not the size of the white frame");
        *slot = std::move(*img);
    }
    if (fs::is_regular_file(folder / "capture.json", ec)) {
        auto ppm = readPixelsPerMm(folder / "capture.json");
        if (!ppm)
            return std::unexpected(ppm.error());
        out.pixelsPerMm = *ppm;
    }
    return out;
}

Result<void> writeCaptureFolder(const fs::path& folder, const CaptureFrames& frames)
{
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec)
        return fail(Errc::Io, "cannot create " + folder.string() + ": " + ec.message());
    auto write = [&](const char* name, const vision::Image& img) -> Result<void> {
        try {
            const cv::Mat m(img.height, img.width,
                            img.format == vision::PixelFormat::Bgr8 ? CV_8UC3 : CV_8UC1,
                            const_cast<std::uint8_t*>(img.pixels.data()));
            if (!cv::imwrite((folder / name).string(), m, {cv::IMWRITE_PNG_COMPRESSION, 1}))
                return fail(Errc::Io, "cannot write " + (folder / name).string());
        } catch (const std::exception& e) {
            return fail(Errc::Io, "cannot write " + (folder / name).string() + ": " + e.what());
        }
        return {};
    };
    if (auto r = write("white.png", frames.white); !r)
        return r;
    if (frames.ir)
        if (auto r = write("ir.png", *frames.ir); !r)
            return r;
    if (frames.uv)
        if (auto r = write("uv.png", *frames.uv); !r)
            return r;
    if (frames.dark)
        if (auto r = write("dark.png", *frames.dark); !r)
            return r;
    if (frames.pixelsPerMm > 0) {
        std::ofstream out(folder / "capture.json");
        out << nlohmann::json{{"pixels_per_mm", frames.pixelsPerMm}}.dump() << "\n";
        if (!out)
            return fail(Errc::Io, "cannot write capture.json in " + folder.string());
    }
    return {};
}

} // namespace gw::emulator
