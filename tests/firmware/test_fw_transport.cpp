// SPDX-License-Identifier: Apache-2.0
// The firmware over the real transport: TLS 1.3 loopback to the link's SessionServer (the host side),
// including a SIGKILL between the spool write and the host's ACK. Every inspection is stored exactly once.
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <poll.h>
#include <thread>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <sys/wait.h>

#include <gw/link/session.h>
#include <gw/link/testing.h>
#include <gw/link/tls.h>
#include <gw/link/transport_host_link.h>

#include "test_fw_util.h"

using namespace gw;
using namespace gw::fw;
using namespace gw::fw::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* kDeviceId = "GW-EMU-0001";

/// A host store that can hold store() back (the host has the frame but has not committed or ACKed yet).
class GateSink final : public link::InspectionSink {
public:
    Result<link::StoreOutcome> store(const link::InspectionOrigin& origin,
                                     const link::Inspection& insp) override
    {
        std::unique_lock lock(mutex_);
        ++calls_;
        changed_.notify_all();
        changed_.wait(lock, [&] { return open_; });
        lock.unlock();
        return inner_.store(origin, insp);
    }
    void close()
    {
        const std::lock_guard lock(mutex_);
        open_ = false;
    }
    void open()
    {
        {
            const std::lock_guard lock(mutex_);
            open_ = true;
        }
        changed_.notify_all();
    }
    bool waitForCalls(std::size_t n, std::chrono::milliseconds timeout)
    {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, timeout, [&] { return calls_ >= n; });
    }
    link::MemorySink& inner() { return inner_; }

private:
    std::mutex mutex_;
    std::condition_variable changed_;
    bool open_ = true;
    std::size_t calls_ = 0;
    link::MemorySink inner_;
};

struct Host {
    link::testing::TestPki pki;
    GateSink sink;
    std::unique_ptr<link::Listener> listener;
    std::unique_ptr<link::SessionServer> server;
    std::uint16_t port = 0;

    /// Makes the PKI and binds the listener; start() begins serving. Split so that a test can fork before
    /// any thread exists (qemu-user cannot run threads in a child forked from a threaded process).
    explicit Host(const std::filesystem::path& dir)
    {
        auto p = link::testing::makeTestPki(dir, {kDeviceId});
        if (!p)
            throw std::runtime_error(p.error().describe());
        pki = *p;
        auto l = link::TlsListener::create({"127.0.0.1", 0, pki.host, 32});
        if (!l)
            throw std::runtime_error(l.error().describe());
        port = (*l)->port();
        listener = std::move(*l);
    }
    void start()
    {
        link::ServerOptions so;
        so.hello.deviceId = "gw-host";
        so.hello.firmwareVersion = "0.1.0";
        so.hello.board = "host";
        auto s = link::SessionServer::create(std::move(listener), sink, so);
        if (!s)
            throw std::runtime_error(s.error().describe());
        server = std::move(*s);
        server->start();
    }
    ~Host()
    {
        sink.open();
        if (server)
            server->stop();
    }

    std::unique_ptr<hal::HostLink> scannerLink() const
    {
        link::TlsClientOptions o;
        o.host = "127.0.0.1";
        o.port = port;
        o.credentials = pki.scanners.at(0);
        auto dialer = link::TlsDialer::create(o);
        if (!dialer)
            throw std::runtime_error(dialer.error().describe());
        link::TransportHostLinkOptions lo;
        lo.backoffInitial = 20ms;
        lo.backoffMax = 200ms;
        auto l = link::TransportHostLink::create(std::move(*dialer), lo);
        if (!l)
            throw std::runtime_error(l.error().describe());
        return std::move(*l);
    }
};

emulator::EmulatorOptions noBuiltInLink()
{
    emulator::EmulatorOptions eo;
    eo.linkUp = false; // the emulator's in-memory host stays down; the TLS link replaces it
    return eo;
}

