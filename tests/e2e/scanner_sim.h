// SPDX-License-Identifier: Apache-2.0
// An emulated scanner for the station's end-to-end tests, browser tests and benchmarks: synthetic
// inspections (report JSON + PNG images under white, IR, UV) delivered by the real link SessionClient.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <gw/link/session.h>

namespace gw::host::testing {

/// @brief What one synthetic document looks like.
struct SimDocument {
    bool red = false; ///< a forgery: UV-bright paper with a failed check and its region
    std::string issuingState = "UTO";
    std::string documentNumber; ///< empty: derived from the sequence number
    bool images = true;         ///< attach PNGs for white, IR and UV (500 x 352 px, 4 px/mm)
};

/// @brief An inspection with id derived from (@p salt, @p n).
[[nodiscard]] gw::link::Inspection makeSimInspection(std::uint64_t n, std::uint64_t salt,
                                                     const SimDocument& doc, std::uint64_t captureTimeMs);

/// @brief An InspectionSource that remembers when each inspection was first handed to the link and when it
/// was acknowledged (the ingest latency the benchmark reports). Thread-safe.
class RecordingQueue final : public gw::link::InspectionSource {
public:
    void add(gw::link::Inspection inspection);
    Result<std::vector<gw::link::InspectionId>> pending() override;
    Result<gw::link::Inspection> load(const gw::link::InspectionId& id) override;
    Result<void> acknowledge(const gw::link::InspectionId& id, gw::link::AckStatus status) override;

    [[nodiscard]] std::size_t pendingCount() const;
    /// @brief Ids acknowledged (Stored or Duplicate), in order.
    [[nodiscard]] std::vector<std::string> acknowledged() const;
    [[nodiscard]] std::size_t rejectedCount() const;
    /// @brief [ms] from first load() to acknowledge(), per acknowledged inspection.
    [[nodiscard]] std::vector<double> latenciesMs() const;

private:
    mutable std::mutex mutex_;
    std::map<gw::link::InspectionId, gw::link::Inspection> queue_;
    std::vector<gw::link::InspectionId> order_;
    std::map<gw::link::InspectionId, std::chrono::steady_clock::time_point> firstLoad_;
    std::vector<std::string> acked_;
    std::vector<double> latencies_;
    std::size_t rejected_ = 0;
};

/// @brief The HELLO of a simulated scanner.
[[nodiscard]] gw::link::Hello simHello(const std::string& deviceId);

} // namespace gw::host::testing
