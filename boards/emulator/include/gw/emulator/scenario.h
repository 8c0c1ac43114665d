// SPDX-License-Identifier: Apache-2.0
// Scenario files of the emulator board: what the officer and the faults do, line by line.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gw/common/result.h>

namespace gw::emulator {

/// @brief One scenario step (format: boards/emulator/README.md).
struct ScenarioStep {
    enum class Kind : std::uint8_t {
        Place,    ///< lay the capture folder `argument` on the glass
        Remove,   ///< take the document away (waits until the firmware showed its verdict or a fault)
        Wait,     ///< let `durationMs` pass
        Fault,    ///< inject a fault into `argument`: camera, white, ir, uv, sensor
        Clear,    ///< clear the fault of `argument` (or "all")
        LinkUp,   ///< connect the in-memory host
        LinkDown, ///< disconnect it
        HostAck,  ///< host mode `argument`: ack (default), hold (keep ACKs back), never, release (send held)
    };
    Kind kind = Kind::Wait;
    std::string argument;
    std::int64_t durationMs = 0;
    std::optional<int> pullAwayAfterFrames; ///< Place: the document leaves after this many frames
    int line = 0;                           ///< 1-based line in the file, for messages
};

struct Scenario {
    std::vector<ScenarioStep> steps;
};

/// @brief Largest scenario accepted [bytes].
inline constexpr std::size_t kMaxScenarioBytes = 1024 * 1024;

/// @brief Parses scenario text. @return Errc::InvalidInput naming the line and what is wrong
[[nodiscard]] Result<Scenario> parseScenario(std::string_view text);
/// @brief Reads and parses a scenario file. @return Errc::Io when unreadable, else as parseScenario()
[[nodiscard]] Result<Scenario> loadScenario(const std::filesystem::path& file);

} // namespace gw::emulator
