// SPDX-License-Identifier: Apache-2.0
// Reliable delivery: every inspection stored exactly once through corrupt frames, cuts, server restarts,
// client crashes, sink failures, and real SIGKILLs of the host and the firmware process.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <spawn.h>
#include <string>
#include <thread>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <sys/wait.h>

#include <gw/link/channel.h>
#include <gw/link/connection.h>
#include <gw/link/session.h>
#include <gw/link/testing.h>
#include <gw/link/tls.h>
#include <gw/link/transport_host_link.h>
#include <gw/spool/spool.h>

extern char** environ;

using namespace gw::link;
using namespace std::chrono_literals;

namespace {

struct TempDir {
    std::filesystem::path path;
    TempDir()
    {
        std::string pattern = (std::filesystem::temp_directory_path() / "gw-session-XXXXXX").string();
        path = ::mkdtemp(pattern.data());
    }
    ~TempDir()
    {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

template <typename Pred>
bool waitUntil(Pred pred, std::chrono::milliseconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (pred())
            return true;
        std::this_thread::sleep_for(5ms);
    }
    return pred();
}

/// A distinct inspection: id from @p n, a small report and a small fake PNG (the codec checks only the
/// signature).
Inspection makeInspection(std::uint32_t n)
{
    Inspection m;
    m.id.bytes[0] = 0x5A;
    for (int i = 0; i < 4; ++i)
        m.id.bytes[12 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(n >> (24 - 8 * i));
    m.captureTimeMs = 1'700'000'000'000ull + n;
    m.reportJson = R"({"verdict":"green","document":")" + std::to_string(n) + R"("})";
    std::vector<std::uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    for (std::uint32_t i = 0; i < 200 + n % 50; ++i)
        png.push_back(static_cast<std::uint8_t>(n * 7 + i));
    m.images.push_back({Light::White, ImageEncoding::Png, std::move(png)});
    return m;
}

Hello scannerHello(const std::string& id = "GW-EMU-0001")
{
    return {kVersionMajor, kVersionMinor, id, "0.1.0", "emulator", kCapSpool | kCapImagePng};
}

Hello hostHello()
{
    return {kVersionMajor, kVersionMinor, "gw-host", "0.1.0", "host", 0};
}

ClientOptions fastClient()
{
    ClientOptions o;
    o.hello = scannerHello();
    o.dialTimeout = 1000ms;
    o.helloTimeout = 1000ms;
    o.sendTimeout = 2000ms;
    o.heartbeatInterval = 200ms;
    o.peerSilenceTimeout = 1500ms;
    o.backoffInitial = 5ms;
    o.backoffMax = 50ms;
    o.pollInterval = 5ms;
    o.jitterSeed = 7;
    return o;
}

ServerOptions fastServer()
{
    ServerOptions o;
    o.hello = hostHello();
    o.handshakeTimeout = 1000ms;
    o.helloTimeout = 1000ms;
    o.idleTimeout = 1500ms;
    o.heartbeatInterval = 200ms;
    o.sendTimeout = 2000ms;
    return o;
}

/// Each inspection of @p expected is in @p sink exactly once and unchanged.
void requireExactlyOnce(const MemorySink& sink, const std::vector<Inspection>& expected)
{
    const auto stored = sink.stored();
    REQUIRE(stored.size() == expected.size());
    std::map<InspectionId, const Inspection*> byId;
    for (const auto& s : stored)
        byId[s.id] = &s;
    REQUIRE(byId.size() == expected.size()); // no id twice
    for (const auto& e : expected) {
        const auto it = byId.find(e.id);
        REQUIRE(it != byId.end());
        CHECK(*it->second == e);
    }
}

/// A connection that flips bytes and cuts the stream at a random point, both directions.
class FaultyConnection final : public Connection {
public:
    FaultyConnection(std::unique_ptr<Connection> inner, std::uint64_t seed, double flipPerCall,
                     std::size_t cutAfter)
        : inner_(std::move(inner)), random_(seed), flipPerCall_(flipPerCall), cutAfter_(cutAfter)
    {
    }
    gw::Result<void> handshake(std::chrono::milliseconds t) override { return inner_->handshake(t); }
    gw::Result<void> send(std::span<const std::uint8_t> bytes, std::chrono::milliseconds t) override
    {
        if (!account(bytes.size()))
            return gw::fail(gw::Errc::LinkLost, "test cut");
        std::vector<std::uint8_t> copy(bytes.begin(), bytes.end());
        maybeFlip(copy);
        return inner_->send(copy, t);
    }
    gw::Result<std::size_t> receive(std::span<std::uint8_t> buffer, std::chrono::milliseconds t) override
    {
        auto got = inner_->receive(buffer, t);
        if (got && *got > 0) {
            if (!account(*got))
                return gw::fail(gw::Errc::LinkLost, "test cut");
            std::span<std::uint8_t> part = buffer.first(*got);
            if (chance() < flipPerCall_) {
                part[random_() % part.size()] ^= static_cast<std::uint8_t>(1u << (random_() % 8));
                ++flips;
            }
        }
        return got;
    }
    void close() noexcept override { inner_->close(); }
    [[nodiscard]] const PeerIdentity& peer() const noexcept override { return inner_->peer(); }

    static inline std::atomic<int> flips{0};
    static inline std::atomic<int> cuts{0};

private:
    double chance() { return std::uniform_real_distribution<double>(0.0, 1.0)(random_); }
    bool account(std::size_t n)
    {
        bytes_ += n;
        if (bytes_ > cutAfter_) {
            ++cuts;
            inner_->close();
            return false;
        }
        return true;
    }
    void maybeFlip(std::vector<std::uint8_t>& bytes)
    {
        if (!bytes.empty() && chance() < flipPerCall_) {
            bytes[random_() % bytes.size()] ^= static_cast<std::uint8_t>(1u << (random_() % 8));
            ++flips;
        }
    }

    std::unique_ptr<Connection> inner_;
    std::mt19937_64 random_;
    double flipPerCall_;
    std::size_t cutAfter_;
    std::size_t bytes_ = 0;
};

class FaultyDialer final : public Dialer {
public:
    FaultyDialer(std::unique_ptr<Dialer> inner, std::uint64_t seed, double flipPerCall)
        : inner_(std::move(inner)), random_(seed), flipPerCall_(flipPerCall)
    {
    }
    gw::Result<std::unique_ptr<Connection>> dial(std::chrono::milliseconds t) override
    {
        auto c = inner_->dial(t);
        if (!c)
            return c;
        // Half the connections are cut somewhere in their first 40 KB.
        const std::size_t cutAfter = random_() % 2 == 0 ? random_() % 40'000 : SIZE_MAX;
        return std::unique_ptr<Connection>(
            std::make_unique<FaultyConnection>(std::move(*c), random_(), flipPerCall_, cutAfter));
    }
    [[nodiscard]] std::string describe() const override { return "faulty " + inner_->describe(); }

private:
    std::unique_ptr<Dialer> inner_;
    std::mt19937_64 random_;
    double flipPerCall_;
};

/// The spool behind the InspectionSource interface (the firmware does the same).
class SpoolSource final : public InspectionSource {
public:
    explicit SpoolSource(gw::spool::Spool& spool) : spool_(spool) {}
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
    gw::spool::Spool& spool_;
};

/// Stores inspection ids in a file, fsync'ed before store() returns: survives SIGKILL of the host.
class FileSink final : public InspectionSink {
public:
    explicit FileSink(std::filesystem::path file) : file_(std::move(file))
    {
        std::ifstream in(file_);
        for (std::string line; std::getline(in, line);)
            if (line.size() == 32)
                ids_.insert(line);
    }
    gw::Result<StoreOutcome> store(const InspectionOrigin&, const Inspection& inspection) override
    {
        const std::lock_guard lock(mutex_);
        const std::string hex = inspection.id.toHex();
        if (ids_.contains(hex))
            return StoreOutcome{AckStatus::Duplicate, {}};
        const std::string line = hex + "\n";
        const int fd = ::open(file_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
            return gw::fail(gw::Errc::Io, "cannot open the id file");
        const bool ok =
            ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
        ::close(fd);
        if (!ok)
            return gw::fail(gw::Errc::Io, "cannot write the id file");
        ids_.insert(hex);
        return StoreOutcome{AckStatus::Stored, {}};
    }

private:
    std::mutex mutex_;
    std::filesystem::path file_;
    std::set<std::string> ids_;
};

std::map<std::string, int> readIdFile(const std::filesystem::path& file)
{
    std::map<std::string, int> counts;
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);)
        if (!line.empty())
            ++counts[line];
    return counts;
}

/// A MemorySink whose commits take @p delay (a database's fsync), so faults land mid-transfer.
class SlowSink final : public InspectionSink {
public:
    explicit SlowSink(MemorySink& inner, std::chrono::milliseconds delay) : inner_(inner), delay_(delay) {}
    gw::Result<StoreOutcome> store(const InspectionOrigin& o, const Inspection& i) override
    {
        std::this_thread::sleep_for(delay_);
        return inner_.store(o, i);
    }

private:
    MemorySink& inner_;
    std::chrono::milliseconds delay_;
};

struct MemoryRig {
    MemoryExchange exchange;
    MemorySink sink;
    SlowSink slowSink{sink, 1ms};
    MemoryQueue queue;
    std::vector<Inspection> expected;

