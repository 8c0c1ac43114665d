// SPDX-License-Identifier: Apache-2.0
// OpenSSL adapter: the in-memory trust store and ECDSA verification of VDS and VDS-NC seals.
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <ctime>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <gw/vision/seal.h>

#include "seal/seal_internal.h"

namespace gw::vision {
namespace {

constexpr std::size_t kMaxCertificateBlobBytes = 1 << 20;

template <typename T, void (*Free)(T*)>
struct Deleter {
    void operator()(T* p) const noexcept { Free(p); }
};
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;

void opensslFree(char* p)
{
    OPENSSL_free(p);
}
using OsslStr = std::unique_ptr<char, Deleter<char, opensslFree>>;
void opensslFreeBytes(unsigned char* p)
{
    OPENSSL_free(p);
}

std::string nameEntry(const X509_NAME* name, int nid)
{
    const int idx = X509_NAME_get_index_by_NID(name, nid, -1);
    if (idx < 0)
        return {};
    const ASN1_STRING* s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
    if (!s)
        return {};
    return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                       static_cast<std::size_t>(ASN1_STRING_length(s)));
}

std::string oneLine(const X509_NAME* name)
{
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0)
        return {};
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio.get(), &data);
    return n > 0 && data ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

/// Upper-case hex without leading zeros ("0" for zero), so "00027" and "27" compare equal.
std::string normaliseHex(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    const auto first = s.find_first_not_of('0');
    return first == std::string::npos ? "0" : s.substr(first);
}

long long daysOf(const ASN1_TIME* t)
{
    std::tm tm{};
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
        return 0;
    SealDate d{tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
    return d.daysSinceEpoch();
}

std::string isoOfDays(long long days)
{
    // civil_from_days (inverse of SealDate::daysSinceEpoch).
    days += 719468;
    const long long era = (days >= 0 ? days : days - 146096) / 146097;
    const long long doe = days - era * 146097;
    const long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const long long mp = (5 * doy + 2) / 153;
    const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    const int year = static_cast<int>(yoe + era * 400 + (month <= 2 ? 1 : 0));
    return SealDate{year, month, day}.iso();
}

std::string curveName(const EVP_PKEY* key)
{
    char name[80] = {};
    std::size_t len = 0;
    if (EVP_PKEY_get_group_name(key, name, sizeof name, &len) == 1)
        return std::string(name, len);
    return "unknown curve";
}

/// The hash that matches the curve size (BSI TR-03116-2 / ICAO 9303-13 pairing).
const EVP_MD* hashForBits(int bits)
{
    if (bits <= 224)
        return EVP_sha224();
    if (bits <= 256)
        return EVP_sha256();
    if (bits <= 384)
        return EVP_sha384();
    return EVP_sha512();
}

/// Verifies raw r||s over data. 1 valid, 0 invalid, -1 malformed (sizes, key type).
int verifyRawEcdsa(EVP_PKEY* key, const EVP_MD* md, std::span<const std::uint8_t> data,
                   std::span<const std::uint8_t> rs)
{
    if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC)
        return -1;
    const int bits = EVP_PKEY_get_bits(key);
    const std::size_t half = static_cast<std::size_t>((bits + 7) / 8);
    if (rs.size() != 2 * half)
        return -1;
    BnPtr r(BN_bin2bn(rs.data(), static_cast<int>(half), nullptr));
    BnPtr s(BN_bin2bn(rs.data() + half, static_cast<int>(half), nullptr));
    EcdsaSigPtr sig(ECDSA_SIG_new());
    if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1)
        return -1;
    // ECDSA_SIG owns r and s now.
    (void)r.release();
    (void)s.release();
    unsigned char* der = nullptr;
    const int derLen = i2d_ECDSA_SIG(sig.get(), &der);
    if (derLen <= 0)
        return -1;
    std::unique_ptr<unsigned char, Deleter<unsigned char, opensslFreeBytes>> derOwner(der);
    MdCtxPtr ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key) != 1)
        return -1;
    const int rc =
        EVP_DigestVerify(ctx.get(), der, static_cast<std::size_t>(derLen), data.data(), data.size());
    ERR_clear_error();
    return rc == 1 ? 1 : 0;
}

} // namespace

struct TrustStore::Impl {
    struct Entry {
        X509Ptr cert;
        std::string signerId;  ///< country + CN
        std::string serialHex; ///< normalised
        std::string subject;
        std::string curve;
        long long notBeforeDays = 0;
        long long notAfterDays = 0;
    };
    std::vector<Entry> entries;
    std::vector<std::string> warnings;
};

