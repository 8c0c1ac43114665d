// SPDX-License-Identifier: Apache-2.0
// The receiver's sink on the real link session code over an in-memory transport: ACK after commit.
#include <thread>

#include <catch2/catch.hpp>

#include <gw/host/receiver.h>
#include <gw/host/sqlite_store.h>

#include "host_test_util.h"

using namespace gw::host;
using gw::host::testing::hexId;
using gw::host::testing::makeReport;
using gw::host::testing::ReportSpec;
using gw::host::testing::TempDir;

namespace {

gw::link::Inspection inspection(std::uint64_t n, const std::string& report)
{
    gw::link::Inspection i;
    i.id = *gw::link::InspectionId::fromHex(hexId(n));
    i.captureTimeMs = 1'790'000'000'000 + n;
    i.reportJson = report;
    i.images.push_back(
        {gw::link::Light::Ultraviolet, gw::link::ImageEncoding::Png, gw::host::testing::tinyPng()});
    return i;
}

gw::link::Hello hello(const std::string& id)
{
    gw::link::Hello h;
    h.deviceId = id;
    h.firmwareVersion = "0.1.0";
    h.board = "emulator";
    h.capabilities = gw::link::kCapImagePng | gw::link::kCapSpool;
    return h;
}

template <typename Pred>
bool waitFor(Pred pred, std::chrono::milliseconds limit = std::chrono::seconds(20))
{
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
        if (pred())
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return pred();
}

} // namespace

TEST_CASE("StoreSink stores, deduplicates and rejects, ACKing after the commit", "[receiver]")
{
    TempDir dir;
    auto store = SqliteStore::open(dir / "s.db");
    REQUIRE(store);
    std::vector<std::pair<std::string, gw::link::AckStatus>> seen;
    std::mutex seenMutex;
    StoreSink sink(**store, {}, [&](const InspectionRecord& r, gw::link::AckStatus s) {
        // Called before the ACK: the row must already be readable.
        auto row = (*store)->inspection(r.id);
        REQUIRE(row);
        CHECK(row->has_value());
        std::lock_guard lock(seenMutex);
        seen.emplace_back(r.id, s);
    });

    gw::link::MemoryExchange exchange;
    gw::link::ServerOptions so;
    so.hello = hello("gw-host");
    auto server = gw::link::SessionServer::create(exchange.listener(), sink, so);
    REQUIRE(server);
    (*server)->start();

    gw::link::MemoryQueue queue;
    ReportSpec red;
    red.verdict = "RED";
    red.failedCheck = "uv.substrate_dull";
    queue.add(inspection(1, makeReport(red)));
    queue.add(inspection(2, makeReport({})));
    queue.add(inspection(3, R"({"verdict":"MAYBE"})")); // malformed: rejected for good
    gw::link::ClientOptions co;
    co.hello = hello("GW-EMU-0007");
    auto client = gw::link::SessionClient::create(exchange.dialer(), queue, co);
    REQUIRE(client);
    (*client)->start();
    REQUIRE(waitFor([&] { return queue.size() == 0; }));
    (*client)->stop();

    auto all = (*store)->search(SearchQuery{});
    REQUIRE(all);
    CHECK(all->total == 2);
    REQUIRE(queue.rejected().size() == 1);
    CHECK(queue.rejected()[0].toHex() == hexId(3));
    auto red1 = (*store)->inspection(hexId(1));
    REQUIRE(red1);
    REQUIRE(red1->has_value());
    CHECK((*red1)->summary.deviceId == "GW-EMU-0007");
    CHECK((*red1)->summary.verdict == "RED");
    CHECK((*red1)->imageLights == std::vector<std::string>{"uv"});

    // A resend of an inspection the station already has is a Duplicate, stored once.
    gw::link::MemoryQueue again;
    again.add(inspection(1, makeReport(red)));
    auto client2 = gw::link::SessionClient::create(exchange.dialer(), again, co);
    REQUIRE(client2);
    (*client2)->start();
    REQUIRE(waitFor([&] { return again.size() == 0; }));
    (*client2)->stop();
    (*server)->stop();
    all = (*store)->search(SearchQuery{});
    REQUIRE(all);
    CHECK(all->total == 2);
    std::lock_guard lock(seenMutex);
    REQUIRE(seen.size() == 3);
    CHECK(seen.back().second == gw::link::AckStatus::Duplicate);
}

TEST_CASE("a failing store means no ACK: the scanner keeps the inspection", "[receiver][alarm]")
{
    TempDir dir;
    const auto file = dir / "s.db";
    REQUIRE(SqliteStore::open(file)); // create the schema
    SqliteOptions ro;
    ro.readOnly = true;
    auto store = SqliteStore::open(file, ro);
    REQUIRE(store);
    StoreSink sink(**store);
    gw::link::MemoryExchange exchange;
    gw::link::ServerOptions so;
    so.hello = hello("gw-host");
    auto server = gw::link::SessionServer::create(exchange.listener(), sink, so);
    REQUIRE(server);
    (*server)->start();
    gw::link::MemoryQueue queue;
    queue.add(inspection(1, makeReport({})));
    gw::link::ClientOptions co;
    co.hello = hello("GW-EMU-0001");
    co.backoffInitial = std::chrono::milliseconds(20);
    auto client = gw::link::SessionClient::create(exchange.dialer(), queue, co);
    REQUIRE(client);
    (*client)->start();
    REQUIRE(waitFor([&] { return !(*store)->health().ok; }));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    CHECK(queue.size() == 1); // still on the scanner
    CHECK((*client)->stats().stored == 0);
    (*client)->stop();
    (*server)->stop();
    CHECK_THAT((*store)->health().alarm, Catch::Contains("read-only"));
}

TEST_CASE("STATUS becomes the scanner's health JSON", "[receiver]")
{
    gw::link::Status s;
    s.uptimeMs = 1234;
    s.spoolCount = 2;
    s.faults = gw::link::kFaultLightUv;
    s.temperatureCentiC = 4250;
    s.health.push_back({"light.uv", gw::link::HealthLevel::Fault, "LED current low"});
    const auto j = nlohmann::json::parse(statusJson(s));
    CHECK(j["uptime_ms"] == 1234);
    CHECK(j["spool_count"] == 2);
    CHECK(j["temperature_c"] == 42.5);
    CHECK(j["health"][0]["level"] == "fault");
}
