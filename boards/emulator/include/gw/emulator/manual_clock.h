// SPDX-License-Identifier: Apache-2.0
// A hal::Clock that moves only when told to: tests and virtual-time scenario runs drive it.
#pragma once

#include <cstdint>

#include <gw/hal/clock.h>

namespace gw::emulator {

class ManualClock final : public hal::Clock {
public:
    /// @param utcStartMs [ms since the Unix epoch] wall-clock time at monotonic 0 (default 2026-01-15 UTC)
    explicit ManualClock(std::int64_t utcStartMs = 1'768'435'200'000) : utcStartMs_(utcStartMs) {}

    std::int64_t monotonicUs() override { return nowUs_; }
    std::int64_t utcMs() override { return utcStartMs_ + nowUs_ / 1000; }
    void sleepForUs(std::int64_t durationUs) override { advanceUs(durationUs); }

    void advanceUs(std::int64_t durationUs) noexcept
    {
        if (durationUs > 0)
            nowUs_ += durationUs;
    }

private:
    std::int64_t utcStartMs_;
    std::int64_t nowUs_ = 0;
};

} // namespace gw::emulator
