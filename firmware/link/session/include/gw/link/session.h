// SPDX-License-Identifier: Apache-2.0
// Reliable inspection delivery over any Connection: the scanner's SessionClient, the host's SessionServer.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gw/common/result.h>
#include <gw/link/connection.h>
#include <gw/link/messages.h>

namespace gw::link {

/// @brief The inspections a scanner still has to deliver; the spool implements it. Called only from the
/// SessionClient's thread; an implementation shared with a producer thread synchronises itself.
class InspectionSource {
public:
    virtual ~InspectionSource() = default;
    /// @brief Ids of every inspection not yet acknowledged, oldest first.
    virtual Result<std::vector<InspectionId>> pending() = 0;
    /// @brief The inspection @p id. An error skips it for this round (it is tried again later).
    virtual Result<Inspection> load(const InspectionId& id) = 0;
    /// @brief The host answered @p id: Stored and Duplicate mean it is durably on the host (drop it);
    /// Rejected means never resend it unchanged (set it aside). An error keeps it pending (resent later).
    virtual Result<void> acknowledge(const InspectionId& id, AckStatus status) = 0;
};

/// @brief Settings of a SessionClient. Times must be > 0.
struct ClientOptions {
    Hello hello;                                         ///< our identity; deviceId = the certificate's CN
    std::chrono::milliseconds dialTimeout{5000};         ///< connect + handshake
    std::chrono::milliseconds helloTimeout{5000};        ///< for the host's HELLO
    std::chrono::milliseconds sendTimeout{10000};        ///< per frame
    std::chrono::milliseconds heartbeatInterval{5000};   ///< HEARTBEAT after this long without sending
    std::chrono::milliseconds peerSilenceTimeout{15000}; ///< drop the connection after this long without
                                                         ///< a byte from the host (it heartbeats)
    std::chrono::milliseconds backoffInitial{100};       ///< first reconnect delay, doubled per failure
    std::chrono::milliseconds backoffMax{5000};          ///< reconnect delay ceiling (+ up to 25 % jitter)
    std::chrono::milliseconds pollInterval{20};          ///< how often pending() is re-read when idle
    std::size_t window = 8;                              ///< INSPECTIONs in flight without ACK, 1..1024
    std::uint32_t maxPayloadBytes = kDefaultMaxPayloadBytes; ///< [bytes] frame payload limit
    std::uint64_t jitterSeed = 0; ///< seeds the back-off jitter (0: from the clock)
};

/// @brief Counters of a SessionClient since creation.
struct ClientStats {
    std::uint64_t dials = 0;      ///< connection attempts
    std::uint64_t sessions = 0;   ///< connections that got through HELLO
    std::uint64_t sent = 0;       ///< INSPECTION frames sent, resends included
    std::uint64_t resent = 0;     ///< of which with the RESEND flag
    std::uint64_t stored = 0;     ///< ACKs: stored
    std::uint64_t duplicates = 0; ///< ACKs: duplicate
    std::uint64_t rejected = 0;   ///< ACKs: rejected
    std::uint64_t heartbeats = 0; ///< HEARTBEATs sent
    std::string lastError;        ///< why the last connection ended or failed
};

/// @brief The scanner side. On its own thread: dial, HELLO both ways, send every pending inspection (at
/// most `window` without ACK), hand each ACK to the source, HEARTBEAT when idle; on any error close,
/// back off (exponential, jittered) and reconnect, then resend everything not acknowledged with the
/// RESEND flag. Inspections already pending when the client starts are sent with RESEND too: a previous
/// run may have sent them (the host deduplicates by id either way).
class SessionClient {
public:
    /// @return the client (not started); Errc::InvalidArgument for a bad option or HELLO
    [[nodiscard]] static Result<std::unique_ptr<SessionClient>>
    create(std::unique_ptr<Dialer> dialer, InspectionSource& source, const ClientOptions& options);
    ~SessionClient();
    SessionClient(const SessionClient&) = delete;
    SessionClient& operator=(const SessionClient&) = delete;