    explicit MemoryRig(std::uint32_t count)
    {
        for (std::uint32_t i = 1; i <= count; ++i) {
            expected.push_back(makeInspection(i));
            queue.add(expected.back());
        }
    }
    std::unique_ptr<SessionServer> server(ServerOptions options = fastServer(), ServerEvents events = {})
    {
        auto s = SessionServer::create(exchange.listener(), slowSink, options, std::move(events));
        REQUIRE(s);
        (*s)->start();
        return std::move(*s);
    }
    std::unique_ptr<SessionClient> client(std::unique_ptr<Dialer> dialer,
                                          ClientOptions options = fastClient())
    {
        auto c = SessionClient::create(std::move(dialer), queue, options);
        REQUIRE(c);
        (*c)->start();
        return std::move(*c);
    }
};

} // namespace

TEST_CASE("session: inspections arrive once, in order, and the queue drains", "[link][session]")
{
    MemoryRig rig(60);
    std::atomic<int> connects{0};
    std::string helloDevice;
    ServerEvents events;
    events.connected = [&](const PeerIdentity&, const Hello& h) {
        helloDevice = h.deviceId;
        ++connects;
    };
    auto server = rig.server(fastServer(), events);
    auto client = rig.client(rig.exchange.dialer());
    REQUIRE(waitUntil([&] { return rig.queue.size() == 0; }, 10s));
    client->stop();
    server->stop();
    requireExactlyOnce(rig.sink, rig.expected);
    const auto stored = rig.sink.stored();
    for (std::size_t i = 0; i < stored.size(); ++i)
        CHECK(stored[i].id == rig.expected[i].id); // one connection, FIFO: arrival order is spool order
    CHECK(rig.sink.duplicateCount() == 0);
    CHECK(connects == 1);
    CHECK(helloDevice == "GW-EMU-0001");
    CHECK(client->stats().stored == 60);
    CHECK(client->stats().sessions == 1);
}

TEST_CASE("session: corrupt frames and random cuts in both directions still give exactly once",
          "[link][session][faults]")
{
    MemoryRig rig(150);
    FaultyConnection::flips = 0;
    FaultyConnection::cuts = 0;
    auto server = rig.server();
    auto client = rig.client(std::make_unique<FaultyDialer>(rig.exchange.dialer(), 42, 0.02));
    REQUIRE(waitUntil([&] { return rig.queue.size() == 0; }, 60s));
    client->stop();
    server->stop();
    requireExactlyOnce(rig.sink, rig.expected);
    INFO("flips " << FaultyConnection::flips << ", cuts " << FaultyConnection::cuts);
    CHECK(FaultyConnection::flips > 0);
    CHECK(FaultyConnection::cuts > 0);
    CHECK(client->stats().sessions > 1);
    CHECK(server->stats().corruptStreams > 0);
}

TEST_CASE("session: the server destroyed and recreated mid-transfer loses and duplicates nothing",
          "[link][session][restart]")
{
    MemoryRig rig(400);
    auto server = rig.server();
    auto client = rig.client(rig.exchange.dialer());
    for (int restart = 0; restart < 4; ++restart) {
        const std::size_t before = rig.sink.storedCount();
        waitUntil([&] { return rig.sink.storedCount() >= before + 20 || rig.queue.size() == 0; }, 5s);
        CHECK(rig.queue.size() > 0); // still mid-transfer
        server.reset();              // mid-transfer: inspections in flight are never ACKed
        std::this_thread::sleep_for(20ms);
        server = rig.server();
    }
    REQUIRE(waitUntil([&] { return rig.queue.size() == 0; }, 20s));
    client->stop();
    server->stop();
    requireExactlyOnce(rig.sink, rig.expected);
    CHECK(client->stats().sessions >= 5);
}

TEST_CASE("session: a client crash and restart over the same queue resends with the RESEND flag",
          "[link][session][restart]")
{
    struct CountingSink final : InspectionSink {
        MemorySink inner;
        std::atomic<int> resends{0};
        gw::Result<StoreOutcome> store(const InspectionOrigin& o, const Inspection& i) override
        {
            resends += o.resend ? 1 : 0;
            std::this_thread::sleep_for(1ms); // a commit's cost, so the crashes land mid-transfer
            return inner.store(o, i);
        }
    } sink;
    MemoryExchange exchange;
    MemoryQueue queue;
    std::vector<Inspection> expected;
    for (std::uint32_t i = 1; i <= 100; ++i) {
        expected.push_back(makeInspection(i));
        queue.add(expected.back());
    }
    auto server = SessionServer::create(exchange.listener(), sink, fastServer());
    REQUIRE(server);
    (*server)->start();
    for (int crash = 0; crash < 3; ++crash) {
        auto client = SessionClient::create(exchange.dialer(), queue, fastClient());
        REQUIRE(client);
        (*client)->start();
        waitUntil([&] { return queue.size() <= expected.size() - 25u * (crash + 1); }, 5s);
        // The destructor stands in for a crash: ACKs in flight are lost with it.
    }
    auto client = SessionClient::create(exchange.dialer(), queue, fastClient());
    REQUIRE(client);
    (*client)->start();
    REQUIRE(waitUntil([&] { return queue.size() == 0; }, 20s));
    (*client)->stop();
    (*server)->stop();
    requireExactlyOnce(sink.inner, expected);
    CHECK(sink.resends > 0);
}

TEST_CASE("session: a failing sink gets no ACK, so the inspection is resent and stored once",
          "[link][session]")
{
    MemoryRig rig(30);
    rig.sink.failNext(3);
    auto server = rig.server();
    auto client = rig.client(rig.exchange.dialer());
    REQUIRE(waitUntil([&] { return rig.queue.size() == 0; }, 10s));
    client->stop();
    server->stop();
    requireExactlyOnce(rig.sink, rig.expected);
    CHECK(client->stats().sessions >= 4);
}

TEST_CASE("session: a rejected inspection is set aside, not resent", "[link][session]")
{
    struct PickySink final : InspectionSink {
        MemorySink inner;
        std::atomic<int> calls{0};
        gw::Result<StoreOutcome> store(const InspectionOrigin& o, const Inspection& i) override
        {
            ++calls;
            if (i.id.bytes[15] % 5 == 0)
                return StoreOutcome{AckStatus::Rejected, "report_json: verdict missing"};
            return inner.store(o, i);
        }
    } sink;
    MemoryExchange exchange;
    MemoryQueue queue;
    for (std::uint32_t i = 1; i <= 20; ++i)
        queue.add(makeInspection(i));
    auto server = SessionServer::create(exchange.listener(), sink, fastServer());
    REQUIRE(server);
    (*server)->start();
    auto client = SessionClient::create(exchange.dialer(), queue, fastClient());
    REQUIRE(client);
    (*client)->start();
    REQUIRE(waitUntil([&] { return queue.size() == 0; }, 10s));
    std::this_thread::sleep_for(50ms);
    (*client)->stop();
    (*server)->stop();
    CHECK(queue.rejected().size() == 4);
    CHECK(sink.inner.storedCount() == 16);
    CHECK(sink.calls == 20);
    CHECK((*client)->stats().rejected == 4);
}

TEST_CASE("session: an idle link stays up on heartbeats, and a silent host is dropped", "[link][session]")
{
    MemoryRig rig(0);
    auto server = rig.server();
    auto client = rig.client(rig.exchange.dialer());
    std::this_thread::sleep_for(1000ms); // > 2 x heartbeat, < silence timeout would be exceeded without them
    CHECK(client->connected());
    CHECK(client->stats().sessions == 1);
    CHECK(client->stats().heartbeats >= 3);
    client->stop();
    server->stop();

    // A "host" that answers HELLO and then says nothing: the client drops it after peerSilenceTimeout.
    MemoryExchange exchange;
    auto listener = exchange.listener();
    MemoryQueue queue;
    ClientOptions options = fastClient();
    options.peerSilenceTimeout = 300ms;
    options.heartbeatInterval = 100ms;
    auto silentClient = SessionClient::create(exchange.dialer(), queue, options);
    REQUIRE(silentClient);
    (*silentClient)->start();
    auto accepted = listener->accept(2000ms);
    REQUIRE(accepted);
    REQUIRE(*accepted);
    MessageChannel channel(**accepted);
    REQUIRE(channel.send(hostHello(), 0, 500ms));
    const auto start = std::chrono::steady_clock::now();
    gw::Result<std::optional<ReceivedMessage>> got = std::optional<ReceivedMessage>{};
    while (got && std::chrono::steady_clock::now() - start < 3s)
        got = channel.receive(50ms);
    const auto took = std::chrono::steady_clock::now() - start;
    CHECK_FALSE(got); // the client hung up
    CHECK(took >= 250ms);
    CHECK(took < 2s);
    (*silentClient)->stop();
    CHECK((*silentClient)->stats().lastError.find("silent") != std::string::npos);
}

TEST_CASE("session: garbage instead of HELLO, and a HELLO-less peer, are refused", "[link][session]")
{
    MemoryExchange exchange;
    MemorySink sink;
    ServerOptions options = fastServer();
    options.helloTimeout = 200ms;
    auto server = SessionServer::create(exchange.listener(), sink, options);
    REQUIRE(server);
    (*server)->start();
    auto dialer = exchange.dialer();
    auto garbage = dialer->dial(500ms);
    REQUIRE(garbage);
    const std::vector<std::uint8_t> junk(100, 0x42);
    REQUIRE((*garbage)->send(junk, 500ms));
    auto silent = dialer->dial(500ms);
    REQUIRE(silent);
    REQUIRE(waitUntil([&] { return (*server)->stats().refused >= 2; }, 3s));
    std::array<std::uint8_t, 16> buffer{};
    gw::Result<std::size_t> r = std::size_t{0};
    for (int i = 0; i < 20 && r; ++i)
        r = (*silent)->receive(buffer, 20ms);
    CHECK_FALSE(r);
    (*server)->stop();
    CHECK((*server)->stats().sessions == 0);
}

TEST_CASE("session over TLS through a fault proxy, with server restarts: exactly once",
          "[link][session][tls]")
{
    TempDir dir;
    auto pki = testing::makeTestPki(dir.path, {"GW-EMU-0001"});
    REQUIRE(pki);
    MemorySink sink;
    SlowSink slowSink(sink, 2ms);
    MemoryQueue queue;
    std::vector<Inspection> expected;
    for (std::uint32_t i = 1; i <= 120; ++i) {
        expected.push_back(makeInspection(i));
        queue.add(expected.back());
    }
    std::uint16_t port = 0;
    const auto startServer = [&] {
        auto listener = TlsListener::create({"127.0.0.1", port, pki->host, 16});
        REQUIRE(listener);
        port = (*listener)->port();
        auto s = SessionServer::create(std::move(*listener), slowSink, fastServer());
        REQUIRE(s);
        (*s)->start();
        return std::move(*s);
    };
    auto server = startServer();
    auto proxy = testing::FaultProxy::create(port, 99, {0.03, 0.02});
    REQUIRE(proxy);
    auto dialer = TlsDialer::create({"127.0.0.1", (*proxy)->port(), pki->scanners[0], "127.0.0.1"});
    REQUIRE(dialer);
    auto client = SessionClient::create(std::move(*dialer), queue, fastClient());
    REQUIRE(client);
    (*client)->start();
    for (int restart = 0; restart < 2; ++restart) {
        const std::size_t before = sink.storedCount();
        waitUntil([&] { return sink.storedCount() >= before + 25 || queue.size() == 0; }, 10s);
        CHECK(queue.size() > 0); // still mid-transfer
        server.reset();
        server = startServer(); // same port: SO_REUSEADDR
    }
    REQUIRE(waitUntil([&] { return queue.size() == 0; }, 60s));
    (*client)->stop();
    server->stop();
    requireExactlyOnce(sink, expected);
    const auto stats = (*proxy)->stats();
    INFO("proxy: connections " << stats.connections << ", flips " << stats.flips << ", cuts " << stats.cuts);
    CHECK(stats.connections > 1);
    CHECK(stats.flips + stats.cuts > 0);
}

// ---- real processes, killed with SIGKILL ---------------------------------------------------------------

namespace {

std::string selfExe()
{
    std::error_code ec;
    auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
    return ec ? std::string{} : p.string();
}

/// Starts this test binary running the hidden test case @p name with GW_LINK_CHILD_DIR=@p dir.
pid_t spawnChild(const std::string& name, const std::filesystem::path& dir)
{
    const std::string exe = selfExe();
    if (exe.empty())
        return -1;
    std::vector<std::string> env = {"GW_LINK_CHILD_DIR=" + dir.string()};
    for (char** e = environ; *e != nullptr; ++e)
        if (std::string(*e).rfind("GW_LINK_CHILD_DIR=", 0) != 0)
            env.emplace_back(*e);
    std::vector<char*> envp;
    for (auto& e : env)
        envp.push_back(e.data());
    envp.push_back(nullptr);
    std::string arg0 = exe, arg1 = name, arg2 = "--out=" + (dir / (name.substr(2, 6) + ".log")).string();
    std::vector<char*> argv = {arg0.data(), arg1.data(), arg2.data(), nullptr};
    pid_t pid = -1;
    if (::posix_spawn(&pid, exe.c_str(), nullptr, nullptr, argv.data(), envp.data()) != 0)
        return -1;
    return pid;
}

void killAndReap(pid_t pid)
{
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
}

/// Waits up to @p timeout for @p pid to exit; SIGKILLs it if it does not. True when it exited with 0.
bool waitExit(pid_t pid, std::chrono::milliseconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline) {
        if (::waitpid(pid, &status, WNOHANG) == pid)
            return WIFEXITED(status) && WEXITSTATUS(status) == 0;
        std::this_thread::sleep_for(10ms);
    }
    killAndReap(pid);
    return false;
}

/// The child touches "ready" once its server or client runs; the parent waits for it after each spawn, so
/// a binary that cannot run as a child here (e.g. an ARM binary under qemu-user without binfmt) is detected
/// in seconds instead of timing out every round.
void markReady(const std::filesystem::path& dir)
{
    std::ofstream(dir / "ready") << ::getpid();
}

bool waitReady(const std::filesystem::path& dir, pid_t pid, std::chrono::milliseconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (std::filesystem::exists(dir / "ready"))
            return true;
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) == pid)
            return false; // it died before getting ready
        std::this_thread::sleep_for(10ms);
    }
    return false;
}

