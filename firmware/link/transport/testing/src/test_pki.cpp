// SPDX-License-Identifier: Apache-2.0
// Test PKI made in-process with OpenSSL: CA, host and scanner certificates, including expired ones.
#include <fstream>
#include <system_error>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <gw/link/testing.h>

namespace gw::link::testing {
namespace {

struct X509Deleter {
    void operator()(X509* x) const noexcept { X509_free(x); }
};
struct KeyDeleter {
    void operator()(EVP_PKEY* k) const noexcept { EVP_PKEY_free(k); }
};
struct BioDeleter {
    void operator()(BIO* b) const noexcept { BIO_free(b); }
};
struct ExtDeleter {
    void operator()(X509_EXTENSION* e) const noexcept { X509_EXTENSION_free(e); }
};
using X509Ptr = std::unique_ptr<X509, X509Deleter>;
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyDeleter>;
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

std::string sslErrors()
{
    std::string text;
    while (const unsigned long code = ERR_get_error()) {
        char buffer[256];
        ERR_error_string_n(code, buffer, sizeof buffer);
        text += text.empty() ? "" : "; ";
        text += buffer;
    }
    return text.empty() ? "unknown OpenSSL error" : text;
}

std::unexpected<Error> sslFail(const std::string& what)
{
    return fail(Errc::Internal, what + ": " + sslErrors());
}

Result<std::string> toPem(X509* cert, EVP_PKEY* key)
{
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio)
        return sslFail("BIO_new");
    const int ok = cert != nullptr
                       ? PEM_write_bio_X509(bio.get(), cert)
                       : PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
    if (ok != 1)
        return sslFail("PEM write");
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(length));
}

Result<void> addExtension(X509* cert, X509* issuer, int nid, const std::string& value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    std::unique_ptr<X509_EXTENSION, ExtDeleter> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
    if (!ext || X509_add_ext(cert, ext.get(), -1) != 1)
        return sslFail("extension " + std::string(OBJ_nid2sn(nid)) + "=" + value);
    return {};
}

/// Builds and signs one certificate; @p issuer/@p issuerKey null means self-signed.
Result<PemCredential> build(const CertificateRequest& request, X509* issuer, EVP_PKEY* issuerKey)
{
    ERR_clear_error();
    KeyPtr key(EVP_EC_gen("P-256"));
    X509Ptr cert(X509_new());
    if (!key || !cert)
        return sslFail("key or certificate allocation");
    std::uint64_t serial = 0;
    if (RAND_bytes(reinterpret_cast<unsigned char*>(&serial), sizeof serial) != 1)
        return sslFail("RAND_bytes");
    serial >>= 1; // positive
    if (X509_set_version(cert.get(), 2) != 1 ||
        ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert.get()), serial) != 1 ||
        X509_gmtime_adj(X509_getm_notBefore(cert.get()),
                        static_cast<long>(request.notBeforeOffset.count())) == nullptr ||
        X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(request.notAfterOffset.count())) ==
            nullptr ||
        X509_set_pubkey(cert.get(), key.get()) != 1)
        return sslFail("certificate fields");
    X509_NAME* name = X509_get_subject_name(cert.get());
    if (X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>("Grenswacht test"), -1, -1,
                                   0) != 1 ||
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(request.commonName.c_str()), -1, -1,
                                   0) != 1)
        return sslFail("subject name");
    X509* signer = issuer != nullptr ? issuer : cert.get();
    if (X509_set_issuer_name(cert.get(), X509_get_subject_name(signer)) != 1)
        return sslFail("issuer name");

    std::vector<std::pair<int, std::string>> extensions;
    switch (request.usage) {
    case CertUsage::Ca:
        extensions = {{NID_basic_constraints, "critical,CA:TRUE"},
                      {NID_key_usage, "critical,keyCertSign,cRLSign"}};
        break;
    case CertUsage::Server:
        extensions = {{NID_basic_constraints, "critical,CA:FALSE"},
                      {NID_key_usage, "critical,digitalSignature"},
                      {NID_ext_key_usage, "serverAuth"}};
        break;
    case CertUsage::Client:
        extensions = {{NID_basic_constraints, "critical,CA:FALSE"},
                      {NID_key_usage, "critical,digitalSignature"},
                      {NID_ext_key_usage, "clientAuth"}};
        break;
    }
    std::string san;
    for (const auto& dns : request.dnsNames)
        san += (san.empty() ? "DNS:" : ",DNS:") + dns;
    for (const auto& ip : request.ipAddresses)
        san += (san.empty() ? "IP:" : ",IP:") + ip;
    if (!san.empty())
        extensions.emplace_back(NID_subject_alt_name, san);
    extensions.emplace_back(NID_subject_key_identifier, "hash");
    for (const auto& [nid, value] : extensions)
        if (auto ok = addExtension(cert.get(), signer, nid, value); !ok)
            return std::unexpected(ok.error());
    if (issuer != nullptr)
        if (auto ok = addExtension(cert.get(), issuer, NID_authority_key_identifier, "keyid"); !ok)
            return std::unexpected(ok.error());

    if (X509_sign(cert.get(), issuerKey != nullptr ? issuerKey : key.get(), EVP_sha256()) == 0)
        return sslFail("X509_sign");
    auto certPem = toPem(cert.get(), nullptr);
    auto keyPem = toPem(nullptr, key.get());
    if (!certPem || !keyPem)
        return std::unexpected(!certPem ? certPem.error() : keyPem.error());
    return PemCredential{std::move(*certPem), std::move(*keyPem)};
}