    /// @brief Starts the client thread (no-op when running).
    void start();
    /// @brief Stops and joins the thread. Bounded by the longest single wait: dialTimeout or sendTimeout.
    void stop();
    /// @brief Wakes the client to read pending() now (e.g. after the spool got a new inspection).
    void notify();

    [[nodiscard]] bool connected() const noexcept { return connected_.load(); }
    [[nodiscard]] ClientStats stats() const;

private:
    SessionClient(std::unique_ptr<Dialer> dialer, InspectionSource& source, const ClientOptions& options);
    void run();
    Result<void> runConnection(Connection& connection);
    void sleepFor(std::chrono::milliseconds delay);
    void noteError(const Error& error);

    std::unique_ptr<Dialer> dialer_;
    InspectionSource& source_;
    ClientOptions options_;
    std::atomic<bool> stop_{false};
    std::atomic<bool> wake_{false};
    std::atomic<bool> connected_{false};
    mutable std::mutex mutex_; // guards stats_, sleep wake-ups
    std::condition_variable wakeUp_;
    ClientStats stats_;
    std::set<InspectionId> mayHaveBeenSent_; // client thread only: resend candidates
    bool firstPendingRead_ = true;           // client thread only
    std::thread thread_;
};

/// @brief Where an inspection came from, for the sink.
struct InspectionOrigin {
    std::string deviceId; ///< the HELLO device id (equal to the certificate CN on TLS)
    PeerIdentity peer;
    std::uint32_t sequence = 0;
    bool resend = false;
};

/// @brief What the sink did with an inspection.
struct StoreOutcome {
    AckStatus status = AckStatus::Stored;
    std::string reason; ///< required for Rejected, <= 1024 bytes
};

/// @brief Where the server puts inspections (the host's store). Must have committed durably before it
/// returns Stored, and deduplicate by inspection id (Duplicate). Called concurrently from every connection
/// thread: thread-safe. An error means "not stored": no ACK is sent, the connection is dropped and the
/// scanner resends later.
class InspectionSink {
public:
    virtual ~InspectionSink() = default;
    virtual Result<StoreOutcome> store(const InspectionOrigin& origin, const Inspection& inspection) = 0;
};

/// @brief Settings of a SessionServer. Times must be > 0.
struct ServerOptions {
    Hello hello;                                       ///< the host's identity (deviceId e.g. "gw-host")
    std::chrono::milliseconds handshakeTimeout{5000};  ///< TLS handshake of an accepted connection
    std::chrono::milliseconds helloTimeout{5000};      ///< for the scanner's HELLO after the handshake
    std::chrono::milliseconds idleTimeout{20000};      ///< drop a scanner silent for this long
    std::chrono::milliseconds heartbeatInterval{5000}; ///< HEARTBEAT after this long without sending
    std::chrono::milliseconds sendTimeout{10000};      ///< per frame
    std::size_t maxConnections = 32;                   ///< more are closed at once, 1..1024
    std::uint32_t maxPayloadBytes = kDefaultMaxPayloadBytes; ///< [bytes] frame payload limit
    /// Refuse peers whose transport vouches for no device id (USB, memory). TLS always vouches (CN).
    bool requireCertifiedDeviceId = false;
};

/// @brief Notifications from the server's threads (may be empty). Called concurrently: thread-safe.
struct ServerEvents {
    std::function<void(const PeerIdentity&, const Hello&)> connected;
    std::function<void(const PeerIdentity&, const std::string& deviceId, const std::string& reason)>
        disconnected;
    std::function<void(const std::string& deviceId, const Status&)> status;
};

/// @brief Counters of a SessionServer since creation.
struct ServerStats {
    std::uint64_t accepted = 0;       ///< transport connections accepted
    std::uint64_t refused = 0;        ///< handshake failed, HELLO missing/late/wrong id, over the limit
    std::uint64_t sessions = 0;       ///< connections that got through HELLO
    std::uint64_t inspections = 0;    ///< INSPECTION frames received
    std::uint64_t acks = 0;           ///< ACKs sent
    std::uint64_t corruptStreams = 0; ///< connections dropped for a corrupt byte stream
    std::size_t active = 0;           ///< connection threads running now
};

/// @brief The host side: accepts connections on its own thread, one thread per connection: handshake,
/// expect HELLO first (device id must equal the certificate CN when the transport vouches for one),
/// answer HELLO, then hand every INSPECTION to the sink and ACK it only after the sink returned (the sink
/// commits first); STATUS goes to the events; HEARTBEAT when idle; silent peers are dropped.
class SessionServer {
public:
    /// @return the server (not started); Errc::InvalidArgument for a bad option or HELLO
    [[nodiscard]] static Result<std::unique_ptr<SessionServer>> create(std::unique_ptr<Listener> listener,
                                                                       InspectionSink& sink,
                                                                       const ServerOptions& options,
                                                                       ServerEvents events = {});
    ~SessionServer();
    SessionServer(const SessionServer&) = delete;
    SessionServer& operator=(const SessionServer&) = delete;

