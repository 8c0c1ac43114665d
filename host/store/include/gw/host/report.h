// SPDX-License-Identifier: Apache-2.0
// Turns a scanner's report JSON (docs/report-format.md) into the store's InspectionRecord.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <gw/common/result.h>
#include <gw/host/store.h>

namespace gw::host {

/// @brief Largest report the station accepts. [bytes]
inline constexpr std::size_t kMaxReportBytes = 4u << 20;
/// @brief Most checks one report may list.
inline constexpr std::size_t kMaxReportChecks = 512;

/// @brief Parses and validates @p reportJson (schema grenswacht.inspection/1: verdict GREEN/AMBER/RED,
/// checks with result and margin, optional document.fields) and fills an InspectionRecord without images.
/// @param idHex 32 hex digits; @param deviceId the sending scanner
/// @param captureTimeMs [ms] since the epoch; @param receivedMs [ms] since the epoch
/// @return the record; Errc::InvalidInput naming what is wrong (not JSON, no verdict, a bad check, too big)
[[nodiscard]] Result<InspectionRecord> inspectionFromReport(std::string_view idHex, std::string_view deviceId,
                                                            std::int64_t captureTimeMs,
                                                            std::int64_t receivedMs,
                                                            std::string_view reportJson);

} // namespace gw::host
