// SPDX-License-Identifier: Apache-2.0
// SHA-256 hash chain of the audit log (OpenSSL EVP).
#include <array>
#include <memory>

#include <openssl/evp.h>

#include <gw/host/audit.h>

namespace gw::host {
namespace {

struct MdCtxDeleter {
    void operator()(EVP_MD_CTX* ctx) const noexcept { EVP_MD_CTX_free(ctx); }
};

bool update(EVP_MD_CTX* ctx, std::string_view field)
{
    // Length prefix (8 bytes, big-endian) so "ab"+"c" and "a"+"bc" hash differently.
    std::array<unsigned char, 8> len{};
    auto n = static_cast<std::uint64_t>(field.size());
    for (int i = 7; i >= 0; --i) {
        len[static_cast<std::size_t>(i)] = static_cast<unsigned char>(n & 0xFFu);
        n >>= 8;
    }
    return EVP_DigestUpdate(ctx, len.data(), len.size()) == 1 &&
           EVP_DigestUpdate(ctx, field.data(), field.size()) == 1;
}

} // namespace

Result<std::string> auditEntryHash(const AuditEntry& entry)
{
    std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1)
        return fail(Errc::Internal, "audit: cannot initialise SHA-256");
    const std::string seq = std::to_string(entry.seq);
    const std::string time = std::to_string(entry.timeMs);
    const bool ok = update(ctx.get(), "grenswacht.audit/1") && update(ctx.get(), seq) &&
                    update(ctx.get(), time) && update(ctx.get(), entry.actor) &&
                    update(ctx.get(), entry.action) && update(ctx.get(), entry.subject) &&
                    update(ctx.get(), entry.detail) && update(ctx.get(), entry.prevHash);
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int digestLen = 0;
    if (!ok || EVP_DigestFinal_ex(ctx.get(), digest.data(), &digestLen) != 1)
        return fail(Errc::Internal, "audit: SHA-256 failed");
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(static_cast<std::size_t>(digestLen) * 2);
    for (unsigned int i = 0; i < digestLen; ++i) {
        hex.push_back(kHex[digest[i] >> 4]);
        hex.push_back(kHex[digest[i] & 0x0F]);
    }
    return hex;
}

Result<void> AuditChainVerifier::add(const AuditEntry& entry)
{
    ++result_.entries;
    if (result_.firstBadSeq)
        return {};
    const std::int64_t expectedSeq = result_.entries;
    auto breakAt = [&](std::string why) {
        result_.firstBadSeq = entry.seq;
        result_.problem = std::move(why);
    };
    if (entry.seq != expectedSeq) {
        breakAt("entry " + std::to_string(entry.seq) + " found where entry " + std::to_string(expectedSeq) +
                " was expected (an entry was removed or inserted)");
        return {};
    }
    if (entry.prevHash != result_.headHash) {
        breakAt("entry " + std::to_string(entry.seq) +
                " does not link to the previous entry's hash (an earlier entry was changed or removed)");
        return {};
    }
    auto hash = auditEntryHash(entry);
    if (!hash)
        return std::unexpected(hash.error());
    if (*hash != entry.hash) {
        breakAt("entry " + std::to_string(entry.seq) + " was changed after it was written (hash mismatch)");
        return {};
    }
    result_.headHash = entry.hash;
    return {};
}

Result<AuditVerification> verifyAuditChain(std::span<const AuditEntry> entries,
                                           std::optional<std::string> expectedHead)
{
    AuditChainVerifier verifier;
    for (const auto& e : entries) {
        if (auto r = verifier.add(e); !r)
            return std::unexpected(r.error());
    }
    AuditVerification v = verifier.result();
    if (v.intact() && expectedHead && *expectedHead != v.headHash) {
        v.firstBadSeq = v.entries + 1;
        v.problem = "the log ends before the expected head hash (entries were removed at the end)";
    }
    return v;
}

} // namespace gw::host
