// SPDX-License-Identifier: Apache-2.0
// ICAO Visible Digital Seals (Doc 9303-13, BSI TR-03137) and VDS-NC: find, parse, verify, check.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <gw/common/result.h>
#include <gw/vision/check.h>
#include <gw/vision/image.h>

namespace gw::vision {

// ---------------------------------------------------------------------------------------------
// Barcodes

/// @brief Symbologies that carry seals: DataMatrix (VDS) and QR Code (VDS-NC).
enum class BarcodeFormat { DataMatrix, QrCode };

/// @brief One decoded barcode with its content byte for byte (no character-set conversion).
struct DecodedBarcode {
    BarcodeFormat format = BarcodeFormat::DataMatrix;
    std::vector<std::uint8_t> bytes;  ///< raw content; a VDS starts with 0xDC, a VDS-NC with '{'
    std::array<PointPx, 4> corners{}; ///< top-left, top-right, bottom-right, bottom-left as read [px]
};

/// @brief Finds and decodes every DataMatrix and QR Code in an image, binary content intact.
/// @param image grey or BGR image, e.g. the normalised white-light (or IR) document image. When the
///        whole image yields nothing, likely barcode regions are cropped and decoded on their own
///        (a busy guilloche background defeats ZXing's whole-image detector).
/// @return the barcodes found, in reading order (may be empty); an error only for an invalid view or
///         a failure inside ZXing/OpenCV.
Result<std::vector<DecodedBarcode>> findSealBarcodes(ImageView image);

// ---------------------------------------------------------------------------------------------
// Seal content

/// @brief Encodes an ICAO/DataMatrix C40 string (A-Z, 0-9, space and '<'; '<' is stored as space).
/// @return 2 bytes per 3 characters; a final single character as 0xFE + ASCII + 1 (TR-03137 Annex B).
Result<std::vector<std::uint8_t>> c40Encode(std::string_view text);

/// @brief Decodes C40 bytes; spaces come back as '<' (the MRZ filler). Trailing Shift-1 padding is dropped.
/// @return the text, or InvalidInput for an odd length, a value above 64000 or a non-C40 character.
Result<std::string> c40Decode(std::span<const std::uint8_t> bytes);

/// @brief A calendar date as stored in seals: MMDDYYYY as a 3-byte big-endian integer.
struct SealDate {
    int year = 0;  ///< four digits, 0-9999
    int month = 0; ///< 1-12
    int day = 0;   ///< 1-31
    /// "YYYY-MM-DD"
    [[nodiscard]] std::string iso() const;
    /// Days since 1970-01-01 (proleptic Gregorian), for comparing with certificate validity.
    [[nodiscard]] long long daysSinceEpoch() const;
    friend bool operator==(const SealDate&, const SealDate&) = default;
};

/// @brief Encodes a date to its 3 bytes (InvalidArgument when out of range).
Result<std::array<std::uint8_t, 3>> encodeSealDate(const SealDate& date);
/// @brief Decodes 3 bytes to a date (InvalidInput when it is not a calendar date).
Result<SealDate> decodeSealDate(std::span<const std::uint8_t, 3> bytes);

/// @brief Which encoding a seal uses.
enum class SealKind {
    Vds,   ///< binary ICAO 9303-13 seal in a DataMatrix (header 0xDC)
    VdsNc, ///< ICAO VDS for non-constrained environments: JSON in a QR Code
};

/// @brief The seal header (ICAO 9303-13 §2.2). For VDS-NC only the country and type are filled.
struct SealHeader {
    std::uint8_t rawVersion = 0;      ///< 0x02 (ICAO version 3) or 0x03 (version 4)
    int version = 0;                  ///< 3 or 4; VDS-NC: the "v" of "hdr"
    std::string issuingCountry;       ///< three characters, '<' padded, e.g. "D<<"
    std::string signerIdentifier;     ///< four characters: signer country (2) + signer (2), e.g. "DETS"
    std::string certificateReference; ///< hex digits, e.g. "32" (v4) or "00027" (v3)
    SealDate issueDate;               ///< document issue date
    SealDate signatureDate;           ///< signature creation date
    std::uint8_t featureDefinitionReference = 0; ///< selects the profile together with the category
    std::uint8_t documentTypeCategory = 0;       ///< odd numbers are ICAO, even ones national (e.g. 0x06 RP)
    std::string ncType;                          ///< VDS-NC "t", e.g. "icao.test"; empty for VDS
};

/// @brief Known document profiles (feature definition reference + document type category).
enum class SealProfile {
    Unknown,
    IcaoVisa,                 ///< 0x5D/0x01
    IcaoEmergencyTravelDoc,   ///< 0x5E/0x03
    ArrivalAttestation,       ///< 0xFD/0x02 (TR-03137 ch. 6)
    SocialInsuranceCard,      ///< 0xFC/0x04 (ch. 7)
    ResidencePermit,          ///< 0xFB/0x06 (ch. 8)
    SupplementarySheet,       ///< 0xFA/0x06 (ch. 8.3)
    AddressStickerId,         ///< 0xF9/0x08 (ch. 9)
    ResidenceStickerPassport, ///< 0xF8/0x0A (ch. 10)
    VdsNc,                    ///< a VDS-NC JSON seal
};

/// @brief Stable JSON name of a profile, e.g. "icao_visa", "residence_permit".
std::string_view sealProfileName(SealProfile p) noexcept;

/// @brief One document feature of the message zone.
struct SealFeature {
    int tag = 0;                   ///< 0-254; VDS-NC: -1
    std::string name;              ///< e.g. "mrz", "passport_number"; "unknown" for tags the profile lacks
    bool known = false;            ///< false: the profile does not define this tag (not fatal)
    std::vector<std::uint8_t> raw; ///< the value bytes as stored
    std::string text;              ///< readable value: C40/UTF-8 text, integer in decimal, or hex
};

/// @brief A parsed seal. For VDS the signature covers signedBytes = header + message zone.
struct Seal {
    SealKind kind = SealKind::Vds;
    SealHeader header;
    SealProfile profile = SealProfile::Unknown;
    std::vector<SealFeature> features;
    std::vector<std::uint8_t>
        signedBytes;                     ///< VDS: bytes before the 0xFF tag; VDS-NC: canonical JSON of "data"
    std::vector<std::uint8_t> signature; ///< raw r||s, each half the curve size
    std::vector<std::uint8_t> embeddedCertificate; ///< VDS-NC "cer" (DER); empty for VDS
    std::string signatureAlgorithm;                ///< VDS-NC "alg", e.g. "ES256"; empty for VDS
    std::vector<std::string> warnings;             ///< non-fatal findings (unknown tags, lengths off profile)

