// SPDX-License-Identifier: Apache-2.0
// Host side of the session: accept scanners, store each inspection through the sink, then ACK it.
#include <algorithm>
#include <exception>

#include <gw/link/channel.h>
#include <gw/link/session.h>

namespace gw::link {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kAcceptSlice{25};  ///< accept() wait per round: bounds stop() latency
constexpr milliseconds kReceiveSlice{50}; ///< receive() wait per round: bounds stop() latency

std::uint64_t wallClockMs()
{
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
}

} // namespace

SessionServer::SessionServer(std::unique_ptr<Listener> listener, InspectionSink& sink,
                             const ServerOptions& options, ServerEvents events)
    : listener_(std::move(listener)), sink_(sink), options_(options), events_(std::move(events))
{
}

SessionServer::~SessionServer()
{
    stop();
}

Result<std::unique_ptr<SessionServer>> SessionServer::create(std::unique_ptr<Listener> listener,
                                                             InspectionSink& sink,
                                                             const ServerOptions& options,
                                                             ServerEvents events)
{
    if (!listener)
        return fail(Errc::InvalidArgument, "session server needs a listener");
    for (const milliseconds t : {options.handshakeTimeout, options.helloTimeout, options.idleTimeout,
                                 options.heartbeatInterval, options.sendTimeout})
        if (t.count() <= 0)
            return fail(Errc::InvalidArgument, "session server: every time option must be > 0 ms");
    if (options.maxConnections < 1 || options.maxConnections > 1024)
        return fail(Errc::InvalidArgument, "session server: maxConnections must be 1..1024");
    if (auto body = encodeBody(options.hello); !body)
        return fail(Errc::InvalidArgument, "session server HELLO: " + body.error().message());
    return std::unique_ptr<SessionServer>(
        new SessionServer(std::move(listener), sink, options, std::move(events)));
}

void SessionServer::start()
{
    if (acceptThread_.joinable() || !listener_)
        return;
    stop_ = false;
    stopWorkers_ = false;
    acceptThread_ = std::thread([this] { acceptLoop(); });
}

void SessionServer::stop()
{
    stop_ = true;
    if (acceptThread_.joinable())
        acceptThread_.join();
    // Close the listening side first: scanners dialling now are refused at once instead of waiting in a
    // backlog that is about to vanish.
    listener_.reset();
    stopWorkers_ = true;
    reap(true);
}

ServerStats SessionServer::stats() const
{
    const std::lock_guard lock(mutex_);
    return stats_;
}

void SessionServer::reap(bool all)
{
    std::vector<Worker> finished;
    {
        const std::lock_guard lock(mutex_);
        auto split = std::partition(workers_.begin(), workers_.end(),
                                    [&](const Worker& w) { return !all && !w.done->load(); });
        finished.assign(std::make_move_iterator(split), std::make_move_iterator(workers_.end()));
        workers_.erase(split, workers_.end());
    }
    for (auto& w : finished)
        w.thread.join();
}

void SessionServer::acceptLoop()
{
    while (!stop_) {
        reap(false);
        auto accepted = listener_->accept(kAcceptSlice);
        if (!accepted) {
            // A broken listener (e.g. out of descriptors) is retried after a pause, not spun on.
            std::this_thread::sleep_for(kAcceptSlice);
            continue;
        }
        if (!*accepted)
            continue;
        std::shared_ptr<Connection> connection(std::move(*accepted));
        const std::lock_guard lock(mutex_);
        ++stats_.accepted;
        if (workers_.size() >= options_.maxConnections) {
            ++stats_.refused;
            connection->close();
            continue;
        }
        auto done = std::make_shared<std::atomic<bool>>(false);
        ++stats_.active;
        workers_.push_back({std::thread([this, connection, done] {
                                try {
                                    serve(*connection);
                                } catch (const std::exception& e) {
                                    // A throwing sink or memory exhaustion ends this connection only; the
                                    // scanner resends what was not ACKed.
                                    if (events_.disconnected)
                                        events_.disconnected(connection->peer(), {},
                                                             std::string("internal error: ") + e.what());
                                }
                                connection->close();
                                {
                                    const std::lock_guard inner(mutex_);
                                    --stats_.active;
                                }
                                done->store(true);
                            }),
                            done});
    }
}

