// SPDX-License-Identifier: Apache-2.0
// Message-level I/O over a Connection: frames messages with sequence numbers, decodes incoming frames.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>

#include <gw/common/result.h>
#include <gw/link/connection.h>
#include <gw/link/frame.h>
#include <gw/link/messages.h>

namespace gw::link {

/// @brief One message taken from the stream.
struct ReceivedMessage {
    std::uint32_t sequence = 0;
    std::uint8_t flags = 0;
    MessageType type = MessageType::Heartbeat;
    /// The decoded body. An error here does not break the stream (framing and CRC were fine): the
    /// receiver may answer it (ACK rejected) and go on; Errc::Unsupported marks a newer peer's addition.
    Result<Message> message = fail(Errc::Internal, "not decoded");
};

/// @brief Frames outgoing messages (own sequence counter from 0) and decodes incoming bytes with one
/// gw::link::Decoder. Borrows the connection; one thread uses a channel at a time.
class MessageChannel {
public:
    /// @param maxPayloadBytes [bytes] limit for both directions, in [kMinPayloadLimitBytes,
    ///        kMaxPayloadLimitBytes]; out-of-range values are clamped into it
    MessageChannel(Connection& connection, std::uint32_t maxPayloadBytes = kDefaultMaxPayloadBytes);

    /// @brief Encodes @p message with the next sequence number and sends it within @p timeout.
    /// @return the frame's sequence; Errc::InvalidArgument for a message the codec refuses (nothing sent);
    ///         the connection's error otherwise (then the connection must be dropped)
    Result<std::uint32_t> send(const Message& message, std::uint8_t flags, std::chrono::milliseconds timeout);

    /// @brief The next message, waiting up to @p timeout for bytes.
    /// @return a message, std::nullopt when none completed in time; Errc::InvalidInput/Unsupported when the
    ///         byte stream is corrupt (the decoder is then failed for good: drop the connection);
    ///         Errc::LinkLost when the connection ended
    Result<std::optional<ReceivedMessage>> receive(std::chrono::milliseconds timeout);

    [[nodiscard]] std::uint64_t bytesReceived() const noexcept { return decoder_.bytesConsumed(); }

private:
    Connection& connection_;
    Decoder decoder_;
    std::uint32_t maxPayloadBytes_;
    std::uint32_t nextSequence_ = 0;
    std::array<std::uint8_t, 64 * 1024> buffer_{};
};

} // namespace gw::link
