// SPDX-License-Identifier: Apache-2.0
// Host station side of the USB link on libusb 1.0: rescans (hot-plug arrivals trigger one), claim, reset the
// interface, start the session, bulk I/O.
#include <algorithm>
#include <cstring>
#include <mutex>
#include <set>
#include <thread>

#include <libusb.h>

#include <gw/link/usb.h>

#include "socket_util.h"

namespace gw::link::usb {

using detail::Clock;

namespace {

constexpr std::size_t kReadChunkBytes = 16 * 1024;    ///< multiple of every max packet size: no overflow
constexpr std::size_t kWriteChunkBytes = 1024 * 1024; ///< per bulk transfer
/// The device answers the session request from its link thread, which a scanner busy inspecting may
/// schedule late; a request given up on starts no session (the device checks that its answer went through).
constexpr unsigned kControlTimeoutMs = 5000;

std::string usbError(int code)
{
    return std::string(libusb_error_name(code));
}

/// "usb:<bus>-<port>.<port>..." — stable for a physical socket, unlike the device address.
std::string portPath(libusb_device* device)
{
    std::array<std::uint8_t, 8> ports{};
    const int n = libusb_get_port_numbers(device, ports.data(), static_cast<int>(ports.size()));
    std::string path = "usb:" + std::to_string(libusb_get_bus_number(device)) + "-";
    for (int i = 0; i < n; ++i)
        path += (i == 0 ? "" : ".") + std::to_string(ports[static_cast<std::size_t>(i)]);
    return path;
}

unsigned timeoutMs(Clock::time_point deadline)
{
    // libusb reads 0 as "no timeout": never pass it.
    return static_cast<unsigned>(std::max(detail::millisecondsLeft(deadline), 1));
}

} // namespace

struct UsbHostListener::Impl {
    std::shared_ptr<libusb_context> context; ///< long-lived: receives hot-plug events
    UsbHostOptions options;
    bool hotplug = false;
    libusb_hotplug_callback_handle hotplugHandle = 0;
    std::mutex mutex;           // guards rescanNow, busy
    bool rescanNow = true;      ///< set by hot-plug arrivals and ended connections
    std::set<std::string> busy; ///< port paths with a live connection
    Clock::time_point nextRescan{};

    ~Impl()
    {
        if (hotplug)
            libusb_hotplug_deregister_callback(context.get(), hotplugHandle);
    }

    void release(const std::string& path)
    {
        const std::lock_guard lock(mutex);
        busy.erase(path);
        rescanNow = true; // offer the device again at once if it is still attached
    }
};

namespace {

int LIBUSB_CALL onHotplug(libusb_context*, libusb_device* device, libusb_hotplug_event event, void* user)
{
    (void)device;
    auto* impl = static_cast<UsbHostListener::Impl*>(user);
    if (event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED) {
        // libusb forbids opening devices inside the callback: accept() rescans at once instead.
        const std::lock_guard lock(impl->mutex);
        impl->rescanNow = true;
    }
    return 0;
}

class UsbHostConnection final : public Connection {
public:
    UsbHostConnection(std::shared_ptr<UsbHostListener::Impl> listener,
                      std::shared_ptr<libusb_context> context, libusb_device_handle* handle,
                      int interfaceNumber, std::uint8_t inEndpoint, std::uint8_t outEndpoint,
                      std::string path)
        : listener_(std::move(listener)), context_(std::move(context)), handle_(handle),
          interface_(interfaceNumber), in_(inEndpoint), out_(outEndpoint)
    {
        peer_.transport = "usb";
        peer_.address = std::move(path);
        const int packet = libusb_get_max_packet_size(libusb_get_device(handle_), out_);
        outPacketBytes_ = packet > 0 ? static_cast<std::size_t>(packet) : 512;
    }
    ~UsbHostConnection() override { close(); }
    UsbHostConnection(const UsbHostConnection&) = delete;
    UsbHostConnection& operator=(const UsbHostConnection&) = delete;

    Result<void> handshake(std::chrono::milliseconds) override
    {
        if (handle_ == nullptr)
            return fail(Errc::LinkLost, "USB connection is closed");
        return {};
    }

