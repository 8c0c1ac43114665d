// SPDX-License-Identifier: Apache-2.0
// Seal writer round trips: seals we write and render parse, verify and pass the checks; forgeries fail.
#include <algorithm>
#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <opencv2/core.hpp>

#include <gw/specimen/seal_writer.h>
#include <gw/vision/seal.h>

using namespace gw::vision;
using namespace gw::specimen;

namespace {

std::string pad(std::string s, std::size_t n)
{
    s.resize(n, '<');
    return s;
}

const std::vector<std::string> kVisaMrz = {pad("V<UTOERIKSSON<<ANNA<MARIA", 36),
                                           "L898902C<3UTO7408122F1204159<<<<<<<<"};
const std::vector<std::string> kTd2Mrz = {pad("ARUTOERIKSSON<<ANNA<MARIA", 36),
                                          "D231458907UTO7408122F1204159<<<<<<<6"};

TrustStore storeOf(const SealSigner& signer, bool pem)
{
    const std::string text = signer.certificatePem();
    const std::vector<CertificateBlob> blobs = {
        pem ? CertificateBlob{std::vector<std::uint8_t>(text.begin(), text.end()), "signer.pem"}
            : CertificateBlob{signer.certificateDer(), "signer.der"}};
    auto store = TrustStore::fromCertificates(blobs);
    REQUIRE(store);
    REQUIRE(store->size() == 1);
    return *store;
}

std::vector<SealFinding> inspect(const cv::Mat& img, const TrustStore& trust)
{
    const ImageView view{img.data, img.cols, img.rows, static_cast<int>(img.step), PixelFormat::Gray8};
    auto findings = inspectSeals(view, trust);
    REQUIRE(findings);
    return *findings;
}

/// Places a rendered seal on a grey document-sized canvas, as on a normalised visa sticker.
cv::Mat onDocument(const cv::Mat& barcode)
{
    cv::Mat doc(880, 1250, CV_8UC1, cv::Scalar(215));
    for (int y = 0; y < doc.rows; y += 7)
        doc.row(y).setTo(170); // faint background print
    barcode.copyTo(doc(cv::Rect(900, 80, barcode.cols, barcode.rows)));
    return doc;
}

} // namespace

TEST_CASE("a written visa seal parses, verifies and renders", "[seal][writer]")
{
    const std::string curve = GENERATE(std::string("P-256"), std::string("brainpoolP224r1"));
    INFO(curve);
    SignerSpec spec;
    spec.curve = curve;
    const auto signer = SealSigner::generate(spec);
    REQUIRE(signer);
    CHECK(signer->signerIdentifier() == "UTGW");
    CHECK(signer->certificateReference() == "1A");
    const TrustStore trust = storeOf(*signer, curve == "P-256");

    const auto visa = visaSealSpec(kVisaMrz, "X12345678", 90, *signer, {2024, 3, 1});
    REQUIRE(visa);
    const auto bytes = writeSeal(*visa, *signer);
    REQUIRE(bytes);
    const auto seal = parseSeal(*bytes);
    REQUIRE(seal);
    CHECK(seal->profile == SealProfile::IcaoVisa);
    CHECK(seal->header.signerIdentifier == "UTGW");
    CHECK(seal->header.certificateReference == "1A");
    CHECK(seal->mrzLines() == kVisaMrz);
    CHECK(seal->documentNumber() == "X12345678");
    CHECK(seal->feature("duration_of_stay")->text == "90 days, 0 months, 0 years");
    const auto v = verifySeal(*seal, trust);
    INFO(v.detail);
    CHECK(v.status == SignatureStatus::Valid);

    const auto img = renderDataMatrix(*bytes, 6);
    REQUIRE(img);
    const auto findings = inspect(onDocument(*img), trust);
    REQUIRE(findings.size() == 1);
    CHECK(findings[0].barcode.bytes == *bytes);
    for (const auto& c : sealChecks(findings, kVisaMrz, 10.0)) {
        INFO(c.id << ": " << c.reason.en);
        CHECK(c.result == CheckResult::Successful);
    }
}

TEST_CASE("forged seals are caught and genuine ones are not flagged", "[seal][writer]")
{
    const auto signer = SealSigner::generate(SignerSpec{});
    REQUIRE(signer);
    const TrustStore trust = storeOf(*signer, false);
    constexpr int kDocuments = 12;
    int genuineFlagged = 0;
    int forgedCaught = 0;
    int forged = 0;
    for (int i = 0; i < kDocuments; ++i) {
        // Vary the holder so each seal (and signature) differs.
        std::vector<std::string> mrz = i % 2 == 0 ? kVisaMrz : kTd2Mrz;
        mrz[0][5 + i % 8] = static_cast<char>('A' + i);
        const auto spec =
            i % 2 == 0 ? visaSealSpec(mrz, "P0000000" + std::to_string(i), 30 + i, *signer, {2024, 5, 1})
                       : residencePermitSealSpec(mrz, "P0000000" + std::to_string(i), *signer, {2024, 5, 1});
        REQUIRE(spec);
        for (const auto forgery :
             {SealForgery::None, SealForgery::FlippedSignatureByte, SealForgery::MrzMismatch}) {
            const auto bytes = writeSealWithForgery(*spec, *signer, forgery);
            REQUIRE(bytes);
            const auto img = renderDataMatrix(*bytes, 5);
            REQUIRE(img);
            const auto findings = inspect(onDocument(*img), trust);
            REQUIRE(findings.size() == 1);
            const auto checks = sealChecks(findings, mrz, 10.0);
            REQUIRE(checks.size() == 3);
            const bool anyFailed = std::any_of(checks.begin(), checks.end(), [](const CheckOutcome& c) {
                return c.result == CheckResult::Failed;
            });
            if (forgery == SealForgery::None) {
                genuineFlagged += anyFailed ? 1 : 0;
                for (const auto& c : checks)
                    CHECK(c.result == CheckResult::Successful);
            } else {
                ++forged;
                forgedCaught += anyFailed ? 1 : 0;
                const auto& failedCheck =
                    forgery == SealForgery::FlippedSignatureByte ? checks[1] : checks[2];
                CHECK(failedCheck.result == CheckResult::Failed);
                if (forgery == SealForgery::MrzMismatch)
                    CHECK(checks[1].result == CheckResult::Successful); // validly signed, wrong content
            }
        }
    }
    std::cout << "seal specimens: " << forgedCaught << "/" << forged << " forged seals failed a check, "
              << genuineFlagged << "/" << kDocuments << " genuine seals flagged\n";
    CHECK(forgedCaught == forged);
    CHECK(genuineFlagged == 0);
}