/// Spawns the child and waits until it is ready; -1 when it cannot start here (the child is reaped).
pid_t spawnReady(const std::string& name, const std::filesystem::path& dir)
{
    std::error_code ec;
    std::filesystem::remove(dir / "ready", ec);
    const pid_t pid = spawnChild(name, dir);
    if (pid < 0)
        return -1;
    if (!waitReady(dir, pid, 20s)) {
        killAndReap(pid);
        return -1;
    }
    return pid;
}

std::uint16_t readPort(const std::filesystem::path& dir)
{
    std::ifstream in(dir / "port");
    int port = 0;
    in >> port;
    return static_cast<std::uint16_t>(port);
}

/// A free TCP port on 127.0.0.1 (bound once, released; the server binds with SO_REUSEADDR).
std::uint16_t freePort(const TlsCredentials& host)
{
    auto listener = TlsListener::create({"127.0.0.1", 0, host, 1});
    REQUIRE(listener);
    return (*listener)->port();
}

} // namespace

TEST_CASE("child: host station process (SIGKILLed by the parent)", "[.][child-host]")
{
    const char* dirText = std::getenv("GW_LINK_CHILD_DIR");
    REQUIRE(dirText != nullptr);
    const std::filesystem::path dir = dirText;
    FileSink sink(dir / "stored-ids");
    auto listener = TlsListener::create(
        {"127.0.0.1", readPort(dir), {dir / "ca.crt", dir / "host.crt", dir / "host.key"}, 16});
    REQUIRE(listener);
    auto server = SessionServer::create(std::move(*listener), sink, fastServer());
    REQUIRE(server);
    (*server)->start();
    markReady(dir);
    // Runs until killed; bounded so a lost parent cannot leave it behind forever.
    waitUntil([&] { return std::filesystem::exists(dir / "stop"); }, 120s);
    (*server)->stop();
}

