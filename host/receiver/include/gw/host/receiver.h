// SPDX-License-Identifier: Apache-2.0
// The station's receiver: link sessions (TLS with mutual authentication, USB) -> store, scanner registry.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gw/common/result.h>
#include <gw/host/store.h>
#include <gw/link/session.h>
#include <gw/link/tls.h>
#include <gw/link/usb.h>

namespace gw::host {

/// @brief Called after an inspection was committed (or found to be a duplicate), before the ACK goes out.
using StoredCallback = std::function<void(const InspectionRecord& record, link::AckStatus status)>;

/// @brief The link::InspectionSink of the station: validates the report, stores report, checks and images
/// in one transaction, and answers Stored/Duplicate only after the commit. A report that is not valid is
/// Rejected with the reason (the scanner sets it aside); a store failure is an error (no ACK: the scanner
/// keeps the inspection and resends), and the store's alarm goes up.
class StoreSink final : public link::InspectionSink {
public:
    /// @param clockMs [ms] since the epoch for the received time; empty: the system clock
    explicit StoreSink(Store& store, std::function<std::int64_t()> clockMs = {},
                       StoredCallback onStored = {});
    Result<link::StoreOutcome> store(const link::InspectionOrigin& origin,
                                     const link::Inspection& inspection) override;

private:
    Store& store_;
    std::function<std::int64_t()> clockMs_;
    StoredCallback onStored_;
};

/// @brief Settings of the receiver. At least one of tls and usb.
struct ReceiverOptions {
    std::optional<link::TlsServerOptions> tls;    ///< listen for scanners over TCP + TLS 1.3 (mutual auth)
    std::optional<link::usb::UsbHostOptions> usb; ///< accept scanners attached over USB (libusb)
    link::ServerOptions session;                  ///< HELLO identity, timeouts, connection limit
    std::function<std::int64_t()> clockMs;        ///< [ms] since the epoch; empty: the system clock
    StoredCallback onStored;                      ///< e.g. the demo's verdict printer; may be empty
};

/// @brief Runs one link::SessionServer per transport, all writing through one StoreSink into the store,
/// and keeps the scanner registry (id, firmware, board, last seen, health, connected) in the store.
class Receiver {
public:
    /// @brief Creates the listeners (binds the TLS port). Nothing is accepted until start().
    /// @return the receiver; Errc::InvalidArgument without any transport or for bad TLS credentials;
    ///         Errc::Io when the port cannot be bound or libusb is unavailable
    [[nodiscard]] static Result<std::unique_ptr<Receiver>> create(Store& store, ReceiverOptions options);
    ~Receiver();
    Receiver(const Receiver&) = delete;
    Receiver& operator=(const Receiver&) = delete;

    /// @brief Marks every known scanner disconnected (the station may have been killed) and starts accepting.
    void start();
    /// @brief Stops accepting, closes every connection and joins its threads.
    void stop();

    /// @brief The bound TLS port (0 without TLS).
    [[nodiscard]] std::uint16_t tlsPort() const noexcept;
    /// @brief Sum of the session servers' counters.
    [[nodiscard]] link::ServerStats stats() const;

    struct Impl;

private:
    explicit Receiver(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

/// @brief A link::Status as the JSON kept in the scanner registry.
[[nodiscard]] std::string statusJson(const link::Status& status);

} // namespace gw::host
