// SPDX-License-Identifier: Apache-2.0
// Internal: big-endian field writer and bounds-checked reader for frame headers and message bodies.
#include "wire.h"

namespace gw::link::detail {

void storeU32(std::uint8_t* out, std::uint32_t v) noexcept
{
    out[0] = static_cast<std::uint8_t>(v >> 24);
    out[1] = static_cast<std::uint8_t>(v >> 16);
    out[2] = static_cast<std::uint8_t>(v >> 8);
    out[3] = static_cast<std::uint8_t>(v);
}

std::uint32_t loadU32(const std::uint8_t* in) noexcept
{
    return std::uint32_t{in[0]} << 24 | std::uint32_t{in[1]} << 16 | std::uint32_t{in[2]} << 8 |
           std::uint32_t{in[3]};
}

std::string hex(std::uint32_t v, int digits)
{
    constexpr char kDigits[] = "0123456789ABCDEF";
    std::string out = "0x";
    for (int i = digits - 1; i >= 0; --i)
        out.push_back(kDigits[(v >> (4 * i)) & 0xFu]);
    return out;
}

bool isValidUtf8(std::span<const std::uint8_t> bytes) noexcept
{
    std::size_t i = 0;
    const std::size_t n = bytes.size();
    while (i < n) {
        const std::uint8_t b = bytes[i];
        if (b < 0x80) {
            ++i;
            continue;
        }
        std::size_t len = 0;
        std::uint32_t cp = 0;
        std::uint32_t minCp = 0;
        if ((b & 0xE0u) == 0xC0u) {
            len = 2;
            cp = b & 0x1Fu;
            minCp = 0x80;
        } else if ((b & 0xF0u) == 0xE0u) {
            len = 3;
            cp = b & 0x0Fu;
            minCp = 0x800;
        } else if ((b & 0xF8u) == 0xF0u) {
            len = 4;
            cp = b & 0x07u;
            minCp = 0x10000;
        } else {
            return false; // continuation byte without a lead, or 0xF8..0xFF
        }
        if (n - i < len)
            return false;
        for (std::size_t k = 1; k < len; ++k) {
            const std::uint8_t c = bytes[i + k];
            if ((c & 0xC0u) != 0x80u)
                return false;
            cp = (cp << 6) | (c & 0x3Fu);
        }
        // Overlong forms and surrogates are how "valid-looking" UTF-8 smuggles characters past filters on
        // the host's web page and database; refuse them here, once, for every text field.
        if (cp < minCp || cp > 0x10FFFFu || (cp >= 0xD800u && cp <= 0xDFFFu))
            return false;
        i += len;
    }
    return true;
}

bool isToken(std::string_view s) noexcept
{
    if (s.empty())
        return false;
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x21 || u > 0x7E)
            return false;
    }
    return true;
}

void Writer::u16(std::uint16_t v)
{
    out_.push_back(static_cast<std::uint8_t>(v >> 8));
    out_.push_back(static_cast<std::uint8_t>(v));
}

void Writer::u32(std::uint32_t v)
{
    std::uint8_t b[4];
    storeU32(b, v);
    out_.insert(out_.end(), b, b + 4);
}

void Writer::u64(std::uint64_t v)
{
    u32(static_cast<std::uint32_t>(v >> 32));
    u32(static_cast<std::uint32_t>(v));
}

void Writer::text(std::string_view s)
{
    const auto* p = reinterpret_cast<const std::uint8_t*>(s.data());
    out_.insert(out_.end(), p, p + s.size());
}

void Reader::failAt(Errc code, std::string_view field, std::size_t offset, std::string_view what)
{
    if (error_)
        return;
    error_.emplace(code, std::string(message_) + " body, field '" + std::string(field) + "' at offset " +
                             std::to_string(offset) + ": " + std::string(what));
}

std::span<const std::uint8_t> Reader::bytes(std::size_t n, std::string_view field)
{
    if (error_)
        return {};
    if (n > remaining()) {
        fail(Errc::InvalidInput, field,
             "truncated: needs " + std::to_string(n) + " bytes, " + std::to_string(remaining()) +
                 " left in the body");
        return {};
    }
    const auto out = in_.subspan(pos_, n);
    pos_ += n;
    return out;
}

std::string Reader::text(std::size_t n, std::string_view field)
{
    const auto b = bytes(n, field);
    return std::string(b.begin(), b.end());
}

std::uint8_t Reader::u8(std::string_view field)
{
    const auto b = bytes(1, field);
    return b.empty() ? 0 : b[0];
}

std::uint16_t Reader::u16(std::string_view field)
{
    const auto b = bytes(2, field);
    return b.empty() ? 0 : static_cast<std::uint16_t>(b[0] << 8 | b[1]);
}

std::uint32_t Reader::u32(std::string_view field)
{
    const auto b = bytes(4, field);
    return b.empty() ? 0 : loadU32(b.data());
}

std::uint64_t Reader::u64(std::string_view field)
{
    const auto b = bytes(8, field);
    return b.empty() ? 0 : (std::uint64_t{loadU32(b.data())} << 32 | loadU32(b.data() + 4));
}

} // namespace gw::link::detail
