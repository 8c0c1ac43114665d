// SPDX-License-Identifier: Apache-2.0
// board.json parsing with nlohmann-json; every exception of the parser becomes an Error here.
#include <fstream>
#include <iterator>

#include <nlohmann/json.hpp>

#include <gw/fw/board_config.h>

namespace gw::fw {
namespace {

using nlohmann::json;

constexpr int kMaxCameraSidePx = 20000;
constexpr double kMaxPixelsPerMm = 200.0;
constexpr double kMaxSettleMs = 10000.0;
constexpr double kMaxExposureUs = 10'000'000.0;

Result<double> number(const json& parent, std::string_view path, const char* key, double lo, double hi,
                      std::optional<double> fallback)
{
    const std::string name = std::string(path) + "." + key;
    if (!parent.is_object() || !parent.contains(key)) {
        if (fallback)
            return *fallback;
        return fail(Errc::InvalidInput, "board.json: missing " + name);
    }
    const json& v = parent.at(key);
    if (!v.is_number())
        return fail(Errc::InvalidInput, "board.json: " + name + " must be a number");
    const double d = v.get<double>();
    if (!(d >= lo && d <= hi))
        return fail(Errc::InvalidInput, "board.json: " + name + " = " + std::to_string(d) + " is outside [" +
                                            std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return d;
}

Result<hal::LightTiming> lightTiming(const json& lights, const char* bank)
{
    static const json kEmpty = json::object();
    const json& l = lights.is_object() && lights.contains(bank) ? lights.at(bank) : kEmpty;
    const std::string path = std::string("lights.") + bank;
    auto settleMs = number(l, path, "settle_ms", 0, kMaxSettleMs, 0.0);
    if (!settleMs)
        return std::unexpected(settleMs.error());
    auto exposureUs = number(l, path, "exposure_us", 0, kMaxExposureUs, 0.0);
    if (!exposureUs)
        return std::unexpected(exposureUs.error());
    return hal::LightTiming{static_cast<std::int64_t>(*settleMs * 1000.0),
                            static_cast<std::uint32_t>(*exposureUs)};
}

} // namespace

Result<hal::BoardConfig> parseBoardConfig(std::string_view jsonText)
{
    if (jsonText.size() > kMaxBoardJsonBytes)
        return fail(Errc::InvalidInput, "board.json has " + std::to_string(jsonText.size()) +
                                            " bytes, limit " + std::to_string(kMaxBoardJsonBytes));
    json doc;
    try {
        doc = json::parse(jsonText);
    } catch (const std::exception& e) {
        return fail(Errc::InvalidInput, std::string("board.json is not JSON: ") + e.what());
    }
    if (!doc.is_object())
        return fail(Errc::InvalidInput, "board.json must hold an object");
    hal::BoardConfig c;
    try {
        if (!doc.contains("board") || !doc.at("board").is_string() ||
            doc.at("board").get<std::string>().empty())
            return fail(Errc::InvalidInput, "board.json: missing board (a non-empty string)");
        c.board = doc.at("board").get<std::string>();
        static const json kEmpty = json::object();
        const json& camera = doc.contains("camera") ? doc.at("camera") : kEmpty;
        const json& glass = doc.contains("glass") ? doc.at("glass") : kEmpty;
        auto w = number(camera, "camera", "width_px", 1, kMaxCameraSidePx, std::nullopt);
        auto h = number(camera, "camera", "height_px", 1, kMaxCameraSidePx, std::nullopt);
        auto ppm = number(glass, "glass", "pixels_per_mm", 1e-6, kMaxPixelsPerMm, std::nullopt);
        auto glassW = number(glass, "glass", "width_mm", 0, 10000, 0.0);
        auto glassH = number(glass, "glass", "height_mm", 0, 10000, 0.0);
        for (const auto* r : {&w, &h, &ppm, &glassW, &glassH})
            if (!*r)
                return std::unexpected(r->error());
        c.camera = hal::CameraMode{static_cast<int>(*w), static_cast<int>(*h)};
        c.pixelsPerMm = *ppm;
        c.glassWidthMm = *glassW;
        c.glassHeightMm = *glassH;
        const json& lights = doc.contains("lights") ? doc.at("lights") : kEmpty;
        hal::LightTiming* slots[] = {&c.white, &c.ir, &c.uv, &c.dark};
        const char* banks[] = {"white", "ir", "uv", "dark"};
        for (std::size_t i = 0; i < 4; ++i) {
            auto t = lightTiming(lights, banks[i]);
            if (!t)
                return std::unexpected(t.error());
            *slots[i] = *t;
        }
    } catch (const std::exception& e) {
        return fail(Errc::InvalidInput, std::string("board.json: ") + e.what());
    }
    return c;
}

Result<hal::BoardConfig> loadBoardConfig(const std::filesystem::path& file)
{
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return fail(Errc::Io, "cannot open board configuration " + file.string());
    std::string text;
    text.resize(kMaxBoardJsonBytes + 1);
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (in.bad())
        return fail(Errc::Io, "cannot read board configuration " + file.string());
    return parseBoardConfig(text);
}

} // namespace gw::fw