    Result<void> send(std::span<const std::uint8_t> bytes, std::chrono::milliseconds timeout) override
    {
        if (handle_ == nullptr || broken_)
            return fail(Errc::LinkLost, "USB connection " + peer_.address + " is closed");
        const auto deadline = Clock::now() + timeout;
        std::size_t done = 0;
        while (done < bytes.size()) {
            const std::size_t chunk = std::min(bytes.size() - done, kWriteChunkBytes);
            int sent = 0;
            // libusb takes a non-const buffer for both directions; OUT transfers only read it.
            const int rc = libusb_bulk_transfer(handle_, out_, const_cast<std::uint8_t*>(bytes.data() + done),
                                                static_cast<int>(chunk), &sent, timeoutMs(deadline));
            done += static_cast<std::size_t>(std::max(sent, 0));
            if (rc == LIBUSB_ERROR_TIMEOUT && Clock::now() >= deadline) {
                broken_ = true;
                return fail(Errc::Timeout,
                            "USB " + peer_.address + ": bulk OUT timed out (device not reading)");
            }
            if (rc != 0 && rc != LIBUSB_ERROR_TIMEOUT) {
                broken_ = true;
                return fail(Errc::LinkLost, "USB " + peer_.address + ": bulk OUT failed: " + usbError(rc));
            }
        }
        // A frame that fills its last packet exactly is ended with a zero-length packet: the device's read
        // completes only on a short packet or a full buffer, and would otherwise hold the frame back.
        if (!bytes.empty() && bytes.size() % outPacketBytes_ == 0) {
            int sent = 0;
            const int rc = libusb_bulk_transfer(handle_, out_, nullptr, 0, &sent, timeoutMs(deadline));
            if (rc != 0) {
                broken_ = true;
                return fail(rc == LIBUSB_ERROR_TIMEOUT ? Errc::Timeout : Errc::LinkLost,
                            "USB " + peer_.address + ": zero-length packet failed: " + usbError(rc));
            }
        }
        return {};
    }

    Result<std::size_t> receive(std::span<std::uint8_t> buffer, std::chrono::milliseconds timeout) override
    {
        if (handle_ == nullptr || broken_)
            return fail(Errc::LinkLost, "USB connection " + peer_.address + " is closed");
        if (taken_ < have_) {
            const std::size_t n = std::min(buffer.size(), have_ - taken_);
            std::memcpy(buffer.data(), chunk_.data() + taken_, n);
            taken_ += n;
            return n;
        }
        int got = 0;
        const int rc = libusb_bulk_transfer(handle_, in_, chunk_.data(), static_cast<int>(chunk_.size()),
                                            &got, timeoutMs(Clock::now() + timeout));
        if (rc != 0 && rc != LIBUSB_ERROR_TIMEOUT) {
            broken_ = true;
            return fail(Errc::LinkLost, "USB " + peer_.address + ": bulk IN failed: " + usbError(rc));
        }
        // A timeout may still have carried bytes (a transfer ending on a packet boundary without a ZLP).
        have_ = static_cast<std::size_t>(std::max(got, 0));
        taken_ = 0;
        if (have_ == 0)
            return std::size_t{0};
        return receive(buffer, timeout);
    }

    void close() noexcept override
    {
        if (handle_ == nullptr)
            return;
        (void)libusb_release_interface(handle_, interface_);
        libusb_close(handle_);
        handle_ = nullptr;
        listener_->release(peer_.address);
    }

