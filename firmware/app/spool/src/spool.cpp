// SPDX-License-Identifier: Apache-2.0
// The spool's index and recovery on top of the durable file primitives in spool_file.cpp.
#include <algorithm>
#include <system_error>

#include <gw/link/crc32.h>
#include <gw/spool/spool.h>

#include "spool_file.h"

namespace gw::spool {

namespace fs = std::filesystem;
using namespace detail;

Spool::Spool(fs::path directory, const SpoolOptions& options)
    : directory_(std::move(directory)), options_(options)
{
}

Result<Spool> Spool::open(const fs::path& directory, const SpoolOptions& options)
{
    if (directory.empty())
        return fail(Errc::InvalidArgument, "spool folder is empty");
    if (options.limitBytes < 1024)
        return fail(Errc::InvalidArgument,
                    "spool limit " + std::to_string(options.limitBytes) + " bytes is below 1024");
    if (options.maxEntries == 0)
        return fail(Errc::InvalidArgument, "spool maxEntries must be at least 1");
    std::error_code ec;
    fs::create_directories(directory, ec);
    if (ec)
        return fail(Errc::Io, "cannot create spool folder " + directory.string() + ": " + ec.message());
    if (!fs::is_directory(directory, ec))
        return fail(Errc::Io, "spool path " + directory.string() + " is not a folder");
    Spool spool(directory, options);
    if (auto r = spool.recover(); !r)
        return std::unexpected(r.error());
    return spool;
}

Result<void> Spool::recover()
{
    std::error_code ec;
    fs::directory_iterator it(directory_, ec);
    if (ec)
        return fail(Errc::Io, "cannot list spool folder " + directory_.string() + ": " + ec.message());
    std::vector<std::pair<std::uint64_t, fs::path>> found;
    bool cleaned = false;
    for (; it != fs::directory_iterator(); it.increment(ec)) {
        if (ec)
            return fail(Errc::Io, "cannot list spool folder " + directory_.string() + ": " + ec.message());
        const std::string name = it->path().filename().string();
        if (name.starts_with(".") && name.ends_with(kTempSuffix)) {
            // A write that crashed before its rename: the inspection was never reported as spooled, so
            // the capture was not acknowledged to the officer either; deleting it loses nothing promised.
            fs::remove(it->path(), ec);
            cleaned = true;
            continue;
        }
        if (const auto seq = parseEntryFileName(name); seq && it->is_regular_file(ec))
            found.emplace_back(*seq, it->path());
    }
    std::sort(found.begin(), found.end());

    for (const auto& [seq, file] : found) {
        nextSequence_ = std::max(nextSequence_, seq + 1);
        auto head = readFile(file, kFileHeaderBytes);
        if (!head)
            return std::unexpected(head.error());
        auto header = decodeHeader(*head);
        std::string problem;
        const std::uint64_t size = fs::file_size(file, ec);
        if (!header)
            problem = header.error().message();
        else if (ec)
            problem = "cannot stat: " + ec.message();
        else if (header->sequence != seq)
            problem = "header sequence " + std::to_string(header->sequence) + " differs from the file name";
        else if (size != kFileHeaderBytes + header->bodyBytes)
            problem = "file has " + std::to_string(size) + " bytes, header announces " +
                      std::to_string(kFileHeaderBytes + header->bodyBytes);
        else if (find(header->id))
            problem = "inspection id " + header->id.toHex() + " is spooled twice";
        entries_.push_back(SpoolEntry{seq, header ? header->id : link::InspectionId{}, size, file});
        if (!problem.empty()) {
            setAsideCorrupt(entries_.size() - 1, problem);
            continue;
        }
        usedBytes_ += size;
        largestEntryBytes_ = std::max(largestEntryBytes_, size);
    }
    if (cleaned)
        return syncDirectory(directory_);
    return {};
}

void Spool::setAsideCorrupt(std::size_t index, std::string reason)
{
    const SpoolEntry entry = entries_[index];
    entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(index));
    fs::path moved = entry.file;
    moved += ".corrupt";
    std::error_code ec;
    fs::rename(entry.file, moved, ec);
    if (ec) {
        reason += " (and it could not be renamed: " + ec.message() + ")";
        moved = entry.file;
    }
    problems_.push_back(SpoolProblem{moved, std::move(reason)});
}

std::optional<SpoolEntry> Spool::find(const link::InspectionId& id) const
{
    const auto it =
        std::find_if(entries_.begin(), entries_.end(), [&](const SpoolEntry& e) { return e.id == id; });
    if (it == entries_.end())
        return std::nullopt;
    return *it;
}

