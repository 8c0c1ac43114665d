// SPDX-License-Identifier: Apache-2.0
// The SQLite store on a real file: migrations, idempotent insert, WAL, foreign keys, alarms, retention.
#include <fstream>

#include <catch2/catch.hpp>
#include <sqlite3.h>

#include <gw/host/report.h>
#include <gw/host/sqlite_store.h>

#include "host_test_util.h"

using namespace gw::host;
using gw::host::testing::hexId;
using gw::host::testing::makeReport;
using gw::host::testing::ReportSpec;
using gw::host::testing::TempDir;

namespace {

constexpr std::int64_t kDay = 24LL * 3600 * 1000;
constexpr std::int64_t kT0 = 1'790'000'000'000; // 2026-09-21

InspectionRecord record(std::uint64_t n, const ReportSpec& spec, std::int64_t timeMs,
                        std::string device = "GW-EMU-0001")
{
    auto r = inspectionFromReport(hexId(n), device, timeMs, timeMs + 5, makeReport(spec));
    REQUIRE(r);
    r->images.push_back(ImageRecord{"white", "png", gw::host::testing::tinyPng()});
    r->images.push_back(ImageRecord{"uv", "png", {0x89, 'P', 'N', 'G', 1, 2, 3}});
    return *r;
}

/// Runs raw SQL on the file behind the store's back (what an attacker with file access could do).
int rawExec(const std::filesystem::path& file, const std::string& sql)
{
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
    sqlite3_exec(db, "PRAGMA foreign_keys = ON", nullptr, nullptr, nullptr);
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
    sqlite3_close(db);
    return rc;
}

} // namespace

TEST_CASE("a new store is migrated to the current schema and reopens without change", "[store]")
{
    TempDir dir;
    const auto file = dir / "station.db";
    {
        auto store = SqliteStore::open(file);
        REQUIRE(store);
        CHECK((*store)->schemaVersion() == kSchemaVersion);
        auto mode = (*store)->journalMode();
        REQUIRE(mode);
        CHECK(*mode == "wal");
        REQUIRE((*store)->insertInspection(record(1, {}, kT0)));
    }
    auto again = SqliteStore::open(file);
    REQUIRE(again);
    CHECK((*again)->schemaVersion() == kSchemaVersion);
    auto found = (*again)->inspection(hexId(1));
    REQUIRE(found);
    CHECK(found->has_value());
}

TEST_CASE("a store written by a newer schema is refused", "[store]")
{
    TempDir dir;
    const auto file = dir / "station.db";
    REQUIRE(SqliteStore::open(file));
    REQUIRE(rawExec(file, "INSERT INTO schema_version(version, applied_ms) VALUES(99, 0)") == SQLITE_OK);
    auto store = SqliteStore::open(file);
    REQUIRE_FALSE(store);
    CHECK(store.error().code() == gw::Errc::Unsupported);
    CHECK_THAT(store.error().message(), Catch::Contains("newer"));
}

TEST_CASE("a file that is not a database gives a clear error", "[store]")
{
    TempDir dir;
    const auto file = dir / "garbage.db";
    std::ofstream(file) << std::string(8192, 'x');
    auto store = SqliteStore::open(file);
    REQUIRE_FALSE(store);
    CHECK_THAT(store.error().message(),
               Catch::Contains("not a valid store") || Catch::Contains("not a database"));
}

TEST_CASE("insert is idempotent by inspection id", "[store]")
{
    TempDir dir;
    auto store = SqliteStore::open(dir / "s.db");
    REQUIRE(store);
    ReportSpec red;
    red.verdict = "RED";
    red.failedCheck = "uv.substrate_dull";
    const auto rec = record(7, red, kT0);
    auto first = (*store)->insertInspection(rec);
    REQUIRE(first);
    CHECK(*first == InsertOutcome::Stored);
    auto second = (*store)->insertInspection(rec);
    REQUIRE(second);
    CHECK(*second == InsertOutcome::Duplicate);
    auto all = (*store)->search(SearchQuery{});
    REQUIRE(all);
    CHECK(all->total == 1);

    auto detail = (*store)->inspection(hexId(7));
    REQUIRE(detail);
    REQUIRE(detail->has_value());
    const auto& d = **detail;
    CHECK(d.summary.verdict == "RED");
    CHECK(d.summary.firstReasonEn == "The paper glows under UV light.");
    CHECK(d.mrz.documentNumber == "L898902C3");
    CHECK(d.checks.size() == 2);
    CHECK(d.checks[0].result == "failed");
    CHECK_THAT(d.checks[0].regionsJson, Catch::Contains("\"x_mm\":10.0"));
    CHECK(d.imageLights == std::vector<std::string>{"white", "uv"});
    auto uv = (*store)->image(hexId(7), "uv");
    REQUIRE(uv);
    REQUIRE(uv->has_value());
    CHECK((*uv)->bytes.size() == 7);
    auto ir = (*store)->image(hexId(7), "ir");
    REQUIRE(ir);
    CHECK_FALSE(ir->has_value());
}

