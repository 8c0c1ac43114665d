// SPDX-License-Identifier: Apache-2.0
// The whole chain under faults: real gw-firmware (emulator board) -> fault proxy -> TLS -> real gw-station.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <gw/common/result.h>

namespace gw::e2e {

/// @brief The programs the run starts (from a build tree).
struct ChainPaths {
    std::filesystem::path firmware; ///< gw-firmware built for the emulator board, with the TLS transport
    std::filesystem::path station;  ///< gw-station
    std::filesystem::path specimen; ///< the specimen generator (only needed when captures are generated)
};

/// @brief The paths of a build tree, given the folder of an executable two levels below its root
/// (e.g. <build>/tests/bench or <build>/tests/e2e).
[[nodiscard]] ChainPaths chainPathsBelow(const std::filesystem::path& exeDir);

/// @brief What to run and which faults to inject.
struct ChainFaultOptions {
    ChainPaths paths;
    /// Working folder (PKI, store, spool, logs); created, and must not exist or be empty.
    std::filesystem::path workDir;
    /// Capture folders (white.png, ir.png, uv.png each) to lay on the glass in turn; empty: generate
    /// captureCount specimens with the specimen generator into workDir/captures.
    std::filesystem::path captures;
    std::uint32_t captureCount = 4;   ///< generated specimens, 1..64
    std::uint32_t inspections = 1000; ///< run until the firmware has created this many, 1..1,000,000
    std::uint64_t seed = 1;           ///< fault moments, fault kinds, proxy cuts, specimens
    std::string vizModel = "none";    ///< gw-firmware --viz-model (empty: the firmware's default)
    std::chrono::milliseconds faultEveryMin{500};  ///< shortest pause between two injected faults
    std::chrono::milliseconds faultEveryMax{4000}; ///< longest pause between two injected faults
    std::chrono::milliseconds downtimeMax{500};    ///< a killed process is restarted after 0..this
    double proxyCutProbability = 0.002; ///< per forwarded chunk (<= 16 KiB): the proxy cuts the connection
    std::chrono::milliseconds placementGap{30}; ///< scenario `wait` after each removal
    std::chrono::seconds runTimeout{3600};      ///< creating the inspections
    std::chrono::seconds drainTimeout{300};     ///< after the last one: firmware spool empty
    /// Progress lines (may be empty).
    std::function<void(std::string_view)> progress;
};

/// @brief What the run found. lost, duplicated and unexpected must all be 0.
struct ChainFaultReport {
    std::size_t created = 0;   ///< inspections that reached the firmware's spool (written, fsync'ed, renamed)
    std::size_t spoolOnly = 0; ///< of which seen only by listing the spool after a kill (no log line yet)
    std::size_t stored = 0;    ///< distinct inspection ids in the station's database
    std::size_t lost = 0;      ///< created but not in the database
    std::size_t duplicated = 0;    ///< ids stored more than once (database rows or "STORED" answers)
    std::size_t unexpected = 0;    ///< in the database but never seen created (a counting error)
    std::size_t interrupted = 0;   ///< placements a firmware kill interrupted before spooling (re-placed)
    std::size_t tornTempFiles = 0; ///< spool temp files left by a kill mid-write (never inspections)
    std::size_t firmwareRuns = 0;  ///< gw-firmware processes started
    std::size_t stationRuns = 0;   ///< gw-station processes started
    std::size_t firmwareKills = 0; ///< SIGKILL of the firmware
    std::size_t stationKills = 0;  ///< SIGKILL of the station
    std::size_t stationTerms = 0;  ///< SIGTERM of the station
    std::size_t linkCuts = 0;      ///< moments at which every connection through the proxy was cut
    std::size_t proxyCuts =
        0; ///< connections the proxy cut in all: at those moments and on its own mid-stream
    std::size_t duplicateAcks = 0; ///< station answers "duplicate" (redeliveries the dedup absorbed)
    double wallSeconds = 0;
    std::optional<double> medianPlacedToAckMs; ///< from the firmware logs (same run placed and ACKed)
    std::size_t latencySamples = 0;
    std::vector<std::string> lostIds;       ///< first few
    std::vector<std::string> duplicatedIds; ///< first few
    std::string problem; ///< why the run did not complete (timeout, a process that failed); empty: it did
};

/// @brief Runs the chain with faults and checks the station's database against what the firmware created.
/// @return the report (check lost/duplicated/unexpected/problem); Errc::InvalidArgument for bad options,
///         Errc::Io when the working folder, the PKI or the captures cannot be made
[[nodiscard]] Result<ChainFaultReport> runChainFaults(const ChainFaultOptions& options);

/// @brief The report as printed lines.
[[nodiscard]] std::string formatChainReport(const ChainFaultOptions& options, const ChainFaultReport& report);

/// @brief The station's side of the proof.
struct StoreCheck {
    std::size_t stored = 0;        ///< distinct ids in the database
    std::size_t lost = 0;          ///< created, not in the database
    std::size_t duplicated = 0;    ///< ids with more than one database row or more than one "STORED" answer
    std::size_t unexpected = 0;    ///< in the database, never created
    std::size_t duplicateAcks = 0; ///< "DUPLICATE" answers
    std::vector<std::string> lostIds;       ///< first few
    std::vector<std::string> duplicatedIds; ///< first few
};

/// @brief Compares @p created with the inspections table of @p db (opened read-only) and with the
/// STORED/DUPLICATE lines gw-station --print-verdicts wrote to @p stationOutput (every run appended).
/// @return Errc::Io when the database cannot be read
[[nodiscard]] Result<StoreCheck> checkStore(const std::filesystem::path& db,
                                            const std::filesystem::path& stationOutput,
                                            const std::set<std::string>& created);

/// @brief Inspection ids (32 hex digits) of the complete entries of a spool folder, read-only: files
/// "<20 digits>.insp" with a valid header (docs/firmware.md). Temporary files are counted in @p tornTemp.
[[nodiscard]] Result<std::set<std::string>> listSpoolIds(const std::filesystem::path& spoolDir,
                                                         std::size_t* tornTemp = nullptr);

} // namespace gw::e2e