bool Spool::full() const noexcept
{
    if (entries_.size() >= options_.maxEntries)
        return true;
    const std::uint64_t need = std::max(options_.reserveBytes, largestEntryBytes_);
    return usedBytes_ + need > options_.limitBytes;
}

Result<SpoolEntry> Spool::append(const link::InspectionId& id, std::span<const std::uint8_t> body)
{
    if (id.isNil())
        return fail(Errc::InvalidArgument, "nil inspection id");
    if (body.empty())
        return fail(Errc::InvalidArgument, "empty inspection body");
    if (find(id))
        return fail(Errc::InvalidArgument, "inspection " + id.toHex() + " is already spooled");
    const std::uint64_t fileBytes = kFileHeaderBytes + body.size();
    if (entries_.size() >= options_.maxEntries)
        return fail(Errc::Io, "spool full: " + std::to_string(entries_.size()) + " inspections, limit " +
                                  std::to_string(options_.maxEntries));
    if (usedBytes_ + fileBytes > options_.limitBytes)
        return fail(Errc::Io, "spool full: " + std::to_string(usedBytes_) + " + " +
                                  std::to_string(fileBytes) + " bytes would pass the limit of " +
                                  std::to_string(options_.limitBytes));
    FileHeader header{nextSequence_, id, body.size(), link::crc32(body)};
    const auto head = encodeHeader(header);
    const std::span<const std::uint8_t> parts[] = {std::span<const std::uint8_t>(head), body};
    const fs::path file = directory_ / entryFileName(nextSequence_);
    if (auto w = writeFileDurably(file, parts); !w)
        return std::unexpected(w.error());
    SpoolEntry entry{nextSequence_, id, fileBytes, file};
    ++nextSequence_;
    entries_.push_back(entry);
    usedBytes_ += fileBytes;
    largestEntryBytes_ = std::max(largestEntryBytes_, fileBytes);
    return entry;
}

Result<std::vector<std::uint8_t>> Spool::readBody(const link::InspectionId& id)
{
    const auto it =
        std::find_if(entries_.begin(), entries_.end(), [&](const SpoolEntry& e) { return e.id == id; });
    if (it == entries_.end())
        return fail(Errc::InvalidArgument, "inspection " + id.toHex() + " is not spooled");
    const auto index = static_cast<std::size_t>(it - entries_.begin());
    auto bytes = readFile(it->file, it->fileBytes);
    if (!bytes)
        return std::unexpected(bytes.error());
    auto header = decodeHeader(*bytes);
    std::string problem;
    if (!header)
        problem = header.error().message();
    else if (header->id != id || bytes->size() != kFileHeaderBytes + header->bodyBytes)
        problem = "file changed since the spool was opened";
    else if (link::crc32(std::span(*bytes).subspan(kFileHeaderBytes)) != header->bodyCrc)
        problem = "body CRC mismatch";
    if (!problem.empty()) {
        usedBytes_ -= it->fileBytes;
        const std::string file = it->file.filename().string();
        setAsideCorrupt(index, problem);
        return fail(Errc::InvalidInput, "spool file " + file + " is corrupt: " + problem);
    }
    bytes->erase(bytes->begin(), bytes->begin() + static_cast<std::ptrdiff_t>(kFileHeaderBytes));
    return std::move(*bytes);
}

Result<void> Spool::remove(const link::InspectionId& id)
{
    const auto it =
        std::find_if(entries_.begin(), entries_.end(), [&](const SpoolEntry& e) { return e.id == id; });
    if (it == entries_.end())
        return {};
    std::error_code ec;
    fs::remove(it->file, ec);
    if (ec)
        return fail(Errc::Io, "cannot delete spool file " + it->file.string() + ": " + ec.message());
    usedBytes_ -= it->fileBytes;
    entries_.erase(it);
    // No fsync of the folder: an unlink lost in a power cut only means one more resend, which the host
    // deduplicates; skipping it keeps the ACK path cheap.
    return {};
}

Result<void> Spool::setAside(const link::InspectionId& id)
{
    const auto it =
        std::find_if(entries_.begin(), entries_.end(), [&](const SpoolEntry& e) { return e.id == id; });
    if (it == entries_.end())
        return fail(Errc::InvalidArgument, "inspection " + id.toHex() + " is not spooled");
    fs::path moved = it->file;
    moved += ".rejected";
    std::error_code ec;
    fs::rename(it->file, moved, ec);
    if (ec)
        return fail(Errc::Io, "cannot set aside " + it->file.string() + ": " + ec.message());
    usedBytes_ -= it->fileBytes;
    entries_.erase(it);
    return syncDirectory(directory_);
}

} // namespace gw::spool
