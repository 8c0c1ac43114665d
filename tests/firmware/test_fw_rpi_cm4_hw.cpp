// SPDX-License-Identifier: Apache-2.0
// The CM4 carrier's drivers: clear errors without hardware; real capture and GPIO where the hardware is.
// Tests tagged [hw] skip (with a warning) when /dev/video0 or /dev/gpiochip0 is absent.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <gw/boards/rpi_cm4/devices.h>
#include <gw/hal/system_devices.h>

using namespace gw;
using namespace gw::boards::rpi_cm4;

namespace {

// Not test_fw_util.h: that one needs the emulator board, which a GW_BOARD=rpi_cm4 build does not have.
struct ScratchDir {
    std::filesystem::path path =
        std::filesystem::temp_directory_path() / ("gw-rpi-test-" + std::to_string(::getpid()));
    ScratchDir() { std::filesystem::create_directories(path); }
    ~ScratchDir()
    {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

} // namespace

TEST_CASE("rpi_cm4: missing devices are clear errors, not crashes", "[fw][rpi_cm4]")
{
    auto cam = openV4l2Camera("/nonexistent/video9");
    REQUIRE_FALSE(cam);
    CHECK(cam.error().code() == Errc::CameraFault);
    CHECK(cam.error().message().find("/nonexistent/video9") != std::string::npos);

    // A file that is not a V4L2 device.
    ScratchDir dir;
    {
        std::ofstream f(dir.path / "video0");
        f << "not a camera";
    }
    CHECK_FALSE(openV4l2Camera(dir.path / "video0"));

    GpioWiring w;
    w.chip = "gpiochip-does-not-exist";
    auto lights = openGpioLights(w);
    REQUIRE_FALSE(lights);
    CHECK(lights.error().message().find("gpiochip-does-not-exist") != std::string::npos);
    CHECK_FALSE(openGpioIndicator(w));
}

TEST_CASE("rpi_cm4: the shipped board.json parses, including its GPIO wiring", "[fw][rpi_cm4]")
{
    const auto file = std::filesystem::path(GW_SOURCE_DIR) / "boards/rpi_cm4/board.json";
    auto w = loadGpioWiring(file);
    REQUIRE(w);
    CHECK(w->chip == "gpiochip0");
    CHECK(w->lightUv == 22);
    CHECK(w->documentSensorActiveLow);
    CHECK(loadGpioWiring("/nonexistent.json").error().code() == Errc::Io);

    ScratchDir dir;
    {
        std::ofstream f(dir.path / "bad.json");
        f << R"({"gpio": {"light_uv": -4}})";
    }
    CHECK(loadGpioWiring(dir.path / "bad.json").error().code() == Errc::InvalidInput);
}

TEST_CASE("rpi_cm4 [hw]: the camera captures a white and an infrared frame", "[fw][rpi_cm4][hw]")
{
    if (!std::filesystem::exists("/dev/video0")) {
        WARN("skipped: no camera at /dev/video0");
        return;
    }
    auto cam = openV4l2Camera("/dev/video0");
    REQUIRE(cam);
    REQUIRE((*cam)->configure({640, 480}));
    auto white = (*cam)->capture(8000, vision::PixelFormat::Bgr8);
    REQUIRE(white);
    CHECK(white->image.format == vision::PixelFormat::Bgr8);
    CHECK(white->image.pixels.size() ==
          static_cast<std::size_t>(white->image.width) * static_cast<std::size_t>(white->image.height) * 3);
    auto ir = (*cam)->capture(8000, vision::PixelFormat::Gray8);
    REQUIRE(ir);
    CHECK(ir->image.format == vision::PixelFormat::Gray8);
}

TEST_CASE("rpi_cm4 [hw]: the light banks switch and the sensor reads", "[fw][rpi_cm4][hw]")
{
    // Driving GPIO lines on a machine that is not the scanner could switch someone else's hardware:
    // only with GW_HW_GPIO=1 on the carrier.
    const char* allowed = std::getenv("GW_HW_GPIO");
    if (!std::filesystem::exists("/dev/gpiochip0") || allowed == nullptr || std::string(allowed) != "1") {
        WARN("skipped: no /dev/gpiochip0 or GW_HW_GPIO is not 1");
        return;
    }
    GpioWiring w;
    auto lights = openGpioLights(w);
    REQUIRE(lights);
    for (auto bank :
         {hal::LightBank::White, hal::LightBank::Infrared, hal::LightBank::Ultraviolet, hal::LightBank::Off})
        CHECK((*lights)->select(bank));
    hal::SystemClock clock;
    auto sensor = openGpioSensor(w, clock);
    REQUIRE(sensor);
    CHECK((*sensor)->poll());
}
