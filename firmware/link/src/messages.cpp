// SPDX-License-Identifier: Apache-2.0
// Body codecs of HELLO, INSPECTION, ACK, HEARTBEAT and STATUS (layouts: docs/protocol.md).
#include <algorithm>
#include <exception>
#include <string>

#include <gw/link/messages.h>

#include "wire.h"

namespace gw::link {
namespace {

using detail::Reader;
using detail::Writer;

constexpr std::array<std::uint8_t, 8> kPngSignature = {0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A};
constexpr std::array<std::uint8_t, 3> kJpegSignature = {0xFF, 0xD8, 0xFF};
constexpr std::uint16_t kNoTemperature = 0x8000; // INT16_MIN on the wire: no sensor

// Smallest encoded list elements, used to refuse a count before reserving memory for it.
constexpr std::size_t kMinImageBytes = 1 + 1 + 4 + kJpegSignature.size();
constexpr std::size_t kMinHealthItemBytes = 1 + 1 + 1 + 2;

std::span<const std::uint8_t> asBytes(std::string_view s) noexcept
{
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::string tokenRule(std::string_view field, std::string_view value)
{
    if (detail::isToken(value) && value.size() <= kMaxTokenBytes)
        return {};
    return std::string(field) + " must be 1.." + std::to_string(kMaxTokenBytes) +
           " bytes of printable ASCII without space, got " + std::to_string(value.size()) + " bytes";
}

std::string textRule(std::string_view field, std::string_view value, std::size_t maxBytes)
{
    if (value.size() > maxBytes)
        return std::string(field) + " has " + std::to_string(value.size()) + " bytes, limit is " +
               std::to_string(maxBytes);
    if (!detail::isValidUtf8(asBytes(value)))
        return std::string(field) + " is not valid UTF-8";
    return {};
}

bool knownLight(std::uint8_t v) noexcept
{
    return v >= 1 && v <= 3;
}
bool knownEncoding(std::uint8_t v) noexcept
{
    return v >= 1 && v <= 2;
}
bool knownAckStatus(std::uint8_t v) noexcept
{
    return v >= 1 && v <= 3;
}
bool knownHealthLevel(std::uint8_t v) noexcept
{
    return v >= 1 && v <= 3;
}

// Semantic rules shared by encoder and decoder; each returns the first violation or "".

std::string violation(const Hello& m)
{
    if (m.protocolMajor == 0)
        return "protocol_major must be at least 1";
    for (auto r : {tokenRule("device_id", m.deviceId), tokenRule("firmware_version", m.firmwareVersion),
                   tokenRule("board", m.board)})
        if (!r.empty())
            return r;
    return {};
}

std::string violation(const Inspection& m)
{
    if (m.id.isNil())
        return "inspection_id must not be all zero";
    if (m.reportJson.empty())
        return "report_json must not be empty";
    if (!detail::isValidUtf8(asBytes(m.reportJson)))
        return "report_json is not valid UTF-8";
    if (m.images.size() > kMaxImages)
        return "has " + std::to_string(m.images.size()) + " images, limit is " + std::to_string(kMaxImages);
    for (std::size_t i = 0; i < m.images.size(); ++i) {
        const auto& img = m.images[i];
        const std::string field = "images[" + std::to_string(i) + "]";
        if (!knownLight(static_cast<std::uint8_t>(img.light)))
            return field + ".light is not a known light";
        if (!knownEncoding(static_cast<std::uint8_t>(img.encoding)))
            return field + ".encoding is not a known encoding";
        if (img.bytes.size() > 0xFFFFFFFFu)
            return field + ".bytes is larger than 4 GiB";
        const bool png = img.encoding == ImageEncoding::Png;
        const std::span<const std::uint8_t> sig = png ? std::span<const std::uint8_t>(kPngSignature)
                                                      : std::span<const std::uint8_t>(kJpegSignature);
        if (img.bytes.size() < sig.size() || !std::equal(sig.begin(), sig.end(), img.bytes.begin()))
            return field + ".bytes does not start with the " + std::string(png ? "PNG" : "JPEG") +
                   " signature";
        for (std::size_t k = 0; k < i; ++k)
            if (m.images[k].light == img.light)
                return field + ".light '" + std::string(lightName(img.light)) + "' repeats images[" +
                       std::to_string(k) + "]";
    }
    return {};
}

std::string violation(const Ack& m)
{
    if (!knownAckStatus(static_cast<std::uint8_t>(m.status)))
        return "status is not a known ACK status";
    if (m.status == AckStatus::Rejected && m.reason.empty())
        return "reason is required when status is rejected";
    if (m.status != AckStatus::Rejected && m.inspectionId.isNil())
        return "inspection_id must not be all zero unless status is rejected";
    return textRule("reason", m.reason, kMaxShortTextBytes);
}

std::string violation(const Heartbeat&)
{
    return {};
}

std::string violation(const Status& m)
{
    if (m.temperatureCentiC && static_cast<std::uint16_t>(*m.temperatureCentiC) == kNoTemperature)
        return "temperature_centi_c -32768 is reserved for 'no sensor'";
    if (m.health.size() > kMaxHealthItems)
        return "has " + std::to_string(m.health.size()) + " health items, limit is " +
               std::to_string(kMaxHealthItems);
    for (std::size_t i = 0; i < m.health.size(); ++i) {
        const std::string field = "health[" + std::to_string(i) + "]";
        if (auto r = tokenRule(field + ".name", m.health[i].name); !r.empty())
            return r;
        if (!knownHealthLevel(static_cast<std::uint8_t>(m.health[i].level)))
            return field + ".level is not a known level";
        if (auto r = textRule(field + ".detail", m.health[i].detail, kMaxShortTextBytes); !r.empty())
            return r;
    }
    return {};
}

// Writers. Called only after violation() returned "", so lengths fit their prefixes.

void write(Writer& w, const Hello& m)
{
    w.u8(m.protocolMajor);
    w.u8(m.protocolMinor);
    w.u32(m.capabilities);
    for (const std::string* s : {&m.deviceId, &m.firmwareVersion, &m.board}) {
        w.u8(static_cast<std::uint8_t>(s->size()));
        w.text(*s);
    }
}

void write(Writer& w, const Inspection& m)
{
    w.bytes(m.id.bytes);
    w.u64(m.captureTimeMs);
    w.u32(static_cast<std::uint32_t>(m.reportJson.size()));
    w.text(m.reportJson);
    w.u8(static_cast<std::uint8_t>(m.images.size()));
    for (const auto& img : m.images) {
        w.u8(static_cast<std::uint8_t>(img.light));
        w.u8(static_cast<std::uint8_t>(img.encoding));
        w.u32(static_cast<std::uint32_t>(img.bytes.size()));
        w.bytes(img.bytes);
    }
}

void write(Writer& w, const Ack& m)
{
    w.u32(m.ackedSequence);
    w.bytes(m.inspectionId.bytes);
    w.u8(static_cast<std::uint8_t>(m.status));
    w.u16(static_cast<std::uint16_t>(m.reason.size()));
    w.text(m.reason);
}

void write(Writer& w, const Heartbeat& m)
{
    w.u64(m.timeMs);
}

void write(Writer& w, const Status& m)
{
    w.u64(m.uptimeMs);
    w.u32(m.spoolCount);
    w.u64(m.spoolBytes);
    w.u64(m.spoolLimitBytes);
    w.u64(m.freeStorageBytes);
    w.u32(m.faults);
    w.u16(m.temperatureCentiC ? static_cast<std::uint16_t>(*m.temperatureCentiC) : kNoTemperature);
    w.u16(static_cast<std::uint16_t>(m.health.size()));
    for (const auto& h : m.health) {
        w.u8(static_cast<std::uint8_t>(h.name.size()));
        w.text(h.name);
        w.u8(static_cast<std::uint8_t>(h.level));
        w.u16(static_cast<std::uint16_t>(h.detail.size()));
        w.text(h.detail);
    }
}

std::size_t sizeHint(const Message& message)
{
    constexpr std::size_t kFixedPart = 256;
    if (const auto* i = std::get_if<Inspection>(&message)) {
        std::size_t n = kFixedPart + i->reportJson.size();
        for (const auto& img : i->images)
            n += 6 + img.bytes.size();
        return n;
    }
    if (const auto* s = std::get_if<Status>(&message))
        return kFixedPart + s->health.size() * 96;
    return kFixedPart;
}

// Appends the body of @p message to @p out after checking its rules.
Result<void> appendBody(const Message& message, std::vector<std::uint8_t>& out)
{
    const std::string bad = std::visit([](const auto& m) { return violation(m); }, message);
    if (!bad.empty())
        return fail(Errc::InvalidArgument,
                    "cannot encode " + std::string(messageTypeName(messageType(message))) + ": " + bad);
    Writer w(out);
    std::visit([&w](const auto& m) { write(w, m); }, message);
    return {};
}

// Decoding context: whether the body comes from a newer minor version than ours.
struct Ctx {
    Reader& r;
    bool newer;

    // Reads a u8 enum field; an unknown value fails the reader.
    std::uint8_t enumField(std::string_view field, bool (*known)(std::uint8_t) noexcept)
    {
        const std::size_t at = r.offset();
        const std::uint8_t value = r.u8(field);
        if (r.ok() && !known(value))
            unknownValue(field, at, value);
        return value;
    }

    // An enum value this build does not know: corruption in our own version, a newer peer's addition
    // otherwise (Unsupported, so the caller can skip the frame without dropping the connection).
    void unknownValue(std::string_view field, std::size_t at, std::uint8_t value)
    {
        r.failAt(newer ? Errc::Unsupported : Errc::InvalidInput, field, at,
                 "unknown value " + std::to_string(value) +
                     (newer ? " (from a newer protocol minor version)" : ""));
    }

    std::string token(std::string_view field)
    {
        const std::uint8_t n = r.u8(field);
        return r.text(n, field);
    }
};

InspectionId readId(Reader& r, std::string_view field)
{
    InspectionId id;
    const auto b = r.bytes(id.bytes.size(), field);
    if (!b.empty())
        std::copy(b.begin(), b.end(), id.bytes.begin());
    return id;
}

Hello readHello(Ctx& c)
{
    Hello m;
    m.protocolMajor = c.r.u8("protocol_major");
    m.protocolMinor = c.r.u8("protocol_minor");
    m.capabilities = c.r.u32("capabilities");
    m.deviceId = c.token("device_id");
    m.firmwareVersion = c.token("firmware_version");
    m.board = c.token("board");
    return m;
}

Inspection readInspection(Ctx& c)
{
    Inspection m;
    m.id = readId(c.r, "inspection_id");
    m.captureTimeMs = c.r.u64("capture_time_ms");
    const std::uint32_t jsonBytes = c.r.u32("report_json.length");
    m.reportJson = c.r.text(jsonBytes, "report_json");
    const std::uint8_t count = c.r.u8("image_count");
    if (!c.r.ok())
        return m;
    if (count > kMaxImages) {
        c.r.fail(Errc::InvalidInput, "image_count",
                 std::to_string(count) + " images, limit is " + std::to_string(kMaxImages));
        return m;
    }
    if (std::size_t{count} * kMinImageBytes > c.r.remaining()) {
        c.r.fail(Errc::InvalidInput, "image_count",
                 std::to_string(count) + " images cannot fit in the " + std::to_string(c.r.remaining()) +
                     " bytes left");
        return m;
    }
    m.images.reserve(count);
    for (std::size_t i = 0; i < count && c.r.ok(); ++i) {
        const std::string field = "images[" + std::to_string(i) + "]";
        const std::uint8_t light = c.enumField(field + ".light", knownLight);
        const std::uint8_t encoding = c.enumField(field + ".encoding", knownEncoding);
        const std::uint32_t n = c.r.u32(field + ".length");
        const auto bytes = c.r.bytes(n, field + ".bytes");
        if (!c.r.ok())
            break;
        m.images.push_back(EncodedImage{static_cast<Light>(light), static_cast<ImageEncoding>(encoding),
                                        std::vector<std::uint8_t>(bytes.begin(), bytes.end())});
    }
    return m;
}

Ack readAck(Ctx& c)
{
    Ack m;
    m.ackedSequence = c.r.u32("acked_sequence");
    m.inspectionId = readId(c.r, "inspection_id");
    const std::uint8_t status = c.enumField("status", knownAckStatus);
    const std::uint16_t n = c.r.u16("reason.length");
    m.reason = c.r.text(n, "reason");
    m.status = static_cast<AckStatus>(status);
    return m;
}

Heartbeat readHeartbeat(Ctx& c)
{
    Heartbeat m;
    m.timeMs = c.r.u64("time_ms");
    return m;
}

Status readStatus(Ctx& c)
{
    Status m;
    m.uptimeMs = c.r.u64("uptime_ms");
    m.spoolCount = c.r.u32("spool_count");
    m.spoolBytes = c.r.u64("spool_bytes");
    m.spoolLimitBytes = c.r.u64("spool_limit_bytes");
    m.freeStorageBytes = c.r.u64("free_storage_bytes");
    m.faults = c.r.u32("faults");
    const std::uint16_t t = c.r.u16("temperature_centi_c");
    if (t != kNoTemperature)
        m.temperatureCentiC = static_cast<std::int16_t>(t);
    const std::uint16_t count = c.r.u16("health_count");
    if (!c.r.ok())
        return m;
    if (count > kMaxHealthItems) {
        c.r.fail(Errc::InvalidInput, "health_count",
                 std::to_string(count) + " items, limit is " + std::to_string(kMaxHealthItems));
        return m;
    }
    if (std::size_t{count} * kMinHealthItemBytes > c.r.remaining()) {
        c.r.fail(Errc::InvalidInput, "health_count",
                 std::to_string(count) + " items cannot fit in the " + std::to_string(c.r.remaining()) +
                     " bytes left");
        return m;
    }
    m.health.reserve(count);
    for (std::size_t i = 0; i < count && c.r.ok(); ++i) {
        const std::string field = "health[" + std::to_string(i) + "]";
        HealthItem h;
        h.name = c.token(field + ".name");
        const std::uint8_t level = c.enumField(field + ".level", knownHealthLevel);
        const std::uint16_t n = c.r.u16(field + ".detail.length");
        h.detail = c.r.text(n, field + ".detail");
        if (!c.r.ok())
            break;
        h.level = static_cast<HealthLevel>(level);
        m.health.push_back(std::move(h));
    }
    return m;
}

std::string upper(std::string_view s)
{
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](char ch) { return (ch >= 'a' && ch <= 'z') ? static_cast<char>(ch - 'a' + 'A') : ch; });
    return out;
}

} // namespace

