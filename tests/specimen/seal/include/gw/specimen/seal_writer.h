// SPDX-License-Identifier: Apache-2.0
// Seal writer for specimens: encodes and signs Visible Digital Seals (and VDS-NC), renders the barcode.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <opencv2/core.hpp>

#include <gw/common/result.h>
#include <gw/vision/seal.h>

namespace gw::specimen {

/// @brief What the generated test signer certificate says. Defaults give the project's test signer
///        "UTGW" / reference "1A": C=UT, CN=GW, serial 0x1A, P-256, valid 2020-01-01..2039-12-31.
struct SignerSpec {
    std::string country = "UT";    ///< two letters: the first half of the seal's signer identifier
    std::string commonName = "GW"; ///< two letters: the second half
    std::uint32_t serial = 0x1A;   ///< the seal's certificate reference, in hex
    std::string curve = "P-256";   ///< OpenSSL group name: "P-256", "brainpoolP224r1", "brainpoolP256r1", ...
    vision::SealDate notBefore{2020, 1, 1};
    vision::SealDate notAfter{2039, 12, 31};
};

/// @brief An EC key with its certificate (self-signed, or issued by another SealSigner for VDS-NC).
class SealSigner {
public:
    /// @brief Makes a fresh key and certificate. @p issuer signs the certificate when given, else it is
    ///        self-signed. Keys are random; subject, serial and validity are as in @p spec.
    static Result<SealSigner> generate(const SignerSpec& spec, const SealSigner* issuer = nullptr);
    /// @brief Loads a PEM private key and PEM certificate (e.g. from scripts/make-test-seal-signer.sh).
    static Result<SealSigner> fromPem(std::string_view privateKeyPem, std::string_view certificatePem);

    [[nodiscard]] std::vector<std::uint8_t> certificateDer() const;
    [[nodiscard]] std::string certificatePem() const;
    [[nodiscard]] std::string privateKeyPem() const;
    /// "UTGW" for C=UT, CN=GW.
    [[nodiscard]] std::string signerIdentifier() const;
    /// Serial number in upper-case hex, e.g. "1A".
    [[nodiscard]] std::string certificateReference() const;

    /// @brief ECDSA over @p data with the hash that fits the curve (SHA-224/256/384/512), as raw r||s.
    Result<std::vector<std::uint8_t>> signRaw(std::span<const std::uint8_t> data) const;

    struct Impl;

private:
    explicit SealSigner(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
    std::shared_ptr<const Impl> impl_;
};

/// @brief One message-zone feature: tag and value bytes (the writer adds the DER length).
struct FeatureSpec {
    int tag = 0; ///< 0-254
    std::vector<std::uint8_t> value;
};

/// @brief A C40 feature (MRZ, numbers); '<' is stored as space as the TR requires.
Result<FeatureSpec> c40Feature(int tag, std::string_view text);

/// @brief Everything of a binary seal except the signature.
struct SealSpec {
    int version = 4;                    ///< 3 or 4
    std::string issuingCountry = "UTO"; ///< three C40 characters
    std::string signerIdentifier = "UTGW";
    std::string certificateReference = "1A"; ///< v3: exactly 5 characters (zero padded by the writer)
    vision::SealDate issueDate{2024, 1, 15};
    vision::SealDate signatureDate{2024, 1, 15};
    std::uint8_t featureDefinitionReference = 0x5D;
    std::uint8_t documentTypeCategory = 0x01;
    std::vector<FeatureSpec> features;
};

/// @brief Header + message zone: the bytes the signature covers.
Result<std::vector<std::uint8_t>> encodeSealBody(const SealSpec& spec);

/// @brief Header + message zone + signature zone (0xFF, DER length, r||s) signed by @p signer.
Result<std::vector<std::uint8_t>> writeSeal(const SealSpec& spec, const SealSigner& signer);

/// @brief Visa seal (ICAO profile 0x5D/0x01) from the MRV-B MRZ (two lines of 36) as printed:
///        MRZ (line 2 up to the optional data), duration of stay (days), passport number.
Result<SealSpec> visaSealSpec(std::span<const std::string> mrvbLines, std::string_view passportNumber,
                              int durationDays, const SealSigner& signer, vision::SealDate date);

/// @brief Residence permit seal (TR-03137 profile 0xFB/0x06) from the TD2 MRZ and the passport number.
Result<SealSpec> residencePermitSealSpec(std::span<const std::string> td2Lines,
                                         std::string_view passportNumber, const SealSigner& signer,
                                         vision::SealDate date);

/// @brief How a specimen's seal is forged (or not).
enum class SealForgery {
    None,
    FlippedSignatureByte, ///< a genuine seal with one byte of r||s changed: vds.signature fails
    MrzMismatch,          ///< validly signed, but its MRZ differs from the printed one: vds.mrz_match fails
};

/// @brief Signs @p spec and applies @p forgery. MrzMismatch changes one character of the seal's MRZ
///        (tag 1, 2 or 4 feature) before signing, so the signature stays valid.
Result<std::vector<std::uint8_t>> writeSealWithForgery(SealSpec spec, const SealSigner& signer,
                                                       SealForgery forgery);

/// @brief VDS-NC: {"data":{"hdr":{"t":type,"v":1,"is":country},"msg":msg},"sig":{"alg":"ES256",...}}.
/// @param messageJson a JSON object, e.g. {"pid":{"n":"ERIKSSON ANNA","i":"X1234567"}}
/// @param signer      a P-256 signer whose certificate the verifier's issuer certificate signed
Result<std::string> writeVdsNc(std::string_view type, std::string_view issuingCountry,
                               std::string_view messageJson, const SealSigner& signer);

/// @brief Renders bytes as a DataMatrix (binary, Base256) or text as a QR Code.
/// @param modulePx       pixels per module, >= 1
/// @param quietModules   white border in modules
/// @return CV_8UC1, black (0) modules on white (255)
Result<cv::Mat> renderDataMatrix(std::span<const std::uint8_t> bytes, int modulePx, int quietModules = 2);
Result<cv::Mat> renderQrCode(std::string_view text, int modulePx, int quietModules = 4);

} // namespace gw::specimen
