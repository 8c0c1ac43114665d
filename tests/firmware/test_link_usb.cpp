// SPDX-License-Identifier: Apache-2.0
// USB transport: FunctionFS descriptor blobs checked against the kernel's layout, the device side driven
// over socketpair stand-ins for ep0 and the bulk endpoints, and libusb's host side where USB exists.
#include <array>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <thread>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <linux/usb/ch9.h>
#include <linux/usb/functionfs.h>
#include <sys/socket.h>

#include <gw/link/session.h>
#include <gw/link/usb.h>

using namespace gw::link;
using namespace std::chrono_literals;

namespace {

std::uint32_t le32At(const std::vector<std::uint8_t>& b, std::size_t at)
{
    return std::uint32_t{b[at]} | std::uint32_t{b[at + 1]} << 8 | std::uint32_t{b[at + 2]} << 16 |
           std::uint32_t{b[at + 3]} << 24;
}

std::uint16_t le16At(const std::vector<std::uint8_t>& b, std::size_t at)
{
    return static_cast<std::uint16_t>(b[at] | b[at + 1] << 8);
}

/// One speed's descriptors as read back: interface triple and (address, max packet) per endpoint.
struct SpeedSet {
    std::array<std::uint8_t, 3> interfaceClass{};
    std::vector<std::pair<std::uint8_t, std::uint16_t>> endpoints;
    int companions = 0;
};

/// Walks @p count descriptors from @p at by their bLength, as the kernel does.
SpeedSet readSet(const std::vector<std::uint8_t>& b, std::size_t& at, std::uint32_t count)
{
    SpeedSet set;
    for (std::uint32_t i = 0; i < count; ++i) {
        REQUIRE(at + 2 <= b.size());
        const std::uint8_t length = b[at];
        const std::uint8_t type = b[at + 1];
        REQUIRE(at + length <= b.size());
        if (type == USB_DT_INTERFACE) {
            REQUIRE(length == 9);
            CHECK(b[at + 4] == 2); // bNumEndpoints
            set.interfaceClass = {b[at + 5], b[at + 6], b[at + 7]};
        } else if (type == USB_DT_ENDPOINT) {
            REQUIRE(length == 7);
            CHECK((b[at + 3] & 0x03) == 2); // bulk
            set.endpoints.emplace_back(b[at + 2], le16At(b, at + 4));
        } else if (type == USB_DT_SS_ENDPOINT_COMP) {
            REQUIRE(length == 6);
            ++set.companions;
        } else {
            FAIL("unexpected descriptor type " << int(type));
        }
        at += length;
    }
    return set;
}

std::array<std::uint8_t, 12> event(std::uint8_t type, std::uint8_t requestType = 0, std::uint8_t request = 0,
                                   std::uint16_t index = 0)
{
    // struct usb_functionfs_event: usb_ctrlrequest (8 bytes, little-endian words), type, 3 bytes padding.
    std::array<std::uint8_t, 12> e{};
    e[0] = requestType;
    e[1] = request;
    e[4] = static_cast<std::uint8_t>(index);
    e[5] = static_cast<std::uint8_t>(index >> 8);
    e[8] = type;
    return e;
}

void writeEvent(int fd, const std::array<std::uint8_t, 12>& e)
{
    REQUIRE(::write(fd, e.data(), e.size()) == static_cast<ssize_t>(e.size()));
}

std::array<std::uint8_t, 12> startSessionEvent()
{
    return event(FUNCTIONFS_SETUP, USB_DIR_OUT | USB_TYPE_VENDOR | USB_RECIP_INTERFACE,
                 usb::kRequestStartSession);
}

/// The host's end of the stand-in endpoints: reads what the device wrote to bulk IN, writes bulk OUT.
class StandInHostConnection final : public Connection {
public:
    StandInHostConnection(int readFd, int writeFd) : readFd_(readFd), writeFd_(writeFd)
    {
        peer_.transport = "usb";
        peer_.address = "usb:stand-in";
    }
    gw::Result<void> handshake(std::chrono::milliseconds) override { return {}; }
    gw::Result<void> send(std::span<const std::uint8_t> bytes, std::chrono::milliseconds) override
    {
        if (closed_)
            return gw::fail(gw::Errc::LinkLost, "closed");
        std::size_t done = 0;
        while (done < bytes.size()) {
            const ssize_t n = ::write(writeFd_, bytes.data() + done, bytes.size() - done);
            if (n <= 0)
                return gw::fail(gw::Errc::LinkLost, "write failed");
            done += static_cast<std::size_t>(n);
        }
        return {};
    }
    gw::Result<std::size_t> receive(std::span<std::uint8_t> buffer,
                                    std::chrono::milliseconds timeout) override
    {
        if (closed_)
            return gw::fail(gw::Errc::LinkLost, "closed");
        pollfd p{readFd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0)
            return std::size_t{0};
        const ssize_t n = ::read(readFd_, buffer.data(), buffer.size());
        if (n <= 0)
            return gw::fail(gw::Errc::LinkLost, "end of stream");
        return static_cast<std::size_t>(n);
    }
    void close() noexcept override { closed_ = true; } // the descriptors belong to the test
    [[nodiscard]] const PeerIdentity& peer() const noexcept override { return peer_; }

private:
    int readFd_;
    int writeFd_;
    bool closed_ = false;
    PeerIdentity peer_;
};

/// Yields one prepared connection, then nothing (like a USB host with one scanner attached).
class OneConnectionListener final : public Listener {
public:
    explicit OneConnectionListener(std::unique_ptr<Connection> c) : connection_(std::move(c)) {}
    gw::Result<std::unique_ptr<Connection>> accept(std::chrono::milliseconds timeout) override
    {
        if (connection_)
            return std::move(connection_);
        std::this_thread::sleep_for(timeout);
        return std::unique_ptr<Connection>{};
    }
    [[nodiscard]] std::string describe() const override { return "usb:stand-in"; }

private:
    std::unique_ptr<Connection> connection_;
};

struct SocketPair {
    int device = -1;
    int test = -1;
    SocketPair()
    {
        int fds[2];
        REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
        device = fds[0];
        test = fds[1];
    }
    ~SocketPair()
    {
        if (test >= 0)
            ::close(test);
    }
    int release() { return std::exchange(device, -1); }
};

std::vector<std::uint8_t> readAvailable(int fd, std::chrono::milliseconds wait)
{
    std::vector<std::uint8_t> bytes;
    std::array<std::uint8_t, 4096> buffer{};
    pollfd p{fd, POLLIN, 0};
    while (::poll(&p, 1, static_cast<int>(wait.count())) > 0) {
        const ssize_t n = ::read(fd, buffer.data(), buffer.size());
        if (n <= 0)
            break;
        bytes.insert(bytes.end(), buffer.begin(), buffer.begin() + n);
        wait = 20ms;
    }
    return bytes;
}

Inspection makeInspection(std::uint8_t n)
{
    Inspection m;
    m.id.bytes[0] = 0x0B;
    m.id.bytes[15] = n;
    m.captureTimeMs = 1'700'000'000'000ull + n;
    m.reportJson = R"({"verdict":"amber","n":)" + std::to_string(n) + "}";
    std::vector<std::uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    png.resize(3000 + n, static_cast<std::uint8_t>(n));
    m.images.push_back({Light::Infrared, ImageEncoding::Png, std::move(png)});
    return m;
}

template <typename Pred>
bool waitUntil(Pred pred, std::chrono::milliseconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline && !pred())
        std::this_thread::sleep_for(5ms);
    return pred();
}

} // namespace

