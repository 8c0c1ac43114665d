// SPDX-License-Identifier: Apache-2.0
// scrypt password hashing (OpenSSL EVP_PBE_scrypt), the role table, and the session store.
#include <charconv>
#include <vector>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <gw/host/auth.h>

namespace gw::host {
namespace {

constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;

std::string toHex(const std::vector<unsigned char>& bytes)
{
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char b : bytes) {
        out.push_back(kHex[b >> 4]);
        out.push_back(kHex[b & 0x0F]);
    }
    return out;
}

std::optional<std::vector<unsigned char>> fromHex(std::string_view hex)
{
    if (hex.size() % 2 != 0)
        return std::nullopt;
    std::vector<unsigned char> out(hex.size() / 2);
    for (std::size_t i = 0; i < out.size(); ++i) {
        unsigned v = 0;
        const auto r = std::from_chars(hex.data() + 2 * i, hex.data() + 2 * i + 2, v, 16);
        if (r.ec != std::errc() || r.ptr != hex.data() + 2 * i + 2)
            return std::nullopt;
        out[i] = static_cast<unsigned char>(v);
    }
    return out;
}

bool paramsValid(const KdfParams& p)
{
    return p.log2N >= 10 && p.log2N <= 20 && p.r >= 1 && p.r <= 32 && p.p >= 1 && p.p <= 16;
}

Result<std::vector<unsigned char>> derive(std::string_view password, const std::vector<unsigned char>& salt,
                                          const KdfParams& params, std::size_t length)
{
    std::vector<unsigned char> out(length);
    const std::uint64_t n = 1ull << params.log2N;
    // scrypt needs 128 * N * r bytes (+ p * 128 * r); allow twice that so OpenSSL's own cap never bites.
    const std::uint64_t maxMem = 2 * (128ull * n * static_cast<std::uint64_t>(params.r) +
                                      128ull * static_cast<std::uint64_t>(params.r * params.p)) +
                                 (1u << 20);
    if (EVP_PBE_scrypt(password.data(), password.size(), salt.data(), salt.size(), n,
                       static_cast<std::uint64_t>(params.r), static_cast<std::uint64_t>(params.p), maxMem,
                       out.data(), out.size()) != 1)
        return fail(Errc::Internal, "scrypt failed");
    return out;
}

} // namespace

Result<std::string> randomHex(std::size_t bytes)
{
    std::vector<unsigned char> buf(bytes);
    if (RAND_bytes(buf.data(), static_cast<int>(buf.size())) != 1)
        return fail(Errc::Internal, "no random bytes from OpenSSL");
    return toHex(buf);
}

Result<std::string> hashPassword(std::string_view password, const KdfParams& params)
{
    if (!paramsValid(params))
        return fail(Errc::InvalidArgument, "scrypt parameters out of range");
    if (password.size() > kMaxPasswordLength)
        return fail(Errc::InvalidArgument,
                    "password longer than " + std::to_string(kMaxPasswordLength) + " bytes");
    std::vector<unsigned char> salt(kSaltBytes);
    if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1)
        return fail(Errc::Internal, "no random bytes for the salt");
    auto hash = derive(password, salt, params, kHashBytes);
    if (!hash)
        return std::unexpected(hash.error());
    return "scrypt$" + std::to_string(params.log2N) + "$" + std::to_string(params.r) + "$" +
           std::to_string(params.p) + "$" + toHex(salt) + "$" + toHex(*hash);
}

