// SPDX-License-Identifier: Apache-2.0
// Durable, ordered spool of inspections awaiting the host's ACK: one fsync'ed file per inspection.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <gw/common/result.h>
#include <gw/link/messages.h>

namespace gw::spool {

/// @brief Capacity of a spool.
struct SpoolOptions {
    /// [bytes] most the spool's files may occupy together, >= 1 KiB (default 512 MiB).
    std::uint64_t limitBytes = 512ull * 1024 * 1024;
    /// most inspections held at once, >= 1 (default 10000)
    std::uint32_t maxEntries = 10000;
    /// [bytes] room that must be left before a new capture is started (full() turns true below it);
    /// the spool also uses its largest entry so far when that is bigger. Default 8 MiB.
    std::uint64_t reserveBytes = 8ull * 1024 * 1024;
};

/// @brief One spooled inspection.
struct SpoolEntry {
    std::uint64_t sequence = 0;  ///< spool order, strictly increasing, starts at 1 in an empty spool
    link::InspectionId id;       ///< the inspection's id (the host deduplicates by it)
    std::uint64_t fileBytes = 0; ///< [bytes] the file's size (header + body)
    std::filesystem::path file;
};

/// @brief A file found in the spool folder that could not be used; it was renamed to *.corrupt.
struct SpoolProblem {
    std::filesystem::path file; ///< the new name
    std::string reason;
};

/// @brief The spool: a folder of files "<20-digit sequence>.insp", each a 48-byte header (magic "GWSP",
/// version, sequence, inspection id, body length, body CRC-32, header CRC-32) followed by the body, the
/// encoded link::Inspection (link::encodeBody). Writes go to a hidden temporary file that is fsync'ed,
/// renamed into place, and the folder fsync'ed, so after a crash a file is either complete or absent.
///
/// Layout details and recovery: docs/firmware.md. Not thread-safe; one process per folder.
class Spool {
public:
    /// @brief Opens (creating if needed) the spool in @p directory and recovers it: temporary files of an
    /// interrupted write are deleted, files with a bad header or size are renamed to *.corrupt and listed
    /// in problems(), the rest are indexed by sequence.
    /// @return the spool; Errc::Io when the folder cannot be created or listed; Errc::InvalidArgument for
    ///         out-of-range options
    [[nodiscard]] static Result<Spool> open(const std::filesystem::path& directory,
                                            const SpoolOptions& options = {});

    /// @brief The entries, oldest first.
    [[nodiscard]] const std::vector<SpoolEntry>& entries() const noexcept { return entries_; }
    /// @brief Files set aside since open() (corrupt at recovery or when read).
    [[nodiscard]] const std::vector<SpoolProblem>& problems() const noexcept { return problems_; }
    [[nodiscard]] std::optional<SpoolEntry> find(const link::InspectionId& id) const;

    [[nodiscard]] std::size_t count() const noexcept { return entries_.size(); }
    [[nodiscard]] std::uint64_t usedBytes() const noexcept { return usedBytes_; }
    [[nodiscard]] std::uint64_t limitBytes() const noexcept { return options_.limitBytes; }
    [[nodiscard]] const std::filesystem::path& directory() const noexcept { return directory_; }

    /// @brief True when a new capture must not start: maxEntries reached, or less room left than
    /// max(reserveBytes, largest entry seen). The firmware raises the spool-full alarm then.
    [[nodiscard]] bool full() const noexcept;

    /// @brief Writes one inspection durably (temp file, fsync, rename, fsync of the folder).
    /// @param id the inspection id, not nil and not already spooled
    /// @param body the encoded link::Inspection body, non-empty
    /// @return the new entry; Errc::Io with "spool full" when it would pass limitBytes or maxEntries
    ///         (nothing is written or dropped), Errc::Io for a failed write (the temp file is removed),
    ///         Errc::InvalidArgument for a nil or duplicate id or an empty body
    [[nodiscard]] Result<SpoolEntry> append(const link::InspectionId& id, std::span<const std::uint8_t> body);

    /// @brief The body of @p id, its CRC verified.
    /// @return Errc::InvalidArgument when @p id is not spooled; Errc::InvalidInput when the file is
    ///         corrupt (it is then set aside as *.corrupt, dropped from the index and listed in problems());
    ///         Errc::Io when it cannot be read
    [[nodiscard]] Result<std::vector<std::uint8_t>> readBody(const link::InspectionId& id);

    /// @brief Deletes @p id after the host acknowledged it (unknown ids are not an error: a late ACK).
    /// @return Errc::Io when the file cannot be deleted (it stays indexed and is resent later)
    Result<void> remove(const link::InspectionId& id);

    /// @brief Takes @p id out of the queue but keeps the file as "<name>.rejected" for the lab (the host
    /// refused it; resending it unchanged would be refused again).
    Result<void> setAside(const link::InspectionId& id);

private:
    Spool(std::filesystem::path directory, const SpoolOptions& options);
    Result<void> recover();
    void setAsideCorrupt(std::size_t index, std::string reason);

    std::filesystem::path directory_;
    SpoolOptions options_;
    std::vector<SpoolEntry> entries_;
    std::vector<SpoolProblem> problems_;
    std::uint64_t usedBytes_ = 0;
    std::uint64_t largestEntryBytes_ = 0;
    std::uint64_t nextSequence_ = 1;
};

} // namespace gw::spool
