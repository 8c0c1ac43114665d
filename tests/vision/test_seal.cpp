// SPDX-License-Identifier: Apache-2.0
// Visible Digital Seal tests: codec and parser against TR-03137's worked examples, malformed seals,
// and the shared TR-03137 DataMatrix figures (decode, verify with the shipped certificate, checks).
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <opencv2/imgcodecs.hpp>

#include <gw/vision/seal.h>

namespace fs = std::filesystem;
using namespace gw::vision;
using Bytes = std::vector<std::uint8_t>;

namespace {

Bytes hex(std::string_view s)
{
    Bytes out;
    int nibble = -1;
    for (const char c : s) {
        int v = -1;
        if (c >= '0' && c <= '9')
            v = c - '0';
        else if (c >= 'a' && c <= 'f')
            v = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v = c - 'A' + 10;
        else
            continue;
        if (nibble < 0) {
            nibble = v;
        } else {
            out.push_back(static_cast<std::uint8_t>(nibble * 16 + v));
            nibble = -1;
        }
    }
    return out;
}

// TR-03137 v2.5 Annex F (visa sticker), typed from the "Raw data encoded in the seal" listing.
const Bytes kAnnexF =
    hex("dc 03 6a bc 6d 32 c8 a7 2c b1 0f 71 34 b7 98 15 5d 01 02 2c dd 52 13 4a 74 da 13 47 c6 fe d9"
        "5c b8 9f 9f ce 13 3c 13 3c 13 3c 13 3c 20 38 33 73 4a af 47 f0 c3 2f 1a 1e 20 eb 26 25 39"
        "3a fe 31 04 03 a0 00 00 05 06 33 be 1f ed 20 c6 ff 38 d5 57 32 47 60 8c 9b 64 ca e0 22 c1"
        "c5 24 96 60 e5 1a e3 16 d6 00 f9 74 aa c2 12 9c 3f 09 3c 35 95 53 14 02 63 04 70 5c d2 4c"
        "1b 81 00 71 1b d4 41 1f 06 8e 8d 93 e8 b7");

// Annex C (arrival attestation, header version 3).
const Bytes kAnnexC =
    hex("dc 02 6a bc 6d 32 c8 a5 19 fc 0f 71 34 11 45 f4 fd 02 02 30 a5 62 13 53 d9 a2 75 73 5b d4 13"
        "4b c5 49 13 3c 13 3c 13 3c 13 3c 13 3c a3 25 19 a5 19 a4 34 4a 5e 68 1a e7 20 4b 20 d5 32"
        "cf 4b 7c 13 3c 13 3f 03 08 20 d5 20 10 19 a5 1a ea ff 40 4a 1f 21 8c a4 39 26 47 ec ff 6c"
        "8a bf 9e 79 6a 78 ee be 0b 1a c8 cc 25 c4 ee 17 ee d9 61 d1 18 90 91 35 8d 7d 61 6f 1a 51"
        "7a bc 74 7f 6c 44 90 ff 15 9d 4d cf 50 24 8b 00 b1 e3 2e 9e 78 05 e7");

const std::vector<std::string> kAnnexFPrintedMrz = {"VCD<<DENT<<ARTHUR<PHILIP<<<<<<<<<<<<",
                                                    "1234567XY7GBR5203116M2005250<<<<<<<<"};

fs::path vdsDir()
{
    return fs::path(GW_SHARED_DIR) / "vds";
}

Bytes readFile(const fs::path& p)
{
    std::ifstream in(p, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), {});
}

TrustStore sharedTrustStore()
{
    std::vector<CertificateBlob> blobs;
    for (const char* name : {"sealgen_DETS32.crt", "sealgen_UTTS5B.crt"})
        blobs.push_back({readFile(vdsDir() / name), name});
    auto store = TrustStore::fromCertificates(blobs);
    REQUIRE(store);
    return *store;
}

std::vector<DecodedBarcode> decodeFigure(const std::string& name)
{
    const cv::Mat img = cv::imread((vdsDir() / name).string(), cv::IMREAD_GRAYSCALE);
    REQUIRE_FALSE(img.empty());
    const ImageView view{img.data, img.cols, img.rows, static_cast<int>(img.step), PixelFormat::Gray8};
    auto found = findSealBarcodes(view);
    REQUIRE(found);
    return *found;
}

} // namespace

