// SPDX-License-Identifier: Apache-2.0
// hal::HostLink over a Dialer: one I/O thread owns the connection; the firmware thread only queues.
#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

#include <gw/link/transport_host_link.h>

namespace gw::link {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {
constexpr milliseconds kIoSlice{10}; ///< receive wait per round: bounds the latency of queued sends
} // namespace

struct TransportHostLink::Impl {
    std::unique_ptr<Dialer> dialer;
    TransportHostLinkOptions options;

    mutable std::mutex mutex; // guards everything below except the thread
    std::condition_variable wake;
    bool stop = false;
    bool connected = false;
    std::uint64_t generation = 0; ///< bumped per connection: frames queued for an old one are dropped
    /// The connection whose Connected event the caller polled last. send() accepts frames only for that one:
    /// a caller that reacts late to a Connected event (busy inspecting) would otherwise put the HELLO meant
    /// for an ended connection on the next one, ahead of that one's own HELLO (found by the USB VM test).
    std::uint64_t polledGeneration = 0;
    std::uint32_t nextSequence = 0;
    std::deque<std::vector<std::uint8_t>> outbox;
    std::size_t outboxBytes = 0;
    std::deque<std::pair<std::uint64_t, hal::LinkEvent>> events; ///< with the connection they belong to
    std::thread thread;

    void push(hal::LinkEvent event) { events.emplace_back(generation, std::move(event)); }

    void run()
    {
        milliseconds backoff = options.backoffInitial;
        for (;;) {
            {
                const std::lock_guard lock(mutex);
                if (stop)
                    return;
            }
            auto connection = dialer->dial(options.dialTimeout);
            if (connection) {
                {
                    const std::lock_guard lock(mutex);
                    connected = true;
                    ++generation;
                    nextSequence = 0;
                    outbox.clear();
                    outboxBytes = 0;
                    push({hal::LinkEvent::Kind::Connected, std::nullopt, 0, {}});
                }
                std::string why = serve(**connection);
                (*connection)->close();
                const std::lock_guard lock(mutex);
                connected = false;
                outbox.clear();
                outboxBytes = 0;
                push({hal::LinkEvent::Kind::Disconnected, std::nullopt, 0, std::move(why)});
                backoff = options.backoffInitial;
            }
            std::unique_lock lock(mutex);
            wake.wait_for(lock, backoff, [&] { return stop; });
            backoff = std::min(backoff * 2, options.backoffMax);
        }
    }

    /// Runs one connection until it ends; returns why.
    std::string serve(Connection& connection)
    {
        auto decoder =
            Decoder::create({.maxPayloadBytes = std::clamp(options.maxPayloadBytes, kMinPayloadLimitBytes,
                                                           kMaxPayloadLimitBytes)});
        if (!decoder)
            return decoder.error().describe();
        std::array<std::uint8_t, 64 * 1024> buffer{};
        auto lastReceived = Clock::now();
        for (;;) {
            std::deque<std::vector<std::uint8_t>> toSend;
            {
                const std::lock_guard lock(mutex);
                if (stop)
                    return "link stopped";
                toSend.swap(outbox);
                outboxBytes = 0;
            }
            for (const auto& frame : toSend)
                if (auto sent = connection.send(frame, options.sendTimeout); !sent)
                    return sent.error().describe();
            auto got = connection.receive(buffer, kIoSlice);
            if (!got)
                return got.error().describe();
            if (*got > 0) {
                lastReceived = Clock::now();
                (void)decoder->feed(std::span<const std::uint8_t>(buffer.data(), *got));
                while (auto frame = decoder->nextFrame()) {
                    auto message = decodeMessage(*frame);
                    if (!message) {
                        if (message.error().code() == Errc::Unsupported)
                            continue; // a newer host's addition
                        return "undecodable " + std::string(messageTypeName(frame->type)) +
                               " from the host: " + message.error().message();
                    }
                    const std::lock_guard lock(mutex);
                    push({hal::LinkEvent::Kind::Received, std::move(*message), frame->sequence, {}});
                }
                if (decoder->failed())
                    return "corrupt stream from the host: " + decoder->error()->message();
            }
            if (Clock::now() - lastReceived > options.peerSilenceTimeout)
                return "host silent for " + std::to_string(options.peerSilenceTimeout.count()) + " ms";
        }
    }
};

TransportHostLink::TransportHostLink(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

TransportHostLink::~TransportHostLink()
{
    {
        const std::lock_guard lock(impl_->mutex);
        impl_->stop = true;
        impl_->wake.notify_all();
    }
    if (impl_->thread.joinable())
        impl_->thread.join();
}

Result<std::unique_ptr<TransportHostLink>> TransportHostLink::create(std::unique_ptr<Dialer> dialer,
                                                                     const TransportHostLinkOptions& options)
{
    if (!dialer)
        return fail(Errc::InvalidArgument, "host link needs a dialer");
    for (const milliseconds t : {options.dialTimeout, options.sendTimeout, options.backoffInitial,
                                 options.backoffMax, options.peerSilenceTimeout})
        if (t.count() <= 0)
            return fail(Errc::InvalidArgument, "host link: every time option must be > 0 ms");
    auto impl = std::make_unique<Impl>();
    impl->dialer = std::move(dialer);
    impl->options = options;
    Impl* raw = impl.get();
    impl->thread = std::thread([raw] {
        try {
            raw->run();
        } catch (const std::exception& e) {
            const std::lock_guard lock(raw->mutex);
            raw->connected = false;
            raw->push({hal::LinkEvent::Kind::Disconnected, std::nullopt, 0,
                       std::string("host link stopped: ") + e.what()});
        }
    });
    return std::unique_ptr<TransportHostLink>(new TransportHostLink(std::move(impl)));
}

bool TransportHostLink::connected() const noexcept
{
    const std::lock_guard lock(impl_->mutex);
    return impl_->connected;
}

Result<std::uint32_t> TransportHostLink::send(const link::Message& message, std::uint8_t flags)
{
    const std::lock_guard lock(impl_->mutex);
    if (!impl_->connected || impl_->polledGeneration != impl_->generation)
        return fail(Errc::LinkLost, "not connected to the host");
    const std::uint32_t sequence = impl_->nextSequence;
    auto frame =
        encodeMessage(message, sequence, {.flags = flags, .maxPayloadBytes = impl_->options.maxPayloadBytes});
    if (!frame)
        return std::unexpected(frame.error());
    if (impl_->outboxBytes + frame->size() > impl_->options.maxQueuedBytes)
        return fail(Errc::LinkLost, "host link send queue full (the connection is stalled)");
    impl_->outboxBytes += frame->size();
    impl_->outbox.push_back(std::move(*frame));
    ++impl_->nextSequence;
    return sequence;
}

std::optional<hal::LinkEvent> TransportHostLink::poll()
{
    const std::lock_guard lock(impl_->mutex);
    if (impl_->events.empty())
        return std::nullopt;
    auto [generation, event] = std::move(impl_->events.front());
    impl_->events.pop_front();
    if (event.kind == hal::LinkEvent::Kind::Connected)
        impl_->polledGeneration = generation;
    return event;
}

} // namespace gw::link
