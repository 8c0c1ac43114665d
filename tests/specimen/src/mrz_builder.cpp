// SPDX-License-Identifier: Apache-2.0
// ICAO 9303 MRZ line assembly for the five formats, including the TD1/TD2 long-document-number rule.
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <utility>

#include <gw/specimen/mrz_builder.h>
#include <gw/vision/check_digit.h>

namespace gw::specimen {
namespace {

constexpr char kFiller = '<';
constexpr std::size_t kNumberField = 9; // document number element of every format

std::string padded(std::string_view s, std::size_t width)
{
    std::string out(s.substr(0, std::min(s.size(), width)));
    out.resize(width, kFiller);
    return out;
}

/// Spaces become fillers; anything else outside the MRZ alphabet is reported.
gw::Result<std::string> normalised(std::string_view value, std::string_view what)
{
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        if (c == ' ')
            c = kFiller;
        if (!gw::vision::mrzCharValue(c))
            return gw::fail(gw::Errc::InvalidArgument, std::string(what) +
                                                           " has a character outside [A-Z0-9<]: '" +
                                                           std::string(value) + "'");
        out.push_back(c);
    }
    return out;
}

gw::Result<std::string> sixDigits(std::string_view value, std::string_view what)
{
    if (value.size() != 6 ||
        !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return gw::fail(gw::Errc::InvalidArgument,
                        std::string(what) + " must be YYMMDD, got '" + std::string(value) + "'");
    return std::string(value);
}

char check(std::string_view field)
{
    // Inputs were validated by normalised(), so the check digit always exists.
    return gw::vision::mrzCheckChar(field).value_or('0');
}

gw::Result<std::string> sexField(std::string_view sex)
{
    if (sex == "M" || sex == "F" || sex == "<")
        return std::string(sex);
    if (sex.empty() || sex == "X")
        return std::string("<");
    return gw::fail(gw::Errc::InvalidArgument, "sex must be M, F or <, got '" + std::string(sex) + "'");
}

/// Fields shared by every format, validated once.
struct Normalised {
    std::string code, state, number, nationality, birth, sex, expiry, surname, given, optional, optional1;
};

gw::Result<Normalised> normaliseAll(const DocumentFields& f)
{
    Normalised n;
    auto take = [](gw::Result<std::string> r, std::string& into) -> std::optional<gw::Error> {
        if (!r)
            return r.error();
        into = std::move(*r);
        return std::nullopt;
    };
    if (auto e = take(normalised(f.documentCode, "document code"), n.code))
        return std::unexpected(*e);
    if (auto e = take(normalised(f.issuingState, "issuing state"), n.state))
        return std::unexpected(*e);
    if (auto e = take(normalised(f.documentNumber, "document number"), n.number))
        return std::unexpected(*e);
    if (auto e = take(normalised(f.nationality, "nationality"), n.nationality))
        return std::unexpected(*e);
    if (auto e = take(sixDigits(f.birthDate, "birth date"), n.birth))
        return std::unexpected(*e);
    if (auto e = take(sexField(f.sex), n.sex))
        return std::unexpected(*e);
    if (auto e = take(sixDigits(f.expiryDate, "expiry date"), n.expiry))
        return std::unexpected(*e);
    if (auto e = take(normalised(f.surname, "surname"), n.surname))
        return std::unexpected(*e);
    if (auto e = take(normalised(f.givenNames, "given names"), n.given))
        return std::unexpected(*e);
    if (auto e = take(normalised(f.optionalData, "optional data"), n.optional))
        return std::unexpected(*e);
    if (auto e = take(normalised(f.optionalData1, "optional data 1"), n.optional1))
        return std::unexpected(*e);
    if (n.code.empty() || n.code.size() > 2)
        return gw::fail(gw::Errc::InvalidArgument, "document code must have 1 or 2 characters");
    if (n.state.empty() || n.state.size() > 3 || n.nationality.empty() || n.nationality.size() > 3)
        return gw::fail(gw::Errc::InvalidArgument,
                        "issuing state and nationality must have 1 to 3 characters");
    if (n.number.empty())
        return gw::fail(gw::Errc::InvalidArgument, "document number is empty");
    if (n.surname.empty())
        return gw::fail(gw::Errc::InvalidArgument, "surname is empty");
    return n;
}

gw::Result<std::vector<std::string>> buildTd1(const Normalised& n)
{
    constexpr std::size_t kOptional1 = 15;
    std::string numberField = padded(n.number, kNumberField);
    std::string numberCheck(1, check(n.number));
    std::string optional1 = n.optional1;
    if (n.number.size() > kNumberField) {
        // ICAO 9303-5 §4.2.4: '<' in the check position, the rest of the number and its check digit
        // open the optional data element.
        if (n.number.size() > kNumberField + kOptional1 - 1)
            return gw::fail(gw::Errc::InvalidArgument, "TD1 document number longer than 23 characters");
        numberField = n.number.substr(0, kNumberField);
        optional1 = n.number.substr(kNumberField) + check(n.number);
        numberCheck = std::string(1, kFiller);
    }
    if (optional1.size() > kOptional1)
        return gw::fail(gw::Errc::InvalidArgument, "TD1 optional data 1 longer than 15 characters");
    if (n.optional.size() > 11)
        return gw::fail(gw::Errc::InvalidArgument, "TD1 optional data 2 longer than 11 characters");
    std::string l1 =
        padded(n.code, 2) + padded(n.state, 3) + numberField + numberCheck + padded(optional1, kOptional1);
    std::string l2 = n.birth + check(n.birth) + n.sex + n.expiry + check(n.expiry) +
                     padded(n.nationality, 3) + padded(n.optional, 11);
    const std::string composite = l1.substr(5, 25) + l2.substr(0, 7) + l2.substr(8, 7) + l2.substr(18, 11);
    l2 += check(composite);
    std::string l3 = mrzNameField(n.surname, n.given, 30).text;
    return std::vector<std::string>{l1, l2, l3};
}

gw::Result<std::vector<std::string>> buildTd2(const Normalised& n)
{
    constexpr std::size_t kOptional = 7;
    std::string numberField = padded(n.number, kNumberField);
    std::string numberCheck(1, check(n.number));
    std::string optional = n.optional;
    if (n.number.size() > kNumberField) {
        // ICAO 9303-6 §4.2.4, as TD1: the overflow and its check digit go into the optional data.
        if (n.number.size() > kNumberField + kOptional - 1)
            return gw::fail(gw::Errc::InvalidArgument, "TD2 document number longer than 15 characters");
        numberField = n.number.substr(0, kNumberField);
        optional = n.number.substr(kNumberField) + check(n.number);
        numberCheck = std::string(1, kFiller);
    }
    if (optional.size() > kOptional)
        return gw::fail(gw::Errc::InvalidArgument, "TD2 optional data longer than 7 characters");
    std::string l1 = padded(n.code, 2) + padded(n.state, 3) + mrzNameField(n.surname, n.given, 31).text;
    std::string l2 = numberField + numberCheck + padded(n.nationality, 3) + n.birth + check(n.birth) + n.sex +
                     n.expiry + check(n.expiry) + padded(optional, kOptional);
    const std::string composite = l2.substr(0, 10) + l2.substr(13, 7) + l2.substr(21, 14);
    l2 += check(composite);
    return std::vector<std::string>{l1, l2};
}

gw::Result<std::vector<std::string>> buildTd3(const Normalised& n)
{
    if (n.number.size() > kNumberField)
        return gw::fail(gw::Errc::InvalidArgument, "TD3 document number longer than 9 characters");
    if (n.optional.size() > 14)
        return gw::fail(gw::Errc::InvalidArgument, "TD3 personal number longer than 14 characters");
    std::string l1 = padded(n.code, 2) + padded(n.state, 3) + mrzNameField(n.surname, n.given, 39).text;
    const std::string personal = padded(n.optional, 14);
    // ICAO 9303-4 §4.2.2: an empty personal number may carry '<' as its check digit.
    const char personalCheck = n.optional.empty() ? kFiller : check(personal);
    std::string l2 = padded(n.number, kNumberField) + check(padded(n.number, kNumberField)) +
                     padded(n.nationality, 3) + n.birth + check(n.birth) + n.sex + n.expiry +
                     check(n.expiry) + personal + personalCheck;
    const std::string composite = l2.substr(0, 10) + l2.substr(13, 7) + l2.substr(21, 22);
    l2 += check(composite);
    return std::vector<std::string>{l1, l2};
}

gw::Result<std::vector<std::string>> buildMrv(const Normalised& n, std::size_t length)
{
    if (n.number.size() > kNumberField)
        return gw::fail(gw::Errc::InvalidArgument, "visa number longer than 9 characters");
    const std::size_t optionalWidth = length - 28;
    if (n.optional.size() > optionalWidth)
        return gw::fail(gw::Errc::InvalidArgument, "visa optional data too long");
    std::string l1 =
        padded(n.code, 2) + padded(n.state, 3) + mrzNameField(n.surname, n.given, length - 5).text;
    std::string l2 = padded(n.number, kNumberField) + check(padded(n.number, kNumberField)) +
                     padded(n.nationality, 3) + n.birth + check(n.birth) + n.sex + n.expiry +
                     check(n.expiry) + padded(n.optional, optionalWidth);
    return std::vector<std::string>{l1, l2};
}

/// One transliteration entry: a Unicode code point and its ICAO 9303-3 §6 replacement.
struct Translit {
    char32_t codePoint;
    const char* ascii;
};

// Upper-case Latin letters of ICAO 9303-3 Table "Transliteration of multinational Latin-based characters"
// that our name list uses, plus lower-case ß which has no traditional capital.
constexpr Translit kTranslit[] = {
    {U'À', "A"}, {U'Á', "A"},  {U'Â', "A"},  {U'Ã', "A"},  {U'Ä', "AE"}, {U'Å', "AA"}, {U'Æ', "AE"},
    {U'Ç', "C"}, {U'È', "E"},  {U'É', "E"},  {U'Ê', "E"},  {U'Ë', "E"},  {U'Ì', "I"},  {U'Í', "I"},
    {U'Î', "I"}, {U'Ï', "I"},  {U'Ð', "D"},  {U'Ñ', "N"},  {U'Ò', "O"},  {U'Ó', "O"},  {U'Ô', "O"},
    {U'Õ', "O"}, {U'Ö', "OE"}, {U'Ø', "OE"}, {U'Ù', "U"},  {U'Ú', "U"},  {U'Û', "U"},  {U'Ü', "UE"},
    {U'Ý', "Y"}, {U'Þ', "TH"}, {U'ß', "SS"}, {U'ẞ', "SS"}, {U'Ā', "A"},  {U'Ă', "A"},  {U'Ą', "A"},
    {U'Ć', "C"}, {U'Č', "C"},  {U'Ď', "D"},  {U'Đ', "D"},  {U'Ē', "E"},  {U'Ė', "E"},  {U'Ę', "E"},
    {U'Ě', "E"}, {U'Ğ', "G"},  {U'Ī', "I"},  {U'İ', "I"},  {U'Ĳ', "IJ"}, {U'Ķ', "K"},  {U'Ļ', "L"},
    {U'Ł', "L"}, {U'Ń', "N"},  {U'Ņ', "N"},  {U'Ň', "N"},  {U'Ō', "O"},  {U'Œ', "OE"}, {U'Ř', "R"},
    {U'Ś', "S"}, {U'Ş', "S"},  {U'Š', "S"},  {U'Ţ', "T"},  {U'Ť', "T"},  {U'Ū', "U"},  {U'Ů', "U"},
    {U'Ÿ', "Y"}, {U'Ź', "Z"},  {U'Ż', "Z"},  {U'Ž', "Z"},
};

/// Decodes one UTF-8 sequence at @p i; malformed bytes decode as U+FFFD and advance by one.
char32_t decodeUtf8(std::string_view s, std::size_t& i)
{
    const auto b0 = static_cast<unsigned char>(s[i]);
    int extra = 0;
    char32_t cp = 0;
    if (b0 < 0x80) {
        ++i;
        return b0;
    }
    if ((b0 & 0xE0) == 0xC0) {
        extra = 1;
        cp = b0 & 0x1F;
    } else if ((b0 & 0xF0) == 0xE0) {
        extra = 2;
        cp = b0 & 0x0F;
    } else if ((b0 & 0xF8) == 0xF0) {
        extra = 3;
        cp = b0 & 0x07;
    } else {
        ++i;
        return U'\uFFFD';
    }
    if (i + static_cast<std::size_t>(extra) >= s.size()) {
        i = s.size();
        return U'\uFFFD';
    }
    for (int k = 1; k <= extra; ++k) {
        const auto b = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
        if ((b & 0xC0) != 0x80) {
            ++i;
            return U'\uFFFD';
        }
        cp = (cp << 6) | (b & 0x3F);
    }
    i += static_cast<std::size_t>(extra) + 1;
    return cp;
}

} // namespace

std::string_view formatName(Format format) noexcept
{
    switch (format) {
    case Format::Td1:
        return "TD1";
    case Format::Td2:
        return "TD2";
    case Format::Td3:
        return "TD3";
    case Format::MrvA:
        return "MRVA";
    case Format::MrvB:
        return "MRVB";
    }
    return "TD3";
}

std::optional<Format> parseFormat(std::string_view name) noexcept
{
    std::string up;
    for (char c : name) {
        if (c != '-' && c != '_')
            up.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    }
    for (Format f : {Format::Td1, Format::Td2, Format::Td3, Format::MrvA, Format::MrvB}) {
        if (up == formatName(f))
            return f;
    }
    return std::nullopt;
}

int mrzLineLength(Format format) noexcept
{
    switch (format) {
    case Format::Td1:
        return 30;
    case Format::Td2:
    case Format::MrvB:
        return 36;
    case Format::Td3:
    case Format::MrvA:
        return 44;
    }
    return 44;
}

int mrzLineCount(Format format) noexcept
{
    return format == Format::Td1 ? 3 : 2;
}

NameField mrzNameField(std::string_view surname, std::string_view givenNames, std::size_t width)
{
    auto clean = [](std::string_view s) {
        std::string out;
        for (char c : s)
            out.push_back(c == ' ' ? kFiller : c);
        while (!out.empty() && out.back() == kFiller)
            out.pop_back();
        return out;
    };
    const std::string primary = clean(surname);
    const std::string secondary = clean(givenNames);
    std::string full = secondary.empty() ? primary : primary + "<<" + secondary;
    if (full.size() <= width)
        return {padded(full, width), false};

    // Too long: shorten the secondary identifiers first; only a primary identifier that alone fills the
    // field is cut. Either way the field must not end in a filler, so a cut at a separator backs off.
    std::string cut;
    if (primary.size() + 3 <= width) {
        cut = primary + "<<" + secondary.substr(0, width - primary.size() - 2);
    } else {
        cut = primary.substr(0, width);
    }
    while (!cut.empty() && cut.back() == kFiller)
        cut.pop_back();
    return {padded(cut, width), true};
}

gw::Result<std::vector<std::string>> buildMrz(const DocumentFields& fields, Format format)
{
    auto n = normaliseAll(fields);
    if (!n)
        return std::unexpected(n.error());
    switch (format) {
    case Format::Td1:
        return buildTd1(*n);
    case Format::Td2:
        return buildTd2(*n);
    case Format::Td3:
        return buildTd3(*n);
    case Format::MrvA:
        return buildMrv(*n, 44);
    case Format::MrvB:
        return buildMrv(*n, 36);
    }
    return gw::fail(gw::Errc::InvalidArgument, "unknown format");
}

std::string transliterate(std::string_view utf8Upper)
{
    std::string out;
    std::size_t i = 0;
    while (i < utf8Upper.size()) {
        const char32_t cp = decodeUtf8(utf8Upper, i);
        if ((cp >= U'A' && cp <= U'Z') || (cp >= U'0' && cp <= U'9')) {
            out.push_back(static_cast<char>(cp));
        } else if (cp == U' ' || cp == U'-' || cp == U'<') {
            out.push_back(kFiller);
        } else if (cp == U'\'' || cp == U'’' || cp == U'.' || cp == U',') {
            // ICAO 9303-3 §4.6: apostrophes and other punctuation are omitted.
        } else {
            const auto* it = std::find_if(std::begin(kTranslit), std::end(kTranslit),
                                          [cp](const Translit& t) { return t.codePoint == cp; });
            out += it != std::end(kTranslit) ? it->ascii : "<";
        }
    }
    return out;
}

} // namespace gw::specimen
