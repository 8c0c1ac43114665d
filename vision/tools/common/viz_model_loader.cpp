// SPDX-License-Identifier: Apache-2.0
// Reads a .traineddata file and hands its bytes to VizTextReader::create.
#include "viz_model_loader.h"

#include <cstdint>
#include <fstream>
#include <string>
#include <system_error>
#include <vector>

namespace gw::tools {

Result<std::shared_ptr<vision::VizTextReader>> loadVizReader(const std::filesystem::path& path)
{
    constexpr std::uintmax_t kMaxModelBytes = std::uintmax_t(256) << 20;
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) {
        std::string msg = "cannot read the VIZ text model " + path.string() + ": " + ec.message();
        if (path == std::filesystem::path(kDefaultVizModel))
            msg += " (install the Debian package tesseract-ocr-eng, or pass --viz-model FILE or none)";
        return fail(Errc::Io, msg);
    }
    if (size == 0 || size > kMaxModelBytes)
        return fail(Errc::InvalidInput,
                    "the VIZ text model " + path.string() + " is empty or larger than 256 MiB");
    std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size));
    std::ifstream in(path, std::ios::binary);
    if (!in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size())))
        return fail(Errc::Io, "cannot read the VIZ text model " + path.string());
    auto reader = vision::VizTextReader::create(bytes, path.stem().string());
    if (!reader)
        return fail(reader.error().code(), path.string() + ": " + reader.error().message());
    return reader;
}

} // namespace gw::tools