    /// @brief The first feature with this name, or nullptr.
    [[nodiscard]] const SealFeature* feature(std::string_view name) const noexcept;
    /// @brief The MRZ stored in the seal as lines ('<' filled). Visas store line 2 only up to the
    ///        optional data; the missing tail is filled with '<' and marked by mrzComparableLength().
    [[nodiscard]] std::vector<std::string> mrzLines() const;
    /// @brief How many characters of each line of mrzLines() the seal really stores.
    [[nodiscard]] std::vector<std::size_t> mrzComparableLength() const;
    /// @brief Passport number (visa, residence permit), document number (stickers) or VDS-NC "pid.i".
    [[nodiscard]] std::optional<std::string> documentNumber() const;
};

/// @brief Upper bound of a seal's size: larger input is rejected before parsing (a 144x144 DataMatrix
///        holds 1558 bytes, a QR Code 2953).
inline constexpr std::size_t kMaxSealBytes = 4096;

/// @brief Parses a binary VDS (first byte 0xDC) or a VDS-NC (JSON object).
/// @return the seal, or InvalidInput (truncated, bad lengths, 0xFF missing, not a seal),
///         Unsupported (unknown header version). Never throws; never reads past @p bytes.
Result<Seal> parseSeal(std::span<const std::uint8_t> bytes);

/// @brief The seal's content as a JSON object (the report's "seal"), e.g.
///        {"kind":"vds","version":4,"issuing_country":"D<<","signer":"DETS","certificate_reference":"32",
///         "issue_date":"2020-01-01","signature_date":"2021-12-03","profile":"icao_visa",
///         "features":[{"tag":2,"name":"mrz","value":"VCD<<DENT..."}],"warnings":[]}
std::string sealToJson(const Seal& seal);

// ---------------------------------------------------------------------------------------------
// Verification

/// @brief A signer (VDS) or issuer (VDS-NC) certificate handed in by the caller.
struct CertificateBlob {
    std::vector<std::uint8_t> bytes; ///< PEM (one or more certificates) or DER
    std::string origin;              ///< where it came from, for messages (e.g. a file name)
};

/// @brief Trusted seal certificates, in memory. Cheap to copy (shared, immutable).
/// A VDS names its signer as signer id = country + CN of the subject (e.g. "DE"+"TS") and its
/// certificate reference = the serial number in hex (leading zeros ignored).
class TrustStore {
public:
    /// @brief An empty store: every signer is unknown.
    TrustStore();
    /// @brief Builds a store from certificate bytes.
    /// @return the store; blobs that hold no certificate are skipped and listed in warnings().
    ///         Fails (InvalidArgument) only when a blob is larger than 1 MiB.
    static Result<TrustStore> fromCertificates(std::span<const CertificateBlob> blobs);

