// SPDX-License-Identifier: Apache-2.0
// Seal writer: header/feature encoding, ECDSA signing with OpenSSL, DataMatrix/QR rendering with ZXing.
#define ZX_USE_UTF8 1

#include "gw/specimen/seal_writer.h"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include <ZXing/BitMatrix.h>
#include <ZXing/MultiFormatWriter.h>
#include <nlohmann/json.hpp>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace gw::specimen {
namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
    void operator()(T* p) const noexcept { Free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;

std::string opensslError(const std::string& what)
{
    const unsigned long e = ERR_get_error();
    ERR_clear_error();
    char buf[256] = {};
    if (e != 0)
        ERR_error_string_n(e, buf, sizeof buf);
    return what + (e != 0 ? std::string(": ") + buf : std::string());
}

std::string bioText(BIO* bio)
{
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    return n > 0 && data ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

std::string asn1Time(const vision::SealDate& d)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d%02d%02d000000Z", d.year, d.month, d.day);
    return buf;
}

void appendDerLength(std::vector<std::uint8_t>& out, std::size_t n)
{
    if (n < 0x80) {
        out.push_back(static_cast<std::uint8_t>(n));
    } else if (n < 0x100) {
        out.push_back(0x81);
        out.push_back(static_cast<std::uint8_t>(n));
    } else {
        out.push_back(0x82);
        out.push_back(static_cast<std::uint8_t>(n >> 8));
        out.push_back(static_cast<std::uint8_t>(n & 0xFF));
    }
}

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

std::string base64Url(std::span<const std::uint8_t> in)
{
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    unsigned acc = 0;
    int bits = 0;
    for (const auto b : in) {
        acc = (acc << 8) | b;
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out.push_back(kAlphabet[(acc >> bits) & 0x3Fu]);
        }
    }
    if (bits > 0)
        out.push_back(kAlphabet[(acc << (6 - bits)) & 0x3Fu]);
    return out;
}

cv::Mat toMat(const ZXing::BitMatrix& bits, int modulePx)
{
    cv::Mat img(bits.height() * modulePx, bits.width() * modulePx, CV_8UC1, cv::Scalar(255));
    for (int y = 0; y < bits.height(); ++y)
        for (int x = 0; x < bits.width(); ++x)
            if (bits.get(x, y))
                img(cv::Rect(x * modulePx, y * modulePx, modulePx, modulePx)).setTo(0);
    return img;
}

} // namespace

struct SealSigner::Impl {
    PkeyPtr key;
    X509Ptr cert;
    std::string signerId;
    std::string reference;
};

namespace {

std::string nameEntry(X509_NAME* name, int nid)
{
    const int idx = X509_NAME_get_index_by_NID(name, nid, -1);
    if (idx < 0)
        return {};
    const ASN1_STRING* s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
    return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                       static_cast<std::size_t>(ASN1_STRING_length(s)));
}

void fillIdentity(SealSigner::Impl& impl)
{
    X509_NAME* subject = X509_get_subject_name(impl.cert.get());
    impl.signerId = nameEntry(subject, NID_countryName) + nameEntry(subject, NID_commonName);
    BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(impl.cert.get()), nullptr);
    char* hex = bn ? BN_bn2hex(bn) : nullptr;
    std::string s = hex ? hex : "0";
    OPENSSL_free(hex);
    BN_free(bn);
    const auto first = s.find_first_not_of('0');
    impl.reference = first == std::string::npos ? "0" : s.substr(first);
}

} // namespace

Result<SealSigner> SealSigner::generate(const SignerSpec& spec, const SealSigner* issuer)
{
    if (spec.country.size() != 2 || spec.commonName.size() != 2)
        return fail(Errc::InvalidArgument, "seal signer country and common name must be two letters each");
    auto impl = std::make_shared<Impl>();
    impl->key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", spec.curve.c_str()));
    if (!impl->key)
        return fail(Errc::InvalidArgument, opensslError("cannot make an EC key on curve " + spec.curve));
    impl->cert.reset(X509_new());
    X509* c = impl->cert.get();
    X509_NAME* name = X509_get_subject_name(c);
    auto addEntry = [&](const char* field, const std::string& value) {
        return X509_NAME_add_entry_by_txt(name, field, MBSTRING_ASC,
                                          reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1,
                                          0) == 1;
    };
    const EVP_PKEY* signKey = issuer ? issuer->impl_->key.get() : impl->key.get();
    bool ok =
        c && X509_set_version(c, 2) == 1 &&
        ASN1_INTEGER_set(X509_get_serialNumber(c), static_cast<long>(spec.serial)) == 1 &&
        addEntry("C", spec.country) && addEntry("CN", spec.commonName) &&
        X509_set_issuer_name(c, issuer ? X509_get_subject_name(issuer->impl_->cert.get()) : name) == 1 &&
        ASN1_TIME_set_string_X509(X509_getm_notBefore(c), asn1Time(spec.notBefore).c_str()) == 1 &&
        ASN1_TIME_set_string_X509(X509_getm_notAfter(c), asn1Time(spec.notAfter).c_str()) == 1 &&
        X509_set_pubkey(c, impl->key.get()) == 1;
    ok = ok && X509_sign(c, const_cast<EVP_PKEY*>(signKey), EVP_sha256()) > 0;
    if (!ok)
        return fail(Errc::Internal, opensslError("cannot build the test signer certificate"));
    fillIdentity(*impl);
    return SealSigner(std::move(impl));
}