TEST_CASE("version 3 headers, expired signer certificates and unknown signers", "[seal][writer]")
{
    SignerSpec old;
    old.notBefore = {2015, 1, 1};
    old.notAfter = {2019, 12, 31};
    const auto signer = SealSigner::generate(old);
    REQUIRE(signer);
    const TrustStore trust = storeOf(*signer, true);

    auto spec = residencePermitSealSpec(kTd2Mrz, "P12345678", *signer, {2018, 6, 30});
    REQUIRE(spec);
    spec->version = 3;
    auto bytes = writeSeal(*spec, *signer);
    REQUIRE(bytes);
    auto seal = parseSeal(*bytes);
    REQUIRE(seal);
    CHECK(seal->header.version == 3);
    CHECK(seal->header.certificateReference == "0001A");
    CHECK(verifySeal(*seal, trust).status == SignatureStatus::Valid);

    spec->signatureDate = {2024, 1, 2}; // after the certificate expired
    bytes = writeSeal(*spec, *signer);
    REQUIRE(bytes);
    seal = parseSeal(*bytes);
    REQUIRE(seal);
    const auto v = verifySeal(*seal, trust);
    CHECK(v.status == SignatureStatus::CertificateInvalid);
    CHECK(v.detail.find("2024-01-02") != std::string::npos);

    spec->certificateReference = "1B"; // no such certificate
    bytes = writeSeal(*spec, *signer);
    REQUIRE(bytes);
    seal = parseSeal(*bytes);
    REQUIRE(seal);
    CHECK(verifySeal(*seal, trust).status == SignatureStatus::SignerUnknown);
}

TEST_CASE("VDS-NC in a QR Code verifies against its issuer", "[seal][writer]")
{
    SignerSpec caSpec;
    caSpec.commonName = "CA";
    caSpec.serial = 1;
    const auto ca = SealSigner::generate(caSpec);
    REQUIRE(ca);
    SignerSpec signerSpec;
    signerSpec.commonName = "NC";
    signerSpec.serial = 2;
    const auto signer = SealSigner::generate(signerSpec, &*ca);
    REQUIRE(signer);
    const TrustStore trust = storeOf(*ca, true);

    const auto json = writeVdsNc("icao.test", "UTO",
                                 R"({"pid":{"n":"ERIKSSON ANNA","i":"L898902C"},"utci":"U1"})", *signer);
    REQUIRE(json);
    const auto img = renderQrCode(*json, 3);
    REQUIRE(img);
    const auto findings = inspect(onDocument(*img), trust);
    REQUIRE(findings.size() == 1);
    CHECK(findings[0].barcode.format == BarcodeFormat::QrCode);
    REQUIRE(findings[0].seal);
    const Seal& seal = *findings[0].seal;
    CHECK(seal.kind == SealKind::VdsNc);
    CHECK(seal.header.ncType == "icao.test");
    CHECK(seal.documentNumber() == "L898902C");
    REQUIRE(findings[0].verification);
    CHECK(findings[0].verification->status == SignatureStatus::Valid);

    std::string altered = *json;
    altered.replace(altered.find("ERIKSSON"), 8, "ERIKSSEN");
    const auto tampered = parseSeal(std::vector<std::uint8_t>(altered.begin(), altered.end()));
    REQUIRE(tampered);
    CHECK(verifySeal(*tampered, trust).status == SignatureStatus::Invalid);
    CHECK(verifySeal(seal, TrustStore{}).status == SignatureStatus::SignerUnknown);
    const auto printed = std::vector<std::string>{pad("P<UTOERIKSSON<<ANNA", 44),
                                                  "L898902C<3UTO7408122F1204159ZE184226B<<<<<10"};
    CHECK(sealChecks(findings, printed, 10.0)[2].result == CheckResult::Successful);
}

TEST_CASE("rendering rejects bad arguments and oversized content", "[seal][writer]")
{
    const std::vector<std::uint8_t> tiny = {0xDC, 0x03};
    CHECK_FALSE(renderDataMatrix(tiny, 0));
    CHECK_FALSE(renderDataMatrix(std::vector<std::uint8_t>(5000, 0x41), 2));
    CHECK_FALSE(c40Feature(1, "lower case"));
}
