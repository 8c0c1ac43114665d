// SPDX-License-Identifier: Apache-2.0
// Frame encoding: header with its own CRC, payload, trailer CRC over both.
#include <algorithm>
#include <exception>
#include <string>

#include <gw/link/frame.h>

#include "wire.h"

namespace gw::link {

std::string_view messageTypeName(MessageType type) noexcept
{
    switch (type) {
    case MessageType::Hello:
        return "hello";
    case MessageType::Inspection:
        return "inspection";
    case MessageType::Ack:
        return "ack";
    case MessageType::Heartbeat:
        return "heartbeat";
    case MessageType::Status:
        return "status";
    }
    return "unknown";
}

bool isKnownMessageType(std::uint8_t type) noexcept
{
    return type >= static_cast<std::uint8_t>(MessageType::Hello) &&
           type <= static_cast<std::uint8_t>(MessageType::Status);
}

namespace detail {

Result<void> sealFrame(std::vector<std::uint8_t>& frame, std::uint8_t type, std::uint32_t sequence,
                       std::uint8_t flags, std::uint32_t maxPayloadBytes)
{
    if (frame.size() < kHeaderBytes)
        return fail(Errc::Internal, "frame buffer lacks room for the header");
    if (!isKnownMessageType(type))
        return fail(Errc::InvalidArgument, "cannot encode unknown message type " + std::to_string(type));
    if ((flags & ~kKnownFlags) != 0)
        return fail(Errc::InvalidArgument, "cannot encode unknown flag bits " + hex(flags & ~kKnownFlags, 2));
    const std::size_t payloadBytes = frame.size() - kHeaderBytes;
    const std::uint32_t limit = std::min(maxPayloadBytes, kMaxPayloadLimitBytes);
    if (payloadBytes > limit)
        return fail(Errc::InvalidArgument, "payload of " + std::to_string(payloadBytes) +
                                               " bytes exceeds the limit of " + std::to_string(limit) +
                                               " bytes");
    std::uint8_t* h = frame.data();
    std::copy(kMagic.begin(), kMagic.end(), h);
    h[4] = kVersionMajor;
    h[5] = kVersionMinor;
    h[6] = type;
    h[7] = flags;
    storeU32(h + 8, sequence);
    storeU32(h + 12, static_cast<std::uint32_t>(payloadBytes));
    storeU32(h + 16, crc32(std::span<const std::uint8_t>(h, 16)));
    const std::uint32_t frameCrc = crc32(frame);
    frame.resize(frame.size() + kTrailerBytes);
    storeU32(frame.data() + frame.size() - kTrailerBytes, frameCrc);
    return {};
}

} // namespace detail

Result<std::vector<std::uint8_t>> encodeFrame(MessageType type, std::uint32_t sequence,
                                              std::span<const std::uint8_t> payload, std::uint8_t flags,
                                              std::uint32_t maxPayloadBytes)
{
    if (payload.size() > std::min(maxPayloadBytes, kMaxPayloadLimitBytes))
        return fail(Errc::InvalidArgument,
                    "payload of " + std::to_string(payload.size()) + " bytes exceeds the limit of " +
                        std::to_string(std::min(maxPayloadBytes, kMaxPayloadLimitBytes)) + " bytes");
    std::vector<std::uint8_t> frame;
    try {
        frame.reserve(payload.size() + kFrameOverheadBytes);
        frame.resize(kHeaderBytes);
        frame.insert(frame.end(), payload.begin(), payload.end());
    } catch (const std::exception& e) {
        return fail(Errc::Internal,
                    "cannot allocate a " + std::to_string(payload.size()) + "-byte frame: " + e.what());
    }
    if (auto sealed =
            detail::sealFrame(frame, static_cast<std::uint8_t>(type), sequence, flags, maxPayloadBytes);
        !sealed)
        return std::unexpected(std::move(sealed.error()));
    return frame;
}

} // namespace gw::link
