// SPDX-License-Identifier: Apache-2.0
// The checks that look at the MRZ text alone: read, check digits, structure, expiry.
#pragma once

#include <optional>
#include <string_view>

#include <gw/vision/check.h>
#include <gw/vision/inspection.h>

namespace gw::vision::checks {

/// @brief A calendar date.
struct Date {
    int year = 0;
    int month = 0;
    int day = 0;
    auto operator<=>(const Date&) const = default;
};

/// @brief "YYYY-MM-DD" -> Date; std::nullopt when malformed or impossible.
std::optional<Date> parseIsoDate(std::string_view iso);

/// @brief MRZ YYMMDD with the century chosen for a birth date (not after @p today) or an expiry date
/// (within 50 years around @p today). std::nullopt for fillers or an impossible date.
std::optional<Date> birthDateOf(std::string_view yymmdd, const Date& today);
std::optional<Date> expiryDateOf(std::string_view yymmdd, const Date& today);

CheckOutcome checkMrzRead(const std::optional<MrzRead>& mrz);
CheckOutcome checkMrzCheckDigits(const MrzRead& mrz, float minConfidenceForFailure);
CheckOutcome checkMrzStructure(const MrzRead& mrz, std::optional<Date> today, float minConfidenceForFailure);
CheckOutcome checkDocumentExpiry(const MrzRead& mrz, std::optional<Date> today);

} // namespace gw::vision::checks