TEST_CASE("foreign keys are enforced", "[store]")
{
    TempDir dir;
    const auto file = dir / "s.db";
    auto store = SqliteStore::open(file);
    REQUIRE(store);
    REQUIRE((*store)->insertInspection(record(1, {}, kT0)));
    // A decision by a user that does not exist is refused by the store...
    auto d = (*store)->addDecision(hexId(1), DecisionKind::Released, "", "nobody", kT0);
    REQUIRE_FALSE(d);
    CHECK(d.error().code() == gw::Errc::InvalidArgument);
    // ...and by the schema itself, for a check pointing at no inspection.
    CHECK(rawExec(file, "INSERT INTO checks(inspection_seq, position, check_id, result, capture_time_ms) "
                        "VALUES(999, 0, 'x', 'failed', 0)") == SQLITE_CONSTRAINT);
    CHECK(rawExec(file, "INSERT INTO inspections(id, scanner_id, capture_time_ms, capture_day, received_ms, "
                        "verdict) VALUES('00000000000000000000000000000099', 'ghost', 0, '', 0, 'RED')") ==
          SQLITE_CONSTRAINT);
}

TEST_CASE("reports are validated before they reach the store", "[store][report]")
{
    CHECK_FALSE(inspectionFromReport(hexId(1), "S", 0, 0, "not json"));
    CHECK_FALSE(inspectionFromReport(hexId(1), "S", 0, 0, "[1,2]"));
    CHECK_FALSE(inspectionFromReport(hexId(1), "S", 0, 0, R"({"verdict":"PURPLE"})"));
    CHECK_FALSE(inspectionFromReport("XYZ", "S", 0, 0, R"({"verdict":"GREEN"})"));
    CHECK_FALSE(inspectionFromReport(hexId(1), "", 0, 0, R"({"verdict":"GREEN"})"));
    CHECK_FALSE(inspectionFromReport(hexId(1), "S", 0, 0,
                                     R"({"verdict":"RED","checks":[{"id":"a","result":"meh"}]})"));
    CHECK_FALSE(inspectionFromReport(
        hexId(1), "S", 0, 0,
        R"({"verdict":"RED","checks":[{"id":"a","result":"failed","regions":[{"x_mm":"1"}]}]})"));
    auto minimal = inspectionFromReport(hexId(1), "S", 0, 0, R"({"verdict":"AMBER","document":null})");
    REQUIRE(minimal);
    CHECK(minimal->verdict == "AMBER");
    CHECK(minimal->mrz.documentNumber.empty());
    // Deeply nested hostile JSON is an error, not a stack overflow.
    const std::string deep = std::string(100000, '[') + std::string(100000, ']');
    CHECK_FALSE(inspectionFromReport(hexId(1), "S", 0, 0, deep));
    CHECK_FALSE(inspectionFromReport(hexId(1), "S", 0, 0, std::string(kMaxReportBytes + 1, ' ')));
}

TEST_CASE("a read-only store gives a clear error and raises the alarm", "[store][alarm]")
{
    TempDir dir;
    const auto file = dir / "s.db";
    {
        auto rw = SqliteStore::open(file);
        REQUIRE(rw);
        REQUIRE((*rw)->insertInspection(record(1, {}, kT0)));
    }
    SqliteOptions options;
    options.readOnly = true;
    auto store = SqliteStore::open(file, options);
    REQUIRE(store);
    CHECK((*store)->health().ok);
    auto r = (*store)->insertInspection(record(2, {}, kT0));
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == gw::Errc::Io);
    CHECK_THAT(r.error().message(), Catch::Contains("read-only"));
    const auto health = (*store)->health();
    CHECK_FALSE(health.ok);
    CHECK_THAT(health.alarm, Catch::Contains("read-only"));
    // Reading still works: the officer keeps the history.
    auto old = (*store)->inspection(hexId(1));
    REQUIRE(old);
    CHECK(old->has_value());
}

