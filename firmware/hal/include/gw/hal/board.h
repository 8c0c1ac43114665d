// SPDX-License-Identifier: Apache-2.0
// The board seam: the selected board (boards/<GW_BOARD>/) implements createBoard() and hands out its HAL.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include <gw/common/result.h>
#include <gw/hal/camera.h>
#include <gw/hal/clock.h>
#include <gw/hal/document_sensor.h>
#include <gw/hal/host_link.h>
#include <gw/hal/illumination.h>
#include <gw/hal/indicator.h>
#include <gw/hal/storage.h>

namespace gw::hal {

/// @brief Timing of one light bank (board.json "lights.<bank>").
struct LightTiming {
    std::int64_t settleUs = 0;    ///< [us] wait after switching the bank on, >= 0
    std::uint32_t exposureUs = 0; ///< [us] camera exposure under this bank, 0 = sensor default
};

/// @brief The parsed board.json (format: boards/emulator/README.md).
struct BoardConfig {
    std::string board;        ///< board name, e.g. "emulator"
    CameraMode camera;        ///< sensor mode to configure
    double glassWidthMm = 0;  ///< [mm]
    double glassHeightMm = 0; ///< [mm]
    double pixelsPerMm = 0;   ///< [px/mm] calibration of the glass, > 0
    LightTiming white, ir, uv, dark;
};

/// @brief How the firmware asks the board to come up. Boards ignore what does not concern them.
struct BoardOptions {
    BoardConfig config;
    std::filesystem::path boardJson;      ///< the file @c config came from (boards read their own extra keys)
    std::filesystem::path spoolDirectory; ///< where the spool lives (--spool); empty: the board's default
    std::filesystem::path scenarioFile;   ///< emulator: the scenario to play (--scenario)
    std::filesystem::path capturesRoot;   ///< emulator: folder that scenario capture paths are relative to
    Clock* clock = nullptr;               ///< the firmware's clock (emulator scenarios wait on it); not owned
};

/// @brief The devices of one board. Every member is set by createBoard() except @c link, which is null
/// when the board has no built-in host link (the firmware then uses the transport given on its command line).
struct BoardDevices {
    std::unique_ptr<Camera> camera;
    std::unique_ptr<Illumination> lights;
    std::unique_ptr<DocumentSensor> sensor;
    std::unique_ptr<Indicator> indicator;
    std::unique_ptr<Storage> storage;
    std::unique_ptr<HostLink> link;
    /// True when the board has nothing more to do (the emulator's scenario ended); real boards: never.
    std::function<bool()> finished = [] {
        return false;
    };
};

/// @brief Brings up the board the build selected (GW_BOARD).
/// @return the devices, or an error naming the device that failed (Errc::CameraFault, Errc::Io, ...)
Result<BoardDevices> createBoard(const BoardOptions& options);

/// @brief The name of the board the build selected, e.g. "emulator".
std::string_view boardName() noexcept;

} // namespace gw::hal
