// SPDX-License-Identifier: Apache-2.0
// The protocol's messages (HELLO, INSPECTION, ACK, HEARTBEAT, STATUS) and their body codecs.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <gw/common/result.h>
#include <gw/link/frame.h>

namespace gw::link {

/// @brief Limits on body fields, enforced by the encoder (Errc::InvalidArgument) and the decoder
/// (Errc::InvalidInput). Every variable-length field is additionally bounded by the bytes left in its body.
inline constexpr std::size_t kMaxTokenBytes = 64;       ///< device id, firmware version, board, health name
inline constexpr std::size_t kMaxShortTextBytes = 1024; ///< ACK reason, health detail (UTF-8)
inline constexpr std::size_t kMaxImages = 8;            ///< images in one INSPECTION, at most one per light
inline constexpr std::size_t kMaxHealthItems = 256;     ///< health items in one STATUS

/// @brief A 128-bit inspection id (e.g. a UUID); the host deduplicates INSPECTION frames by it.
struct InspectionId {
    std::array<std::uint8_t, 16> bytes{};

    /// @brief Parses exactly 32 hex digits (either case, no dashes).
    /// @return the id, or Errc::InvalidInput naming the first bad character or the wrong length
    [[nodiscard]] static Result<InspectionId> fromHex(std::string_view hex);
    /// @brief 32 lower-case hex digits.
    [[nodiscard]] std::string toHex() const;
    /// @brief True for the all-zero id, which no INSPECTION may carry.
    [[nodiscard]] bool isNil() const noexcept;

    friend auto operator<=>(const InspectionId&, const InspectionId&) = default;
};

/// @brief HELLO capability bits. Unknown bits from newer peers are kept and ignored.
inline constexpr std::uint32_t kCapLightWhite = 1u << 0;
inline constexpr std::uint32_t kCapLightIr = 1u << 1;
inline constexpr std::uint32_t kCapLightUv = 1u << 2;
inline constexpr std::uint32_t kCapImagePng = 1u << 3;
inline constexpr std::uint32_t kCapImageJpeg = 1u << 4;
inline constexpr std::uint32_t kCapSpool = 1u << 5; ///< keeps unacknowledged inspections and resends them

/// @brief First message on a connection, sent by each side.
struct Hello {
    std::uint8_t protocolMajor = kVersionMajor; ///< highest version the sender speaks
    std::uint8_t protocolMinor = kVersionMinor;
    std::string deviceId;           ///< 1..64 bytes of printable ASCII without space, e.g. "GW-EMU-0001"
    std::string firmwareVersion;    ///< 1..64 bytes, same alphabet, e.g. "0.1.0+g1a2b3c4"
    std::string board;              ///< 1..64 bytes, same alphabet, e.g. "emulator"
    std::uint32_t capabilities = 0; ///< kCap* bits

    friend bool operator==(const Hello&, const Hello&) = default;
};

/// @brief Light an image was captured under.
enum class Light : std::uint8_t { White = 1, Infrared = 2, Ultraviolet = 3 };
/// @brief Image container. The codec checks the signature only (PNG: 89 50 4E 47 0D 0A 1A 0A,
/// JPEG: FF D8 FF); the JPEG quality is the sender's setting and lives inside the JPEG itself.
enum class ImageEncoding : std::uint8_t { Png = 1, Jpeg = 2 };

/// @brief "white", "ir", "uv" / "png", "jpeg" (the names used in the report JSON), or "unknown".
[[nodiscard]] std::string_view lightName(Light light) noexcept;
[[nodiscard]] std::string_view imageEncodingName(ImageEncoding encoding) noexcept;

/// @brief One encoded image of an inspection.
struct EncodedImage {
    Light light = Light::White;
    ImageEncoding encoding = ImageEncoding::Png;
    std::vector<std::uint8_t> bytes; ///< the complete PNG or JPEG file, non-empty

    friend bool operator==(const EncodedImage&, const EncodedImage&) = default;
};

/// @brief Scanner -> host: one inspection.
struct Inspection {
    InspectionId id;                  ///< not nil
    std::uint64_t captureTimeMs = 0;  ///< [ms] since the Unix epoch, UTC
    std::string reportJson;           ///< the InspectionReport as JSON text: non-empty, valid UTF-8
    std::vector<EncodedImage> images; ///< 0..kMaxImages, at most one per light

    friend bool operator==(const Inspection&, const Inspection&) = default;
};

/// @brief What the host did with an INSPECTION.
enum class AckStatus : std::uint8_t {
    Stored = 1,    ///< new and stored durably: the scanner may drop it from its spool
    Duplicate = 2, ///< already stored earlier (same inspection id): drop it too
    Rejected = 3,  ///< refused (reason says why): the scanner must not resend it unchanged
};
[[nodiscard]] std::string_view ackStatusName(AckStatus status) noexcept;

/// @brief Host -> scanner: answer to one INSPECTION.
struct Ack {
    std::uint32_t ackedSequence = 0; ///< sequence number of the INSPECTION frame answered
    InspectionId inspectionId;       ///< its inspection id
    AckStatus status = AckStatus::Stored;
    std::string reason; ///< UTF-8, <= 1024 bytes; required (non-empty) when Rejected

