// SPDX-License-Identifier: Apache-2.0
// Test support for the link transports: a throw-away PKI made with OpenSSL, and a fault-injecting TCP proxy.
// Not part of the scanner image; linked by tests and benchmarks only.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gw/common/result.h>
#include <gw/link/tls.h>

namespace gw::link::testing {

/// @brief A certificate and its private key, PEM encoded.
struct PemCredential {
    std::string certificatePem;
    std::string privateKeyPem;
};

/// @brief What a certificate is for; sets basicConstraints, keyUsage and extendedKeyUsage.
enum class CertUsage { Ca, Server, Client };

/// @brief One certificate to issue. Keys are ECDSA P-256; signatures SHA-256.
struct CertificateRequest {
    std::string commonName; ///< e.g. "GW-EMU-0001" for a scanner
    CertUsage usage = CertUsage::Client;
    std::vector<std::string> dnsNames;    ///< subjectAltName DNS entries (servers)
    std::vector<std::string> ipAddresses; ///< subjectAltName IP entries (servers), e.g. "127.0.0.1"
    /// [s] validity relative to now: notBefore = now + notBeforeOffset, notAfter = now + notAfterOffset.
    /// An expired certificate: both negative.
    std::chrono::seconds notBeforeOffset{-3600};
    std::chrono::seconds notAfterOffset{std::chrono::hours(24 * 365)};
};

/// @brief A self-signed CA certificate with a fresh key.
[[nodiscard]] Result<PemCredential> makeCa(const std::string& commonName);

/// @brief A certificate signed by @p ca with a fresh key.
[[nodiscard]] Result<PemCredential> issueCertificate(const PemCredential& ca,
                                                     const CertificateRequest& request);

/// @brief Writes the certificate to @p certFile and the key to @p keyFile (mode 0600).
[[nodiscard]] Result<void> writeCredential(const PemCredential& credential,
                                           const std::filesystem::path& certFile,
                                           const std::filesystem::path& keyFile);

/// @brief Files of a test PKI (same layout as scripts/make-test-pki.sh).
struct TestPki {
    std::filesystem::path directory;
    PemCredential ca;
    TlsCredentials host;                  ///< host.crt/host.key: CN "gw-host", SAN localhost, 127.0.0.1, ::1
    std::vector<TlsCredentials> scanners; ///< <deviceId>.crt/.key: CN = device id, clientAuth
};

/// @brief Makes ca.crt/ca.key, host.crt/host.key and one <id>.crt/<id>.key per id in @p directory.
[[nodiscard]] Result<TestPki> makeTestPki(const std::filesystem::path& directory,
                                          const std::vector<std::string>& deviceIds);

/// @brief Faults applied to the bytes a FaultProxy forwards.
struct FaultSettings {
    double flipProbability = 0.0; ///< per forwarded chunk: chance to invert one random byte, [0, 1]
    double cutProbability = 0.0;  ///< per forwarded chunk: chance to cut that connection instead, [0, 1]
};

/// @brief A TCP proxy on 127.0.0.1 in front of an upstream server that flips bytes and cuts connections
/// at random (seeded: runs are reproducible). One thread; every wait bounded.
class FaultProxy {
public:
    /// @return the running proxy; Errc::Io when it cannot listen
    [[nodiscard]] static Result<std::unique_ptr<FaultProxy>>
    create(std::uint16_t upstreamPort, std::uint64_t seed, const FaultSettings& faults = {});
    ~FaultProxy();
    FaultProxy(const FaultProxy&) = delete;
    FaultProxy& operator=(const FaultProxy&) = delete;

    [[nodiscard]] std::uint16_t port() const noexcept;
    /// @brief Changes the faults applied from now on.
    void setFaults(const FaultSettings& faults);
    /// @brief Cuts every open connection now.
    void cutAll();
    /// @brief Counters since creation.
    struct Stats {
        std::uint64_t connections = 0;
        std::uint64_t flips = 0;
        std::uint64_t cuts = 0;
        std::uint64_t bytes = 0;
    };
    [[nodiscard]] Stats stats() const;

    struct Impl;

private:
    explicit FaultProxy(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

} // namespace gw::link::testing
