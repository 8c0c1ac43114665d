// SPDX-License-Identifier: Apache-2.0
// Station security: scrypt password hashes, roles and their permissions, sessions with CSRF tokens.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include <gw/common/result.h>
#include <gw/host/store.h>

namespace gw::host {

/// @brief scrypt cost. The defaults (N = 2^15, r = 8, p = 1: 32 MiB, ~0.1 s) follow OWASP's minimum for
/// scrypt; tests may lower them, stored hashes carry their own parameters.
struct KdfParams {
    int log2N = 15; ///< N = 2^log2N, 10..20
    int r = 8;      ///< block size, 1..32
    int p = 1;      ///< parallelism, 1..16
};

/// @brief Shortest password accepted for a new user. [characters]
inline constexpr std::size_t kMinPasswordLength = 10;
/// @brief Longest password looked at (longer ones are refused before hashing). [bytes]
inline constexpr std::size_t kMaxPasswordLength = 1024;

/// @brief Hashes @p password with scrypt and a fresh 16-byte salt.
/// @return "scrypt$<log2N>$<r>$<p>$<salt hex>$<hash hex>"; Errc::InvalidArgument for parameters out of
///         range or a password longer than kMaxPasswordLength; Errc::Internal when OpenSSL fails
[[nodiscard]] Result<std::string> hashPassword(std::string_view password, const KdfParams& params = {});

/// @brief Checks @p password against @p encoded (from hashPassword) in constant time.
/// @return true/false; Errc::InvalidInput for a malformed or out-of-range encoded hash
[[nodiscard]] Result<bool> verifyPassword(std::string_view password, std::string_view encoded);

/// @brief @p bytes random bytes (OpenSSL's CSPRNG) as lower-case hex. @return Errc::Internal on failure
[[nodiscard]] Result<std::string> randomHex(std::size_t bytes);

/// @brief What a request may need.
enum class Permission {
    ReadInspections, ///< queue, detail, images, search
    Decide,          ///< record a decision
    ReadScanners,
    ReadStatistics,
    ReadAudit,   ///< audit log and its verification
    ManageUsers, ///< list and add users
    Export,
};

/// @brief The role table. Officer: read, decide, scanners, statistics. Supervisor: all. Auditor: all reads
/// (audit included) and export, no decisions and no user management.
[[nodiscard]] bool allowed(Role role, Permission permission) noexcept;

/// @brief One browser session. Anonymous until login (user empty); the CSRF token is per session.
struct Session {
    std::string token;     ///< the cookie value (256 random bits, hex)
    std::string csrfToken; ///< must accompany every state-changing request
    std::string user;      ///< empty when not logged in
    std::optional<Role> role;
    std::int64_t expiresMs = 0; ///< [ms] since the epoch; sliding, renewed by use
};

/// @brief In-memory sessions with a bounded count and a sliding lifetime. Thread-safe.
class SessionManager {
public:
    /// @param ttlMs [ms] lifetime without use, > 0; @param maxSessions > 0 (the oldest is dropped beyond)
    explicit SessionManager(std::int64_t ttlMs = 8LL * 3600 * 1000, std::size_t maxSessions = 10000);

    /// @brief A new anonymous session. @return Errc::Internal when no random bytes could be had
    [[nodiscard]] Result<Session> create(std::int64_t nowMs);
    /// @brief The live session for @p token (renewing it), std::nullopt when unknown or expired.
    [[nodiscard]] std::optional<Session> find(std::string_view token, std::int64_t nowMs);
    /// @brief Logs @p user in: the old session (if any) ends and a new one with fresh tokens starts, so a
    /// token planted before login is worthless after it (session fixation).
    [[nodiscard]] Result<Session> login(std::string_view oldToken, const std::string& user, Role role,
                                        std::int64_t nowMs);
    /// @brief Ends the session (logout).
    void remove(std::string_view token);
    [[nodiscard]] std::size_t size() const;

private:
    void evict(std::int64_t nowMs);

    std::int64_t ttlMs_;
    std::size_t maxSessions_;
    mutable std::mutex mutex_;
    std::map<std::string, Session, std::less<>> sessions_;
};

/// @brief Constant-time comparison of two tokens.
[[nodiscard]] bool tokensEqual(std::string_view a, std::string_view b) noexcept;

} // namespace gw::host
