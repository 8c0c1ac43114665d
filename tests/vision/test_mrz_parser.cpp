// SPDX-License-Identifier: Apache-2.0
// ICAO 9303 parsing: the specimen MRZs of parts 4-7, the long document number, look-alike resolution,
// structure rules and malformed input.
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <gw/vision/check_digit.h>
#include <gw/vision/mrz.h>

using namespace gw::vision;

namespace {

MrzRecord parseOk(std::vector<std::string> lines, const MrzParseOptions& options = {})
{
    auto r = parseMrz(lines, options);
    if (!r)
        FAIL("parse failed: " << r.error().describe());
    return *r;
}

const CheckDigit& digitOf(const MrzRecord& r, const std::string& field)
{
    for (const auto& c : r.checkDigits)
        if (c.field == field)
            return c;
    FAIL("no check digit for " << field);
    throw std::logic_error("unreachable");
}

// The ERIKSSON TD3 specimen with another document number, every check digit recomputed.
std::vector<std::string> td3WithNumber(const std::string& number)
{
    std::string l2 = number + *mrzCheckChar(number) + "UTO7408122F1204159ZE184226B<<<<<1";
    l2 += *mrzCheckChar(l2.substr(0, 10) + l2.substr(13, 7) + l2.substr(21, 22));
    return {"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", l2};
}

bool hasIssue(const MrzRecord& r, const std::string& code)
{
    for (const auto& i : r.issues)
        if (i.code == code)
            return true;
    return false;
}

} // namespace

TEST_CASE("TD3 specimen of 9303-4 (ERIKSSON ANNA MARIA)", "[mrz][td3]")
{
    const auto r = parseOk(
        {"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"});
    CHECK(r.format == MrzFormat::TD3);
    CHECK(r.fields.documentCode == "P");
    CHECK(r.fields.issuingState == "UTO");
    CHECK(r.fields.surname == "ERIKSSON");
    CHECK(r.fields.givenNames == "ANNA MARIA");
    CHECK(r.fields.documentNumber == "L898902C3");
    CHECK(r.fields.nationality == "UTO");
    CHECK(r.fields.birthDate == "740812");
    CHECK(r.fields.sex == "F");
    CHECK(r.fields.expiryDate == "120415");
    CHECK(r.fields.optionalData == "ZE184226B");
    CHECK(r.checkDigits.size() == 5);
    CHECK(r.checkDigitsValid());
    CHECK(r.structureValid());
    CHECK(r.corrections.empty());
    CHECK_FALSE(r.namesTruncated);
    CHECK_FALSE(r.longDocumentNumber);
}

TEST_CASE("TD1 specimen of 9303-5", "[mrz][td1]")
{
    const auto r = parseOk({"I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6",
                            "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"});
    CHECK(r.format == MrzFormat::TD1);
    CHECK(r.fields.documentCode == "I");
    CHECK(r.fields.documentNumber == "D23145890");
    CHECK(r.fields.birthDate == "740812");
    CHECK(r.fields.expiryDate == "120415");
    CHECK(r.fields.nationality == "UTO");
    CHECK(r.fields.surname == "ERIKSSON");
    CHECK(r.fields.givenNames == "ANNA MARIA");
    CHECK(r.checkDigits.size() == 4);
    CHECK(r.checkDigitsValid());
    CHECK(r.structureValid());
}

TEST_CASE("TD2 specimen of 9303-6", "[mrz][td2]")
{
    const auto r = parseOk({"I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6"});
    CHECK(r.format == MrzFormat::TD2);
    CHECK(r.fields.documentNumber == "D23145890");
    CHECK(r.fields.givenNames == "ANNA MARIA");
    CHECK(r.checkDigits.size() == 4);
    CHECK(r.checkDigitsValid());
    CHECK(r.structureValid());
}

