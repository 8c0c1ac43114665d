// SPDX-License-Identifier: Apache-2.0
// Loads the Tesseract model for viz.mrz_consistency from disk into a VizTextReader (tools side: does I/O).
#pragma once

#include <filesystem>
#include <memory>

#include <gw/common/result.h>
#include <gw/vision/viz_reader.h>

namespace gw::tools {

/// @brief Debian's English LSTM model (package tesseract-ocr-eng).
inline constexpr const char* kDefaultVizModel = "/usr/share/tesseract-ocr/5/tessdata/eng.traineddata";

/// @brief Reads @p path (a Tesseract .traineddata file; its stem is the language, e.g. "eng") and creates a
/// reader from it.
/// @return Errc::Io when the file is missing or unreadable (for the default path the message names the
///         Debian package tesseract-ocr-eng), Errc::InvalidInput when it is larger than 256 MiB or not a
///         model Tesseract can load.
Result<std::shared_ptr<vision::VizTextReader>>
loadVizReader(const std::filesystem::path& path = kDefaultVizModel);

} // namespace gw::tools
