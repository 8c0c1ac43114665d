// SPDX-License-Identifier: Apache-2.0
// Wire framing of the scanner <-> host protocol: constants, the frame, the frame encoder and the streaming
// decoder. Layout and rules: docs/protocol.md.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include <gw/common/result.h>
#include <gw/link/crc32.h>

namespace gw::link {

/// @brief The four bytes every frame starts with: ASCII "GWLK".
inline constexpr std::array<std::uint8_t, 4> kMagic = {0x47, 0x57, 0x4C, 0x4B};
/// @brief Protocol version this build speaks. A different major is refused; a newer minor is read
/// (its additions are skipped, see docs/protocol.md "Versioning").
inline constexpr std::uint8_t kVersionMajor = 1;
inline constexpr std::uint8_t kVersionMinor = 0;

/// @brief Fixed header: magic(4) major(1) minor(1) type(1) flags(1) sequence(4) length(4) headerCrc(4).
inline constexpr std::size_t kHeaderBytes = 20;
/// @brief Trailer: CRC-32 over the header and the payload.
inline constexpr std::size_t kTrailerBytes = 4;
inline constexpr std::size_t kFrameOverheadBytes = kHeaderBytes + kTrailerBytes;

/// @brief Default (and recommended) largest payload: 64 MiB, room for three PNG frames of a 12 MP camera.
inline constexpr std::uint32_t kDefaultMaxPayloadBytes = 64u * 1024u * 1024u;
/// @brief Range allowed for a configured payload limit [bytes].
inline constexpr std::uint32_t kMinPayloadLimitBytes = 1024u;
inline constexpr std::uint32_t kMaxPayloadLimitBytes = 1024u * 1024u * 1024u;

/// @brief Message type byte. 0 is never valid. Values not listed are unknown (see Decoder).
enum class MessageType : std::uint8_t {
    Hello = 0x01,      ///< first frame each side sends: identity, protocol version, capabilities
    Inspection = 0x02, ///< scanner -> host: one inspection (report JSON + images)
    Ack = 0x03,        ///< host -> scanner: an inspection was stored / was a duplicate / was rejected
    Heartbeat = 0x04,  ///< either way: liveness and the sender's clock
    Status = 0x05,     ///< scanner -> host: device health
};

/// @brief Stable lower-case name ("hello", "inspection", ...) or "unknown".
[[nodiscard]] std::string_view messageTypeName(MessageType type) noexcept;
/// @brief True for the types this build defines.
[[nodiscard]] bool isKnownMessageType(std::uint8_t type) noexcept;

/// @brief Flag bit: the frame is a resend (e.g. from the scanner's spool after a reconnect); the
/// receiver may already have it and deduplicates (INSPECTION by inspection id).
inline constexpr std::uint8_t kFlagResend = 0x01;
/// @brief Every flag bit this build defines.
inline constexpr std::uint8_t kKnownFlags = kFlagResend;

/// @brief One decoded frame. The payload is the message body; decode it with decodeMessage().
struct Frame {
    std::uint8_t versionMajor = kVersionMajor;
    std::uint8_t versionMinor = kVersionMinor;
    /// May hold a value outside the enumerators only when versionMinor > kVersionMinor (a newer peer's
    /// type); decodeMessage() then returns Errc::Unsupported and the caller skips the frame.
    MessageType type = MessageType::Heartbeat;
    std::uint8_t flags = 0;
    std::uint32_t sequence = 0; ///< sender's frame counter, +1 per frame, wraps modulo 2^32
    std::vector<std::uint8_t> payload;
};

/// @brief Builds one frame (header, payload, trailer) at version kVersionMajor.kVersionMinor.
/// @param type a known message type
/// @param sequence the sender's sequence number for this frame
/// @param payload the message body, at most @p maxPayloadBytes bytes
/// @param flags a subset of kKnownFlags
/// @param maxPayloadBytes [bytes] the limit the receiver applies (default kDefaultMaxPayloadBytes)
/// @return the frame bytes, or Errc::InvalidArgument naming the violated limit
[[nodiscard]] Result<std::vector<std::uint8_t>>
encodeFrame(MessageType type, std::uint32_t sequence, std::span<const std::uint8_t> payload,
            std::uint8_t flags = 0, std::uint32_t maxPayloadBytes = kDefaultMaxPayloadBytes);

/// @brief Settings of a Decoder.
struct DecoderOptions {
    /// [bytes] largest payload accepted, in [kMinPayloadLimitBytes, kMaxPayloadLimitBytes]. A header
    /// announcing more is refused before any payload memory is allocated.
    std::uint32_t maxPayloadBytes = kDefaultMaxPayloadBytes;
};

/// @brief Streaming frame decoder for one connection. Feed it the bytes as they arrive, in chunks split
/// anywhere (one byte at a time is fine); take complete frames with nextFrame().
///
/// Every header field is validated (magic byte by byte as it arrives, major version, header CRC, type,
/// flags, length against the limit), and the frame CRC is checked when the trailer arrives. The first
/// violation is reported as an Error (Errc::InvalidInput, or Errc::Unsupported for a different major
/// version) whose message names the field, the value(s) and the stream offset.
///
/// @note After an error the decoder stays failed: every later feed() returns the same error and nothing
/// more is decoded. There is no resynchronisation: the caller drops the connection (the peer resends
/// unacknowledged inspections after reconnecting). Frames completed before the error stay available from
/// nextFrame(); they passed every check.
///
/// Memory: payload storage grows with the bytes actually received (a first 64 KiB, then doubling, never
/// beyond the announced length), so a header that announces a large payload and then stalls costs 64 KiB.
class Decoder {
public:
    /// @brief A decoder with the default options.
    Decoder() = default;