TEST_CASE("MRV-A and MRV-B specimens of 9303-7", "[mrz][mrv]")
{
    const auto a = parseOk(
        {"V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L8988901C4XXX4009078F96121096ZE184226B<<<<<<"});
    CHECK(a.format == MrzFormat::MRVA);
    CHECK(a.fields.documentNumber == "L8988901C");
    CHECK(a.fields.nationality == "XXX");
    CHECK(a.fields.birthDate == "400907");
    CHECK(a.fields.expiryDate == "961210");
    CHECK(a.fields.optionalData == "6ZE184226B");
    CHECK(a.checkDigits.size() == 3); // no composite on visas
    CHECK(a.checkDigitsValid());
    CHECK(a.structureValid());

    const auto b = parseOk({"V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "L8988901C4XXX4009078F9612109<<<<<<<<"});
    CHECK(b.format == MrzFormat::MRVB);
    CHECK(b.fields.documentNumber == "L8988901C");
    CHECK(b.checkDigits.size() == 3);
    CHECK(b.checkDigitsValid());
    CHECK(b.structureValid());
}

TEST_CASE("TD1 long document number continues in the optional data (9303-5)", "[mrz][td1][long]")
{
    // Number D23145890734, check digit 9: '<' in the check digit position, the rest and its digit after.
    const std::string number = "D23145890734";
    REQUIRE(mrzCheckChar(number) == '9');
    std::string l1 = "I<UTO" + number.substr(0, 9) + "<" + number.substr(9) + "9";
    l1.resize(30, '<');
    std::string l2 = "7408122F1204159UTO<<<<<<<<<<<";
    const std::string composite = l1.substr(5, 25) + l2.substr(0, 7) + l2.substr(8, 7) + l2.substr(18, 11);
    l2 += *mrzCheckChar(composite);
    const auto r = parseOk({l1, l2, "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"});
    CHECK(r.longDocumentNumber);
    CHECK(r.fields.documentNumber == number);
    CHECK(r.fields.optionalData.empty());
    CHECK(digitOf(r, "document_number").ok);
    CHECK(digitOf(r, "document_number").column == 18);
    CHECK(r.checkDigitsValid());
    CHECK(r.structureValid());
}

TEST_CASE("TD2 long document number", "[mrz][td2][long]")
{
    const std::string number = "D23145890734";
    std::string l2 = number.substr(0, 9) + "<UTO7408122F1204159" + number.substr(9) + *mrzCheckChar(number);
    l2.resize(35, '<');
    const std::string composite = l2.substr(0, 10) + l2.substr(13, 7) + l2.substr(21, 14);
    l2 += *mrzCheckChar(composite);
    const auto r = parseOk({"I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", l2});
    CHECK(r.longDocumentNumber);
    CHECK(r.fields.documentNumber == number);
    CHECK(r.checkDigitsValid());
}

TEST_CASE("a wrong check digit is a finding, not an error", "[mrz][check_digit]")
{
    // Birth date altered from 740812 to 740813 without recomputing its digit: a classic forgery.
    const auto r = parseOk(
        {"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408132F1204159ZE184226B<<<<<10"});
    CHECK_FALSE(r.checkDigitsValid());
    CHECK_FALSE(digitOf(r, "birth_date").ok);
    CHECK(digitOf(r, "birth_date").expected == '3');
    CHECK_FALSE(digitOf(r, "composite").ok);
    CHECK(digitOf(r, "document_number").ok);
    CHECK(r.corrections.empty()); // digits only there: nothing a look-alike could explain
}

TEST_CASE("look-alikes are resolved only when exactly one reading satisfies every check digit",
          "[mrz][lookalike]")
{
    SECTION("a letter in a date is impossible and has one look-alike")
    {
        const auto r = parseOk(
            {"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO74O8122F1204159ZE184226B<<<<<10"});
        CHECK(r.fields.birthDate == "740812");
        REQUIRE(r.corrections.size() == 1);
        CHECK(r.corrections[0].from == 'O');
        CHECK(r.corrections[0].to == '0');
        CHECK(r.corrections[0].line == 1);
        CHECK(r.corrections[0].column == 15);
        CHECK(r.checkDigitsValid());
    }
    SECTION("a digit in the name is replaced by its letter look-alike")
    {
        const auto r = parseOk(
            {"P<UTOER1KSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"});
        CHECK(r.fields.surname == "ERIKSSON");
        CHECK(r.corrections.size() == 1);
    }
    SECTION("a document number's 8 read as B is restored when that is the only consistent reading")
    {
        auto lines = td3WithNumber("XC8K3HJ4P");
        lines[1][2] = 'B';
        const auto r = parseOk(lines);
        CHECK(r.checkDigitsValid());
        CHECK(r.fields.documentNumber == "XC8K3HJ4P");
        REQUIRE(r.corrections.size() == 1);
        CHECK(r.corrections[0].from == 'B');
        CHECK(r.corrections[0].to == '8');
    }
    SECTION("several consistent readings: the read is left as it is")
    {
        // L898902C3 misread as LB98902C3: LB9890ZC3 and LB9B902C3 satisfy the digits too.
        const auto r = parseOk(
            {"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "LB98902C36UTO7408122F1204159ZE184226B<<<<<10"});
        CHECK(r.corrections.empty());
        CHECK_FALSE(r.checkDigitsValid());
        CHECK(r.fields.documentNumber == "LB98902C3");
    }
    SECTION("the OCR runner-up narrows the candidates so the right reading is unique")
    {
        std::vector<std::string> alternates = {std::string(44, '\0'), std::string(44, '\0')};
        alternates[1][1] = '8';
        MrzParseOptions o;
        o.alternates = alternates;
        const auto r = parseOk(
            {"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "LB98902C36UTO7408122F1204159ZE184226B<<<<<10"},
            o);
        CHECK(r.checkDigitsValid());
        CHECK(r.fields.documentNumber == "L898902C3");
    }
    SECTION("a consistent read is never traded for another consistent reading")
    {
        const auto r = parseOk(
            {"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"});
        CHECK(r.corrections.empty());
    }
    SECTION("with correction off the read stays as it is")
    {
        MrzParseOptions o;
        o.correctLookalikes = false;
        const auto r = parseOk(
            {"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "LB98902C36UTO7408122F1204159ZE184226B<<<<<10"},
            o);
        CHECK(r.corrections.empty());
        CHECK_FALSE(r.checkDigitsValid());
    }
    SECTION("an OCR runner-up is a candidate too")
    {
        // Check digit of the birth date read as 3 with runner-up 2.
        std::vector<std::string> alternates = {std::string(44, '\0'), std::string(44, '\0')};
        alternates[1][19] = '2';
        MrzParseOptions o;
        o.alternates = alternates;
        const auto r = parseOk(
            {"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408123F1204159ZE184226B<<<<<10"},
            o);
        CHECK(r.checkDigitsValid());
        REQUIRE(r.corrections.size() == 1);
        CHECK(r.corrections[0].to == '2');
    }
}

TEST_CASE("look-alike resolution never invents validity: random misreads", "[mrz][lookalike][property]")
{
    // Replace characters of valid MRZs by their look-alikes at random; whatever the parser returns as
    // valid after correction must equal the original (no silent misread).
    const std::vector<std::vector<std::string>> specimens = {
        {"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"},
        {"I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6",
         "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"},
        {"I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6"},
    };
    const std::string from = "0O1I2Z5S8B";
    const std::string to = "O0I1Z2S5B8";
    std::mt19937 rng(20261124);
    int corrected = 0;
    for (int trial = 0; trial < 3000; ++trial) {
        const auto& truth = specimens[static_cast<std::size_t>(trial) % specimens.size()];
        auto lines = truth;
        const int flips = 1 + static_cast<int>(rng() % 3);
        for (int f = 0; f < flips; ++f) {
            auto& line = lines[rng() % lines.size()];
            const std::size_t col = rng() % line.size();
            const auto k = from.find(line[col]);
            if (k != std::string::npos)
                line[col] = to[k];
        }
        const auto r = parseMrz(lines);
        REQUIRE(r);
        // A misread that already satisfies every check digit cannot be told from the truth by anyone;
        // what matters is that a correction the parser makes restores exactly the truth.
        for (const auto& c : r->corrections)
            CHECK(truth[static_cast<std::size_t>(c.line)][static_cast<std::size_t>(c.column)] == c.to);
        if (!r->corrections.empty() && r->checkDigitsValid())
            ++corrected;
    }
    CHECK(corrected > 500); // the resolver does real work, not only refuse
}

TEST_CASE("structure rules of 9303-3 and parts 4-7", "[mrz][structure]")
{
    SECTION("unknown issuing state and nationality")
    {
        const auto r = parseOk(
            {"P<QQQERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36QQQ7408122F1204159ZE184226B<<<<<10"});
        CHECK(hasIssue(r, "issuing_state_unknown"));
        CHECK(hasIssue(r, "nationality_unknown"));
    }
    SECTION("nothing but fillers after the name's padding")
    {
        // A '<' misread as 'C' under glare in the padding: not protected by any check digit.
        const auto r = parseOk(
            {"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<C<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"});
        CHECK(r.checkDigitsValid());
        CHECK(hasIssue(r, "name_after_fillers"));
        CHECK_FALSE(hasIssue(parseOk({"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
                                      "L898902C36UTO7408122F1204159ZE184226B<<<<<10"}),
                             "name_after_fillers"));
        // A truncated name fills the field to its end: no padding, no issue.
        CHECK_FALSE(hasIssue(parseOk({"P<UTOERIKSSON<<ANNA<MARIA<ELISABETH<CHRISTIN",
                                      "L898902C36UTO7408122F1204159ZE184226B<<<<<10"}),
                             "name_after_fillers"));
    }
    SECTION("ICAO-only codes are valid")
    {
        for (const char* code : {"D", "D<<", "GBD", "GBN", "GBO", "GBP", "GBS", "UNO", "UNA", "UNK", "XXA",
                                 "XXB", "XXC", "XXX", "EUE", "NLD", "DEU", "UTO"})
            CHECK(isIcaoStateCode(code));
        for (const char* code : {"", "<<<", "NL", "NLDX", "ABC", "XXD", "nld"})
            CHECK_FALSE(isIcaoStateCode(code));
    }
    SECTION("document codes per format")
    {
        CHECK(hasIssue(parseOk({"X<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
                                "L898902C36UTO7408122F1204159ZE184226B<<<<<10"}),
                       "document_code_invalid"));
        CHECK(hasIssue(
            parseOk({"IVUTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6"}),
            "document_code_invalid"));
        CHECK_FALSE(hasIssue(
            parseOk({"ACUTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6"}),
            "document_code_invalid"));
    }
    SECTION("impossible dates")
    {
        // 13th month and 30 February, with check digits recomputed so only the date rule fails.
        for (const std::string dob : {"741312", "740230"}) {
            std::string l2 = "L898902C36UTO" + dob + *mrzCheckChar(dob) + "F1204159ZE184226B<<<<<1";
            l2 += *mrzCheckChar(l2.substr(0, 10) + l2.substr(13, 7) + l2.substr(21, 22));
            const auto r = parseOk({"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", l2});
            CHECK(r.checkDigitsValid());
            CHECK(hasIssue(r, "birth_date_invalid"));
        }
    }
    SECTION("an unknown birth date may be fillers")
    {
        std::string l2 = "L898902C36UTO<<<<<<0F1204159ZE184226B<<<<<1";
        l2 += *mrzCheckChar(l2.substr(0, 10) + l2.substr(13, 7) + l2.substr(21, 22));
        const auto r = parseOk({"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", l2});
        CHECK_FALSE(hasIssue(r, "birth_date_invalid"));
        CHECK(r.checkDigitsValid());
    }
    SECTION("a full name field may be truncated")
    {
        const auto r = parseOk(
            {"P<UTOVANDERBERGHEHUYSMANSDEKERCKHOVE<<ANNAMA", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"});
        CHECK(r.namesTruncated);
        CHECK(r.fields.givenNames == "ANNAMA");
    }
}

TEST_CASE("malformed input is a clear error, never a crash", "[mrz][malformed]")
{
    using Lines = std::vector<std::string>;
    const auto bad = GENERATE(
        Lines{}, Lines{""}, Lines{"P<UTO"}, Lines{"A", "B", "C", "D"},
        Lines{std::string(44, '<'), std::string(43, '<')}, Lines{std::string(40, '<'), std::string(40, '<')},
        Lines{std::string(30, '<'), std::string(30, '<')},
        Lines{"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<1 "},
        Lines{"p<utoeriksson<<anna<maria<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"},
        Lines{std::string(44, '\0'), std::string(44, '\xff')});
    const auto r = parseMrz(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == gw::Errc::InvalidInput);
    CHECK_FALSE(r.error().message().empty());
}

TEST_CASE("parseMrzText splits lines and rejects garbage of any size", "[mrz][malformed]")
{
    const auto ok = parseMrzText(
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\r\nL898902C36UTO7408122F1204159ZE184226B<<<<<10\n");
    REQUIRE(ok);
    CHECK(ok->fields.surname == "ERIKSSON");
    CHECK_FALSE(parseMrzText(""));
    CHECK_FALSE(parseMrzText("\n\n\n"));
    std::string garbage(10 * 1024 * 1024, 'A');
    std::mt19937 rng(7);
    for (auto& c : garbage)
        c = static_cast<char>(rng() & 0xff);
    CHECK_FALSE(parseMrzText(garbage));
    CHECK_FALSE(parseMrzText(std::string(10 * 1024 * 1024, '<')));
}

TEST_CASE("the OCR-B letters mistaken for digits", "[mrz][lookalike]")
{
    CHECK(mrzDigitLookalike('O') == '0');
    CHECK(mrzDigitLookalike('D') == '0');
    CHECK(mrzDigitLookalike('Q') == '0');
    CHECK(mrzDigitLookalike('I') == '1');
    CHECK(mrzDigitLookalike('Z') == '2');
    CHECK(mrzDigitLookalike('S') == '5');
    CHECK(mrzDigitLookalike('B') == '8');
    CHECK(mrzDigitLookalike('A') == '\0');
    CHECK(mrzDigitLookalike('0') == '\0');
    CHECK(mrzDigitLookalike('<') == '\0');
}