void SessionServer::serve(Connection& connection)
{
    std::string deviceId;
    const auto refuse = [&](const std::string& reason) {
        {
            const std::lock_guard lock(mutex_);
            ++stats_.refused;
        }
        if (events_.disconnected)
            events_.disconnected(connection.peer(), deviceId, reason);
    };
    if (auto ok = connection.handshake(options_.handshakeTimeout); !ok)
        return refuse(ok.error().describe());
    const PeerIdentity& peer = connection.peer();
    if (options_.requireCertifiedDeviceId && peer.certifiedDeviceId.empty())
        return refuse("transport does not vouch for a device id");

    MessageChannel channel(connection, options_.maxPayloadBytes);
    Hello hello;
    const auto helloDeadline = Clock::now() + options_.helloTimeout;
    for (;;) {
        if (stopWorkers_)
            return refuse("server stopping");
        if (Clock::now() >= helloDeadline)
            return refuse("no HELLO within " + std::to_string(options_.helloTimeout.count()) + " ms");
        auto received = channel.receive(kReceiveSlice);
        if (!received)
            return refuse(received.error().describe());
        if (!*received)
            continue;
        const ReceivedMessage& m = **received;
        if (m.type != MessageType::Hello || !m.message)
            return refuse("first message is not a valid HELLO");
        hello = std::get<Hello>(*m.message);
        break;
    }
    deviceId = hello.deviceId;
    if (!peer.certifiedDeviceId.empty() && peer.certifiedDeviceId != hello.deviceId)
        return refuse("HELLO device id '" + hello.deviceId + "' differs from the certificate CN '" +
                      peer.certifiedDeviceId + "'");
    if (auto sent = channel.send(options_.hello, 0, options_.sendTimeout); !sent)
        return refuse(sent.error().describe());
    {
        const std::lock_guard lock(mutex_);
        ++stats_.sessions;
    }
    if (events_.connected)
        events_.connected(peer, hello);

    std::string reason = "server stopping";
    auto lastSent = Clock::now();
    auto lastReceived = Clock::now();
    const auto sendAck = [&](const Ack& ack) -> Result<void> {
        if (auto sent = channel.send(ack, 0, options_.sendTimeout); !sent)
            return std::unexpected(sent.error());
        lastSent = Clock::now();
        const std::lock_guard lock(mutex_);
        ++stats_.acks;
        return {};
    };
    while (!stopWorkers_) {
        auto received = channel.receive(kReceiveSlice);
        if (!received) {
            reason = received.error().describe();
            if (received.error().code() != Errc::LinkLost) {
                const std::lock_guard lock(mutex_);
                ++stats_.corruptStreams;
            }
            break;
        }
        if (*received) {
            lastReceived = Clock::now();
            const ReceivedMessage& m = **received;
            if (m.type == MessageType::Inspection) {
                {
                    const std::lock_guard lock(mutex_);
                    ++stats_.inspections;
                }
                if (!m.message) {
                    if (m.message.error().code() == Errc::Unsupported) {
                        // A newer minor's inspection we cannot read: refuse it so the scanner does not wait.
                        if (auto ok = sendAck({m.sequence,
                                               {},
                                               AckStatus::Rejected,
                                               m.message.error().message().substr(0, 1024)});
                            !ok) {
                            reason = ok.error().describe();
                            break;
                        }
                        continue;
                    }
                    if (auto ok = sendAck({m.sequence,
                                           {},
                                           AckStatus::Rejected,
                                           m.message.error().message().substr(0, 1024)});
                        !ok) {
                        reason = ok.error().describe();
                        break;
                    }
                    continue;
                }
                const auto& inspection = std::get<Inspection>(*m.message);
                InspectionOrigin origin{deviceId, peer, m.sequence, (m.flags & kFlagResend) != 0};
                auto outcome = sink_.store(origin, inspection);
                if (!outcome) {
                    // Not stored: no ACK; dropping the connection makes the scanner resend later.
                    reason = "sink failed: " + outcome.error().describe();
                    break;
                }
                Ack ack{m.sequence, inspection.id, outcome->status, outcome->reason.substr(0, 1024)};
                if (ack.status == AckStatus::Rejected && ack.reason.empty())
                    ack.reason = "rejected by the host";
                if (auto ok = sendAck(ack); !ok) {
                    reason = ok.error().describe();
                    break;
                }
            } else if (!m.message) {
                if (m.message.error().code() == Errc::Unsupported)
                    continue;
                reason = "bad message: " + m.message.error().describe();
                break;
            } else if (const auto* status = std::get_if<Status>(&*m.message)) {
                if (events_.status)
                    events_.status(deviceId, *status);
            } else if (!std::holds_alternative<Heartbeat>(*m.message)) {
                reason =
                    std::string("unexpected ") + std::string(messageTypeName(m.type)) + " from the scanner";
                break;
            }
        }
        const auto now = Clock::now();
        if (now - lastReceived > options_.idleTimeout) {
            reason = "scanner silent for " + std::to_string(options_.idleTimeout.count()) + " ms";
            break;
        }
        if (now - lastSent > options_.heartbeatInterval) {
            if (auto sent = channel.send(Heartbeat{wallClockMs()}, 0, options_.sendTimeout); !sent) {
                reason = sent.error().describe();
                break;
            }
            lastSent = Clock::now();
        }
    }
    if (events_.disconnected)
        events_.disconnected(peer, deviceId, reason);
}

