// SPDX-License-Identifier: Apache-2.0
// Station benchmark: (1) a store of 100,000 inspections: search and statistics timings, in the store and
// through the REST API; (2) N emulated scanners sending over TLS 1.3 at once for a period: ingest latency
// (hand-over to the link -> ACK after commit), API response times meanwhile, and that every inspection
// was stored. Prints figures; never asserts on time (scripts/bench.sh runs it).
//   bench_station [--inspections 100000] [--scanners 20] [--seconds 300] [--interval-ms 500] [--skip-store]
//                 [--skip-load]        (GW_BENCH_STATION_SECONDS sets the default of --seconds)
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <gw/host/auth.h>
#include <gw/host/receiver.h>
#include <gw/host/report.h>
#include <gw/host/sqlite_store.h>
#include <gw/host/web_server.h>
#include <gw/link/testing.h>

#include "api_client.h"
#include "host_test_util.h"
#include "scanner_sim.h"

using namespace gw::host;
using namespace gw::host::testing;

namespace {

constexpr std::int64_t kDay = 24LL * 3600 * 1000;

struct Figures {
    double median = 0, p95 = 0, max = 0;
    std::size_t n = 0;
};

Figures figures(std::vector<double> v)
{
    Figures f;
    f.n = v.size();
    if (v.empty())
        return f;
    std::sort(v.begin(), v.end());
    f.median = v[v.size() / 2];
    f.p95 = v[std::min(v.size() - 1, v.size() * 95 / 100)];
    f.max = v.back();
    return f;
}

void print(const std::string& what, const Figures& f, double limitMs = 0)
{
    std::printf("  %-44s median %8.2f ms  p95 %8.2f ms  max %8.2f ms  (n=%zu)%s\n", what.c_str(), f.median,
                f.p95, f.max, f.n,
                limitMs > 0 ? (f.median <= limitMs
                                   ? "  [<= " + std::to_string(static_cast<int>(limitMs)) + " ms: yes]"
                                   : "  [<= " + std::to_string(static_cast<int>(limitMs)) + " ms: NO]")
                                  .c_str()
                            : "");
}

double timeMs(const std::function<void()>& f)
{
    const auto t0 = std::chrono::steady_clock::now();
    f();
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

int argInt(int argc, char** argv, const char* name, int fallback)
{
    for (int i = 1; i + 1 < argc; ++i) {
        if (std::strcmp(argv[i], name) == 0)
            return std::atoi(argv[i + 1]);
    }
    return fallback;
}

bool argFlag(int argc, char** argv, const char* name)
{
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], name) == 0)
            return true;
    }
    return false;
}

void addUser(Store& store)
{
    auto hash = hashPassword("bench-password", KdfParams{12, 8, 1});
    if (hash)
        (void)store.addUser(UserRecord{"bench", Role::Supervisor, *hash, 0, false});
}

