// SPDX-License-Identifier: Apache-2.0
// Trust store folder loader for the tools: lists, reads and hands certificate bytes to gw::vision.
#include "trust_store_loader.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <system_error>

namespace gw::tools {
namespace {

constexpr std::uintmax_t kMaxCertificateFileBytes = 1 << 20;
constexpr std::size_t kMaxCertificateFiles = 10000;

bool isCertificateFile(const std::filesystem::path& p)
{
    std::string ext = p.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return ext == ".pem" || ext == ".crt" || ext == ".cer" || ext == ".der";
}

} // namespace

Result<std::vector<vision::CertificateBlob>> loadCertificateFolder(const std::filesystem::path& dir)
{
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec))
        return fail(Errc::Io, "trust store folder " + dir.string() + " does not exist or is not a folder");
    std::vector<std::filesystem::path> files;
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        if (!it->is_regular_file(ec) || !isCertificateFile(it->path()))
            continue;
        if (files.size() >= kMaxCertificateFiles)
            return fail(Errc::InvalidInput,
                        "trust store folder " + dir.string() + " holds more than 10000 certificates");
        files.push_back(it->path());
    }
    if (ec)
        return fail(Errc::Io, "cannot list trust store folder " + dir.string() + ": " + ec.message());
    std::sort(files.begin(), files.end());

    std::vector<vision::CertificateBlob> blobs;
    for (const auto& f : files) {
        const auto size = std::filesystem::file_size(f, ec);
        if (ec)
            return fail(Errc::Io, "cannot read " + f.string() + ": " + ec.message());
        if (size > kMaxCertificateFileBytes)
            return fail(Errc::InvalidInput, f.string() + " is larger than 1 MiB: not a certificate");
        std::ifstream in(f, std::ios::binary);
        if (!in)
            return fail(Errc::Io, "cannot open " + f.string());
        vision::CertificateBlob blob;
        blob.bytes.resize(static_cast<std::size_t>(size));
        if (!in.read(reinterpret_cast<char*>(blob.bytes.data()), static_cast<std::streamsize>(size)))
            return fail(Errc::Io, "cannot read " + f.string());
        blob.origin = f.filename().string();
        blobs.push_back(std::move(blob));
    }
    return blobs;
}

Result<vision::TrustStore> loadTrustStore(const std::filesystem::path& dir)
{
    auto blobs = loadCertificateFolder(dir);
    if (!blobs)
        return std::unexpected(blobs.error());
    return vision::TrustStore::fromCertificates(*blobs);
}

std::optional<std::filesystem::path> resolveTrustStoreDir(const std::optional<std::string>& option,
                                                          const std::optional<std::string>& configured)
{
    if (option && !option->empty())
        return std::filesystem::path(*option);
    if (const char* env = std::getenv(kTrustStoreEnv); env && *env)
        return std::filesystem::path(env);
    if (configured && !configured->empty())
        return std::filesystem::path(*configured);
    return std::nullopt;
}

} // namespace gw::tools