Result<StoreOutcome> MemorySink::store(const InspectionOrigin&, const Inspection& inspection)
{
    const std::lock_guard lock(mutex_);
    if (failNext_ > 0) {
        --failNext_;
        return fail(Errc::Io, "memory sink: simulated store failure");
    }
    auto& count = deliveries_[inspection.id];
    ++count;
    if (count > 1) {
        ++duplicates_;
        return StoreOutcome{AckStatus::Duplicate, {}};
    }
    stored_.push_back(inspection);
    return StoreOutcome{AckStatus::Stored, {}};
}

std::vector<Inspection> MemorySink::stored() const
{
    const std::lock_guard lock(mutex_);
    return stored_;
}

std::size_t MemorySink::storedCount() const
{
    const std::lock_guard lock(mutex_);
    return stored_.size();
}

std::size_t MemorySink::deliveries(const InspectionId& id) const
{
    const std::lock_guard lock(mutex_);
    const auto it = deliveries_.find(id);
    return it == deliveries_.end() ? 0 : it->second;
}

std::size_t MemorySink::duplicateCount() const
{
    const std::lock_guard lock(mutex_);
    return duplicates_;
}

void MemorySink::failNext(std::size_t count)
{
    const std::lock_guard lock(mutex_);
    failNext_ = count;
}

void MemoryQueue::add(Inspection inspection)
{
    const std::lock_guard lock(mutex_);
    if (std::none_of(queue_.begin(), queue_.end(),
                     [&](const Inspection& q) { return q.id == inspection.id; }))
        queue_.push_back(std::move(inspection));
}

Result<std::vector<InspectionId>> MemoryQueue::pending()
{
    const std::lock_guard lock(mutex_);
    std::vector<InspectionId> ids;
    ids.reserve(queue_.size());
    for (const auto& q : queue_)
        ids.push_back(q.id);
    return ids;
}

Result<Inspection> MemoryQueue::load(const InspectionId& id)
{
    const std::lock_guard lock(mutex_);
    for (const auto& q : queue_)
        if (q.id == id)
            return q;
    return fail(Errc::InvalidArgument, "memory queue: " + id.toHex() + " is not queued");
}

Result<void> MemoryQueue::acknowledge(const InspectionId& id, AckStatus status)
{
    const std::lock_guard lock(mutex_);
    std::erase_if(queue_, [&](const Inspection& q) { return q.id == id; });
    if (status == AckStatus::Rejected)
        rejected_.push_back(id);
    return {};
}

std::size_t MemoryQueue::size() const
{
    const std::lock_guard lock(mutex_);
    return queue_.size();
}

std::vector<InspectionId> MemoryQueue::rejected() const
{
    const std::lock_guard lock(mutex_);
    return rejected_;
}

} // namespace gw::link
