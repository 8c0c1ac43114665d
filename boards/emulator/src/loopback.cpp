// SPDX-License-Identifier: Apache-2.0
// In-memory host link. Both directions go through encodeMessage() and a streaming Decoder, so the
// emulator exercises the same codec as the TLS and USB transports.
#include <algorithm>

#include <gw/emulator/loopback.h>

namespace gw::emulator {

std::size_t LoopbackHost::timesReceived(const link::InspectionId& id) const
{
    return static_cast<std::size_t>(
        std::count_if(received_.begin(), received_.end(),
                      [&](const ReceivedInspection& r) { return r.inspection.id == id; }));
}

void LoopbackHost::reset()
{
    decoder_ = link::Decoder();
    held_.clear(); // ACKs not sent before a disconnect are lost, as on a real socket
}

Result<std::vector<std::vector<std::uint8_t>>> LoopbackHost::consume(std::span<const std::uint8_t> bytes)
{
    std::vector<std::vector<std::uint8_t>> replies;
    if (auto r = decoder_.feed(bytes); !r) {
        errors_.push_back(r.error().describe());
        return std::unexpected(r.error());
    }
    while (auto frame = decoder_.nextFrame()) {
        auto msg = link::decodeMessage(*frame);
        if (!msg) {
            errors_.push_back(msg.error().describe());
            return std::unexpected(msg.error());
        }
        if (const auto* insp = std::get_if<link::Inspection>(&*msg)) {
            const bool dup = storedSet_.contains(insp->id);
            received_.push_back(
                ReceivedInspection{*insp, frame->sequence, (frame->flags & link::kFlagResend) != 0, dup});
            if (!dup) {
                storedSet_.insert(insp->id);
                stored_.push_back(insp->id);
            }
            const link::Ack ack{
                frame->sequence, insp->id, dup ? link::AckStatus::Duplicate : link::AckStatus::Stored, {}};
            if (mode_ == AckMode::Hold) {
                held_.push_back(ack);
            } else if (mode_ == AckMode::Immediate) {
                auto bytesOut = link::encodeMessage(ack, ++sequence_);
                if (bytesOut)
                    replies.push_back(std::move(*bytesOut));
            }
        } else if (const auto* st = std::get_if<link::Status>(&*msg)) {
            statuses_.push_back(*st);
        } else if (const auto* hello = std::get_if<link::Hello>(&*msg)) {
            hellos_.push_back(*hello);
        } else if (std::holds_alternative<link::Heartbeat>(*msg)) {
            ++heartbeats_;
        }
    }
    return replies;
}

std::vector<std::vector<std::uint8_t>> LoopbackHost::releaseHeld()
{
    std::vector<std::vector<std::uint8_t>> out;
    for (const auto& ack : held_)
        if (auto b = link::encodeMessage(ack, ++sequence_))
            out.push_back(std::move(*b));
    held_.clear();
    return out;
}

LoopbackLink::LoopbackLink() = default;

void LoopbackLink::connect()
{
    if (connected_)
        return;
    connected_ = true;
    decoder_ = link::Decoder();
    host_.reset();
    events_.push_back(hal::LinkEvent{hal::LinkEvent::Kind::Connected, std::nullopt, 0, {}});
    link::Hello hello;
    hello.deviceId = "GW-LOOPBACK-HOST";
    hello.firmwareVersion = "0.1.0";
    hello.board = "host";
    if (auto b = link::encodeMessage(hello, ++host_.sequence_))
        deliver({std::move(*b)});
}

void LoopbackLink::disconnect(std::string why)
{
    if (!connected_)
        return;
    connected_ = false;
    // Frames not yet taken by the scanner die with the connection.
    events_.erase(
        std::remove_if(events_.begin(), events_.end(),
                       [](const hal::LinkEvent& e) { return e.kind == hal::LinkEvent::Kind::Received; }),
        events_.end());
    host_.reset();
    events_.push_back(hal::LinkEvent{hal::LinkEvent::Kind::Disconnected, std::nullopt, 0, std::move(why)});
}

void LoopbackLink::releaseHeldAcks()
{
    host_.mode_ = AckMode::Immediate;
    if (connected_)
        deliver(host_.releaseHeld());
}

void LoopbackLink::deliver(const std::vector<std::vector<std::uint8_t>>& frames)
{
    for (const auto& bytes : frames) {
        if (auto r = decoder_.feed(bytes); !r) {
            disconnect("undecodable frame from the host: " + r.error().describe());
            return;
        }
        while (auto frame = decoder_.nextFrame()) {
            auto msg = link::decodeMessage(*frame);
            if (!msg) {
                disconnect("undecodable message from the host: " + msg.error().describe());
                return;
            }
            events_.push_back(
                hal::LinkEvent{hal::LinkEvent::Kind::Received, std::move(*msg), frame->sequence, {}});
        }
    }
}

Result<std::uint32_t> LoopbackLink::send(const link::Message& message, std::uint8_t flags)
{
    if (!connected_)
        return fail(Errc::LinkLost, "in-memory host is not connected");
    const std::uint32_t seq = ++sequence_;
    auto bytes = link::encodeMessage(message, seq, link::EncodeOptions{flags, link::kDefaultMaxPayloadBytes});
    if (!bytes)
        return std::unexpected(bytes.error());
    auto replies = host_.consume(*bytes);
    if (!replies) {
        disconnect("host dropped the connection: " + replies.error().describe());
        return fail(Errc::LinkLost, "host dropped the connection");
    }
    deliver(*replies);
    return seq;
}

std::optional<hal::LinkEvent> LoopbackLink::poll()
{
    if (events_.empty())
        return std::nullopt;
    hal::LinkEvent e = std::move(events_.front());
    events_.pop_front();
    return e;
}

} // namespace gw::emulator
