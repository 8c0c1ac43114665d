// SPDX-License-Identifier: Apache-2.0
#include "thresholds_loader.h"

#include <fstream>
#include <string>
#include <system_error>

namespace gw::tools {

Result<vision::Thresholds> loadThresholds(const std::filesystem::path& path)
{
    constexpr std::uintmax_t kMaxBytes = 1 << 20; // a table of numbers; anything bigger is not one
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec)
        return fail(Errc::Io, "thresholds file " + path.string() + ": " + ec.message());
    if (size > kMaxBytes)
        return fail(Errc::InvalidInput, "thresholds file " + path.string() + " is larger than 1 MiB");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return fail(Errc::Io, "thresholds file " + path.string() + " cannot be read");
    std::string text(static_cast<std::size_t>(size), '\0');
    if (!in.read(text.data(), static_cast<std::streamsize>(text.size())))
        return fail(Errc::Io, "thresholds file " + path.string() + " cannot be read");
    auto table = vision::Thresholds::fromJson(text);
    if (!table)
        return fail(table.error().code(), path.string() + ": " + table.error().message());
    return table;
}

} // namespace gw::tools