TEST_CASE("child: firmware process delivering its spool (SIGKILLed by the parent)", "[.][child-firmware]")
{
    const char* dirText = std::getenv("GW_LINK_CHILD_DIR");
    REQUIRE(dirText != nullptr);
    const std::filesystem::path dir = dirText;
    auto spool = gw::spool::Spool::open(dir / "spool");
    REQUIRE(spool);
    SpoolSource source(*spool);
    auto dialer = TlsDialer::create(
        {"127.0.0.1", readPort(dir), {dir / "ca.crt", dir / "GW-EMU-0001.crt", dir / "GW-EMU-0001.key"}, {}});
    REQUIRE(dialer);
    auto client = SessionClient::create(std::move(*dialer), source, fastClient());
    REQUIRE(client);
    (*client)->start();
    markReady(dir);
    REQUIRE(waitUntil([&] { return source.count() == 0; }, 120s));
    (*client)->stop();
}

TEST_CASE("session: host process SIGKILLed and restarted mid-transfer: exactly once",
          "[link][session][process]")
{
    if (selfExe().empty()) {
        WARN("no /proc/self/exe: real-process test skipped");
        return;
    }
    TempDir dir;
    auto pki = testing::makeTestPki(dir.path, {"GW-EMU-0001"});
    REQUIRE(pki);
    {
        std::ofstream(dir.path / "port") << freePort(pki->host);
    }
    MemoryQueue queue;
    std::vector<Inspection> expected;
    for (std::uint32_t i = 1; i <= 150; ++i) {
        expected.push_back(makeInspection(i));
        queue.add(expected.back());
    }
    const std::string child = "child: host station process (SIGKILLed by the parent)";
    pid_t host = spawnReady(child, dir.path);
    if (host < 0) {
        WARN("cannot run this test binary as a child process here (e.g. under qemu-user): skipped");
        return;
    }
    auto dialer = TlsDialer::create({"127.0.0.1", readPort(dir.path), pki->scanners[0], {}});
    REQUIRE(dialer);
    auto client = SessionClient::create(std::move(*dialer), queue, fastClient());
    REQUIRE(client);
    (*client)->start();
    std::mt19937 random(5);
    int kills = 0;
    for (int round = 0; round < 4 && queue.size() > 0; ++round) {
        const std::size_t before = queue.size();
        waitUntil([&] { return queue.size() + 20 <= before || queue.size() == 0; }, 15s);
        std::this_thread::sleep_for(std::chrono::milliseconds(random() % 30));
        killAndReap(host);
        ++kills;
        host = spawnReady(child, dir.path);
        REQUIRE(host > 0);
    }
    const bool drained = waitUntil([&] { return queue.size() == 0; }, 60s);
    (*client)->stop();
    {
        std::ofstream(dir.path / "stop") << "stop";
    }
    waitExit(host, 5s);
    REQUIRE(drained);
    const auto counts = readIdFile(dir.path / "stored-ids");
    CHECK(counts.size() == expected.size());
    for (const auto& e : expected) {
        const auto it = counts.find(e.id.toHex());
        REQUIRE(it != counts.end());
        CHECK(it->second == 1);
    }
    CHECK(kills >= 1);
}

