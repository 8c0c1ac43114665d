// SPDX-License-Identifier: Apache-2.0
// VDS-NC (JSON seals in QR Codes) parsing and the JSON form of any seal for the report.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <gw/vision/seal.h>

#include "seal/seal_internal.h"

namespace gw::vision {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxNcFeatures = 256;

Result<std::vector<std::uint8_t>> base64UrlDecode(const std::string& in, std::string_view what)
{
    std::vector<std::uint8_t> out;
    out.reserve(in.size() * 3 / 4);
    unsigned acc = 0;
    int bits = 0;
    for (const char c : in) {
        int v = -1;
        if (c >= 'A' && c <= 'Z')
            v = c - 'A';
        else if (c >= 'a' && c <= 'z')
            v = c - 'a' + 26;
        else if (c >= '0' && c <= '9')
            v = c - '0' + 52;
        else if (c == '-' || c == '+')
            v = 62;
        else if (c == '_' || c == '/')
            v = 63;
        else if (c == '=')
            break;
        else
            return fail(Errc::InvalidInput, std::string(what) + " is not base64url");
        acc = (acc << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<std::uint8_t>((acc >> bits) & 0xFFu));
        }
    }
    return out;
}

void flatten(const json& j, const std::string& prefix, std::vector<SealFeature>& out)
{
    if (out.size() >= kMaxNcFeatures)
        return;
    if (j.is_object()) {
        for (const auto& [key, value] : j.items())
            flatten(value, prefix.empty() ? key : prefix + "." + key, out);
        return;
    }
    if (j.is_array()) {
        for (std::size_t i = 0; i < j.size(); ++i)
            flatten(j[i], prefix + "[" + std::to_string(i) + "]", out);
        return;
    }
    SealFeature f;
    f.tag = -1;
    f.name = prefix;
    f.known = true;
    f.text = j.is_string() ? j.get<std::string>() : j.dump();
    f.raw.assign(f.text.begin(), f.text.end());
    out.push_back(std::move(f));
}

} // namespace

namespace detail {

Result<Seal> parseVdsNc(std::span<const std::uint8_t> bytes)
{
    // Without exceptions: a discarded value marks a parse error.
    const json doc = json::parse(bytes.begin(), bytes.end(), nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
        return fail(Errc::InvalidInput, "VDS-NC is not a JSON object");
    try {
        if (!doc.contains("data") || !doc["data"].is_object() || !doc.contains("sig") ||
            !doc["sig"].is_object())
            return fail(Errc::InvalidInput, "VDS-NC needs the objects \"data\" and \"sig\"");
        const json& data = doc["data"];
        const json& sig = doc["sig"];
        if (!data.contains("hdr") || !data["hdr"].is_object() || !data.contains("msg") ||
            !data["msg"].is_object())
            return fail(Errc::InvalidInput, "VDS-NC \"data\" needs \"hdr\" and \"msg\" objects");
        const json& hdr = data["hdr"];
        Seal seal;
        seal.kind = SealKind::VdsNc;
        seal.profile = SealProfile::VdsNc;
        if (hdr.contains("t") && hdr["t"].is_string())
            seal.header.ncType = hdr["t"].get<std::string>();
        else
            return fail(Errc::InvalidInput, "VDS-NC header has no type \"t\"");
        if (hdr.contains("v") && hdr["v"].is_number_integer())
            seal.header.version = hdr["v"].get<int>();
        if (hdr.contains("is") && hdr["is"].is_string())
            seal.header.issuingCountry = hdr["is"].get<std::string>();
        flatten(data["msg"], "", seal.features);
        if (seal.features.size() >= kMaxNcFeatures)
            seal.warnings.push_back("VDS-NC message truncated to " + std::to_string(kMaxNcFeatures) +
                                    " values");

        for (const char* key : {"alg", "cer", "sigvl"})
            if (!sig.contains(key) || !sig[key].is_string())
                return fail(Errc::InvalidInput,
                            std::string("VDS-NC signature needs the string \"") + key + "\"");
        seal.signatureAlgorithm = sig["alg"].get<std::string>();
        auto cer = base64UrlDecode(sig["cer"].get<std::string>(), "VDS-NC certificate");
        if (!cer)
            return std::unexpected(cer.error());
        seal.embeddedCertificate = std::move(*cer);
        auto value = base64UrlDecode(sig["sigvl"].get<std::string>(), "VDS-NC signature value");
        if (!value)
            return std::unexpected(value.error());
        seal.signature = std::move(*value);
        // Canonical form: keys sorted (nlohmann's std::map), no whitespace, UTF-8 as is. This equals
        // RFC 8785 for strings and integers, which is all VDS-NC profiles use.
        const std::string canonical = data.dump(-1, ' ', false, json::error_handler_t::strict);
        seal.signedBytes.assign(canonical.begin(), canonical.end());
        return seal;
    } catch (const std::exception& e) {
        return fail(Errc::InvalidInput, std::string("VDS-NC could not be read: ") + e.what());
    }
}

} // namespace detail

std::string sealToJson(const Seal& seal)
{
    try {
        json j;
        j["kind"] = seal.kind == SealKind::Vds ? "vds" : "vds_nc";
        j["version"] = seal.header.version;
        j["issuing_country"] = seal.header.issuingCountry;
        j["profile"] = std::string(sealProfileName(seal.profile));
        if (seal.kind == SealKind::Vds) {
            j["signer"] = seal.header.signerIdentifier;
            j["certificate_reference"] = seal.header.certificateReference;
            j["issue_date"] = seal.header.issueDate.iso();
            j["signature_date"] = seal.header.signatureDate.iso();
            j["feature_definition_reference"] = seal.header.featureDefinitionReference;
            j["document_type_category"] = seal.header.documentTypeCategory;
        } else {
            j["type"] = seal.header.ncType;
            j["signature_algorithm"] = seal.signatureAlgorithm;
        }
        json features = json::array();
        for (const auto& f : seal.features) {
            json jf;
            if (f.tag >= 0)
                jf["tag"] = f.tag;
            jf["name"] = f.name;
            jf["known"] = f.known;
            // UTF-8 features come from outside: replace invalid sequences instead of failing the report.
            jf["value"] = f.text;
            features.push_back(std::move(jf));
        }
        j["features"] = std::move(features);
        if (const auto lines = seal.mrzLines(); !lines.empty())
            j["mrz"] = lines;
        if (const auto number = seal.documentNumber())
            j["document_number"] = *number;
        j["signature_bytes"] = seal.signature.size();
        j["warnings"] = seal.warnings;
        return j.dump(-1, ' ', false, json::error_handler_t::replace);
    } catch (const std::exception&) {
        return std::string(R"({"error":"seal could not be serialised"})");
    }
}

} // namespace gw::vision
