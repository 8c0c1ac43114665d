// SPDX-License-Identifier: Apache-2.0
// Renders a specimen capture and inspects it, for the tests of the individual checks.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include <gw/specimen/specimen.h>
#include <gw/vision/inspection.h>

namespace gw::testing {

/// @brief What to render and which lights to hand to inspect().
struct SpecimenCase {
    specimen::Format format = specimen::Format::Td3;
    specimen::Forgery forgery = specimen::Forgery::Genuine;
    std::uint64_t seed = 1;
    bool clean = false; ///< no degradations (else drawn from the seed, as in the bench)
    bool withIr = true; ///< hand the IR frame to inspect()
    bool withUv = true; ///< hand the UV frame to inspect()
    std::string_view date = "2026-11-25";
    specimen::SealMaker sealMaker{}; ///< seals on visas and permits (gw/specimen/seals.h); empty: none
};

/// @brief The rendered capture and the report of inspecting it.
struct Inspected {
    specimen::Capture capture;
    vision::InspectionReport report;
};

/// @brief Renders and inspects @p c with default settings (plus @p settings when given). Fails the
/// running Catch2 test (REQUIRE) when rendering or inspection returns an error.
Inspected inspectSpecimen(const SpecimenCase& c, vision::InspectionSettings settings = {});

/// @brief The outcome of check @p id in @p report; nullptr when the report has none.
const vision::CheckOutcome* findCheck(const vision::InspectionReport& report, std::string_view id);

/// @brief True when some region of @p outcome overlaps @p area by at least @p minShare of the smaller.
bool overlaps(const vision::CheckOutcome& outcome, const vision::RectMm& area, double minShare = 0.2);

} // namespace gw::testing
