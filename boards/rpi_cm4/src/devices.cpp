// SPDX-License-Identifier: Apache-2.0
// Brings up the CM4 carrier's devices from board.json (camera device, GPIO wiring, spool folder).
#include <fstream>

#include <nlohmann/json.hpp>

#include <gw/boards/rpi_cm4/devices.h>
#include <gw/hal/system_devices.h>

namespace gw::boards::rpi_cm4 {
namespace {

Result<nlohmann::json> readJson(const std::filesystem::path& file)
{
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return fail(Errc::Io, "cannot open " + file.string());
    std::string text(64 * 1024 + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    try {
        return nlohmann::json::parse(text);
    } catch (const std::exception& e) {
        return fail(Errc::InvalidInput, file.string() + " is not JSON: " + e.what());
    }
}

} // namespace

Result<GpioWiring> loadGpioWiring(const std::filesystem::path& boardJson)
{
    auto doc = readJson(boardJson);
    if (!doc)
        return std::unexpected(doc.error());
    GpioWiring w;
    if (!doc->is_object() || !doc->contains("gpio"))
        return w;
    const auto& g = doc->at("gpio");
    try {
        auto line = [&](const char* key, unsigned& slot) -> Result<void> {
            if (!g.contains(key))
                return {};
            const auto& v = g.at(key);
            if (!v.is_number_unsigned() || v.get<unsigned>() > 1023)
                return fail(Errc::InvalidInput, std::string("board.json: gpio.") + key + " must be 0..1023");
            slot = v.get<unsigned>();
            return {};
        };
        if (g.contains("chip"))
            w.chip = g.at("chip").get<std::string>();
        if (g.contains("document_sensor_active_low"))
            w.documentSensorActiveLow = g.at("document_sensor_active_low").get<bool>();
        const std::pair<const char*, unsigned*> keys[] = {
            {"light_white", &w.lightWhite}, {"light_ir", &w.lightIr},
            {"light_uv", &w.lightUv},       {"document_sensor", &w.documentSensor},
            {"led_red", &w.ledRed},         {"led_green", &w.ledGreen},
            {"led_blue", &w.ledBlue},       {"buzzer", &w.buzzer}};
        for (const auto& [key, slot] : keys)
            if (auto r = line(key, *slot); !r)
                return std::unexpected(r.error());
    } catch (const std::exception& e) {
        return fail(Errc::InvalidInput, std::string("board.json gpio: ") + e.what());
    }
    return w;
}

Result<hal::BoardDevices> createDevices(const hal::BoardOptions& options)
{
    if (options.clock == nullptr)
        return fail(Errc::InvalidArgument, "rpi_cm4 board needs a clock");
    auto doc = readJson(options.boardJson);
    if (!doc)
        return std::unexpected(doc.error());
    auto wiring = loadGpioWiring(options.boardJson);
    if (!wiring)
        return std::unexpected(wiring.error());
    std::string device = "/dev/video0";
    std::filesystem::path spool = "/var/lib/grenswacht/spool";
    try {
        if (doc->contains("camera") && doc->at("camera").contains("device"))
            device = doc->at("camera").at("device").get<std::string>();
        if (doc->contains("storage") && doc->at("storage").contains("spool_dir"))
            spool = doc->at("storage").at("spool_dir").get<std::string>();
    } catch (const std::exception& e) {
        return fail(Errc::InvalidInput, std::string("board.json: ") + e.what());
    }
    hal::BoardDevices d;
    auto camera = openV4l2Camera(device);
    if (!camera)
        return std::unexpected(camera.error());
    auto lights = openGpioLights(*wiring);
    if (!lights)
        return std::unexpected(lights.error());
    auto sensor = openGpioSensor(*wiring, *options.clock);
    if (!sensor)
        return std::unexpected(sensor.error());
    auto indicator = openGpioIndicator(*wiring);
    if (!indicator)
        return std::unexpected(indicator.error());
    d.camera = std::move(*camera);
    d.lights = std::move(*lights);
    d.sensor = std::move(*sensor);
    d.indicator = std::move(*indicator);
    d.storage = std::make_unique<hal::DirectoryStorage>(
        options.spoolDirectory.empty() ? spool : options.spoolDirectory);
    return d;
}

} // namespace gw::boards::rpi_cm4
