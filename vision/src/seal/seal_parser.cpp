// SPDX-License-Identifier: Apache-2.0
// Binary VDS parser: header (v3/v4), message-zone features per document profile, signature zone.
#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <gw/vision/seal.h>

#include "seal/seal_internal.h"

namespace gw::vision {
namespace {

constexpr std::uint8_t kMagic = 0xDC;
constexpr std::uint8_t kRawVersion3 = 0x02;
constexpr std::uint8_t kRawVersion4 = 0x03;
constexpr std::uint8_t kSignatureTag = 0xFF;
constexpr std::size_t kMaxSignatureBytes = 2 * 66; // P-521 r||s

enum class Coding { C40, Utf8, Int, Bytes, DurationOfStay };

struct FeatureDef {
    int tag;
    std::string_view name;
    Coding coding;
    std::size_t minBytes;
    std::size_t maxBytes;
};

struct ProfileDef {
    SealProfile profile;
    std::uint8_t featureRef;
    std::uint8_t category;
    std::span<const FeatureDef> features;
    std::size_t mrzLineLength; ///< characters per MRZ line of the stored MRZ (0: none)
};

// Tags and lengths from ICAO 9303-13 (visa, ETD) and BSI TR-03137 chapters 6-10.
constexpr FeatureDef kVisa[] = {
    {1, "mrz", Coding::C40, 48, 48}, // MRV-A: 44 + 28 characters
    {2, "mrz", Coding::C40, 44, 44}, // MRV-B: 36 + 28 characters
    {3, "number_of_entries", Coding::Int, 1, 1},
    {4, "duration_of_stay", Coding::DurationOfStay, 3, 3},
    {5, "passport_number", Coding::C40, 6, 6},
    {6, "visa_type", Coding::Bytes, 1, 4},
    {7, "additional_features", Coding::Bytes, 0, 254},
};
constexpr FeatureDef kEmergencyTravelDoc[] = {{2, "mrz", Coding::C40, 48, 48}};
constexpr FeatureDef kArrivalAttestation[] = {
    {2, "mrz", Coding::C40, 48, 48},
    {3, "azr_number", Coding::C40, 8, 8},
};
constexpr FeatureDef kSocialInsurance[] = {
    {1, "social_insurance_number", Coding::C40, 8, 8},
    {2, "surname", Coding::Utf8, 1, 90},
    {3, "first_name", Coding::Utf8, 1, 90},
    {4, "birth_name", Coding::Utf8, 1, 90},
};
constexpr FeatureDef kResidencePermit[] = {
    {2, "mrz", Coding::C40, 48, 48},
    {3, "passport_number", Coding::C40, 6, 6},
};
constexpr FeatureDef kSupplementarySheet[] = {
    {4, "mrz", Coding::C40, 48, 48},
    {5, "sheet_number", Coding::C40, 6, 6},
};
constexpr FeatureDef kAddressSticker[] = {
    {1, "document_number", Coding::C40, 6, 6},
    {2, "municipality_code", Coding::C40, 6, 6},
    {3, "residential_address", Coding::C40, 6, 18},
};
constexpr FeatureDef kResidenceSticker[] = {
    {1, "document_number", Coding::C40, 6, 6},
    {2, "municipality_code", Coding::C40, 6, 6},
    {3, "postal_code", Coding::C40, 4, 4},
};

const ProfileDef kProfiles[] = {
    {SealProfile::IcaoVisa, 0x5D, 0x01, kVisa, 36},
    {SealProfile::IcaoEmergencyTravelDoc, 0x5E, 0x03, kEmergencyTravelDoc, 44},
    {SealProfile::ArrivalAttestation, 0xFD, 0x02, kArrivalAttestation, 36},
    {SealProfile::SocialInsuranceCard, 0xFC, 0x04, kSocialInsurance, 0},
    {SealProfile::ResidencePermit, 0xFB, 0x06, kResidencePermit, 36},
    {SealProfile::SupplementarySheet, 0xFA, 0x06, kSupplementarySheet, 36},
    {SealProfile::AddressStickerId, 0xF9, 0x08, kAddressSticker, 0},
    {SealProfile::ResidenceStickerPassport, 0xF8, 0x0A, kResidenceSticker, 0},
};

const ProfileDef* findProfile(SealProfile p)
{
    for (const auto& def : kProfiles)
        if (def.profile == p)
            return &def;
    return nullptr;
}

/// Bounds-checked reader over the seal bytes: every read states what it reads, for the message.
class Reader {
public:
    explicit Reader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}
    [[nodiscard]] std::size_t pos() const noexcept { return pos_; }
    [[nodiscard]] std::size_t left() const noexcept { return bytes_.size() - pos_; }

