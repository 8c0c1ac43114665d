// SPDX-License-Identifier: Apache-2.0
// ICAO 9303-3 §4.9 check digits, against the worked examples and specimen MRZs of Doc 9303.
#include <string>

#include <catch2/catch.hpp>

#include <gw/vision/check_digit.h>

using gw::vision::mrzCharValue;
using gw::vision::mrzCheckChar;
using gw::vision::mrzCheckDigit;

TEST_CASE("character values follow 9303-3: digits, letters from 10, filler 0", "[mrz][check_digit]")
{
    CHECK(mrzCharValue('0') == 0);
    CHECK(mrzCharValue('9') == 9);
    CHECK(mrzCharValue('A') == 10);
    CHECK(mrzCharValue('K') == 20);
    CHECK(mrzCharValue('Z') == 35);
    CHECK(mrzCharValue('<') == 0);
    for (char c : std::string("az -/.\t\0", 9))
        CHECK_FALSE(mrzCharValue(c).has_value());
    CHECK_FALSE(mrzCharValue(static_cast<char>(0xC9)).has_value()); // Latin-1 E acute
}

TEST_CASE("check digits of the Doc 9303 specimen fields", "[mrz][check_digit]")
{
    struct Case {
        const char* field;
        int digit;
    };
    // Worked example of 9303-3 §4.9 (date 27 July 1952) and the fields of the specimen MRZs in
    // 9303-4 (TD3, L898902C3), 9303-5/6 (TD1/TD2, D23145890) and 9303-7 (MRV, L8988901C).
    const auto c =
        GENERATE(Case{"520727", 3}, Case{"L898902C3", 6}, Case{"740812", 2}, Case{"120415", 9},
                 Case{"ZE184226B<<<<<", 1}, Case{"D23145890", 7}, Case{"L8988901C", 4}, Case{"400907", 8},
                 Case{"961210", 9}, Case{"AB2134<<<", 5}, Case{"", 0}, Case{"<<<<<<", 0});
    CAPTURE(c.field);
    CHECK(mrzCheckDigit(c.field) == c.digit);
    CHECK(mrzCheckChar(c.field) == static_cast<char>('0' + c.digit));
}

TEST_CASE("the TD3 composite check digit of the 9303-4 specimen is 0", "[mrz][check_digit]")
{
    // Positions 1-10, 14-20 and 22-43 of line 2 of the ERIKSSON specimen.
    const std::string line2 = "L898902C36UTO7408122F1204159ZE184226B<<<<<10";
    const std::string composite = line2.substr(0, 10) + line2.substr(13, 7) + line2.substr(21, 22);
    CHECK(mrzCheckDigit(composite) == 0);
    CHECK(line2[43] == '0');
}

TEST_CASE("a field with a character outside the MRZ set has no check digit", "[mrz][check_digit]")
{
    CHECK_FALSE(mrzCheckDigit("L898902c3").has_value());
    CHECK_FALSE(mrzCheckDigit("L898 902C3").has_value());
    CHECK_FALSE(mrzCheckChar("ÄB").has_value());
}