    /// @brief A decoder with @p options, or Errc::InvalidArgument when the limit is out of range.
    [[nodiscard]] static Result<Decoder> create(const DecoderOptions& options);

    /// @brief Consumes @p bytes. Complete frames are queued for nextFrame().
    /// @return nothing, or the (sticky) error of the first invalid byte (Errc::Internal if memory for a
    ///         payload within the limit cannot be had).
    Result<void> feed(std::span<const std::uint8_t> bytes);

    /// @brief The oldest complete frame not yet taken, or std::nullopt.
    [[nodiscard]] std::optional<Frame> nextFrame();

    /// @brief Declares the end of the stream: an error (Errc::InvalidInput, "truncated ...") when it
    /// stops inside a frame; nothing when it stops on a frame boundary. A failed decoder returns its error.
    [[nodiscard]] Result<void> finish();

    [[nodiscard]] bool failed() const noexcept { return error_.has_value(); }
    /// @brief The error that failed the decoder, if any.
    [[nodiscard]] const std::optional<Error>& error() const noexcept { return error_; }
    /// @brief True when no partial frame is buffered.
    [[nodiscard]] bool atFrameBoundary() const noexcept
    {
        return state_ == State::Header && headerFill_ == 0;
    }
    /// @brief Bytes consumed since construction (error messages quote offsets in this count).
    [[nodiscard]] std::uint64_t bytesConsumed() const noexcept { return consumed_; }
    [[nodiscard]] std::uint32_t maxPayloadBytes() const noexcept { return maxPayloadBytes_; }

private:
    enum class State { Header, Payload, Trailer };

    void feedBytes(std::span<const std::uint8_t> bytes);
    std::size_t consumeHeader(std::span<const std::uint8_t> bytes);
    std::size_t consumePayload(std::span<const std::uint8_t> bytes);
    std::size_t consumeTrailer(std::span<const std::uint8_t> bytes);
    void parseHeader();
    void completeFrame();
    void failWith(Errc code, std::string message);

    std::uint32_t maxPayloadBytes_ = kDefaultMaxPayloadBytes;
    State state_ = State::Header;
    std::array<std::uint8_t, kHeaderBytes> header_{};
    std::size_t headerFill_ = 0;
    std::array<std::uint8_t, kTrailerBytes> trailer_{};
    std::size_t trailerFill_ = 0;
    std::uint32_t payloadLength_ = 0;
    Crc32 crc_;                    ///< over the current frame's header and the payload received so far
    std::uint64_t frameStart_ = 0; ///< stream offset of the current frame's first byte
    std::uint64_t consumed_ = 0;
    Frame current_;
    std::deque<Frame> ready_;
    std::optional<Error> error_;
};

} // namespace gw::link
