// SPDX-License-Identifier: Apache-2.0
// The MRZ reader falls back to the infrared frame where laminate glare washes the MRZ out in white light.
#include <catch2/catch.hpp>

#include "check_fixture.h"

namespace sp = gw::specimen;
namespace vi = gw::vision;

TEST_CASE("glare over the MRZ in white light: read under IR, exactly", "[reader][ir]")
{
    // A seed of the MRZ benchmark (seed 20261124) whose white light alone gives no valid MRZ: strong glare
    // (0.65-0.75) over the first characters, contrast 0.6.
    struct Case {
        sp::Format format;
        std::uint64_t seed;
    };
    for (const Case c : {Case{sp::Format::Td2, 17732192727733311877ull}}) {
        INFO("seed " << c.seed);
        auto withIr = gw::testing::inspectSpecimen({.format = c.format, .seed = c.seed});
        REQUIRE(withIr.report.mrz.has_value());
        CHECK(withIr.report.mrz->light == vi::Light::Infrared);
        CHECK(withIr.report.mrz->record.lines == withIr.capture.truth.mrz);
        CHECK(withIr.report.mrz->record.checkDigitsValid());
        CHECK(withIr.report.mrz->record.structureValid());

        // Without the IR frame the white-light read is all there is: not the exact MRZ.
        auto whiteOnly = gw::testing::inspectSpecimen({.format = c.format, .seed = c.seed, .withIr = false});
        const bool exact = whiteOnly.report.mrz &&
                           whiteOnly.report.mrz->record.lines == whiteOnly.capture.truth.mrz &&
                           whiteOnly.report.mrz->record.structureValid();
        CHECK_FALSE(exact);
    }
}

TEST_CASE("glare that once needed the IR frame is read in white light, exactly", "[reader][ir]")
{
    // The TD3 of the same benchmark needed IR until the rough ink was thresholded on the band less its
    // light falloff (the global threshold had called the glare-free half of the band ink). Read exactly
    // from either light, and from white light alone too.
    constexpr std::uint64_t kSeed = 16287009403883828822ull;
    for (const bool withIr : {true, false}) {
        INFO("with IR " << withIr);
        auto out = gw::testing::inspectSpecimen({.format = sp::Format::Td3, .seed = kSeed, .withIr = withIr});
        REQUIRE(out.report.mrz.has_value());
        CHECK(out.report.mrz->light == vi::Light::White);
        CHECK(out.report.mrz->record.lines == out.capture.truth.mrz);
        CHECK(out.report.mrz->record.checkDigitsValid());
    }
}

TEST_CASE("an MRZ that vanishes in IR is still read in white light", "[reader][ir]")
{
    auto out = gw::testing::inspectSpecimen(
        {.format = sp::Format::Td3, .forgery = sp::Forgery::MrzIrTransparent, .seed = 5, .clean = true});
    REQUIRE(out.report.mrz.has_value());
    CHECK(out.report.mrz->light == vi::Light::White);
    CHECK(out.report.mrz->record.lines == out.capture.truth.mrz);
}
