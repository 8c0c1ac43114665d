// SPDX-License-Identifier: Apache-2.0
// Reads printed text lines of the visual inspection zone (VIZ) with Tesseract, for viz.mrz_consistency.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <gw/common/result.h>
#include <gw/vision/image.h>

namespace gw::vision {

/// @brief One character as read, with how sure the recogniser was and what else it considered.
struct VizGlyph {
    char text = '?';      ///< the character (ASCII; letters upper case when the whitelist allows only those)
    float confidence = 0; ///< [0, 1] the recogniser's certainty for this character
    std::string alternatives; ///< other characters the recogniser found plausible here (may be empty)
    /// [px] where the character lies in the line image (width 0 when the recogniser gave no box); lets a
    /// caller re-read one glyph on its own, away from the line's context.
    int x = 0, y = 0, width = 0, height = 0;
};

/// @brief One line of text as read.
struct VizLineText {
    std::string text;             ///< ASCII, words separated by one space, no leading/trailing space
    std::vector<VizGlyph> glyphs; ///< one per non-space character of text, in order
    float meanConfidence = 0;     ///< [0, 1] mean over glyphs; 0 when nothing was read
    float minConfidence = 0;      ///< [0, 1] the least certain glyph; 0 when nothing was read
};

/// @brief How to read one line.
struct VizReadOptions {
    /// Characters the recogniser may return (empty: any). Upper-case letters, digits and ". / - '" are
    /// what the personal data of a travel document needs; restricting to them turns a diacritic into its
    /// base letter (U for Ü), which is what comparing with the MRZ wants.
    std::string whitelist = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./-'";
    bool singleCharacter = false; ///< the image holds one character (e.g. the sex field)
    /// The image holds one short word (e.g. a two-letter surname), which the raw-line mode tends to drop.
    bool singleWord = false;
};

/// @brief A text-line reader over Tesseract's LSTM engine. Thread-safe: calls are serialised by an internal
/// mutex (one engine per reader; make several readers to read in parallel). Recognition runs on the
/// calling thread only (Tesseract's OpenMP parallelism is switched off for the duration of a call).
class VizTextReader {
public:
    /// @brief Creates a reader from a Tesseract model held in memory (vision/ reads no files: the caller
    /// loads e.g. /usr/share/tesseract-ocr/5/tessdata/eng.traineddata of Debian's tesseract-ocr-eng).
    /// @param traineddata the bytes of a .traineddata file with an LSTM model; copied, may be freed after
    /// @param language the model's language code, e.g. "eng" (letters, digits, '_' and '+' only)
    /// @return Errc::InvalidArgument for empty data or a bad language code, Errc::InvalidInput when Tesseract
    ///         cannot initialise from the data (not a traineddata file, no LSTM model), Errc::Internal when
    ///         Tesseract throws.
    static Result<std::shared_ptr<VizTextReader>> create(std::span<const std::uint8_t> traineddata,
                                                         std::string_view language = "eng");

    ~VizTextReader();
    VizTextReader(const VizTextReader&) = delete;
    VizTextReader& operator=(const VizTextReader&) = delete;

    /// @brief Reads the single line of text in @p line (dark text on a light background, Gray8 or Bgr8).
    /// Best with a cap height of 20 to 40 px and a margin of a few pixels around the text.
    /// @return the text (empty when nothing was recognised); Errc::InvalidArgument for an invalid view or
    ///         one larger than 4000 x 400 px, Errc::Internal when Tesseract fails or throws.
    Result<VizLineText> readLine(const ImageView& line, const VizReadOptions& options = {});

private:
    struct Impl;
    explicit VizTextReader(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

} // namespace gw::vision
