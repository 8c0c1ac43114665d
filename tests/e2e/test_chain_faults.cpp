// SPDX-License-Identifier: Apache-2.0
// A short run of the chain fault driver (bench_chain_faults): ~40 inspections through the real gw-firmware
// and gw-station with every fault kind a few times; none lost, none stored twice.
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <unistd.h>
#include <vector>

#include <catch2/catch.hpp>
#include <sqlite3.h>

#include <gw/spool/spool.h>

#include "chain_faults.h"

namespace fs = std::filesystem;

namespace {

struct TempDir {
    fs::path path = fs::temp_directory_path() / ("gw-test-chain-" + std::to_string(::getpid()));
    TempDir() { fs::remove_all(path); }
    ~TempDir()
    {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

} // namespace

TEST_CASE("listSpoolIds reads complete spool entries only", "[e2e][chain]")
{
    TempDir dir;
    fs::create_directories(dir.path);
    // No spool yet, an empty one, then files that are not entries.
    CHECK(gw::e2e::listSpoolIds(dir.path / "absent")->empty());
    std::size_t torn = 0;
    {
        std::ofstream(dir.path / ".00000000000000000001.insp.tmp") << "half";
        std::ofstream(dir.path / "00000000000000000002.insp") << "not a spool file at all, no GWSP magic....";
        std::ofstream(dir.path / "00000000000000000003.insp.corrupt") << "x";
    }
    auto ids = gw::e2e::listSpoolIds(dir.path, &torn);
    REQUIRE(ids);
    CHECK(ids->empty());
    CHECK(torn == 1);

    // Entries written by the firmware's spool are listed with the id the firmware logs (toHex).
    const fs::path spoolDir = dir.path / "spool";
    std::set<std::string> written;
    {
        auto spool = gw::spool::Spool::open(spoolDir);
        REQUIRE(spool);
        for (std::uint8_t n = 1; n <= 3; ++n) {
            gw::link::InspectionId id;
            for (std::size_t i = 0; i < id.bytes.size(); ++i)
                id.bytes[i] = static_cast<std::uint8_t>(n * 37 + i * 11);
            const std::vector<std::uint8_t> body(100 + n, n);
            REQUIRE(spool->append(id, body));
            written.insert(id.toHex());
        }
    }
    ids = gw::e2e::listSpoolIds(spoolDir);
    REQUIRE(ids);
    CHECK(*ids == written);
}

TEST_CASE("checkStore counts lost, duplicated and unexpected inspections", "[e2e][chain]")
{
    TempDir dir;
    fs::create_directories(dir.path);
    const std::string a(32, 'a'), b(32, 'b'), c(32, 'c'), d(32, 'd'), e(32, 'e');
    // A table without the station's UNIQUE constraint, so that a double row can be shown to be caught.
    const fs::path db = dir.path / "station.db";
    {
        sqlite3* raw = nullptr;
        REQUIRE(sqlite3_open(db.c_str(), &raw) == SQLITE_OK);
        const std::string sql =
            "CREATE TABLE inspections(id TEXT NOT NULL); INSERT INTO inspections VALUES('" + a + "'), ('" +
            b + "'), ('" + b + "'), ('" + c + "'), ('" + e + "');";
        char* error = nullptr;
        const int rc = sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, &error);
        sqlite3_free(error);
        sqlite3_close(raw);
        REQUIRE(rc == SQLITE_OK);
    }
    // c answered STORED twice (by two station runs), a once plus one redelivery.
    std::ofstream(dir.path / "station.out") << "gw-station: officer page http://127.0.0.1:1/\n"
                                            << "STORED    GREEN " << a << "  GW-EMU-0001  X1 NLD  -\n"
                                            << "STORED    RED   " << c << "  GW-EMU-0001  X2 NLD  reason\n"
                                            << "DUPLICATE GREEN " << a << "  GW-EMU-0001  X1 NLD  -\n"
                                            << "STORED    RED   " << c << "  GW-EMU-0001  X2 NLD  reason\n";
    const std::set<std::string> created = {a, b, c, d};
    auto check = gw::e2e::checkStore(db, dir.path / "station.out", created);
    REQUIRE(check);
    CHECK(check->stored == 4); // a, b, c, e
    CHECK(check->lost == 1);
    CHECK(check->lostIds == std::vector<std::string>{d});
    CHECK(check->duplicated == 2); // b (two rows), c (two STORED answers)
    CHECK(check->duplicatedIds == std::vector<std::string>{b, c});
    CHECK(check->unexpected == 1); // e
    CHECK(check->duplicateAcks == 1);

    CHECK_FALSE(gw::e2e::checkStore(dir.path / "absent.db", dir.path / "station.out", created));
}

TEST_CASE("40 inspections through gw-firmware and gw-station with faults: none lost, none duplicated",
          "[e2e][chain]")
{
    gw::e2e::ChainFaultOptions o;
    o.paths = {GW_FIRMWARE_EXE, GW_STATION_EXE, GW_SPECIMEN_EXE};
    TempDir dir;
    o.workDir = dir.path;
    o.inspections = 40;
    o.captureCount = 2;
    o.seed = 40;
    // About one fault per two inspections: the shuffled fault bag makes that a few of each kind.
    o.faultEveryMin = std::chrono::milliseconds(300);
    o.faultEveryMax = std::chrono::milliseconds(900);
    o.downtimeMax = std::chrono::milliseconds(200);
    o.proxyCutProbability = 0.01;
    o.placementGap = std::chrono::milliseconds(10);
    o.runTimeout = std::chrono::seconds(120);
    o.drainTimeout = std::chrono::seconds(60);

    auto report = gw::e2e::runChainFaults(o);
    REQUIRE(report);
    INFO(gw::e2e::formatChainReport(o, *report));
    CHECK(report->problem.empty());
    CHECK(report->created >= 40);
    CHECK(report->lost == 0);
    CHECK(report->duplicated == 0);
    CHECK(report->unexpected == 0);
    CHECK(report->stored == report->created);
    CHECK(report->firmwareKills >= 2);
    CHECK(report->stationKills + report->stationTerms >= 2);
    CHECK(report->linkCuts >= 2);
    WARN(gw::e2e::formatChainReport(o, *report));
}
