// SPDX-License-Identifier: Apache-2.0
// usb_vm_probe: both ends of gw::link::usb against the real kernel, in the USB test VM
// (tests/usb_vm/init.sh). The device side runs on FunctionFS, the host side on libusb, joined by dummy_hcd;
// this program plugs and pulls the virtual cable itself with the commands it is given (in the VM: the board's
// gw-usb-gadget bind / unbind). Each check pins one finding of the USB VM test (docs/protocol.md, "USB
// through the Linux USB stack") and failed before its fix. Every wait is bounded; a watchdog ends the
// program if a call hangs.
//
//   usb_vm_probe --ffs DIR --plug COMMAND --unplug COMMAND
//
// Prints "PROBE <check> pass|fail <detail>" per check; exit 0 when all pass, 1 otherwise, 2 usage.
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include <libusb.h>

#include <gw/link/transport_host_link.h>
#include <gw/link/usb.h>

namespace {

using namespace std::chrono_literals;
using gw::link::Connection;
using Clock = std::chrono::steady_clock;
namespace usb = gw::link::usb;

struct Args {
    std::string ffs;
    std::string plug;   ///< shell command that binds the gadget once the descriptors are written
    std::string unplug; ///< shell command that unbinds it
};

int failures = 0;

void report(const char* check, bool ok, const std::string& detail)
{
    std::printf("PROBE %s %s %s\n", check, ok ? "pass" : "fail", detail.c_str());
    std::fflush(stdout);
    if (!ok)
        ++failures;
}

bool plug(const Args& a)
{
    return std::system(a.plug.c_str()) == 0;
}

void unplug(const Args& a)
{
    (void)std::system(a.unplug.c_str());
}

std::vector<std::uint8_t> pattern(std::size_t n, std::uint8_t seed)
{
    std::vector<std::uint8_t> bytes(n);
    for (std::size_t i = 0; i < n; ++i)
        bytes[i] = static_cast<std::uint8_t>(seed + i * 7 + (i >> 9));
    return bytes;
}

/// Reads exactly @p n bytes within @p timeout; fewer when the time is up or the connection fails.
std::vector<std::uint8_t> readExactly(Connection& c, std::size_t n, std::chrono::milliseconds timeout,
                                      std::string* error = nullptr)
{
    std::vector<std::uint8_t> got;
    std::vector<std::uint8_t> buffer(64 * 1024);
    const auto deadline = Clock::now() + timeout;
    while (got.size() < n && Clock::now() < deadline) {
        const auto want = std::min(buffer.size(), n - got.size());
        auto r = c.receive(std::span<std::uint8_t>(buffer.data(), want), 100ms);
        if (!r) {
            if (error != nullptr)
                *error = r.error().describe();
            break;
        }
        got.insert(got.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(*r));
    }
    return got;
}

/// The host's next session (accept) and the device's matching connection (dial), both bounded.
struct Pair {
    std::unique_ptr<Connection> host;
    std::unique_ptr<Connection> device;
    std::string problem;
};

Pair connect(usb::UsbHostListener& listener, usb::FunctionFsDialer& dialer, std::chrono::milliseconds timeout)
{
    Pair p;
    auto device = std::async(std::launch::async, [&] { return dialer.dial(timeout); });
    const auto deadline = Clock::now() + timeout;
    while (!p.host && Clock::now() < deadline) {
        auto accepted = listener.accept(200ms);
        if (!accepted) {
            p.problem = "accept: " + accepted.error().describe();
            break;
        }
        p.host = std::move(*accepted);
    }
    auto dialed = device.get();
    if (dialed)
        p.device = std::move(*dialed);
    else if (p.problem.empty())
        p.problem = "dial: " + dialed.error().describe();
    if (!p.host && p.problem.empty())
        p.problem = "the host found no scanner within " + std::to_string(timeout.count()) + " ms";
    return p;
}

/// The station's side of a session request it gives up on (its control timeout; the device was busy):
/// claim, SET_INTERFACE, then the vendor request with a timeout the device cannot meet because nothing reads
/// its ep0 meanwhile. Raw libusb, as the station's listener would do it. "" when the request timed out.
std::string abandonSessionRequest()
{
    libusb_context* context = nullptr;
    if (const int rc = libusb_init(&context); rc != 0)
        return std::string("libusb_init: ") + libusb_error_name(rc);
    libusb_device_handle* handle = nullptr;
    // A fresh context lists the scanner once it has enumerated (no udevd in the VM).
    for (int i = 0; i < 100 && handle == nullptr; ++i) {
        handle = libusb_open_device_with_vid_pid(context, usb::kDefaultVendorId, usb::kDefaultProductId);
        if (handle == nullptr) {
            libusb_exit(context);
            context = nullptr;
            std::this_thread::sleep_for(100ms);
            if (libusb_init(&context) != 0)
                return "libusb_init failed";
        }
    }
    std::string problem;
    if (handle == nullptr) {
        problem = "the scanner did not enumerate";
    } else if (const int rc = libusb_claim_interface(handle, 0); rc != 0) {
        problem = std::string("claim: ") + libusb_error_name(rc);
    } else {
        if (const int alt = libusb_set_interface_alt_setting(handle, 0, 0); alt != 0) {
            problem = std::string("SET_INTERFACE: ") + libusb_error_name(alt);
        } else {
            const int request = libusb_control_transfer(
                handle,
                static_cast<std::uint8_t>(static_cast<unsigned>(LIBUSB_ENDPOINT_OUT) |
                                          static_cast<unsigned>(LIBUSB_REQUEST_TYPE_VENDOR) |
                                          static_cast<unsigned>(LIBUSB_RECIPIENT_INTERFACE)),
                usb::kRequestStartSession, 0, 0, nullptr, 0, 300);
            if (request != LIBUSB_ERROR_TIMEOUT)
                problem = std::string("the session request ended with ") +
                          (request < 0 ? libusb_error_name(request) : "success") + ", not a timeout";
        }
        (void)libusb_release_interface(handle, 0);
    }
    if (handle != nullptr)
        libusb_close(handle);
    libusb_exit(context);
    return problem;
}

/// A dialer that holds each dial() until opened: the link's thread then sits in dial(), past its stop check,
/// without reading ep0, as a firmware busy elsewhere would.
struct Gate {
    std::mutex mutex;
    std::condition_variable changed;
    bool parked = false;
    bool open = false;
};

class GatedDialer final : public gw::link::Dialer {
public:
    GatedDialer(std::unique_ptr<gw::link::Dialer> inner, std::shared_ptr<Gate> gate)
        : inner_(std::move(inner)), gate_(std::move(gate))
    {
    }
    gw::Result<std::unique_ptr<Connection>> dial(std::chrono::milliseconds timeout) override
    {
        {
            std::unique_lock lock(gate_->mutex);
            gate_->parked = true;
            gate_->changed.notify_all();
            gate_->changed.wait(lock, [&] { return gate_->open; });
        }
        return inner_->dial(timeout);
    }
    [[nodiscard]] std::string describe() const override { return inner_->describe(); }

private:
    std::unique_ptr<gw::link::Dialer> inner_;
    std::shared_ptr<Gate> gate_;
};

/// Sends 100 bytes device -> host on a fresh session; "" when they arrived.
std::string exchangeHello(Pair& p)
{
    if (!p.host || !p.device)
        return p.problem;
    const auto hello = pattern(100, 9);
    std::string error;
    auto reader =
        std::async(std::launch::async, [&] { return readExactly(*p.host, hello.size(), 5s, &error); });
    auto sent = p.device->send(hello, 5s);
    const auto got = reader.get();
    if (sent && got == hello)
        return "";
    return std::to_string(got.size()) + " of 100 bytes arrived" +
           (sent ? "" : " (" + sent.error().describe() + ")") + (error.empty() ? "" : " (" + error + ")");
}

[[noreturn]] void hung(const char* check, const std::string& what)
{
    std::printf("PROBE %s fail %s\n", check, what.c_str());
    std::fflush(stdout);
    std::_Exit(1); // the hung thread cannot be joined
}

int run(const Args& args)
{
    // 1. A scanner plugged in after the station started. Debian's libusb learns of new devices only from
    //    udevd, which this VM does not run: the listener must rescan with a fresh context.
    auto listener = usb::UsbHostListener::create({.rescanInterval = 200ms});
    if (!listener) {
        report("late_plug", false, "libusb: " + listener.error().describe());
        return 1;
    }
    auto dialer = usb::FunctionFsDialer::create({.mountPoint = args.ffs});
    if (!dialer) {
        report("late_plug", false, "FunctionFS: " + dialer.error().describe());
        return 1;
    }
    if (!plug(args)) {
        report("late_plug", false, "cannot bind the gadget (" + args.plug + ")");
        return 1;
    }
    Pair p = connect(**listener, **dialer, 15s);
    report("late_plug", p.host && p.device,
           p.problem.empty() ? "found " + p.host->peer().address +
                                   ((*listener)->hotplug() ? " (libusb hot-plug: yes, no udevd)" : "")
                             : p.problem);
    if (!p.host || !p.device)
        return 1;

    // 2. Messages that fill their last packet exactly. A bulk read ends on a short packet: without a
    //    zero-length packet after them the receiving side waits for more.
    {
        bool ok = true;
        std::string detail;
        // Each side reads while the other writes, as the link's own threads do.
        const auto exchange = [&](Connection& from, Connection& to, std::size_t n, std::uint8_t seed,
                                  const char* what) {
            const auto out = pattern(n, seed);
            std::string error;
            auto reader = std::async(std::launch::async, [&] { return readExactly(to, n, 5s, &error); });
            auto sent = from.send(out, 5s);
            const auto got = reader.get();
            if (sent && got == out)
                return;
            ok = false;
            detail += std::string(what) + " " + std::to_string(n) + " bytes: " + std::to_string(got.size()) +
                      " arrived" + (sent ? "" : " (" + sent.error().describe() + ")") +
                      (error.empty() ? "" : " (" + error + ")") + "; ";
        };
        for (const std::size_t n : {std::size_t{512}, std::size_t{1024}, std::size_t{64}}) {
            exchange(*p.host, *p.device, n, 1, "host->device");
            exchange(*p.device, *p.host, n, 2, "device->host");
        }
        report("exact_packets", ok, ok ? "512, 1024 and 64 bytes each way" : detail);
    }

    // 3. Both sides write at once: the device a 4 MiB frame, the host eight short ones (ACKs) before it
    //    reads. USB buffers nothing, so the device must keep a read queued while it writes.
    {
        const auto big = pattern(4 * 1024 * 1024, 3);
        const auto ack = pattern(40, 4);
        auto device = std::async(std::launch::async, [&]() -> std::string {
            auto sent = p.device->send(big, 20s);
            if (!sent)
                return "device send: " + sent.error().describe();
            const auto got = readExactly(*p.device, 8 * ack.size(), 10s);
            return got.size() == 8 * ack.size() ? ""
                                                : "device got " + std::to_string(got.size()) + " ACK bytes";
        });
        std::string hostProblem;
        for (int i = 0; i < 8 && hostProblem.empty(); ++i)
            if (auto sent = p.host->send(ack, 10s); !sent)
                hostProblem = "host send " + std::to_string(i + 1) + ": " + sent.error().describe();
        const auto got = readExactly(*p.host, big.size(), 20s);
        const std::string deviceProblem = device.get();
        const bool ok = hostProblem.empty() && deviceProblem.empty() && got == big;
        report("crossed_writes", ok,
               ok ? "4 MiB up while 8 ACKs went down"
                  : hostProblem + (hostProblem.empty() ? "" : "; ") + deviceProblem + "; host got " +
                        std::to_string(got.size()) + " of " + std::to_string(big.size()) + " bytes");
    }

    // 4. A new session must not start with the end of the old one. A write that fits the device's IN FIFO
    //    completes at once although no host read it; the host's next session must not see it.
    {
        // Drain first: the zero-length packet after the 4 MiB frame above may still sit in the FIFO.
        std::array<std::uint8_t, 64> drain{};
        (void)p.host->receive(drain, 200ms);
        const auto old = pattern(40, 5);
        const bool taken = static_cast<bool>(p.device->send(old, 2s)); // nobody reads it
        std::this_thread::sleep_for(300ms);
        p.host.reset(); // the station closes the device (e.g. its HELLO timeout)
        p.device.reset();
        Pair q = connect(**listener, **dialer, 15s);
        bool ok = false;
        std::string detail = q.problem;
        if (q.host && q.device) {
            const auto fresh = pattern(40, 6);
            auto reader =
                std::async(std::launch::async, [&] { return readExactly(*q.host, fresh.size(), 5s); });
            (void)q.device->send(fresh, 5s);
            const auto got = reader.get();
            ok = got == fresh;
            if (ok)
                detail = std::string("the new session starts clean") +
                         (taken ? " (the unread write had completed: it sat in the FIFO)" : "");
            else if (got == old)
                detail = "the new session began with the old session's 40 bytes";
            else
                detail = "the host got " + std::to_string(got.size()) + " unexpected bytes";
        }
        report("stale_fifo", ok, detail);
        p = std::move(q);
        if (!p.host || !p.device)
            return 1;
    }

    // 5. The cable is pulled while the device writes: its send fails promptly, dialling with the cable out
    //    returns in time, and the next plug-in gives a fresh session.
    {
        const auto big = pattern(16 * 1024 * 1024, 7);
        std::atomic<std::size_t> hostGot{0};
        auto reader = std::async(std::launch::async, [&] {
            std::vector<std::uint8_t> buffer(64 * 1024);
            const auto deadline = Clock::now() + 20s;
            while (Clock::now() < deadline) {
                auto r = p.host->receive(buffer, 100ms);
                if (!r)
                    return;
                hostGot += *r;
            }
        });
        auto sender = std::async(std::launch::async, [&] { return p.device->send(big, 20s); });
        const auto until = Clock::now() + 10s;
        while (hostGot.load() < 1024 * 1024 && Clock::now() < until)
            std::this_thread::sleep_for(5ms);
        const bool flowing = hostGot.load() >= 1024 * 1024; // else the pull would prove nothing
        unplug(args);
        const bool sendReturned = sender.wait_for(5s) == std::future_status::ready;
        std::string detail = "pulled after " + std::to_string(hostGot.load()) + " bytes; ";
        bool ok = sendReturned && flowing;
        if (sendReturned) {
            auto r = sender.get();
            ok = ok && !r;
            detail += r ? "the device's send claimed success" : "device send: " + r.error().message();
            // (the error is expected; the check is that it came at once)
            // Cable still out: dialling returns within its time, with no session.
            p.device.reset();
            auto late = std::async(std::launch::async, [&] { return (*dialer)->dial(300ms); });
            if (late.wait_for(5s) != std::future_status::ready) {
                std::printf("PROBE cable_pull fail %s; with the cable out dial() did not return\n",
                            detail.c_str());
                std::fflush(stdout);
                std::_Exit(1); // the hung thread cannot be joined
            }
            if (auto dialed = late.get()) {
                ok = false;
                detail += "; dial() gave a connection with the cable out";
            }
        } else {
            std::printf("PROBE cable_pull fail %s the device's send did not return within 5 s of the pull\n",
                        detail.c_str());
            std::fflush(stdout);
            std::_Exit(1);
        }
        reader.wait();
        p.host.reset();
        if (!plug(args)) {
            report("cable_pull", false, detail + "; cannot re-plug");
            return 1;
        }
        Pair q = connect(**listener, **dialer, 15s);
        if (q.host && q.device) {
            const auto hello = pattern(100, 8);
            std::string error;
            auto helloReader = std::async(std::launch::async,
                                          [&] { return readExactly(*q.host, hello.size(), 5s, &error); });
            auto sent = q.device->send(hello, 5s);
            const auto got = helloReader.get();
            if (sent && got == hello) {
                detail += "; re-plugged: a fresh session";
            } else {
                ok = false;
                detail += "; re-plugged, but " + std::to_string(got.size()) + " of 100 bytes arrived" +
                          (sent ? "" : " (" + sent.error().describe() + ")") +
                          (error.empty() ? "" : " (" + error + ")");
            }
        } else {
            ok = false;
            detail += "; after re-plugging: " + q.problem;
        }
        report("cable_pull", ok, detail);
    }

    // 6. The station gives up on a session request before the device answers it (its 5 s control timeout
    //    while the scanner is busy, or the station killed meanwhile). The device's acknowledgement (the
    //    request's status stage) then waits in the kernel until the host's next control request or a
    //    disconnect. dial() must still return in its time, and the host's next session must start.
    listener->reset(); // nothing on the host holds the scanner: the raw request below claims it
    {
        std::string detail;
        bool ok = true;
        if (auto why = abandonSessionRequest(); !why.empty()) {
            report("abandoned_request", false, "could not provoke: " + why);
            return 1;
        }
        auto late = std::async(std::launch::async, [&] { return (*dialer)->dial(500ms); });
        if (late.wait_for(20s) != std::future_status::ready)
            hung("abandoned_request", "dial(500 ms) did not return within 20 s: the acknowledgement of the "
                                      "abandoned session request "
                                      "holds the link thread");
        if (auto dialed = late.get()) {
            ok = false;
            detail = "dial() gave a connection for a request the host had abandoned";
        } else {
            ok = dialed.error().code() == gw::Errc::Timeout;
            detail = "dial() returned in time (" + dialed.error().message() + ")";
        }
        listener = usb::UsbHostListener::create({.rescanInterval = 200ms});
        if (!listener) {
            report("abandoned_request", false, detail + "; libusb: " + listener.error().describe());
            return 1;
        }
        Pair q = connect(**listener, **dialer, 15s);
        const std::string problem = exchangeHello(q);
        ok = ok && problem.empty();
        detail += problem.empty() ? "; the host's next session starts" : "; the next session: " + problem;
        report("abandoned_request", ok, detail);
    }

    // 7. The same while the firmware's link (TransportHostLink) is dialling, and the firmware stops
    //    (SIGTERM): stopping must end the link thread, and the dialer destroyed with the acknowledgement
    //    still pending must release FunctionFS so that a restarted firmware can write its descriptors again.
    listener->reset();
    {
        auto gate = std::make_shared<Gate>();
        auto link = gw::link::TransportHostLink::create(
            std::make_unique<GatedDialer>(std::move(*dialer), gate),
            {.dialTimeout = 500ms, .backoffInitial = 50ms, .backoffMax = 200ms});
        if (!link) {
            report("stop_while_acknowledging", false, "link: " + link.error().describe());
            return 1;
        }
        {
            std::unique_lock lock(gate->mutex);
            if (!gate->changed.wait_for(lock, 10s, [&] { return gate->parked; }))
                hung("stop_while_acknowledging", "the link thread never dialled");
        }
        if (auto why = abandonSessionRequest(); !why.empty()) {
            report("stop_while_acknowledging", false, "could not provoke: " + why);
            return 1;
        }
        {
            const std::lock_guard lock(gate->mutex);
            gate->open = true; // the link's dial() now reads the request and acknowledges it
            gate->changed.notify_all();
        }
        auto stopped = std::async(std::launch::async, [&] { link->reset(); });
        if (stopped.wait_for(20s) != std::future_status::ready)
            hung("stop_while_acknowledging", "stopping the link did not return within 20 s: its thread waits "
                                             "for the acknowledgement of the "
                                             "abandoned session request");
        std::string detail = "the link stopped";
        // FunctionFS released: the kernel unbound the gadget, a new dialer writes the descriptors again.
        auto again = usb::FunctionFsDialer::create({.mountPoint = args.ffs});
        if (!again) {
            report("stop_while_acknowledging", false, detail + "; a new dialer: " + again.error().describe());
            return 1;
        }
        dialer = std::move(again);
        if (!plug(args)) {
            report("stop_while_acknowledging", false, detail + "; cannot bind the gadget again");
            return 1;
        }
        listener = usb::UsbHostListener::create({.rescanInterval = 200ms});
        if (!listener) {
            report("stop_while_acknowledging", false, detail + "; libusb: " + listener.error().describe());
            return 1;
        }
        Pair q = connect(**listener, **dialer, 15s);
        const std::string problem = exchangeHello(q);
        report("stop_while_acknowledging", problem.empty(),
               detail + (problem.empty() ? "; FunctionFS released: a new dialer's session works"
                                         : "; after the restart: " + problem));
    }
    unplug(args);
    return failures == 0 ? 0 : 1;
}

} // namespace

int main(int argc, char** argv)
{
    Args args;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string key = argv[i];
        if (key == "--ffs")
            args.ffs = argv[i + 1];
        else if (key == "--plug")
            args.plug = argv[i + 1];
        else if (key == "--unplug")
            args.unplug = argv[i + 1];
    }
    if (args.ffs.empty() || args.plug.empty() || args.unplug.empty()) {
        std::fprintf(stderr, "usage: usb_vm_probe --ffs DIR --plug COMMAND --unplug COMMAND\n");
        return 2;
    }
    // Watchdog: no check may hang the VM test.
    std::thread([] {
        std::this_thread::sleep_for(150s);
        std::printf("PROBE watchdog fail the probe did not finish within 150 s\n");
        std::fflush(stdout);
        std::_Exit(1);
    }).detach();
    return run(args);
}
