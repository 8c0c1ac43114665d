// SPDX-License-Identifier: Apache-2.0
// Fixed properties of the Raspberry Pi CM4 carrier (limits of its parts); wiring lives in board.json.
#pragma once

#include <cstdint>

namespace gw::boards::rpi_cm4 {

/// [us] longest exposure the sensor accepts in the still mode we use (IMX477: ~670 s; capped for the scanner)
inline constexpr std::uint32_t kMaxExposureUs = 200'000;
/// [ms] a frame that takes longer than this is a camera fault
inline constexpr int kFrameTimeoutMs = 2000;
/// [us] the document sensor must read the same level this long before an event (debounce)
inline constexpr std::int64_t kSensorDebounceUs = 30'000;
/// number of V4L2 capture buffers (one in flight while the next is queued)
inline constexpr unsigned kCaptureBuffers = 2;

} // namespace gw::boards::rpi_cm4
