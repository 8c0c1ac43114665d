// SPDX-License-Identifier: Apache-2.0
// Spool file header codec and durable POSIX writes (temp file, fsync, rename, fsync of the folder).
#include "spool_file.h"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include <sys/stat.h>

#include <gw/link/crc32.h>

namespace gw::spool::detail {
namespace {

// Owns a POSIX file descriptor.
class Fd {
public:
    explicit Fd(int fd) noexcept : fd_(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd()
    {
        if (fd_ >= 0)
            ::close(fd_);
    }
    [[nodiscard]] int get() const noexcept { return fd_; }
    [[nodiscard]] bool valid() const noexcept { return fd_ >= 0; }
    // close() reports the deferred write errors of some file systems (NFS); the descriptor is gone after.
    int close() noexcept
    {
        const int r = ::close(fd_);
        fd_ = -1;
        return r;
    }

private:
    int fd_;
};

std::string errnoText(std::string_view what, const std::filesystem::path& p, int err)
{
    return std::string(what) + " " + p.string() + ": " + std::strerror(err);
}

void putU32(std::uint8_t* p, std::uint32_t v) noexcept
{
    for (int i = 0; i < 4; ++i)
        p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}
void putU64(std::uint8_t* p, std::uint64_t v) noexcept
{
    for (int i = 0; i < 8; ++i)
        p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}
std::uint32_t getU32(const std::uint8_t* p) noexcept
{
    std::uint32_t v = 0;
    for (int i = 3; i >= 0; --i)
        v = (v << 8) | p[i];
    return v;
}
std::uint64_t getU64(const std::uint8_t* p) noexcept
{
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i)
        v = (v << 8) | p[i];
    return v;
}

} // namespace

std::array<std::uint8_t, kFileHeaderBytes> encodeHeader(const FileHeader& header)
{
    std::array<std::uint8_t, kFileHeaderBytes> b{};
    std::memcpy(b.data(), kFileMagic.data(), kFileMagic.size());
    b[4] = kFileVersion;
    putU64(b.data() + 8, header.sequence);
    std::memcpy(b.data() + 16, header.id.bytes.data(), header.id.bytes.size());
    putU64(b.data() + 32, header.bodyBytes);
    putU32(b.data() + 40, header.bodyCrc);
    putU32(b.data() + 44, link::crc32(std::span(b.data(), 44)));
    return b;
}

Result<FileHeader> decodeHeader(std::span<const std::uint8_t> bytes)
{
    if (bytes.size() < kFileHeaderBytes)
        return fail(Errc::InvalidInput, "truncated header: " + std::to_string(bytes.size()) + " of " +
                                            std::to_string(kFileHeaderBytes) + " bytes");
    if (std::memcmp(bytes.data(), kFileMagic.data(), kFileMagic.size()) != 0)
        return fail(Errc::InvalidInput, "bad magic (not a spool file)");
    if (bytes[4] != kFileVersion)
        return fail(Errc::InvalidInput, "unknown spool file version " + std::to_string(bytes[4]));
    if (getU32(bytes.data() + 44) != link::crc32(bytes.first(44)))
        return fail(Errc::InvalidInput, "header CRC mismatch");
    FileHeader h;
    h.sequence = getU64(bytes.data() + 8);
    std::memcpy(h.id.bytes.data(), bytes.data() + 16, h.id.bytes.size());
    h.bodyBytes = getU64(bytes.data() + 32);
    h.bodyCrc = getU32(bytes.data() + 40);
    if (h.id.isNil())
        return fail(Errc::InvalidInput, "nil inspection id");
    return h;
}

std::string entryFileName(std::uint64_t sequence)
{
    std::string digits = std::to_string(sequence);
    return std::string(kSequenceDigits - digits.size(), '0') + digits + std::string(kEntrySuffix);
}

std::optional<std::uint64_t> parseEntryFileName(std::string_view name)
{
    if (name.size() != kSequenceDigits + kEntrySuffix.size() || !name.ends_with(kEntrySuffix))
        return std::nullopt;
    std::uint64_t v = 0;
    const char* end = name.data() + kSequenceDigits;
    const auto [ptr, ec] = std::from_chars(name.data(), end, v);
    if (ec != std::errc() || ptr != end || v == 0)
        return std::nullopt;
    return v;
}

Result<void> syncDirectory(const std::filesystem::path& directory)
{
    Fd fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd.valid())
        return fail(Errc::Io, errnoText("cannot open folder", directory, errno));
    if (::fsync(fd.get()) != 0)
        return fail(Errc::Io, errnoText("cannot fsync folder", directory, errno));
    return {};
}

Result<void> writeFileDurably(const std::filesystem::path& target,
                              std::span<const std::span<const std::uint8_t>> parts)
{
    const std::filesystem::path temp =
        target.parent_path() / ("." + target.filename().string() + std::string(kTempSuffix));
    Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!fd.valid())
        return fail(Errc::Io, errnoText("cannot create", temp, errno));
    auto abandon = [&](std::string what) -> Result<void> {
        const int err = errno;
        fd.close();
        ::unlink(temp.c_str());
        return fail(Errc::Io, errnoText(what, temp, err));
    };
    for (const auto part : parts) {
        std::size_t done = 0;
        while (done < part.size()) {
            const ssize_t n = ::write(fd.get(), part.data() + done, part.size() - done);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return abandon("cannot write");
            done += static_cast<std::size_t>(n);
        }
    }
    if (::fsync(fd.get()) != 0)
        return abandon("cannot fsync");
    if (fd.close() != 0) {
        const int err = errno;
        ::unlink(temp.c_str());
        return fail(Errc::Io, errnoText("cannot close", temp, err));
    }
    if (::rename(temp.c_str(), target.c_str()) != 0) {
        const int err = errno;
        ::unlink(temp.c_str());
        return fail(Errc::Io, errnoText("cannot rename into", target, err));
    }
    return syncDirectory(target.parent_path());
}

Result<std::vector<std::uint8_t>> readFile(const std::filesystem::path& file, std::uint64_t maxBytes)
{
    Fd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid())
        return fail(Errc::Io, errnoText("cannot open", file, errno));
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0)
        return fail(Errc::Io, errnoText("cannot stat", file, errno));
    const auto size = static_cast<std::uint64_t>(st.st_size);
    std::vector<std::uint8_t> bytes(static_cast<std::size_t>(std::min(size, maxBytes)));
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::read(fd.get(), bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return fail(Errc::Io, errnoText("cannot read", file, errno));
        if (n == 0)
            break;
        done += static_cast<std::size_t>(n);
    }
    bytes.resize(done);
    return bytes;
}

} // namespace gw::spool::detail