TEST_CASE("session: firmware process SIGKILLed between capture and ACK and restarted: exactly once",
          "[link][session][process]")
{
    if (selfExe().empty()) {
        WARN("no /proc/self/exe: real-process test skipped");
        return;
    }
    TempDir dir;
    auto pki = testing::makeTestPki(dir.path, {"GW-EMU-0001"});
    REQUIRE(pki);
    std::vector<Inspection> expected;
    {
        auto spool = gw::spool::Spool::open(dir.path / "spool");
        REQUIRE(spool);
        for (std::uint32_t i = 1; i <= 150; ++i) {
            expected.push_back(makeInspection(i));
            auto body = encodeBody(expected.back());
            REQUIRE(body);
            REQUIRE(spool->append(expected.back().id, *body));
        }
    }
    MemorySink sink;
    auto listener = TlsListener::create({"127.0.0.1", 0, pki->host, 16});
    REQUIRE(listener);
    {
        std::ofstream(dir.path / "port") << (*listener)->port();
    }
    auto server = SessionServer::create(std::move(*listener), sink, fastServer());
    REQUIRE(server);
    (*server)->start();
    const std::string child = "child: firmware process delivering its spool (SIGKILLed by the parent)";
    pid_t firmware = spawnReady(child, dir.path);
    if (firmware < 0) {
        (*server)->stop();
        WARN("cannot run this test binary as a child process here (e.g. under qemu-user): skipped");
        return;
    }
    std::mt19937 random(11);
    for (int round = 0; round < 4; ++round) {
        const std::size_t before = sink.storedCount();
        waitUntil([&] { return sink.storedCount() >= before + 20 || sink.storedCount() == expected.size(); },
                  15s);
        std::this_thread::sleep_for(std::chrono::milliseconds(random() % 20));
        killAndReap(firmware); // mid-transfer: some inspections stored, their ACKs not yet processed
        firmware = spawnReady(child, dir.path);
        REQUIRE(firmware > 0);
    }
    CHECK(waitExit(firmware, 60s)); // the last run drains the spool and exits 0
    (*server)->stop();
    requireExactlyOnce(sink, expected);
    INFO("duplicates answered by the host: " << sink.duplicateCount());
    auto spool = gw::spool::Spool::open(dir.path / "spool");
    REQUIRE(spool);
    CHECK(spool->count() == 0);
}

