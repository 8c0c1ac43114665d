// SPDX-License-Identifier: Apache-2.0
// Transport-agnostic byte-stream connection (TLS, USB bulk, in-memory) with bounded waits.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include <gw/common/result.h>

namespace gw::link {

/// @brief Who is on the other end of a connection.
struct PeerIdentity {
    std::string transport; ///< "tls", "usb" or "memory"
    std::string address;   ///< e.g. "127.0.0.1:50412", "usb:1-2.3", "memory:3"
    /// Device id vouched for by the transport: the CN of a verified TLS client certificate. Empty when the
    /// transport does not authenticate the peer (USB: physical attachment is the trust; memory: tests).
    std::string certifiedDeviceId;
};

/// @brief One reliable, ordered byte stream. Not thread-safe: one thread uses a connection at a time.
/// Every call is bounded by its timeout, so a dead or hostile peer can never hold a thread forever.
class Connection {
public:
    virtual ~Connection() = default;

    /// @brief Completes the transport's opening handshake (TLS on an accepted socket); a no-op for
    /// transports without one. Servers call it on the connection's own thread so a silent peer cannot
    /// stall the accept loop.
    /// @param timeout the whole handshake must finish within it
    /// @return nothing; Errc::Timeout; Errc::LinkLost for a refused or failed handshake (message says why)
    virtual Result<void> handshake(std::chrono::milliseconds timeout) = 0;

    /// @brief Sends all of @p bytes.
    /// @param timeout for the whole buffer. A timeout leaves the stream in an unknown state: close it.
    /// @return nothing; Errc::Timeout; Errc::LinkLost when the connection broke or was closed
    virtual Result<void> send(std::span<const std::uint8_t> bytes, std::chrono::milliseconds timeout) = 0;

    /// @brief Waits up to @p timeout for bytes and copies what arrived (at most @p buffer.size()).
    /// @return the byte count, 0 when nothing arrived in time; Errc::LinkLost at end of stream, on a
    ///         transport error (message says which) or after close()
    virtual Result<std::size_t> receive(std::span<std::uint8_t> buffer,
                                        std::chrono::milliseconds timeout) = 0;

    /// @brief Closes the connection (best-effort orderly shutdown, bounded). Idempotent.
    virtual void close() noexcept = 0;

    /// @brief The peer; certifiedDeviceId is only meaningful after handshake() succeeded.
    [[nodiscard]] virtual const PeerIdentity& peer() const noexcept = 0;
};

/// @brief Server side: yields incoming connections (TCP accept, USB hot-plug arrival, ...).
class Listener {
public:
    virtual ~Listener() = default;

    /// @brief Waits up to @p timeout for the next incoming connection. Its handshake() is still to be done.
    /// @return the connection, nullptr when none arrived in time; Errc::Io when the listener broke
    virtual Result<std::unique_ptr<Connection>> accept(std::chrono::milliseconds timeout) = 0;

    /// @brief Where it listens, for logs (e.g. "tls://127.0.0.1:4443").
    [[nodiscard]] virtual std::string describe() const = 0;
};

/// @brief Client side: opens a connection to the configured peer, handshake included.
class Dialer {
public:
    virtual ~Dialer() = default;

    /// @brief Connects and completes the handshake within @p timeout.
    /// @return the connection; Errc::Timeout; Errc::LinkLost when the peer is unreachable or refused us
    virtual Result<std::unique_ptr<Connection>> dial(std::chrono::milliseconds timeout) = 0;

    /// @brief What it dials, for logs (e.g. "tls://127.0.0.1:4443").
    [[nodiscard]] virtual std::string describe() const = 0;
};

/// @brief An in-process exchange of connected pairs, for tests and the emulator: dialer() connects to
/// listener(). Each connection buffers at most @p bufferBytes per direction (a full buffer makes send()
/// wait, like a socket). Thread-safe; the listener and dialers may outlive or predecease each other.
class MemoryExchange {
public:
    /// @param bufferBytes [bytes] per-direction buffer, >= 1 (default 1 MiB)
    explicit MemoryExchange(std::size_t bufferBytes = 1u << 20);
    ~MemoryExchange();
    MemoryExchange(const MemoryExchange&) = delete;
    MemoryExchange& operator=(const MemoryExchange&) = delete;

    /// @brief A listener receiving every connection dialled from now on (one listener at a time; a new one
    /// replaces the old, whose accept() then fails).
    [[nodiscard]] std::unique_ptr<Listener> listener();
    /// @brief A dialer; dial() fails with Errc::LinkLost while no listener exists.
    [[nodiscard]] std::unique_ptr<Dialer> dialer();

    struct State;

private:
    std::shared_ptr<State> state_;
};

/// @brief Two connected in-memory connections (a socketpair without file descriptors).
/// @param bufferBytes [bytes] per-direction buffer, >= 1
[[nodiscard]] std::pair<std::unique_ptr<Connection>, std::unique_ptr<Connection>>
makeMemoryPair(std::size_t bufferBytes = 1u << 20);

} // namespace gw::link
