// SPDX-License-Identifier: Apache-2.0
// HAL seam for time: a monotonic clock, the UTC wall clock and sleeping; injected so tests drive time.
#pragma once

#include <cstdint>

namespace gw::hal {

/// @brief Time source of the firmware. Tests use a manual clock; the board a system clock.
class Clock {
public:
    virtual ~Clock() = default;

    /// @brief [us] monotonic time from an arbitrary origin; never goes back.
    virtual std::int64_t monotonicUs() = 0;
    /// @brief [ms] since the Unix epoch, UTC (may jump when the board's clock is set).
    virtual std::int64_t utcMs() = 0;
    /// @brief Waits @p durationUs [us] (>= 0; a manual clock just advances).
    virtual void sleepForUs(std::int64_t durationUs) = 0;
};

} // namespace gw::hal
