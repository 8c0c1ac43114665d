// SPDX-License-Identifier: Apache-2.0
// libFuzzer entry for the ICAO 9303 parser: any bytes as MRZ text, with and without OCR runner-ups.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <gw/vision/mrz.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto plain = gw::vision::parseMrzText(text);
    if (plain) {
        // Re-parse with the read itself as the runner-up source to drive the candidate search.
        std::vector<std::string> alternates;
        for (const auto& line : plain->lines) {
            std::string alt = line;
            for (auto& c : alt)
                c = static_cast<char>(c ^ 0x01);
            alternates.push_back(std::move(alt));
        }
        gw::vision::MrzParseOptions options;
        options.alternates = alternates;
        (void)gw::vision::parseMrz(plain->lines, options);
    }
    return 0;
}
