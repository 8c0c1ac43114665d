// SPDX-License-Identifier: Apache-2.0
// hal::HostLink over any Dialer (TLS, USB FunctionFS, memory): framing, reconnection with back-off, events.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>

#include <gw/common/result.h>
#include <gw/hal/host_link.h>
#include <gw/link/connection.h>

namespace gw::link {

/// @brief Settings of a TransportHostLink. Times must be > 0.
struct TransportHostLinkOptions {
    std::chrono::milliseconds dialTimeout{5000};             ///< connect + handshake
    std::chrono::milliseconds sendTimeout{10000};            ///< per frame; longer drops the connection
    std::chrono::milliseconds backoffInitial{100};           ///< first reconnect delay, doubled per failure
    std::chrono::milliseconds backoffMax{5000};              ///< reconnect delay ceiling
    std::chrono::milliseconds peerSilenceTimeout{15000};     ///< drop after this long without a byte (the
                                                             ///< host heartbeats every 5 s by default)
    std::size_t maxQueuedBytes = 256u * 1024 * 1024;         ///< [bytes] frames waiting to be written
    std::uint32_t maxPayloadBytes = kDefaultMaxPayloadBytes; ///< [bytes] frame payload limit
};

/// @brief The scanner's hal::HostLink on a real transport. A background thread dials (with exponential
/// back-off), writes queued frames and decodes incoming ones; the firmware thread calls send() and poll()
/// and never blocks on the network. Per connection, sequence numbers start at 0. send() queues the frame
/// and returns its sequence number at once; a frame that cannot be written ends the connection, reported
/// by a Disconnected event (the firmware then resends what was not acknowledged).
class TransportHostLink final : public hal::HostLink {
public:
    /// @return the link (its thread started); Errc::InvalidArgument for a bad option or no dialer
    [[nodiscard]] static Result<std::unique_ptr<TransportHostLink>>
    create(std::unique_ptr<Dialer> dialer, const TransportHostLinkOptions& options);
    ~TransportHostLink() override;
    TransportHostLink(const TransportHostLink&) = delete;
    TransportHostLink& operator=(const TransportHostLink&) = delete;

    [[nodiscard]] bool connected() const noexcept override;
    /// @return the sequence number; Errc::LinkLost when not connected, when the connection is not the one
    ///         the caller's last polled Connected event announced (it ended, a newer one is up), or the
    ///         queue is over maxQueuedBytes; Errc::InvalidArgument when the codec refuses the message
    Result<std::uint32_t> send(const link::Message& message, std::uint8_t flags = 0) override;
    std::optional<hal::LinkEvent> poll() override;

    struct Impl;

private:
    explicit TransportHostLink(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

} // namespace gw::link