int benchLargeStore(const TempDir& dir, int count)
{
    std::printf("1. Store of %d inspections (SQLite, WAL)\n", count);
    const auto file = dir / "large.db";
    {
        SqliteOptions bulk;
        bulk.durableCommits = false; // the fill is setup, not what is measured
        auto store = SqliteStore::open(file, bulk);
        if (!store) {
            std::cerr << store.error().describe() << "\n";
            return 1;
        }
        static const char* kStates[] = {"NLD", "D", "BEL", "FRA", "GBR", "UTO", "ESP", "ITA", "POL", "TUR"};
        const std::int64_t t0 = nowMs() - 90 * kDay;
        const auto fill = timeMs([&] {
            for (int i = 0; i < count; ++i) {
                ReportSpec spec;
                spec.verdict = i % 17 == 0 ? "RED" : (i % 5 == 0 ? "AMBER" : "GREEN");
                spec.issuingState = kStates[i % 10];
                spec.documentNumber = "D" + std::to_string(10000000 + i);
                if (spec.verdict == "RED")
                    spec.failedCheck = i % 2 ? "uv.substrate_dull" : "mrz.check_digits";
                const std::int64_t t = t0 + static_cast<std::int64_t>(i) * (90 * kDay / count);
                auto rec = inspectionFromReport(hexId(static_cast<std::uint64_t>(i), 77),
                                                "GW-EMU-" + std::to_string(i % 20), t, t, makeReport(spec));
                if (!rec || !(*store)->insertInspection(*rec)) {
                    std::cerr << "fill failed at " << i << "\n";
                    std::exit(1);
                }
            }
        });
        std::printf("  filled in %.1f s\n", fill / 1000.0);
    }
    auto store = SqliteStore::open(file);
    if (!store)
        return 1;
    addUser(**store);
    const std::int64_t now = nowMs();
    std::vector<std::pair<std::string, SearchQuery>> queries;
    {
        SearchQuery q;
        queries.push_back({"queue page (newest 50)", q});
        q = SearchQuery{};
        q.documentNumber = "D10054321";
        queries.push_back({"search: document number", q});
        q = SearchQuery{};
        q.verdict = "RED";
        q.fromMs = now - 30 * kDay;
        q.toMs = now;
        queries.push_back({"search: RED in the last 30 days", q});
        q = SearchQuery{};
        q.issuingState = "NLD";
        q.fromMs = now - 7 * kDay;
        q.toMs = now;
        queries.push_back({"search: issuing state NLD, last 7 days", q});
        q = SearchQuery{};
        q.issuingState = "TUR";
        q.verdict = "RED";
        queries.push_back({"search: RED from TUR, all time", q});
    }
    constexpr int kRuns = 21;
    for (const auto& [name, q] : queries) {
        std::vector<double> t;
        for (int i = 0; i < kRuns; ++i)
            t.push_back(timeMs([&] { (void)(*store)->search(q); }));
        print("store " + name, figures(t), 200);
    }
    for (int days : {30, 90}) {
        std::vector<double> t;
        for (int i = 0; i < kRuns; ++i)
            t.push_back(timeMs([&] { (void)(*store)->statistics(now - days * kDay, now + kDay); }));
        print("store statistics, " + std::to_string(days) + " days", figures(t), 200);
    }
    WebOptions wo;
    wo.port = 0;
    auto web = WebServer::create(**store, wo);
    if (!web)
        return 1;
    (*web)->start();
    ApiClient client((*web)->port());
    client.login("bench", "bench-password");
    for (const auto& [name, path] : std::vector<std::pair<std::string, std::string>>{
             {"api GET /api/inspections?limit=50", "/api/inspections?limit=50"},
             {"api search document number", "/api/inspections?document_number=D10054321"},
             {"api search RED + state", "/api/inspections?verdict=RED&issuing_state=TUR"},
             {"api statistics (31 days)", "/api/statistics"}}) {
        std::vector<double> t;
        for (int i = 0; i < kRuns; ++i)
            t.push_back(timeMs([&] { (void)client.get(path); }));
        print(name, figures(t), 200);
    }
    (*web)->stop();
    return 0;
}

