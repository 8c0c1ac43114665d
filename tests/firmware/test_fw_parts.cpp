// SPDX-License-Identifier: Apache-2.0
// The firmware's small parts: board.json, dark subtraction, image encoding, scenario files, capture folders.
#include <fstream>

#include <catch2/catch.hpp>

#include <gw/emulator/capture_folder.h>
#include <gw/emulator/scenario.h>
#include <gw/fw/board_config.h>
#include <gw/fw/frame_ops.h>

#include "test_fw_util.h"

using namespace gw;
using namespace gw::fw;
using gw::fw::test::solidImage;
using gw::fw::test::TempDir;

TEST_CASE("board.json parses with defaults and names what is wrong", "[fw][config]")
{
    auto c = parseBoardConfig(R"({"board":"x","camera":{"width_px":640,"height_px":480},
        "glass":{"pixels_per_mm":4.5},"lights":{"uv":{"settle_ms":2.5,"exposure_us":30000}}})");
    REQUIRE(c);
    CHECK(c->board == "x");
    CHECK(c->camera.widthPx == 640);
    CHECK(c->pixelsPerMm == Approx(4.5));
    CHECK(c->uv.settleUs == 2500);
    CHECK(c->uv.exposureUs == 30000);
    CHECK(c->white.settleUs == 0);

    const char* bad[] = {
        "",
        "[]",
        "{",
        R"({"camera":{"width_px":1,"height_px":1},"glass":{"pixels_per_mm":1}})",
        R"({"board":"x","camera":{"width_px":0,"height_px":480},"glass":{"pixels_per_mm":4}})",
        R"({"board":"x","camera":{"width_px":640,"height_px":480},"glass":{"pixels_per_mm":-1}})",
        R"({"board":"x","camera":{"width_px":"640","height_px":480},"glass":{"pixels_per_mm":4}})",
        R"({"board":"x","camera":{"width_px":640,"height_px":480},"glass":{"pixels_per_mm":4},"lights":{"ir":{"settle_ms":1e9}}})",
    };
    for (const char* text : bad) {
        INFO(text);
        auto r = parseBoardConfig(text);
        REQUIRE_FALSE(r);
        CHECK(r.error().code() == Errc::InvalidInput);
    }
    CHECK(parseBoardConfig(std::string(kMaxBoardJsonBytes + 1, ' ')).error().code() == Errc::InvalidInput);
    CHECK(loadBoardConfig("/nonexistent/board.json").error().code() == Errc::Io);
}

TEST_CASE("the shipped emulator board.json parses", "[fw][config]")
{
    auto c = loadBoardConfig(std::filesystem::path(GW_SOURCE_DIR) / "boards/emulator/board.json");
    REQUIRE(c);
    CHECK(c->board == "emulator");
    CHECK(c->pixelsPerMm > 0);
}

TEST_CASE("dark subtraction saturates at zero and converts formats", "[fw][frames]")
{
    auto white = solidImage(4, 3, vision::PixelFormat::Bgr8, 100);
    white.pixels[0] = 10;
    auto dark = solidImage(4, 3, vision::PixelFormat::Gray8, 30);
    REQUIRE(subtractDark(white, dark));
    CHECK(white.pixels[0] == 0); // 10 - 30 clamps
    CHECK(white.pixels[1] == 70);
    CHECK(white.pixels.back() == 70);

    auto ir = solidImage(4, 3, vision::PixelFormat::Gray8, 50);
    auto colourDark = solidImage(4, 3, vision::PixelFormat::Bgr8, 20);
    REQUIRE(subtractDark(ir, colourDark));
    CHECK(ir.pixels[5] == 30);

    auto small = solidImage(2, 2, vision::PixelFormat::Gray8, 1);
    CHECK(subtractDark(ir, small).error().code() == Errc::InvalidArgument);
    vision::Image empty;
    CHECK(subtractDark(empty, dark).error().code() == Errc::InvalidArgument);
}

TEST_CASE("downscale keeps the format and rounds the size", "[fw][frames]")
{
    auto img = solidImage(101, 51, vision::PixelFormat::Bgr8, 90);
    for (const double scale : {1.0, 0.75, 0.5, 0.3, 0.01}) {
        INFO(scale);
        auto s = downscale(img, scale);
        REQUIRE(s);
        CHECK(s->width == std::max(1, static_cast<int>(101 * scale + 0.5)));
        CHECK(s->height == std::max(1, static_cast<int>(51 * scale + 0.5)));
        CHECK(s->format == vision::PixelFormat::Bgr8);
        CHECK(s->pixels.size() == static_cast<std::size_t>(s->width * s->height * 3));
        CHECK(s->pixels[0] == 90); // a flat image stays flat
    }
    CHECK(downscale(img, 0).error().code() == Errc::InvalidArgument);
    CHECK(downscale(img, 1.5).error().code() == Errc::InvalidArgument);
    CHECK(downscale(vision::Image{}, 0.5).error().code() == Errc::InvalidArgument);
}

