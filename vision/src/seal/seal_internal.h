// SPDX-License-Identifier: Apache-2.0
// Helpers shared by the seal sources (not part of the public API).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include <gw/common/result.h>
#include <gw/vision/seal.h>

namespace gw::vision::detail {

/// Upper-case hex of bytes, no separators.
std::string toHex(std::span<const std::uint8_t> bytes);

/// Parses a VDS-NC (ICAO "VDS for non-constrained environments") JSON seal.
Result<Seal> parseVdsNc(std::span<const std::uint8_t> bytes);

} // namespace gw::vision::detail