TEST_CASE("USB: FunctionFS descriptors follow the v2 layout with FS/HS/SS bulk endpoints", "[link][usb]")
{
    const auto blob = usb::functionFsDescriptors();
    REQUIRE(blob.size() >= 24);
    CHECK(le32At(blob, 0) == FUNCTIONFS_DESCRIPTORS_MAGIC_V2);
    CHECK(le32At(blob, 4) == blob.size());
    CHECK(le32At(blob, 8) == (FUNCTIONFS_HAS_FS_DESC | FUNCTIONFS_HAS_HS_DESC | FUNCTIONFS_HAS_SS_DESC));
    const std::uint32_t fsCount = le32At(blob, 12), hsCount = le32At(blob, 16), ssCount = le32At(blob, 20);
    CHECK(fsCount == 3);
    CHECK(hsCount == 3);
    CHECK(ssCount == 5);
    std::size_t at = 24;
    const std::array<std::uint16_t, 3> maxPacket = {64, 512, 1024};
    const std::array<std::uint32_t, 3> counts = {fsCount, hsCount, ssCount};
    for (std::size_t speed = 0; speed < 3; ++speed) {
        const SpeedSet set = readSet(blob, at, counts[speed]);
        CHECK(set.interfaceClass == std::array<std::uint8_t, 3>{usb::kInterfaceClass, usb::kInterfaceSubClass,
                                                                usb::kInterfaceProtocol});
        REQUIRE(set.endpoints.size() == 2);
        CHECK(set.endpoints[0] == std::pair<std::uint8_t, std::uint16_t>{0x81, maxPacket[speed]});
        CHECK(set.endpoints[1] == std::pair<std::uint8_t, std::uint16_t>{0x02, maxPacket[speed]});
        CHECK(set.companions == (speed == 2 ? 2 : 0));
    }
    CHECK(at == blob.size()); // nothing left over
}