TEST_CASE("images encode as PNG and JPEG with validated options", "[fw][frames]")
{
    auto img = solidImage(16, 8, vision::PixelFormat::Bgr8, 77);
    auto png = encodeImage(img, link::Light::White, {link::ImageEncoding::Png, 90, 1});
    REQUIRE(png);
    REQUIRE(png->bytes.size() > 8);
    CHECK(png->bytes[1] == 'P');
    CHECK(png->encoding == link::ImageEncoding::Png);
    auto jpg = encodeImage(solidImage(16, 8, vision::PixelFormat::Gray8, 5), link::Light::Infrared,
                           {link::ImageEncoding::Jpeg, 50, 1});
    REQUIRE(jpg);
    CHECK(jpg->bytes[0] == 0xFF);
    CHECK(jpg->light == link::Light::Infrared);
    CHECK(encodeImage(img, link::Light::White, {link::ImageEncoding::Jpeg, 0, 1}).error().code() ==
          Errc::InvalidArgument);
    CHECK(encodeImage(img, link::Light::White, {link::ImageEncoding::Png, 90, 10}).error().code() ==
          Errc::InvalidArgument);
    vision::Image broken;
    broken.width = 10;
    broken.height = 10;
    CHECK_FALSE(encodeImage(broken, link::Light::White, {}));
}

TEST_CASE("scenario files parse and errors name the line", "[fw][scenario]")
{
    auto sc = emulator::parseScenario("# demo\n\nplace a/b pull_away_after=2\nwait 250 # ms\nfault uv\n"
                                      "clear all\nlink down\nlink up\nhost hold\nhost release\nremove\n");
    REQUIRE(sc);
    REQUIRE(sc->steps.size() == 9);
    CHECK(sc->steps[0].kind == emulator::ScenarioStep::Kind::Place);
    CHECK(sc->steps[0].argument == "a/b");
    CHECK(sc->steps[0].pullAwayAfterFrames == 2);
    CHECK(sc->steps[0].line == 3);
    CHECK(sc->steps[1].durationMs == 250);
    CHECK(sc->steps[2].argument == "uv");
    CHECK(sc->steps[8].kind == emulator::ScenarioStep::Kind::Remove);

    const std::pair<const char*, const char*> bad[] = {
        {"place\n", "line 1"},
        {"remove now\n", "line 1"},
        {"\nwait -5\n", "line 2"},
        {"wait 12abc\n", "line 1"},
        {"fault toaster\n", "line 1"},
        {"clear\n", "line 1"},
        {"place x pull_away_after=999\n", "line 1"},
        {"dance\n", "unknown step"},
        {"link sideways\n", "line 1"},
    };
    for (const auto& [text, expect] : bad) {
        INFO(text);
        auto r = emulator::parseScenario(text);
        REQUIRE_FALSE(r);
        CHECK(r.error().message().find(expect) != std::string::npos);
    }
    CHECK_FALSE(emulator::parseScenario(std::string(emulator::kMaxScenarioBytes + 1, '#')));
    CHECK(emulator::loadScenario("/nonexistent.scn").error().code() == Errc::Io);
}

TEST_CASE("the shipped scenario files parse", "[fw][scenario]")
{
    const auto dir = std::filesystem::path(GW_SOURCE_DIR) / "boards/emulator/scenarios";
    std::size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        if (e.path().extension() != ".scn")
            continue;
        INFO(e.path().string());
        CHECK(emulator::loadScenario(e.path()));
        ++n;
    }
    CHECK(n >= 3);
}

TEST_CASE("capture folders load, and hostile ones give clear errors", "[fw][scenario]")
{
    TempDir dir;
    gw::fw::test::writeSyntheticCapture(dir.path() / "ok", 120, std::uint8_t{3});
    auto ok = emulator::loadCaptureFolder(dir.path() / "ok");
    REQUIRE(ok);
    CHECK(ok->white.width == 64);
    CHECK(ok->white.format == vision::PixelFormat::Bgr8);
    REQUIRE(ok->ir);
    CHECK(ok->ir->format == vision::PixelFormat::Gray8);
    REQUIRE(ok->dark);
    CHECK(ok->pixelsPerMm == Approx(8.0));

    CHECK(emulator::loadCaptureFolder(dir.path() / "missing").error().code() == Errc::Io);
    std::filesystem::create_directories(dir.path() / "empty");
    CHECK(emulator::loadCaptureFolder(dir.path() / "empty").error().code() == Errc::Io);

    std::filesystem::create_directories(dir.path() / "junk");
    {
        std::ofstream f(dir.path() / "junk" / "white.png", std::ios::binary);
        f << "\x89PNG\r\n\x1a\nnot really";
    }
    CHECK(emulator::loadCaptureFolder(dir.path() / "junk").error().code() == Errc::InvalidInput);

    gw::fw::test::writeSyntheticCapture(dir.path() / "sizes", 120);
    gw::fw::test::writeSyntheticCapture(dir.path() / "other", 120, std::nullopt, 32, 32);
    std::filesystem::copy_file(dir.path() / "other" / "uv.png", dir.path() / "sizes" / "uv.png",
                               std::filesystem::copy_options::overwrite_existing);
    CHECK(emulator::loadCaptureFolder(dir.path() / "sizes").error().code() == Errc::InvalidInput);

    gw::fw::test::writeSyntheticCapture(dir.path() / "json", 120);
    {
        std::ofstream f(dir.path() / "json" / "capture.json");
        f << "{\"pixels_per_mm\": -3}";
    }
    CHECK(emulator::loadCaptureFolder(dir.path() / "json").error().code() == Errc::InvalidInput);
}
