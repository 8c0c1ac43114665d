// SPDX-License-Identifier: Apache-2.0
#include "checks/mrz_checks.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <string>

namespace gw::vision::checks {
namespace {

bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int daysIn(int y, int m)
{
    constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : kDays[static_cast<std::size_t>(m - 1)];
}

bool valid(const Date& d)
{
    return d.month >= 1 && d.month <= 12 && d.day >= 1 && d.day <= daysIn(d.year, d.month);
}

std::optional<int> number(std::string_view s)
{
    int v = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size())
        return std::nullopt;
    return v;
}

// Days since 1970-01-01 (civil calendar), for margins in days.
long daysFromCivil(const Date& d)
{
    const int y = d.month <= 2 ? d.year - 1 : d.year;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const int yoe = y - era * 400;
    const int mp = (d.month + 9) % 12;
    const int doy = (153 * mp + 2) / 5 + d.day - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return long(era) * 146097 + doe - 719468;
}

std::optional<Date> withCentury(std::string_view yymmdd, int century)
{
    if (yymmdd.size() != 6)
        return std::nullopt;
    const auto yy = number(yymmdd.substr(0, 2));
    const auto mm = number(yymmdd.substr(2, 2));
    const auto dd = number(yymmdd.substr(4, 2));
    if (!yy || !mm || !dd)
        return std::nullopt;
    Date d{century + *yy, *mm, *dd};
    return valid(d) ? std::optional(d) : std::nullopt;
}

// The least confident character of the lines that hold the given MRZ lines.
float lineConfidence(const MrzRead& mrz, int line)
{
    if (line < 0 || static_cast<std::size_t>(line) >= mrz.confidences.size() ||
        mrz.confidences[static_cast<std::size_t>(line)].empty())
        return mrz.minConfidence;
    return *std::ranges::min_element(mrz.confidences[static_cast<std::size_t>(line)]);
}

// The least confidence over the characters a check digit is computed over and the digit itself; the whole
// read's least when the per-character confidences are missing.
float digitConfidence(const MrzRead& mrz, const CheckDigit& d)
{
    auto at = [&](int line, int column) {
        if (line < 0 || static_cast<std::size_t>(line) >= mrz.confidences.size())
            return mrz.minConfidence;
        const auto& l = mrz.confidences[static_cast<std::size_t>(line)];
        return column >= 0 && static_cast<std::size_t>(column) < l.size()
                   ? l[static_cast<std::size_t>(column)]
                   : mrz.minConfidence;
    };
    float conf = at(d.line, d.column);
    for (const auto& s : d.covered)
        for (int k = 0; k < s.length; ++k)
            conf = std::min(conf, at(s.line, s.column + k));
    return conf;
}

std::vector<RectMm> lineRegions(const MrzRead& mrz, int line)
{
    if (line >= 0 && static_cast<std::size_t>(line) < mrz.lineRegions.size())
        return {mrz.lineRegions[static_cast<std::size_t>(line)]};
    return mrz.lineRegions;
}

std::string dutchField(std::string_view f)
{
    if (f == "document_number")
        return "documentnummer";
    if (f == "birth_date")
        return "geboortedatum";
    if (f == "expiry_date")
        return "vervaldatum";
    if (f == "optional_data")
        return "optionele gegevens";
    if (f == "composite")
        return "samengesteld controlecijfer";
    return std::string(f);
}

std::string englishField(std::string_view f)
{
    std::string s(f);
    std::ranges::replace(s, '_', ' ');
    return s == "composite" ? "composite check" : s;
}

// Dutch for the parser's issue codes (the English message comes with the issue).
std::string dutchIssue(std::string_view code)
{
    struct Row {
        std::string_view code;
        std::string_view nl;
    };
    constexpr Row kRows[] = {
        {"character_invalid_for_field", "een teken past niet in zijn veld"},
        {"document_code_invalid", "de documentcode is ongeldig voor dit formaat"},
        {"issuing_state_unknown", "de staat van afgifte is geen ICAO-code"},
        {"nationality_unknown", "de nationaliteit is geen ICAO-code"},
        {"birth_date_invalid", "de geboortedatum is geen geldige datum"},
        {"expiry_date_invalid", "de vervaldatum is geen geldige datum"},
        {"name_invalid", "de naam begint niet met een letter"},
        {"document_number_empty", "het documentnummer ontbreekt"},
        {"check_digit_not_numeric", "een controlecijfer is geen cijfer"},
        {"expiry_before_birth", "de vervaldatum ligt voor de geboortedatum"},
    };
    for (const auto& r : kRows)
        if (r.code == code)
            return std::string(r.nl);
    return std::string(code);
}

} // namespace