Result<InspectionId> InspectionId::fromHex(std::string_view hex)
{
    InspectionId id;
    if (hex.size() != 2 * id.bytes.size())
        return fail(Errc::InvalidInput,
                    "inspection id must be 32 hex digits, got " + std::to_string(hex.size()) + " characters");
    auto nibble = [](char ch) -> int {
        if (ch >= '0' && ch <= '9')
            return ch - '0';
        if (ch >= 'a' && ch <= 'f')
            return ch - 'a' + 10;
        if (ch >= 'A' && ch <= 'F')
            return ch - 'A' + 10;
        return -1;
    };
    for (std::size_t i = 0; i < hex.size(); ++i) {
        const int v = nibble(hex[i]);
        if (v < 0)
            return fail(Errc::InvalidInput,
                        "inspection id has a non-hex character at position " + std::to_string(i));
        id.bytes[i / 2] = static_cast<std::uint8_t>(id.bytes[i / 2] << 4 | v);
    }
    return id;
}

std::string InspectionId::toHex() const
{
    constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * bytes.size());
    for (const std::uint8_t b : bytes) {
        out.push_back(kDigits[b >> 4]);
        out.push_back(kDigits[b & 0xFu]);
    }
    return out;
}

bool InspectionId::isNil() const noexcept
{
    return std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b == 0; });
}

