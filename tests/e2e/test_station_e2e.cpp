// SPDX-License-Identifier: Apache-2.0
// End to end over loopback: emulated scanners -> TLS 1.3 (mutual auth) -> station -> SQLite -> REST API;
// and kill -9 of the station process under load: nothing acknowledged may be missing after the restart.
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <set>
#include <spawn.h>
#include <sstream>
#include <thread>

#include <catch2/catch.hpp>
#include <sqlite3.h>
#include <sys/wait.h>

#include <gw/host/auth.h>
#include <gw/host/receiver.h>
#include <gw/host/report.h>
#include <gw/host/sqlite_store.h>
#include <gw/host/web_server.h>
#include <gw/link/testing.h>

#include "api_client.h"
#include "host_test_util.h"
#include "scanner_sim.h"

extern char** environ;

using namespace gw::host;
using namespace gw::host::testing;

namespace {

template <typename Pred>
bool waitFor(Pred pred, std::chrono::milliseconds limit)
{
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
        if (pred())
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return pred();
}

std::unique_ptr<gw::link::SessionClient> scanner(const gw::link::testing::TestPki& pki, std::size_t index,
                                                 std::uint16_t port, RecordingQueue& queue)
{
    gw::link::TlsClientOptions tls;
    tls.port = port;
    tls.credentials = pki.scanners.at(index);
    auto dialer = gw::link::TlsDialer::create(tls);
    REQUIRE(dialer);
    gw::link::ClientOptions co;
    co.hello = simHello("GW-EMU-000" + std::to_string(index + 1));
    co.backoffInitial = std::chrono::milliseconds(20);
    co.backoffMax = std::chrono::milliseconds(300);
    auto client = gw::link::SessionClient::create(std::move(*dialer), queue, co);
    REQUIRE(client);
    return std::move(*client);
}

/// A gw-station child process.
class StationProcess {
public:
    StationProcess(const std::filesystem::path& db, const gw::link::testing::TestPki& pki,
                   const std::filesystem::path& readyFile)
    {
        std::filesystem::remove(readyFile);
        std::vector<std::string> args = {GW_STATION_EXE, "serve",
                                         "--db",         db.string(),
                                         "--http-port",  "0",
                                         "--link-port",  "0",
                                         "--link-ca",    (pki.directory / "ca.crt").string(),
                                         "--link-cert",  pki.host.certFile.string(),
                                         "--link-key",   pki.host.keyFile.string(),
                                         "--ready-file", readyFile.string()};
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
        REQUIRE(posix_spawn(&pid_, GW_STATION_EXE, &actions, nullptr, argv.data(), environ) == 0);
        posix_spawn_file_actions_destroy(&actions);
        REQUIRE(waitFor([&] { return std::filesystem::exists(readyFile); }, std::chrono::seconds(20)));
        std::ifstream in(readyFile);
        const auto ready = nlohmann::json::parse(in);
        linkPort_ = ready["link_port"].get<std::uint16_t>();
        httpPort_ = ready["http_port"].get<std::uint16_t>();
    }
    ~StationProcess() { stop(SIGTERM); }
    StationProcess(const StationProcess&) = delete;
    StationProcess& operator=(const StationProcess&) = delete;

    void stop(int signal)
    {
        if (pid_ <= 0)
            return;
        kill(pid_, signal);
        int status = 0;
        waitpid(pid_, &status, 0);
        pid_ = -1;
    }
    [[nodiscard]] std::uint16_t linkPort() const { return linkPort_; }
    [[nodiscard]] std::uint16_t httpPort() const { return httpPort_; }

private:
    pid_t pid_ = -1;
    std::uint16_t linkPort_ = 0;
    std::uint16_t httpPort_ = 0;
};

} // namespace

