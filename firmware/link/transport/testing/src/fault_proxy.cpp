// SPDX-License-Identifier: Apache-2.0
// Fault-injecting TCP proxy for link tests: forwards both ways, flips bytes and cuts connections at random.
#include <array>
#include <atomic>
#include <cerrno>
#include <list>
#include <mutex>
#include <poll.h>
#include <random>
#include <thread>
#include <vector>

#include <sys/socket.h>

#include <gw/link/testing.h>

#include "socket_util.h"

namespace gw::link::testing {

using detail::Clock;
using detail::UniqueFd;

struct FaultProxy::Impl {
    struct Pair {
        UniqueFd client;
        UniqueFd upstream;
    };

    UniqueFd listenFd;
    std::uint16_t port = 0;
    std::uint16_t upstreamPort = 0;
    std::mt19937_64 random;
    std::mutex mutex; // guards faults, stats, cutRequested
    FaultSettings faults;
    Stats stats;
    bool cutRequested = false;
    std::atomic<bool> stop{false};
    std::list<Pair> pairs; // proxy thread only
    std::thread thread;

    void run()
    {
        // Bounded: each round waits at most 50 ms, and the destructor sets stop.
        std::array<std::uint8_t, 16 * 1024> buffer{};
        while (!stop.load()) {
            {
                const std::lock_guard lock(mutex);
                if (cutRequested) {
                    stats.cuts += pairs.size();
                    pairs.clear();
                    cutRequested = false;
                }
            }
            std::vector<pollfd> fds;
            fds.push_back({listenFd.get(), POLLIN, 0});
            for (const auto& p : pairs) {
                fds.push_back({p.client.get(), POLLIN, 0});
                fds.push_back({p.upstream.get(), POLLIN, 0});
            }
            if (::poll(fds.data(), fds.size(), 50) <= 0)
                continue;
            std::size_t index = 1;
            for (auto it = pairs.begin(); it != pairs.end(); index += 2) {
                bool drop = false;
                for (int side = 0; side < 2 && !drop; ++side) {
                    if (fds[index + static_cast<std::size_t>(side)].revents == 0)
                        continue;
                    const int from = side == 0 ? it->client.get() : it->upstream.get();
                    const int to = side == 0 ? it->upstream.get() : it->client.get();
                    drop = !forward(from, to, buffer);
                }
                it = drop ? pairs.erase(it) : std::next(it);
            }
            // After the loop: fds[] describes only the pairs that existed when poll() ran.
            if ((fds[0].revents & POLLIN) != 0)
                acceptOne();
        }
        pairs.clear();
    }

    void acceptOne()
    {
        auto accepted = detail::acceptTcp(listenFd.get(), Clock::now());
        if (!accepted || !accepted->first.valid())
            return;
        auto upstream =
            detail::connectTcp("127.0.0.1", upstreamPort, Clock::now() + std::chrono::milliseconds(1000));
        if (!upstream)
            return; // the client sees its connection closed, as with a dead server
        pairs.push_back({std::move(accepted->first), std::move(*upstream)});
        const std::lock_guard lock(mutex);
        ++stats.connections;
    }

    /// Moves one chunk from @p from to @p to, applying faults; false when the pair must be dropped.
    bool forward(int from, int to, std::array<std::uint8_t, 16 * 1024>& buffer)
    {
        const ssize_t n = ::recv(from, buffer.data(), buffer.size(), 0);
        if (n == 0)
            return false;
        if (n < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
        const auto size = static_cast<std::size_t>(n);
        {
            const std::lock_guard lock(mutex);
            std::uniform_real_distribution<double> chance(0.0, 1.0);
            if (chance(random) < faults.cutProbability) {
                ++stats.cuts;
                return false;
            }
            if (chance(random) < faults.flipProbability) {
                buffer[random() % size] ^= 0xFF;
                ++stats.flips;
            }
            stats.bytes += size;
        }
        std::size_t done = 0;
        const auto deadline = Clock::now() + std::chrono::milliseconds(2000);
        while (done < size) {
            const ssize_t w = ::send(to, buffer.data() + done, size - done, MSG_NOSIGNAL);
            if (w > 0) {
                done += static_cast<std::size_t>(w);
                continue;
            }
            if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                return false;
            auto ready = detail::waitFd(to, POLLOUT, deadline);
            if (!ready || !*ready)
                return false;
        }
        return true;
    }
};

FaultProxy::FaultProxy(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

FaultProxy::~FaultProxy()
{
    impl_->stop = true;
    if (impl_->thread.joinable())
        impl_->thread.join();
}

Result<std::unique_ptr<FaultProxy>> FaultProxy::create(std::uint16_t upstreamPort, std::uint64_t seed,
                                                       const FaultSettings& faults)
{
    auto fd = detail::listenTcp("127.0.0.1", 0, 64);
    if (!fd)
        return std::unexpected(fd.error());
    auto port = detail::localPort(fd->get());
    if (!port)
        return std::unexpected(port.error());
    auto impl = std::make_unique<Impl>();
    impl->listenFd = std::move(*fd);
    impl->port = *port;
    impl->upstreamPort = upstreamPort;
    impl->random.seed(seed);
    impl->faults = faults;
    Impl* raw = impl.get();
    impl->thread = std::thread([raw] { raw->run(); });
    return std::unique_ptr<FaultProxy>(new FaultProxy(std::move(impl)));
}

std::uint16_t FaultProxy::port() const noexcept
{
    return impl_->port;
}

void FaultProxy::setFaults(const FaultSettings& faults)
{
    const std::lock_guard lock(impl_->mutex);
    impl_->faults = faults;
}

void FaultProxy::cutAll()
{
    const std::lock_guard lock(impl_->mutex);
    impl_->cutRequested = true;
}

FaultProxy::Stats FaultProxy::stats() const
{
    const std::lock_guard lock(impl_->mutex);
    return impl_->stats;
}

} // namespace gw::link::testing