std::string_view lightName(Light light) noexcept
{
    switch (light) {
    case Light::White:
        return "white";
    case Light::Infrared:
        return "ir";
    case Light::Ultraviolet:
        return "uv";
    }
    return "unknown";
}

std::string_view imageEncodingName(ImageEncoding encoding) noexcept
{
    switch (encoding) {
    case ImageEncoding::Png:
        return "png";
    case ImageEncoding::Jpeg:
        return "jpeg";
    }
    return "unknown";
}

std::string_view ackStatusName(AckStatus status) noexcept
{
    switch (status) {
    case AckStatus::Stored:
        return "stored";
    case AckStatus::Duplicate:
        return "duplicate";
    case AckStatus::Rejected:
        return "rejected";
    }
    return "unknown";
}

std::string_view healthLevelName(HealthLevel level) noexcept
{
    switch (level) {
    case HealthLevel::Ok:
        return "ok";
    case HealthLevel::Warning:
        return "warning";
    case HealthLevel::Fault:
        return "fault";
    }
    return "unknown";
}

MessageType messageType(const Message& message) noexcept
{
    constexpr MessageType kTypes[] = {MessageType::Hello, MessageType::Inspection, MessageType::Ack,
                                      MessageType::Heartbeat, MessageType::Status};
    static_assert(std::size(kTypes) == std::variant_size_v<Message>);
    return kTypes[message.index()];
}