Result<SealSigner> SealSigner::fromPem(std::string_view privateKeyPem, std::string_view certificatePem)
{
    auto impl = std::make_shared<Impl>();
    BioPtr keyBio(BIO_new_mem_buf(privateKeyPem.data(), static_cast<int>(privateKeyPem.size())));
    BioPtr certBio(BIO_new_mem_buf(certificatePem.data(), static_cast<int>(certificatePem.size())));
    if (keyBio)
        impl->key.reset(PEM_read_bio_PrivateKey(keyBio.get(), nullptr, nullptr, nullptr));
    if (certBio)
        impl->cert.reset(PEM_read_bio_X509(certBio.get(), nullptr, nullptr, nullptr));
    if (!impl->key || !impl->cert)
        return fail(Errc::InvalidInput, opensslError("cannot read the signer key or certificate PEM"));
    if (EVP_PKEY_get_base_id(impl->key.get()) != EVP_PKEY_EC)
        return fail(Errc::InvalidInput, "seal signer key is not an EC key");
    fillIdentity(*impl);
    return SealSigner(std::move(impl));
}

std::vector<std::uint8_t> SealSigner::certificateDer() const
{
    unsigned char* der = nullptr;
    const int n = i2d_X509(impl_->cert.get(), &der);
    std::vector<std::uint8_t> out;
    if (n > 0)
        out.assign(der, der + n);
    OPENSSL_free(der);
    return out;
}

std::string SealSigner::certificatePem() const
{
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_X509(bio.get(), impl_->cert.get()) != 1)
        return {};
    return bioText(bio.get());
}

std::string SealSigner::privateKeyPem() const
{
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio ||
        PEM_write_bio_PrivateKey(bio.get(), impl_->key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
        return {};
    return bioText(bio.get());
}

std::string SealSigner::signerIdentifier() const
{
    return impl_->signerId;
}

std::string SealSigner::certificateReference() const
{
    return impl_->reference;
}

Result<std::vector<std::uint8_t>> SealSigner::signRaw(std::span<const std::uint8_t> data) const
{
    EVP_PKEY* key = impl_->key.get();
    const int bits = EVP_PKEY_get_bits(key);
    const int half = (bits + 7) / 8;
    MdCtxPtr ctx(EVP_MD_CTX_new());
    std::size_t derLen = 0;
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, hashForBits(bits), nullptr, key) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &derLen, data.data(), data.size()) != 1)
        return fail(Errc::Internal, opensslError("cannot start ECDSA signing"));
    std::vector<unsigned char> der(derLen);
    if (EVP_DigestSign(ctx.get(), der.data(), &derLen, data.data(), data.size()) != 1)
        return fail(Errc::Internal, opensslError("ECDSA signing failed"));
    const unsigned char* p = der.data();
    EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(derLen)));
    if (!sig)
        return fail(Errc::Internal, opensslError("cannot read back the ECDSA signature"));
    std::vector<std::uint8_t> rs(static_cast<std::size_t>(2 * half));
    if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), rs.data(), half) != half ||
        BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), rs.data() + half, half) != half)
        return fail(Errc::Internal, "ECDSA r or s longer than the curve size");
    return rs;
}

Result<FeatureSpec> c40Feature(int tag, std::string_view text)
{
    auto bytes = vision::c40Encode(text);
    if (!bytes)
        return std::unexpected(bytes.error());
    return FeatureSpec{tag, std::move(*bytes)};
}