TEST_CASE("USB: FunctionFS strings name the interface in en-US", "[link][usb]")
{
    auto blob = usb::functionFsStrings("Grenswacht scanner link");
    REQUIRE(blob);
    CHECK(le32At(*blob, 0) == FUNCTIONFS_STRINGS_MAGIC);
    CHECK(le32At(*blob, 4) == blob->size());
    CHECK(le32At(*blob, 8) == 1);  // strings
    CHECK(le32At(*blob, 12) == 1); // languages
    CHECK(le16At(*blob, 16) == 0x0409);
    CHECK(std::string(reinterpret_cast<const char*>(blob->data() + 18)) == "Grenswacht scanner link");
    CHECK(blob->back() == 0);
    CHECK_FALSE(usb::functionFsStrings(""));
    CHECK_FALSE(usb::functionFsStrings(std::string(127, 'x')));
    CHECK_FALSE(usb::functionFsStrings("tab\there"));
}

TEST_CASE("USB device side over stand-in endpoints: sessions, DISABLE mid-transfer, exactly once",
          "[link][usb]")
{
    SocketPair ep0, in, out;
    auto dialer = usb::FunctionFsDialer::createStandIn(ep0.release(), in.release(), out.release(), "GW test");
    REQUIRE(dialer);

    // ep0 got the descriptors, then the strings, exactly as built.
    auto expected = usb::functionFsDescriptors();
    const auto strings = usb::functionFsStrings("GW test");
    REQUIRE(strings);
    expected.insert(expected.end(), strings->begin(), strings->end());
    CHECK(readAvailable(ep0.test, 200ms) == expected);

    // Not enabled, then enabled without a session request: dial() times out, saying which.
    auto early = (*dialer)->dial(50ms);
    REQUIRE_FALSE(early);
    CHECK(early.error().code() == gw::Errc::Timeout);
    CHECK(early.error().message().find("not enabled") != std::string::npos);
    writeEvent(ep0.test, event(FUNCTIONFS_BIND));
    writeEvent(ep0.test, event(FUNCTIONFS_ENABLE));
    auto noSession = (*dialer)->dial(50ms);
    REQUIRE_FALSE(noSession);
    CHECK(noSession.error().message().find("session") != std::string::npos);

    // Any other control request is stalled and does not start a session.
    writeEvent(ep0.test, event(FUNCTIONFS_SETUP, USB_DIR_IN | USB_TYPE_VENDOR | USB_RECIP_INTERFACE, 0x01));
    CHECK_FALSE((*dialer)->dial(50ms));

    // The session client runs over the device side; the "host" is a session server on the other ends.
    MemoryQueue queue;
    std::vector<Inspection> sent;
    for (std::uint8_t i = 1; i <= 40; ++i) {
        sent.push_back(makeInspection(i));
        queue.add(sent.back());
    }
    MemorySink sink;
    struct SlowSink final : InspectionSink {
        MemorySink& inner;
        explicit SlowSink(MemorySink& s) : inner(s) {}
        gw::Result<StoreOutcome> store(const InspectionOrigin& o, const Inspection& i) override
        {
            std::this_thread::sleep_for(2ms);
            return inner.store(o, i);
        }
    } slowSink(sink);
    ServerOptions serverOptions;
    serverOptions.hello = {kVersionMajor, kVersionMinor, "gw-host", "0.1.0", "host", 0};
    const auto startServer = [&] {
        auto s = SessionServer::create(std::make_unique<OneConnectionListener>(
                                           std::make_unique<StandInHostConnection>(in.test, out.test)),
                                       slowSink, serverOptions);
        REQUIRE(s);
        (*s)->start();
        return std::move(*s);
    };
    auto server = startServer();
    writeEvent(ep0.test, startSessionEvent());

    ClientOptions clientOptions;
    clientOptions.hello = {kVersionMajor, kVersionMinor, "GW-EMU-0007", "0.1.0", "emulator", kCapSpool};
    clientOptions.dialTimeout = 200ms;
    clientOptions.backoffInitial = 5ms;
    clientOptions.backoffMax = 20ms;
    clientOptions.pollInterval = 5ms;
    auto client = SessionClient::create(std::move(*dialer), queue, clientOptions);
    REQUIRE(client);
    (*client)->start();
    REQUIRE(waitUntil([&] { return sink.storedCount() >= 10; }, 5s));

    // The host disables the function mid-transfer (cable pulled, host rebooted).
    writeEvent(ep0.test, event(FUNCTIONFS_DISABLE));
    REQUIRE(waitUntil([&] { return !(*client)->connected(); }, 2s));
    server.reset();
    CHECK(queue.size() > 0);
    (void)readAvailable(in.test, 50ms); // bytes of the old session the new host never sees

    // Re-enumeration: enabled again and a new session; everything not ACKed is resent.
    server = startServer();
    writeEvent(ep0.test, event(FUNCTIONFS_ENABLE));
    writeEvent(ep0.test, startSessionEvent());
    REQUIRE(waitUntil([&] { return queue.size() == 0; }, 10s));
    (*client)->stop();
    server->stop();
    CHECK((*client)->stats().sessions == 2);
    const auto stored = sink.stored();
    REQUIRE(stored.size() == sent.size());
    for (const auto& s : sent) {
        CHECK(sink.deliveries(s.id) >= 1);
        CHECK(std::count(stored.begin(), stored.end(), s) == 1);
    }
}