    Result<std::span<const std::uint8_t>> take(std::size_t n, std::string_view what)
    {
        if (n > left())
            return fail(Errc::InvalidInput, "seal truncated: " + std::string(what) + " needs " +
                                                std::to_string(n) + " bytes at offset " +
                                                std::to_string(pos_) + ", " + std::to_string(left()) +
                                                " left");
        auto s = bytes_.subspan(pos_, n);
        pos_ += n;
        return s;
    }
    Result<std::uint8_t> byte(std::string_view what)
    {
        auto s = take(1, what);
        if (!s)
            return std::unexpected(s.error());
        return (*s)[0];
    }
    /// DER definite length (ICAO 9303-13: short form, 0x81 n, 0x82 n n).
    Result<std::size_t> derLength(std::string_view what)
    {
        const std::size_t at = pos_;
        auto first = byte(what);
        if (!first)
            return std::unexpected(first.error());
        if (*first < 0x80)
            return static_cast<std::size_t>(*first);
        const int count = *first & 0x7F;
        if (count < 1 || count > 2)
            return fail(Errc::InvalidInput, "length of " + std::string(what) + " at offset " +
                                                std::to_string(at) + " uses an unsupported DER form 0x" +
                                                detail::toHex(std::span(&bytes_[at], 1)));
        auto more = take(static_cast<std::size_t>(count), what);
        if (!more)
            return std::unexpected(more.error());
        std::size_t n = 0;
        for (const auto b : *more)
            n = (n << 8) | b;
        return n;
    }

private:
    std::span<const std::uint8_t> bytes_;
    std::size_t pos_ = 0;
};

Result<SealDate> readDate(Reader& r, std::string_view what)
{
    auto b = r.take(3, what);
    if (!b)
        return std::unexpected(b.error());
    auto d = decodeSealDate(std::span<const std::uint8_t, 3>(b->data(), 3));
    if (!d)
        return fail(Errc::InvalidInput, std::string(what) + ": " + d.error().message());
    return d;
}

std::size_t c40Bytes(std::size_t chars)
{
    return chars / 3 * 2 + (chars % 3 != 0 ? 2 : 0);
}

Result<SealHeader> readHeader(Reader& r)
{
    SealHeader h;
    auto magic = r.byte("magic constant");
    if (!magic)
        return std::unexpected(magic.error());
    if (*magic != kMagic)
        return fail(Errc::InvalidInput, "not a digital seal: first byte 0x" +
                                            detail::toHex(std::span(&*magic, 1)) + ", expected 0xDC");
    auto version = r.byte("version");
    if (!version)
        return std::unexpected(version.error());
    h.rawVersion = *version;
    if (*version == kRawVersion3)
        h.version = 3;
    else if (*version == kRawVersion4)
        h.version = 4;
    else
        return fail(Errc::Unsupported, "seal header version byte 0x" +
                                           detail::toHex(std::span(&*version, 1)) +
                                           " is not supported (0x02 = version 3, 0x03 = version 4)");

    auto country = r.take(2, "issuing country");
    if (!country)
        return std::unexpected(country.error());
    auto countryText = c40Decode(*country);
    if (!countryText)
        return fail(Errc::InvalidInput, "issuing country: " + countryText.error().message());
    h.issuingCountry = *countryText;

    std::string signerField;
    if (h.version == 3) {
        // Version 3: fixed 4 characters signer + 5 characters certificate reference.
        auto b = r.take(6, "signer and certificate reference");
        if (!b)
            return std::unexpected(b.error());
        auto t = c40Decode(*b);
        if (!t || t->size() != 9)
            return fail(Errc::InvalidInput, "signer and certificate reference is not 9 C40 characters");
        h.signerIdentifier = t->substr(0, 4);
        h.certificateReference = t->substr(4);
    } else {
        // Version 4: signer (4) + length of the reference as 2 hex digits + reference.
        auto head = r.take(4, "signer identifier");
        if (!head)
            return std::unexpected(head.error());
        auto t = c40Decode(*head);
        if (!t || t->size() != 6)
            return fail(Errc::InvalidInput, "signer identifier is not 6 C40 characters");
        const std::string lenHex = t->substr(4, 2);
        if (!std::all_of(lenHex.begin(), lenHex.end(),
                         [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); }))
            return fail(Errc::InvalidInput, "certificate reference length '" + lenHex + "' is not hex");
        const std::size_t refLen = std::stoul(lenHex, nullptr, 16);
        const std::size_t total = c40Bytes(6 + refLen);
        auto rest = r.take(total - 4, "certificate reference");
        if (!rest)
            return std::unexpected(rest.error());
        std::vector<std::uint8_t> all(head->begin(), head->end());
        all.insert(all.end(), rest->begin(), rest->end());
        auto full = c40Decode(all);
        if (!full || full->size() != 6 + refLen)
            return fail(Errc::InvalidInput,
                        "certificate reference is not " + std::to_string(refLen) + " C40 characters");
        h.signerIdentifier = full->substr(0, 4);
        h.certificateReference = full->substr(6);
    }

