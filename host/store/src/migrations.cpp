// SPDX-License-Identifier: Apache-2.0
// The store's schema, as a list of migrations (version 0 -> 1 -> ...).
#include "migrations.h"

#include <array>
#include <string>

#include "sqlite_util.h"

namespace gw::host::sqlite {
namespace {

// Version 1. Personal data lives only in inspections (MRZ columns, report_json), images and decision
// notes, so the retention purge can erase it there while the columns the statistics use stay.
constexpr std::string_view kV1 = R"sql(
CREATE TABLE scanners(
  device_id TEXT PRIMARY KEY,
  firmware_version TEXT NOT NULL DEFAULT '',
  board TEXT NOT NULL DEFAULT '',
  transport TEXT NOT NULL DEFAULT '',
  address TEXT NOT NULL DEFAULT '',
  first_seen_ms INTEGER NOT NULL,
  last_seen_ms INTEGER NOT NULL,
  health_json TEXT NOT NULL DEFAULT '{}',
  connected INTEGER NOT NULL DEFAULT 0);
CREATE TABLE inspections(
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE CHECK(length(id) = 32),
  scanner_id TEXT NOT NULL REFERENCES scanners(device_id),
  capture_time_ms INTEGER NOT NULL,
  capture_day TEXT NOT NULL,
  received_ms INTEGER NOT NULL,
  verdict TEXT NOT NULL CHECK(verdict IN ('GREEN', 'AMBER', 'RED')),
  first_reason_en TEXT NOT NULL DEFAULT '',
  first_reason_nl TEXT NOT NULL DEFAULT '',
  format TEXT NOT NULL DEFAULT '',
  document_code TEXT NOT NULL DEFAULT '',
  issuing_state TEXT NOT NULL DEFAULT '',
  document_number TEXT NOT NULL DEFAULT '',
  nationality TEXT NOT NULL DEFAULT '',
  surname TEXT NOT NULL DEFAULT '',
  given_names TEXT NOT NULL DEFAULT '',
  birth_date TEXT NOT NULL DEFAULT '',
  expiry_date TEXT NOT NULL DEFAULT '',
  sex TEXT NOT NULL DEFAULT '',
  report_json TEXT NOT NULL DEFAULT '{}',
  last_decision TEXT NOT NULL DEFAULT '',
  purged INTEGER NOT NULL DEFAULT 0);
-- Covering index for the statistics (a range of capture times grouped by day, state, verdict).
CREATE INDEX inspections_stats ON inspections(capture_time_ms, capture_day, issuing_state, verdict);
CREATE INDEX inspections_document_number ON inspections(document_number);
CREATE INDEX inspections_issuing_state ON inspections(issuing_state, capture_time_ms);
CREATE INDEX inspections_verdict ON inspections(verdict, capture_time_ms);
CREATE TABLE checks(
  inspection_seq INTEGER NOT NULL REFERENCES inspections(seq) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  check_id TEXT NOT NULL,
  tr03135_id TEXT NOT NULL DEFAULT '',
  result TEXT NOT NULL,
  margin REAL NOT NULL DEFAULT 0,
  reason_en TEXT NOT NULL DEFAULT '',
  reason_nl TEXT NOT NULL DEFAULT '',
  regions_json TEXT NOT NULL DEFAULT '[]',
  capture_time_ms INTEGER NOT NULL,
  PRIMARY KEY(inspection_seq, position)) WITHOUT ROWID;
CREATE INDEX checks_by_result ON checks(result, capture_time_ms, check_id);
CREATE TABLE images(
  inspection_seq INTEGER NOT NULL REFERENCES inspections(seq) ON DELETE CASCADE,
  light TEXT NOT NULL CHECK(light IN ('white', 'ir', 'uv')),
  encoding TEXT NOT NULL CHECK(encoding IN ('png', 'jpeg')),
  bytes BLOB NOT NULL,
  PRIMARY KEY(inspection_seq, light));
CREATE TABLE users(
  name TEXT PRIMARY KEY,
  role TEXT NOT NULL CHECK(role IN ('officer', 'supervisor', 'auditor')),
  password_hash TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0);
CREATE TABLE decisions(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  inspection_seq INTEGER NOT NULL REFERENCES inspections(seq) ON DELETE CASCADE,
  decision TEXT NOT NULL CHECK(decision IN ('released', 'referred', 'seized')),
  note TEXT NOT NULL DEFAULT '',
  user_name TEXT NOT NULL REFERENCES users(name),
  time_ms INTEGER NOT NULL);
CREATE INDEX decisions_by_inspection ON decisions(inspection_seq);
CREATE TABLE audit_log(
  seq INTEGER PRIMARY KEY,
  time_ms INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '',
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL);
-- Append-only inside the application; the hash chain catches edits made around these triggers.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
)sql";

constexpr std::array<std::string_view, 1> kMigrations = {kV1};

} // namespace

std::span<const std::string_view> migrations() noexcept
{
    return kMigrations;
}

Result<int> readSchemaVersion(sqlite3* db)
{
    auto exists = Stmt::prepare(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = "
                                    "'schema_version'");
    if (!exists)
        return std::unexpected(exists.error());
    if (exists->step() != SQLITE_ROW)
        return std::unexpected(toError(db, sqlite3_errcode(db), "reading the schema"));
    if (exists->int64(0) == 0)
        return 0;
    auto version = Stmt::prepare(db, "SELECT max(version) FROM schema_version");
    if (!version)
        return std::unexpected(version.error());
    if (version->step() != SQLITE_ROW)
        return std::unexpected(toError(db, sqlite3_errcode(db), "reading the schema version"));
    return static_cast<int>(version->int64(0));
}

Result<int> migrate(sqlite3* db)
{
    if (auto r = exec(db,
                      "CREATE TABLE IF NOT EXISTS schema_version(version INTEGER PRIMARY KEY, "
                      "applied_ms INTEGER NOT NULL)",
                      "creating the version table");
        !r)
        return std::unexpected(r.error());
    auto current = readSchemaVersion(db);
    if (!current)
        return current;
    const int known = static_cast<int>(kMigrations.size());
    if (*current > known)
        return fail(Errc::Unsupported, "the store has schema version " + std::to_string(*current) +
                                           ", newer than this station's " + std::to_string(known) +
                                           ": update the station");
    for (int v = *current; v < known; ++v) {
        if (auto r = exec(db, "BEGIN IMMEDIATE", "starting a migration"); !r)
            return std::unexpected(r.error());
        auto applied = exec(db, kMigrations[static_cast<std::size_t>(v)],
                            "migrating the store to version " + std::to_string(v + 1));
        if (applied) {
            applied = exec(db,
                           "INSERT INTO schema_version(version, applied_ms) VALUES(" + std::to_string(v + 1) +
                               ", CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))",
                           "recording the schema version");
        }
        if (applied)
            applied = exec(db, "COMMIT", "committing a migration");
        if (!applied) {
            (void)exec(db, "ROLLBACK", "rolling back a migration");
            return std::unexpected(applied.error());
        }
    }
    return known;
}

} // namespace gw::host::sqlite
