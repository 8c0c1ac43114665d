// SPDX-License-Identifier: Apache-2.0
// In-memory host link: the scanner end (a hal::HostLink) and a minimal host that stores and ACKs, both
// talking real frames through the gw::link codec.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <gw/hal/host_link.h>
#include <gw/link/frame.h>
#include <gw/link/messages.h>

namespace gw::emulator {

/// @brief What the in-memory host does with each INSPECTION.
enum class AckMode : std::uint8_t {
    Immediate, ///< store (or recognise a duplicate) and ACK at once
    Hold,      ///< store, but keep the ACK back until release or a disconnect (which loses it)
    Never,     ///< store, never ACK (a host that dies before answering)
};

/// @brief One INSPECTION frame as the host received it.
struct ReceivedInspection {
    link::Inspection inspection;
    std::uint32_t sequence = 0;
    bool resend = false;    ///< the frame carried link::kFlagResend
    bool duplicate = false; ///< the host had stored this inspection id before
};

/// @brief A host station reduced to what the scanner's protocol needs: it decodes every frame, stores
/// inspections deduplicated by id, and ACKs per its AckMode.
class LoopbackHost {
public:
    void setAckMode(AckMode mode) noexcept { mode_ = mode; }
    [[nodiscard]] AckMode ackMode() const noexcept { return mode_; }

    /// @brief Every INSPECTION frame received, in order (resends and duplicates included).
    [[nodiscard]] const std::vector<ReceivedInspection>& received() const noexcept { return received_; }
    /// @brief Inspection ids stored, each once, in the order first received.
    [[nodiscard]] const std::vector<link::InspectionId>& stored() const noexcept { return stored_; }
    /// @brief How often @p id arrived (any frame).
    [[nodiscard]] std::size_t timesReceived(const link::InspectionId& id) const;
    [[nodiscard]] const std::vector<link::Status>& statuses() const noexcept { return statuses_; }
    [[nodiscard]] const std::vector<link::Hello>& hellos() const noexcept { return hellos_; }
    [[nodiscard]] std::size_t heartbeats() const noexcept { return heartbeats_; }
    /// @brief Decoding errors (each one drops the connection).
    [[nodiscard]] const std::vector<std::string>& errors() const noexcept { return errors_; }

private:
    friend class LoopbackLink;
    void reset();
    /// Consumes scanner bytes; returns host frames to deliver back (ACKs), or an error.
    Result<std::vector<std::vector<std::uint8_t>>> consume(std::span<const std::uint8_t> bytes);
    std::vector<std::vector<std::uint8_t>> releaseHeld();

    AckMode mode_ = AckMode::Immediate;
    link::Decoder decoder_;
    std::uint32_t sequence_ = 0;
    std::vector<ReceivedInspection> received_;
    std::vector<link::InspectionId> stored_;
    std::set<link::InspectionId> storedSet_;
    std::vector<link::Ack> held_;
    std::vector<link::Status> statuses_;
    std::vector<link::Hello> hellos_;
    std::size_t heartbeats_ = 0;
    std::vector<std::string> errors_;
};

/// @brief The scanner end. Starts disconnected; connect() queues a Connected event and the host's HELLO.
class LoopbackLink final : public hal::HostLink {
public:
    LoopbackLink();

    void connect();
    void disconnect(std::string why);
    /// @brief Sends the ACKs the host held back (AckMode::Hold), then ACKs at once again.
    void releaseHeldAcks();

    [[nodiscard]] LoopbackHost& host() noexcept { return host_; }
    [[nodiscard]] const LoopbackHost& host() const noexcept { return host_; }

    [[nodiscard]] bool connected() const noexcept override { return connected_; }
    Result<std::uint32_t> send(const link::Message& message, std::uint8_t flags = 0) override;
    std::optional<hal::LinkEvent> poll() override;

private:
    void deliver(const std::vector<std::vector<std::uint8_t>>& frames);

    LoopbackHost host_;
    bool connected_ = false;
    std::uint32_t sequence_ = 0;
    link::Decoder decoder_;
    std::deque<hal::LinkEvent> events_;
};

} // namespace gw::emulator
