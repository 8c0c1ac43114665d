// SPDX-License-Identifier: Apache-2.0
// The ultraviolet checks on specimen documents: dull genuine paper passes, brighteners and glue fail.
#include <cmath>
#include <memory>
#include <string>

#include <catch2/catch.hpp>
#include <opencv2/imgproc.hpp>

#include <gw/vision/thresholds.h>

#include "check_fixture.h"
#include "checks/optical_checks.h"

using gw::specimen::Forgery;
using gw::specimen::Format;
using gw::testing::findCheck;
using gw::testing::inspectSpecimen;
using gw::testing::overlaps;
using gw::vision::CheckOutcome;
using gw::vision::CheckResult;

namespace {

constexpr const char* kDull = "uv.substrate_dull";
constexpr const char* kGlow = "uv.false_luminescence";

const CheckOutcome& need(const gw::vision::InspectionReport& report, const char* id)
{
    const CheckOutcome* c = findCheck(report, id);
    REQUIRE(c != nullptr);
    return *c;
}

void checkWellFormed(const CheckOutcome& c)
{
    INFO(c.id);
    CHECK(c.margin >= -1.0);
    CHECK(c.margin <= 1.0);
    CHECK_FALSE(c.reason.en.empty());
    CHECK_FALSE(c.reason.nl.empty());
}

double measured(const CheckOutcome& c, const std::string& name)
{
    for (const auto& [k, v] : c.measured)
        if (k == name)
            return v;
    FAIL("no measured value " << name << " in " << c.id);
    return 0;
}

/// Inspects the already rendered capture of @p done again with other thresholds.
gw::vision::InspectionReport reinspect(const gw::testing::Inspected& done,
                                       std::shared_ptr<const gw::vision::Thresholds> thresholds)
{
    const auto& cap = done.capture;
    gw::vision::CaptureSet set;
    set.white = gw::vision::ImageView{cap.white.data, cap.white.cols, cap.white.rows, int(cap.white.step),
                                      gw::vision::PixelFormat::Bgr8};
    set.ir = gw::vision::ImageView{cap.ir.data, cap.ir.cols, cap.ir.rows, int(cap.ir.step),
                                   gw::vision::PixelFormat::Gray8};
    set.uv = gw::vision::ImageView{cap.uv.data, cap.uv.cols, cap.uv.rows, int(cap.uv.step),
                                   gw::vision::PixelFormat::Bgr8};
    set.pixelsPerMm = cap.truth.geometry.pixelsPerMm;
    gw::vision::InspectionSettings settings;
    settings.inspectionDate = "2026-11-25";
    settings.thresholds = std::move(thresholds);
    auto report = gw::vision::inspect(set, settings);
    REQUIRE(report.has_value());
    return std::move(*report);
}

} // namespace

TEST_CASE("genuine paper of every format is dull and has no glowing patch", "[uv]")
{
    // Degraded captures (gradients, vignetting, noise, contrast, 300-600 dpi, rotation, upside down)
    // drawn from the seed, one per format, plus a clean one.
    struct Case {
        Format format;
        std::uint64_t seed;
        bool clean;
    };
    const auto c =
        GENERATE(Case{Format::Td1, 11, false}, Case{Format::Td2, 12, false}, Case{Format::Td3, 13, false},
                 Case{Format::MrvA, 14, false}, Case{Format::MrvB, 15, false}, Case{Format::Td3, 16, true});
    INFO("format " << static_cast<int>(c.format) << " seed " << c.seed);
    const auto done = inspectSpecimen({.format = c.format, .seed = c.seed, .clean = c.clean});
    const CheckOutcome& dull = need(done.report, kDull);
    checkWellFormed(dull);
    CHECK(dull.tr03135Id == "(UV,BR,FU)");
    CHECK(dull.result == CheckResult::Successful);
    CHECK(dull.margin > 0.3);
    const CheckOutcome& glow = need(done.report, kGlow);
    checkWellFormed(glow);
    CHECK(glow.result == CheckResult::Successful);
    CHECK(glow.regions.empty());
}

