// SPDX-License-Identifier: Apache-2.0
// The station's store behind an interface: scanners, inspections, images, decisions, users, audit log.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gw/common/result.h>
#include <gw/host/audit.h>

namespace gw::host {

/// @brief What a user may do. Officer: see and decide. Supervisor: also manage users and read the audit
/// log. Auditor: read everything (audit log included), decide nothing.
enum class Role { Officer, Supervisor, Auditor };
/// @brief "officer", "supervisor", "auditor".
[[nodiscard]] std::string_view roleName(Role role) noexcept;
[[nodiscard]] std::optional<Role> roleFromName(std::string_view name) noexcept;

/// @brief The officer's decision on an inspection.
enum class DecisionKind { Released, Referred, Seized };
/// @brief "released", "referred" (to second line), "seized".
[[nodiscard]] std::string_view decisionName(DecisionKind kind) noexcept;
[[nodiscard]] std::optional<DecisionKind> decisionFromName(std::string_view name) noexcept;

/// @brief A scanner known to the station.
struct ScannerRecord {
    std::string deviceId;         ///< HELLO device id (TLS: the certificate CN)
    std::string firmwareVersion;  ///< from HELLO
    std::string board;            ///< from HELLO
    std::string transport;        ///< "tls", "usb", "memory"
    std::string address;          ///< peer address of the last connection
    std::int64_t firstSeenMs = 0; ///< [ms] since the epoch
    std::int64_t lastSeenMs = 0;  ///< [ms] since the epoch
    std::string healthJson;       ///< last STATUS as JSON ("{}" before any)
    bool connected = false;
};

/// @brief One check of an inspection, as reported by the scanner.
struct CheckRecord {
    std::string checkId;   ///< e.g. "mrz.check_digits"
    std::string tr03135Id; ///< may be empty
    std::string result;    ///< "successful", "failed", "undetermined", "not_supported", "aborted"
    double margin = 0;     ///< [-1, +1]
    std::string reasonEn;
    std::string reasonNl;
    std::string regionsJson; ///< JSON array of {x_mm, y_mm, width_mm, height_mm}
};

/// @brief One encoded image of an inspection.
struct ImageRecord {
    std::string light;    ///< "white", "ir", "uv"
    std::string encoding; ///< "png", "jpeg"
    std::vector<std::uint8_t> bytes;
};

/// @brief Personal fields read from the MRZ (empty when no MRZ was read).
struct MrzFields {
    std::string format; ///< "TD1", "TD2", "TD3", "MRVA", "MRVB"
    std::string documentCode;
    std::string issuingState;
    std::string documentNumber;
    std::string nationality;
    std::string surname;
    std::string givenNames;
    std::string birthDate;  ///< YYMMDD as printed
    std::string expiryDate; ///< YYMMDD as printed
    std::string sex;
};

/// @brief An inspection to insert (built from the scanner's report by inspectionFromReport()).
struct InspectionRecord {
    std::string id;                 ///< 32 lower-case hex digits
    std::string deviceId;           ///< the scanner that sent it
    std::int64_t captureTimeMs = 0; ///< [ms] since the epoch, the scanner's clock
    std::int64_t receivedMs = 0;    ///< [ms] since the epoch, the station's clock
    std::string verdict;            ///< "GREEN", "AMBER", "RED"
    std::string firstReasonEn;      ///< the most severe reason (empty for GREEN)
    std::string firstReasonNl;
    MrzFields mrz;
    std::string reportJson; ///< the report as sent
    std::vector<CheckRecord> checks;
    std::vector<ImageRecord> images;
};

/// @brief A row of the queue or of a search.
struct InspectionSummary {
    std::int64_t seq = 0; ///< arrival order at the station, increasing
    std::string id;
    std::string deviceId;
    std::int64_t captureTimeMs = 0;
    std::int64_t receivedMs = 0;
    std::string verdict;
    std::string firstReasonEn;
    std::string firstReasonNl;
    std::string documentCode;
    std::string issuingState;
    std::string documentNumber; ///< empty after purge
    std::string surname;        ///< empty after purge
    std::string givenNames;     ///< empty after purge
    std::string lastDecision;   ///< "released", "referred", "seized" or empty
    bool purged = false;        ///< personal data and images were erased (retention)
};

/// @brief A recorded decision.
struct DecisionRecord {
    std::int64_t id = 0;
    std::string inspectionId;
    std::string decision; ///< decisionName()
    std::string note;     ///< empty after purge
    std::string userName;
    std::int64_t timeMs = 0;
};

/// @brief Everything about one inspection.
struct InspectionDetail {
    InspectionSummary summary;
    MrzFields mrz;
    std::string reportJson; ///< "{}" after purge
    std::vector<CheckRecord> checks;
    std::vector<std::string> imageLights; ///< lights with a stored image
    std::vector<DecisionRecord> decisions;
};

/// @brief Filters of a search; every set filter must match. Times in [ms] since the epoch, [from, to).
struct SearchQuery {
    std::optional<std::int64_t> fromMs;
    std::optional<std::int64_t> toMs;
    std::optional<std::string> verdict;        ///< "GREEN", "AMBER", "RED"
    std::optional<std::string> documentNumber; ///< exact
    std::optional<std::string> issuingState;   ///< exact, e.g. "NLD"
    std::optional<std::int64_t> afterSeq;      ///< only inspections that arrived after this seq (live queue)
    int limit = 50;                            ///< 1..1000
    int offset = 0;                            ///< >= 0
    bool countTotal = true;                    ///< fill SearchResult::total (costs a second query)
};

/// @brief A page of results, newest first.
struct SearchResult {
    std::vector<InspectionSummary> items;
    std::int64_t total = 0;  ///< matches without limit/offset (when counted)
    std::int64_t maxSeq = 0; ///< highest seq in the whole store (the queue polls after it)
};

/// @brief Inspections and RED verdicts for one key (a day, an issuing state, a failed check).
struct CountRow {
    std::string key;
    std::int64_t inspections = 0;
    std::int64_t red = 0;
};

/// @brief Anonymous statistics of a period; they survive the retention purge.
struct Statistics {
    std::int64_t inspections = 0;
    std::int64_t red = 0;
    std::int64_t amber = 0;
    std::int64_t green = 0;
    std::vector<CountRow> perDay;          ///< key "YYYY-MM-DD" (UTC), ascending
    std::vector<CountRow> perIssuingState; ///< most inspections first
    std::vector<CountRow> perFailedCheck;  ///< key = check id; inspections = how often it failed
};

/// @brief A station user.
struct UserRecord {
    std::string name; ///< 1..64 characters [A-Za-z0-9._-]
    Role role = Role::Officer;
    std::string passwordHash; ///< from hashPassword() (gw/host/auth.h); never the password
    std::int64_t createdMs = 0;
    bool disabled = false;
};

/// @brief The store's condition, shown on the officer's screen when it is not ok.
struct StoreHealth {
    bool ok = true;
    std::string alarm;        ///< e.g. "the store is full: inspections are kept on the scanners"
    std::int64_t sinceMs = 0; ///< when the alarm was raised
};

/// @brief What the retention purge erased.
struct PurgeResult {
    std::int64_t inspections = 0; ///< inspections whose personal data was erased
    std::int64_t images = 0;      ///< images deleted
};

enum class InsertOutcome { Stored, Duplicate };

/// @brief The station's persistent store. Implementations are thread-safe. Every write is committed
/// durably before the call returns. A failing medium (full, read-only, I/O error) gives Errc::Io and
/// raises the alarm in health(); a later successful write clears it.
class Store {
public:
    virtual ~Store() = default;

