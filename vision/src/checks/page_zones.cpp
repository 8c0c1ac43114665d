// SPDX-License-Identifier: Apache-2.0
#include "checks/page_zones.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace gw::vision::checks {
namespace {

struct Nominal {
    MrzFormat format;
    double widthMm;
    double heightMm;
    double mrzClearMm; ///< height of the MRZ clear area at the bottom (9303-3 / parts 4-7)
    double headerMm;   ///< zone I
};

// Sizes from 9303 parts 4-7; MRZ clear areas: TD1 three lines at 4.23 mm pitch, the others two lines
// with the upper centre 15.75 mm from the bottom.
constexpr std::array<Nominal, 5> kNominal = {{
    {MrzFormat::TD1, 85.60, 53.98, 17.8, 6.5},
    {MrzFormat::TD2, 105.0, 74.0, 19.0, 10.0},
    {MrzFormat::TD3, 125.0, 88.0, 19.0, 12.0},
    {MrzFormat::MRVA, 120.0, 80.0, 19.0, 11.0},
    {MrzFormat::MRVB, 105.0, 74.0, 19.0, 10.0},
}};

const Nominal& nominalOf(std::optional<MrzFormat> f)
{
    for (const auto& n : kNominal)
        if (f && n.format == *f)
            return n;
    return kNominal[2];
}

} // namespace

RectMm boundingBox(const std::vector<RectMm>& rs)
{
    double x0 = 1e9, y0 = 1e9, x1 = -1e9, y1 = -1e9;
    for (const auto& r : rs) {
        x0 = std::min(x0, r.x);
        y0 = std::min(y0, r.y);
        x1 = std::max(x1, r.x + r.width);
        y1 = std::max(y1, r.y + r.height);
    }
    return RectMm{x0, y0, x1 - x0, y1 - y0};
}

std::optional<MrzFormat> formatFromSize(double widthMm, double heightMm)
{
    std::optional<MrzFormat> best;
    double bestErr = 0.08;
    for (const auto& n : kNominal) {
        const double err = std::max(std::abs(widthMm / n.widthMm - 1), std::abs(heightMm / n.heightMm - 1));
        // TD2 and MRV-B share a size; the first listed (TD2) is as good a guess as any.
        if (err < bestErr) {
            bestErr = err;
            best = n.format;
        }
    }
    return best;
}

PageZones pageZones(std::optional<MrzFormat> format, double widthMm, double heightMm, const MrzRead* mrz)
{
    const Nominal& n = nominalOf(format);
    const double sx = widthMm / n.widthMm;
    const double sy = heightMm / n.heightMm;
    PageZones z;
    z.page = {0, 0, widthMm, heightMm};
    const double headerBottom = n.headerMm * sy;
    double mrzTop = heightMm - n.mrzClearMm * sy;
    if (mrz && !mrz->lineRegions.empty()) {
        const RectMm lines = boundingBox(mrz->lineRegions);
        z.mrz = {lines.x - 1.0, lines.y - 1.0, lines.width + 2.0, lines.height + 2.0};
        mrzTop = std::min(mrzTop, z.mrz.y);
    } else {
        z.mrz = {0, mrzTop, widthMm, heightMm - mrzTop};
    }
    z.header = {0, 0, widthMm, headerBottom};
    // The portrait sits left, within the first ~44 % of the width on every format (9303-4 zone V is
    // 32-45 mm wide on a 125 mm page, starting a few millimetres from the edge).
    const double portraitRight = 0.44 * widthMm;
    z.portrait = {1.0 * sx, headerBottom, portraitRight - 1.0 * sx, std::max(0.0, mrzTop - headerBottom)};
    const double vizLeft = 0.30 * widthMm;
    z.viz = {vizLeft, headerBottom, widthMm - 1.5 * sx - vizLeft, std::max(0.0, mrzTop - headerBottom)};
    return z;
}

} // namespace gw::vision::checks
