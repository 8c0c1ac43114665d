// SPDX-License-Identifier: Apache-2.0
// The emulator board: sim camera replaying capture folders, sim lights and document sensor driven by a
// scenario, an indicator that records what it showed, and the in-memory host link.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include <gw/common/result.h>
#include <gw/emulator/loopback.h>
#include <gw/emulator/scenario.h>
#include <gw/hal/board.h>

namespace gw::emulator {

/// @brief One thing the indicator did.
struct IndicatorRecord {
    enum class Kind : std::uint8_t { Show, Beep };
    Kind kind = Kind::Show;
    hal::LedColour colour = hal::LedColour::Off;
    hal::LedPattern pattern = hal::LedPattern::Steady;
    hal::BuzzerPattern beep = hal::BuzzerPattern::Short;
};

/// @brief The hal::Indicator of the emulator: remembers everything it was asked to show.
class RecordingIndicator;

/// @brief Emulator-only settings beyond hal::BoardOptions.
struct EmulatorOptions {
    std::optional<Scenario> scenario; ///< overrides BoardOptions::scenarioFile
    bool linkUp = true;               ///< connect the in-memory host at start
    AckMode ackMode = AckMode::Immediate;
};

struct EmulatorState;

/// @brief A running emulator. devices owns the HAL objects; indicator and link point into them.
struct Emulator {
    hal::BoardDevices devices;
    RecordingIndicator* indicator = nullptr;
    LoopbackLink* link = nullptr;
    std::shared_ptr<EmulatorState> state;

    /// @brief Everything the indicator did, oldest first.
    [[nodiscard]] const std::vector<IndicatorRecord>& indicatorHistory() const;
    /// @brief The LED now.
    [[nodiscard]] IndicatorRecord currentLed() const;
    /// @brief Frames the sim camera delivered since start.
    [[nodiscard]] std::size_t framesCaptured() const;
    /// @brief True when the scenario has run to its end and every event was taken.
    [[nodiscard]] bool finished() const;
};

/// @brief Builds the emulator. Needs @p options.clock. The scenario's capture folders are resolved against
/// @p options.capturesRoot (default: the scenario file's folder) and checked to exist (decoded when placed).
/// @return Errc::InvalidArgument without a clock, Errc::Io / Errc::InvalidInput for the scenario
[[nodiscard]] Result<Emulator> createEmulator(const hal::BoardOptions& options,
                                              const EmulatorOptions& emulatorOptions = {});

} // namespace gw::emulator
