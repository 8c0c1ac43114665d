// SPDX-License-Identifier: Apache-2.0
// CRC-32 (IEEE 802.3): published check values, a bit-at-a-time reference, incremental updates.
#include <cstdint>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include <gw/link/crc32.h>

#include "link_test_util.h"

namespace {

using gw::link::test::bytesOf;

// The definition, one bit at a time, independent of the library's tables.
std::uint32_t referenceCrc(const std::vector<std::uint8_t>& bytes)
{
    std::uint32_t c = 0xFFFFFFFFu;
    for (const std::uint8_t b : bytes) {
        c ^= b;
        for (int k = 0; k < 8; ++k)
            c = (c & 1u) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
    }
    return ~c;
}

} // namespace

TEST_CASE("crc32 matches published check values", "[link][crc32]")
{
    struct Vector {
        std::string_view text;
        std::uint32_t crc;
    };
    // Check values of CRC-32/ISO-HDLC (the zlib / PNG / Ethernet CRC).
    const Vector vectors[] = {
        {"", 0x00000000u},
        {"a", 0xE8B7BE43u},
        {"abc", 0x352441C2u},
        {"123456789", 0xCBF43926u},
        {"The quick brown fox jumps over the lazy dog", 0x414FA339u},
    };
    for (const auto& v : vectors) {
        INFO("input \"" << v.text << "\"");
        CHECK(gw::link::crc32(bytesOf(v.text)) == v.crc);
    }
}

TEST_CASE("crc32 equals the bitwise definition for every length and alignment up to 300", "[link][crc32]")
{
    std::vector<std::uint8_t> data(320);
    std::uint32_t x = 12345;
    for (auto& b : data) {
        x = x * 1103515245u + 12345u;
        b = static_cast<std::uint8_t>(x >> 24);
    }
    for (std::size_t start = 0; start < 9; ++start) {
        for (std::size_t len = 0; len <= 300; ++len) {
            const std::vector<std::uint8_t> slice(data.begin() + static_cast<std::ptrdiff_t>(start),
                                                  data.begin() + static_cast<std::ptrdiff_t>(start + len));
            const std::span<const std::uint8_t> view(data.data() + start, len);
            INFO("start " << start << " length " << len);
            REQUIRE(gw::link::crc32(view) == referenceCrc(slice));
        }
    }
}

TEST_CASE("crc32 updates split at any point give the one-shot value", "[link][crc32]")
{
    const auto data = bytesOf("Grenswacht: Koninklijke Marechaussee, Schiphol, 2024-06-01T12:00:00Z");
    const std::uint32_t whole = gw::link::crc32(data);
    for (std::size_t a = 0; a <= data.size(); ++a) {
        for (std::size_t b = a; b <= data.size(); ++b) {
            gw::link::Crc32 c;
            const std::span<const std::uint8_t> all(data);
            c.update(all.subspan(0, a));
            c.update(all.subspan(a, b - a));
            c.update(all.subspan(b));
            INFO("splits at " << a << " and " << b);
            REQUIRE(c.value() == whole);
        }
    }
}
