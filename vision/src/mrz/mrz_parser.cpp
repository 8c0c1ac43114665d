// SPDX-License-Identifier: Apache-2.0
// ICAO 9303 parts 3-7: MRZ layouts, check digits, structure rules and look-alike resolution.
#include <algorithm>
#include <array>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include <gw/vision/check_digit.h>
#include <gw/vision/mrz.h>

namespace gw::vision {
namespace {

// What a column may hold; decides the look-alike candidates.
enum class CharClass { Alpha, Numeric, AlphaNum, Sex };

struct Span {
    int line;
    int start;
    int length;
};

struct FieldDef {
    const char* name;
    Span span;
    CharClass cls;
};

struct CheckDef {
    const char* field;         // report name of the protected field
    std::vector<Span> covered; // characters the digit is computed over
    Span digit;                // where the digit is printed (length 1)
};

struct Layout {
    MrzFormat format;
    std::vector<FieldDef> fields; // every column of every line belongs to exactly one field
    std::vector<CheckDef> checks;
};

// The two-line formats (TD2, TD3, MRV-A, MRV-B) share their first 28 columns of line 2 and differ only
// in the name's length and in what follows the expiry date. Zero-based columns.
Layout twoLineLayout(MrzFormat f, int length)
{
    using C = CharClass;
    return Layout{f,
                  {{"document_code", {0, 0, 2}, C::Alpha},
                   {"issuing_state", {0, 2, 3}, C::Alpha},
                   {"name", {0, 5, length - 5}, C::Alpha},
                   {"document_number", {1, 0, 9}, C::AlphaNum},
                   {"document_number_check", {1, 9, 1}, C::Numeric},
                   {"nationality", {1, 10, 3}, C::Alpha},
                   {"birth_date", {1, 13, 6}, C::Numeric},
                   {"birth_date_check", {1, 19, 1}, C::Numeric},
                   {"sex", {1, 20, 1}, C::Sex},
                   {"expiry_date", {1, 21, 6}, C::Numeric},
                   {"expiry_date_check", {1, 27, 1}, C::Numeric}},
                  {{"document_number", {{1, 0, 9}}, {1, 9, 1}},
                   {"birth_date", {{1, 13, 6}}, {1, 19, 1}},
                   {"expiry_date", {{1, 21, 6}}, {1, 27, 1}}}};
}

// Column maps of Doc 9303 parts 4 (TD3), 5 (TD1), 6 (TD2) and 7 (MRV-A, MRV-B).
Layout makeLayout(MrzFormat f)
{
    using C = CharClass;
    switch (f) {
    case MrzFormat::TD3: {
        Layout l = twoLineLayout(f, 44);
        l.fields.push_back({"optional_data", {1, 28, 14}, C::AlphaNum});
        l.fields.push_back({"optional_data_check", {1, 42, 1}, C::Numeric});
        l.fields.push_back({"composite_check", {1, 43, 1}, C::Numeric});
        l.checks.push_back({"optional_data", {{1, 28, 14}}, {1, 42, 1}});
        l.checks.push_back({"composite", {{1, 0, 10}, {1, 13, 7}, {1, 21, 22}}, {1, 43, 1}});
        return l;
    }
    case MrzFormat::MRVA: {
        Layout l = twoLineLayout(f, 44);
        l.fields.push_back({"optional_data", {1, 28, 16}, C::AlphaNum});
        return l;
    }
    case MrzFormat::TD2: {
        Layout l = twoLineLayout(f, 36);
        l.fields.push_back({"optional_data", {1, 28, 7}, C::AlphaNum});
        l.fields.push_back({"composite_check", {1, 35, 1}, C::Numeric});
        l.checks.push_back({"composite", {{1, 0, 10}, {1, 13, 7}, {1, 21, 14}}, {1, 35, 1}});
        return l;
    }
    case MrzFormat::MRVB: {
        Layout l = twoLineLayout(f, 36);
        l.fields.push_back({"optional_data", {1, 28, 8}, C::AlphaNum});
        return l;
    }
    case MrzFormat::TD1:
        return Layout{f,
                      {{"document_code", {0, 0, 2}, C::Alpha},
                       {"issuing_state", {0, 2, 3}, C::Alpha},
                       {"document_number", {0, 5, 9}, C::AlphaNum},
                       {"document_number_check", {0, 14, 1}, C::Numeric},
                       {"optional_data", {0, 15, 15}, C::AlphaNum},
                       {"birth_date", {1, 0, 6}, C::Numeric},
                       {"birth_date_check", {1, 6, 1}, C::Numeric},
                       {"sex", {1, 7, 1}, C::Sex},
                       {"expiry_date", {1, 8, 6}, C::Numeric},
                       {"expiry_date_check", {1, 14, 1}, C::Numeric},
                       {"nationality", {1, 15, 3}, C::Alpha},
                       {"optional_data_2", {1, 18, 11}, C::AlphaNum},
                       {"composite_check", {1, 29, 1}, C::Numeric},
                       {"name", {2, 0, 30}, C::Alpha}},
                      {{"document_number", {{0, 5, 9}}, {0, 14, 1}},
                       {"birth_date", {{1, 0, 6}}, {1, 6, 1}},
                       {"expiry_date", {{1, 8, 6}}, {1, 14, 1}},
                       {"composite", {{0, 5, 25}, {1, 0, 7}, {1, 8, 7}, {1, 18, 11}}, {1, 29, 1}}}};
    }
    return makeLayout(MrzFormat::TD3);
}

const Layout& layoutOf(MrzFormat f)
{
    static const std::array<Layout, 5> kLayouts = {makeLayout(MrzFormat::TD1), makeLayout(MrzFormat::TD2),
                                                   makeLayout(MrzFormat::TD3), makeLayout(MrzFormat::MRVA),
                                                   makeLayout(MrzFormat::MRVB)};
    return kLayouts[static_cast<std::size_t>(f)];
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}
bool isUpper(char c)
{
    return c >= 'A' && c <= 'Z';
}

bool allowed(CharClass cls, char c)
{
    switch (cls) {
    case CharClass::Alpha:
        return isUpper(c) || c == '<';
    case CharClass::Numeric:
        return isDigit(c) || c == '<';
    case CharClass::AlphaNum:
        return isUpper(c) || isDigit(c) || c == '<';
    case CharClass::Sex:
        return c == 'M' || c == 'F' || c == 'X' || c == '<';
    }
    return false;
}

char letterLookalike(char c)
{
    switch (c) {
    case '0':
        return 'O';
    case '1':
        return 'I';
    case '2':
        return 'Z';
    case '5':
        return 'S';
    case '8':
        return 'B';
    default:
        return '\0';
    }
}

// Candidate characters at one position: the read first, then look-alikes and the OCR runner-up,
// all restricted to what the field may hold. A read that its field cannot hold is not a candidate.
std::vector<char> candidatesFor(CharClass cls, char read, char alternate, bool withLookalikes)
{
    std::vector<char> out;
    auto add = [&](char c) {
        if (c != '\0' && allowed(cls, c) && std::ranges::find(out, c) == out.end())
            out.push_back(c);
    };
    add(read);
    if (withLookalikes && (cls == CharClass::Numeric || cls == CharClass::AlphaNum))
        add(mrzDigitLookalike(read));
    if (withLookalikes && (cls == CharClass::Alpha || cls == CharClass::AlphaNum))
        add(letterLookalike(read));
    add(alternate);
    return out;
}

std::string segmentText(const std::vector<std::string>& lines, const Span& s)
{
    return lines[static_cast<std::size_t>(s.line)].substr(static_cast<std::size_t>(s.start),
                                                          static_cast<std::size_t>(s.length));
}

std::string trimFillers(std::string s)
{
    while (!s.empty() && s.back() == '<')
        s.pop_back();
    return s;
}

bool allFillers(std::string_view s)
{
    return std::ranges::all_of(s, [](char c) { return c == '<'; });
}

// A check digit holds when it equals the computed digit; a filler stands for 0 over an all-filler field
// (9303-4: the personal number check digit of an unused field may be '<').
bool digitHolds(std::string_view covered, char found)
{
    const auto expected = mrzCheckChar(covered);
    if (!expected)
        return false;
    return found == *expected || (found == '<' && *expected == '0' && allFillers(covered));
}

// The TD1/TD2 long document number (9303-5/6 §4.2.2 note j): a filler where the number's check digit
// belongs says the number goes on in the optional data, ending in its check digit before a filler.
struct LongNumber {
    Span extension; // the continued characters (without the check digit)
    Span digit;
};

std::optional<LongNumber> findLongNumber(MrzFormat f, const std::vector<std::string>& lines)
{
    Span numberDigit{};
    Span optional{};
    if (f == MrzFormat::TD1) {
        numberDigit = {0, 14, 1};
        optional = {0, 15, 15};
    } else if (f == MrzFormat::TD2) {
        numberDigit = {1, 9, 1};
        optional = {1, 28, 7};
    } else {
        return std::nullopt;
    }
    const auto& line = lines[static_cast<std::size_t>(numberDigit.line)];
    if (line[static_cast<std::size_t>(numberDigit.start)] != '<')
        return std::nullopt;
    int end = optional.start;
    while (end < optional.start + optional.length && line[static_cast<std::size_t>(end)] != '<')
        ++end;
    const int used = end - optional.start;
    if (used < 2) // at least one more character and the check digit
        return std::nullopt;
    return LongNumber{{optional.line, optional.start, used - 1}, {optional.line, end - 1, 1}};
}

// The check digits in force for these lines (the long number changes the document number's).
std::vector<CheckDef> activeChecks(const Layout& layout, const std::vector<std::string>& lines)
{
    auto checks = layout.checks;
    if (const auto ln = findLongNumber(layout.format, lines)) {
        for (auto& c : checks) {
            if (std::string_view(c.field) == "document_number") {
                c.covered = {c.covered.front(), ln->extension};
                c.digit = ln->digit;
            }
        }
    }
    return checks;
}

// Hot in the look-alike search: sums in place instead of building the covered string.
bool checkHolds(const CheckDef& c, const std::vector<std::string>& lines)
{
    constexpr int kWeights[3] = {7, 3, 1};
    int sum = 0;
    int i = 0;
    bool fillersOnly = true;
    for (const auto& s : c.covered) {
        const auto& line = lines[static_cast<std::size_t>(s.line)];
        for (int k = 0; k < s.length; ++k, ++i) {
            const char ch = line[static_cast<std::size_t>(s.start + k)];
            const auto v = mrzCharValue(ch);
            if (!v)
                return false;
            fillersOnly = fillersOnly && ch == '<';
            sum += *v * kWeights[i % 3];
        }
    }
    const char found = lines[static_cast<std::size_t>(c.digit.line)][static_cast<std::size_t>(c.digit.start)];
    const char expected = static_cast<char>('0' + sum % 10);
    return found == expected || (found == '<' && expected == '0' && fillersOnly);
}

bool covers(const Span& s, int line, int column)
{
    return s.line == line && column >= s.start && column < s.start + s.length;
}

const FieldDef* fieldAt(const Layout& layout, int line, int column)
{
    for (const auto& f : layout.fields)
        if (covers(f.span, line, column))
            return &f;
    return nullptr;
}

// Look-alike resolution. Characters impossible for their field with exactly one possible look-alike
// are replaced outright; the remaining ambiguity is searched, and a combination other than the read
// is taken only when it is the single one that makes every check digit hold.
void resolveLookalikes(const Layout& layout, std::vector<std::string>& lines, const MrzParseOptions& options,
                       std::vector<MrzCorrection>& corrections)
{
    const bool haveAlternates =
        options.alternates.size() == lines.size() &&
        std::ranges::equal(options.alternates, lines, {}, &std::string::size, &std::string::size);
    struct Position {
        int line;
        int column;
        std::vector<char> candidates;
    };
    std::vector<Position> ambiguous;
    for (int li = 0; li < static_cast<int>(lines.size()); ++li) {
        auto& line = lines[static_cast<std::size_t>(li)];
        for (int col = 0; col < static_cast<int>(line.size()); ++col) {
            const FieldDef* f = fieldAt(layout, li, col);
            if (f == nullptr)
                continue;
            const char read = line[static_cast<std::size_t>(col)];
            const char alt =
                haveAlternates
                    ? options.alternates[static_cast<std::size_t>(li)][static_cast<std::size_t>(col)]
                    : '\0';
            // With an OCR runner-up per character, the recogniser has said which characters are in doubt;
            // a look-alike partner then only stands in for a character its field cannot hold.
            auto cands = candidatesFor(f->cls, read, alt, !haveAlternates || !allowed(f->cls, read));
            if (!allowed(f->cls, read)) {
                if (cands.size() == 1) {
                    corrections.push_back({li, col, read, cands.front()});
                    line[static_cast<std::size_t>(col)] = cands.front();
                }
                continue; // several or no readings: leave it for the structure check to report
            }
            if (cands.size() > 1)
                ambiguous.push_back({li, col, std::move(cands)});
        }
    }

    const auto checks = activeChecks(layout, lines);
    std::vector<bool> holds(checks.size());
    for (std::size_t c = 0; c < checks.size(); ++c)
        holds[c] = checkHolds(checks[c], lines);
    if (std::ranges::all_of(holds, [](bool h) { return h; }))
        return; // the read is consistent: never trade it for another consistent reading

    // Suspects are the characters of fields whose own check digit fails. A field that passes its own
    // digit is kept as read: searching it too would only add rival readings and refuse more often.
    // Only when nothing but the composite fails are the characters that the composite alone protects
    // suspect (the optional data of TD1/TD2).
    auto inCheck = [](const CheckDef& c, int line, int column) {
        return covers(c.digit, line, column) ||
               std::ranges::any_of(c.covered, [&](const Span& s) { return covers(s, line, column); });
    };
    auto isComposite = [](const CheckDef& c) {
        return std::string_view(c.field) == "composite";
    };
    bool ownFails = false;
    for (std::size_t c = 0; c < checks.size(); ++c)
        ownFails = ownFails || (!holds[c] && !isComposite(checks[c]));
    auto suspect = [&](const Position& p) {
        for (std::size_t c = 0; c < checks.size(); ++c) {
            if (holds[c] || !inCheck(checks[c], p.line, p.column))
                continue;
            if (!isComposite(checks[c]))
                return true;
            if (!ownFails) {
                const bool ownField = std::ranges::any_of(checks, [&](const CheckDef& o) {
                    return !isComposite(o) && inCheck(o, p.line, p.column);
                });
                if (!ownField || covers(checks[c].digit, p.line, p.column))
                    return true;
            }
        }
        return false;
    };
    std::erase_if(ambiguous, [&](const Position& p) { return !suspect(p); });
    auto protectedBy = [&](const Position& p, const CheckDef& c) {
        return inCheck(c, p.line, p.column);
    };
    // Order positions so each check digit can be tested as soon as its last ambiguous position is set.
    std::vector<int> lastIndex(checks.size(), -1);
    for (int i = 0; i < static_cast<int>(ambiguous.size()); ++i)
        for (std::size_t c = 0; c < checks.size(); ++c)
            if (protectedBy(ambiguous[static_cast<std::size_t>(i)], checks[c]))
                lastIndex[c] = i;
    for (std::size_t c = 0; c < checks.size(); ++c)
        if (lastIndex[c] < 0 && !holds[c])
            return; // a check digit fails whatever the suspect characters are

    std::vector<std::string> work = lines;
    std::vector<std::string> solution;
    int solutions = 0;
    int budget = options.maxCombinations;
    // Depth-first over the ambiguous positions; stops at the second solution or when over budget.
    auto search = [&](auto&& self, std::size_t depth) -> void {
        if (solutions > 1 || budget <= 0)
            return;
        if (depth == ambiguous.size()) {
            if (++solutions == 1)
                solution = work;
            return;
        }
        const auto& p = ambiguous[depth];
        char& slot = work[static_cast<std::size_t>(p.line)][static_cast<std::size_t>(p.column)];
        const char original = slot;
        for (char c : p.candidates) {
            --budget;
            slot = c;
            bool ok = true;
            for (std::size_t k = 0; k < checks.size() && ok; ++k)
                if (lastIndex[k] == static_cast<int>(depth))
                    ok = checkHolds(checks[k], work);
            if (ok)
                self(self, depth + 1);
        }
        slot = original;
    };
    search(search, 0);
    if (solutions != 1 || budget <= 0)
        return;
    for (int li = 0; li < static_cast<int>(lines.size()); ++li)
        for (int col = 0; col < static_cast<int>(lines[static_cast<std::size_t>(li)].size()); ++col) {
            char& c = lines[static_cast<std::size_t>(li)][static_cast<std::size_t>(col)];
            const char to = solution[static_cast<std::size_t>(li)][static_cast<std::size_t>(col)];
            if (c != to) {
                corrections.push_back({li, col, c, to});
                c = to;
            }
        }
}

bool validDateParts(std::string_view yymmdd, bool allowUnknown)
{
    if (yymmdd.size() != 6)
        return false;
    auto part = [&](std::size_t i) -> int {
        const char a = yymmdd[i];
        const char b = yymmdd[i + 1];
        if (a == '<' && b == '<')
            return allowUnknown ? -1 : -2;
        if (!isDigit(a) || !isDigit(b))
            return -2;
        return (a - '0') * 10 + (b - '0');
    };
    const int yy = part(0);
    const int mm = part(2);
    const int dd = part(4);
    if (yy == -2 || mm == -2 || dd == -2)
        return false;
    if (mm != -1 && (mm < 1 || mm > 12))
        return false;
    if (dd == -1)
        return true;
    constexpr std::array<int, 13> kDays = {31, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    // Without the century a 29 February cannot be ruled out (YY 00 may be 2000 or 1900).
    const int maxDay = mm == -1 ? 31 : kDays[static_cast<std::size_t>(mm)];
    if (mm == 2 && dd == 29 && yy != -1 && yy % 4 != 0)
        return false;
    return dd >= 1 && dd <= maxDay;
}

void splitName(std::string_view field, MrzFields& out)
{
    std::string s = trimFillers(std::string(field));
    const auto sep = s.find("<<");
    std::string primary = sep == std::string::npos ? s : s.substr(0, sep);
    std::string secondary = sep == std::string::npos ? std::string() : s.substr(sep + 2);
    auto spaced = [](std::string v) {
        std::ranges::replace(v, '<', ' ');
        // Collapse runs (a "<<" inside the secondary identifier is a defect, not two spaces).
        std::string r;
        for (char c : v)
            if (c != ' ' || (!r.empty() && r.back() != ' '))
                r += c;
        while (!r.empty() && r.back() == ' ')
            r.pop_back();
        return r;
    };
    out.surname = spaced(std::move(primary));
    out.givenNames = spaced(std::move(secondary));
}

void addIssue(MrzRecord& r, std::string code, std::string message, const Span& at)
{
    r.issues.push_back({std::move(code), std::move(message), at.line, at.start});
}

void validateStructure(const Layout& layout, MrzRecord& r)
{
    const auto& lines = r.lines;
    // Characters their field cannot hold (what look-alike resolution could not settle).
    for (const auto& f : layout.fields) {
        const std::string text = segmentText(lines, f.span);
        for (int i = 0; i < f.span.length; ++i)
            if (!allowed(f.cls, text[static_cast<std::size_t>(i)])) {
                addIssue(r, "character_invalid_for_field",
                         std::string("'") + text[static_cast<std::size_t>(i)] + "' is not allowed in " +
                             f.name,
                         {f.span.line, f.span.start + i, 1});
            }
    }

    const std::string code = segmentText(lines, {0, 0, 2});
    const char c0 = code[0];
    const char c1 = code[1];
    bool codeOk = true;
    switch (layout.format) {
    case MrzFormat::TD3:
        codeOk = c0 == 'P';
        break;
    case MrzFormat::MRVA:
    case MrzFormat::MRVB:
        codeOk = c0 == 'V';
        break;
    case MrzFormat::TD1:
    case MrzFormat::TD2:
        // 9303-5/6: A, C or I; the second character may not be V (reserved for visas).
        codeOk = (c0 == 'A' || c0 == 'C' || c0 == 'I') && c1 != 'V';
        break;
    }
    if (!codeOk)
        addIssue(r, "document_code_invalid",
                 "document code '" + code + "' is not valid for " + std::string(mrzFormatName(layout.format)),
                 {0, 0, 2});

    if (!isIcaoStateCode(r.fields.issuingState))
        addIssue(r, "issuing_state_unknown",
                 "issuing state '" + r.fields.issuingState + "' is not an ICAO code", {0, 2, 3});
    const Span natSpan = layout.format == MrzFormat::TD1 ? Span{1, 15, 3} : Span{1, 10, 3};
    if (!isIcaoStateCode(r.fields.nationality))
        addIssue(r, "nationality_unknown", "nationality '" + r.fields.nationality + "' is not an ICAO code",
                 natSpan);

    for (const auto& f : layout.fields) {
        const std::string_view name = f.name;
        if (name == "birth_date" && !validDateParts(segmentText(lines, f.span), true))
            addIssue(r, "birth_date_invalid", "birth date '" + segmentText(lines, f.span) + "' is not a date",
                     f.span);
        if (name == "expiry_date" && !validDateParts(segmentText(lines, f.span), false))
            addIssue(r, "expiry_date_invalid",
                     "expiry date '" + segmentText(lines, f.span) + "' is not a date", f.span);
        if (name == "name") {
            const std::string text = segmentText(lines, f.span);
            if (text.empty() || !isUpper(text[0]))
                addIssue(r, "name_invalid", "the primary identifier must start with a letter", f.span);
            // 9303-3: one "<<" separates the primary from the secondary identifier and single fillers
            // separate components, so nothing but fillers may follow a second "<<". A letter there is
            // a misread filler (a '<' under glare reads like 'C') or a badly composed name.
            const auto sep = text.find("<<");
            const auto again = sep == std::string::npos ? sep : text.find("<<", sep + 2);
            if (again != std::string::npos && text.find_first_not_of('<', again) != std::string::npos)
                addIssue(r, "name_after_fillers", "letters follow the padding of the name field", f.span);
        }
    }
    if (r.fields.documentNumber.empty())
        addIssue(r, "document_number_empty", "the document number is empty",
                 layout.format == MrzFormat::TD1 ? Span{0, 5, 9} : Span{1, 0, 9});
    for (const auto& cd : r.checkDigits)
        if (!isDigit(cd.found) && cd.found != '<')
            addIssue(r, "check_digit_not_numeric",
                     std::string("check digit of ") + cd.field + " is not a digit", {cd.line, cd.column, 1});
}

MrzRecord buildRecord(const Layout& layout, std::vector<std::string> lines,
                      std::vector<MrzCorrection> corrections)
{
    MrzRecord r;
    r.format = layout.format;
    r.lines = std::move(lines);
    r.corrections = std::move(corrections);
    const auto& L = r.lines;

    auto field = [&](std::string_view name) -> std::string {
        for (const auto& f : layout.fields)
            if (name == f.name)
                return segmentText(L, f.span);
        return {};
    };
    MrzFields& out = r.fields;
    out.documentCode = trimFillers(field("document_code"));
    out.issuingState = trimFillers(field("issuing_state"));
    out.nationality = trimFillers(field("nationality"));
    out.birthDate = field("birth_date");
    out.sex = field("sex");
    out.expiryDate = field("expiry_date");
    splitName(field("name"), out);
    const std::string name = field("name");
    r.namesTruncated = !name.empty() && name.back() != '<';

    std::string number = field("document_number");
    std::string optional = field("optional_data");
    if (const auto ln = findLongNumber(layout.format, L)) {
        r.longDocumentNumber = true;
        number += segmentText(L, ln->extension);
        // What follows the number's check digit in the optional data stays optional data.
        const auto consumed =
            static_cast<std::size_t>(ln->digit.start + 1 - (layout.format == MrzFormat::TD1 ? 15 : 28));
        optional = optional.substr(std::min(consumed, optional.size()));
        while (!optional.empty() && optional.front() == '<')
            optional.erase(optional.begin());
    }
    out.documentNumber = trimFillers(number);
    out.optionalData = trimFillers(optional);
    out.optionalData2 = trimFillers(field("optional_data_2"));

    for (const auto& c : activeChecks(layout, L)) {
        std::string covered;
        for (const auto& s : c.covered)
            covered += segmentText(L, s);
        const char found = segmentText(L, c.digit)[0];
        std::vector<MrzSpan> spans;
        for (const auto& s : c.covered)
            spans.push_back({s.line, s.start, s.length});
        r.checkDigits.push_back({c.field, c.digit.line, c.digit.start, found,
                                 mrzCheckChar(covered).value_or('?'), digitHolds(covered, found),
                                 std::move(spans)});
    }
    validateStructure(layout, r);
    return r;
}

} // namespace

// The OCR-B look-alike pairs of the issue and of practice (D and Q are read for 0 too).
char mrzDigitLookalike(char c) noexcept
{
    switch (c) {
    case 'O':
    case 'D':
    case 'Q':
        return '0';
    case 'I':
        return '1';
    case 'Z':
        return '2';
    case 'S':
        return '5';
    case 'B':
        return '8';
    default:
        return '\0';
    }
}

std::string_view mrzFormatName(MrzFormat f) noexcept
{
    switch (f) {
    case MrzFormat::TD1:
        return "TD1";
    case MrzFormat::TD2:
        return "TD2";
    case MrzFormat::TD3:
        return "TD3";
    case MrzFormat::MRVA:
        return "MRVA";
    case MrzFormat::MRVB:
        return "MRVB";
    }
    return "TD3";
}

MrzShape mrzShape(MrzFormat f) noexcept
{
    switch (f) {
    case MrzFormat::TD1:
        return {3, 30};
    case MrzFormat::TD2:
    case MrzFormat::MRVB:
        return {2, 36};
    case MrzFormat::TD3:
    case MrzFormat::MRVA:
        return {2, 44};
    }
    return {2, 44};
}

bool MrzRecord::checkDigitsValid() const noexcept
{
    return std::ranges::all_of(checkDigits, [](const CheckDigit& c) { return c.ok; });
}

Result<MrzRecord> parseMrz(std::span<const std::string> lines, const MrzParseOptions& options)
{
    if (lines.size() != 2 && lines.size() != 3)
        return fail(Errc::InvalidInput, "an MRZ has 2 or 3 lines, got " + std::to_string(lines.size()));
    const std::size_t len = lines[0].size();
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (lines[i].size() != len)
            return fail(Errc::InvalidInput, "MRZ line " + std::to_string(i + 1) + " has " +
                                                std::to_string(lines[i].size()) + " characters, line 1 has " +
                                                std::to_string(len));
        for (std::size_t col = 0; col < lines[i].size(); ++col)
            if (!mrzCharValue(lines[i][col]))
                return fail(Errc::InvalidInput,
                            "MRZ line " + std::to_string(i + 1) + " column " + std::to_string(col + 1) +
                                ": character outside the MRZ set [0-9A-Z<] (byte " +
                                std::to_string(static_cast<unsigned char>(lines[i][col])) + ")");
    }
    MrzFormat format{};
    if (lines.size() == 3 && len == 30)
        format = MrzFormat::TD1;
    else if (lines.size() == 2 && len == 36)
        format = lines[0][0] == 'V' ? MrzFormat::MRVB : MrzFormat::TD2;
    else if (lines.size() == 2 && len == 44)
        format = lines[0][0] == 'V' ? MrzFormat::MRVA : MrzFormat::TD3;
    else
        return fail(Errc::InvalidInput, "no MRZ format has " + std::to_string(lines.size()) + " lines of " +
                                            std::to_string(len) +
                                            " characters (TD1 3x30, TD2/MRV-B 2x36, "
                                            "TD3/MRV-A 2x44)");
    const Layout& layout = layoutOf(format);
    std::vector<std::string> work(lines.begin(), lines.end());
    std::vector<MrzCorrection> corrections;
    if (options.correctLookalikes)
        resolveLookalikes(layout, work, options, corrections);
    return buildRecord(layout, std::move(work), std::move(corrections));
}

Result<MrzRecord> parseMrzText(std::string_view text, const MrzParseOptions& options)
{
    constexpr std::size_t kMaxText = 3 * 45; // three TD1 lines or two TD3 lines with line breaks fit
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos)
            end = text.size();
        std::string_view line = text.substr(start, end - start);
        while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
            line.remove_suffix(1);
        while (!line.empty() && line.front() == ' ')
            line.remove_prefix(1);
        if (!line.empty()) {
            if (lines.size() == 3 || text.size() > 4 * kMaxText)
                return fail(Errc::InvalidInput, "MRZ text has more than 3 lines or is far too long (" +
                                                    std::to_string(text.size()) + " bytes)");
            lines.emplace_back(line);
        }
        if (end == text.size())
            break;
        start = end + 1;
    }
    return parseMrz(lines, options);
}

} // namespace gw::vision
