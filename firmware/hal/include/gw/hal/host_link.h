// SPDX-License-Identifier: Apache-2.0
// HAL seam for the connection to the host station (TCP+TLS, USB bulk, or an in-memory loopback).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <gw/common/result.h>
#include <gw/link/messages.h>

namespace gw::hal {

/// @brief What happened on the link since the last poll.
struct LinkEvent {
    enum class Kind : std::uint8_t {
        Connected, ///< a connection to the host is up (the firmware then sends HELLO and resends its spool)
        Disconnected, ///< it is gone; detail says why. Unacknowledged messages must be resent later.
        Received,     ///< a complete, decoded message from the host (ACK, HELLO, HEARTBEAT)
    };
    Kind kind = Kind::Received;
    std::optional<link::Message> message; ///< set for Received
    std::uint32_t sequence = 0;           ///< frame sequence number of a Received message
    std::string detail;                   ///< human-readable reason for Disconnected (no personal data)
};

/// @brief A message-level connection to the host station. The transport owns framing (link::encodeMessage,
/// link::Decoder), sequence numbers, reconnection with back-off and the TLS/USB details. One thread uses it.
class HostLink {
public:
    virtual ~HostLink() = default;

    /// @brief True while a connection is up (between Connected and Disconnected events).
    [[nodiscard]] virtual bool connected() const noexcept = 0;

    /// @brief Queues @p message as one frame with @p flags (link::kFlag*) and the next sequence number.
    /// Must not block for longer than the transport's send timeout.
    /// @return the frame's sequence number; Errc::LinkLost when not connected or the connection broke
    ///         (a Disconnected event follows); Errc::InvalidArgument when the message breaks a codec limit
    virtual Result<std::uint32_t> send(const link::Message& message, std::uint8_t flags = 0) = 0;

    /// @brief Non-blocking: the next event, or std::nullopt. Transports reconnect on their own and report
    /// it as Connected. A frame that fails to decode drops the connection (Disconnected with the reason).
    virtual std::optional<LinkEvent> poll() = 0;
};

} // namespace gw::hal
