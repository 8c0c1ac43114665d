// SPDX-License-Identifier: Apache-2.0
// The officer's web page and the REST API (docs/api.md), served by the station on a local port.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include <gw/common/result.h>
#include <gw/host/auth.h>
#include <gw/host/store.h>

namespace gw::host {

/// @brief Settings of the web server.
struct WebOptions {
    std::string bindAddress = "127.0.0.1"; ///< numeric address, e.g. "0.0.0.0" for the booth network
    std::uint16_t port = 8080;             ///< 0: an ephemeral port (see WebServer::port())
    /// PEM certificate and key: both set serves HTTPS only (cookies then carry Secure); both empty: HTTP.
    std::filesystem::path tlsCertFile;
    std::filesystem::path tlsKeyFile;
    std::int64_t sessionTtlMs = 8LL * 3600 * 1000; ///< [ms] a session ends after this long unused
    int threads = 8;                               ///< request threads, 1..64
    std::size_t maxBodyBytes = 1u << 20;           ///< [bytes] largest request body (413 beyond)
    /// Clock in [ms] since the epoch; empty: the system clock. Tests inject their own.
    std::function<std::int64_t()> clockMs;
};

/// @brief HTTP(S) server for the page (assets embedded in the binary, nothing from a CDN) and the JSON API.
/// Every API call needs a logged-in session with the role's permission (401/403 otherwise); every POST
/// needs the session's CSRF token in the X-CSRF-Token header (403 otherwise). Views and decisions are
/// written to the store's audit log.
class WebServer {
public:
    /// @brief Binds the port (nothing is served until start()).
    /// @return the server; Errc::InvalidArgument for bad options or unreadable TLS files; Errc::Io when the
    ///         address cannot be bound
    [[nodiscard]] static Result<std::unique_ptr<WebServer>> create(Store& store, const WebOptions& options);
    ~WebServer();
    WebServer(const WebServer&) = delete;
    WebServer& operator=(const WebServer&) = delete;

    /// @brief Serves on a background thread (no-op when running).
    void start();
    /// @brief Stops serving and joins the thread. Idempotent.
    void stop();

    /// @brief The bound port.
    [[nodiscard]] std::uint16_t port() const noexcept;
    [[nodiscard]] bool https() const noexcept;
    /// @brief e.g. "http://127.0.0.1:8080/".
    [[nodiscard]] std::string url() const;

    struct Impl;

private:
    explicit WebServer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

} // namespace gw::host
