// SPDX-License-Identifier: Apache-2.0
// Internal: nonblocking TCP helpers with deadlines.
#include "socket_util.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <netdb.h>
#include <poll.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <climits>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace gw::link::detail {
namespace {

Result<void> makeNonblocking(int fd)
{
    const int flags = ::fcntl(fd, F_GETFL, 0);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
        return fail(Errc::Io, "fcntl(O_NONBLOCK) failed: " + errnoText(errno));
    return {};
}

void setNoDelay(int fd)
{
    // Frames are small and latency matters more than packet count (an ACK should not wait for Nagle).
    const int one = 1;
    (void)::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

std::string addressText(const sockaddr_storage& address)
{
    std::array<char, INET6_ADDRSTRLEN> text{};
    if (address.ss_family == AF_INET) {
        const auto* in = reinterpret_cast<const sockaddr_in*>(&address);
        ::inet_ntop(AF_INET, &in->sin_addr, text.data(), text.size());
        return std::string(text.data()) + ":" + std::to_string(ntohs(in->sin_port));
    }
    if (address.ss_family == AF_INET6) {
        const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&address);
        ::inet_ntop(AF_INET6, &in6->sin6_addr, text.data(), text.size());
        return "[" + std::string(text.data()) + "]:" + std::to_string(ntohs(in6->sin6_port));
    }
    return "unknown";
}

struct AddrInfoDeleter {
    void operator()(addrinfo* ai) const noexcept { ::freeaddrinfo(ai); }
};

Result<std::unique_ptr<addrinfo, AddrInfoDeleter>> resolve(const std::string& host, std::uint16_t port,
                                                           bool passive)
{
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = passive ? AI_PASSIVE : 0;
    addrinfo* list = nullptr;
    const std::string service = std::to_string(port);
    const int rc = ::getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &list);
    if (rc != 0 || list == nullptr)
        return fail(Errc::InvalidArgument, "cannot resolve '" + host + "': " + ::gai_strerror(rc));
    return std::unique_ptr<addrinfo, AddrInfoDeleter>(list);
}

} // namespace

void UniqueFd::reset() noexcept
{
    if (fd_ >= 0)
        ::close(fd_);
    fd_ = -1;
}

std::string errnoText(int err)
{
    std::array<char, 256> buffer{};
    // GNU strerror_r may return a static string instead of filling the buffer.
    const char* text = ::strerror_r(err, buffer.data(), buffer.size());
    return text != nullptr ? std::string(text) : "errno " + std::to_string(err);
}

int millisecondsLeft(Clock::time_point deadline) noexcept
{
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return static_cast<int>(std::clamp<long long>(left, 0, INT_MAX));
}

Result<bool> waitFd(int fd, short events, Clock::time_point deadline)
{
    for (;;) {
        pollfd p{fd, events, 0};
        const int rc = ::poll(&p, 1, millisecondsLeft(deadline));
        if (rc > 0)
            return true;
        if (rc == 0)
            return false;
        if (errno != EINTR)
            return fail(Errc::Io, "poll failed: " + errnoText(errno));
    }
}

Result<UniqueFd> listenTcp(const std::string& host, std::uint16_t port, int backlog)
{
    auto list = resolve(host, port, true);
    if (!list)
        return std::unexpected(list.error());
    std::string lastError = "no address";
    for (const addrinfo* ai = list->get(); ai != nullptr; ai = ai->ai_next) {
        UniqueFd fd(::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol));
        if (!fd.valid()) {
            lastError = "socket: " + errnoText(errno);
            continue;
        }
        const int one = 1;
        (void)::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (::bind(fd.get(), ai->ai_addr, ai->ai_addrlen) != 0) {
            lastError = "bind: " + errnoText(errno);
            continue;
        }
        if (::listen(fd.get(), std::max(backlog, 1)) != 0) {
            lastError = "listen: " + errnoText(errno);
            continue;
        }
        if (auto ok = makeNonblocking(fd.get()); !ok)
            return std::unexpected(ok.error());
        return fd;
    }
    return fail(Errc::Io, "cannot listen on " + host + ":" + std::to_string(port) + ": " + lastError);
}

Result<std::uint16_t> localPort(int fd)
{
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0)
        return fail(Errc::Io, "getsockname failed: " + errnoText(errno));
    if (address.ss_family == AF_INET)
        return ntohs(reinterpret_cast<const sockaddr_in*>(&address)->sin_port);
    if (address.ss_family == AF_INET6)
        return ntohs(reinterpret_cast<const sockaddr_in6*>(&address)->sin6_port);
    return fail(Errc::Io, "socket is not an IP socket");
}

Result<std::pair<UniqueFd, std::string>> acceptTcp(int listenFd, Clock::time_point deadline)
{
    for (;;) {
        sockaddr_storage address{};
        socklen_t length = sizeof address;
        UniqueFd fd(::accept4(listenFd, reinterpret_cast<sockaddr*>(&address), &length,
                              SOCK_NONBLOCK | SOCK_CLOEXEC));
        if (fd.valid()) {
            setNoDelay(fd.get());
            return std::pair{std::move(fd), addressText(address)};
        }
        const int err = errno;
        if (err == EINTR || err == ECONNABORTED)
            continue;
        if (err != EAGAIN && err != EWOULDBLOCK) {
            // Out of descriptors and the like are transient for a server: report and let it retry.
            return fail(Errc::Io, "accept failed: " + errnoText(err));
        }
        auto ready = waitFd(listenFd, POLLIN, deadline);
        if (!ready)
            return std::unexpected(ready.error());
        if (!*ready)
            return std::pair{UniqueFd{}, std::string{}};
    }
}

Result<UniqueFd> connectTcp(const std::string& host, std::uint16_t port, Clock::time_point deadline)
{
    auto list = resolve(host, port, false);
    if (!list)
        return std::unexpected(list.error());
    std::string lastError = "no address";
    for (const addrinfo* ai = list->get(); ai != nullptr; ai = ai->ai_next) {
        UniqueFd fd(::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol));
        if (!fd.valid()) {
            lastError = "socket: " + errnoText(errno);
            continue;
        }
        if (::connect(fd.get(), ai->ai_addr, ai->ai_addrlen) != 0) {
            if (errno != EINPROGRESS) {
                lastError = errnoText(errno);
                continue;
            }
            auto ready = waitFd(fd.get(), POLLOUT, deadline);
            if (!ready)
                return std::unexpected(ready.error());
            if (!*ready)
                return fail(Errc::Timeout, "connect to " + host + ":" + std::to_string(port) + " timed out");
            int soError = 0;
            socklen_t length = sizeof soError;
            (void)::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &soError, &length);
            if (soError != 0) {
                lastError = errnoText(soError);
                continue;
            }
        }
        setNoDelay(fd.get());
        return fd;
    }
    return fail(Errc::LinkLost, "cannot connect to " + host + ":" + std::to_string(port) + ": " + lastError);
}

} // namespace gw::link::detail
