// SPDX-License-Identifier: Apache-2.0
// mrz.check_digits: a failed digit is RED only when the characters it is computed over were read surely.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <gw/vision/inspection.h>
#include <gw/vision/mrz.h>

#include "checks/mrz_checks.h"

using gw::vision::CheckResult;
using gw::vision::MrzRead;

namespace {

constexpr float kBar = 0.90F;

// The ICAO 9303-4 specimen (Anna Maria Eriksson) with the birth date altered from 740812 to 740813 and
// its check digit left as printed: the birth date's and the composite digit fail.
MrzRead altered()
{
    auto record = gw::vision::parseMrzText("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
                                           "L898902C36UTO7408132F1204159ZE184226B<<<<<10");
    REQUIRE(record);
    REQUIRE_FALSE(record->checkDigitsValid());
    MrzRead r;
    r.record = *record;
    r.ocrLines = record->lines;
    for (const auto& l : record->lines)
        r.confidences.emplace_back(l.size(), 0.99F);
    r.minConfidence = 0.99F;
    return r;
}

} // namespace

TEST_CASE("mrz.check_digits: a sure read of an altered field is a failure", "[mrz_checks]")
{
    const auto c = gw::vision::checks::checkMrzCheckDigits(altered(), kBar);
    CHECK(c.result == CheckResult::Failed);
    CHECK(c.margin < 0);
}

TEST_CASE("mrz.check_digits: a doubtful character outside the failing fields does not make it doubtful",
          "[mrz_checks]")
{
    auto r = altered();
    r.confidences[0][10] = 0.5F; // a letter of the surname, covered by no check digit of TD3
    r.confidences[1][2] = 0.5F;  // the document number, whose digit holds: it is not behind the failure
    r.minConfidence = 0.5F;
    CHECK(gw::vision::checks::checkMrzCheckDigits(r, kBar).result == CheckResult::Failed);
}

TEST_CASE("mrz.check_digits: a doubtful character of the failing field makes it undetermined", "[mrz_checks]")
{
    auto r = altered();
    // Every failing digit must be doubtful: the birth date's own character, and one the composite covers.
    r.confidences[1][18] = 0.5F; // last digit of the birth date (line 2, columns 13-18)
    r.minConfidence = 0.5F;
    const auto c = gw::vision::checks::checkMrzCheckDigits(r, kBar);
    CHECK(c.result == CheckResult::Undetermined);
    CHECK(c.reason.en.find("uncertain") != std::string::npos);
}

TEST_CASE("mrz.check_digits: a structural break on a doubtful line makes every digit doubtful",
          "[mrz_checks]")
{
    auto r = altered();
    r.record.issues.push_back({"document_code_invalid", "document code is not valid", 0, 0});
    r.confidences[0][0] = 0.4F; // the document code that decides the format was read doubtfully
    r.minConfidence = 0.4F;
    CHECK(gw::vision::checks::checkMrzCheckDigits(r, kBar).result == CheckResult::Undetermined);
}
