// SPDX-License-Identifier: Apache-2.0
// Scanner side of the session: deliver every pending inspection until the host ACKs it, across reconnects.
#include <algorithm>
#include <exception>
#include <random>

#include <gw/link/channel.h>
#include <gw/link/session.h>

namespace gw::link {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::uint64_t wallClockMs()
{
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
}

struct InFlight {
    InspectionId id;
    std::uint32_t sequence = 0;
};

} // namespace

SessionClient::SessionClient(std::unique_ptr<Dialer> dialer, InspectionSource& source,
                             const ClientOptions& options)
    : dialer_(std::move(dialer)), source_(source), options_(options)
{
}

SessionClient::~SessionClient()
{
    stop();
}

Result<std::unique_ptr<SessionClient>>
SessionClient::create(std::unique_ptr<Dialer> dialer, InspectionSource& source, const ClientOptions& options)
{
    if (!dialer)
        return fail(Errc::InvalidArgument, "session client needs a dialer");
    for (const milliseconds t :
         {options.dialTimeout, options.helloTimeout, options.sendTimeout, options.heartbeatInterval,
          options.peerSilenceTimeout, options.backoffInitial, options.backoffMax, options.pollInterval})
        if (t.count() <= 0)
            return fail(Errc::InvalidArgument, "session client: every time option must be > 0 ms");
    if (options.window < 1 || options.window > 1024)
        return fail(Errc::InvalidArgument, "session client: window must be 1..1024");
    if (auto body = encodeBody(options.hello); !body)
        return fail(Errc::InvalidArgument, "session client HELLO: " + body.error().message());
    return std::unique_ptr<SessionClient>(new SessionClient(std::move(dialer), source, options));
}

void SessionClient::start()
{
    if (thread_.joinable())
        return;
    stop_ = false;
    thread_ = std::thread([this] {
        try {
            run();
        } catch (const std::exception& e) {
            // Only our own callbacks (the source) or memory exhaustion can throw here; stop cleanly.
            connected_ = false;
            noteError(Error(Errc::Internal, std::string("session client stopped: ") + e.what()));
        }
    });
}

void SessionClient::stop()
{
    {
        const std::lock_guard lock(mutex_);
        stop_ = true;
        wakeUp_.notify_all();
    }
    if (thread_.joinable())
        thread_.join();
}

void SessionClient::notify()
{
    wake_ = true;
    const std::lock_guard lock(mutex_);
    wakeUp_.notify_all();
}

ClientStats SessionClient::stats() const
{
    const std::lock_guard lock(mutex_);
    return stats_;
}

void SessionClient::sleepFor(milliseconds delay)
{
    std::unique_lock lock(mutex_);
    wakeUp_.wait_for(lock, delay, [this] { return stop_.load(); });
}

void SessionClient::noteError(const Error& error)
{
    const std::lock_guard lock(mutex_);
    stats_.lastError = error.describe();
}

void SessionClient::run()
{
    std::mt19937_64 random(options_.jitterSeed != 0
                               ? options_.jitterSeed
                               : static_cast<std::uint64_t>(Clock::now().time_since_epoch().count()));
    milliseconds backoff = options_.backoffInitial;
    while (!stop_) {
        {
            const std::lock_guard lock(mutex_);
            ++stats_.dials;
        }
        auto connection = dialer_->dial(options_.dialTimeout);
        if (connection) {
            const std::uint64_t acksBefore = stats().stored + stats().duplicates + stats().rejected;
            auto ended = runConnection(**connection);
            connected_ = false;
            (*connection)->close();
            if (!ended)
                noteError(ended.error());
            // A connection that delivered something was healthy: start the back-off afresh.
            if (stats().stored + stats().duplicates + stats().rejected > acksBefore)
                backoff = options_.backoffInitial;
        } else {
            noteError(connection.error());
        }
        if (stop_)
            break;
        const auto jitter = milliseconds(
            static_cast<long long>(random() % static_cast<std::uint64_t>(backoff.count() / 4 + 1)));
        sleepFor(backoff + jitter);
        backoff = std::min(backoff * 2, options_.backoffMax);
    }
}