TEST_CASE("paper with optical brighteners fails the UV-dull check", "[uv]")
{
    const auto done = inspectSpecimen({.format = Format::Td3, .forgery = Forgery::UvBrightPaper, .seed = 21});
    const CheckOutcome& dull = need(done.report, kDull);
    checkWellFormed(dull);
    CHECK(dull.result == CheckResult::Failed);
    CHECK(dull.margin < -0.3);
    CHECK_FALSE(dull.regions.empty());
    // A glowing page gives a glowing patch no contrast: not decided, never failed on that account.
    CHECK(need(done.report, kGlow).result == CheckResult::Undetermined);
    CHECK(done.report.verdict == gw::vision::Verdict::Red);
}

TEST_CASE("glue under UV is a glowing patch where the forger put it", "[uv]")
{
    const auto seed = GENERATE(31, 32);
    const auto format = seed == 31 ? Format::Td3 : Format::Td1;
    const auto done =
        inspectSpecimen({.format = format, .forgery = Forgery::UvGlue, .seed = std::uint64_t(seed)});
    const CheckOutcome& glow = need(done.report, kGlow);
    checkWellFormed(glow);
    CHECK(glow.result == CheckResult::Failed);
    CHECK(glow.margin < 0);
    const auto& truth = done.capture.truth.regionsMm;
    REQUIRE(truth.count("uv_glue") == 1);
    CHECK(overlaps(glow, truth.at("uv_glue")));
    // Glue is local: the substrate as a whole stays dull.
    CHECK(need(done.report, kDull).result == CheckResult::Successful);
}

TEST_CASE("a substituted photo on photo paper glows under UV", "[uv]")
{
    const auto done =
        inspectSpecimen({.format = Format::Td3, .forgery = Forgery::PhotoSubstituted, .seed = 41});
    const CheckOutcome& glow = need(done.report, kGlow);
    CHECK(glow.result == CheckResult::Failed);
    CHECK(overlaps(glow, done.capture.truth.regionsMm.at("portrait")));
}

TEST_CASE("the bleached halo of a reprinted field glows under UV", "[uv]")
{
    const auto done = inspectSpecimen({.format = Format::Td3, .forgery = Forgery::VizReprinted, .seed = 51});
    const CheckOutcome& glow = need(done.report, kGlow);
    CHECK(glow.result == CheckResult::Failed);
    CHECK(overlaps(glow, done.capture.truth.regionsMm.at("reprinted_field")));
}

TEST_CASE("without a UV image both checks are not supported, never failed", "[uv]")
{
    const auto done = inspectSpecimen({.format = Format::Td2, .seed = 61, .withUv = false});
    for (const char* id : {kDull, kGlow}) {
        const CheckOutcome& c = need(done.report, id);
        INFO(id);
        CHECK(c.result == CheckResult::NotSupported);
        CHECK_FALSE(c.reason.nl.empty());
    }
    CHECK(need(done.report, kDull).tr03135Id == "(UV,BR,FU)");
}

TEST_CASE("a lab's thresholds change the UV outcomes", "[uv][thresholds]")
{
    const auto done = inspectSpecimen({.format = Format::Td3, .forgery = Forgery::UvGlue, .seed = 31});
    REQUIRE(need(done.report, kDull).result == CheckResult::Successful);
    REQUIRE(need(done.report, kGlow).result == CheckResult::Failed);
    const double level = measured(need(done.report, kDull), "substrate_level");
    const double glow = measured(need(done.report, kGlow), "patch_glow");
    REQUIRE(level > 2); // a halved threshold must still be a real level

    // A scanner whose UV bank is weaker: the lab lowers the level; this page now counts as glowing.
    auto strict = gw::vision::Thresholds::fromJson(R"({"thresholds": {"uv.substrate_dull.max_level": )" +
                                                   std::to_string(level * 0.5) + "}}");
    REQUIRE(strict.has_value());
    const auto strictReport =
        reinspect(done, std::make_shared<const gw::vision::Thresholds>(std::move(*strict)));
    CHECK(need(strictReport, kDull).result == CheckResult::Failed);

    // Demanding more glow than the glue shows lets it pass.
    auto lax = gw::vision::Thresholds::fromJson(R"({"thresholds": {"uv.false_luminescence.min_glow": )" +
                                                std::to_string(glow * 1.5) + "}}");
    REQUIRE(lax.has_value());
    const auto laxReport = reinspect(done, std::make_shared<const gw::vision::Thresholds>(std::move(*lax)));
    CHECK(need(laxReport, kGlow).result == CheckResult::Successful);
    CHECK(need(laxReport, kDull).result == CheckResult::Successful);
}

