// SPDX-License-Identifier: Apache-2.0
// Implementations every Linux board shares: the system clock and a folder on the board's file system.
#pragma once

#include <filesystem>

#include <gw/hal/clock.h>
#include <gw/hal/storage.h>

namespace gw::hal {

/// @brief hal::Clock on std::chrono's steady and system clocks.
class SystemClock final : public Clock {
public:
    std::int64_t monotonicUs() override;
    std::int64_t utcMs() override;
    void sleepForUs(std::int64_t durationUs) override;
};

/// @brief hal::Storage for a folder (created by the spool when missing).
class DirectoryStorage final : public Storage {
public:
    explicit DirectoryStorage(std::filesystem::path spoolDirectory) : dir_(std::move(spoolDirectory)) {}
    [[nodiscard]] std::filesystem::path spoolDirectory() const override { return dir_; }
    [[nodiscard]] Result<std::uint64_t> freeBytes() const override;

private:
    std::filesystem::path dir_;
};

} // namespace gw::hal