    [[nodiscard]] std::size_t size() const noexcept;
    /// "DETS/32 (brainpoolP224r1, valid 2020-01-10..2025-01-10)" per certificate.
    [[nodiscard]] std::vector<std::string> describe() const;
    [[nodiscard]] const std::vector<std::string>& warnings() const noexcept;

    struct Impl;
    [[nodiscard]] const Impl& impl() const noexcept { return *impl_; }

private:
    explicit TrustStore(std::shared_ptr<const Impl> impl);
    std::shared_ptr<const Impl> impl_;
};

/// @brief Outcome of a signature verification.
enum class SignatureStatus {
    Valid,              ///< signature correct, signer trusted, certificate valid at the signature date
    Invalid,            ///< signature does not verify with the named signer's key
    SignerUnknown,      ///< no certificate in the trust store for the signer / certificate reference
    CertificateInvalid, ///< certificate found but not valid at the signature date, or chain broken (VDS-NC)
    Malformed,          ///< signature of the wrong size or key not usable (EC only)
};

/// @brief Stable JSON name: "valid", "invalid", "signer_unknown", "certificate_invalid", "malformed".
std::string_view signatureStatusName(SignatureStatus s) noexcept;

/// @brief The result of verifySeal with what was used.
struct SealVerification {
    SignatureStatus status = SignatureStatus::SignerUnknown;
    std::string detail;        ///< English sentence for logs and the report
    std::string signerSubject; ///< subject DN of the certificate used, when one was found
    std::string curve;         ///< e.g. "brainpoolP224r1"
    std::string hash;          ///< e.g. "SHA224": chosen from the curve size (VDS) or "alg" (VDS-NC)
};

/// @brief Verifies a parsed seal: r||s to DER, hash from the curve size, signer from the trust store,
///        certificate validity at the seal's signature date. VDS-NC: the embedded certificate must be
///        issued by a store certificate, and the ES256/384/512 signature is over the canonical JSON.
/// @return never an error: every failure is a status with a detail.
SealVerification verifySeal(const Seal& seal, const TrustStore& trust);

// ---------------------------------------------------------------------------------------------
// Checks

/// @brief What one inspection learnt about one seal barcode.
struct SealFinding {
    DecodedBarcode barcode;
    Result<Seal> seal = fail(Errc::InvalidInput, "not parsed");
    std::optional<SealVerification> verification; ///< present when the seal parsed
};

/// @brief findSealBarcodes + parseSeal + verifySeal. Barcodes that are not seals (no 0xDC / JSON
///        start) are left out; barcodes that look like seals but do not parse are kept with the error.
Result<std::vector<SealFinding>> inspectSeals(ImageView image, const TrustStore& trust);

/// @brief How sure the reader was of each printed MRZ character, so that a misread is not taken for an
/// alteration. Empty: every printed character counts as read surely.
struct PrintedMrzConfidence {
    std::span<const std::vector<float>> perCharacter; ///< [0, 1] per line, per character of printedMrz
    /// The recogniser's first and second choice per line, per character (may be empty). A character read
    /// below minForEvidence only because the two are OCR-B look-alikes (O and 0, which the field type tells
    /// apart) is still a sure read of the glyph.
    std::span<const std::string> recognised;
    std::span<const std::string> runnerUp;
    float minForEvidence = 0.9F; ///< a difference counts only where the print was read at least this surely
};

/// @brief The checks vds.present, vds.signature and vds.mrz_match.
/// @param findings    from inspectSeals (may be empty: the checks are then not_supported)
/// @param printedMrz  the MRZ lines read from the document (may be empty when none was read)
/// @param pixelsPerMm scale of the image the barcodes were found in [px/mm], > 0, for the regions
/// @param confidence  the reader's confidence in @p printedMrz (default: all sure)
/// @return three outcomes; with several seals the worst one per check counts.
///         vds.signature: valid -> successful, invalid/malformed/certificate_invalid -> failed,
///         signer unknown -> undetermined. vds.mrz_match: a difference at a surely read character (or
///         a different line count) -> failed; differences only where the print was read doubtfully ->
///         undetermined (a name line has no check digit to catch a misread).
std::vector<CheckOutcome> sealChecks(std::span<const SealFinding> findings,
                                     std::span<const std::string> printedMrz, double pixelsPerMm,
                                     const PrintedMrzConfidence& confidence = {});

} // namespace gw::vision
