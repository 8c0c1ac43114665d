// SPDX-License-Identifier: Apache-2.0
// Builds ICAO 9303 MRZ lines (TD1, TD2, TD3, MRV-A, MRV-B) from document fields, with check digits.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gw/common/result.h>

namespace gw::specimen {

/// @brief The five MRZ formats of ICAO 9303 parts 4-7.
enum class Format : std::uint8_t { Td1, Td2, Td3, MrvA, MrvB };

/// @brief "TD1", "TD2", "TD3", "MRVA", "MRVB".
std::string_view formatName(Format format) noexcept;
/// @brief Inverse of formatName (case-insensitive; also accepts "MRV-A"/"MRV-B"). std::nullopt if unknown.
std::optional<Format> parseFormat(std::string_view name) noexcept;

/// @brief The MRZ data of a document, in MRZ characters ([A-Z0-9<] and spaces, no fillers needed).
struct DocumentFields {
    std::string documentCode;   ///< 1-2 characters, e.g. "P", "ID", "V", "AR"
    std::string issuingState;   ///< 1-3 letters, e.g. "UTO", "D"
    std::string documentNumber; ///< TD1/TD2 allow more than 9 characters (the long-number rule), others 9 max
    std::string nationality;    ///< 1-3 letters
    std::string birthDate;      ///< YYMMDD
    std::string sex;            ///< "M", "F" or "<"
    std::string expiryDate;     ///< YYMMDD
    std::string surname;        ///< transliterated, words separated by '<' or spaces
    std::string givenNames;     ///< transliterated, may be empty
    std::string optionalData;   ///< TD3 personal number, TD1 line-2 optional data, TD2/MRV optional data
    std::string optionalData1;  ///< TD1 only: line-1 optional data (after any long-number overflow)
};

/// @brief Characters per line and line count of @p format.
int mrzLineLength(Format format) noexcept;
int mrzLineCount(Format format) noexcept;

/// @brief The name field "SURNAME<<GIVEN<NAMES" padded with '<' to @p width, truncated per ICAO 9303-3
///        §4.6 when too long (given names first, the last kept character is never a filler).
/// @return also whether it was truncated.
struct NameField {
    std::string text;
    bool truncated = false;
};
NameField mrzNameField(std::string_view surname, std::string_view givenNames, std::size_t width);

/// @brief The MRZ lines of @p fields in @p format, with every check digit computed.
/// @return Errc::InvalidArgument when a field has characters outside [A-Z0-9< ] or does not fit
///         (e.g. a 10-character document number on a TD3, or a date that is not 6 digits).
gw::Result<std::vector<std::string>> buildMrz(const DocumentFields& fields, Format format);

/// @brief ICAO 9303-3 §6 transliteration of an upper-case UTF-8 name to MRZ characters: Ü->UE, Ø->OE,
///        ß->SS, É->E, ..., space and hyphen -> '<', apostrophe dropped. Unknown letters become '<'.
std::string transliterate(std::string_view utf8Upper);

} // namespace gw::specimen
