// SPDX-License-Identifier: Apache-2.0
// The infrared checks: ir.mrz_absorbs, ir.viz_absorbs and photo.white_ir on genuine and forged specimens.
#include <memory>
#include <string>

#include <catch2/catch.hpp>

#include <gw/vision/thresholds.h>

#include "check_fixture.h"

namespace {

using gw::specimen::Forgery;
using gw::specimen::Format;
using gw::testing::findCheck;
using gw::testing::inspectSpecimen;
using gw::vision::CheckResult;
using gw::vision::checkResultName;

constexpr const char* kIrChecks[] = {"ir.mrz_absorbs", "ir.viz_absorbs", "photo.white_ir"};

const gw::vision::CheckOutcome& require(const gw::vision::InspectionReport& report, const char* id)
{
    const auto* c = findCheck(report, id);
    REQUIRE(c != nullptr);
    return *c;
}

void requireWellFormed(const gw::vision::CheckOutcome& c)
{
    CHECK(c.margin >= -1.0);
    CHECK(c.margin <= 1.0);
    CHECK_FALSE(c.reason.en.empty());
    CHECK_FALSE(c.reason.nl.empty());
}

} // namespace

TEST_CASE("genuine documents of every format pass the IR checks despite degradations", "[ir][genuine]")
{
    const auto [format, seed] = GENERATE(table<Format, std::uint64_t>({{Format::Td1, 101},
                                                                       {Format::Td2, 102},
                                                                       {Format::Td3, 103},
                                                                       {Format::MrvA, 104},
                                                                       {Format::MrvB, 105}}));
    const auto out = inspectSpecimen({.format = format, .seed = seed});
    INFO("format " << static_cast<int>(format) << " seed " << seed << " degradation "
                   << out.capture.truth.degradations.level);
    for (const char* id : kIrChecks) {
        const auto& c = require(out.report, id);
        INFO(id << ": " << checkResultName(c.result) << " margin " << c.margin << " - " << c.reason.en);
        requireWellFormed(c);
        CHECK(c.result == CheckResult::Successful);
        CHECK(c.margin > 0);
    }
    CHECK(require(out.report, "ir.mrz_absorbs").tr03135Id == "(IR,AB,MR)");
}

TEST_CASE("an MRZ in IR-transparent ink fails ir.mrz_absorbs over the MRZ", "[ir][forgery]")
{
    const auto out =
        inspectSpecimen({.format = Format::Td3, .forgery = Forgery::MrzIrTransparent, .seed = 201});
    const auto& c = require(out.report, "ir.mrz_absorbs");
    INFO(c.reason.en);
    requireWellFormed(c);
    CHECK(c.result == CheckResult::Failed);
    CHECK(c.margin < 0);
    CHECK(gw::testing::overlaps(c, out.capture.truth.geometry.mrzBoxMm, 0.5));
    // The visual zone was personalised with IR-absorbing ink: that check is not misled by the MRZ.
    CHECK(require(out.report, "ir.viz_absorbs").result != CheckResult::Failed);
}

TEST_CASE("personal data in dye ink fails ir.viz_absorbs over the data", "[ir][forgery]")
{
    const auto out = inspectSpecimen({.format = Format::Td1, .forgery = Forgery::VizDyeInk, .seed = 202});
    const auto& c = require(out.report, "ir.viz_absorbs");
    INFO(c.reason.en);
    requireWellFormed(c);
    CHECK(c.result == CheckResult::Failed);
    CHECK(c.margin < 0);
    CHECK(gw::testing::overlaps(c, out.capture.truth.regionsMm.at("personal_data")));
    CHECK(require(out.report, "ir.mrz_absorbs").result == CheckResult::Successful);
}

TEST_CASE("one reprinted field fails ir.viz_absorbs exactly there", "[ir][forgery]")
{
    const auto out = inspectSpecimen({.format = Format::Td2, .forgery = Forgery::VizReprinted, .seed = 203});
    const auto& c = require(out.report, "ir.viz_absorbs");
    INFO(c.reason.en);
    requireWellFormed(c);
    CHECK(c.result == CheckResult::Failed);
    REQUIRE(out.capture.truth.regionsMm.contains("reprinted_field"));
    const auto& truth = out.capture.truth.regionsMm.at("reprinted_field");
    CHECK(gw::testing::overlaps(c, truth, 0.5));
    // Only the reprinted words are named, not the whole visual zone.
    for (const auto& r : c.regions)
        CHECK(r.width * r.height < 4 * truth.width * truth.height);
}

TEST_CASE("a substituted portrait fails photo.white_ir over the portrait", "[ir][forgery]")
{
    const auto out =
        inspectSpecimen({.format = Format::MrvA, .forgery = Forgery::PhotoSubstituted, .seed = 204});
    const auto& c = require(out.report, "photo.white_ir");
    INFO(c.reason.en);
    requireWellFormed(c);
    CHECK(c.result == CheckResult::Failed);
    CHECK(c.margin < 0);
    CHECK(gw::testing::overlaps(c, out.capture.truth.regionsMm.at("portrait"), 0.5));
}

TEST_CASE("without an IR image the IR checks are not supported, never failed", "[ir][lights]")
{
    const auto out =
        inspectSpecimen({.format = Format::Td3, .forgery = Forgery::VizDyeInk, .seed = 205, .withIr = false});
    for (const char* id : kIrChecks) {
        const auto& c = require(out.report, id);
        INFO(id);
        CHECK(c.result == CheckResult::NotSupported);
        CHECK_FALSE(c.reason.nl.empty());
    }
}

TEST_CASE("a lab's thresholds change the IR checks' outcome", "[ir][thresholds]")
{
    auto lab = gw::vision::Thresholds::fromJson(R"({"version": "lab-ir", "thresholds": {
        "ir.mrz_absorbs.pcs_fail": 0.99,
        "ir.viz_absorbs.ir_ratio_min": 5.0,
        "photo.white_ir.agreement_min": 1.01}})");
    REQUIRE(lab.has_value());
    gw::vision::InspectionSettings settings;
    settings.thresholds = std::make_shared<const gw::vision::Thresholds>(*lab);
    const gw::testing::SpecimenCase genuine{.format = Format::Td3, .seed = 206, .clean = true};
    const auto strict = inspectSpecimen(genuine, settings);
    const auto shipped = inspectSpecimen(genuine);
    for (const char* id : kIrChecks) {
        INFO(id);
        CHECK(require(shipped.report, id).result == CheckResult::Successful);
        CHECK(require(strict.report, id).result == CheckResult::Failed);
    }
}