std::optional<Date> parseIsoDate(std::string_view iso)
{
    if (iso.size() != 10 || iso[4] != '-' || iso[7] != '-')
        return std::nullopt;
    const auto y = number(iso.substr(0, 4));
    const auto m = number(iso.substr(5, 2));
    const auto d = number(iso.substr(8, 2));
    if (!y || !m || !d)
        return std::nullopt;
    Date out{*y, *m, *d};
    return valid(out) ? std::optional(out) : std::nullopt;
}

std::optional<Date> birthDateOf(std::string_view yymmdd, const Date& today)
{
    // A birth date is in the past: the latest century that does not put it after today.
    const int century = today.year / 100 * 100;
    auto d = withCentury(yymmdd, century);
    if (d && *d > today)
        d = withCentury(yymmdd, century - 100);
    return d;
}

std::optional<Date> expiryDateOf(std::string_view yymmdd, const Date& today)
{
    // Expiry dates lie within decades of today, either side: take the century nearest to today.
    const int century = today.year / 100 * 100;
    auto d = withCentury(yymmdd, century);
    if (!d)
        return d;
    if (d->year > today.year + 50)
        d->year -= 100;
    else if (d->year < today.year - 50)
        d->year += 100;
    return valid(*d) ? d : std::nullopt;
}

CheckOutcome checkMrzRead(const std::optional<MrzRead>& mrz)
{
    CheckOutcome c;
    c.id = "mrz.read";
    if (mrz) {
        c.result = CheckResult::Successful;
        c.margin = std::clamp(2.0 * double(mrz->minConfidence) - 1.0, -1.0, 1.0);
        c.reason = {"The machine readable zone was read.", "De machineleesbare zone is gelezen."};
        c.regions = mrz->lineRegions;
    } else {
        c.result = CheckResult::Undetermined;
        c.margin = -1;
        c.reason = {"No machine readable zone could be read: check the document by hand.",
                    "Er kon geen machineleesbare zone worden gelezen: controleer het document handmatig."};
    }
    return c;
}

CheckOutcome checkMrzCheckDigits(const MrzRead& mrz, float minConfidenceForFailure)
{
    CheckOutcome c;
    c.id = "mrz.check_digits";
    const auto& digits = mrz.record.checkDigits;
    const auto failed = std::ranges::count_if(digits, [](const CheckDigit& d) { return !d.ok; });
    if (failed == 0) {
        c.result = CheckResult::Successful;
        c.margin = 1;
        c.reason = {"All check digits of the MRZ are correct.", "Alle controlecijfers van de MRZ kloppen."};
        return c;
    }
    std::string en = "Check digit wrong for:";
    std::string nl = "Controlecijfer onjuist voor:";
    // One failing digit whose own characters (the field and the digit) were all read confidently proves
    // the MRZ wrong; a doubtful character elsewhere on the line does not make that doubtful.
    bool confident = false;
    for (const auto& d : digits) {
        if (d.ok)
            continue;
        en += " " + englishField(d.field) + " (printed " + d.found + ", computed " + d.expected + ")";
        nl += " " + dutchField(d.field) + " (gedrukt " + d.found + ", berekend " + d.expected + ")";
        confident = confident || digitConfidence(mrz, d) >= minConfidenceForFailure;
        // A composite failure involves every line; a field's failure its own line.
        const int line = d.field == "composite" ? -1 : d.line;
        for (const auto& r : lineRegions(mrz, line))
            c.regions.push_back(r);
    }
    // A structural break on a doubtfully read line (a document code misread, so the format and with it
    // the digits' places are wrong) makes every digit doubtful.
    const bool misreadShape = std::ranges::any_of(mrz.record.issues, [&](const MrzIssue& i) {
        return lineConfidence(mrz, i.line) < minConfidenceForFailure;
    });
    const bool doubtful = !confident || misreadShape;
    c.margin = -double(failed) / double(digits.size());
    if (doubtful) {
        // A failed digit over a doubtful read is as likely our misreading as the document's defect.
        c.result = CheckResult::Undetermined;
        c.reason = {en + ". The read is uncertain: compare the MRZ with the document.",
                    nl + ". De lezing is onzeker: vergelijk de MRZ met het document."};
    } else {
        c.result = CheckResult::Failed;
        c.reason = {en + ". Data may have been altered.", nl + ". Gegevens zijn mogelijk gewijzigd."};
    }
    return c;
}

