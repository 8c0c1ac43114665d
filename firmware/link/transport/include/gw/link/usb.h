// SPDX-License-Identifier: Apache-2.0
// USB bulk transport: the scanner's device side on Linux FunctionFS, the host station's side on libusb.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gw/common/result.h>
#include <gw/link/connection.h>

namespace gw::link::usb {

/// @brief Default USB ids. 0x1209 is pid.codes' open-source vendor id; 0x0001 its test product id, to be
/// replaced by an allocated product id before production. Both are configurable on each side.
inline constexpr std::uint16_t kDefaultVendorId = 0x1209;
inline constexpr std::uint16_t kDefaultProductId = 0x0001;
/// @brief The function's interface: vendor specific class, subclass 'G', protocol 1 (framing of
/// docs/protocol.md on one bulk IN and one bulk OUT endpoint). The host finds the interface by these.
inline constexpr std::uint8_t kInterfaceClass = 0xFF;
inline constexpr std::uint8_t kInterfaceSubClass = 0x47;
inline constexpr std::uint8_t kInterfaceProtocol = 0x01;
/// @brief Vendor control request (host -> device, recipient interface, no data) that starts a new session:
/// the device ends its current connection, if any, and the next dial() returns a fresh one. The host sends
/// it each time it opens the device, after SET_INTERFACE, so both sides start with empty decoders and
/// endpoints.
inline constexpr std::uint8_t kRequestStartSession = 0x47;

/// @brief The FunctionFS descriptor blob (format v2, full/high/super speed: one interface, bulk IN 0x81 and
/// bulk OUT 0x02; max packet 64/512/1024 bytes) written to ep0 first.
[[nodiscard]] std::vector<std::uint8_t> functionFsDescriptors();
/// @brief The FunctionFS strings blob (one language, en-US) naming the interface @p interfaceName.
/// @param interfaceName 1..126 bytes of printable ASCII
/// @return the blob, or Errc::InvalidArgument
[[nodiscard]] Result<std::vector<std::uint8_t>> functionFsStrings(const std::string& interfaceName);

/// @brief Settings of the scanner's FunctionFS side.
struct FunctionFsOptions {
    /// Where the gadget's FunctionFS instance is mounted (ep0, ep1 = bulk IN, ep2 = bulk OUT appear there).
    std::filesystem::path mountPoint = "/dev/usb-ffs/grenswacht";
    std::string interfaceName = "Grenswacht scanner link";
};

/// @brief The scanner side of USB. dial() waits until the host has enabled the function and asked for a
/// session (kRequestStartSession), then returns a connection over the bulk endpoints; the connection ends
/// (Errc::LinkLost) when the host disables, re-enables (SET_INTERFACE) or unbinds the function, is
/// unplugged, or starts a new session. Endpoint I/O uses Linux AIO (FunctionFS endpoint files cannot be
/// polled), so every call is bounded; a read stays queued on bulk OUT also while send() writes (USB buffers
/// nothing: a host writing its ACK before it reads again would otherwise wait for this side's write, which
/// waits for the host). The session request is acknowledged (its status stage) on a helper thread: the
/// kernel completes that only with the control transfer, so for a host that gave up on the request it
/// waits until the host's next control request or a disconnect; dial() still returns at its timeout, and
/// the destructor cancels the wait (the kernel then dequeues it). The dialer and its connection are used
/// by one thread at a time.
class FunctionFsDialer final : public Dialer {
public:
    /// @brief Opens ep0 under @p options.mountPoint, writes the descriptors and strings, opens ep1 and ep2.
    /// @return the dialer; Errc::Io naming the file that could not be opened or written
    [[nodiscard]] static Result<std::unique_ptr<FunctionFsDialer>> create(const FunctionFsOptions& options);

    /// @brief Test stand-in: descriptors and strings are written to @p ep0Fd, events read from it, and the
    /// endpoints are ordinary pollable descriptors (a socketpair) used with read()/write(). Takes ownership
    /// of the three descriptors.
    [[nodiscard]] static Result<std::unique_ptr<FunctionFsDialer>>
    createStandIn(int ep0Fd, int inFd, int outFd,
                  const std::string& interfaceName = "Grenswacht scanner link");

    ~FunctionFsDialer() override;
    FunctionFsDialer(const FunctionFsDialer&) = delete;
    FunctionFsDialer& operator=(const FunctionFsDialer&) = delete;

    Result<std::unique_ptr<Connection>> dial(std::chrono::milliseconds timeout) override;
    [[nodiscard]] std::string describe() const override;

    struct Impl;

private:
    explicit FunctionFsDialer(std::shared_ptr<Impl> impl);
    std::shared_ptr<Impl> impl_;
};

/// @brief Settings of the host station's USB side.
struct UsbHostOptions {
    std::uint16_t vendorId = kDefaultVendorId;
    std::uint16_t productId = kDefaultProductId;
    /// Look for scanners this often (a fresh enumeration each time); a hot-plug arrival, where libusb
    /// reports one, and an ended connection look at once.
    std::chrono::milliseconds rescanInterval{1000};
};

/// @brief The host station side of USB: yields one connection per attached scanner (matching vendor and
/// product id and the interface class triple). Devices already attached are found at once, new ones at the
/// next rescan (each in a fresh libusb context: without udevd, Debian's libusb never lists a device that
/// arrives after libusb_init) or at once on a hot-plug event. A device whose connection ended is offered
/// again (reconnect) while it stays attached. Each session starts with SET_INTERFACE (both sides' endpoints
/// reset and flushed) and kRequestStartSession. peer().address is "usb:<bus>-<port path>"; the device id
/// comes from HELLO (USB vouches for none: physical attachment is the trust boundary).
class UsbHostListener final : public Listener {
public:
    /// @return the listener; Errc::Io when libusb cannot be initialised (e.g. no USB in a container)
    [[nodiscard]] static Result<std::unique_ptr<UsbHostListener>> create(const UsbHostOptions& options);
    ~UsbHostListener() override;
    UsbHostListener(const UsbHostListener&) = delete;
    UsbHostListener& operator=(const UsbHostListener&) = delete;

    Result<std::unique_ptr<Connection>> accept(std::chrono::milliseconds timeout) override;
    [[nodiscard]] std::string describe() const override;
    /// @brief True when libusb reports hot-plug support on this system.
    [[nodiscard]] bool hotplug() const noexcept;

    struct Impl;

private:
    explicit UsbHostListener(std::shared_ptr<Impl> impl);
    std::shared_ptr<Impl> impl_;
};

} // namespace gw::link::usb
