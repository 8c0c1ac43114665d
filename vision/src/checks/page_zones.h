// SPDX-License-Identifier: Apache-2.0
// Where the zones of ICAO 9303 (header, portrait, personal data, MRZ) lie on a normalised page.
#pragma once

#include <optional>
#include <vector>

#include <gw/vision/check.h>
#include <gw/vision/inspection.h>
#include <gw/vision/mrz.h>

namespace gw::vision::checks {

/// @brief Search zones on the upright page, in document millimetres. They are generous nominal areas
/// (ICAO 9303 parts 4-7 fix the MRZ exactly but leave the rest to the issuer): a check looks for its
/// feature inside them rather than assuming it fills them.
struct PageZones {
    RectMm page;     ///< the whole document
    RectMm header;   ///< zone I: issuing state, document type
    RectMm portrait; ///< zone V: the portrait lies inside (left of the personal data)
    RectMm viz;      ///< zones II-IV: personal data right of the portrait, between header and MRZ
    RectMm mrz;      ///< zone VII: the MRZ lines read (with a 1 mm margin), else the nominal clear area
};

/// @brief The zones of a page of @p widthMm x @p heightMm. @p format: from the MRZ, or guessed from the
/// size; nullopt uses TD3 proportions. @p mrz: the lines read (places the MRZ zone exactly).
PageZones pageZones(std::optional<MrzFormat> format, double widthMm, double heightMm, const MrzRead* mrz);

/// @brief The smallest rectangle holding all of @p rects (e.g. the MRZ lines); an empty input gives a
/// rectangle of negative size.
RectMm boundingBox(const std::vector<RectMm>& rects);

/// @brief The ICAO format whose nominal size is nearest (within 8 % on both sides) to the page; nullopt
/// when none is.
std::optional<MrzFormat> formatFromSize(double widthMm, double heightMm);

} // namespace gw::vision::checks