TrustStore::TrustStore() : impl_(std::make_shared<const Impl>()) {}
TrustStore::TrustStore(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

Result<TrustStore> TrustStore::fromCertificates(std::span<const CertificateBlob> blobs)
{
    auto impl = std::make_shared<Impl>();
    for (const auto& blob : blobs) {
        if (blob.bytes.size() > kMaxCertificateBlobBytes)
            return fail(Errc::InvalidArgument, "certificate " + blob.origin + " is larger than 1 MiB");
        std::vector<X509Ptr> certs;
        const std::string_view text(reinterpret_cast<const char*>(blob.bytes.data()), blob.bytes.size());
        if (text.find("-----BEGIN") != std::string_view::npos) {
            BioPtr bio(BIO_new_mem_buf(blob.bytes.data(), static_cast<int>(blob.bytes.size())));
            while (bio) {
                X509Ptr c(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
                if (!c)
                    break;
                certs.push_back(std::move(c));
            }
        } else if (!blob.bytes.empty()) {
            const unsigned char* p = blob.bytes.data();
            X509Ptr c(d2i_X509(nullptr, &p, static_cast<long>(blob.bytes.size())));
            if (c)
                certs.push_back(std::move(c));
        }
        ERR_clear_error();
        if (certs.empty()) {
            impl->warnings.push_back(blob.origin + ": no X.509 certificate (PEM or DER) found");
            continue;
        }
        for (auto& c : certs) {
            Impl::Entry e;
            const X509_NAME* subject = X509_get_subject_name(c.get());
            e.signerId = nameEntry(subject, NID_countryName) + nameEntry(subject, NID_commonName);
            e.subject = oneLine(subject);
            if (const ASN1_INTEGER* serial = X509_get0_serialNumber(c.get())) {
                BnPtr bn(ASN1_INTEGER_to_BN(serial, nullptr));
                OsslStr hex(bn ? BN_bn2hex(bn.get()) : nullptr);
                e.serialHex = normaliseHex(hex ? hex.get() : "");
            }
            e.notBeforeDays = daysOf(X509_get0_notBefore(c.get()));
            e.notAfterDays = daysOf(X509_get0_notAfter(c.get()));
            if (EVP_PKEY* key = X509_get0_pubkey(c.get()))
                e.curve = curveName(key);
            e.cert = std::move(c);
            impl->entries.push_back(std::move(e));
        }
    }
    ERR_clear_error();
    return TrustStore(std::move(impl));
}

std::size_t TrustStore::size() const noexcept
{
    return impl_->entries.size();
}

std::vector<std::string> TrustStore::describe() const
{
    std::vector<std::string> out;
    for (const auto& e : impl_->entries)
        out.push_back(e.signerId + "/" + e.serialHex + " (" + e.curve + ", valid " +
                      isoOfDays(e.notBeforeDays) + ".." + isoOfDays(e.notAfterDays) + ")");
    return out;
}

const std::vector<std::string>& TrustStore::warnings() const noexcept
{
    return impl_->warnings;
}

std::string_view signatureStatusName(SignatureStatus s) noexcept
{
    switch (s) {
    case SignatureStatus::Valid:
        return "valid";
    case SignatureStatus::Invalid:
        return "invalid";
    case SignatureStatus::SignerUnknown:
        return "signer_unknown";
    case SignatureStatus::CertificateInvalid:
        return "certificate_invalid";
    case SignatureStatus::Malformed:
        return "malformed";
    }
    return "malformed";
}

namespace {

SealVerification verifyVds(const Seal& seal, const TrustStore::Impl& store)
{
    SealVerification v;
    const std::string wantRef = normaliseHex(seal.header.certificateReference);
    const std::string who = seal.header.signerIdentifier + "/" + seal.header.certificateReference;
    const long long sigDay = seal.header.signatureDate.daysSinceEpoch();
    bool anyCandidate = false;
    bool outsideValidity = false;
    std::string validityText;
    for (const auto& e : store.entries) {
        if (e.signerId != seal.header.signerIdentifier || e.serialHex != wantRef)
            continue;
        anyCandidate = true;
        if (sigDay < e.notBeforeDays || sigDay > e.notAfterDays) {
            outsideValidity = true;
            validityText = isoOfDays(e.notBeforeDays) + ".." + isoOfDays(e.notAfterDays);
            continue;
        }
        EVP_PKEY* key = X509_get0_pubkey(e.cert.get());
        v.signerSubject = e.subject;
        v.curve = e.curve;
        if (!key) {
            v.status = SignatureStatus::Malformed;
            v.detail = "signer certificate " + who + " has no usable public key";
            continue;
        }
        const EVP_MD* md = hashForBits(EVP_PKEY_get_bits(key));
        v.hash = EVP_MD_get0_name(md);
        const int rc = verifyRawEcdsa(key, md, seal.signedBytes, seal.signature);
        if (rc == 1) {
            v.status = SignatureStatus::Valid;
            v.detail = "signature valid: signer " + who + " (" + e.curve + ", " + v.hash + ")";
            return v;
        }
        if (rc < 0) {
            v.status = SignatureStatus::Malformed;
            v.detail = "signature of " + std::to_string(seal.signature.size()) + " bytes does not fit the " +
                       e.curve + " key of " + who;
        } else {
            v.status = SignatureStatus::Invalid;
            v.detail =
                "signature does not verify with the key of " + who + " (" + e.curve + ", " + v.hash + ")";
        }
    }
    if (!anyCandidate) {
        v.status = SignatureStatus::SignerUnknown;
        v.detail = "no certificate for signer " + who + " in the trust store";
    } else if (outsideValidity && v.hash.empty()) {
        v.status = SignatureStatus::CertificateInvalid;
        v.detail = "certificate of " + who + " (valid " + validityText +
                   ") was not valid on the signature date " + seal.header.signatureDate.iso();
    }
    return v;
}

SealVerification verifyVdsNc(const Seal& seal, const TrustStore::Impl& store)
{
    SealVerification v;
    const unsigned char* p = seal.embeddedCertificate.data();
    X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(seal.embeddedCertificate.size())));
    ERR_clear_error();
    if (!cert) {
        v.status = SignatureStatus::Malformed;
        v.detail = "VDS-NC embedded certificate is not DER X.509";
        return v;
    }
    v.signerSubject = oneLine(X509_get_subject_name(cert.get()));
    const TrustStore::Impl::Entry* issuer = nullptr;
    bool nameMatched = false;
    for (const auto& e : store.entries) {
        if (X509_check_issued(e.cert.get(), cert.get()) != X509_V_OK)
            continue;
        nameMatched = true;
        EVP_PKEY* issuerKey = X509_get0_pubkey(e.cert.get());
        if (issuerKey && X509_verify(cert.get(), issuerKey) == 1) {
            issuer = &e;
            break;
        }
    }
    ERR_clear_error();
    if (!issuer) {
        v.status = nameMatched ? SignatureStatus::CertificateInvalid : SignatureStatus::SignerUnknown;
        v.detail = nameMatched
                       ? "VDS-NC certificate " + v.signerSubject + " is not signed by its named issuer"
                       : "no issuer of VDS-NC certificate " + v.signerSubject + " in the trust store";
        return v;
    }
    EVP_PKEY* key = X509_get0_pubkey(cert.get());
    const EVP_MD* md = nullptr;
    if (seal.signatureAlgorithm == "ES256")
        md = EVP_sha256();
    else if (seal.signatureAlgorithm == "ES384")
        md = EVP_sha384();
    else if (seal.signatureAlgorithm == "ES512")
        md = EVP_sha512();
    if (!key || !md) {
        v.status = SignatureStatus::Malformed;
        v.detail = "VDS-NC algorithm '" + seal.signatureAlgorithm + "' is not supported (ES256/384/512)";
        return v;
    }
    v.curve = curveName(key);
    v.hash = EVP_MD_get0_name(md);
    const int rc = verifyRawEcdsa(key, md, seal.signedBytes, seal.signature);
    v.status =
        rc == 1 ? SignatureStatus::Valid : (rc < 0 ? SignatureStatus::Malformed : SignatureStatus::Invalid);
    v.detail = rc == 1 ? "VDS-NC signature valid: " + v.signerSubject + " issued by " + issuer->subject
                       : "VDS-NC signature does not verify with the key of " + v.signerSubject;
    return v;
}

} // namespace

SealVerification verifySeal(const Seal& seal, const TrustStore& trust)
{
    try {
        return seal.kind == SealKind::Vds ? verifyVds(seal, trust.impl()) : verifyVdsNc(seal, trust.impl());
    } catch (const std::exception& e) {
        ERR_clear_error();
        SealVerification v;
        v.status = SignatureStatus::Malformed;
        v.detail = std::string("verification failed: ") + e.what();
        return v;
    }
}

} // namespace gw::vision
