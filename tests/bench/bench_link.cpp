// SPDX-License-Identifier: Apache-2.0
// Throughput of the wire codec: CRC-32, encoding and stream-decoding a large INSPECTION.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include <gw/link/crc32.h>
#include <gw/link/frame.h>
#include <gw/link/messages.h>

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

std::vector<std::uint8_t> image(std::size_t bytes, bool png)
{
    std::vector<std::uint8_t> b(bytes);
    for (std::size_t i = 0; i < bytes; ++i)
        b[i] = static_cast<std::uint8_t>(i * 2654435761u >> 13);
    const std::uint8_t pngSig[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    const std::uint8_t jpegSig[] = {0xFF, 0xD8, 0xFF};
    if (png)
        std::copy(std::begin(pngSig), std::end(pngSig), b.begin());
    else
        std::copy(std::begin(jpegSig), std::end(jpegSig), b.begin());
    return b;
}

} // namespace

int main()
{
    using namespace gw::link;
    constexpr double kMiB = 1024.0 * 1024.0;
    constexpr int kRounds = 5;

    const auto data = image(64u * 1024u * 1024u, true);
    auto t0 = Clock::now();
    std::uint32_t sink = 0;
    for (int i = 0; i < kRounds; ++i)
        sink ^= crc32(data);
    const double crcS = secondsSince(t0) / kRounds;
    std::printf("crc32: %.0f MiB/s (64 MiB in %.1f ms) [%08X]\n", 64.0 / crcS, crcS * 1e3, sink);

    // A realistic worst case: three 10 MB PNG frames plus a 40 kB report.
    Inspection m;
    m.id = InspectionId::fromHex("0123456789abcdef0123456789abcdef").value();
    m.captureTimeMs = 1'717'171'717'000ull;
    m.reportJson = "{\"verdict\":\"green\",\"pad\":\"" + std::string(40'000, 'x') + "\"}";
    m.images = {{Light::White, ImageEncoding::Png, image(10'000'000, true)},
                {Light::Infrared, ImageEncoding::Png, image(10'000'000, true)},
                {Light::Ultraviolet, ImageEncoding::Jpeg, image(10'000'000, false)}};

    t0 = Clock::now();
    std::vector<std::uint8_t> frame;
    for (int i = 0; i < kRounds; ++i)
        frame = encodeMessage(m, static_cast<std::uint32_t>(i)).value();
    const double encS = secondsSince(t0) / kRounds;
    const double frameMiB = static_cast<double>(frame.size()) / kMiB;
    std::printf("encode INSPECTION (%.1f MiB frame): %.1f ms, %.0f MiB/s\n", frameMiB, encS * 1e3,
                frameMiB / encS);

    t0 = Clock::now();
    constexpr std::size_t kChunkBytes = 16 * 1024; // a typical TLS record
    for (int i = 0; i < kRounds; ++i) {
        Decoder d;
        for (std::size_t at = 0; at < frame.size(); at += kChunkBytes) {
            const std::size_t n = std::min(kChunkBytes, frame.size() - at);
            if (!d.feed(std::span<const std::uint8_t>(frame.data() + at, n)))
                return 1;
        }
        const auto f = d.nextFrame();
        if (!f || !decodeMessage(*f))
            return 1;
    }
    const double decS = secondsSince(t0) / kRounds;
    std::printf("stream-decode + decodeMessage in 16 KiB chunks: %.1f ms, %.0f MiB/s\n", decS * 1e3,
                frameMiB / decS);
    return 0;
}