    /// @brief Starts accepting (no-op when running).
    void start();
    /// @brief Stops accepting and closes the listener, closes every connection, joins every thread. Bounded
    /// by sendTimeout and the sink's slowest store(). Final: a stopped server does not start again.
    void stop();
    [[nodiscard]] ServerStats stats() const;

private:
    SessionServer(std::unique_ptr<Listener> listener, InspectionSink& sink, const ServerOptions& options,
                  ServerEvents events);
    void acceptLoop();
    void serve(Connection& connection);
    void reap(bool all);

    struct Worker {
        std::thread thread;
        std::shared_ptr<std::atomic<bool>> done;
    };

    std::unique_ptr<Listener> listener_;
    InspectionSink& sink_;
    ServerOptions options_;
    ServerEvents events_;
    std::atomic<bool> stop_{false};        ///< ends the accept loop
    std::atomic<bool> stopWorkers_{false}; ///< ends the connections, once the listener is closed
    mutable std::mutex mutex_;             // guards stats_ and workers_
    ServerStats stats_;
    std::vector<Worker> workers_;
    std::thread acceptThread_;
};

/// @brief An in-memory sink that deduplicates by inspection id, for tests and the emulator. Thread-safe.
class MemorySink final : public InspectionSink {
public:
    Result<StoreOutcome> store(const InspectionOrigin& origin, const Inspection& inspection) override;

    /// @brief Inspections stored, in arrival order (each id once).
    [[nodiscard]] std::vector<Inspection> stored() const;
    /// @brief Distinct ids stored.
    [[nodiscard]] std::size_t storedCount() const;
    /// @brief How many times store() saw @p id (1 + duplicates).
    [[nodiscard]] std::size_t deliveries(const InspectionId& id) const;
    /// @brief Total store() calls that were duplicates.
    [[nodiscard]] std::size_t duplicateCount() const;
    /// @brief Makes the next @p count store() calls fail with Errc::Io (a failing database).
    void failNext(std::size_t count);

private:
    mutable std::mutex mutex_;
    std::vector<Inspection> stored_;
    std::map<InspectionId, std::size_t> deliveries_;
    std::size_t duplicates_ = 0;
    std::size_t failNext_ = 0;
};

/// @brief An in-memory InspectionSource (a stand-in for the spool in tests and the emulator). Thread-safe:
/// a producer may add() while a client drains it.
class MemoryQueue final : public InspectionSource {
public:
    /// @brief Appends @p inspection (ignored when its id is already queued).
    void add(Inspection inspection);
    Result<std::vector<InspectionId>> pending() override;
    Result<Inspection> load(const InspectionId& id) override;
    Result<void> acknowledge(const InspectionId& id, AckStatus status) override;

    [[nodiscard]] std::size_t size() const;
    /// @brief Ids acknowledged as Rejected.
    [[nodiscard]] std::vector<InspectionId> rejected() const;

private:
    mutable std::mutex mutex_;
    std::vector<Inspection> queue_;
    std::vector<InspectionId> rejected_;
};

} // namespace gw::link
