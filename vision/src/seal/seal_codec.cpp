// SPDX-License-Identifier: Apache-2.0
// Seal value encodings: C40 strings (TR-03137 Annex B) and 3-byte MMDDYYYY dates.
#include <array>
#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <gw/vision/seal.h>

namespace gw::vision {
namespace {

constexpr int kC40Space = 3;
constexpr int kC40Shift1 = 0;
constexpr std::uint8_t kC40UnlatchSingle = 0xFE; // last single character follows in DataMatrix ASCII
constexpr unsigned kC40MaxPacked = 64000;

int c40Value(char c)
{
    if (c == ' ' || c == '<')
        return kC40Space;
    if (c >= '0' && c <= '9')
        return 4 + (c - '0');
    if (c >= 'A' && c <= 'Z')
        return 14 + (c - 'A');
    return -1;
}

char c40Char(int v)
{
    if (v == kC40Space)
        return '<';
    if (v >= 4 && v <= 13)
        return static_cast<char>('0' + (v - 4));
    if (v >= 14 && v <= 39)
        return static_cast<char>('A' + (v - 14));
    return '\0';
}

bool isLeapYear(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int daysInMonth(int y, int m)
{
    constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && isLeapYear(y) ? 29 : kDays[static_cast<std::size_t>(m - 1)];
}

bool validDate(const SealDate& d)
{
    return d.year >= 0 && d.year <= 9999 && d.month >= 1 && d.month <= 12 && d.day >= 1 &&
           d.day <= daysInMonth(d.year, d.month);
}

} // namespace

Result<std::vector<std::uint8_t>> c40Encode(std::string_view text)
{
    std::vector<int> values;
    values.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const int v = c40Value(text[i]);
        if (v < 0)
            return fail(Errc::InvalidArgument, "C40 cannot encode character " + std::to_string(i) + " of '" +
                                                   std::string(text) + "' (allowed: A-Z 0-9 space <)");
        values.push_back(v);
    }
    std::vector<std::uint8_t> out;
    out.reserve((values.size() + 2) / 3 * 2);
    std::size_t i = 0;
    for (; i + 3 <= values.size(); i += 3) {
        const unsigned packed = 1600u * static_cast<unsigned>(values[i]) +
                                40u * static_cast<unsigned>(values[i + 1]) +
                                static_cast<unsigned>(values[i + 2]) + 1u;
        out.push_back(static_cast<std::uint8_t>(packed / 256));
        out.push_back(static_cast<std::uint8_t>(packed % 256));
    }
    const std::size_t rest = values.size() - i;
    if (rest == 2) {
        // Two left: complete the triple with Shift 1 (value 0), which decoders drop.
        const unsigned packed = 1600u * static_cast<unsigned>(values[i]) +
                                40u * static_cast<unsigned>(values[i + 1]) + kC40Shift1 + 1u;
        out.push_back(static_cast<std::uint8_t>(packed / 256));
        out.push_back(static_cast<std::uint8_t>(packed % 256));
    } else if (rest == 1) {
        const char c = text[i] == '<' ? ' ' : text[i];
        out.push_back(kC40UnlatchSingle);
        out.push_back(static_cast<std::uint8_t>(static_cast<unsigned char>(c) + 1u));
    }
    return out;
}

Result<std::string> c40Decode(std::span<const std::uint8_t> bytes)
{
    if (bytes.size() % 2 != 0)
        return fail(Errc::InvalidInput,
                    "C40 data has an odd length (" + std::to_string(bytes.size()) + " bytes)");
    std::string out;
    out.reserve(bytes.size() / 2 * 3);
    for (std::size_t i = 0; i < bytes.size(); i += 2) {
        const bool last = i + 2 == bytes.size();
        if (bytes[i] == kC40UnlatchSingle) {
            if (!last)
                return fail(Errc::InvalidInput,
                            "C40 single-character marker 0xFE before the end of the data");
            const int ascii = static_cast<int>(bytes[i + 1]) - 1;
            const char c = static_cast<char>(ascii);
            if (c40Value(c) < 0)
                return fail(Errc::InvalidInput, "C40 final character (ASCII " + std::to_string(ascii) +
                                                    ") is not in the C40 set");
            out.push_back(c == ' ' ? '<' : c);
            break;
        }
        const unsigned packed = static_cast<unsigned>(bytes[i]) * 256u + bytes[i + 1];
        if (packed == 0 || packed > kC40MaxPacked)
            return fail(Errc::InvalidInput, "C40 pair at byte " + std::to_string(i) + " is out of range");
        const unsigned v = packed - 1;
        const std::array<int, 3> u = {static_cast<int>(v / 1600), static_cast<int>((v % 1600) / 40),
                                      static_cast<int>(v % 40)};
        std::size_t n = u.size();
        // Shift 1 completes a final pair of characters; it is padding, not content.
        while (last && n > 1 && u[n - 1] == kC40Shift1)
            --n;
        for (std::size_t k = 0; k < n; ++k) {
            const char c = c40Char(u[k]);
            if (c == '\0')
                return fail(Errc::InvalidInput, "C40 value " + std::to_string(u[k]) + " at byte " +
                                                    std::to_string(i) + " is not a character");
            out.push_back(c);
        }
    }
    return out;
}

std::string SealDate::iso() const
{
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
    return buf;
}

long long SealDate::daysSinceEpoch() const
{
    // Howard Hinnant's days_from_civil: exact for the proleptic Gregorian calendar.
    const long long y = static_cast<long long>(year) - (month <= 2 ? 1 : 0);
    const long long era = (y >= 0 ? y : y - 399) / 400;
    const long long yoe = y - era * 400;
    const long long mp = (month + 9) % 12;
    const long long doy = (153 * mp + 2) / 5 + day - 1;
    const long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

Result<std::array<std::uint8_t, 3>> encodeSealDate(const SealDate& date)
{
    if (!validDate(date))
        return fail(Errc::InvalidArgument, "not a calendar date: " + date.iso());
    const std::uint32_t v = static_cast<std::uint32_t>(date.month) * 1000000u +
                            static_cast<std::uint32_t>(date.day) * 10000u +
                            static_cast<std::uint32_t>(date.year);
    return std::array<std::uint8_t, 3>{static_cast<std::uint8_t>(v >> 16), static_cast<std::uint8_t>(v >> 8),
                                       static_cast<std::uint8_t>(v)};
}

Result<SealDate> decodeSealDate(std::span<const std::uint8_t, 3> bytes)
{
    const std::uint32_t v =
        (static_cast<std::uint32_t>(bytes[0]) << 16) | (static_cast<std::uint32_t>(bytes[1]) << 8) | bytes[2];
    SealDate d;
    d.month = static_cast<int>(v / 1000000u);
    d.day = static_cast<int>((v / 10000u) % 100u);
    d.year = static_cast<int>(v % 10000u);
    if (!validDate(d))
        return fail(
            Errc::InvalidInput, "seal date 0x" + [&] {
                char buf[8];
                std::snprintf(buf, sizeof buf, "%06X", static_cast<unsigned>(v));
                return std::string(buf);
            }() + " is not a calendar date (MMDDYYYY)");
    return d;
}

} // namespace gw::vision