    auto issue = readDate(r, "document issue date");
    if (!issue)
        return std::unexpected(issue.error());
    h.issueDate = *issue;
    auto sig = readDate(r, "signature creation date");
    if (!sig)
        return std::unexpected(sig.error());
    h.signatureDate = *sig;
    auto ref = r.byte("feature definition reference");
    if (!ref)
        return std::unexpected(ref.error());
    h.featureDefinitionReference = *ref;
    auto cat = r.byte("document type category");
    if (!cat)
        return std::unexpected(cat.error());
    h.documentTypeCategory = *cat;
    return h;
}

std::string decodeValue(const FeatureDef& def, std::span<const std::uint8_t> raw,
                        std::vector<std::string>& warnings)
{
    switch (def.coding) {
    case Coding::C40: {
        auto t = c40Decode(raw);
        if (t)
            return *t;
        warnings.push_back("feature " + std::string(def.name) + ": " + t.error().message());
        return detail::toHex(raw);
    }
    case Coding::Utf8:
        return std::string(raw.begin(), raw.end());
    case Coding::Int: {
        unsigned long long v = 0;
        for (const auto b : raw.first(std::min<std::size_t>(raw.size(), 8)))
            v = (v << 8) | b;
        return std::to_string(v);
    }
    case Coding::DurationOfStay:
        if (raw.size() == 3)
            return std::to_string(raw[0]) + " days, " + std::to_string(raw[1]) + " months, " +
                   std::to_string(raw[2]) + " years";
        return detail::toHex(raw);
    case Coding::Bytes:
        return detail::toHex(raw);
    }
    return detail::toHex(raw);
}

} // namespace

namespace detail {

std::string toHex(std::span<const std::uint8_t> bytes)
{
    static constexpr char kDigits[] = "0123456789ABCDEF";
    std::string s;
    s.reserve(bytes.size() * 2);
    for (const auto b : bytes) {
        s.push_back(kDigits[b >> 4]);
        s.push_back(kDigits[b & 0x0F]);
    }
    return s;
}

} // namespace detail

std::string_view sealProfileName(SealProfile p) noexcept
{
    switch (p) {
    case SealProfile::Unknown:
        return "unknown";
    case SealProfile::IcaoVisa:
        return "icao_visa";
    case SealProfile::IcaoEmergencyTravelDoc:
        return "icao_emergency_travel_document";
    case SealProfile::ArrivalAttestation:
        return "arrival_attestation";
    case SealProfile::SocialInsuranceCard:
        return "social_insurance_card";
    case SealProfile::ResidencePermit:
        return "residence_permit";
    case SealProfile::SupplementarySheet:
        return "residence_permit_supplementary_sheet";
    case SealProfile::AddressStickerId:
        return "address_sticker_id_card";
    case SealProfile::ResidenceStickerPassport:
        return "residence_sticker_passport";
    case SealProfile::VdsNc:
        return "vds_nc";
    }
    return "unknown";
}

