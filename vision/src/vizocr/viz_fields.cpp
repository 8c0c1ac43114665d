// SPDX-License-Identifier: Apache-2.0
// Reading dates and names of the visual zone the way ICAO 9303-3 lets issuers print them.
#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <vector>

#include "vizocr/viz_text.h"

namespace gw::vision::vizocr {
namespace {

struct MonthName {
    std::string_view name;
    int month;
};

// Abbreviated and full month names of the languages issuers print next to English (9303-3 §4.1.1 lets
// the issuer choose the VIZ date format; three-letter English plus a national form is common). Accents are
// dropped because the reader returns base letters.
constexpr std::array<MonthName, 58> kMonths{{
    {"JAN", 1},      {"FEB", 2},    {"MAR", 3},       {"APR", 4},       {"MAY", 5},       {"JUN", 6},
    {"JUL", 7},      {"AUG", 8},    {"SEP", 9},       {"OCT", 10},      {"NOV", 11},      {"DEC", 12},
    {"FEV", 2},      {"MARS", 3},   {"AVR", 4},       {"MAI", 5},       {"JUIN", 6},      {"JUIL", 7},
    {"AOUT", 8},     {"SEPT", 9},   {"DEZ", 12},      {"OKT", 10},      {"MRT", 3},       {"MEI", 5},
    {"MAA", 3},      {"ENE", 1},    {"ABR", 4},       {"AGO", 8},       {"DIC", 12},      {"GEN", 1},
    {"MAG", 5},      {"GIU", 6},    {"LUG", 7},       {"SET", 9},       {"OTT", 10},      {"FEVR", 2},
    {"JANV", 1},     {"AVRIL", 4},  {"JUILL", 7},     {"DECEMBER", 12}, {"MARCH", 3},     {"APRIL", 4},
    {"JUNE", 6},     {"JULY", 7},   {"SEPTEMBER", 9}, {"OCTOBER", 10},  {"NOVEMBER", 11}, {"JANUARY", 1},
    {"FEBRUARY", 2}, {"AUGUST", 8}, {"FEVRIER", 2},   {"JANVIER", 1},   {"MAERZ", 3},     {"MARZ", 3},
    {"FEBR", 2},     {"DES", 12},   {"MAR.", 3},      {"MAIO", 5},
}};

int monthOf(std::string_view token)
{
    for (const auto& m : kMonths)
        if (m.name == token)
            return m.month;
    return 0;
}

// Two names of one month read without the slash between them, which took a letter with it at most, or with
// the slash read as I or L: "JULUIL" for JUL/JUIL, "DECDEC" for DEC/DEC, "OCTIOCT" for OCT/OCT, or with the
// slash and the next letter read as one ("JULNUIL"). 0 when
// @p token is no such pair.
int runTogetherMonth(std::string_view token)
{
    for (std::size_t k = 3; k + 2 <= token.size(); ++k) {
        const int m = monthOf(token.substr(0, k));
        if (m == 0)
            continue;
        std::string_view rest = token.substr(k);
        // The slash read as a letter ("OCTIOCT" for OCT/OCT).
        if (rest.size() > 3 && (rest[0] == 'I' || rest[0] == 'L') && monthOf(rest.substr(1)) == m)
            return m;
        for (const auto& name : kMonths) {
            if (name.month != m)
                continue;
            if (name.name.size() >= rest.size() && name.name.size() - rest.size() <= 1 &&
                name.name.ends_with(rest))
                return m;
            // The slash and the second name's first letter read as one letter ("JULNUIL" for JUL/JUIL).
            if (rest.size() >= 4 && name.name.size() == rest.size() && name.name.substr(1) == rest.substr(1))
                return m;
        }
    }
    return 0;
}

// A month name as read: exact, two run together, or with its first letter stuttered ("JJAN", "JJUIN").
int monthNamed(std::string_view token)
{
    if (const int m = monthOf(token); m != 0)
        return m;
    if (const int m = runTogetherMonth(token); m != 0)
        return m;
    if (token.size() >= 4 && token[0] == token[1])
        return monthOf(token.substr(1));
    return 0;
}

int daysIn(int year, int month)
{
    constexpr std::array<int, 12> kDays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : kDays[static_cast<std::size_t>(month - 1)];
}

int toInt(std::string_view digits)
{
    int v = 0;
    for (char c : digits)
        v = v * 10 + (c - '0');
    return v;
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

bool isUpper(char c)
{
    return c >= 'A' && c <= 'Z';
}

std::size_t editDistance(std::string_view a, std::string_view b)
{
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            const bool same = a[i - 1] == b[j - 1] || a[i - 1] == kAnyLetter || b[j - 1] == kAnyLetter;
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (same ? 0 : 1)});
            diag = up;
        }
    }
    return row[b.size()];
}

