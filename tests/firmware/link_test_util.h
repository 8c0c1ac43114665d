// SPDX-License-Identifier: Apache-2.0
// Helpers shared by the link tests: sample messages and frame surgery done from docs/protocol.md.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include <gw/link/crc32.h>
#include <gw/link/frame.h>
#include <gw/link/messages.h>

namespace gw::link::test {

inline std::vector<std::uint8_t> bytesOf(std::string_view s)
{
    return std::vector<std::uint8_t>(s.begin(), s.end());
}

/// A byte pattern that passes the codec's PNG/JPEG signature check (the codec never decodes images).
inline std::vector<std::uint8_t> fakeImage(ImageEncoding encoding, std::size_t size, std::uint8_t seed)
{
    std::vector<std::uint8_t> b(size);
    for (std::size_t i = 0; i < size; ++i)
        b[i] = static_cast<std::uint8_t>(seed + i * 131u);
    const std::vector<std::uint8_t> sig =
        encoding == ImageEncoding::Png
            ? std::vector<std::uint8_t>{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}
            : std::vector<std::uint8_t>{0xFF, 0xD8, 0xFF};
    for (std::size_t i = 0; i < sig.size() && i < size; ++i)
        b[i] = sig[i];
    return b;
}

inline InspectionId sampleId()
{
    return InspectionId::fromHex("0123456789abcdeffedcba9876543210").value();
}

inline Hello sampleHello()
{
    return Hello{
        kVersionMajor, kVersionMinor,
        "GW-EMU-0001", "0.1.0+g1a2b3c4",
        "emulator",    kCapLightWhite | kCapLightIr | kCapLightUv | kCapImagePng | kCapImageJpeg | kCapSpool};
}

inline Inspection sampleInspection()
{
    Inspection m;
    m.id = sampleId();
    m.captureTimeMs = 1'717'171'717'123ull;
    m.reportJson =
        R"({"verdict":"amber","reasons":[{"en":"expired","nl":"verlopen"}],"name":"MÜLLER ÆØÅ 日本"})";
    m.images.push_back({Light::White, ImageEncoding::Jpeg, fakeImage(ImageEncoding::Jpeg, 300, 1)});
    m.images.push_back({Light::Infrared, ImageEncoding::Png, fakeImage(ImageEncoding::Png, 200, 2)});
    m.images.push_back({Light::Ultraviolet, ImageEncoding::Png, fakeImage(ImageEncoding::Png, 9, 3)});
    return m;
}

inline Ack sampleAck()
{
    return Ack{42, sampleId(), AckStatus::Rejected, "report_json: verdict missing"};
}

inline Heartbeat sampleHeartbeat()
{
    return Heartbeat{1'717'171'800'000ull};
}

inline Status sampleStatus()
{
    Status s;
    s.uptimeMs = 86'400'000ull * 3;
    s.spoolCount = 7;
    s.spoolBytes = 7ull * 5'000'000;
    s.spoolLimitBytes = 2ull << 30;
    s.freeStorageBytes = 13ull << 30;
    s.faults = kFaultLightUv;
    s.temperatureCentiC = static_cast<std::int16_t>(-1250);
    s.health = {{"light.uv", HealthLevel::Fault, "LED current 0 mA"},
                {"camera.exposure", HealthLevel::Warning, ""},
                {"spool", HealthLevel::Ok, "7 waiting"}};
    return s;
}

inline std::uint32_t loadBe32(const std::vector<std::uint8_t>& f, std::size_t at)
{
    return std::uint32_t{f[at]} << 24 | std::uint32_t{f[at + 1]} << 16 | std::uint32_t{f[at + 2]} << 8 |
           f[at + 3];
}

inline void storeBe32(std::vector<std::uint8_t>& f, std::size_t at, std::uint32_t v)
{
    f[at] = static_cast<std::uint8_t>(v >> 24);
    f[at + 1] = static_cast<std::uint8_t>(v >> 16);
    f[at + 2] = static_cast<std::uint8_t>(v >> 8);
    f[at + 3] = static_cast<std::uint8_t>(v);
}

/// Recomputes both CRCs after a test edited header fields or the payload: header CRC over bytes 0..15 at
/// 16..19, trailer CRC over everything before the last four bytes (docs/protocol.md).
inline void reseal(std::vector<std::uint8_t>& f)
{
    storeBe32(f, 16, crc32(std::span<const std::uint8_t>(f.data(), 16)));
    storeBe32(f, f.size() - 4, crc32(std::span<const std::uint8_t>(f.data(), f.size() - 4)));
}

/// A frame built by hand from the layout: header fields as given, any payload, both CRCs correct.
inline std::vector<std::uint8_t> handFrame(std::uint8_t major, std::uint8_t minor, std::uint8_t type,
                                           std::uint8_t flags, std::uint32_t sequence,
                                           const std::vector<std::uint8_t>& payload)
{
    std::vector<std::uint8_t> f = {'G', 'W', 'L', 'K', major, minor, type, flags};
    f.resize(20);
    storeBe32(f, 8, sequence);
    storeBe32(f, 12, static_cast<std::uint32_t>(payload.size()));
    f.insert(f.end(), payload.begin(), payload.end());
    f.resize(f.size() + 4);
    reseal(f);
    return f;
}

} // namespace gw::link::test
