// SPDX-License-Identifier: Apache-2.0
// Internal: owned file descriptors and nonblocking TCP helpers with deadlines (poll-based).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>

#include <gw/common/result.h>

namespace gw::link::detail {

using Clock = std::chrono::steady_clock;

/// Owns one file descriptor; closes it on destruction.
class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) noexcept : fd_(fd) {}
    ~UniqueFd() { reset(); }
    UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept
    {
        if (this != &other) {
            reset();
            fd_ = std::exchange(other.fd_, -1);
        }
        return *this;
    }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;

    [[nodiscard]] int get() const noexcept { return fd_; }
    [[nodiscard]] bool valid() const noexcept { return fd_ >= 0; }
    void reset() noexcept;

private:
    int fd_ = -1;
};

/// strerror text of @p err, thread-safe.
[[nodiscard]] std::string errnoText(int err);

/// Milliseconds left until @p deadline, clamped to [0, INT_MAX].
[[nodiscard]] int millisecondsLeft(Clock::time_point deadline) noexcept;

/// Waits until @p fd has one of @p events (POLLIN/POLLOUT) or @p deadline passes.
/// @return true when ready (or in error/hang-up state: the next I/O call reports it), false on timeout
[[nodiscard]] Result<bool> waitFd(int fd, short events, Clock::time_point deadline);

/// A nonblocking TCP socket bound to @p host:@p port (port 0 = ephemeral) and listening; SO_REUSEADDR so
/// a restarted server gets its port back at once.
[[nodiscard]] Result<UniqueFd> listenTcp(const std::string& host, std::uint16_t port, int backlog);

/// The local port @p fd is bound to.
[[nodiscard]] Result<std::uint16_t> localPort(int fd);

/// Accepts one connection from @p listenFd within @p deadline, nonblocking and TCP_NODELAY.
/// @return the socket (invalid UniqueFd on timeout) and the peer's "address:port"
[[nodiscard]] Result<std::pair<UniqueFd, std::string>> acceptTcp(int listenFd, Clock::time_point deadline);

/// Connects to @p host:@p port (resolved with getaddrinfo) within @p deadline; nonblocking, TCP_NODELAY.
[[nodiscard]] Result<UniqueFd> connectTcp(const std::string& host, std::uint16_t port,
                                          Clock::time_point deadline);

} // namespace gw::link::detail