Result<void> writeText(const std::filesystem::path& file, const std::string& text,
                       std::filesystem::perms perms)
{
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out)
        return fail(Errc::Io, "cannot write " + file.string());
    std::error_code ec;
    std::filesystem::permissions(file, perms, ec);
    if (ec)
        return fail(Errc::Io, "cannot set permissions of " + file.string() + ": " + ec.message());
    return {};
}

} // namespace

Result<PemCredential> makeCa(const std::string& commonName)
{
    CertificateRequest request;
    request.commonName = commonName;
    request.usage = CertUsage::Ca;
    request.notAfterOffset = std::chrono::hours(24 * 3650);
    return build(request, nullptr, nullptr);
}

Result<PemCredential> issueCertificate(const PemCredential& ca, const CertificateRequest& request)
{
    ERR_clear_error();
    BioPtr certBio(BIO_new_mem_buf(ca.certificatePem.data(), static_cast<int>(ca.certificatePem.size())));
    BioPtr keyBio(BIO_new_mem_buf(ca.privateKeyPem.data(), static_cast<int>(ca.privateKeyPem.size())));
    if (!certBio || !keyBio)
        return sslFail("BIO_new_mem_buf");
    X509Ptr caCert(PEM_read_bio_X509(certBio.get(), nullptr, nullptr, nullptr));
    KeyPtr caKey(PEM_read_bio_PrivateKey(keyBio.get(), nullptr, nullptr, nullptr));
    if (!caCert || !caKey)
        return fail(Errc::InvalidArgument, "CA credential is not valid PEM: " + sslErrors());
    return build(request, caCert.get(), caKey.get());
}

Result<void> writeCredential(const PemCredential& credential, const std::filesystem::path& certFile,
                             const std::filesystem::path& keyFile)
{
    using P = std::filesystem::perms;
    if (auto ok = writeText(keyFile, credential.privateKeyPem, P::owner_read | P::owner_write); !ok)
        return ok;
    return writeText(certFile, credential.certificatePem,
                     P::owner_read | P::owner_write | P::group_read | P::others_read);
}

Result<TestPki> makeTestPki(const std::filesystem::path& directory, const std::vector<std::string>& deviceIds)
{
    std::error_code ec;
    std::filesystem::create_directories(directory, ec);
    if (ec)
        return fail(Errc::Io, "cannot create " + directory.string() + ": " + ec.message());
    TestPki pki;
    pki.directory = directory;
    auto ca = makeCa("Grenswacht Test CA");
    if (!ca)
        return std::unexpected(ca.error());
    pki.ca = *ca;
    if (auto ok = writeCredential(pki.ca, directory / "ca.crt", directory / "ca.key"); !ok)
        return std::unexpected(ok.error());

    CertificateRequest hostRequest;
    hostRequest.commonName = "gw-host";
    hostRequest.usage = CertUsage::Server;
    hostRequest.dnsNames = {"localhost", "gw-host"};
    hostRequest.ipAddresses = {"127.0.0.1", "::1"};
    auto host = issueCertificate(pki.ca, hostRequest);
    if (!host)
        return std::unexpected(host.error());
    pki.host = {directory / "ca.crt", directory / "host.crt", directory / "host.key"};
    if (auto ok = writeCredential(*host, pki.host.certFile, pki.host.keyFile); !ok)
        return std::unexpected(ok.error());

    for (const auto& id : deviceIds) {
        CertificateRequest request;
        request.commonName = id;
        request.usage = CertUsage::Client;
        auto scanner = issueCertificate(pki.ca, request);
        if (!scanner)
            return std::unexpected(scanner.error());
        TlsCredentials files{directory / "ca.crt", directory / (id + ".crt"), directory / (id + ".key")};
        if (auto ok = writeCredential(*scanner, files.certFile, files.keyFile); !ok)
            return std::unexpected(ok.error());
        pki.scanners.push_back(files);
    }
    return pki;
}

} // namespace gw::link::testing
