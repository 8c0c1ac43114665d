// SPDX-License-Identifier: Apache-2.0
// Visible Digital Seals end to end on specimen visas: genuine verifies, the two seal forgeries are RED.
#include <memory>

#include <catch2/catch.hpp>

#include <gw/specimen/seals.h>
#include <gw/vision/seal.h>

#include "check_fixture.h"

namespace sp = gw::specimen;
namespace vi = gw::vision;

namespace {

struct Signer {
    std::shared_ptr<const sp::SealSigner> signer;
    std::shared_ptr<const vi::TrustStore> trust;
};

Signer makeSigner()
{
    auto s = sp::SealSigner::generate(sp::SignerSpec{});
    REQUIRE(s.has_value());
    const std::string pem = s->certificatePem();
    const vi::CertificateBlob blob{std::vector<std::uint8_t>(pem.begin(), pem.end()), "test signer"};
    auto trust = vi::TrustStore::fromCertificates(std::span<const vi::CertificateBlob>(&blob, 1));
    REQUIRE(trust.has_value());
    return {std::make_shared<const sp::SealSigner>(std::move(*s)),
            std::make_shared<const vi::TrustStore>(std::move(*trust))};
}

vi::CheckResult resultOf(const vi::InspectionReport& r, std::string_view id)
{
    const auto* c = gw::testing::findCheck(r, id);
    REQUIRE(c != nullptr);
    return c->result;
}

} // namespace

TEST_CASE("seal forgeries on specimen visas are RED, the genuine seal verifies", "[seal][forgery]")
{
    const Signer s = makeSigner();
    vi::InspectionSettings settings;
    settings.trustStore = s.trust;
    gw::testing::SpecimenCase c{.format = sp::Format::MrvB, .seed = 21, .clean = true};
    c.sealMaker = sp::makeSealMaker(s.signer);

    const auto genuine = gw::testing::inspectSpecimen(c, settings);
    CHECK(resultOf(genuine.report, "vds.present") == vi::CheckResult::Successful);
    CHECK(resultOf(genuine.report, "vds.signature") == vi::CheckResult::Successful);
    CHECK(resultOf(genuine.report, "vds.mrz_match") == vi::CheckResult::Successful);

    c.forgery = sp::Forgery::SealSignature;
    const auto flipped = gw::testing::inspectSpecimen(c, settings);
    CHECK(flipped.capture.truth.sealInfo.at("forgery") == "seal_signature");
    CHECK(resultOf(flipped.report, "vds.signature") == vi::CheckResult::Failed);
    CHECK(flipped.report.verdict == vi::Verdict::Red);

    c.forgery = sp::Forgery::SealMrz;
    const auto mismatch = gw::testing::inspectSpecimen(c, settings);
    CHECK(resultOf(mismatch.report, "vds.signature") == vi::CheckResult::Successful);
    CHECK(resultOf(mismatch.report, "vds.mrz_match") == vi::CheckResult::Failed);
    CHECK(mismatch.report.verdict == vi::Verdict::Red);
}

TEST_CASE("seal forgeries need a visa with a seal maker", "[seal][forgery][malformed]")
{
    sp::SpecimenSpec spec;
    spec.forgery = sp::Forgery::SealSignature;
    spec.format = sp::Format::MrvB;
    auto noMaker = sp::renderSpecimen(spec);
    REQUIRE_FALSE(noMaker.has_value());
    CHECK(noMaker.error().code() == gw::Errc::InvalidArgument);

    // A set without seals passes over the seal kinds; with seals they land on MRV-B visas.
    sp::SetPlan plan;
    plan.count = 60;
    plan.forgeries.assign(sp::allForgeries().begin(), sp::allForgeries().end());
    plan.forgedShare = 1.0;
    int sealKinds = 0;
    for (const auto& spec2 : sp::planSet(plan))
        sealKinds += sp::isSealForgery(spec2.forgery) ? 1 : 0;
    CHECK(sealKinds == 0);
    plan.seals = true;
    for (const auto& spec2 : sp::planSet(plan)) {
        if (sp::isSealForgery(spec2.forgery)) {
            ++sealKinds;
            CHECK(spec2.format == sp::Format::MrvB);
        }
    }
    CHECK(sealKinds == 10); // 60 forged captures over 12 kinds in turn
}

TEST_CASE("a seal washed out by glare in white light is decoded under IR", "[seal][ir]")
{
    const Signer s = makeSigner();
    vi::InspectionSettings settings;
    settings.trustStore = s.trust;
    // Capture 17 of `specimen generate --seed 91 --forgeries seal_signature,seal_mrz --forged-share 1
    // --seals`: strong glare over the DataMatrix in white light.
    sp::SetPlan plan;
    plan.seed = 91;
    plan.count = 17;
    plan.forgeries = {sp::Forgery::SealSignature, sp::Forgery::SealMrz};
    plan.forgedShare = 1.0;
    plan.seals = true;
    const sp::SpecimenSpec spec = sp::planSet(plan).back();
    REQUIRE(spec.forgery == sp::Forgery::SealSignature);
    gw::testing::SpecimenCase c{.format = spec.format, .forgery = spec.forgery, .seed = spec.seed};
    c.sealMaker = sp::makeSealMaker(s.signer);

    const auto withIr = gw::testing::inspectSpecimen(c, settings);
    CHECK(resultOf(withIr.report, "vds.signature") == vi::CheckResult::Failed);
    CHECK(withIr.report.verdict == vi::Verdict::Red);

    c.withIr = false;
    const auto whiteOnly = gw::testing::inspectSpecimen(c, settings);
    CHECK(resultOf(whiteOnly.report, "vds.present") != vi::CheckResult::Successful);
}
