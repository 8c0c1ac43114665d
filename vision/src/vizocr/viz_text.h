// SPDX-License-Identifier: Apache-2.0
// Finding the text items of the visual zone and comparing their readings with MRZ fields.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <opencv2/core.hpp>

namespace gw::vision::vizocr {

/// @brief A run of characters on one baseline with word-sized gaps at most (one printed field value).
struct TextItem {
    cv::Rect boxPx;         ///< in the image the items were found in
    double capHeightPx = 0; ///< median height of its characters
    int characters = 0;     ///< connected components it holds
};

/// @brief The text of @p grey inside @p roi: dark print on a lighter, possibly patterned background.
struct TextLayer {
    cv::Mat ink;  ///< CV_8UC1 over roi: 255 - ink contrast (dark text on white, background flattened)
    cv::Rect roi; ///< where ink lies in the page image
    std::vector<TextItem> items; ///< boxes in page pixels, top to bottom then left to right
    /// Smaller print, in the same order: the field captions ("Surname / Nom") that 9303 prints above each
    /// value, and other fine print. Not read unless a field must be found by its caption.
    std::vector<TextItem> captions;
    double referenceCapPx = 0; ///< the cap height of the largest common text (the personal data)
};

/// @brief Finds printed text items in @p roi of the grey page @p grey (CV_8UC1) at @p pixelsPerMm.
/// Characters are 0.5 to 7 mm tall; items are split at gaps wider than about one character height.
TextLayer findText(const cv::Mat& grey, cv::Rect roi, double pixelsPerMm);

/// @brief The image of @p item to hand to the reader: dark text on white with a margin of @p padCaps cap
/// heights, scaled so that the cap height is about @p targetCapPx.
cv::Mat itemImage(const TextLayer& layer, const TextItem& item, double targetCapPx, double padCaps = 0.4);

/// @brief A calendar date printed in the visual zone.
struct VizDate {
    int year = 0; ///< four digits when printed so, else two
    int month = 0;
    int day = 0;
};

/// @brief Parses "12 MAR 1985", "12.03.1985", "12 03 1985", "12 MAR/MARS 1985", "12-03-85", and the same
/// read without a separator ("12031985", "12 MARMARS 1985", "12 JULUIL 1985" for JUL/JUIL) (month names in
/// English, French, German, Dutch, Spanish, Italian, Portuguese); nullopt when @p text is no valid date.
std::optional<VizDate> parseVizDate(std::string_view text);

/// @brief True when the date equals the MRZ date @p yymmdd (two-digit year compared).
bool sameAsMrzDate(const VizDate& d, std::string_view yymmdd);

/// @brief In a VIZ name: a letter read too doubtfully to count, which matches any letter.
inline constexpr char kAnyLetter = '?';

/// @brief Letters of a name reduced for comparing the VIZ with the MRZ: A-Z (and kAnyLetter) only, the
/// ICAO 9303-3 §6 transliteration digraphs folded to their base letter (AE, OE, UE, AA -> A, O, U, A), and
/// the digits a recogniser returns for letters (0, 1, 5, 8) read as letters.
std::string nameKey(std::string_view name);

/// @brief Similarity in [0, 1] of two names (1 - edit distance / longer length, on nameKey(); kAnyLetter
/// matches any letter, so the result is the best case over the doubtful letters). With
/// @p mrzMayBeTruncated, a VIZ name longer than the MRZ one is compared on the MRZ name's length.
double nameSimilarity(std::string_view mrzName, std::string_view vizName, bool mrzMayBeTruncated);

/// @brief How well @p vizName matches the best run of whole words of @p mrzName, in [0, 1] (nameSimilarity
/// of each run), so that one line of a name printed on two lines, or one of several given names, still
/// counts as part of that name.
double fragmentSimilarity(std::string_view mrzName, std::string_view vizName);

/// @brief True for characters that printed text and recognisers confuse (0/O/D/Q, 1/I/L, I/J, 1/7, 7/T,
/// 2/Z, 5/S, 6/G, 9/G, 8/B, 4/A, U/V; pairs, not chains): a difference between them is no evidence.
bool lookalike(char a, char b);

} // namespace gw::vision::vizocr