    /// @brief Inserts @p record with its checks and images in one transaction; registers an unknown
    /// scanner. Idempotent by id: a second insert of the same id changes nothing and says Duplicate.
    /// @return Stored/Duplicate; Errc::InvalidArgument for a record that breaks the schema; Errc::Io
    virtual Result<InsertOutcome> insertInspection(const InspectionRecord& record) = 0;

    /// @brief Creates or updates a scanner (by deviceId); keeps firstSeenMs of an existing one.
    virtual Result<void> upsertScanner(const ScannerRecord& scanner) = 0;
    /// @brief Updates the scanner's last-seen time, health JSON (when non-empty) and connection state.
    virtual Result<void> touchScanner(std::string_view deviceId, std::int64_t lastSeenMs,
                                      std::string_view healthJson, bool connected) = 0;
    virtual Result<std::vector<ScannerRecord>> scanners() = 0;

    virtual Result<SearchResult> search(const SearchQuery& query) = 0;
    /// @return the inspection, std::nullopt when the id is unknown
    virtual Result<std::optional<InspectionDetail>> inspection(std::string_view id) = 0;
    /// @return the image, std::nullopt when absent (or purged)
    virtual Result<std::optional<ImageRecord>> image(std::string_view id, std::string_view light) = 0;
    /// @brief Calls @p visit for every inspection captured in [fromMs, toMs), oldest first. A visit that
    /// returns false stops early.
    virtual Result<void> forEachInspection(std::int64_t fromMs, std::int64_t toMs,
                                           const std::function<bool(const InspectionDetail&)>& visit) = 0;

    /// @brief Records a decision. @return it; Errc::InvalidArgument for an unknown inspection or user
    virtual Result<DecisionRecord> addDecision(std::string_view inspectionId, DecisionKind decision,
                                               std::string_view note, std::string_view userName,
                                               std::int64_t timeMs) = 0;

    /// @brief Statistics of inspections captured in [fromMs, toMs).
    virtual Result<Statistics> statistics(std::int64_t fromMs, std::int64_t toMs) = 0;

    /// @brief Adds a user. @return Errc::InvalidArgument when the name is taken or invalid
    virtual Result<void> addUser(const UserRecord& user) = 0;
    virtual Result<std::optional<UserRecord>> user(std::string_view name) = 0;
    virtual Result<std::vector<UserRecord>> users() = 0;

    /// @brief Appends an entry to the audit log (seq, prevHash and hash are filled in).
    virtual Result<AuditEntry> appendAudit(std::string_view actor, std::string_view action,
                                           std::string_view subject, std::string_view detail,
                                           std::int64_t timeMs) = 0;
    /// @brief Entries with seq > @p afterSeq, at most @p limit (1..10000), in order.
    virtual Result<std::vector<AuditEntry>> auditEntries(std::int64_t afterSeq, int limit) = 0;
    /// @brief Verifies the whole audit chain.
    virtual Result<AuditVerification> verifyAudit() = 0;

    /// @brief Retention: erases personal data (MRZ fields, report, decision notes) and images of
    /// inspections captured before @p cutoffMs; verdicts, issuing states, days and check results stay.
    virtual Result<PurgeResult> purgeBefore(std::int64_t cutoffMs) = 0;

    [[nodiscard]] virtual StoreHealth health() const = 0;
};

/// @brief "YYYY-MM-DD" (UTC) of @p timeMs.
[[nodiscard]] std::string utcDay(std::int64_t timeMs);

} // namespace gw::host