TEST_CASE("three scanners over TLS: every inspection stored once, visible through the API", "[e2e]")
{
    TempDir dir;
    auto pki = gw::link::testing::makeTestPki(dir / "pki", {"GW-EMU-0001", "GW-EMU-0002", "GW-EMU-0003"});
    REQUIRE(pki);
    auto store = SqliteStore::open(dir / "station.db");
    REQUIRE(store);
    auto hash = hashPassword("officer-password", KdfParams{12, 8, 1});
    REQUIRE(hash);
    REQUIRE((*store)->addUser(UserRecord{"anna", Role::Officer, *hash, 0, false}));

    ReceiverOptions ro;
    ro.tls = gw::link::TlsServerOptions{
        "127.0.0.1", 0, {pki->directory / "ca.crt", pki->host.certFile, pki->host.keyFile}, 32};
    ro.session.hello = simHello("gw-host");
    std::atomic<int> storedCallbacks{0};
    ro.onStored = [&](const InspectionRecord&, gw::link::AckStatus) {
        ++storedCallbacks;
    };
    auto receiver = Receiver::create(**store, ro);
    REQUIRE(receiver);
    (*receiver)->start();
    WebOptions wo;
    wo.port = 0;
    auto web = WebServer::create(**store, wo);
    REQUIRE(web);
    (*web)->start();

    constexpr int kPerScanner = 6;
    std::vector<std::unique_ptr<RecordingQueue>> queues;
    std::vector<std::unique_ptr<gw::link::SessionClient>> clients;
    for (std::size_t s = 0; s < 3; ++s) {
        queues.push_back(std::make_unique<RecordingQueue>());
        for (int i = 0; i < kPerScanner; ++i) {
            SimDocument doc;
            doc.red = i % 3 == 2;
            doc.issuingState = s == 0 ? "NLD" : "UTO";
            queues.back()->add(makeSimInspection(static_cast<std::uint64_t>(i), s + 1, doc,
                                                 1'790'000'000'000 + static_cast<std::uint64_t>(i)));
        }
        clients.push_back(scanner(*pki, s, (*receiver)->tlsPort(), *queues.back()));
        clients.back()->start();
    }
    REQUIRE(waitFor(
        [&] {
            for (auto& q : queues) {
                if (q->pendingCount() > 0)
                    return false;
            }
            return true;
        },
        std::chrono::seconds(60)));
    for (auto& c : clients)
        c->stop();

    auto all = (*store)->search(SearchQuery{});
    REQUIRE(all);
    CHECK(all->total == 3 * kPerScanner);
    CHECK(storedCallbacks.load() >= 3 * kPerScanner);

    // The registry knows each scanner from its HELLO, authenticated by its certificate.
    auto scanners = (*store)->scanners();
    REQUIRE(scanners);
    REQUIRE(scanners->size() == 3);
    CHECK((*scanners)[0].deviceId == "GW-EMU-0001");
    CHECK((*scanners)[0].transport == "tls");
    CHECK((*scanners)[0].firmwareVersion == "0.1.0-sim");

    ApiClient c((*web)->port());
    REQUIRE(c.login("anna", "officer-password").status == 200);
    auto red = c.get("/api/inspections?verdict=RED&issuing_state=NLD");
    REQUIRE(red.status == 200);
    CHECK(red.json()["total"] == 2);
    const std::string id = red.json()["items"][0]["id"];
    auto uv = c.get("/api/inspections/" + id + "/images/uv");
    CHECK(uv.status == 200);
    CHECK(uv.body.size() > 100);
    CHECK(uv.body.substr(1, 3) == "PNG");
    auto detail = c.get("/api/inspections/" + id).json();
    CHECK(detail["images"].size() == 3);
    CHECK(detail["scanner"] == "GW-EMU-0001");

    (*receiver)->stop();
    (*web)->stop();
}

TEST_CASE("a scanner without a certificate from the station's CA is refused", "[e2e]")
{
    TempDir dir;
    auto pki = gw::link::testing::makeTestPki(dir / "pki", {"GW-EMU-0001"});
    REQUIRE(pki);
    auto rogue = gw::link::testing::makeTestPki(dir / "rogue", {"GW-EMU-0001"});
    REQUIRE(rogue);
    auto store = SqliteStore::open(dir / "station.db");
    REQUIRE(store);
    ReceiverOptions ro;
    ro.tls = gw::link::TlsServerOptions{
        "127.0.0.1", 0, {pki->directory / "ca.crt", pki->host.certFile, pki->host.keyFile}, 32};
    ro.session.hello = simHello("gw-host");
    auto receiver = Receiver::create(**store, ro);
    REQUIRE(receiver);
    (*receiver)->start();
    // The rogue scanner trusts the real station (real CA) but holds a certificate of another CA.
    gw::link::TlsClientOptions tls;
    tls.port = (*receiver)->tlsPort();
    tls.credentials = {pki->directory / "ca.crt", rogue->scanners[0].certFile, rogue->scanners[0].keyFile};
    auto dialer = gw::link::TlsDialer::create(tls);
    REQUIRE(dialer);
    RecordingQueue queue;
    queue.add(makeSimInspection(1, 9, SimDocument{}, 0));
    gw::link::ClientOptions co;
    co.hello = simHello("GW-EMU-0001");
    auto client = gw::link::SessionClient::create(std::move(*dialer), queue, co);
    REQUIRE(client);
    (*client)->start();
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
    (*client)->stop();
    (*receiver)->stop();
    CHECK(queue.pendingCount() == 1);
    auto all = (*store)->search(SearchQuery{});
    REQUIRE(all);
    CHECK(all->total == 0);
    CHECK((*receiver)->stats().refused >= 1);
}

