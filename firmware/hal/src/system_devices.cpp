// SPDX-License-Identifier: Apache-2.0
// System clock and folder storage shared by the Linux boards.
#include <chrono>
#include <system_error>
#include <thread>

#include <gw/hal/system_devices.h>

namespace gw::hal {

std::int64_t SystemClock::monotonicUs()
{
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

std::int64_t SystemClock::utcMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

void SystemClock::sleepForUs(std::int64_t durationUs)
{
    if (durationUs > 0)
        std::this_thread::sleep_for(std::chrono::microseconds(durationUs));
}

Result<std::uint64_t> DirectoryStorage::freeBytes() const
{
    std::error_code ec;
    // The spool folder may not exist yet; its parent is on the same file system in every layout we ship.
    std::filesystem::path probe = dir_;
    while (!probe.empty() && !std::filesystem::exists(probe, ec))
        probe = probe.parent_path();
    const auto info = std::filesystem::space(probe.empty() ? std::filesystem::path(".") : probe, ec);
    if (ec)
        return fail(Errc::Io, "cannot query free space of " + dir_.string() + ": " + ec.message());
    return static_cast<std::uint64_t>(info.available);
}

} // namespace gw::hal