// Hand-made pages (12 px/mm, 100 x 70 mm): a dull violet substrate, as security paper returns the
// lamp's leak, with one 12 x 8 mm patch of a given colour. No generator involved: the physics alone.
namespace {

struct Page {
    cv::Mat white{840, 1200, CV_8UC3, cv::Scalar(215, 230, 225)};
    cv::Mat uv{840, 1200, CV_8UC3, cv::Scalar(40, 24, 34)};
    gw::vision::DocumentGeometry geometry;
    gw::vision::checks::CheckContext ctx() const
    {
        gw::vision::checks::CheckContext c;
        c.white = white;
        c.uv = uv;
        c.pixelsPerMm = 12;
        c.geometry = &geometry;
        c.thresholds = &gw::vision::Thresholds::defaults();
        return c;
    }
};

} // namespace

TEST_CASE("a blue-white patch glows falsely, a coloured designed feature does not", "[uv][synthetic]")
{
    Page page;
    const cv::Rect patch(480, 360, 144, 96); // 12 x 8 mm at 40 x 30 mm
    SECTION("broadband (brightener) glow fails, with its region")
    {
        page.uv(patch).setTo(cv::Scalar(150, 140, 135));
        const auto c = gw::vision::checks::checkUvFalseLuminescence(page.ctx());
        CHECK(c.result == CheckResult::Failed);
        CHECK(overlaps(c, gw::vision::RectMm{40, 30, 12, 8}, 0.5));
        CHECK(gw::vision::checks::checkUvSubstrateDull(page.ctx()).result == CheckResult::Successful);
    }
    SECTION("a saturated green fluorescent ink passes")
    {
        page.uv(patch).setTo(cv::Scalar(90, 250, 200));
        CHECK(gw::vision::checks::checkUvFalseLuminescence(page.ctx()).result == CheckResult::Successful);
    }
    SECTION("a whole page of brightened paper fails the substrate check")
    {
        page.uv.setTo(cv::Scalar(232, 212, 196));
        CHECK(gw::vision::checks::checkUvSubstrateDull(page.ctx()).result == CheckResult::Failed);
        CHECK(gw::vision::checks::checkUvFalseLuminescence(page.ctx()).result == CheckResult::Undetermined);
    }
}

TEST_CASE("images the UV checks cannot judge are undetermined, not failed", "[uv][synthetic][malformed]")
{
    Page page;
    SECTION("the normaliser framed the dark lid")
    {
        page.white.setTo(cv::Scalar(26, 24, 24));
        page.uv.setTo(cv::Scalar(16, 8, 14));
    }
    SECTION("a grey UV image")
    {
        cv::cvtColor(cv::Mat(page.uv), page.uv, cv::COLOR_BGR2GRAY);
    }
    SECTION("a page too small to judge")
    {
        page.uv = page.uv(cv::Rect(0, 0, 90, 90)).clone();
    }
    for (const auto& c : {gw::vision::checks::checkUvSubstrateDull(page.ctx()),
                          gw::vision::checks::checkUvFalseLuminescence(page.ctx())}) {
        INFO(c.id);
        CHECK(c.result == CheckResult::Undetermined);
        CHECK_FALSE(c.reason.en.empty());
        CHECK_FALSE(c.reason.nl.empty());
        for (const auto& r : c.regions)
            CHECK(std::isfinite(r.width));
    }
}