// ---- the firmware's hal::HostLink on a transport ---------------------------------------------------------

namespace {

/// Polls @p link until an event of @p kind arrives (other events are collected into @p seen).
std::optional<gw::hal::LinkEvent> nextEvent(TransportHostLink& link, gw::hal::LinkEvent::Kind kind,
                                            std::vector<gw::hal::LinkEvent>& seen,
                                            std::chrono::milliseconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        while (auto e = link.poll()) {
            if (e->kind == kind)
                return e;
            seen.push_back(std::move(*e));
        }
        std::this_thread::sleep_for(2ms);
    }
    return std::nullopt;
}

const Ack* ackIn(const std::vector<gw::hal::LinkEvent>& events, std::uint32_t sequence)
{
    for (const auto& e : events)
        if (e.kind == gw::hal::LinkEvent::Kind::Received && e.message)
            if (const auto* ack = std::get_if<Ack>(&*e.message);
                ack != nullptr && ack->ackedSequence == sequence)
                return ack;
    return nullptr;
}

} // namespace

TEST_CASE("TransportHostLink: HostLink events over a dialer, through a server restart",
          "[link][session][hal]")
{
    MemoryRig rig(0);
    TransportHostLinkOptions options;
    options.dialTimeout = 500ms;
    options.backoffInitial = 5ms;
    options.backoffMax = 20ms;
    options.peerSilenceTimeout = 2000ms;
    auto link = TransportHostLink::create(rig.exchange.dialer(), options);
    REQUIRE(link);
    CHECK_FALSE((*link)->connected());
    CHECK((*link)->send(Heartbeat{1}, 0).error().code() == gw::Errc::LinkLost);

    auto server = rig.server();
    std::vector<gw::hal::LinkEvent> seen;
    REQUIRE(nextEvent(**link, gw::hal::LinkEvent::Kind::Connected, seen, 3s));
    CHECK((*link)->connected());
    auto helloSeq = (*link)->send(scannerHello(), 0);
    REQUIRE(helloSeq);
    CHECK(*helloSeq == 0);
    const Inspection inspection = makeInspection(77);
    auto inspectionSeq = (*link)->send(inspection, 0);
    REQUIRE(inspectionSeq);
    CHECK(*inspectionSeq == 1);
    REQUIRE(waitUntil(
        [&] {
            while (auto e = (*link)->poll())
                seen.push_back(std::move(*e));
            return ackIn(seen, 1) != nullptr;
        },
        3s));
    CHECK(ackIn(seen, 1)->status == AckStatus::Stored);
    CHECK(ackIn(seen, 1)->inspectionId == inspection.id);
    const bool gotHostHello = std::any_of(seen.begin(), seen.end(), [](const gw::hal::LinkEvent& e) {
        return e.message && std::holds_alternative<Hello>(*e.message);
    });
    CHECK(gotHostHello);

    server.reset(); // the host goes away
    auto down = nextEvent(**link, gw::hal::LinkEvent::Kind::Disconnected, seen, 3s);
    REQUIRE(down);
    CHECK_FALSE(down->detail.empty());
    server = rig.server();
    seen.clear();
    // Like the firmware: after each Connected, HELLO and resend what is not acknowledged.
    bool acked = false;
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!acked && std::chrono::steady_clock::now() < deadline) {
        auto e = (*link)->poll();
        if (!e) {
            std::this_thread::sleep_for(2ms);
            continue;
        }
        if (e->kind == gw::hal::LinkEvent::Kind::Connected) {
            seen.clear();
            auto h = (*link)->send(scannerHello(), 0);
            CHECK((!h || *h == 0)); // sequence restarts per connection
            (void)(*link)->send(inspection, kFlagResend);
        } else {
            seen.push_back(std::move(*e));
            acked = ackIn(seen, 1) != nullptr;
        }
    }
    REQUIRE(acked);
    CHECK(ackIn(seen, 1)->status == AckStatus::Duplicate);
    CHECK(rig.sink.storedCount() == 1);
}