TEST_CASE("C40 encodes the TR-03137 Annex B examples", "[seal]")
{
    CHECK(*c40Encode("XK<CD") == hex("eb04 66a9"));
    CHECK(*c40Encode("XKCD") == hex("eb11 fe45"));
    CHECK(*c40Encode("BSI01") == hex("62d7 19c9"));
    CHECK(*c40Decode(hex("eb04 66a9")) == "XK<CD");
    CHECK(*c40Decode(hex("eb11 fe45")) == "XKCD");
    CHECK(*c40Decode(hex("62d7 19c9")) == "BSI01");
    CHECK_FALSE(c40Encode("abc"));
    CHECK_FALSE(c40Decode(hex("eb")));        // odd length
    CHECK_FALSE(c40Decode(hex("ffff")));      // above 64000
    CHECK_FALSE(c40Decode(hex("fe45 eb11"))); // single-character marker before the end
    for (const std::string s : {"", "A", "AB", "ABC", "ABCD", "P<UTOERIKSSON<<ANNA", "0123456789"})
        CHECK(*c40Decode(*c40Encode(s)) == s);
}

TEST_CASE("seal dates are MMDDYYYY in three bytes", "[seal]")
{
    CHECK(*encodeSealDate({1957, 3, 25}) == std::array<std::uint8_t, 3>{0x31, 0x9e, 0xf5});
    const Bytes b = hex("0f7134");
    const auto d = decodeSealDate(std::span<const std::uint8_t, 3>(b.data(), 3));
    REQUIRE(d);
    CHECK(d->iso() == "2020-01-01");
    CHECK_FALSE(encodeSealDate({2021, 2, 29}));
    const Bytes bad = hex("000000");
    CHECK_FALSE(decodeSealDate(std::span<const std::uint8_t, 3>(bad.data(), 3)));
    CHECK(SealDate{1970, 1, 1}.daysSinceEpoch() == 0);
    CHECK(SealDate{2000, 3, 1}.daysSinceEpoch() == 11017);
}

TEST_CASE("the Annex F visa seal parses to the values of the annex", "[seal]")
{
    const auto seal = parseSeal(kAnnexF);
    REQUIRE(seal);
    CHECK(seal->kind == SealKind::Vds);
    CHECK(seal->header.version == 4);
    CHECK(seal->header.issuingCountry == "D<<");
    CHECK(seal->header.signerIdentifier == "DETS");
    CHECK(seal->header.certificateReference == "32");
    CHECK(seal->header.issueDate.iso() == "2020-01-01");
    CHECK(seal->header.signatureDate.iso() == "2021-12-03");
    CHECK(seal->header.featureDefinitionReference == 0x5D);
    CHECK(seal->header.documentTypeCategory == 0x01);
    CHECK(seal->profile == SealProfile::IcaoVisa);
    REQUIRE(seal->features.size() == 3);
    CHECK(seal->features[0].tag == 2);
    CHECK(seal->mrzLines() == kAnnexFPrintedMrz);
    CHECK(seal->mrzComparableLength() == std::vector<std::size_t>{36, 28});
    REQUIRE(seal->feature("duration_of_stay"));
    CHECK(seal->feature("duration_of_stay")->raw == hex("a00000"));
    CHECK(seal->feature("duration_of_stay")->text == "160 days, 0 months, 0 years");
    CHECK(seal->documentNumber() == "47110815P");
    CHECK(seal->signature.size() == 56);
    CHECK(seal->signedBytes.size() == kAnnexF.size() - 2 - 56);
    CHECK(seal->warnings.empty());
    const std::string json = sealToJson(*seal);
    CHECK(json.find("\"signer\":\"DETS\"") != std::string::npos);
    CHECK(json.find("\"profile\":\"icao_visa\"") != std::string::npos);
    CHECK(json.find("47110815P") != std::string::npos);
}

TEST_CASE("the Annex C arrival attestation (header version 3) parses", "[seal]")
{
    const auto seal = parseSeal(kAnnexC);
    REQUIRE(seal);
    CHECK(seal->header.version == 3);
    CHECK(seal->header.signerIdentifier == "DETS");
    CHECK(seal->header.certificateReference == "00027");
    CHECK(seal->header.signatureDate.iso() == "2020-01-13");
    CHECK(seal->profile == SealProfile::ArrivalAttestation);
    CHECK(seal->mrzLines() == std::vector<std::string>{"MED<<MUSTERMANN<<ERIK<<<<<<<<<<<<<<<",
                                                       "M0000000<4ALB0308212M1604128<<<<<<<2"});
    REQUIRE(seal->feature("azr_number"));
    CHECK(seal->feature("azr_number")->text == "160113000085");
    CHECK(seal->signature.size() == 64);
}

