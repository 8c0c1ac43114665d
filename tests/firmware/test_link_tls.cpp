// SPDX-License-Identifier: Apache-2.0
// TLS 1.3 transport: mutual authentication accepted and refused, name pinning, silent peers, HELLO vs CN.
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <unistd.h>

#include <arpa/inet.h>
#include <catch2/catch.hpp>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <gw/link/connection.h>
#include <gw/link/session.h>
#include <gw/link/testing.h>
#include <gw/link/tls.h>

using namespace gw::link;
using namespace std::chrono_literals;

namespace {

struct TempDir {
    std::filesystem::path path;
    TempDir()
    {
        std::string pattern = (std::filesystem::temp_directory_path() / "gw-tls-XXXXXX").string();
        path = ::mkdtemp(pattern.data());
    }
    ~TempDir()
    {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

/// A test PKI: the real CA with host and two scanners, plus rogue and expired scanner credentials.
struct Pki {
    TempDir dir;
    testing::TestPki pki;
    TlsCredentials rogue;   ///< GW-EMU-0001 issued by another CA
    TlsCredentials expired; ///< GW-EMU-0001 issued by the right CA, expired yesterday
    Pki()
    {
        auto made = testing::makeTestPki(dir.path, {"GW-EMU-0001", "GW-EMU-0002"});
        REQUIRE(made);
        pki = *made;
        auto rogueCa = testing::makeCa("Rogue CA");
        REQUIRE(rogueCa);
        testing::CertificateRequest request;
        request.commonName = "GW-EMU-0001";
        auto rogueCert = testing::issueCertificate(*rogueCa, request);
        REQUIRE(rogueCert);
        rogue = {pki.host.caFile, dir.path / "rogue.crt", dir.path / "rogue.key"};
        REQUIRE(testing::writeCredential(*rogueCert, rogue.certFile, rogue.keyFile));
        request.notBeforeOffset = -std::chrono::hours(48);
        request.notAfterOffset = -std::chrono::hours(24);
        auto expiredCert = testing::issueCertificate(pki.ca, request);
        REQUIRE(expiredCert);
        expired = {pki.host.caFile, dir.path / "expired.crt", dir.path / "expired.key"};
        REQUIRE(testing::writeCredential(*expiredCert, expired.certFile, expired.keyFile));
    }
};

Pki& sharedPki()
{
    static Pki pki; // certificate generation costs ~10 ms each; share across test cases
    return pki;
}

/// Accepts one connection on its own thread, runs the handshake, then echoes what it receives.
struct OneShotServer {
    std::unique_ptr<TlsListener> listener;
    std::thread thread;
    std::atomic<bool> done{false};
    gw::Result<void> handshake = gw::fail(gw::Errc::Internal, "no connection");
    PeerIdentity peer;
    std::chrono::milliseconds handshakeTook{0};

    explicit OneShotServer(std::chrono::milliseconds timeout = 3000ms)
    {
        auto made = TlsListener::create({"127.0.0.1", 0, sharedPki().pki.host, 8});
        REQUIRE(made);
        listener = std::move(*made);
        thread = std::thread([this, timeout] {
            auto accepted = listener->accept(5000ms);
            if (accepted && *accepted) {
                auto& c = **accepted;
                const auto start = std::chrono::steady_clock::now();
                handshake = c.handshake(timeout);
                handshakeTook = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now() - start);
                peer = c.peer();
                std::array<std::uint8_t, 256> buffer{};
                for (int i = 0; handshake && i < 40; ++i) {
                    auto got = c.receive(buffer, 50ms);
                    if (!got)
                        break;
                    if (*got > 0 && !c.send(std::span(buffer.data(), *got), 1000ms))
                        break;
                }
            }
            done = true;
        });
    }
    ~OneShotServer() { join(); }
    void join()
    {
        if (thread.joinable())
            thread.join();
    }
    [[nodiscard]] std::uint16_t port() const { return listener->port(); }
};

/// Dials with @p credentials, sends "ping" and expects it echoed: true when the round trip worked.
bool roundTrip(std::uint16_t port, const TlsCredentials& credentials, const std::string& expectedName = {})
{
    auto dialer = TlsDialer::create({"127.0.0.1", port, credentials, expectedName});
    REQUIRE(dialer);
    auto connection = (*dialer)->dial(3000ms);
    if (!connection)
        return false;
    const std::string ping = "ping";
    if (!(*connection)
             ->send(std::span(reinterpret_cast<const std::uint8_t*>(ping.data()), ping.size()), 1000ms))
        return false;
    std::array<std::uint8_t, 16> buffer{};
    std::size_t have = 0;
    for (int i = 0; i < 40 && have < 4; ++i) {
        auto got = (*connection)->receive(std::span(buffer).subspan(have), 50ms);
        if (!got)
            return false;
        have += *got;
    }
    return have == 4 && std::string(buffer.begin(), buffer.begin() + 4) == ping;
}

/// A raw OpenSSL client (no certificate, optionally capped at TLS 1.2): true when an echo came back.
bool rawClientRoundTrip(std::uint16_t port, int maxVersion)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    timeval tv{2, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_max_proto_version(ctx, maxVersion);
    SSL_CTX_load_verify_locations(ctx, sharedPki().pki.host.caFile.c_str(), nullptr);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    SSL* ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    bool echoed = false;
    if (SSL_connect(ssl) == 1 && SSL_write(ssl, "ping", 4) == 4) {
        char buffer[8] = {};
        echoed = SSL_read(ssl, buffer, 4) == 4;
    }
    ERR_clear_error();
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    ::close(fd);
    return echoed;
}

Inspection makeInspection(std::uint8_t n)
{
    Inspection m;
    m.id.bytes[0] = 0xA5;
    m.id.bytes[15] = n;
    m.captureTimeMs = 1'700'000'000'000ull + n;
    m.reportJson = R"({"verdict":"green","n":)" + std::to_string(n) + "}";
    return m;
}

} // namespace

TEST_CASE("TLS: good certificates handshake, carry bytes and certify the client's CN", "[link][tls]")
{
    OneShotServer server;
    CHECK(roundTrip(server.port(), sharedPki().pki.scanners[0]));
    server.join();
    REQUIRE(server.handshake);
    CHECK(server.peer.transport == "tls");
    CHECK(server.peer.certifiedDeviceId == "GW-EMU-0001");
    CHECK(server.peer.address.rfind("127.0.0.1:", 0) == 0);
}

TEST_CASE("TLS: the server name is pinned: host name, IP or a configured name", "[link][tls]")
{
    {
        OneShotServer server;
        CHECK(roundTrip(server.port(), sharedPki().pki.scanners[1], "gw-host")); // pinned DNS name in SAN
    }
    {
        OneShotServer server;
        CHECK_FALSE(roundTrip(server.port(), sharedPki().pki.scanners[1], "gw-other-host"));
        server.join();
        CHECK_FALSE(server.handshake);
    }
    {
        OneShotServer server;
        CHECK_FALSE(roundTrip(server.port(), sharedPki().pki.scanners[1], "10.9.8.7")); // IP not in SAN
    }
}

TEST_CASE("TLS: a client without a certificate is refused", "[link][tls]")
{
    OneShotServer server;
    CHECK_FALSE(rawClientRoundTrip(server.port(), TLS1_3_VERSION));
    server.join();
    REQUIRE_FALSE(server.handshake);
    CHECK(server.handshake.error().code() == gw::Errc::LinkLost);
    CHECK(server.peer.certifiedDeviceId.empty());
}

TEST_CASE("TLS: TLS 1.2 is refused", "[link][tls]")
{
    OneShotServer server;
    CHECK_FALSE(rawClientRoundTrip(server.port(), TLS1_2_VERSION));
    server.join();
    CHECK_FALSE(server.handshake);
}

TEST_CASE("TLS: a client certificate from another CA is refused", "[link][tls]")
{
    OneShotServer server;
    CHECK_FALSE(roundTrip(server.port(), sharedPki().rogue));
    server.join();
    REQUIRE_FALSE(server.handshake);
    INFO(server.handshake.error().message());
    CHECK(server.handshake.error().message().find("certificate") != std::string::npos);
}

TEST_CASE("TLS: an expired client certificate is refused", "[link][tls]")
{
    OneShotServer server;
    CHECK_FALSE(roundTrip(server.port(), sharedPki().expired));
    server.join();
    REQUIRE_FALSE(server.handshake);
    INFO(server.handshake.error().message());
    CHECK(server.handshake.error().message().find("expired") != std::string::npos);
}

TEST_CASE("TLS: the client refuses a server whose certificate comes from another CA", "[link][tls]")
{
    // The scanner trusts only the rogue CA here, so the genuine host certificate must fail verification.
    auto& p = sharedPki();
    auto rogueCa = testing::makeCa("Other CA");
    REQUIRE(rogueCa);
    const auto otherCaFile = p.dir.path / "other-ca.crt";
    REQUIRE(testing::writeCredential(*rogueCa, otherCaFile, p.dir.path / "other-ca.key"));
    OneShotServer server;
    TlsCredentials scanner = p.pki.scanners[0];
    scanner.caFile = otherCaFile;
    auto dialer = TlsDialer::create({"127.0.0.1", server.port(), scanner, {}});
    REQUIRE(dialer);
    auto connection = (*dialer)->dial(3000ms);
    REQUIRE_FALSE(connection);
    CHECK(connection.error().message().find("certificate") != std::string::npos);
}

TEST_CASE("TLS: unusable credentials fail at creation with the file named", "[link][tls]")
{
    auto& p = sharedPki();
    TlsCredentials missing = p.pki.host;
    missing.keyFile = p.dir.path / "does-not-exist.key";
    auto listener = TlsListener::create({"127.0.0.1", 0, missing, 8});
    REQUIRE_FALSE(listener);
    CHECK(listener.error().code() == gw::Errc::InvalidArgument);
    CHECK(listener.error().message().find("does-not-exist.key") != std::string::npos);
    TlsCredentials mismatched = p.pki.host;
    mismatched.keyFile = p.pki.scanners[0].keyFile;
    CHECK_FALSE(TlsListener::create({"127.0.0.1", 0, mismatched, 8}));
    CHECK_FALSE(TlsDialer::create({"127.0.0.1", 0, p.pki.scanners[0], {}}));
}

TEST_CASE("TLS: a peer that connects and says nothing is dropped after the handshake timeout", "[link][tls]")
{
    OneShotServer server(300ms);
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(server.port());
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    server.join(); // must return on its own
    ::close(fd);
    REQUIRE_FALSE(server.handshake);
    CHECK(server.handshake.error().code() == gw::Errc::Timeout);
    CHECK(server.handshakeTook >= 250ms);
    CHECK(server.handshakeTook < 2000ms);
}

TEST_CASE("TLS session: HELLO device id must equal the certificate CN, and silent peers are dropped",
          "[link][tls]")
{
    auto& p = sharedPki();
    MemorySink sink;
    auto listener = TlsListener::create({"127.0.0.1", 0, p.pki.host, 8});
    REQUIRE(listener);
    const std::uint16_t port = (*listener)->port();
    ServerOptions serverOptions;
    serverOptions.hello = {kVersionMajor, kVersionMinor, "gw-host", "0.1.0", "host", 0};
    serverOptions.handshakeTimeout = 300ms;
    serverOptions.helloTimeout = 300ms;
    auto server = SessionServer::create(std::move(*listener), sink, serverOptions);
    REQUIRE(server);
    (*server)->start();

    // Certificate says GW-EMU-0001, HELLO claims GW-EMU-0002: refused, nothing stored.
    MemoryQueue queue;
    queue.add(makeInspection(1));
    auto dialer = TlsDialer::create({"127.0.0.1", port, p.pki.scanners[0], {}});
    REQUIRE(dialer);
    ClientOptions clientOptions;
    clientOptions.hello = {kVersionMajor, kVersionMinor, "GW-EMU-0002", "0.1.0", "emulator", kCapSpool};
    clientOptions.helloTimeout = 500ms;
    clientOptions.backoffInitial = 50ms;
    clientOptions.backoffMax = 100ms;
    auto impostor = SessionClient::create(std::move(*dialer), queue, clientOptions);
    REQUIRE(impostor);
    (*impostor)->start();
    std::this_thread::sleep_for(800ms);
    (*impostor)->stop();
    CHECK(sink.storedCount() == 0);
    CHECK((*impostor)->stats().sessions == 0);
    CHECK((*server)->stats().refused >= 1);
    CHECK((*server)->stats().sessions == 0);

    // A peer that completes the handshake but never sends HELLO is dropped after helloTimeout.
    auto silentDialer = TlsDialer::create({"127.0.0.1", port, p.pki.scanners[0], {}});
    REQUIRE(silentDialer);
    auto silent = (*silentDialer)->dial(2000ms);
    REQUIRE(silent);
    std::array<std::uint8_t, 64> buffer{};
    gw::Result<std::size_t> got = std::size_t{0};
    const auto start = std::chrono::steady_clock::now();
    while (got && std::chrono::steady_clock::now() - start < 3s)
        got = (*silent)->receive(buffer, 100ms);
    CHECK_FALSE(got); // the server closed it
    CHECK(std::chrono::steady_clock::now() - start < 2s);

    // The honest scanner gets through and its inspection is stored once.
    auto goodDialer = TlsDialer::create({"127.0.0.1", port, p.pki.scanners[0], {}});
    REQUIRE(goodDialer);
    clientOptions.hello.deviceId = "GW-EMU-0001";
    auto good = SessionClient::create(std::move(*goodDialer), queue, clientOptions);
    REQUIRE(good);
    (*good)->start();
    for (int i = 0; i < 200 && queue.size() > 0; ++i)
        std::this_thread::sleep_for(10ms);
    (*good)->stop();
    CHECK(queue.size() == 0);
    CHECK(sink.storedCount() == 1);
    CHECK(sink.deliveries(makeInspection(1).id) == 1);
    (*server)->stop();
}

TEST_CASE("TLS: scripts/make-test-pki.sh output is accepted by the transport", "[link][tls][script]")
{
    const std::filesystem::path script =
        std::filesystem::path(GW_SOURCE_DIR) / "scripts" / "make-test-pki.sh";
    if (!std::filesystem::exists(script) || !std::filesystem::exists("/usr/bin/openssl")) {
        WARN("make-test-pki.sh or the openssl CLI is absent: skipped");
        return;
    }
    TempDir dir;
    const std::string command =
        "sh '" + script.string() + "' '" + dir.path.string() + "' GW-EMU-0042 >/dev/null 2>&1";
    REQUIRE(std::system(command.c_str()) == 0);
    REQUIRE(std::system(command.c_str()) == 0); // idempotent: a second run keeps and accepts the files
    const TlsCredentials host{dir.path / "ca.crt", dir.path / "host.crt", dir.path / "host.key"};
    const TlsCredentials scanner{dir.path / "ca.crt", dir.path / "GW-EMU-0042.crt",
                                 dir.path / "GW-EMU-0042.key"};
    auto listener = TlsListener::create({"127.0.0.1", 0, host, 8});
    REQUIRE(listener);
    bool handshook = false;
    std::string certified;
    std::thread accepter([&] {
        auto accepted = (*listener)->accept(3000ms);
        if (!accepted || !*accepted)
            return;
        handshook = bool((**accepted).handshake(3000ms));
        certified = (**accepted).peer().certifiedDeviceId;
        std::array<std::uint8_t, 8> buffer{};
        (void)(**accepted).receive(buffer, 500ms);
    });
    auto dialer = TlsDialer::create({"127.0.0.1", (*listener)->port(), scanner, "localhost"});
    REQUIRE(dialer);
    auto connection = (*dialer)->dial(3000ms);
    CHECK(connection);
    if (connection)
        (void)(*connection)
            ->send(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>("x"), 1), 500ms);
    accepter.join();
    CHECK(handshook);
    CHECK(certified == "GW-EMU-0042");
}
