// SPDX-License-Identifier: Apache-2.0
// Fictitious holders and document data: hand-written names, real ICAO state codes plus UTO, dates.
#include "people.h"

#include <array>
#include <cstdio>
#include <string_view>

namespace gw::specimen {
namespace {

struct State {
    std::string_view code;        ///< ICAO 9303-3 three-letter code ("D" for Germany)
    std::string_view name;        ///< printed in the header
    std::string_view nationality; ///< printed in the nationality field
    std::string_view city;        ///< a place of birth / issuing authority town
};

// Real ICAO codes plus the fictional Utopia of the ICAO specimens. The documents are labelled
// SPECIMEN, so no real state's document is imitated in detail.
constexpr std::array<State, 26> kStates{{
    {"UTO", "UTOPIA", "UTOPIAN", "ZENITH"},
    {"UTO", "UTOPIA", "UTOPIAN", "AURORA"},
    {"NLD", "KONINKRIJK DER NEDERLANDEN", "NEDERLANDSE", "'S-GRAVENHAGE"},
    {"D", "BUNDESREPUBLIK DEUTSCHLAND", "DEUTSCH", "MÜNCHEN"},
    {"BEL", "BELGIQUE", "BELGE", "LIÈGE"},
    {"FRA", "RÉPUBLIQUE FRANÇAISE", "FRANÇAISE", "ORLÉANS"},
    {"ESP", "REINO DE ESPAÑA", "ESPAÑOLA", "CÁDIZ"},
    {"ITA", "REPUBBLICA ITALIANA", "ITALIANA", "TORINO"},
    {"POL", "RZECZPOSPOLITA POLSKA", "POLSKIE", "ŁÓDŹ"},
    {"SWE", "KONUNGARIKET SVERIGE", "SVENSK", "GÖTEBORG"},
    {"DNK", "KONGERIGET DANMARK", "DANSK", "ÅRHUS"},
    {"NOR", "KONGERIKET NORGE", "NORSK", "TROMSØ"},
    {"FIN", "SUOMI FINLAND", "SUOMI", "JYVÄSKYLÄ"},
    {"AUT", "REPUBLIK ÖSTERREICH", "ÖSTERREICH", "GRAZ"},
    {"CHE", "SCHWEIZ SUISSE SVIZZERA", "SCHWEIZ", "ZÜRICH"},
    {"GBR", "UNITED KINGDOM", "BRITISH CITIZEN", "LEEDS"},
    {"IRL", "ÉIRE IRELAND", "IRISH", "GALWAY"},
    {"PRT", "REPÚBLICA PORTUGUESA", "PORTUGUESA", "ÉVORA"},
    {"CZE", "ČESKÁ REPUBLIKA", "ČESKÁ REPUBLIKA", "BRNO"},
    {"HUN", "MAGYARORSZÁG", "MAGYAR", "DEBRECEN"},
    {"TUR", "TÜRKİYE CUMHURİYETİ", "T.C.", "İZMİR"},
    {"CAN", "CANADA", "CANADIAN", "MONTRÉAL"},
    {"AUS", "AUSTRALIA", "AUSTRALIAN", "PERTH"},
    {"BRA", "REPÚBLICA FEDERATIVA DO BRASIL", "BRASILEIRO", "SÃO PAULO"},
    {"MAR", "ROYAUME DU MAROC", "MAROCAINE", "FÈS"},
    {"NGA", "FEDERAL REPUBLIC OF NIGERIA", "NIGERIAN", "ENUGU"},
}};

// Surnames of varied length, with diacritics the MRZ transliterates (ICAO 9303-3 §6), compound names,
// particles, and a few that are too long for the TD1/TD2 name fields.
constexpr std::array<std::string_view, 48> kSurnames{
    "ERIKSSON",
    "MÜLLER",
    "DE VRIES",
    "VAN DEN BERG",
    "JANSSEN",
    "ØSTERGÅRD",
    "SØRENSEN",
    "NÚÑEZ GARCÍA",
    "O'BRIEN",
    "GONZÁLEZ-RODRÍGUEZ",
    "ŁUKASZEWICZ",
    "KOVÁČ",
    "ÇELIK",
    "YILMAZ",
    "NGUYEN",
    "SMITH",
    "SCHRÖDER",
    "BJÖRKLUND",
    "ÅSTRÖM",
    "DUPONT",
    "LEFÈVRE",
    "HÄMÄLÄINEN",
    "PAPADOPOULOS",
    "WOLFESCHLEGELSTEINHAUSENBERGERDORFF",
    "AL-HASHIMI",
    "STRAUß",
    "GROßMANN",
    "LI",
    "WU",
    "OKONKWO",
    "DVOŘÁK",
    "NOVÁKOVÁ",
    "SZABÓ",
    "WIŚNIEWSKA",
    "FERREIRA DA SILVA",
    "D'ANGELO",
    "MAC GIOLLA PHÁDRAIG",
    "VAN DER HEIJDEN-BAKKER",
    "ÞÓRSDÓTTIR",
    "MIKKELSEN",
    "ÖZTÜRK",
    "BENALI",
    "ROSSI",
    "KAWAKAMI",
    "SANTOS PEREIRA DOS REIS ALMEIDA",
    "ZHANG",
    "TREMBLAY",
    "ABDULRAHMAN BIN KHALID AL-MANSOURI",
};

constexpr std::array<std::string_view, 24> kGivenFemale{
    "ANNA",
    "ANNA MARIA",
    "ZOË",
    "BJØRK",
    "INGRID",
    "MARIE-CLAIRE",
    "JOSÉFINE",
    "FRANÇOISE",
    "ÅSA",
    "AGNIESZKA",
    "LÆTITIA",
    "SOPHIE",
    "NURAY",
    "AIKO",
    "CHIAMAKA",
    "ELŻBIETA ZOFIA",
    "MARÍA DEL CARMEN",
    "SIGRÚN",
    "HELENE",
    "EMMA LOUISE",
    "ANNE",
    "KATARZYNA MAŁGORZATA",
    "MADELEINE ÉLODIE HORTENSE",
    "FATIMA ZAHRA",
};

constexpr std::array<std::string_view, 24> kGivenMale{
    "PETER",
    "JEAN-PIERRE",
    "JOSÉ LUIS",
    "FRANÇOIS",
    "BJØRN",
    "JÜRGEN",
    "MAXIMILIAN ALEXANDER FRIEDRICH WILHELM",
    "ŁUKASZ",
    "SØREN",
    "ÖMER",
    "LARS ERIK",
    "HENDRIK JAN",
    "MATTEO",
    "TOMÁŠ",
    "ÐORĐE",
    "KENJI",
    "CHUKWUEMEKA",
    "SEÁN",
    "PAUL",
    "JOÃO PEDRO",
    "WILLEM",
    "AHMED",
    "ÁRNI",
    "OLIVER JAMES",
};

constexpr std::array<std::string_view, 12> kMonths{"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                   "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
// The second month name of bilingual date styles (French).
constexpr std::array<std::string_view, 12> kMonthsFr{"JAN",  "FÉV",  "MARS", "AVR", "MAI", "JUIN",
                                                     "JUIL", "AOÛT", "SEPT", "OCT", "NOV", "DÉC"};

constexpr std::array<std::string_view, 4> kDateStyles{"dd_mon_yyyy", "dd.mm.yyyy", "dd_mon/mon_yyyy",
                                                      "dd_mm_yyyy"};

int daysInMonth(int year, int month)
{
    constexpr std::array<int, 12> kDays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : kDays[static_cast<std::size_t>(month - 1)];
}

Date drawDate(Prng& rng, int yearLo, int yearHi)
{
    Date d;
    d.year = rng.range(yearLo, yearHi);
    d.month = rng.range(1, 12);
    d.day = rng.range(1, daysInMonth(d.year, d.month));
    return d;
}

Date minusOneDay(Date d)
{
    if (--d.day == 0) {
        if (--d.month == 0) {
            d.month = 12;
            --d.year;
        }
        d.day = daysInMonth(d.year, d.month);
    }
    return d;
}

std::string alnum(Prng& rng, int length, bool lettersToo)
{
    // No O or I in letter positions of our numbers, as many issuers avoid them; readers must still cope
    // with 0/O elsewhere (names, states).
    constexpr std::string_view kLetters = "ABCDEFGHJKLMNPRSTUVWXYZ";
    std::string out;
    for (int i = 0; i < length; ++i) {
        if (lettersToo && rng.chance(0.4))
            out.push_back(
                kLetters[static_cast<std::size_t>(rng.range(0, static_cast<int>(kLetters.size()) - 1))]);
        else
            out.push_back(static_cast<char>('0' + rng.range(0, 9)));
    }
    return out;
}

std::string twoDigits(int v)
{
    char buf[8];
    std::snprintf(buf, sizeof buf, "%02d", v % 100);
    return buf;
}

} // namespace

std::string mrzDate(const Date& d)
{
    return twoDigits(d.year % 100) + twoDigits(d.month) + twoDigits(d.day);
}

std::string vizDate(const Date& d, std::string_view style)
{
    const std::string day = twoDigits(d.day);
    const std::string year = std::to_string(d.year);
    const auto m = static_cast<std::size_t>(d.month - 1);
    if (style == "dd.mm.yyyy")
        return day + "." + twoDigits(d.month) + "." + year;
    if (style == "dd_mm_yyyy")
        return day + " " + twoDigits(d.month) + " " + year;
    if (style == "dd_mon/mon_yyyy")
        return day + " " + std::string(kMonths[m]) + "/" + std::string(kMonthsFr[m]) + " " + year;
    return day + " " + std::string(kMonths[m]) + " " + year;
}

DocumentData drawDocument(Format format, Prng& rng)
{
    DocumentData doc;
    const State& issuer = rng.pick(std::span<const State>(kStates));
    // Most holders are nationals of the issuer; residence permits and visas go to foreigners.
    const bool foreigner = format == Format::MrvA || format == Format::MrvB || rng.chance(0.15);
    const State& nation = foreigner ? rng.pick(std::span<const State>(kStates)) : issuer;

    const double sexDraw = rng.uniform();
    const std::string sex = sexDraw < 0.47 ? "M" : sexDraw < 0.94 ? "F" : "<";
    const std::string surname{rng.pick(std::span<const std::string_view>(kSurnames))};
    std::string given;
    if (!rng.chance(0.03)) { // a few holders have no secondary identifier at all
        const auto& list = sex == "M"   ? kGivenMale
                           : sex == "F" ? kGivenFemale
                                        : (rng.chance(0.5) ? kGivenMale : kGivenFemale);
        given = std::string(rng.pick(std::span<const std::string_view>(list)));
    }

    doc.birth = drawDate(rng, 1940, 2020);
    doc.issue = drawDate(rng, 2014, 2025);
    // Passports run 10 years for adults and 5 for minors; some cards and visas are shorter. A few
    // documents are already expired so that expiry checks have material.
    int validityYears = format == Format::MrvA || format == Format::MrvB ? rng.range(1, 5)
                        : doc.issue.year - doc.birth.year < 18           ? 5
                                                                         : 10;
    if (rng.chance(0.06))
        validityYears = rng.range(1, 3);
    doc.expiry = doc.issue;
    doc.expiry.year += validityYears;
    if (doc.expiry.month == 2 && doc.expiry.day == 29)
        doc.expiry.day = 28;
    doc.expiry = minusOneDay(doc.expiry);

    // Document number: 9 characters, sometimes shorter (filler-padded), and for TD1/TD2 sometimes longer
    // than 9 to exercise the long-number rule.
    int numberLength = 9;
    if (format == Format::Td1 || format == Format::Td2) {
        const double u = rng.uniform();
        numberLength = u < 0.2   ? rng.range(10, format == Format::Td1 ? 14 : 13)
                       : u < 0.3 ? rng.range(6, 8)
                                 : 9;
    } else if (rng.chance(0.1)) {
        numberLength = rng.range(6, 8);
    }
    std::string number = alnum(rng, 2, true) + alnum(rng, numberLength - 2, rng.chance(0.5));

    std::string code;
    std::string type;
    switch (format) {
    case Format::Td3:
        code = rng.chance(0.8) ? "P" : "PD";
        type = "PASSPORT / PASSEPORT";
        break;
    case Format::Td1:
        code = rng.chance(0.6) ? "ID" : rng.chance(0.5) ? "I" : "AR";
        type = code == "AR" ? "RESIDENCE PERMIT" : "IDENTITY CARD";
        break;
    case Format::Td2:
        code = rng.chance(0.7) ? "I" : rng.chance(0.5) ? "ID" : "AR";
        type = code == "AR" ? "RESIDENCE PERMIT" : "IDENTITY CARD";
        break;
    case Format::MrvA:
    case Format::MrvB:
        code = rng.chance(0.7) ? "V" : "VC";
        type = "VISA";
        break;
    }

    std::string optional;
    std::string optional1;
    if (format == Format::Td3 && rng.chance(0.5))
        optional = alnum(rng, rng.range(8, 14), false);
    else if (format == Format::Td1 && rng.chance(0.4))
        optional = alnum(rng, rng.range(3, 11), true);
    else if (format == Format::Td2 && numberLength <= 9 && rng.chance(0.3))
        optional = alnum(rng, rng.range(3, 7), true);
    else if ((format == Format::MrvA || format == Format::MrvB) && rng.chance(0.5))
        optional = alnum(rng, rng.range(4, 8), true);
    if (format == Format::Td1 && numberLength <= 9 && rng.chance(0.3))
        optional1 = alnum(rng, rng.range(4, 12), true);

    doc.fields.documentCode = code;
    doc.fields.issuingState = std::string(issuer.code);
    doc.fields.documentNumber = number;
    doc.fields.nationality = std::string(nation.code);
    doc.fields.birthDate = mrzDate(doc.birth);
    doc.fields.sex = sex;
    doc.fields.expiryDate = mrzDate(doc.expiry);
    doc.fields.surname = transliterate(surname);
    doc.fields.givenNames = transliterate(given);
    doc.fields.optionalData = optional;
    doc.fields.optionalData1 = optional1;

    const std::string style{rng.pick(std::span<const std::string_view>(kDateStyles))};
    doc.viz.documentType = type;
    doc.viz.documentCode = code;
    doc.viz.issuingState = std::string(issuer.code);
    doc.viz.issuingStateName = std::string(issuer.name);
    doc.viz.documentNumber = number;
    doc.viz.surname = surname;
    doc.viz.givenNames = given;
    doc.viz.nationality = std::string(nation.nationality);
    doc.viz.birthDate = vizDate(doc.birth, style);
    doc.viz.sex = sex == "<" ? "X" : sex;
    doc.viz.placeOfBirth = std::string(rng.pick(std::span<const State>(kStates)).city);
    doc.viz.issueDate = vizDate(doc.issue, style);
    doc.viz.expiryDate = vizDate(doc.expiry, style);
    doc.viz.authority = std::string(issuer.city);
    doc.viz.dateStyle = style;
    doc.portraitSeed = rng.next();
    return doc;
}

std::string otherSurname(const std::string& notThis, Prng& rng)
{
    for (;;) {
        std::string s{rng.pick(std::span<const std::string_view>(kSurnames))};
        if (s != notThis)
            return s;
    }
}

} // namespace gw::specimen