TEST_CASE("malformed seals give a clear error, never a crash", "[seal]")
{
    SECTION("every truncation of a valid seal is rejected")
    {
        for (std::size_t n = 0; n < kAnnexF.size(); ++n) {
            const auto r = parseSeal(std::span(kAnnexF.data(), n));
            INFO("length " << n);
            REQUIRE_FALSE(r);
            CHECK_FALSE(r.error().message().empty());
        }
    }
    SECTION("unknown header version")
    {
        Bytes b = kAnnexF;
        b[1] = 0x07;
        const auto r = parseSeal(b);
        REQUIRE_FALSE(r);
        CHECK(r.error().code() == gw::Errc::Unsupported);
    }
    SECTION("not a seal")
    {
        Bytes b = kAnnexF;
        b[0] = 0xDD;
        CHECK_FALSE(parseSeal(b));
    }
    SECTION("signature zone missing")
    {
        const Bytes b(kAnnexF.begin(), kAnnexF.begin() + 77); // header + features, no 0xFF
        const auto r = parseSeal(b);
        REQUIRE_FALSE(r);
        CHECK(r.error().message().find("0xFF") != std::string::npos);
    }
    SECTION("a feature length beyond the data")
    {
        Bytes b = kAnnexF;
        b[19] = 0x7F;
        CHECK_FALSE(parseSeal(b));
    }
    SECTION("huge DER length fields")
    {
        Bytes b(kAnnexF.begin(), kAnnexF.begin() + 18);
        for (const auto& tail :
             {hex("02 82 ff ff 00"), hex("02 84 ff ff ff ff"), hex("02 80"), hex("02 81")}) {
            Bytes t = b;
            t.insert(t.end(), tail.begin(), tail.end());
            CHECK_FALSE(parseSeal(t));
        }
    }
    SECTION("odd or oversized signature length, bytes after the signature")
    {
        Bytes b(kAnnexF.begin(), kAnnexF.begin() + 77);
        Bytes odd = b;
        for (const auto x : hex("ff 03 01 02 03"))
            odd.push_back(x);
        CHECK_FALSE(parseSeal(odd));
        Bytes big = b;
        for (const auto x : hex("ff 81 c8"))
            big.push_back(x);
        big.resize(big.size() + 200, 0x11);
        CHECK_FALSE(parseSeal(big));
        Bytes trailing = kAnnexF;
        trailing.push_back(0x00);
        CHECK_FALSE(parseSeal(trailing));
    }
    SECTION("oversized input")
    {
        Bytes huge(kMaxSealBytes + 1, 0xDC);
        CHECK_FALSE(parseSeal(huge));
    }
    SECTION("unknown tags are reported, not fatal")
    {
        Bytes b(kAnnexF.begin(), kAnnexF.begin() + 77);
        const Bytes extra = hex("2a 02 be ef");
        b.insert(b.end(), extra.begin(), extra.end());
        b.insert(b.end(), kAnnexF.begin() + 77, kAnnexF.end());
        const auto r = parseSeal(b);
        REQUIRE(r);
        REQUIRE(r->features.size() == 4);
        CHECK_FALSE(r->features.back().known);
        CHECK(r->features.back().text == "BEEF");
        CHECK_FALSE(r->warnings.empty());
    }
    SECTION("VDS-NC garbage")
    {
        for (const std::string s :
             {"{", "{}", R"({"data":1,"sig":2})", R"({"data":{"hdr":{},"msg":{}},"sig":{}})"}) {
            const Bytes b(s.begin(), s.end());
            CHECK_FALSE(parseSeal(b));
        }
    }
}

