// SPDX-License-Identifier: Apache-2.0
// HAL seam for persistent storage: where the spool lives and how much room is left there.
#pragma once

#include <cstdint>
#include <filesystem>

#include <gw/common/result.h>

namespace gw::hal {

/// @brief The board's persistent storage (a file system that survives power loss once fsync'ed).
class Storage {
public:
    virtual ~Storage() = default;

    /// @brief The folder for the spool of unacknowledged inspections (created if missing by the spool).
    [[nodiscard]] virtual std::filesystem::path spoolDirectory() const = 0;

    /// @brief [bytes] free for the firmware on the spool's file system.
    /// @return Errc::Io when the file system cannot be queried
    [[nodiscard]] virtual Result<std::uint64_t> freeBytes() const = 0;
};

} // namespace gw::hal
