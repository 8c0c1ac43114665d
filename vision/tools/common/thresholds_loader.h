// SPDX-License-Identifier: Apache-2.0
// Loads a lab's thresholds file (overrides of vision/config/thresholds.json) from disk.
#pragma once

#include <filesystem>

#include <gw/common/result.h>
#include <gw/vision/thresholds.h>

namespace gw::tools {

/// @brief Reads @p path and applies it over the shipped table (vision::Thresholds::fromJson).
/// @return Errc::Io when the file cannot be read, Errc::InvalidInput when it is larger than 1 MiB,
///         Errc::InvalidArgument (from fromJson, prefixed with the path) for a malformed table or an
///         unknown key.
Result<vision::Thresholds> loadThresholds(const std::filesystem::path& path);

} // namespace gw::tools