TEST_CASE("the shared TR-03137 figures decode, and the three with a certificate verify", "[seal][shared]")
{
    if (!fs::exists(vdsDir() / "README.md")) {
        WARN("skipped: " << vdsDir() << " is absent");
        return;
    }
    const TrustStore trust = sharedTrustStore();
    REQUIRE(trust.size() == 2);

    struct Figure {
        const char* file;
        SealProfile profile;
        SignatureStatus expected;
    };
    const Figure figures[] = {
        {"tr03137_page_51_Figure_3.jpeg", SealProfile::ArrivalAttestation, SignatureStatus::SignerUnknown},
        {"tr03137_page_54_Picture_2.jpeg", SealProfile::SocialInsuranceCard, SignatureStatus::SignerUnknown},
        {"tr03137_page_57_Picture_2.jpeg", SealProfile::ResidencePermit, SignatureStatus::SignerUnknown},
        {"tr03137_page_60_Picture_3.jpeg", SealProfile::IcaoVisa, SignatureStatus::Valid},
        {"tr03137_page_63_Picture_3.jpeg", SealProfile::AddressStickerId, SignatureStatus::Valid},
        {"tr03137_page_66_Picture_3.jpeg", SealProfile::ResidenceStickerPassport, SignatureStatus::Valid},
    };
    for (const auto& fig : figures) {
        INFO(fig.file);
        const auto barcodes = decodeFigure(fig.file);
        REQUIRE(barcodes.size() == 1);
        CHECK(barcodes[0].format == BarcodeFormat::DataMatrix);
        const auto seal = parseSeal(barcodes[0].bytes);
        REQUIRE(seal);
        CHECK(seal->profile == fig.profile);
        const auto v = verifySeal(*seal, trust);
        INFO(v.detail);
        CHECK(v.status == fig.expected);
        if (fig.expected == SignatureStatus::Valid) {
            CHECK(v.curve == "brainpoolP224r1");
            CHECK(v.hash == "SHA224");
            // One flipped bit anywhere in the signed data or the signature breaks it.
            for (const std::size_t at :
                 {std::size_t{0}, seal->signedBytes.size() / 2, seal->signedBytes.size() - 1}) {
                Seal forged = *seal;
                forged.signedBytes[at] ^= 0x01;
                CHECK(verifySeal(forged, trust).status == SignatureStatus::Invalid);
            }
            Seal forged = *seal;
            forged.signature[5] ^= 0x80;
            CHECK(verifySeal(forged, trust).status == SignatureStatus::Invalid);
        }
    }
}