    friend bool operator==(const Ack&, const Ack&) = default;
};

/// @brief Either way: liveness. The heartbeat's sequence is its frame's sequence number.
struct Heartbeat {
    std::uint64_t timeMs = 0; ///< [ms] since the Unix epoch, UTC, by the sender's clock

    friend bool operator==(const Heartbeat&, const Heartbeat&) = default;
};

/// @brief STATUS fault bits. Unknown bits from newer peers are kept.
inline constexpr std::uint32_t kFaultCamera = 1u << 0;
inline constexpr std::uint32_t kFaultLightWhite = 1u << 1;
inline constexpr std::uint32_t kFaultLightIr = 1u << 2;
inline constexpr std::uint32_t kFaultLightUv = 1u << 3;
inline constexpr std::uint32_t kFaultDocumentSensor = 1u << 4;
inline constexpr std::uint32_t kFaultStorage = 1u << 5;

/// @brief Severity of one health item.
enum class HealthLevel : std::uint8_t { Ok = 1, Warning = 2, Fault = 3 };
[[nodiscard]] std::string_view healthLevelName(HealthLevel level) noexcept;

/// @brief One free-form health item, e.g. {"camera.exposure", Warning, "auto exposure at limit"}.
struct HealthItem {
    std::string name; ///< 1..64 bytes of printable ASCII without space
    HealthLevel level = HealthLevel::Ok;
    std::string detail; ///< UTF-8, <= 1024 bytes, may be empty

    friend bool operator==(const HealthItem&, const HealthItem&) = default;
};

/// @brief Scanner -> host: device health.
struct Status {
    std::uint64_t uptimeMs = 0;         ///< [ms] since the firmware started
    std::uint32_t spoolCount = 0;       ///< inspections waiting for an ACK
    std::uint64_t spoolBytes = 0;       ///< [bytes] they occupy
    std::uint64_t spoolLimitBytes = 0;  ///< [bytes] the spool's capacity
    std::uint64_t freeStorageBytes = 0; ///< [bytes] free on the spool's file system
    std::uint32_t faults = 0;           ///< kFault* bits
    /// [0.01 degC] board temperature, -327.67..+327.67 degC; std::nullopt when there is no sensor
    std::optional<std::int16_t> temperatureCentiC;
    std::vector<HealthItem> health; ///< 0..kMaxHealthItems

    friend bool operator==(const Status&, const Status&) = default;
};

/// @brief Any message of this protocol version.
using Message = std::variant<Hello, Inspection, Ack, Heartbeat, Status>;

/// @brief The frame type that carries @p message.
[[nodiscard]] MessageType messageType(const Message& message) noexcept;

/// @brief How a message is framed.
struct EncodeOptions {
    std::uint8_t flags = 0; ///< subset of kKnownFlags, e.g. kFlagResend for a spool resend
    std::uint32_t maxPayloadBytes = kDefaultMaxPayloadBytes; ///< [bytes] the receiver's limit
};

/// @brief The body (frame payload) of @p message.
/// @return the bytes, or Errc::InvalidArgument naming the field that breaks a limit or rule
[[nodiscard]] Result<std::vector<std::uint8_t>> encodeBody(const Message& message);

/// @brief A complete frame carrying @p message with sequence number @p sequence; the body is written
/// straight into the frame buffer (one copy of the images, not two).
/// @return the frame bytes, or Errc::InvalidArgument (a field's limit, or the payload over
///         @p options.maxPayloadBytes)
[[nodiscard]] Result<std::vector<std::uint8_t>> encodeMessage(const Message& message, std::uint32_t sequence,
                                                              const EncodeOptions& options = {});

/// @brief Decodes a body of type @p type written at protocol minor version @p versionMinor.
/// Every length is checked against the bytes left before it is used, every enum and text field is
/// validated. Trailing bytes are an error unless @p versionMinor > kVersionMinor (a newer peer's
/// appended fields, skipped).
/// @return the message; Errc::InvalidInput for malformed bodies; Errc::Unsupported for a type or enum
///         value unknown to this build in a newer-minor body (the caller may skip that frame)
[[nodiscard]] Result<Message> decodeBody(MessageType type, std::span<const std::uint8_t> body,
                                         std::uint8_t versionMinor = kVersionMinor);

/// @brief decodeBody() of a decoded frame.
[[nodiscard]] Result<Message> decodeMessage(const Frame& frame);

} // namespace gw::link