int benchLoad(const TempDir& dir, int scanners, int seconds, int intervalMs)
{
    std::printf(
        "2. %d emulated scanners over TLS 1.3 for %d s, one document each per %d ms (3 PNG images each)\n",
        scanners, seconds, intervalMs);
    std::vector<std::string> ids;
    for (int s = 0; s < scanners; ++s)
        ids.push_back("GW-EMU-" + std::to_string(1000 + s));
    auto pki = gw::link::testing::makeTestPki(dir / "pki", ids);
    if (!pki)
        return 1;
    auto store = SqliteStore::open(dir / "load.db");
    if (!store)
        return 1;
    addUser(**store);
    ReceiverOptions ro;
    ro.tls = gw::link::TlsServerOptions{
        "127.0.0.1", 0, {pki->directory / "ca.crt", pki->host.certFile, pki->host.keyFile}, 64};
    ro.session.hello = simHello("gw-host");
    auto receiver = Receiver::create(**store, ro);
    if (!receiver)
        return 1;
    (*receiver)->start();
    WebOptions wo;
    wo.port = 0;
    auto web = WebServer::create(**store, wo);
    if (!web)
        return 1;
    (*web)->start();

    // Pre-render the documents once: the benchmark measures the station, not PNG encoding.
    std::vector<gw::link::Inspection> templates;
    for (int k = 0; k < 4; ++k) {
        SimDocument doc;
        doc.red = k == 3;
        templates.push_back(makeSimInspection(0, 0, doc, 0));
    }
    std::vector<std::unique_ptr<RecordingQueue>> queues;
    std::vector<std::unique_ptr<gw::link::SessionClient>> clients;
    for (int s = 0; s < scanners; ++s) {
        queues.push_back(std::make_unique<RecordingQueue>());
        gw::link::TlsClientOptions tls;
        tls.port = (*receiver)->tlsPort();
        tls.credentials = pki->scanners[static_cast<std::size_t>(s)];
        auto dialer = gw::link::TlsDialer::create(tls);
        if (!dialer)
            return 1;
        gw::link::ClientOptions co;
        co.hello = simHello(ids[static_cast<std::size_t>(s)]);
        auto client = gw::link::SessionClient::create(std::move(*dialer), *queues.back(), co);
        if (!client)
            return 1;
        clients.push_back(std::move(*client));
        clients.back()->start();
    }

    std::atomic<bool> stop{false};
    std::vector<double> apiTimes;
    std::thread officer([&] {
        ApiClient c((*web)->port());
        c.login("bench", "bench-password");
        int i = 0;
        while (!stop.load()) {
            const auto list = c.get("/api/inspections?limit=50");
            apiTimes.push_back(timeMs([&] { (void)c.get("/api/inspections?limit=50"); }));
            auto j = list.json();
            if (j.is_object() && !j["items"].empty()) {
                const std::string id = j["items"][0]["id"];
                apiTimes.push_back(timeMs([&] { (void)c.get("/api/inspections/" + id); }));
                apiTimes.push_back(timeMs([&] { (void)c.get("/api/inspections/" + id + "/images/uv"); }));
            }
            if (++i % 10 == 0)
                apiTimes.push_back(timeMs([&] { (void)c.get("/api/statistics"); }));
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
    });

    std::uint64_t sent = 0;
    const auto start = std::chrono::steady_clock::now();
    const auto end = start + std::chrono::seconds(seconds);
    std::uint64_t round = 0;
    while (std::chrono::steady_clock::now() < end) {
        for (int s = 0; s < scanners; ++s) {
            auto insp = templates[(round + static_cast<std::uint64_t>(s)) % templates.size()];
            insp.id = *gw::link::InspectionId::fromHex(hexId(round, static_cast<std::uint64_t>(s) + 1));
            insp.captureTimeMs = static_cast<std::uint64_t>(nowMs());
            queues[static_cast<std::size_t>(s)]->add(std::move(insp));
            clients[static_cast<std::size_t>(s)]->notify();
            ++sent;
        }
        ++round;
        std::this_thread::sleep_until(
            start + std::chrono::milliseconds(static_cast<std::int64_t>(round) * intervalMs));
    }
    // Drain what is still in flight.
    const auto drainEnd = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    auto pendingTotal = [&] {
        std::size_t n = 0;
        for (auto& q : queues)
            n += q->pendingCount();
        return n;
    };
    while (pendingTotal() > 0 && std::chrono::steady_clock::now() < drainEnd)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    stop = true;
    officer.join();
    for (auto& c : clients)
        c->stop();
    (*receiver)->stop();
    (*web)->stop();

    std::vector<double> ingest;
    std::size_t acked = 0;
    for (auto& q : queues) {
        const auto l = q->latenciesMs();
        ingest.insert(ingest.end(), l.begin(), l.end());
        acked += q->acknowledged().size();
    }
    SearchQuery all;
    all.limit = 1;
    auto stored = (*store)->search(all);
    std::printf("  sent %llu, acknowledged %zu, pending %zu, stored %lld%s\n",
                static_cast<unsigned long long>(sent), acked, pendingTotal(),
                stored ? static_cast<long long>(stored->total) : -1LL,
                stored && stored->total == static_cast<std::int64_t>(sent) && acked == sent
                    ? "  [every inspection stored: yes]"
                    : "  [every inspection stored: NO]");
    print("ingest (link hand-over -> ACK after commit)", figures(ingest), 50);
    print("officer API while loaded", figures(apiTimes), 100);
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    const int inspections = argInt(argc, argv, "--inspections", 100000);
    const int scanners = argInt(argc, argv, "--scanners", 20);
    // GW_BENCH_STATION_SECONDS shortens the load for a quick `make bench` (the figure is 300 s).
    const char* envSeconds = std::getenv("GW_BENCH_STATION_SECONDS");
    const int seconds = argInt(argc, argv, "--seconds", envSeconds != nullptr ? std::atoi(envSeconds) : 300);
    const int intervalMs = std::max(10, argInt(argc, argv, "--interval-ms", 500));
    TempDir dir;
    std::printf("bench_station (store in %s)\n", dir.path().c_str());
    if (!argFlag(argc, argv, "--skip-store") && benchLargeStore(dir, inspections) != 0)
        return 1;
    if (!argFlag(argc, argv, "--skip-load") && benchLoad(dir, scanners, seconds, intervalMs) != 0)
        return 1;
    return 0;
}
