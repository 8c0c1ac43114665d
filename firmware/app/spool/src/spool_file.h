// SPDX-License-Identifier: Apache-2.0
// Spool file format (header codec) and the POSIX durable-write primitives the spool is built on.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <gw/common/result.h>
#include <gw/link/messages.h>

namespace gw::spool::detail {

inline constexpr std::array<std::uint8_t, 4> kFileMagic = {'G', 'W', 'S', 'P'};
inline constexpr std::uint8_t kFileVersion = 1;
inline constexpr std::size_t kFileHeaderBytes = 48;
inline constexpr std::string_view kEntrySuffix = ".insp";
inline constexpr std::string_view kTempSuffix = ".tmp";
inline constexpr std::size_t kSequenceDigits = 20;

struct FileHeader {
    std::uint64_t sequence = 0;
    link::InspectionId id;
    std::uint64_t bodyBytes = 0;
    std::uint32_t bodyCrc = 0;
};

std::array<std::uint8_t, kFileHeaderBytes> encodeHeader(const FileHeader& header);
/// @return the header, or a reason why the bytes are not one
Result<FileHeader> decodeHeader(std::span<const std::uint8_t> bytes);

/// "00000000000000000042.insp"
std::string entryFileName(std::uint64_t sequence);
/// The sequence of an entry file name, or std::nullopt for any other name.
std::optional<std::uint64_t> parseEntryFileName(std::string_view name);

/// Writes @p parts to @p target through "<dir>/.<name>.tmp": write, fsync, rename, fsync of the folder.
Result<void> writeFileDurably(const std::filesystem::path& target,
                              std::span<const std::span<const std::uint8_t>> parts);
/// Reads at most @p maxBytes of @p file.
Result<std::vector<std::uint8_t>> readFile(const std::filesystem::path& file, std::uint64_t maxBytes);
/// fsync of a folder, so that renames and unlinks in it survive a power cut.
Result<void> syncDirectory(const std::filesystem::path& directory);

} // namespace gw::spool::detail