namespace {

// Runs @p fn, turning an exception (std::bad_alloc for a large INSPECTION on a small board) into an Error.
template <typename Fn>
auto guarded(std::string_view what, Fn&& fn) -> decltype(fn())
{
    try {
        return fn();
    } catch (const std::exception& e) {
        return fail(Errc::Internal, std::string(what) + ": " + e.what());
    }
}

Result<std::vector<std::uint8_t>> encodeBodyUnguarded(const Message& message)
{
    std::vector<std::uint8_t> out;
    out.reserve(sizeHint(message));
    if (auto ok = appendBody(message, out); !ok)
        return std::unexpected(std::move(ok.error()));
    return out;
}

Result<std::vector<std::uint8_t>> encodeMessageUnguarded(const Message& message, std::uint32_t sequence,
                                                         const EncodeOptions& options)
{
    std::vector<std::uint8_t> frame;
    frame.reserve(sizeHint(message) + kFrameOverheadBytes);
    frame.resize(kHeaderBytes);
    if (auto ok = appendBody(message, frame); !ok)
        return std::unexpected(std::move(ok.error()));
    if (auto sealed = detail::sealFrame(frame, static_cast<std::uint8_t>(messageType(message)), sequence,
                                        options.flags, options.maxPayloadBytes);
        !sealed)
        return std::unexpected(std::move(sealed.error()));
    return frame;
}

Result<Message> decodeBodyUnguarded(MessageType type, std::span<const std::uint8_t> body,
                                    std::uint8_t versionMinor)
{
    const bool newer = versionMinor > kVersionMinor;
    if (!isKnownMessageType(static_cast<std::uint8_t>(type)))
        return fail(newer ? Errc::Unsupported : Errc::InvalidInput,
                    "unknown message type " + detail::hex(static_cast<std::uint8_t>(type), 2) +
                        (newer ? " (from a newer protocol minor version)" : ""));
    const std::string name = upper(messageTypeName(type));
    Reader r(body, name);
    Ctx c{r, newer};
    Message m;
    switch (type) {
    case MessageType::Hello:
        m = readHello(c);
        break;
    case MessageType::Inspection:
        m = readInspection(c);
        break;
    case MessageType::Ack:
        m = readAck(c);
        break;
    case MessageType::Heartbeat:
        m = readHeartbeat(c);
        break;
    case MessageType::Status:
        m = readStatus(c);
        break;
    }
    if (!r.ok())
        return std::unexpected(*r.error());
    // Fields a newer minor appends are skipped; in our own version extra bytes mean a framing bug.
    if (r.remaining() != 0 && !newer)
        return fail(Errc::InvalidInput, name + " body: " + std::to_string(r.remaining()) +
                                            " unexpected trailing bytes after offset " +
                                            std::to_string(r.offset()));
    const std::string bad = std::visit([](const auto& v) { return violation(v); }, m);
    if (!bad.empty())
        return fail(Errc::InvalidInput, name + " body: " + bad);
    return m;
}

} // namespace

Result<std::vector<std::uint8_t>> encodeBody(const Message& message)
{
    return guarded("cannot encode a message body", [&] { return encodeBodyUnguarded(message); });
}

Result<std::vector<std::uint8_t>> encodeMessage(const Message& message, std::uint32_t sequence,
                                                const EncodeOptions& options)
{
    return guarded("cannot encode a message",
                   [&] { return encodeMessageUnguarded(message, sequence, options); });
}

Result<Message> decodeBody(MessageType type, std::span<const std::uint8_t> body, std::uint8_t versionMinor)
{
    return guarded("cannot decode a message body",
                   [&] { return decodeBodyUnguarded(type, body, versionMinor); });
}

Result<Message> decodeMessage(const Frame& frame)
{
    return decodeBody(frame.type, frame.payload, frame.versionMinor);
}

} // namespace gw::link
