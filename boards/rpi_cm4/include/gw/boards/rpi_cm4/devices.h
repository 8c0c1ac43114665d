// SPDX-License-Identifier: Apache-2.0
// Raspberry Pi CM4 carrier devices: V4L2 camera, LED banks / document sensor / status LED / buzzer on GPIO.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include <gw/common/result.h>
#include <gw/hal/board.h>

namespace gw::boards::rpi_cm4 {

/// @brief GPIO wiring (board.json "gpio"); line numbers are offsets on @c chip.
struct GpioWiring {
    std::string chip = "gpiochip0";
    unsigned lightWhite = 17, lightIr = 27, lightUv = 22;
    unsigned documentSensor = 23;
    bool documentSensorActiveLow = true;
    unsigned ledRed = 5, ledGreen = 6, ledBlue = 13;
    unsigned buzzer = 19;
};

/// @brief Reads the "gpio" section of board.json (missing keys keep the defaults above).
/// @return Errc::Io / Errc::InvalidInput naming the file or key
[[nodiscard]] Result<GpioWiring> loadGpioWiring(const std::filesystem::path& boardJson);

/// @brief hal::Camera on a V4L2 capture device (memory-mapped streaming; YUYV, GREY, RGB24 or BGR24).
/// @return the camera; Errc::CameraFault naming the device when it cannot be opened or is not a capture
/// device
[[nodiscard]] Result<std::unique_ptr<hal::Camera>> openV4l2Camera(const std::filesystem::path& device);

/// @brief hal::Illumination switching the three LED banks on GPIO output lines (active high).
[[nodiscard]] Result<std::unique_ptr<hal::Illumination>> openGpioLights(const GpioWiring& wiring);

/// @brief hal::DocumentSensor on a GPIO input line, debounced on @p clock (kSensorDebounceUs).
[[nodiscard]] Result<std::unique_ptr<hal::DocumentSensor>> openGpioSensor(const GpioWiring& wiring,
                                                                          hal::Clock& clock);

/// @brief hal::Indicator: an RGB status LED and a buzzer on GPIO lines; blinking and beeps are timed by a
/// worker thread so the firmware never waits for them.
[[nodiscard]] Result<std::unique_ptr<hal::Indicator>> openGpioIndicator(const GpioWiring& wiring);

/// @brief Every device of the board (what hal::createBoard returns when GW_BOARD=rpi_cm4). The host link is
/// left null: the firmware gets its transport (TLS or USB FunctionFS, gw::link) from its command line.
[[nodiscard]] Result<hal::BoardDevices> createDevices(const hal::BoardOptions& options);

} // namespace gw::boards::rpi_cm4
