// SPDX-License-Identifier: Apache-2.0
// Message-level I/O over a Connection.
#include <algorithm>

#include <gw/link/channel.h>

namespace gw::link {
namespace {

std::uint32_t clampLimit(std::uint32_t bytes)
{
    return std::clamp(bytes, kMinPayloadLimitBytes, kMaxPayloadLimitBytes);
}

Decoder makeDecoder(std::uint32_t maxPayloadBytes)
{
    auto decoder = Decoder::create({.maxPayloadBytes = clampLimit(maxPayloadBytes)});
    return decoder ? std::move(*decoder) : Decoder{};
}

} // namespace

MessageChannel::MessageChannel(Connection& connection, std::uint32_t maxPayloadBytes)
    : connection_(connection), decoder_(makeDecoder(maxPayloadBytes)),
      maxPayloadBytes_(clampLimit(maxPayloadBytes))
{
}

Result<std::uint32_t> MessageChannel::send(const Message& message, std::uint8_t flags,
                                           std::chrono::milliseconds timeout)
{
    const std::uint32_t sequence = nextSequence_;
    auto frame = encodeMessage(message, sequence, {.flags = flags, .maxPayloadBytes = maxPayloadBytes_});
    if (!frame)
        return std::unexpected(frame.error());
    if (auto sent = connection_.send(*frame, timeout); !sent)
        return std::unexpected(sent.error());
    ++nextSequence_;
    return sequence;
}

Result<std::optional<ReceivedMessage>> MessageChannel::receive(std::chrono::milliseconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    bool waited = false;
    for (;;) {
        if (auto frame = decoder_.nextFrame()) {
            ReceivedMessage received;
            received.sequence = frame->sequence;
            received.flags = frame->flags;
            received.type = frame->type;
            received.message = decodeMessage(*frame);
            return received;
        }
        if (decoder_.failed())
            return std::unexpected(*decoder_.error());
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        // A peer that streams a large frame slowly must not keep us past the deadline.
        if (left.count() <= 0 && waited)
            return std::optional<ReceivedMessage>{};
        waited = true;
        auto got = connection_.receive(buffer_, std::max(left, std::chrono::milliseconds(0)));
        if (!got)
            return std::unexpected(got.error());
        if (*got == 0)
            return std::optional<ReceivedMessage>{};
        // A feed error is sticky in the decoder; frames completed before the bad byte passed every check and
        // are delivered first by the next round, then failed() reports the error.
        (void)decoder_.feed(std::span<const std::uint8_t>(buffer_.data(), *got));
    }
}

} // namespace gw::link
