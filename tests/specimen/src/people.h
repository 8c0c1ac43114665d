// SPDX-License-Identifier: Apache-2.0
// Fictitious holders and document data: hand-written names, real ICAO state codes plus UTO, dates.
#pragma once

#include <string>

#include <gw/specimen/specimen.h>

#include "prng.h"

namespace gw::specimen {

struct Date {
    int year = 2000;
    int month = 1;
    int day = 1;
};

/// YYMMDD as in the MRZ.
std::string mrzDate(const Date& d);

/// The date as the visual zone prints it in @p style (see VizText::dateStyle).
std::string vizDate(const Date& d, std::string_view style);

/// Everything a document says, before it is drawn.
struct DocumentData {
    DocumentFields fields; ///< MRZ characters
    VizText viz;           ///< UTF-8, as printed
    Date birth;
    Date issue;
    Date expiry;
    std::uint64_t portraitSeed = 0;
};

/// Draws a fictitious holder and document of @p format from @p rng.
DocumentData drawDocument(Format format, Prng& rng);

/// A different but plausible surname / given name for viz_mismatch forgeries (UTF-8).
std::string otherSurname(const std::string& notThis, Prng& rng);

} // namespace gw::specimen