Result<std::vector<std::uint8_t>> encodeSealBody(const SealSpec& spec)
{
    if (spec.version != 3 && spec.version != 4)
        return fail(Errc::InvalidArgument, "seal version must be 3 or 4");
    if (spec.issuingCountry.size() != 3 || spec.signerIdentifier.size() != 4)
        return fail(Errc::InvalidArgument, "issuing country needs 3 characters and signer identifier 4");
    std::vector<std::uint8_t> out = {0xDC, static_cast<std::uint8_t>(spec.version == 3 ? 0x02 : 0x03)};
    auto append = [&](const std::vector<std::uint8_t>& b) {
        out.insert(out.end(), b.begin(), b.end());
    };

    auto country = vision::c40Encode(spec.issuingCountry);
    if (!country)
        return std::unexpected(country.error());
    append(*country);

    std::string signerField;
    if (spec.version == 3) {
        if (spec.certificateReference.size() > 5)
            return fail(Errc::InvalidArgument, "version 3 certificate reference has at most 5 characters");
        signerField = spec.signerIdentifier + std::string(5 - spec.certificateReference.size(), '0') +
                      spec.certificateReference;
    } else {
        if (spec.certificateReference.size() > 0xFF)
            return fail(Errc::InvalidArgument, "certificate reference too long");
        char len[3];
        std::snprintf(len, sizeof len, "%02X", static_cast<unsigned>(spec.certificateReference.size()));
        signerField = spec.signerIdentifier + len + spec.certificateReference;
    }
    auto signer = vision::c40Encode(signerField);
    if (!signer)
        return std::unexpected(signer.error());
    append(*signer);

    for (const auto& date : {spec.issueDate, spec.signatureDate}) {
        auto d = vision::encodeSealDate(date);
        if (!d)
            return std::unexpected(d.error());
        out.insert(out.end(), d->begin(), d->end());
    }
    out.push_back(spec.featureDefinitionReference);
    out.push_back(spec.documentTypeCategory);
    for (const auto& f : spec.features) {
        if (f.tag < 0 || f.tag > 254)
            return fail(Errc::InvalidArgument, "feature tag " + std::to_string(f.tag) + " outside 0-254");
        out.push_back(static_cast<std::uint8_t>(f.tag));
        appendDerLength(out, f.value.size());
        append(f.value);
    }
    return out;
}

Result<std::vector<std::uint8_t>> writeSeal(const SealSpec& spec, const SealSigner& signer)
{
    auto body = encodeSealBody(spec);
    if (!body)
        return std::unexpected(body.error());
    auto sig = signer.signRaw(*body);
    if (!sig)
        return std::unexpected(sig.error());
    body->push_back(0xFF);
    appendDerLength(*body, sig->size());
    body->insert(body->end(), sig->begin(), sig->end());
    return body;
}

namespace {

Result<SealSpec> baseSpec(const SealSigner& signer, vision::SealDate date, std::uint8_t ref,
                          std::uint8_t category)
{
    SealSpec s;
    s.signerIdentifier = signer.signerIdentifier();
    s.certificateReference = signer.certificateReference();
    if (s.signerIdentifier.size() != 4)
        return fail(Errc::InvalidArgument,
                    "signer identifier '" + s.signerIdentifier + "' is not 4 characters");
    s.issueDate = date;
    s.signatureDate = date;
    s.featureDefinitionReference = ref;
    s.documentTypeCategory = category;
    return s;
}

} // namespace

Result<SealSpec> visaSealSpec(std::span<const std::string> mrvbLines, std::string_view passportNumber,
                              int durationDays, const SealSigner& signer, vision::SealDate date)
{
    if (mrvbLines.size() != 2 || mrvbLines[0].size() != 36 || mrvbLines[1].size() != 36)
        return fail(Errc::InvalidArgument, "a visa seal needs the MRV-B MRZ: two lines of 36 characters");
    if (durationDays < 0 || durationDays > 255)
        return fail(Errc::InvalidArgument, "duration of stay in days must be 0-255");
    auto spec = baseSpec(signer, date, 0x5D, 0x01);
    if (!spec)
        return spec;
    // ICAO 9303-13 stores line 2 only up to the optional data (28 characters): 64 characters, 44 bytes.
    auto mrz = c40Feature(2, mrvbLines[0] + mrvbLines[1].substr(0, 28));
    auto number = c40Feature(5, passportNumber);
    if (!mrz || !number)
        return fail(Errc::InvalidArgument, "visa MRZ or passport number is not C40 text");
    spec->features.push_back(std::move(*mrz));
    spec->features.push_back(FeatureSpec{4, {static_cast<std::uint8_t>(durationDays), 0, 0}});
    spec->features.push_back(std::move(*number));
    return spec;
}

Result<SealSpec> residencePermitSealSpec(std::span<const std::string> td2Lines,
                                         std::string_view passportNumber, const SealSigner& signer,
                                         vision::SealDate date)
{
    if (td2Lines.size() != 2 || td2Lines[0].size() != 36 || td2Lines[1].size() != 36)
        return fail(Errc::InvalidArgument, "a residence permit seal needs the TD2 MRZ: two lines of 36");
    auto spec = baseSpec(signer, date, 0xFB, 0x06);
    if (!spec)
        return spec;
    auto mrz = c40Feature(2, td2Lines[0] + td2Lines[1]);
    auto number = c40Feature(3, passportNumber);
    if (!mrz || !number)
        return fail(Errc::InvalidArgument, "residence permit MRZ or passport number is not C40 text");
    spec->features.push_back(std::move(*mrz));
    spec->features.push_back(std::move(*number));
    return spec;
}