Result<bool> verifyPassword(std::string_view password, std::string_view encoded)
{
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (parts.size() < 7) {
        const auto pos = encoded.find('$', start);
        parts.push_back(
            encoded.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
        if (pos == std::string_view::npos)
            break;
        start = pos + 1;
    }
    if (parts.size() != 6 || parts[0] != "scrypt")
        return fail(Errc::InvalidInput, "password hash is not in the scrypt$N$r$p$salt$hash form");
    KdfParams params;
    int* fields[3] = {&params.log2N, &params.r, &params.p};
    for (int i = 0; i < 3; ++i) {
        const auto s = parts[static_cast<std::size_t>(i) + 1];
        const auto r = std::from_chars(s.data(), s.data() + s.size(), *fields[i]);
        if (r.ec != std::errc() || r.ptr != s.data() + s.size())
            return fail(Errc::InvalidInput, "password hash has a malformed parameter");
    }
    if (!paramsValid(params))
        return fail(Errc::InvalidInput, "password hash parameters out of range");
    const auto salt = fromHex(parts[4]);
    const auto expected = fromHex(parts[5]);
    if (!salt || !expected || salt->empty() || expected->size() < 16 || expected->size() > 64)
        return fail(Errc::InvalidInput, "password hash has a malformed salt or hash");
    if (password.size() > kMaxPasswordLength)
        return false;
    auto actual = derive(password, *salt, params, expected->size());
    if (!actual)
        return std::unexpected(actual.error());
    return CRYPTO_memcmp(actual->data(), expected->data(), expected->size()) == 0;
}

bool allowed(Role role, Permission permission) noexcept
{
    switch (permission) {
    case Permission::ReadInspections:
    case Permission::ReadScanners:
    case Permission::ReadStatistics:
        return true;
    case Permission::Decide:
        return role == Role::Officer || role == Role::Supervisor;
    case Permission::ReadAudit:
    case Permission::Export:
        return role == Role::Supervisor || role == Role::Auditor;
    case Permission::ManageUsers:
        return role == Role::Supervisor;
    }
    return false;
}

bool tokensEqual(std::string_view a, std::string_view b) noexcept
{
    if (a.size() != b.size() || a.empty())
        return false;
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

SessionManager::SessionManager(std::int64_t ttlMs, std::size_t maxSessions)
    : ttlMs_(ttlMs > 0 ? ttlMs : 1), maxSessions_(maxSessions > 0 ? maxSessions : 1)
{
}

void SessionManager::evict(std::int64_t nowMs)
{
    for (auto it = sessions_.begin(); it != sessions_.end();) {
        if (it->second.expiresMs <= nowMs)
            it = sessions_.erase(it);
        else
            ++it;
    }
    while (sessions_.size() >= maxSessions_) {
        auto oldest = sessions_.begin();
        for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
            // Anonymous sessions go first: a flood of anonymous visits must not log officers out.
            const bool itAnon = it->second.user.empty();
            const bool oldAnon = oldest->second.user.empty();
            if ((itAnon && !oldAnon) ||
                (itAnon == oldAnon && it->second.expiresMs < oldest->second.expiresMs))
                oldest = it;
        }
        sessions_.erase(oldest);
    }
}

Result<Session> SessionManager::create(std::int64_t nowMs)
{
    auto token = randomHex(32);
    auto csrf = randomHex(32);
    if (!token || !csrf)
        return fail(Errc::Internal, "no random bytes for a session");
    Session s{*token, *csrf, {}, std::nullopt, nowMs + ttlMs_};
    std::lock_guard lock(mutex_);
    if (sessions_.size() >= maxSessions_ || sessions_.size() % 256 == 0)
        evict(nowMs);
    sessions_.emplace(s.token, s);
    return s;
}

std::optional<Session> SessionManager::find(std::string_view token, std::int64_t nowMs)
{
    std::lock_guard lock(mutex_);
    const auto it = sessions_.find(token);
    if (it == sessions_.end())
        return std::nullopt;
    if (it->second.expiresMs <= nowMs) {
        sessions_.erase(it);
        return std::nullopt;
    }
    it->second.expiresMs = nowMs + ttlMs_;
    return it->second;
}

Result<Session> SessionManager::login(std::string_view oldToken, const std::string& user, Role role,
                                      std::int64_t nowMs)
{
    remove(oldToken);
    auto s = create(nowMs);
    if (!s)
        return s;
    s->user = user;
    s->role = role;
    std::lock_guard lock(mutex_);
    sessions_[s->token] = *s;
    return s;
}

void SessionManager::remove(std::string_view token)
{
    std::lock_guard lock(mutex_);
    if (const auto it = sessions_.find(token); it != sessions_.end())
        sessions_.erase(it);
}

std::size_t SessionManager::size() const
{
    std::lock_guard lock(mutex_);
    return sessions_.size();
}

} // namespace gw::host