TEST_CASE(
    "USB device side: SET_INTERFACE (ENABLE) ends the connection; a closed old one leaves the new alone",
    "[link][usb]")
{
    SocketPair ep0, in, out;
    auto dialer = usb::FunctionFsDialer::createStandIn(ep0.release(), in.release(), out.release(), "GW test");
    REQUIRE(dialer);
    (void)readAvailable(ep0.test, 100ms); // descriptors and strings
    writeEvent(ep0.test, event(FUNCTIONFS_ENABLE));
    writeEvent(ep0.test, startSessionEvent());
    auto first = (*dialer)->dial(500ms);
    REQUIRE(first);

    // The host resets the interface before its next session: the kernel has flushed the endpoints, so the
    // stream of this connection is broken even before the session request arrives.
    writeEvent(ep0.test, event(FUNCTIONFS_ENABLE));
    std::array<std::uint8_t, 16> buffer{};
    auto ended = (*first)->receive(buffer, 200ms);
    REQUIRE_FALSE(ended);
    CHECK(ended.error().code() == gw::Errc::LinkLost);
    CHECK_FALSE((*dialer)->dial(50ms)); // no session yet: ENABLE alone starts none

    writeEvent(ep0.test, startSessionEvent());
    auto second = (*dialer)->dial(500ms);
    REQUIRE(second);
    first->reset(); // the ended connection goes away after the new one exists
    const std::vector<std::uint8_t> hello = {'G', 'W', 'L', 'K'};
    REQUIRE((*second)->send(hello, 500ms));
    CHECK(readAvailable(in.test, 200ms) == hello);
}

TEST_CASE("USB host side: libusb listener finds no scanner and returns in time", "[link][usb][libusb]")
{
    auto listener = usb::UsbHostListener::create({});
    if (!listener) {
        WARN("libusb unavailable here (" << listener.error().message() << "): skipped");
        return;
    }
    CHECK((*listener)->describe() == "usb://1209:0001");
    const auto start = std::chrono::steady_clock::now();
    auto accepted = (*listener)->accept(200ms);
    const auto took = std::chrono::steady_clock::now() - start;
    REQUIRE(accepted);
    CHECK(*accepted == nullptr); // no Grenswacht scanner is attached to a build machine
    CHECK(took >= 150ms);
    CHECK(took < 2s);
    CHECK_FALSE(usb::UsbHostListener::create({.rescanInterval = 0ms}));
}