TEST_CASE("a full store refuses with an alarm, keeps what it had, and recovers", "[store][alarm]")
{
    TempDir dir;
    const auto file = dir / "s.db";
    SqliteOptions options;
    options.maxPageCount = 60; // 60 pages of 4 KiB: room for the schema and a few inspections
    auto store = SqliteStore::open(file, options);
    REQUIRE(store);
    std::uint64_t stored = 0;
    gw::Result<InsertOutcome> last = InsertOutcome::Stored;
    for (std::uint64_t n = 1; n < 500 && last; ++n) {
        auto rec = record(n, {}, kT0);
        rec.images.push_back(ImageRecord{"ir", "png", std::vector<std::uint8_t>(20000, 0x42)});
        last = (*store)->insertInspection(rec);
        if (last)
            ++stored;
    }
    REQUIRE_FALSE(last);
    CHECK(last.error().code() == gw::Errc::Io);
    CHECK_THAT(last.error().message(), Catch::Contains("full"));
    CHECK_FALSE((*store)->health().ok);
    CHECK_THAT((*store)->health().alarm, Catch::Contains("full"));
    // Every inspection acknowledged before the disk filled is still there and complete.
    auto all = (*store)->search(SearchQuery{});
    REQUIRE(all);
    CHECK(all->total == static_cast<std::int64_t>(stored));
    // Space freed (retention) -> the next write succeeds and clears the alarm.
    REQUIRE((*store)->purgeBefore(kT0 + 1));
    REQUIRE((*store)->insertInspection(record(1000, {}, kT0 + 10)));
    CHECK((*store)->health().ok);
}

TEST_CASE("search filters and the live queue cursor", "[store][search]")
{
    TempDir dir;
    auto store = SqliteStore::open(dir / "s.db");
    REQUIRE(store);
    ReportSpec nld;
    nld.issuingState = "NLD";
    nld.documentNumber = "SPECI2014";
    ReportSpec red = nld;
    red.verdict = "RED";
    red.failedCheck = "uv.substrate_dull";
    REQUIRE((*store)->insertInspection(record(1, {}, kT0)));
    REQUIRE((*store)->insertInspection(record(2, nld, kT0 + kDay)));
    REQUIRE((*store)->insertInspection(record(3, red, kT0 + 2 * kDay)));

    SearchQuery q;
    q.verdict = "RED";
    auto r = (*store)->search(q);
    REQUIRE(r);
    REQUIRE(r->items.size() == 1);
    CHECK(r->items[0].id == hexId(3));

    q = SearchQuery{};
    q.documentNumber = "SPECI2014";
    r = (*store)->search(q);
    REQUIRE(r);
    CHECK(r->total == 2);
    CHECK(r->items[0].id == hexId(3)); // newest first

    q = SearchQuery{};
    q.issuingState = "UTO";
    q.fromMs = kT0;
    q.toMs = kT0 + kDay;
    r = (*store)->search(q);
    REQUIRE(r);
    REQUIRE(r->total == 1);
    CHECK(r->items[0].id == hexId(1));

    q = SearchQuery{};
    q.afterSeq = r->maxSeq - 1;
    r = (*store)->search(q);
    REQUIRE(r);
    REQUIRE(r->items.size() == 1);
    CHECK(r->items[0].id == hexId(3));

    q = SearchQuery{};
    q.limit = 0;
    CHECK_FALSE((*store)->search(q));
}