// A month name the reader spelt with a digit ("0CT" for OCT, "11.0CT 2013"; also with the day run on,
// "110CT"): the run of letters and digits is given back with the digits of the name read as letters.
std::string monthNamesAsLetters(std::string_view text)
{
    constexpr std::string_view kDigitsAsLetters = "OIZ3A5G7B9"; // 0->O 1->I 2->Z 5->S 6->G 8->B
    std::string out;
    std::size_t i = 0;
    while (i < text.size()) {
        if (!isDigit(text[i]) && !isUpper(text[i])) {
            out.push_back(text[i++]);
            continue;
        }
        std::size_t j = i;
        while (j < text.size() && (isDigit(text[j]) || isUpper(text[j])))
            ++j;
        const std::string run(text.substr(i, j - i));
        std::string fixed = run;
        const bool mixed = std::ranges::any_of(run, isDigit) && std::ranges::any_of(run, isUpper);
        for (std::size_t dayDigits = 0; mixed && dayDigits <= 2 && dayDigits < run.size(); ++dayDigits) {
            if (!std::ranges::all_of(run.substr(0, dayDigits), isDigit))
                break;
            std::string name = run.substr(dayDigits);
            for (char& c : name)
                if (isDigit(c))
                    c = kDigitsAsLetters[static_cast<std::size_t>(c - '0')];
            if (monthOf(name) != 0) {
                fixed = run.substr(0, dayDigits) + (dayDigits > 0 ? " " : "") + name;
                break;
            }
        }
        out += fixed;
        i = j;
    }
    return out;
}

} // namespace

std::optional<VizDate> parseVizDate(std::string_view rawText)
{
    const std::string text = monthNamesAsLetters(rawText);
    // Tokens: runs of digits or of letters; every other character separates.
    std::vector<std::string> tokens;
    std::string cur;
    auto flush = [&] {
        if (!cur.empty())
            tokens.push_back(cur);
        cur.clear();
    };
    for (char c : text) {
        const bool d = isDigit(c), l = isUpper(c);
        if (!d && !l) {
            flush();
            continue;
        }
        if (!cur.empty() && isDigit(cur.back()) != d)
            flush();
        cur.push_back(c);
    }
    flush();
    // "2912 2014": the reader lost the space between day and month of a numeric date; "22121972": both.
    if (tokens.size() == 2 && tokens[0].size() == 4 && std::ranges::all_of(tokens[0], isDigit)) {
        const std::string dm = tokens[0];
        tokens = {dm.substr(0, 2), dm.substr(2, 2), tokens[1]};
    } else if (tokens.size() == 1 && tokens[0].size() == 8 && std::ranges::all_of(tokens[0], isDigit)) {
        const std::string dmy = tokens[0];
        tokens = {dmy.substr(0, 2), dmy.substr(2, 2), dmy.substr(4)};
    }
    if (tokens.size() < 3 || tokens.size() > 4)
        return std::nullopt;
    const std::string& day = tokens.front();
    const std::string& year = tokens.back();
    if (!std::ranges::all_of(day, isDigit) || day.size() > 2 || !std::ranges::all_of(year, isDigit) ||
        (year.size() != 4 && year.size() != 2))
        return std::nullopt;
    int month = 0;
    if (tokens.size() == 3 && std::ranges::all_of(tokens[1], isDigit)) {
        if (tokens[1].size() > 2)
            return std::nullopt;
        month = toInt(tokens[1]);
    } else {
        // One or two month names ("MAR", "MAR/MARS"): every name must name the same month.
        for (std::size_t i = 1; i + 1 < tokens.size(); ++i) {
            const int m = monthNamed(tokens[i]);
            if (m == 0 || (month != 0 && m != month))
                return std::nullopt;
            month = m;
        }
    }
    VizDate d{toInt(year), month, toInt(day)};
    if (d.month < 1 || d.month > 12 || d.day < 1 ||
        d.day > daysIn(d.year < 100 ? 2000 + d.year : d.year, d.month))
        return std::nullopt;
    return d;
}

