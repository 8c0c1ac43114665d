// SPDX-License-Identifier: Apache-2.0
// The audit log's hash chain: each entry's SHA-256 covers its fields and the previous entry's hash.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include <gw/common/result.h>

namespace gw::host {

/// @brief The hash the first entry of a chain links to: 64 zeros.
inline constexpr std::string_view kAuditGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

/// @brief One line of the append-only audit log: who did or saw what, when.
struct AuditEntry {
    std::int64_t seq = 0;    ///< position in the log, 1, 2, 3, ... without gaps
    std::int64_t timeMs = 0; ///< [ms] since the Unix epoch, UTC
    std::string actor;       ///< user name, "scanner:<id>" or "system"
    std::string action;      ///< e.g. "login", "inspection.view", "decision", "purge"
    std::string subject;     ///< what it concerns, e.g. an inspection id; may be empty
    std::string detail;      ///< free text or JSON; may be empty
    std::string prevHash;    ///< hex SHA-256 of the previous entry (kAuditGenesisHash for seq 1)
    std::string hash;        ///< hex SHA-256 of this entry (auditEntryHash)
};

/// @brief The hex SHA-256 of @p entry's seq, time, actor, action, subject, detail and prevHash. Each field
/// is length-prefixed, so no two different entries serialise to the same bytes.
/// @return 64 lower-case hex digits; Errc::Internal when OpenSSL fails
[[nodiscard]] Result<std::string> auditEntryHash(const AuditEntry& entry);

/// @brief The outcome of a chain verification.
struct AuditVerification {
    std::int64_t entries = 0;                ///< entries checked
    std::optional<std::int64_t> firstBadSeq; ///< the first entry that breaks the chain; empty: intact
    std::string problem;                     ///< why it breaks (empty when intact)
    std::string headHash;                    ///< hash of the last entry (genesis for an empty log)

    [[nodiscard]] bool intact() const noexcept { return !firstBadSeq.has_value(); }
};

/// @brief Checks @p entries (in seq order, starting at 1): consecutive seq, each prevHash equal to the
/// previous hash, each hash recomputed. Any edited, removed or reordered entry breaks the chain there.
/// Removing entries at the end is only visible against a head hash noted elsewhere (@p expectedHead).
/// @param expectedHead when given, the last hash must equal it
/// @return the verification; Errc::Internal when hashing fails
[[nodiscard]] Result<AuditVerification> verifyAuditChain(std::span<const AuditEntry> entries,
                                                         std::optional<std::string> expectedHead = {});

/// @brief Streaming form of verifyAuditChain for logs too large to hold in memory: feed entries in order.
class AuditChainVerifier {
public:
    /// @brief Checks the next entry. After the first break further entries are counted but not checked.
    /// @return Errc::Internal when hashing fails
    Result<void> add(const AuditEntry& entry);
    [[nodiscard]] const AuditVerification& result() const noexcept { return result_; }

private:
    AuditVerification result_{0, std::nullopt, {}, std::string(kAuditGenesisHash)};
};

} // namespace gw::host