TEST_CASE("statistics per day, issuing state and failed check survive the retention purge",
          "[store][retention]")
{
    TempDir dir;
    auto store = SqliteStore::open(dir / "s.db");
    REQUIRE(store);
    ReportSpec red;
    red.verdict = "RED";
    red.issuingState = "NLD";
    red.failedCheck = "uv.substrate_dull";
    ReportSpec green;
    green.issuingState = "D";
    REQUIRE((*store)->insertInspection(record(1, red, kT0)));
    REQUIRE((*store)->insertInspection(record(2, green, kT0 + 1000)));
    REQUIRE((*store)->insertInspection(record(3, red, kT0 + kDay)));
    REQUIRE((*store)->addUser(UserRecord{"anna", Role::Officer, "scrypt$x", kT0, false}));
    REQUIRE((*store)->addDecision(hexId(1), DecisionKind::Seized, "passport of Mr X", "anna", kT0 + 60000));

    auto before = (*store)->statistics(kT0 - kDay, kT0 + 10 * kDay);
    REQUIRE(before);
    CHECK(before->inspections == 3);
    CHECK(before->red == 2);
    REQUIRE(before->perDay.size() == 2);
    CHECK(before->perDay[0].inspections == 2);
    CHECK(before->perDay[0].red == 1);
    CHECK(before->perDay[1].key == utcDay(kT0 + kDay));
    REQUIRE(before->perIssuingState.size() == 2);
    CHECK(before->perIssuingState[0].key == "NLD");
    CHECK(before->perIssuingState[0].red == 2);
    REQUIRE(before->perFailedCheck.size() == 1);
    CHECK(before->perFailedCheck[0].key == "uv.substrate_dull");
    CHECK(before->perFailedCheck[0].inspections == 2);

    auto purged = (*store)->purgeBefore(kT0 + kDay); // the first day
    REQUIRE(purged);
    CHECK(purged->inspections == 2);
    CHECK(purged->images == 4);

    auto after = (*store)->statistics(kT0 - kDay, kT0 + 10 * kDay);
    REQUIRE(after);
    CHECK(after->inspections == before->inspections);
    CHECK(after->red == before->red);
    CHECK(after->perDay.size() == before->perDay.size());
    CHECK(after->perIssuingState[0].red == 2);
    CHECK(after->perFailedCheck[0].inspections == 2);

    auto gone = (*store)->inspection(hexId(1));
    REQUIRE(gone);
    REQUIRE(gone->has_value());
    CHECK((*gone)->summary.purged);
    CHECK((*gone)->mrz.documentNumber.empty());
    CHECK((*gone)->mrz.surname.empty());
    CHECK((*gone)->reportJson == "{}");
    CHECK((*gone)->imageLights.empty());
    REQUIRE((*gone)->decisions.size() == 1);
    CHECK((*gone)->decisions[0].decision == "seized");
    CHECK((*gone)->decisions[0].note.empty());
    auto kept = (*store)->inspection(hexId(3));
    REQUIRE(kept);
    CHECK((*kept)->mrz.surname == "ERIKSSON");
    CHECK_FALSE((*kept)->summary.purged);
    // A search by the erased document number no longer finds the purged ones.
    SearchQuery q;
    q.documentNumber = "L898902C3";
    auto found = (*store)->search(q);
    REQUIRE(found);
    CHECK(found->total == 1);
}

TEST_CASE("users: unique names, valid names, roles", "[store][users]")
{
    TempDir dir;
    auto store = SqliteStore::open(dir / "s.db");
    REQUIRE(store);
    REQUIRE((*store)->addUser(UserRecord{"sup.one", Role::Supervisor, "scrypt$h", 1, false}));
    CHECK_FALSE((*store)->addUser(UserRecord{"sup.one", Role::Officer, "scrypt$h", 1, false}));
    CHECK_FALSE((*store)->addUser(UserRecord{"bad name", Role::Officer, "scrypt$h", 1, false}));
    CHECK_FALSE((*store)->addUser(UserRecord{"", Role::Officer, "scrypt$h", 1, false}));
    auto u = (*store)->user("sup.one");
    REQUIRE(u);
    REQUIRE(u->has_value());
    CHECK((*u)->role == Role::Supervisor);
    auto none = (*store)->user("nobody");
    REQUIRE(none);
    CHECK_FALSE(none->has_value());
}

TEST_CASE("the audit log is append-only and its chain reveals tampering", "[store][audit]")
{
    TempDir dir;
    const auto file = dir / "s.db";
    {
        auto store = SqliteStore::open(file);
        REQUIRE(store);
        for (int i = 0; i < 5; ++i)
            REQUIRE((*store)->appendAudit("anna", "inspection.view", hexId(static_cast<std::uint64_t>(i)), "",
                                          kT0 + i));
        auto v = (*store)->verifyAudit();
        REQUIRE(v);
        CHECK(v->intact());
        CHECK(v->entries == 5);
    }
    // The triggers refuse edits through SQL...
    CHECK(rawExec(file, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 3") != SQLITE_OK);
    CHECK(rawExec(file, "DELETE FROM audit_log WHERE seq = 2") != SQLITE_OK);
    // ...and someone who drops them first is caught by the chain.
    REQUIRE(
        rawExec(file,
                "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = 'mallory' WHERE seq = 3") ==
        SQLITE_OK);
    auto store = SqliteStore::open(file);
    REQUIRE(store);
    auto v = (*store)->verifyAudit();
    REQUIRE(v);
    CHECK_FALSE(v->intact());
    REQUIRE(v->firstBadSeq);
    CHECK(*v->firstBadSeq == 3);
}