CheckOutcome checkMrzStructure(const MrzRead& mrz, std::optional<Date> today, float minConfidenceForFailure)
{
    CheckOutcome c;
    c.id = "mrz.structure";
    std::vector<MrzIssue> issues = mrz.record.issues;
    const auto& f = mrz.record.fields;
    if (today) {
        const auto birth = birthDateOf(f.birthDate, *today);
        const auto expiry = expiryDateOf(f.expiryDate, *today);
        if (birth && expiry && *expiry < *birth)
            issues.push_back({"expiry_before_birth", "the expiry date lies before the birth date", 1, 0});
    }
    if (issues.empty()) {
        c.result = CheckResult::Successful;
        c.margin = 1;
        c.reason = {"The MRZ conforms to ICAO Doc 9303.", "De MRZ voldoet aan ICAO Doc 9303."};
        return c;
    }
    std::string en = "The MRZ breaks ICAO Doc 9303:";
    std::string nl = "De MRZ voldoet niet aan ICAO Doc 9303:";
    bool doubtful = false;
    for (const auto& i : issues) {
        en += " " + i.message + ";";
        nl += " " + dutchIssue(i.code) + ";";
        doubtful = doubtful || lineConfidence(mrz, i.line) < minConfidenceForFailure;
        for (const auto& r : lineRegions(mrz, i.line))
            c.regions.push_back(r);
    }
    en.back() = '.';
    nl.back() = '.';
    c.margin = -std::min(1.0, double(issues.size()) / 3.0);
    c.result = doubtful ? CheckResult::Undetermined : CheckResult::Failed;
    c.reason = {en, nl};
    return c;
}

CheckOutcome checkDocumentExpiry(const MrzRead& mrz, std::optional<Date> today)
{
    CheckOutcome c;
    c.id = "document.expiry";
    c.regions = lineRegions(mrz, 1); // the expiry date is on line 2 in every format
    if (!today) {
        c.result = CheckResult::Undetermined;
        c.reason = {"No inspection date was given, so expiry was not checked.",
                    "Geen inspectiedatum opgegeven; de vervaldatum is niet gecontroleerd."};
        return c;
    }
    const auto expiry = expiryDateOf(mrz.record.fields.expiryDate, *today);
    if (!expiry) {
        c.result = CheckResult::Undetermined;
        c.reason = {"The expiry date could not be read as a date.", "De vervaldatum is geen geldige datum."};
        return c;
    }
    const long days = daysFromCivil(*expiry) - daysFromCivil(*today);
    c.margin = std::clamp(double(days) / 365.0, -1.0, 1.0);
    if (days < 0) {
        c.result = CheckResult::Failed;
        c.reason = {"The document has expired.", "Het document is verlopen."};
    } else {
        c.result = CheckResult::Successful;
        c.reason = {"The document has not expired.", "Het document is niet verlopen."};
    }
    return c;
}

} // namespace gw::vision::checks