bool sameAsMrzDate(const VizDate& d, std::string_view yymmdd)
{
    if (yymmdd.size() != 6 || !std::ranges::all_of(yymmdd, isDigit))
        return false;
    return d.year % 100 == toInt(yymmdd.substr(0, 2)) && d.month == toInt(yymmdd.substr(2, 2)) &&
           d.day == toInt(yymmdd.substr(4, 2));
}

std::string nameKey(std::string_view name)
{
    std::string letters;
    for (char c : name) {
        switch (c) {
        case '0':
            c = 'O';
            break;
        case '1':
            c = 'I';
            break;
        case '5':
            c = 'S';
            break;
        case '8':
            c = 'B';
            break;
        default:
            break;
        }
        if (isUpper(c) || c == kAnyLetter)
            letters.push_back(c);
        else if (c >= 'a' && c <= 'z')
            letters.push_back(static_cast<char>(c - 'a' + 'A'));
    }
    std::string out;
    for (std::size_t i = 0; i < letters.size(); ++i) {
        out.push_back(letters[i]);
        const char next = i + 1 < letters.size() ? letters[i + 1] : '\0';
        const char c = letters[i];
        // ICAO 9303-3 §6: Ä -> AE, Ö/Ø -> OE, Ü -> UE, Å -> AA; the VIZ shows the base letter.
        if ((c == 'A' && (next == 'E' || next == 'A')) || (c == 'O' && next == 'E') ||
            (c == 'U' && next == 'E'))
            ++i;
    }
    return out;
}

double nameSimilarity(std::string_view mrzName, std::string_view vizName, bool mrzMayBeTruncated)
{
    const std::string a = nameKey(mrzName);
    std::string b = nameKey(vizName);
    if (a.empty() || b.empty())
        return 0;
    if (mrzMayBeTruncated && b.size() > a.size())
        b.resize(a.size());
    const double d = static_cast<double>(editDistance(a, b));
    return 1.0 - d / static_cast<double>(std::max(a.size(), b.size()));
}

double fragmentSimilarity(std::string_view mrzName, std::string_view vizName)
{
    // The MRZ name's words (ICAO 9303-3 separates them with '<'; the VIZ also with spaces and hyphens).
    std::vector<std::string_view> words;
    std::size_t at = 0;
    while (at < mrzName.size()) {
        const std::size_t end = mrzName.find_first_of("< -", at);
        const std::size_t stop = end == std::string_view::npos ? mrzName.size() : end;
        if (stop > at)
            words.push_back(mrzName.substr(at, stop - at));
        at = stop + 1;
    }
    // Runs of whole words only: a name split over two lines, or one of several given names, breaks
    // between words. Windows of letters at any offset would find a chance likeness in a long name
    // (DVORAK against DENBAK of VAN DER HEIJDEN-BAKKER).
    double best = 0;
    for (std::size_t i = 0; i < words.size(); ++i) {
        std::string run;
        for (std::size_t j = i; j < words.size(); ++j) {
            run += words[j];
            best = std::max(best, nameSimilarity(run, vizName, false));
        }
    }
    return best;
}

bool lookalike(char a, char b)
{
    if (a == b)
        return true;
    // Pairs, not groups: look-alikes do not chain (1 looks like I and like 7, but I does not look like T).
    constexpr std::array<std::string_view, 18> kPairs{"0O", "0D", "OD", "0Q", "OQ", "1I", "1L", "IL", "IJ",
                                                      "17", "7T", "2Z", "5S", "6G", "8B", "4A", "9G", "UV"};
    return std::ranges::any_of(
        kPairs, [&](std::string_view p) { return (p[0] == a && p[1] == b) || (p[0] == b && p[1] == a); });
}

} // namespace gw::vision::vizocr