Result<std::vector<std::uint8_t>> writeSealWithForgery(SealSpec spec, const SealSigner& signer,
                                                       SealForgery forgery)
{
    if (forgery == SealForgery::MrzMismatch) {
        auto it = std::find_if(spec.features.begin(), spec.features.end(), [&](const FeatureSpec& f) {
            return (f.tag == 1 || f.tag == 2 || f.tag == 4) && f.value.size() >= 40;
        });
        if (it == spec.features.end())
            return fail(Errc::InvalidArgument, "MRZ-mismatch forgery needs a seal with an MRZ feature");
        auto text = vision::c40Decode(it->value);
        if (!text)
            return std::unexpected(text.error());
        // Change the first letter of the name in line 1: the seal stays well-formed and validly signed.
        const std::size_t at = text->find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 5);
        if (at == std::string::npos)
            return fail(Errc::InvalidArgument, "MRZ has no name letter to change");
        (*text)[at] = (*text)[at] == 'X' ? 'Y' : 'X';
        auto changed = vision::c40Encode(*text);
        if (!changed)
            return std::unexpected(changed.error());
        it->value = std::move(*changed);
    }
    auto body = encodeSealBody(spec);
    if (!body)
        return std::unexpected(body.error());
    auto sig = signer.signRaw(*body);
    if (!sig)
        return std::unexpected(sig.error());
    // The middle byte of r||s: the seal still parses, only the signature is wrong.
    if (forgery == SealForgery::FlippedSignatureByte)
        (*sig)[sig->size() / 2] ^= 0x5A;
    body->push_back(0xFF);
    appendDerLength(*body, sig->size());
    body->insert(body->end(), sig->begin(), sig->end());
    return body;
}

Result<std::string> writeVdsNc(std::string_view type, std::string_view issuingCountry,
                               std::string_view messageJson, const SealSigner& signer)
{
    using nlohmann::json;
    const json msg = json::parse(messageJson.begin(), messageJson.end(), nullptr, false);
    if (msg.is_discarded() || !msg.is_object())
        return fail(Errc::InvalidArgument, "VDS-NC message is not a JSON object");
    try {
        json data;
        data["hdr"] = {{"t", std::string(type)}, {"v", 1}, {"is", std::string(issuingCountry)}};
        data["msg"] = msg;
        const std::string canonical = data.dump();
        auto sig = signer.signRaw(
            std::span(reinterpret_cast<const std::uint8_t*>(canonical.data()), canonical.size()));
        if (!sig)
            return std::unexpected(sig.error());
        const auto der = signer.certificateDer();
        json doc;
        doc["data"] = data;
        doc["sig"] = {{"alg", "ES256"}, {"cer", base64Url(der)}, {"sigvl", base64Url(*sig)}};
        return doc.dump();
    } catch (const std::exception& e) {
        return fail(Errc::InvalidArgument, std::string("cannot build VDS-NC: ") + e.what());
    }
}

Result<cv::Mat> renderDataMatrix(std::span<const std::uint8_t> bytes, int modulePx, int quietModules)
{
    if (modulePx < 1 || quietModules < 0)
        return fail(Errc::InvalidArgument, "module size must be >= 1 px and the quiet zone >= 0");
    try {
        // ZXing 1.4's DataMatrix encoder takes one wchar_t per byte and picks Base256 for binary data;
        // tests/vision/test_seal_writer.cpp reads every rendered seal back byte for byte.
        std::wstring w;
        w.reserve(bytes.size());
        for (const auto b : bytes)
            w.push_back(static_cast<wchar_t>(b));
        const auto bits = ZXing::MultiFormatWriter(ZXing::BarcodeFormat::DataMatrix)
                              .setMargin(quietModules)
                              .encode(w, 0, 0);
        return toMat(bits, modulePx);
    } catch (const std::exception& e) {
        return fail(Errc::InvalidArgument, std::string("cannot render the DataMatrix: ") + e.what());
    }
}

Result<cv::Mat> renderQrCode(std::string_view text, int modulePx, int quietModules)
{
    if (modulePx < 1 || quietModules < 0)
        return fail(Errc::InvalidArgument, "module size must be >= 1 px and the quiet zone >= 0");
    try {
        const auto bits = ZXing::MultiFormatWriter(ZXing::BarcodeFormat::QRCode)
                              .setMargin(quietModules)
                              .setEccLevel(2)
                              .encode(std::string(text), 0, 0);
        return toMat(bits, modulePx);
    } catch (const std::exception& e) {
        return fail(Errc::InvalidArgument, std::string("cannot render the QR Code: ") + e.what());
    }
}

} // namespace gw::specimen
