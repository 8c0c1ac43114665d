// SPDX-License-Identifier: Apache-2.0
// The thresholds table: shipped defaults parse and explain themselves; a lab's overrides are strict.
#include <cmath>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <gw/vision/thresholds.h>

#include "check_fixture.h"

using gw::vision::Thresholds;

TEST_CASE("the shipped thresholds have a version and a reason for every value", "[thresholds]")
{
    const Thresholds& t = Thresholds::defaults();
    CHECK_FALSE(t.version().empty());
    REQUIRE_FALSE(t.entries().empty());
    for (const auto& [key, e] : t.entries()) {
        INFO(key);
        CHECK(e.why.size() >= 20);
        CHECK(std::isfinite(e.value));
        CHECK(key.find('.') != std::string::npos); // "<check or part>.<name>"
    }
    CHECK_THROWS_AS(t.value("no.such_key"), std::out_of_range);
}

TEST_CASE("a lab file overrides known keys and names its version", "[thresholds]")
{
    const Thresholds& base = Thresholds::defaults();
    const std::string key = base.entries().begin()->first;
    const double before = base.value(key);

    auto plain = Thresholds::fromJson(R"({"thresholds": {")" + key + R"(": 0.123}})");
    REQUIRE(plain.has_value());
    CHECK(plain->value(key) == Approx(0.123));
    CHECK(plain->version() == base.version() + "+lab");
    CHECK(base.value(key) == Approx(before)); // the defaults are untouched

    auto named = Thresholds::fromJson(R"({"version": "lab-7", "thresholds": {")" + key +
                                      R"(": {"value": 0.5, "why": "tuned on set 7"}}})");
    REQUIRE(named.has_value());
    CHECK(named->version() == "lab-7");
    CHECK(named->entries().find(key)->second.why == "tuned on set 7");

    // A file made from the shipped table (`docinspect thresholds`) with one value edited no longer
    // claims the shipped version; unedited, it is the shipped table.
    auto shipped = nlohmann::json::parse(base.toJson());
    auto same = Thresholds::fromJson(shipped.dump());
    REQUIRE(same.has_value());
    CHECK(same->version() == base.version());
    shipped["thresholds"][key]["value"] = before + 0.01;
    auto edited = Thresholds::fromJson(shipped.dump());
    REQUIRE(edited.has_value());
    CHECK(edited->version() == base.version() + "+lab");

    // toJson() reads back to the same table.
    auto again = Thresholds::fromJson(named->toJson());
    REQUIRE(again.has_value());
    for (const auto& [k, e] : named->entries())
        CHECK(again->value(k) == Approx(e.value));
}

TEST_CASE("malformed or unknown thresholds are clear errors", "[thresholds][malformed]")
{
    for (const char* bad : {"", "[]", "{", R"({"thresholds": 3})", R"({"version": 1, "thresholds": {}})",
                            R"({"thresholds": {"no.such_key": 1}})",
                            R"({"thresholds": {"mrz.min_confidence_for_failure": "high"}})",
                            R"({"thresholds": {"mrz.min_confidence_for_failure": {"why": "no value"}}})"}) {
        INFO(bad);
        auto r = Thresholds::fromJson(bad);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().message().rfind("thresholds:", 0) == 0);
    }
}

TEST_CASE("reports name the thresholds version they were decided with", "[thresholds][inspect]")
{
    auto lab = Thresholds::fromJson(R"({"version": "lab-x", "thresholds": {}})");
    REQUIRE(lab.has_value());
    gw::vision::InspectionSettings settings;
    settings.thresholds = std::make_shared<const Thresholds>(*lab);
    const auto out = gw::testing::inspectSpecimen({.seed = 3, .clean = true}, settings);
    CHECK(out.report.thresholdsVersion == "lab-x");
    const auto json = nlohmann::json::parse(gw::vision::reportToJson(out.report));
    CHECK(json["thresholds_version"] == "lab-x");
}