TEST_CASE("the Annex F figure decodes to the annex bytes and its checks pass", "[seal][shared]")
{
    if (!fs::exists(vdsDir() / "README.md")) {
        WARN("skipped: " << vdsDir() << " is absent");
        return;
    }
    const TrustStore trust = sharedTrustStore();
    const cv::Mat img = cv::imread((vdsDir() / "tr03137_page_60_Picture_3.jpeg").string(), cv::IMREAD_COLOR);
    REQUIRE_FALSE(img.empty());
    const ImageView view{img.data, img.cols, img.rows, static_cast<int>(img.step), PixelFormat::Bgr8};
    const auto findings = inspectSeals(view, trust);
    REQUIRE(findings);
    REQUIRE(findings->size() == 1);
    CHECK(findings->front().barcode.bytes == kAnnexF);

    constexpr double kPxPerMm = 10.0;
    SECTION("matching printed MRZ: all successful, region in millimetres")
    {
        const auto checks = sealChecks(*findings, kAnnexFPrintedMrz, kPxPerMm);
        REQUIRE(checks.size() == 3);
        CHECK(checks[0].id == "vds.present");
        CHECK(checks[1].id == "vds.signature");
        CHECK(checks[2].id == "vds.mrz_match");
        for (const auto& c : checks) {
            INFO(c.id << ": " << c.reason.en);
            CHECK(c.result == CheckResult::Successful);
            CHECK(c.margin > 0);
            CHECK_FALSE(c.reason.nl.empty());
            REQUIRE(c.regions.size() == 1);
            CHECK(c.regions[0].width > 20.0);
            CHECK(c.regions[0].width < img.cols / kPxPerMm + 0.1);
        }
    }
    SECTION("a printed MRZ that differs in one character fails vds.mrz_match")
    {
        auto printed = kAnnexFPrintedMrz;
        printed[1][20] = 'F'; // sex M -> F
        const auto checks = sealChecks(*findings, printed, kPxPerMm);
        CHECK(checks[2].result == CheckResult::Failed);
        CHECK(checks[2].margin < 0);
        CHECK(checks[2].reason.en.find("position 21") != std::string::npos);
    }
    SECTION("a difference where the print was read doubtfully is undetermined, a sure one fails")
    {
        // The name line has no check digit: a letter misread there (here line 1, position 7) must not be
        // taken for an alteration, while a surely read difference beside it still is.
        auto printed = kAnnexFPrintedMrz;
        printed[0][6] = printed[0][6] == 'U' ? 'V' : 'U';
        std::vector<std::vector<float>> confidence;
        for (const auto& line : printed)
            confidence.emplace_back(line.size(), 0.99F);
        confidence[0][6] = 0.4F;
        const PrintedMrzConfidence doubtful{confidence, {}, {}, 0.9F};
        const auto checks = sealChecks(*findings, printed, kPxPerMm, doubtful);
        CHECK(checks[2].result == CheckResult::Undetermined);
        CHECK(checks[2].reason.en.find("line 1 position 7") != std::string::npos);
        CHECK_FALSE(checks[2].reason.nl.empty());
        // Without confidences (the default) the same difference is evidence.
        CHECK(sealChecks(*findings, printed, kPxPerMm)[2].result == CheckResult::Failed);
        // A character doubtful only between OCR-B look-alikes (the recogniser torn between O and 0, which
        // the field type resolves) was seen surely: its difference is evidence.
        std::vector<std::string> recognised(printed.begin(), printed.end());
        std::vector<std::string> runnerUp(printed.begin(), printed.end());
        recognised[0][6] = 'O';
        runnerUp[0][6] = '0';
        const PrintedMrzConfidence torn{confidence, recognised, runnerUp, 0.9F};
        CHECK(sealChecks(*findings, printed, kPxPerMm, torn)[2].result == CheckResult::Failed);
        // Torn between unlike letters (L or U) it stays a doubt.
        runnerUp[0][6] = 'L';
        const PrintedMrzConfidence unsure{confidence, recognised, runnerUp, 0.9F};
        CHECK(sealChecks(*findings, printed, kPxPerMm, unsure)[2].result == CheckResult::Undetermined);
        // A second, surely read difference makes it a failure again.
        printed[1][20] = printed[1][20] == 'M' ? 'F' : 'M';
        CHECK(sealChecks(*findings, printed, kPxPerMm, doubtful)[2].result == CheckResult::Failed);
    }
    SECTION("a difference in the optional data the seal does not store is not a mismatch")
    {
        auto printed = kAnnexFPrintedMrz;
        printed[1][30] = 'X';
        CHECK(sealChecks(*findings, printed, kPxPerMm)[2].result == CheckResult::Successful);
    }
    SECTION("no printed MRZ: undetermined")
    {
        CHECK(sealChecks(*findings, {}, kPxPerMm)[2].result == CheckResult::Undetermined);
    }
    SECTION("an empty trust store makes the signature undetermined")
    {
        const auto unknown = inspectSeals(view, TrustStore{});
        REQUIRE(unknown);
        CHECK(sealChecks(*unknown, kAnnexFPrintedMrz, kPxPerMm)[1].result == CheckResult::Undetermined);
    }
}

TEST_CASE("no seal on the document: the checks are not supported", "[seal]")
{
    const auto checks = sealChecks({}, {}, 10.0);
    REQUIRE(checks.size() == 3);
    for (const auto& c : checks)
        CHECK(c.result == CheckResult::NotSupported);

    Image blank;
    blank.width = 64;
    blank.height = 64;
    blank.pixels.assign(64 * 64, 255);
    const auto found = findSealBarcodes(blank.view());
    REQUIRE(found);
    CHECK(found->empty());
    CHECK_FALSE(findSealBarcodes(ImageView{}));
}

TEST_CASE("the trust store skips what is not a certificate", "[seal]")
{
    const std::string junk = "not a certificate";
    const std::vector<CertificateBlob> blobs = {{Bytes(junk.begin(), junk.end()), "junk.txt"},
                                                {{}, "empty.der"}};
    const auto store = TrustStore::fromCertificates(blobs);
    REQUIRE(store);
    CHECK(store->size() == 0);
    CHECK(store->warnings().size() == 2);
    const auto seal = parseSeal(kAnnexF);
    REQUIRE(seal);
    CHECK(verifySeal(*seal, *store).status == SignatureStatus::SignerUnknown);
}