/// Steps the firmware (virtual time for the scenario, real time for the network) until @p done or 60 s.
template <typename Done>
bool runUntil(Rig& rig, Done done)
{
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < deadline) {
        rig.app->step();
        rig.clock.advanceUs(2000);
        if (done())
            return true;
        std::this_thread::sleep_for(1ms);
    }
    return false;
}

} // namespace

TEST_CASE("the firmware delivers over TLS to the host's session server, each inspection once",
          "[fw][transport]")
{
    TempDir dir;
    writeSyntheticCapture(dir.path() / "caps" / "green", kGreenLevel);
    writeSyntheticCapture(dir.path() / "caps" / "red", kRedLevel);
    Host host(dir.path() / "pki");
    host.start();
    auto link = host.scannerLink();
    Rig rig(dir.path() / "spool", dir.path() / "caps", "place green\nremove\nplace red\nremove\n",
            noBuiltInLink(), {}, Rig::defaultSettings(), std::nullopt, link.get());
    REQUIRE(runUntil(rig, [&] {
        return rig.emu.finished() && rig.spool->count() == 0 && host.sink.inner().storedCount() == 2;
    }));
    CHECK(rig.app->stats().reported == 2);
    CHECK(rig.app->stats().acked == 2);
    const auto stored = host.sink.inner().stored();
    REQUIRE(stored.size() == 2);
    CHECK(stored[0].reportJson.find("GREEN") != std::string::npos);
    CHECK(stored[1].reportJson.find("RED") != std::string::npos);
    for (const auto& s : stored)
        CHECK(host.sink.inner().deliveries(s.id) == 1);
    // HELLO always went first: the host refused no session.
    CHECK(host.server->stats().refused == 0);
}

TEST_CASE("SIGKILL over TLS between the spool write and the ACK: stored exactly once after restart",
          "[fw][transport][crash]")
{
    TempDir dir;
    writeSyntheticCapture(dir.path() / "caps" / "green", kGreenLevel);
    Host host(dir.path() / "pki");
    host.sink.close(); // the host receives the inspection but does not commit or ACK it yet

    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::close(fds[0]);
        try {
            setLogSink([](const LogRecord&) {});
            auto link = host.scannerLink();
            Rig rig(dir.path() / "spool", dir.path() / "caps", "place green\n", noBuiltInLink(), {},
                    Rig::defaultSettings(), std::nullopt, link.get());
            bool told = false;
            for (;;) {
                rig.app->step();
                rig.clock.advanceUs(2000);
                if (!told && rig.app->stats().sent >= 1) {
                    const char b = 'S';
                    told = ::write(fds[1], &b, 1) == 1;
                }
                std::this_thread::sleep_for(1ms);
            }
        } catch (...) {
            ::_exit(3);
        }
    }
    ::close(fds[1]);
    host.start(); // only now: the child was forked from a process without threads
    pollfd p{fds[0], POLLIN, 0};
    REQUIRE(::poll(&p, 1, 60'000) == 1);
    // The frame is at the host (store() entered) and the inspection is in the spool: kill the firmware now.
    REQUIRE(host.sink.waitForCalls(1, 60s));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ::close(fds[0]);
    REQUIRE(WIFSIGNALED(status));
    host.sink.open(); // the host commits; its ACK goes to a dead connection

    auto link = host.scannerLink();
    Rig rig(dir.path() / "spool", dir.path() / "caps", "wait 10\n", noBuiltInLink(), {},
            Rig::defaultSettings(), std::nullopt, link.get());
    REQUIRE(rig.spool->count() == 1);
    const link::InspectionId id = rig.spool->entries()[0].id;
    REQUIRE(runUntil(rig, [&] { return rig.spool->count() == 0; }));
    CHECK(rig.app->stats().resent == 1);
    CHECK(host.sink.inner().storedCount() == 1);
    CHECK(host.sink.inner().deliveries(id) == 2);   // the first send and the resend...
    CHECK(host.sink.inner().duplicateCount() == 1); // ...of which the host kept one
    CHECK(host.server->stats().refused == 0);
}
