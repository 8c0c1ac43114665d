// SPDX-License-Identifier: Apache-2.0
#include "check_fixture.h"

#include <algorithm>

#include <catch2/catch.hpp>

namespace gw::testing {

Inspected inspectSpecimen(const SpecimenCase& c, vision::InspectionSettings settings)
{
    specimen::SpecimenSpec spec;
    spec.format = c.format;
    spec.forgery = c.forgery;
    spec.seed = c.seed;
    spec.clean = c.clean;
    spec.sealMaker = c.sealMaker;
    auto rendered = specimen::renderSpecimen(spec);
    REQUIRE(rendered.has_value());
    Inspected out{std::move(*rendered), {}};
    const auto& cap = out.capture;
    vision::CaptureSet set;
    set.white = vision::ImageView{cap.white.data, cap.white.cols, cap.white.rows, int(cap.white.step),
                                  vision::PixelFormat::Bgr8};
    if (c.withIr)
        set.ir = vision::ImageView{cap.ir.data, cap.ir.cols, cap.ir.rows, int(cap.ir.step),
                                   vision::PixelFormat::Gray8};
    if (c.withUv)
        set.uv = vision::ImageView{cap.uv.data, cap.uv.cols, cap.uv.rows, int(cap.uv.step),
                                   vision::PixelFormat::Bgr8};
    set.pixelsPerMm = cap.truth.geometry.pixelsPerMm;
    if (settings.inspectionDate.empty())
        settings.inspectionDate = std::string(c.date);
    auto report = vision::inspect(set, settings);
    REQUIRE(report.has_value());
    out.report = std::move(*report);
    return out;
}

const vision::CheckOutcome* findCheck(const vision::InspectionReport& report, std::string_view id)
{
    const auto it = std::ranges::find_if(report.checks, [&](const auto& c) { return c.id == id; });
    return it == report.checks.end() ? nullptr : &*it;
}

bool overlaps(const vision::CheckOutcome& outcome, const vision::RectMm& area, double minShare)
{
    for (const auto& r : outcome.regions) {
        const double w = std::min(r.x + r.width, area.x + area.width) - std::max(r.x, area.x);
        const double h = std::min(r.y + r.height, area.y + area.height) - std::max(r.y, area.y);
        if (w <= 0 || h <= 0)
            continue;
        const double smaller = std::min(r.width * r.height, area.width * area.height);
        if (smaller > 0 && w * h / smaller >= minShare)
            return true;
    }
    return false;
}

} // namespace gw::testing