TEST_CASE("TransportHostLink: a caller reacting late to Connected cannot send on the next connection",
          "[link][session][hal]")
{
    // The firmware polls link events between documents; by the time it answers a Connected event that
    // connection may have ended and a newer one be up. Its HELLO must not land on the newer one ahead of
    // that one's own HELLO (the host drops a session with two; found by the USB VM test).
    MemoryRig rig(0);
    TransportHostLinkOptions options;
    options.dialTimeout = 500ms;
    options.backoffInitial = 5ms;
    options.backoffMax = 20ms;
    auto link = TransportHostLink::create(rig.exchange.dialer(), options);
    REQUIRE(link);
    std::vector<std::string> refusals;
    std::mutex refusalsMutex;
    ServerEvents events;
    events.disconnected = [&](const PeerIdentity&, const std::string&, const std::string& why) {
        const std::lock_guard lock(refusalsMutex);
        refusals.push_back(why);
    };
    auto first = rig.server();
    REQUIRE(waitUntil([&] { return first->stats().accepted >= 1; }, 3s));
    first.reset(); // that connection ends before the caller looked at it
    auto second = rig.server(fastServer(), events);
    REQUIRE(waitUntil([&] { return second->stats().accepted >= 1; }, 3s));

    auto stale = (*link)->poll();
    REQUIRE(stale);
    REQUIRE(stale->kind == gw::hal::LinkEvent::Kind::Connected);
    auto late = (*link)->send(scannerHello(), 0);
    REQUIRE_FALSE(late);
    CHECK(late.error().code() == gw::Errc::LinkLost);

    std::vector<gw::hal::LinkEvent> seen;
    REQUIRE(nextEvent(**link, gw::hal::LinkEvent::Kind::Connected, seen, 3s));
    REQUIRE((*link)->send(scannerHello(), 0));
    const Inspection inspection = makeInspection(5);
    auto sequence = (*link)->send(inspection, 0);
    REQUIRE(sequence);
    REQUIRE(waitUntil(
        [&] {
            while (auto e = (*link)->poll())
                seen.push_back(std::move(*e));
            return ackIn(seen, *sequence) != nullptr;
        },
        3s));
    CHECK(ackIn(seen, *sequence)->status == AckStatus::Stored);
    const std::lock_guard lock(refusalsMutex);
    CHECK(refusals.empty());
}