TEST_CASE("kill -9 of the station under load: nothing acknowledged is missing after restart",
          "[e2e][sigkill]")
{
    TempDir dir;
    auto pki = gw::link::testing::makeTestPki(dir / "pki",
                                              {"GW-EMU-0001", "GW-EMU-0002", "GW-EMU-0003", "GW-EMU-0004"});
    REQUIRE(pki);
    const auto db = dir / "station.db";
    constexpr int kPerScanner = 60;
    std::vector<std::unique_ptr<RecordingQueue>> queues;
    std::set<std::string> allIds;
    for (std::size_t s = 0; s < 4; ++s) {
        queues.push_back(std::make_unique<RecordingQueue>());
        for (int i = 0; i < kPerScanner; ++i) {
            SimDocument doc;
            doc.red = i % 4 == 0;
            doc.images = i % 2 == 0;
            auto insp = makeSimInspection(static_cast<std::uint64_t>(i), s + 100, doc, 1'790'000'000'000);
            allIds.insert(insp.id.toHex());
            queues.back()->add(std::move(insp));
        }
    }
    auto acknowledged = [&] {
        std::size_t n = 0;
        for (auto& q : queues)
            n += q->acknowledged().size();
        return n;
    };

    {
        StationProcess station(db, *pki, dir / "ready.json");
        std::vector<std::unique_ptr<gw::link::SessionClient>> clients;
        for (std::size_t s = 0; s < 4; ++s) {
            clients.push_back(scanner(*pki, s, station.linkPort(), *queues[s]));
            clients.back()->start();
        }
        REQUIRE(waitFor([&] { return acknowledged() >= 40; }, std::chrono::seconds(60)));
        station.stop(SIGKILL); // mid-stream: some inspections are in flight, unacknowledged
        for (auto& c : clients)
            c->stop();
    }
    std::set<std::string> ackedBeforeKill;
    for (auto& q : queues) {
        for (const auto& id : q->acknowledged())
            ackedBeforeKill.insert(id);
    }
    INFO("acknowledged before kill: " << ackedBeforeKill.size());
    REQUIRE(ackedBeforeKill.size() < allIds.size()); // the kill really interrupted the load
    {
        auto store = SqliteStore::open(db);
        REQUIRE(store);
        for (const auto& id : ackedBeforeKill) {
            auto found = (*store)->inspection(id);
            REQUIRE(found);
            INFO(id);
            CHECK(found->has_value());
        }
    }

    // Restart: the scanners resend what was not acknowledged; the station deduplicates.
    StationProcess station(db, *pki, dir / "ready.json");
    std::vector<std::unique_ptr<gw::link::SessionClient>> clients;
    for (std::size_t s = 0; s < 4; ++s) {
        clients.push_back(scanner(*pki, s, station.linkPort(), *queues[s]));
        clients.back()->start();
    }
    REQUIRE(waitFor([&] { return acknowledged() == allIds.size(); }, std::chrono::seconds(90)));
    for (auto& c : clients)
        c->stop();
    station.stop(SIGTERM);
    auto store = SqliteStore::open(db);
    REQUIRE(store);
    SearchQuery q;
    q.limit = 1000;
    auto all = (*store)->search(q);
    REQUIRE(all);
    CHECK(all->total == static_cast<std::int64_t>(allIds.size()));
}