Result<void> SessionClient::runConnection(Connection& connection)
{
    MessageChannel channel(connection, options_.maxPayloadBytes);
    if (auto sent = channel.send(options_.hello, 0, options_.sendTimeout); !sent)
        return std::unexpected(sent.error());

    // The host answers with its HELLO before anything else.
    const auto helloDeadline = Clock::now() + options_.helloTimeout;
    for (;;) {
        if (stop_)
            return {};
        if (Clock::now() >= helloDeadline)
            return fail(Errc::Timeout, "no HELLO from the host within " +
                                           std::to_string(options_.helloTimeout.count()) + " ms");
        auto received = channel.receive(options_.pollInterval);
        if (!received)
            return std::unexpected(received.error());
        if (!*received)
            continue;
        if ((*received)->type != MessageType::Hello || !(*received)->message)
            return fail(Errc::InvalidInput, "the host's first message is not a valid HELLO");
        break;
    }
    connected_ = true;
    {
        const std::lock_guard lock(mutex_);
        ++stats_.sessions;
    }

    std::vector<InFlight> inFlight;
    auto lastSent = Clock::now();
    auto lastReceived = Clock::now();
    auto nextPendingRead = Clock::now();
    while (!stop_) {
        const auto now = Clock::now();
        if (inFlight.size() < options_.window && (now >= nextPendingRead || wake_.exchange(false))) {
            nextPendingRead = now + options_.pollInterval;
            auto ids = source_.pending();
            if (!ids) {
                // The spool's trouble is not the link's: keep the connection, retry a little later.
                noteError(ids.error());
                nextPendingRead = now + options_.pollInterval * 10;
                ids = std::vector<InspectionId>{};
            }
            if (firstPendingRead_) {
                // Whatever is pending at start-up may have been sent by a previous run.
                mayHaveBeenSent_.insert(ids->begin(), ids->end());
                firstPendingRead_ = false;
            }
            for (const auto& id : *ids) {
                if (inFlight.size() >= options_.window)
                    break;
                if (std::any_of(inFlight.begin(), inFlight.end(),
                                [&](const InFlight& f) { return f.id == id; }))
                    continue;
                auto inspection = source_.load(id);
                if (!inspection)
                    continue; // e.g. a corrupt spool entry the spool has just set aside
                const bool resend = mayHaveBeenSent_.contains(id);
                auto sequence = channel.send(*inspection, resend ? kFlagResend : 0, options_.sendTimeout);
                if (!sequence) {
                    if (sequence.error().code() == Errc::InvalidArgument) {
                        // The codec refuses it: it can never be delivered; set it aside like a rejection.
                        (void)source_.acknowledge(id, AckStatus::Rejected);
                        continue;
                    }
                    return std::unexpected(sequence.error());
                }
                mayHaveBeenSent_.insert(id);
                inFlight.push_back({id, *sequence});
                lastSent = Clock::now();
                const std::lock_guard lock(mutex_);
                ++stats_.sent;
                stats_.resent += resend ? 1 : 0;
            }
        }

        auto received = channel.receive(options_.pollInterval);
        if (!received)
            return std::unexpected(received.error());
        if (*received) {
            lastReceived = Clock::now();
            const ReceivedMessage& m = **received;
            if (!m.message) {
                if (m.message.error().code() == Errc::Unsupported)
                    continue; // a newer host's addition
                return fail(Errc::InvalidInput, "bad message from the host: " + m.message.error().message());
            }
            if (const auto* ack = std::get_if<Ack>(&*m.message)) {
                // Matched by the sequence it names: a rejected ACK may carry a nil id.
                auto it = std::find_if(inFlight.begin(), inFlight.end(),
                                       [&](const InFlight& f) { return f.sequence == ack->ackedSequence; });
                if (it == inFlight.end() || (!ack->inspectionId.isNil() && ack->inspectionId != it->id))
                    return fail(Errc::InvalidInput, "ACK for sequence " + std::to_string(ack->ackedSequence) +
                                                        " matches no inspection in flight");
                const InspectionId id = it->id;
                inFlight.erase(it);
                if (source_.acknowledge(id, ack->status)) {
                    mayHaveBeenSent_.erase(id);
                    nextPendingRead = Clock::now();
                }
                const std::lock_guard lock(mutex_);
                switch (ack->status) {
                case AckStatus::Stored:
                    ++stats_.stored;
                    break;
                case AckStatus::Duplicate:
                    ++stats_.duplicates;
                    break;
                case AckStatus::Rejected:
                    ++stats_.rejected;
                    break;
                }
            } else if (std::holds_alternative<Hello>(*m.message)) {
                return fail(Errc::InvalidInput, "second HELLO from the host");
            }
            // HEARTBEAT: liveness only (lastReceived above).
        }
        const auto after = Clock::now();
        if (after - lastReceived > options_.peerSilenceTimeout)
            return fail(Errc::Timeout,
                        "host silent for " + std::to_string(options_.peerSilenceTimeout.count()) + " ms");
        if (after - lastSent > options_.heartbeatInterval) {
            if (auto sent = channel.send(Heartbeat{wallClockMs()}, 0, options_.sendTimeout); !sent)
                return std::unexpected(sent.error());
            lastSent = Clock::now();
            const std::lock_guard lock(mutex_);
            ++stats_.heartbeats;
        }
    }
    return {};
}

} // namespace gw::link
