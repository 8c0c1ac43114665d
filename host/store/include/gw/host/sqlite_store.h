// SPDX-License-Identifier: Apache-2.0
// The embedded default store: one SQLite file in WAL mode, foreign keys on, versioned migrations.
#pragma once

#include <filesystem>
#include <memory>

#include <gw/common/result.h>
#include <gw/host/store.h>

namespace gw::host {

/// @brief The schema version this build writes (the `schema_version` table holds the file's).
inline constexpr int kSchemaVersion = 1;

/// @brief How to open the file.
struct SqliteOptions {
    bool readOnly = false; ///< open without write access (inspection of a copy; writes fail with Errc::Io)
    /// Cap on the file's pages (0: none). Tests use it to make a store that fills up.
    std::int64_t maxPageCount = 0;
    int readers = 4;          ///< read connections for concurrent queries, 1..32
    int busyTimeoutMs = 5000; ///< [ms] wait for a lock held by another process
    /// synchronous=FULL: every commit is on disk before it returns (the station's ACK promise). false
    /// (synchronous=OFF) only for bulk loads such as the benchmark's 100,000-inspection fill.
    bool durableCommits = true;
};

/// @brief SQLite implementation of Store. Writes go through one connection (serialised), reads through
/// a small pool of connections, so queries do not wait for commits (WAL).
class SqliteStore final : public Store {
public:
    /// @brief Opens (creating when absent and not read-only) @p path and migrates it to kSchemaVersion.
    /// @return the store; Errc::Io when the file cannot be opened; Errc::Unsupported for a file written
    ///         by a newer schema; Errc::InvalidInput for a file that is not a database
    [[nodiscard]] static Result<std::unique_ptr<SqliteStore>> open(const std::filesystem::path& path,
                                                                   const SqliteOptions& options = {});
    ~SqliteStore() override;
    SqliteStore(const SqliteStore&) = delete;
    SqliteStore& operator=(const SqliteStore&) = delete;

    Result<InsertOutcome> insertInspection(const InspectionRecord& record) override;
    Result<void> upsertScanner(const ScannerRecord& scanner) override;
    Result<void> touchScanner(std::string_view deviceId, std::int64_t lastSeenMs, std::string_view healthJson,
                              bool connected) override;
    Result<std::vector<ScannerRecord>> scanners() override;
    Result<SearchResult> search(const SearchQuery& query) override;
    Result<std::optional<InspectionDetail>> inspection(std::string_view id) override;
    Result<std::optional<ImageRecord>> image(std::string_view id, std::string_view light) override;
    Result<void> forEachInspection(std::int64_t fromMs, std::int64_t toMs,
                                   const std::function<bool(const InspectionDetail&)>& visit) override;
    Result<DecisionRecord> addDecision(std::string_view inspectionId, DecisionKind decision,
                                       std::string_view note, std::string_view userName,
                                       std::int64_t timeMs) override;
    Result<Statistics> statistics(std::int64_t fromMs, std::int64_t toMs) override;
    Result<void> addUser(const UserRecord& user) override;
    Result<std::optional<UserRecord>> user(std::string_view name) override;
    Result<std::vector<UserRecord>> users() override;
    Result<AuditEntry> appendAudit(std::string_view actor, std::string_view action, std::string_view subject,
                                   std::string_view detail, std::int64_t timeMs) override;
    Result<std::vector<AuditEntry>> auditEntries(std::int64_t afterSeq, int limit) override;
    Result<AuditVerification> verifyAudit() override;
    Result<PurgeResult> purgeBefore(std::int64_t cutoffMs) override;
    [[nodiscard]] StoreHealth health() const override;

    /// @brief The schema version of the open file.
    [[nodiscard]] int schemaVersion() const noexcept;
    /// @brief The SQLite journal mode in force ("wal" normally).
    [[nodiscard]] Result<std::string> journalMode();

    struct Impl;

private:
    explicit SqliteStore(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

} // namespace gw::host
