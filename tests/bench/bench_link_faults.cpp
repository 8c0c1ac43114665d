// SPDX-License-Identifier: Apache-2.0
// 1,000 inspections from the spool over TLS on 127.0.0.1 with random faults (connection cuts and corrupt
// bytes via a proxy, host restarts, firmware crashes); prints stored, lost, duplicated and the time taken.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <gw/link/session.h>
#include <gw/link/testing.h>
#include <gw/link/tls.h>
#include <gw/spool/spool.h>

using namespace gw::link;
using namespace std::chrono_literals;

namespace {

constexpr std::uint32_t kInspections = 1000;
constexpr std::chrono::milliseconds kCommitCost{3}; ///< per stored inspection, modelling the host's fsync

/// The firmware's spool behind the session's source interface.
class SpoolSource final : public InspectionSource {
public:
    explicit SpoolSource(gw::spool::Spool spool) : spool_(std::move(spool)) {}
    gw::Result<std::vector<InspectionId>> pending() override
    {
        const std::lock_guard lock(mutex_);
        std::vector<InspectionId> ids;
        for (const auto& e : spool_.entries())
            ids.push_back(e.id);
        return ids;
    }
    gw::Result<Inspection> load(const InspectionId& id) override
    {
        const std::lock_guard lock(mutex_);
        auto body = spool_.readBody(id);
        if (!body)
            return std::unexpected(body.error());
        auto message = decodeBody(MessageType::Inspection, *body);
        if (!message)
            return std::unexpected(message.error());
        return std::get<Inspection>(std::move(*message));
    }
    gw::Result<void> acknowledge(const InspectionId& id, AckStatus status) override
    {
        const std::lock_guard lock(mutex_);
        return status == AckStatus::Rejected ? spool_.setAside(id) : spool_.remove(id);
    }
    std::size_t count()
    {
        const std::lock_guard lock(mutex_);
        return spool_.count();
    }

private:
    std::mutex mutex_;
    gw::spool::Spool spool_;
};

/// The host store stand-in: deduplicates by id and counts every delivery (the host's SQLite store is
/// built elsewhere; this one commits in memory).
class CountingSink final : public InspectionSink {
public:
    gw::Result<StoreOutcome> store(const InspectionOrigin&, const Inspection& inspection) override
    {
        // A commit costs about what an fsync'ed SQLite insert does, so the faults land mid-transfer.
        std::this_thread::sleep_for(kCommitCost);
        const std::lock_guard lock(mutex_);
        auto& n = deliveries_[inspection.id];
        ++n;
        if (n > 1)
            return StoreOutcome{AckStatus::Duplicate, {}};
        stored_[inspection.id] = inspection;
        storedLog_.push_back(inspection.id);
        return StoreOutcome{AckStatus::Stored, {}};
    }
    std::size_t storedCount()
    {
        const std::lock_guard lock(mutex_);
        return stored_.size();
    }
    std::map<InspectionId, Inspection> stored()
    {
        const std::lock_guard lock(mutex_);
        return stored_;
    }
    std::size_t redeliveries()
    {
        const std::lock_guard lock(mutex_);
        std::size_t r = 0;
        for (const auto& [id, n] : deliveries_)
            r += n - 1;
        return r;
    }

    /// Ids answered "stored" more than once (what the dedup must prevent).
    std::size_t storedTwice()
    {
        const std::lock_guard lock(mutex_);
        std::map<InspectionId, int> times;
        std::size_t twice = 0;
        for (const auto& id : storedLog_)
            twice += ++times[id] == 2 ? 1 : 0;
        return twice;
    }

private:
    std::mutex mutex_;
    std::vector<InspectionId> storedLog_;
    std::map<InspectionId, std::size_t> deliveries_;
    std::map<InspectionId, Inspection> stored_;
};

Inspection makeInspection(std::uint32_t n, const std::vector<std::uint8_t>& png)
{
    Inspection m;
    m.id.bytes[0] = 0xBE;
    for (int i = 0; i < 4; ++i)
        m.id.bytes[12 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(n >> (24 - 8 * i));
    m.captureTimeMs = 1'750'000'000'000ull + n * 1000ull;
    m.reportJson = R"({"schema":1,"verdict":"green","document":{"type":"TD3","issuer":"NLD","number":"SPEC)" +
                   std::to_string(100000 + n) +
                   R"("},"checks":[{"id":"mrz.check_digits","result":"successful"}]})";
    m.images.push_back({Light::White, ImageEncoding::Png, png});
    return m;
}

} // namespace

