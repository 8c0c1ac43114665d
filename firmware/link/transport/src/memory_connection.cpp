// SPDX-License-Identifier: Apache-2.0
// In-process connections: a pair of bounded byte pipes, and an exchange that pairs dialers with a listener.
#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>

#include <gw/link/connection.h>

namespace gw::link {
namespace {

struct Pipe {
    std::mutex mutex;
    std::condition_variable changed;
    std::deque<std::uint8_t> bytes;
    std::size_t capacity = 0;
    bool closed = false;
};

class MemoryConnection final : public Connection {
public:
    MemoryConnection(std::shared_ptr<Pipe> in, std::shared_ptr<Pipe> out, std::string address)
        : in_(std::move(in)), out_(std::move(out))
    {
        peer_.transport = "memory";
        peer_.address = std::move(address);
    }
    ~MemoryConnection() override { close(); }
    MemoryConnection(const MemoryConnection&) = delete;
    MemoryConnection& operator=(const MemoryConnection&) = delete;

    Result<void> handshake(std::chrono::milliseconds) override
    {
        if (closed_)
            return fail(Errc::LinkLost, "memory connection is closed");
        return {};
    }

    Result<void> send(std::span<const std::uint8_t> bytes, std::chrono::milliseconds timeout) override
    {
        if (closed_)
            return fail(Errc::LinkLost, "memory connection is closed");
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        std::unique_lock lock(out_->mutex);
        std::size_t done = 0;
        while (done < bytes.size()) {
            if (out_->closed)
                return fail(Errc::LinkLost, "memory connection closed by the peer");
            const std::size_t room = out_->capacity - out_->bytes.size();
            if (room == 0) {
                if (out_->changed.wait_until(lock, deadline) == std::cv_status::timeout &&
                    out_->bytes.size() >= out_->capacity)
                    return fail(Errc::Timeout, "memory connection: send timed out, peer not reading");
                continue;
            }
            const std::size_t n = std::min(room, bytes.size() - done);
            out_->bytes.insert(out_->bytes.end(), bytes.begin() + static_cast<std::ptrdiff_t>(done),
                               bytes.begin() + static_cast<std::ptrdiff_t>(done + n));
            done += n;
            out_->changed.notify_all();
        }
        return {};
    }

    Result<std::size_t> receive(std::span<std::uint8_t> buffer, std::chrono::milliseconds timeout) override
    {
        if (closed_)
            return fail(Errc::LinkLost, "memory connection is closed");
        std::unique_lock lock(in_->mutex);
        in_->changed.wait_for(lock, timeout, [&] { return !in_->bytes.empty() || in_->closed; });
        if (in_->bytes.empty())
            return in_->closed ? Result<std::size_t>(fail(Errc::LinkLost, "memory connection: end of stream"))
                               : Result<std::size_t>(std::size_t{0});
        const std::size_t n = std::min(buffer.size(), in_->bytes.size());
        std::copy_n(in_->bytes.begin(), n, buffer.begin());
        in_->bytes.erase(in_->bytes.begin(), in_->bytes.begin() + static_cast<std::ptrdiff_t>(n));
        in_->changed.notify_all();
        return n;
    }

    void close() noexcept override
    {
        if (closed_)
            return;
        closed_ = true;
        for (const auto& pipe : {in_, out_}) {
            const std::lock_guard lock(pipe->mutex);
            pipe->closed = true;
            pipe->changed.notify_all();
        }
    }

    [[nodiscard]] const PeerIdentity& peer() const noexcept override { return peer_; }

private:
    std::shared_ptr<Pipe> in_;
    std::shared_ptr<Pipe> out_;
    PeerIdentity peer_;
    bool closed_ = false;
};

} // namespace

std::pair<std::unique_ptr<Connection>, std::unique_ptr<Connection>> makeMemoryPair(std::size_t bufferBytes)
{
    auto a = std::make_shared<Pipe>();
    auto b = std::make_shared<Pipe>();
    a->capacity = std::max<std::size_t>(bufferBytes, 1);
    b->capacity = a->capacity;
    return {std::make_unique<MemoryConnection>(a, b, "memory:a"),
            std::make_unique<MemoryConnection>(b, a, "memory:b")};
}

struct MemoryExchange::State {
    std::mutex mutex;
    std::condition_variable arrived;
    std::deque<std::unique_ptr<Connection>> pending;
    std::uint64_t listenerGeneration = 0; ///< 0: no listener
    std::uint64_t nextGeneration = 1;
    std::uint64_t dialled = 0;
    std::size_t bufferBytes = 0;
};

namespace {

class MemoryListener final : public Listener {
public:
    MemoryListener(std::shared_ptr<MemoryExchange::State> state, std::uint64_t generation)
        : state_(std::move(state)), generation_(generation)
    {
    }
    ~MemoryListener() override
    {
        const std::lock_guard lock(state_->mutex);
        if (state_->listenerGeneration == generation_) {
            state_->listenerGeneration = 0;
            state_->pending.clear();
        }
    }
    MemoryListener(const MemoryListener&) = delete;
    MemoryListener& operator=(const MemoryListener&) = delete;

    Result<std::unique_ptr<Connection>> accept(std::chrono::milliseconds timeout) override
    {
        std::unique_lock lock(state_->mutex);
        state_->arrived.wait_for(lock, timeout, [&] {
            return !state_->pending.empty() || state_->listenerGeneration != generation_;
        });
        if (state_->listenerGeneration != generation_)
            return fail(Errc::Io, "memory listener was replaced");
        if (state_->pending.empty())
            return std::unique_ptr<Connection>{};
        auto connection = std::move(state_->pending.front());
        state_->pending.pop_front();
        return connection;
    }

    [[nodiscard]] std::string describe() const override { return "memory://listener"; }

private:
    std::shared_ptr<MemoryExchange::State> state_;
    std::uint64_t generation_;
};

class MemoryDialer final : public Dialer {
public:
    explicit MemoryDialer(std::shared_ptr<MemoryExchange::State> state) : state_(std::move(state)) {}

    Result<std::unique_ptr<Connection>> dial(std::chrono::milliseconds) override
    {
        const std::lock_guard lock(state_->mutex);
        if (state_->listenerGeneration == 0)
            return fail(Errc::LinkLost, "memory dialer: nobody is listening");
        auto [client, server] = makeMemoryPair(state_->bufferBytes);
        state_->pending.push_back(std::move(server));
        ++state_->dialled;
        state_->arrived.notify_all();
        return std::move(client);
    }

    [[nodiscard]] std::string describe() const override { return "memory://listener"; }

private:
    std::shared_ptr<MemoryExchange::State> state_;
};

} // namespace

MemoryExchange::MemoryExchange(std::size_t bufferBytes) : state_(std::make_shared<State>())
{
    state_->bufferBytes = std::max<std::size_t>(bufferBytes, 1);
}

MemoryExchange::~MemoryExchange() = default;

std::unique_ptr<Listener> MemoryExchange::listener()
{
    const std::lock_guard lock(state_->mutex);
    state_->pending.clear();
    state_->listenerGeneration = state_->nextGeneration++;
    state_->arrived.notify_all();
    return std::make_unique<MemoryListener>(state_, state_->listenerGeneration);
}

std::unique_ptr<Dialer> MemoryExchange::dialer()
{
    return std::make_unique<MemoryDialer>(state_);
}

} // namespace gw::link
