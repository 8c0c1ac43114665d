// SPDX-License-Identifier: Apache-2.0
// Streaming frame decoder: validates as bytes arrive, sticky on the first error.
#include <algorithm>
#include <exception>
#include <string>

#include <gw/link/frame.h>

#include "wire.h"

namespace gw::link {
namespace {

// Offsets inside the header (docs/protocol.md, "Frame layout").
constexpr std::size_t kOffMajor = 4;
constexpr std::size_t kOffMinor = 5;
constexpr std::size_t kOffType = 6;
constexpr std::size_t kOffFlags = 7;
constexpr std::size_t kOffSequence = 8;
constexpr std::size_t kOffLength = 12;
constexpr std::size_t kOffHeaderCrc = 16;

// The first reservation for a payload; beyond it storage doubles as bytes arrive (capped at the announced
// length), so a peer that announces 64 MiB and sends 10 bytes costs 64 KiB, not 64 MiB.
constexpr std::size_t kFirstReserveBytes = 64 * 1024;

} // namespace

Result<Decoder> Decoder::create(const DecoderOptions& options)
{
    if (options.maxPayloadBytes < kMinPayloadLimitBytes || options.maxPayloadBytes > kMaxPayloadLimitBytes)
        return fail(Errc::InvalidArgument, "maxPayloadBytes " + std::to_string(options.maxPayloadBytes) +
                                               " is outside [" + std::to_string(kMinPayloadLimitBytes) +
                                               ", " + std::to_string(kMaxPayloadLimitBytes) + "]");
    Decoder d;
    d.maxPayloadBytes_ = options.maxPayloadBytes;
    return d;
}

void Decoder::failWith(Errc code, std::string message)
{
    if (!error_)
        error_.emplace(code, "frame at stream offset " + std::to_string(frameStart_) + ": " + message);
}

Result<void> Decoder::feed(std::span<const std::uint8_t> bytes)
{
    // Payload storage is bounded by the limit, but on the scanner even that can exceed free memory;
    // std::bad_alloc must not unwind through the firmware's connection loop.
    try {
        feedBytes(bytes);
    } catch (const std::exception& e) {
        failWith(Errc::Internal,
                 "cannot buffer a " + std::to_string(payloadLength_) + "-byte payload: " + e.what());
    }
    if (error_)
        return std::unexpected(*error_);
    return {};
}

void Decoder::feedBytes(std::span<const std::uint8_t> bytes)
{
    while (!error_ && !bytes.empty()) {
        std::size_t used = 0;
        switch (state_) {
        case State::Header:
            used = consumeHeader(bytes);
            break;
        case State::Payload:
            used = consumePayload(bytes);
            break;
        case State::Trailer:
            used = consumeTrailer(bytes);
            break;
        }
        consumed_ += used;
        bytes = bytes.subspan(used);
    }
}

std::size_t Decoder::consumeHeader(std::span<const std::uint8_t> bytes)
{
    if (headerFill_ == 0)
        frameStart_ = consumed_;
    std::size_t used = 0;
    while (used < bytes.size() && headerFill_ < kHeaderBytes) {
        const std::uint8_t b = bytes[used++];
        const std::size_t at = headerFill_;
        header_[headerFill_++] = b;
        // Magic and major version are checked the moment they arrive: garbage or a peer of another
        // generation is refused after at most 5 bytes instead of after a whole header.
        if (at < kMagic.size() && b != kMagic[at]) {
            failWith(Errc::InvalidInput, "bad magic: byte " + std::to_string(at) + " is " +
                                             detail::hex(b, 2) + ", expected " + detail::hex(kMagic[at], 2) +
                                             " (frames start with \"GWLK\")");
            return used;
        }
        if (at == kOffMajor && b != kVersionMajor) {
            failWith(Errc::Unsupported, "unsupported protocol version " + std::to_string(b) +
                                            ".x (this build speaks " + std::to_string(kVersionMajor) + "." +
                                            std::to_string(kVersionMinor) + ")");
            return used;
        }
    }
    if (headerFill_ == kHeaderBytes)
        parseHeader();
    return used;
}

void Decoder::parseHeader()
{
    // The header CRC is checked before any field is believed: a flipped bit in the length would otherwise
    // make us wait for megabytes that never come instead of failing at once.
    const std::uint32_t headerCrcSent = detail::loadU32(header_.data() + kOffHeaderCrc);
    const std::uint32_t headerCrcComputed =
        crc32(std::span<const std::uint8_t>(header_.data(), kOffHeaderCrc));
    if (headerCrcSent != headerCrcComputed) {
        failWith(Errc::InvalidInput, "header CRC-32 mismatch: frame says " + detail::hex(headerCrcSent, 8) +
                                         ", computed " + detail::hex(headerCrcComputed, 8));
        return;
    }
    const std::uint8_t minor = header_[kOffMinor];
    const std::uint8_t type = header_[kOffType];
    const std::uint8_t flags = header_[kOffFlags];
    const std::uint32_t length = detail::loadU32(header_.data() + kOffLength);
    // A newer minor may add message types and flag bits that an older peer can skip; for our own minor
    // and older ones they can only be corruption or a bug.
    const bool newerMinor = minor > kVersionMinor;
    if (type == 0 || (!isKnownMessageType(type) && !newerMinor)) {
        failWith(Errc::InvalidInput, "unknown message type " + detail::hex(type, 2) + " in a version " +
                                         std::to_string(header_[kOffMajor]) + "." + std::to_string(minor) +
                                         " frame");
        return;
    }
    if ((flags & ~kKnownFlags) != 0 && !newerMinor) {
        failWith(Errc::InvalidInput, "unknown flag bits " + detail::hex(flags & ~kKnownFlags, 2) + " set");
        return;
    }
    if (length > maxPayloadBytes_) {
        failWith(Errc::InvalidInput, "oversized payload: header announces " + std::to_string(length) +
                                         " bytes, limit is " + std::to_string(maxPayloadBytes_));
        return;
    }
    current_ = Frame{};
    current_.versionMajor = header_[kOffMajor];
    current_.versionMinor = minor;
    current_.type = static_cast<MessageType>(type);
    current_.flags = flags;
    current_.sequence = detail::loadU32(header_.data() + kOffSequence);
    payloadLength_ = length;
    crc_ = Crc32{};
    crc_.update(header_);
    state_ = length == 0 ? State::Trailer : State::Payload;
}

std::size_t Decoder::consumePayload(std::span<const std::uint8_t> bytes)
{
    auto& p = current_.payload;
    const std::size_t want = payloadLength_ - p.size();
    const std::size_t take = std::min(want, bytes.size());
    const std::size_t need = p.size() + take;
    if (need > p.capacity()) {
        const std::size_t grown =
            std::max({need, 2 * p.capacity(), std::min<std::size_t>(kFirstReserveBytes, payloadLength_)});
        p.reserve(std::min<std::size_t>(grown, payloadLength_));
    }
    const auto chunk = bytes.first(take);
    p.insert(p.end(), chunk.begin(), chunk.end());
    crc_.update(chunk);
    if (p.size() == payloadLength_)
        state_ = State::Trailer;
    return take;
}

std::size_t Decoder::consumeTrailer(std::span<const std::uint8_t> bytes)
{
    std::size_t used = 0;
    while (used < bytes.size() && trailerFill_ < kTrailerBytes)
        trailer_[trailerFill_++] = bytes[used++];
    if (trailerFill_ == kTrailerBytes) {
        const std::uint32_t sent = detail::loadU32(trailer_.data());
        const std::uint32_t computed = crc_.value();
        if (sent != computed) {
            failWith(Errc::InvalidInput, "CRC-32 mismatch over header and " + std::to_string(payloadLength_) +
                                             "-byte payload: frame says " + detail::hex(sent, 8) +
                                             ", computed " + detail::hex(computed, 8));
            return used;
        }
        completeFrame();
    }
    return used;
}

void Decoder::completeFrame()
{
    ready_.push_back(std::move(current_));
    current_ = Frame{};
    state_ = State::Header;
    headerFill_ = 0;
    trailerFill_ = 0;
    payloadLength_ = 0;
}

std::optional<Frame> Decoder::nextFrame()
{
    if (ready_.empty())
        return std::nullopt;
    Frame f = std::move(ready_.front());
    ready_.pop_front();
    return f;
}

Result<void> Decoder::finish()
{
    if (error_)
        return std::unexpected(*error_);
    if (atFrameBoundary())
        return {};
    std::string where;
    switch (state_) {
    case State::Header:
        where = std::to_string(headerFill_) + " of " + std::to_string(kHeaderBytes) + " header bytes";
        break;
    case State::Payload:
        where = "header and " + std::to_string(current_.payload.size()) + " of " +
                std::to_string(payloadLength_) + " payload bytes";
        break;
    case State::Trailer:
        where = "header, payload and " + std::to_string(trailerFill_) + " of " +
                std::to_string(kTrailerBytes) + " trailer CRC bytes";
        break;
    }
    failWith(Errc::InvalidInput, "truncated: stream ended after " + where);
    return std::unexpected(*error_);
}

} // namespace gw::link