int main()
{
    const auto tmp = std::filesystem::temp_directory_path() / ("gw-bench-link-" + std::to_string(::getpid()));
    std::filesystem::remove_all(tmp);
    auto pki = testing::makeTestPki(tmp / "pki", {"GW-EMU-0001"});
    if (!pki) {
        std::fprintf(stderr, "PKI: %s\n", pki.error().describe().c_str());
        return 1;
    }
    // A small real PNG (64 x 40 gradient), as the scanner would attach a thumbnail.
    cv::Mat image(40, 64, CV_8UC1);
    for (int y = 0; y < image.rows; ++y)
        for (int x = 0; x < image.cols; ++x)
            image.at<std::uint8_t>(y, x) = static_cast<std::uint8_t>(x * 4 + y);
    std::vector<std::uint8_t> png;
    cv::imencode(".png", image, png);

    std::vector<Inspection> expected;
    {
        auto spool = gw::spool::Spool::open(tmp / "spool");
        if (!spool) {
            std::fprintf(stderr, "spool: %s\n", spool.error().describe().c_str());
            return 1;
        }
        for (std::uint32_t i = 1; i <= kInspections; ++i) {
            expected.push_back(makeInspection(i, png));
            auto body = encodeBody(expected.back());
            if (!body || !spool->append(expected.back().id, *body)) {
                std::fprintf(stderr, "spool append failed\n");
                return 1;
            }
        }
    }

    CountingSink sink;
    ServerOptions serverOptions;
    serverOptions.hello = {kVersionMajor, kVersionMinor, "gw-host", "0.1.0", "host", 0};
    serverOptions.idleTimeout = 2000ms;
    serverOptions.heartbeatInterval = 300ms;
    std::uint16_t serverPort = 0;
    const auto startServer = [&]() -> std::unique_ptr<SessionServer> {
        auto listener = TlsListener::create({"127.0.0.1", serverPort, pki->host, 32});
        if (!listener)
            return nullptr;
        serverPort = (*listener)->port();
        auto server = SessionServer::create(std::move(*listener), sink, serverOptions);
        if (!server)
            return nullptr;
        (*server)->start();
        return std::move(*server);
    };
    auto server = startServer();
    auto proxy = testing::FaultProxy::create(serverPort, 2024, {0.002, 0.002});
    if (!server || !proxy) {
        std::fprintf(stderr, "cannot start the server or the proxy\n");
        return 1;
    }

    ClientOptions clientOptions;
    clientOptions.hello = {kVersionMajor, kVersionMinor, "GW-EMU-0001",
                           "0.1.0",       "emulator",    kCapSpool | kCapImagePng};
    clientOptions.dialTimeout = 1000ms;
    clientOptions.peerSilenceTimeout = 2000ms;
    clientOptions.heartbeatInterval = 300ms;
    clientOptions.backoffInitial = 10ms;
    clientOptions.backoffMax = 200ms;
    clientOptions.pollInterval = 5ms;
    std::unique_ptr<SpoolSource> source;
    std::unique_ptr<SessionClient> client;
    std::uint64_t sessions = 0, sent = 0;
    const auto startClient = [&]() -> bool {
        // A firmware start: reopen (and recover) the spool from disk, then a fresh client.
        auto spool = gw::spool::Spool::open(tmp / "spool");
        if (!spool)
            return false;
        source = std::make_unique<SpoolSource>(std::move(*spool));
        auto dialer = TlsDialer::create({"127.0.0.1", (*proxy)->port(), pki->scanners[0], {}});
        if (!dialer)
            return false;
        auto made = SessionClient::create(std::move(*dialer), *source, clientOptions);
        if (!made)
            return false;
        client = std::move(*made);
        client->start();
        return true;
    };
    const auto crashClient = [&] {
        const auto s = client->stats();
        sessions += s.sessions;
        sent += s.sent;
        client.reset(); // ACKs in flight die with it, as with SIGKILL; the spool files stay
        source.reset();
    };
    if (!startClient()) {
        std::fprintf(stderr, "cannot start the client\n");
        return 1;
    }

    std::mt19937 random(1234);
    int cuts = 0, serverRestarts = 0, clientCrashes = 0;
    const auto start = std::chrono::steady_clock::now();
    const auto deadline = start + 300s;
    while (sink.storedCount() < kInspections && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(40 + random() % 160));
        switch (random() % 10) {
        case 0:
        case 1:
        case 2:
        case 3:
            (*proxy)->cutAll();
            ++cuts;
            break;
        case 4:
        case 5:
        case 6:
            server.reset();
            server = startServer();
            if (!server) {
                std::fprintf(stderr, "server restart failed\n");
                return 1;
            }
            ++serverRestarts;
            break;
        default:
            crashClient();
            if (!startClient()) {
                std::fprintf(stderr, "client restart failed\n");
                return 1;
            }
            ++clientCrashes;
            break;
        }
    }
    // Let the last ACKs reach the spool, then stop.
    const auto drainDeadline = std::chrono::steady_clock::now() + 30s;
    while (source->count() > 0 && std::chrono::steady_clock::now() < drainDeadline)
        std::this_thread::sleep_for(10ms);
    const auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const std::size_t spoolLeft = source->count();
    crashClient();
    server->stop();

    const auto stored = sink.stored();
    std::size_t lost = 0, corrupted = 0;
    for (const auto& e : expected) {
        const auto it = stored.find(e.id);
        if (it == stored.end())
            ++lost;
        else if (!(it->second == e))
            ++corrupted;
    }
    const auto proxyStats = (*proxy)->stats();
    std::printf(
        "link_faults: %u inspections (report JSON %zu B + PNG %zu B each) over TLS 1.3 on 127.0.0.1\n",
        kInspections, expected.front().reportJson.size(), png.size());
    std::printf(
        "faults: %d connection cuts + %llu random cuts and %llu byte flips by the proxy, %d host restarts, "
        "%d firmware crashes\n",
        cuts, static_cast<unsigned long long>(proxyStats.cuts),
        static_cast<unsigned long long>(proxyStats.flips), serverRestarts, clientCrashes);
    std::printf("stored %zu, lost %zu, duplicated %zu (stored twice), altered %zu; redeliveries answered "
                "'duplicate' %zu; sessions %llu, INSPECTION frames sent %llu; spool left %zu\n",
                stored.size(), lost, sink.storedTwice(), corrupted, sink.redeliveries(),
                static_cast<unsigned long long>(sessions), static_cast<unsigned long long>(sent), spoolLeft);
    std::printf("time %.2f s (%.0f inspections/s with faults; the host store costs %lld ms per commit)\n",
                elapsed, kInspections / elapsed, static_cast<long long>(kCommitCost.count()));
    std::filesystem::remove_all(tmp);
    return lost == 0 && corrupted == 0 && stored.size() == kInspections ? 0 : 1;
}