namespace {

int runShell(const std::string& command)
{
    const int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string readAll(const std::filesystem::path& file)
{
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

} // namespace

TEST_CASE("gw-station CLI: user add, export CSV and JSON lines, purge, audit verify", "[e2e][cli]")
{
    TempDir dir;
    const auto db = dir / "station.db";
    const std::string exe = GW_STATION_EXE;
    {
        auto store = SqliteStore::open(db);
        REQUIRE(store);
        ReportSpec red;
        red.verdict = "RED";
        red.surname = "=HYPERLINK(\"http://evil\")"; // a hostile name must not become a spreadsheet formula
        red.failedCheck = "uv.substrate_dull";
        const std::int64_t old = nowMs() - 400LL * 24 * 3600 * 1000;
        auto r1 = inspectionFromReport(hexId(1), "GW-EMU-0001", old, old, makeReport(red));
        REQUIRE(r1);
        r1->images.push_back(ImageRecord{"uv", "png", tinyPng()});
        REQUIRE((*store)->insertInspection(*r1));
        auto r2 = inspectionFromReport(hexId(2), "GW-EMU-0001", nowMs(), nowMs(), makeReport({}));
        REQUIRE(r2);
        REQUIRE((*store)->insertInspection(*r2));
    }
    CHECK(runShell("echo 'short' | " + exe + " user add --db " + db.string() +
                   " --name anna --role officer") == 2);
    CHECK(runShell("echo 'long-enough-password' | " + exe + " user add --db " + db.string() +
                   " --name anna --role officer > /dev/null") == 0);
    CHECK(runShell("echo 'long-enough-password' | " + exe + " user add --db " + db.string() +
                   " --name anna --role officer 2> /dev/null") == 2); // exists
    CHECK(runShell(exe + " user add --db " + db.string() +
                   " --name bob --role king < /dev/null 2> /dev/null") == 2);

    const auto csv = dir / "all.csv";
    REQUIRE(runShell(exe + " export --db " + db.string() +
                     " --from 2000-01-01 --to 2100-01-01 --format csv --out " + csv.string() +
                     " 2> /dev/null") == 0);
    const std::string csvText = readAll(csv);
    CHECK_THAT(csvText, Catch::StartsWith("id,scanner,capture_time"));
    CHECK_THAT(csvText, Catch::Contains(hexId(1)) && Catch::Contains(hexId(2)));
    CHECK_THAT(csvText, Catch::Contains("\"'=HYPERLINK(\"\"http://evil\"\")\""));
    CHECK_THAT(csvText, Catch::Contains("uv.substrate_dull"));
    const auto jsonl = dir / "all.jsonl";
    REQUIRE(runShell(exe + " export --db " + db.string() +
                     " --from 2000-01-01 --to 2100-01-01 --format jsonl --out " + jsonl.string() +
                     " 2> /dev/null") == 0);
    std::ifstream lines(jsonl);
    int n = 0;
    for (std::string line; std::getline(lines, line); ++n)
        CHECK(nlohmann::json::parse(line)["report"]["verdict"].is_string());
    CHECK(n == 2);
    CHECK(runShell(exe + " export --db " + db.string() + " --from yesterday --to 2100-01-01 2> /dev/null") ==
          2);

    REQUIRE(runShell(exe + " purge --db " + db.string() + " --older-than-days 365 > /dev/null") == 0);
    {
        auto store = SqliteStore::open(db);
        REQUIRE(store);
        auto gone = (*store)->inspection(hexId(1));
        REQUIRE(gone);
        CHECK((*gone)->summary.purged);
        CHECK((*gone)->imageLights.empty());
        auto kept = (*store)->inspection(hexId(2));
        REQUIRE(kept);
        CHECK_FALSE((*kept)->summary.purged);
    }
    CHECK(runShell(exe + " audit verify --db " + db.string() + " > /dev/null") == 0);
    // Tamper with the file behind the station's back: verify must fail.
    {
        sqlite3* raw = nullptr;
        REQUIRE(sqlite3_open(db.c_str(), &raw) == SQLITE_OK);
        REQUIRE(sqlite3_exec(
                    raw,
                    "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET detail = 'nothing' WHERE seq = 1",
                    nullptr, nullptr, nullptr) == SQLITE_OK);
        sqlite3_close(raw);
    }
    CHECK(runShell(exe + " audit verify --db " + db.string() + " > /dev/null") == 1);
}
