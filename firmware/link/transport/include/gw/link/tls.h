// SPDX-License-Identifier: Apache-2.0
// TCP + TLS 1.3 transport with mutual authentication (OpenSSL 3): the host's listener, the scanner's dialer.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include <gw/common/result.h>
#include <gw/link/connection.h>

namespace gw::link {

/// @brief PEM files of one side. Loaded once by create(); a missing or mismatched file fails there.
struct TlsCredentials {
    std::filesystem::path caFile;   ///< CA certificate(s) that must have issued the peer's certificate
    std::filesystem::path certFile; ///< own certificate (chain), leaf first
    std::filesystem::path keyFile;  ///< own private key, unencrypted PEM
};

/// @brief The host station's TLS server. Only TLS 1.3; the client must present a certificate chained to
/// credentials.caFile, valid now, with extended key usage clientAuth (when it has EKU) and a CN that is a
/// device id token (printable ASCII without space, 1..64 bytes). Session tickets and resumption are off:
/// every connection authenticates in full.
struct TlsServerOptions {
    std::string bindAddress = "127.0.0.1"; ///< numeric address or name, e.g. "0.0.0.0", "::1"
    std::uint16_t port = 0;                ///< 0: an ephemeral port (see TlsListener::port())
    TlsCredentials credentials;
    int backlog = 32; ///< pending TCP connections, >= 1
};

/// @brief Accepts TCP connections; the TLS handshake runs in Connection::handshake() on the caller's
/// connection thread, so a peer that connects and says nothing only ever holds its own thread, for at most
/// the handshake timeout. After the handshake, peer().certifiedDeviceId is the client certificate's CN.
class TlsListener final : public Listener {
public:
    /// @return the listener; Errc::InvalidArgument for unreadable or mismatched credentials (the message
    ///         names the file and OpenSSL's reason); Errc::Io when the address cannot be bound
    [[nodiscard]] static Result<std::unique_ptr<TlsListener>> create(const TlsServerOptions& options);
    ~TlsListener() override;
    TlsListener(const TlsListener&) = delete;
    TlsListener& operator=(const TlsListener&) = delete;

    Result<std::unique_ptr<Connection>> accept(std::chrono::milliseconds timeout) override;
    [[nodiscard]] std::string describe() const override;
    /// @brief The bound TCP port (the ephemeral one when options.port was 0).
    [[nodiscard]] std::uint16_t port() const noexcept { return port_; }

    struct Impl;

private:
    explicit TlsListener(std::unique_ptr<Impl> impl, std::uint16_t port);
    std::unique_ptr<Impl> impl_;
    std::uint16_t port_ = 0;
};

/// @brief The scanner's TLS client. Only TLS 1.3; the server certificate must chain to
/// credentials.caFile and name expectedServerName (or host) in its subjectAltName (DNS or IP entry).
struct TlsClientOptions {
    std::string host = "127.0.0.1"; ///< where to connect: numeric address or name
    std::uint16_t port = 0;
    TlsCredentials credentials;
    /// The name the server certificate must carry, when it differs from @p host (a pinned name, e.g. the
    /// station's configured "gw-station-01" while dialling 10.0.0.7). Empty: @p host. An IP literal is
    /// matched against IP SAN entries, anything else against DNS entries (and sent as SNI).
    std::string expectedServerName;
};

/// @brief Dials the host: TCP connect, then the TLS handshake, both within dial()'s timeout.
class TlsDialer final : public Dialer {
public:
    /// @return the dialer; Errc::InvalidArgument for unreadable or mismatched credentials, an empty host
    ///         or port 0
    [[nodiscard]] static Result<std::unique_ptr<TlsDialer>> create(const TlsClientOptions& options);
    ~TlsDialer() override;
    TlsDialer(const TlsDialer&) = delete;
    TlsDialer& operator=(const TlsDialer&) = delete;

    Result<std::unique_ptr<Connection>> dial(std::chrono::milliseconds timeout) override;
    [[nodiscard]] std::string describe() const override;

    struct Impl;

private:
    explicit TlsDialer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

} // namespace gw::link