    [[nodiscard]] const PeerIdentity& peer() const noexcept override { return peer_; }

private:
    std::shared_ptr<UsbHostListener::Impl> listener_;
    std::shared_ptr<libusb_context> context_;
    libusb_device_handle* handle_; // owned; closed in close()
    int interface_;
    std::uint8_t in_;
    std::uint8_t out_;
    bool broken_ = false;
    std::size_t outPacketBytes_ = 512;
    std::array<std::uint8_t, kReadChunkBytes> chunk_{};
    std::size_t have_ = 0;
    std::size_t taken_ = 0;
    PeerIdentity peer_;
};

struct ConfigDeleter {
    void operator()(libusb_config_descriptor* c) const noexcept { libusb_free_config_descriptor(c); }
};

struct Endpoints {
    int interfaceNumber = -1;
    std::uint8_t in = 0;
    std::uint8_t out = 0;
};

/// The scanner interface of @p device (class triple match, one bulk IN and one bulk OUT), if any.
Endpoints findInterface(libusb_device* device)
{
    libusb_config_descriptor* raw = nullptr;
    if (libusb_get_active_config_descriptor(device, &raw) != 0 || raw == nullptr)
        return {};
    const std::unique_ptr<libusb_config_descriptor, ConfigDeleter> config(raw);
    for (int i = 0; i < config->bNumInterfaces; ++i) {
        const libusb_interface& interface = config->interface[i];
        for (int a = 0; a < interface.num_altsetting; ++a) {
            const libusb_interface_descriptor& alt = interface.altsetting[a];
            if (alt.bInterfaceClass != kInterfaceClass || alt.bInterfaceSubClass != kInterfaceSubClass ||
                alt.bInterfaceProtocol != kInterfaceProtocol)
                continue;
            Endpoints found;
            found.interfaceNumber = alt.bInterfaceNumber;
            for (int e = 0; e < alt.bNumEndpoints; ++e) {
                const libusb_endpoint_descriptor& ep = alt.endpoint[e];
                if ((ep.bmAttributes & LIBUSB_TRANSFER_TYPE_MASK) != LIBUSB_TRANSFER_TYPE_BULK)
                    continue;
                ((ep.bEndpointAddress & LIBUSB_ENDPOINT_IN) != 0 ? found.in : found.out) =
                    ep.bEndpointAddress;
            }
            if (found.in != 0 && found.out != 0)
                return found;
        }
    }
    return {};
}

/// Opens @p device when it is a free scanner: claim its interface and start a session; nullptr otherwise.
std::unique_ptr<Connection> tryOpen(const std::shared_ptr<UsbHostListener::Impl>& impl,
                                    const std::shared_ptr<libusb_context>& context, libusb_device* device)
{
    const std::string path = portPath(device);
    {
        const std::lock_guard lock(impl->mutex);
        if (impl->busy.contains(path))
            return nullptr;
    }
    const Endpoints endpoints = findInterface(device);
    if (endpoints.interfaceNumber < 0)
        return nullptr;
    libusb_device_handle* handle = nullptr;
    if (libusb_open(device, &handle) != 0 || handle == nullptr)
        return nullptr; // e.g. no permission: tried again at the next rescan
    (void)libusb_set_auto_detach_kernel_driver(handle, 1);
    if (libusb_claim_interface(handle, endpoints.interfaceNumber) != 0) {
        libusb_close(handle);
        return nullptr;
    }
    // SET_INTERFACE resets the interface's endpoints on both sides: the device's UDC flushes its IN FIFO,
    // which may still hold a small frame of the previous session that the device considers sent (the USB
    // VM test found a stale HELLO there: dummy_hcd, like real UDCs, completes a write that fits its FIFO).
    if (libusb_set_interface_alt_setting(handle, endpoints.interfaceNumber, 0) != 0) {
        (void)libusb_release_interface(handle, endpoints.interfaceNumber);
        libusb_close(handle);
        return nullptr;
    }
    // Both sides start the session afresh: the device drops any old connection and its decoder state.
    const int rc = libusb_control_transfer(
        handle,
        static_cast<std::uint8_t>(static_cast<unsigned>(LIBUSB_ENDPOINT_OUT) |
                                  static_cast<unsigned>(LIBUSB_REQUEST_TYPE_VENDOR) |
                                  static_cast<unsigned>(LIBUSB_RECIPIENT_INTERFACE)),
        kRequestStartSession, 0, static_cast<std::uint16_t>(endpoints.interfaceNumber), nullptr, 0,
        kControlTimeoutMs);
    if (rc < 0) {
        (void)libusb_release_interface(handle, endpoints.interfaceNumber);
        libusb_close(handle);
        return nullptr;
    }
    {
        const std::lock_guard lock(impl->mutex);
        impl->busy.insert(path);
    }
    return std::make_unique<UsbHostConnection>(impl, context, handle, endpoints.interfaceNumber, endpoints.in,
                                               endpoints.out, path);
}

/// Looks for a free scanner in a fresh libusb context and opens the first one found; nullptr when none.
/// Why fresh: Debian's libusb learns of devices attached after libusb_init only from udevd's events (its
/// udev backend), so where no udevd runs (minimal systems, containers, the USB VM test) a long-lived
/// context never lists a scanner plugged in later, nor one that re-enumerated after a cable pull. A new
/// context enumerates sysfs afresh. The context lives as long as the connection opened from it.
std::unique_ptr<Connection> scan(const std::shared_ptr<UsbHostListener::Impl>& impl)
{
    libusb_context* raw = nullptr;
    if (libusb_init(&raw) != 0 || raw == nullptr)
        return nullptr;
    const std::shared_ptr<libusb_context> context(raw, [](libusb_context* c) { libusb_exit(c); });
    libusb_device** list = nullptr;
    const ssize_t n = libusb_get_device_list(context.get(), &list);
    std::unique_ptr<Connection> connection;
    for (ssize_t i = 0; i < n && !connection; ++i) {
        libusb_device_descriptor descriptor{};
        if (libusb_get_device_descriptor(list[i], &descriptor) == 0 &&
            descriptor.idVendor == impl->options.vendorId && descriptor.idProduct == impl->options.productId)
            connection = tryOpen(impl, context, list[i]);
    }
    if (list != nullptr)
        libusb_free_device_list(list, 1);
    return connection;
}

} // namespace

UsbHostListener::UsbHostListener(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
UsbHostListener::~UsbHostListener() = default;

Result<std::unique_ptr<UsbHostListener>> UsbHostListener::create(const UsbHostOptions& options)
{
    if (options.rescanInterval.count() <= 0)
        return fail(Errc::InvalidArgument, "USB host: rescanInterval must be > 0 ms");
    libusb_context* raw = nullptr;
    const int rc = libusb_init(&raw);
    if (rc != 0 || raw == nullptr)
        return fail(Errc::Io, "USB host: libusb_init failed: " + usbError(rc));
    auto impl = std::make_shared<Impl>();
    impl->context = std::shared_ptr<libusb_context>(raw, [](libusb_context* c) { libusb_exit(c); });
    impl->options = options;
    if (libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG) != 0) {
        const int hr = libusb_hotplug_register_callback(
            raw, LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED, LIBUSB_HOTPLUG_NO_FLAGS, options.vendorId,
            options.productId, LIBUSB_HOTPLUG_MATCH_ANY, onHotplug, impl.get(), &impl->hotplugHandle);
        impl->hotplug = hr == LIBUSB_SUCCESS;
    }
    return std::unique_ptr<UsbHostListener>(new UsbHostListener(std::move(impl)));
}

bool UsbHostListener::hotplug() const noexcept
{
    return impl_->hotplug;
}

std::string UsbHostListener::describe() const
{
    char ids[16];
    std::snprintf(ids, sizeof ids, "%04x:%04x", impl_->options.vendorId, impl_->options.productId);
    return std::string("usb://") + ids;
}

Result<std::unique_ptr<Connection>> UsbHostListener::accept(std::chrono::milliseconds timeout)
{
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        bool rescan = false;
        {
            const std::lock_guard lock(impl_->mutex);
            rescan = impl_->rescanNow || Clock::now() >= impl_->nextRescan;
            impl_->rescanNow = false;
        }
        if (rescan) {
            impl_->nextRescan = Clock::now() + impl_->options.rescanInterval;
            if (auto connection = scan(impl_))
                return connection;
        }
        const int left = detail::millisecondsLeft(deadline);
        if (left == 0)
            return std::unique_ptr<Connection>{};
        const int slice = std::min(left, 50);
        if (impl_->hotplug) {
            timeval tv{0, slice * 1000};
            (void)libusb_handle_events_timeout_completed(impl_->context.get(), &tv, nullptr);
        } else {
            std::this_thread::sleep_for(std::chrono::milliseconds(slice));
        }
    }
}

} // namespace gw::link::usb
