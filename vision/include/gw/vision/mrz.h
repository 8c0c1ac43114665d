// SPDX-License-Identifier: Apache-2.0
// ICAO Doc 9303 machine readable zones: formats, parsed fields, check digits and look-alike resolution.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <gw/common/result.h>

namespace gw::vision {

/// @brief The five MRZ layouts of Doc 9303 parts 4 to 7.
enum class MrzFormat {
    TD1,  ///< 3 lines x 30: ID cards (part 5)
    TD2,  ///< 2 lines x 36: ID cards, residence permits (part 6)
    TD3,  ///< 2 lines x 44: passports (part 4)
    MRVA, ///< 2 lines x 44: full-size visa (part 7)
    MRVB, ///< 2 lines x 36: small visa (part 7)
};

/// @brief Stable names used in reports: "TD1", "TD2", "TD3", "MRVA", "MRVB".
std::string_view mrzFormatName(MrzFormat f) noexcept;

/// @brief Lines and characters per line of a format.
struct MrzShape {
    int lines;
    int length;
};
MrzShape mrzShape(MrzFormat f) noexcept;

/// @brief Data elements of the MRZ, fillers removed. Dates stay YYMMDD as printed ('<' for unknown).
struct MrzFields {
    std::string documentCode;   ///< e.g. "P", "ID", "V", "IR" (trailing filler removed)
    std::string issuingState;   ///< three-letter code, trailing fillers removed ("D", "UTO")
    std::string documentNumber; ///< the whole number, including the TD1/TD2 long-number extension
    std::string nationality;
    std::string birthDate;     ///< YYMMDD
    std::string sex;           ///< "M", "F", "X" or "<"
    std::string expiryDate;    ///< YYMMDD
    std::string surname;       ///< primary identifier, fillers between name parts become spaces
    std::string givenNames;    ///< secondary identifier, likewise
    std::string optionalData;  ///< TD3 personal number / optional data of line 1 (TD1) / line 2
    std::string optionalData2; ///< TD1 line 2 optional data; empty elsewhere
};

/// @brief A run of characters on one MRZ line.
struct MrzSpan {
    int line = 0;   ///< 0-based
    int column = 0; ///< 0-based first character
    int length = 0;
};

/// @brief One check digit of the MRZ and whether it holds.
struct CheckDigit {
    std::string field;   ///< "document_number", "birth_date", "expiry_date", "optional_data", "composite"
    int line = 0;        ///< 0-based line of the digit
    int column = 0;      ///< 0-based column of the digit
    char found = '<';    ///< the character in the MRZ
    char expected = '0'; ///< the digit computed over the field
    bool ok = false;
    std::vector<MrzSpan> covered; ///< the characters the digit is computed over
};

/// @brief A structural finding: the MRZ parses but a field breaks a rule of Doc 9303.
struct MrzIssue {
    std::string code;    ///< stable id, e.g. "issuing_state_unknown", "birth_date_invalid"
    std::string message; ///< English, for logs and the lab
    int line = 0;
    int column = 0;
};

/// @brief A character the parser changed, with why.
struct MrzCorrection {
    int line = 0;
    int column = 0;
    char from = '<';
    char to = '<';
};

/// @brief A parsed MRZ. Parsing never "fixes" silently: every change is listed in corrections.
struct MrzRecord {
    MrzFormat format = MrzFormat::TD3;
    std::vector<std::string> lines; ///< after corrections
    MrzFields fields;
    std::vector<CheckDigit> checkDigits;
    std::vector<MrzIssue> issues;
    std::vector<MrzCorrection> corrections;
    bool longDocumentNumber = false; ///< TD1/TD2 number continued in the optional data
    bool namesTruncated = false;     ///< the name field is full, so the name may be cut short

    [[nodiscard]] bool checkDigitsValid() const noexcept;
    [[nodiscard]] bool structureValid() const noexcept { return issues.empty(); }
};

/// @brief How to parse.
struct MrzParseOptions {
    /// Resolve look-alikes (0/O, 1/I, 2/Z, 5/S, 8/B, and an OCR runner-up) from the field types and
    /// the check digits. A read is changed only when exactly one combination of candidates makes every
    /// check digit hold (or a character is impossible for its field and has one look-alike).
    bool correctLookalikes = true;
    /// Optional OCR runner-up per character: alternates[line][column] is another plausible reading
    /// of that character, or '\0'. Same shape as the lines when given; ignored otherwise.
    std::span<const std::string> alternates;
    /// Upper bound on candidate combinations tried before giving up correction (keeps it bounded).
    int maxCombinations = 20000;
};

/// @brief Parses MRZ lines (as read, top to bottom).
/// @return The record, including failed check digits and structural issues (a bad check digit is a
///         finding, not an error); an Error (Errc::InvalidInput) when the lines match no format (line
///         count, lengths) or hold characters outside [0-9A-Z<].
Result<MrzRecord> parseMrz(std::span<const std::string> lines, const MrzParseOptions& options = {});

/// @brief Same, from one text: lines separated by '\n' (a trailing '\r' or spaces are trimmed).
Result<MrzRecord> parseMrzText(std::string_view text, const MrzParseOptions& options = {});

/// @brief The digit an OCR-B letter is mistaken for, which only the field type tells apart (O, D, Q -> 0;
/// I -> 1; Z -> 2; S -> 5; B -> 8); '\0' for any other character.
char mrzDigitLookalike(char c) noexcept;

/// @brief True for a three-letter code that Doc 9303-3 allows as issuing state or nationality:
/// ISO 3166-1 alpha-3, "D" for Germany, and the ICAO codes for British nationals (GBD, GBN, GBO, GBP,
/// GBS), the United Nations (UNO, UNA, UNK), stateless persons and refugees (XXA, XXB, XXC, XXX), the
/// EU (EUE), other organisations (XBA, XCC, XCE, XCO, XDC, XEC, XES, XIM, XMP, XOM, XPO), RKS, and
/// UTO (the fictional state of the Doc 9303 specimens). @p code may carry trailing fillers ("D<<").
bool isIcaoStateCode(std::string_view code) noexcept;

} // namespace gw::vision