Result<Seal> parseSeal(std::span<const std::uint8_t> bytes)
{
    if (bytes.empty())
        return fail(Errc::InvalidInput, "seal is empty");
    if (bytes.size() > kMaxSealBytes)
        return fail(Errc::InvalidInput, "seal of " + std::to_string(bytes.size()) +
                                            " bytes exceeds the limit of " + std::to_string(kMaxSealBytes));
    if (bytes[0] == '{')
        return detail::parseVdsNc(bytes);

    Reader r(bytes);
    auto header = readHeader(r);
    if (!header)
        return std::unexpected(header.error());

    Seal seal;
    seal.kind = SealKind::Vds;
    seal.header = std::move(*header);
    const ProfileDef* profile = nullptr;
    for (const auto& def : kProfiles)
        if (def.featureRef == seal.header.featureDefinitionReference &&
            def.category == seal.header.documentTypeCategory)
            profile = &def;
    seal.profile = profile ? profile->profile : SealProfile::Unknown;
    if (!profile)
        seal.warnings.push_back("unknown document profile: feature definition reference 0x" +
                                detail::toHex(std::span(&seal.header.featureDefinitionReference, 1)) +
                                ", document type category 0x" +
                                detail::toHex(std::span(&seal.header.documentTypeCategory, 1)));

    bool signatureFound = false;
    while (r.left() > 0) {
        const std::size_t tagAt = r.pos();
        auto tag = r.byte("feature tag");
        if (!tag)
            return std::unexpected(tag.error());
        if (*tag == kSignatureTag) {
            seal.signedBytes.assign(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(tagAt));
            auto len = r.derLength("signature");
            if (!len)
                return std::unexpected(len.error());
            if (*len == 0 || *len % 2 != 0 || *len > kMaxSignatureBytes)
                return fail(Errc::InvalidInput, "signature length " + std::to_string(*len) +
                                                    " is not an even r||s length of at most " +
                                                    std::to_string(kMaxSignatureBytes) + " bytes");
            auto sig = r.take(*len, "signature");
            if (!sig)
                return std::unexpected(sig.error());
            seal.signature.assign(sig->begin(), sig->end());
            if (r.left() != 0)
                return fail(Errc::InvalidInput,
                            std::to_string(r.left()) + " bytes follow the signature zone");
            signatureFound = true;
            break;
        }
        auto len = r.derLength("feature " + std::to_string(*tag));
        if (!len)
            return std::unexpected(len.error());
        auto value = r.take(*len, "feature " + std::to_string(*tag));
        if (!value)
            return std::unexpected(value.error());

        SealFeature f;
        f.tag = *tag;
        f.raw.assign(value->begin(), value->end());
        const FeatureDef* def = nullptr;
        if (profile)
            for (const auto& d : profile->features)
                if (d.tag == *tag)
                    def = &d;
        if (def) {
            f.known = true;
            f.name = def->name;
            if (value->size() < def->minBytes || value->size() > def->maxBytes)
                seal.warnings.push_back("feature " + f.name + " has " + std::to_string(value->size()) +
                                        " bytes, profile allows " + std::to_string(def->minBytes) + "-" +
                                        std::to_string(def->maxBytes));
            f.text = decodeValue(*def, *value, seal.warnings);
        } else {
            f.known = false;
            f.name = "unknown";
            f.text = detail::toHex(*value);
            if (profile)
                seal.warnings.push_back("unknown feature tag " + std::to_string(*tag) + " for profile " +
                                        std::string(sealProfileName(seal.profile)));
        }
        seal.features.push_back(std::move(f));
    }
    if (!signatureFound)
        return fail(Errc::InvalidInput, "signature zone (tag 0xFF) missing: the seal ends after " +
                                            std::to_string(bytes.size()) + " bytes of header and features");
    if (seal.features.empty())
        return fail(Errc::InvalidInput, "message zone has no feature (TR-03137 §3.2 requires at least one)");
    return seal;
}

const SealFeature* Seal::feature(std::string_view name) const noexcept
{
    for (const auto& f : features)
        if (f.name == name)
            return &f;
    return nullptr;
}

namespace {

/// Characters per MRZ line of the seal's MRZ feature, or 0 when the seal has none.
std::size_t mrzLineLength(const Seal& seal, const SealFeature& mrz)
{
    if (seal.profile == SealProfile::IcaoVisa)
        return mrz.tag == 1 ? 44 : 36;
    if (const auto* def = findProfile(seal.profile); def && def->mrzLineLength > 0)
        return def->mrzLineLength;
    switch (mrz.text.size()) {
    case 88:
        return 44;
    case 72:
        return 36;
    default:
        return 0;
    }
}

} // namespace

std::vector<std::string> Seal::mrzLines() const
{
    const SealFeature* mrz = feature("mrz");
    if (!mrz || !mrz->known)
        return {};
    const std::size_t lineLen = mrzLineLength(*this, *mrz);
    if (lineLen == 0 || mrz->text.size() < lineLen)
        return {mrz->text};
    std::vector<std::string> lines;
    for (std::size_t at = 0; at < mrz->text.size(); at += lineLen) {
        std::string line = mrz->text.substr(at, lineLen);
        line.resize(lineLen, '<');
        lines.push_back(std::move(line));
    }
    return lines;
}

std::vector<std::size_t> Seal::mrzComparableLength() const
{
    const SealFeature* mrz = feature("mrz");
    if (!mrz || !mrz->known)
        return {};
    const std::size_t lineLen = mrzLineLength(*this, *mrz);
    if (lineLen == 0 || mrz->text.size() < lineLen)
        return {mrz->text.size()};
    std::vector<std::size_t> n;
    for (std::size_t at = 0; at < mrz->text.size(); at += lineLen)
        n.push_back(std::min(lineLen, mrz->text.size() - at));
    return n;
}

std::optional<std::string> Seal::documentNumber() const
{
    for (const std::string_view name : {"passport_number", "document_number", "pid.i"}) {
        if (const auto* f = feature(name)) {
            std::string s = f->text;
            while (!s.empty() && s.back() == '<')
                s.pop_back();
            return s;
        }
    }
    return std::nullopt;
}

} // namespace gw::vision
