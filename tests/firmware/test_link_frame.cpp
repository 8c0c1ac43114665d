// SPDX-License-Identifier: Apache-2.0
// Framing: byte layout, streaming at every split point, truncation, bit flips, limits, versions, garbage.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <gw/link/frame.h>
#include <gw/link/messages.h>

#include "link_test_util.h"

namespace {

using namespace gw::link;
using namespace gw::link::test;

struct Outcome {
    std::vector<Frame> frames;
    std::optional<gw::Error> error; ///< from feed(), or from finish() when @p finish was asked
};

/// Feeds @p bytes in pieces: first @p split bytes, then the rest; optionally declares end of stream.
Outcome decodeSplit(const std::vector<std::uint8_t>& bytes, std::size_t split, bool finish = true)
{
    Decoder d;
    Outcome out;
    const std::span<const std::uint8_t> all(bytes);
    for (const auto part : {all.first(split), all.subspan(split)}) {
        if (auto r = d.feed(part); !r) {
            out.error = r.error();
            break;
        }
    }
    if (!out.error && finish)
        if (auto r = d.finish(); !r)
            out.error = r.error();
    while (auto f = d.nextFrame())
        out.frames.push_back(std::move(*f));
    return out;
}

Outcome decodeWhole(const std::vector<std::uint8_t>& bytes, bool finish = true)
{
    return decodeSplit(bytes, bytes.size(), finish);
}

std::vector<std::uint8_t> sampleFrame(std::uint32_t sequence = 7)
{
    return encodeMessage(sampleInspection(), sequence).value();
}

bool contains(const std::string& haystack, std::string_view needle)
{
    return haystack.find(needle) != std::string::npos;
}

} // namespace

TEST_CASE("frame layout is the documented one, byte by byte", "[link][frame]")
{
    const std::vector<std::uint8_t> payload = {0xDE, 0xAD, 0xBE, 0xEF, 0x00};
    const auto f = encodeFrame(MessageType::Status, 0x01020304u, payload, kFlagResend).value();
    REQUIRE(f.size() == 20 + payload.size() + 4);
    // magic "GWLK", version 1.0, type 5, flags 0x01, sequence and length big-endian
    const std::vector<std::uint8_t> fixed = {'G', 'W', 'L', 'K', 1, 0, 5, 1, 1, 2, 3, 4, 0, 0, 0, 5};
    CHECK(std::vector<std::uint8_t>(f.begin(), f.begin() + 16) == fixed);
    CHECK(loadBe32(f, 16) == crc32(std::span<const std::uint8_t>(f.data(), 16)));
    CHECK(std::vector<std::uint8_t>(f.begin() + 20, f.end() - 4) == payload);
    CHECK(loadBe32(f, f.size() - 4) == crc32(std::span<const std::uint8_t>(f.data(), f.size() - 4)));
    // A frame built by hand from the same description is identical.
    CHECK(f == handFrame(1, 0, 5, 1, 0x01020304u, payload));
}

TEST_CASE("encodeFrame refuses what a receiver would refuse", "[link][frame]")
{
    const std::vector<std::uint8_t> payload(2000, 0x55);
    CHECK(encodeFrame(MessageType::Hello, 1, payload, 0, 1999).error().code() == gw::Errc::InvalidArgument);
    CHECK(encodeFrame(MessageType::Hello, 1, payload, 0, 2000).has_value());
    CHECK(encodeFrame(static_cast<MessageType>(0), 1, payload).error().code() == gw::Errc::InvalidArgument);
    CHECK(encodeFrame(static_cast<MessageType>(9), 1, payload).error().code() == gw::Errc::InvalidArgument);
    CHECK(encodeFrame(MessageType::Hello, 1, payload, 0x80).error().code() == gw::Errc::InvalidArgument);
}

TEST_CASE("a frame decodes identically at every split point", "[link][frame][stream]")
{
    const auto bytes = sampleFrame(99);
    for (std::size_t split = 0; split <= bytes.size(); ++split) {
        INFO("split at " << split);
        const auto out = decodeSplit(bytes, split);
        REQUIRE_FALSE(out.error);
        REQUIRE(out.frames.size() == 1);
        CHECK(out.frames[0].sequence == 99);
        CHECK(out.frames[0].type == MessageType::Inspection);
        CHECK(out.frames[0].payload == std::vector<std::uint8_t>(bytes.begin() + 20, bytes.end() - 4));
    }
}

TEST_CASE("several frames fed one byte at a time keep order, types and sequence numbers",
          "[link][frame][stream]")
{
    const std::vector<Message> messages = {sampleHello(), sampleInspection(), sampleAck(), sampleHeartbeat(),
                                           sampleStatus()};
    const std::vector<std::uint32_t> sequences = {0, 1, 0x7FFFFFFFu, 0xFFFFFFFEu, 0xFFFFFFFFu};
    std::vector<std::uint8_t> stream;
    for (std::size_t i = 0; i < messages.size(); ++i) {
        const auto f = encodeMessage(messages[i], sequences[i]).value();
        stream.insert(stream.end(), f.begin(), f.end());
    }
    Decoder d;
    std::vector<Frame> frames;
    for (const std::uint8_t b : stream) {
        REQUIRE(d.feed(std::span<const std::uint8_t>(&b, 1)));
        while (auto f = d.nextFrame())
            frames.push_back(std::move(*f));
    }
    REQUIRE(d.finish());
    CHECK(d.bytesConsumed() == stream.size());
    REQUIRE(frames.size() == messages.size());
    for (std::size_t i = 0; i < frames.size(); ++i) {
        CHECK(frames[i].sequence == sequences[i]);
        CHECK(frames[i].type == messageType(messages[i]));
        CHECK(decodeMessage(frames[i]).value() == messages[i]);
    }

    // The whole stream in one chunk gives the same frames.
    const auto whole = decodeWhole(stream);
    REQUIRE_FALSE(whole.error);
    REQUIRE(whole.frames.size() == frames.size());
    for (std::size_t i = 0; i < frames.size(); ++i)
        CHECK(whole.frames[i].payload == frames[i].payload);
}

TEST_CASE("a frame cut at every byte position is reported as truncated", "[link][frame][truncation]")
{
    const auto bytes = sampleFrame();
    for (std::size_t cut = 1; cut < bytes.size(); ++cut) {
        const std::vector<std::uint8_t> prefix(bytes.begin(),
                                               bytes.begin() + static_cast<std::ptrdiff_t>(cut));
        INFO("cut after " << cut << " bytes");
        const auto out = decodeWhole(prefix, false);
        REQUIRE_FALSE(out.error); // a prefix is valid so far: the decoder waits for more
        CHECK(out.frames.empty());
        const auto ended = decodeWhole(prefix, true);
        REQUIRE(ended.error);
        CHECK(ended.error->code() == gw::Errc::InvalidInput);
        CHECK(contains(ended.error->message(), "truncated"));
    }
    CHECK_FALSE(decodeWhole({}).error); // no bytes at all is a clean end
}

TEST_CASE("a single flipped bit anywhere in a frame is detected", "[link][frame][corruption]")
{
    const auto bytes = sampleFrame();
    for (std::size_t bit = 0; bit < bytes.size() * 8; ++bit) {
        auto bad = bytes;
        bad[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
        INFO("bit " << bit << " (byte " << bit / 8 << ")");
        // Detected while the frame's own bytes are fed: no end-of-stream needed, no frame delivered.
        const auto out = decodeWhole(bad, false);
        REQUIRE(out.error);
        CHECK(out.frames.empty());
    }
}

TEST_CASE("corruption errors name the field and the values", "[link][frame][corruption]")
{
    const auto good = sampleFrame();
    struct Case {
        const char* name;
        std::size_t byte;
        std::uint8_t xorMask;
        gw::Errc code;
        const char* needle;
    };
    const Case cases[] = {
        {"magic", 0, 0x01, gw::Errc::InvalidInput, "bad magic: byte 0 is 0x46, expected 0x47"},
        {"magic 3", 3, 0xFF, gw::Errc::InvalidInput, "bad magic: byte 3"},
        {"major", 4, 0x03, gw::Errc::Unsupported, "unsupported protocol version 2.x"},
        {"length", 13, 0x10, gw::Errc::InvalidInput, "header CRC-32 mismatch: frame says 0x"},
        {"payload", 40, 0x80, gw::Errc::InvalidInput, "CRC-32 mismatch over header and"},
        {"trailer", good.size() - 1, 0x01, gw::Errc::InvalidInput, "computed 0x"},
    };
    for (const auto& c : cases) {
        auto bad = good;
        bad[c.byte] ^= c.xorMask;
        const auto out = decodeWhole(bad);
        INFO(c.name);
        REQUIRE(out.error);
        CHECK(out.error->code() == c.code);
        INFO(out.error->message());
        CHECK(contains(out.error->message(), c.needle));
        CHECK(contains(out.error->message(), "frame at stream offset 0"));
    }
    // Both CRC values appear: the one sent and the one computed.
    auto bad = good;
    storeBe32(bad, bad.size() - 4, 0x12345678u);
    const auto out = decodeWhole(bad);
    REQUIRE(out.error);
    const std::string expected = "frame says 0x12345678, computed 0x";
    CHECK(contains(out.error->message(), expected));
}

TEST_CASE("header fields are validated even with correct CRCs", "[link][frame][header]")
{
    const std::vector<std::uint8_t> body = encodeBody(sampleHeartbeat()).value();
    struct Case {
        const char* name;
        std::uint8_t major, minor, type, flags;
        std::optional<gw::Errc> code; ///< nullopt: accepted
        const char* needle;
    };
    const Case cases[] = {
        {"current version", 1, 0, 4, 0, std::nullopt, ""},
        {"resend flag", 1, 0, 4, kFlagResend, std::nullopt, ""},
        {"major 0", 0, 0, 4, 0, gw::Errc::Unsupported, "unsupported protocol version 0.x"},
        {"major 2", 2, 0, 4, 0, gw::Errc::Unsupported, "unsupported protocol version 2.x"},
        {"major 255", 255, 9, 4, 0, gw::Errc::Unsupported, "this build speaks 1.0"},
        {"type 0", 1, 0, 0, 0, gw::Errc::InvalidInput, "unknown message type 0x00"},
        {"type 6", 1, 0, 6, 0, gw::Errc::InvalidInput, "unknown message type 0x06"},
        {"type 0xFF", 1, 0, 0xFF, 0, gw::Errc::InvalidInput, "unknown message type 0xFF"},
        {"unknown flag", 1, 0, 4, 0x02, gw::Errc::InvalidInput, "unknown flag bits 0x02"},
        {"all flags", 1, 0, 4, 0xFF, gw::Errc::InvalidInput, "unknown flag bits 0xFE"},
        // A newer minor may add types and flags an older peer skips: framing accepts them.
        {"newer minor, new type", 1, 3, 0x17, 0, std::nullopt, ""},
        {"newer minor, new flag", 1, 3, 4, 0x40, std::nullopt, ""},
        {"newer minor, type 0", 1, 3, 0, 0, gw::Errc::InvalidInput, "unknown message type 0x00"},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        const auto out = decodeWhole(handFrame(c.major, c.minor, c.type, c.flags, 5, body));
        if (!c.code) {
            REQUIRE_FALSE(out.error);
            REQUIRE(out.frames.size() == 1);
            CHECK(out.frames[0].versionMinor == c.minor);
            CHECK(static_cast<std::uint8_t>(out.frames[0].type) == c.type);
            CHECK(out.frames[0].flags == c.flags);
            CHECK(out.frames[0].sequence == 5);
        } else {
            REQUIRE(out.error);
            CHECK(out.error->code() == *c.code);
            INFO(out.error->message());
            CHECK(contains(out.error->message(), c.needle));
        }
    }
}

TEST_CASE("an unknown type from a newer minor is skippable without dropping the stream",
          "[link][frame][version]")
{
    auto stream = handFrame(1, 4, 0x33, 0, 10, {1, 2, 3});
    const auto next = encodeMessage(sampleHeartbeat(), 11).value();
    stream.insert(stream.end(), next.begin(), next.end());
    const auto out = decodeWhole(stream);
    REQUIRE_FALSE(out.error);
    REQUIRE(out.frames.size() == 2);
    const auto skipped = decodeMessage(out.frames[0]);
    REQUIRE_FALSE(skipped);
    CHECK(skipped.error().code() == gw::Errc::Unsupported);
    CHECK(decodeMessage(out.frames[1]).value() == Message{sampleHeartbeat()});
}

TEST_CASE("payload length is checked against the limit before the payload", "[link][frame][limits]")
{
    SECTION("default limit: 64 MiB accepted, one byte more refused")
    {
        auto ok = handFrame(1, 0, 2, 0, 1, {});
        storeBe32(ok, 12, kDefaultMaxPayloadBytes);
        reseal(ok);
        // Header only: within the limit the decoder waits for the payload.
        const auto waiting = decodeWhole(std::vector<std::uint8_t>(ok.begin(), ok.begin() + 20), false);
        CHECK_FALSE(waiting.error);

        auto big = handFrame(1, 0, 2, 0, 1, {});
        storeBe32(big, 12, kDefaultMaxPayloadBytes + 1);
        reseal(big);
        const auto out = decodeWhole(std::vector<std::uint8_t>(big.begin(), big.begin() + 20), false);
        REQUIRE(out.error);
        CHECK(out.error->code() == gw::Errc::InvalidInput);
        CHECK(contains(out.error->message(),
                       "oversized payload: header announces 67108865 bytes, limit is 67108864"));
    }
    SECTION("configured limit")
    {
        auto d = Decoder::create({.maxPayloadBytes = 4096}).value();
        CHECK(d.maxPayloadBytes() == 4096);
        const auto fits = encodeFrame(MessageType::Hello, 1, std::vector<std::uint8_t>(4096, 1)).value();
        REQUIRE(d.feed(fits));
        CHECK(d.nextFrame().has_value());
        const auto over = encodeFrame(MessageType::Hello, 2, std::vector<std::uint8_t>(4097, 1)).value();
        const auto r = d.feed(over);
        REQUIRE_FALSE(r);
        CHECK(contains(r.error().message(), "4097 bytes, limit is 4096"));
        CHECK(contains(r.error().message(), "frame at stream offset " + std::to_string(fits.size())));
    }
    SECTION("limits outside the allowed range are refused")
    {
        CHECK(Decoder::create({.maxPayloadBytes = 0}).error().code() == gw::Errc::InvalidArgument);
        CHECK(Decoder::create({.maxPayloadBytes = kMinPayloadLimitBytes - 1}).error().code() ==
              gw::Errc::InvalidArgument);
        CHECK(Decoder::create({.maxPayloadBytes = kMaxPayloadLimitBytes + 1}).error().code() ==
              gw::Errc::InvalidArgument);
        CHECK(Decoder::create({.maxPayloadBytes = kMaxPayloadLimitBytes}).has_value());
    }
    SECTION("length 0xFFFFFFFF")
    {
        auto huge = handFrame(1, 0, 2, 0, 1, {});
        storeBe32(huge, 12, 0xFFFFFFFFu);
        reseal(huge);
        const auto out = decodeWhole(std::vector<std::uint8_t>(huge.begin(), huge.begin() + 20), false);
        REQUIRE(out.error);
        CHECK(contains(out.error->message(), "4294967295"));
    }
}

TEST_CASE("garbage and empty input", "[link][frame][garbage]")
{
    struct Case {
        const char* name;
        std::vector<std::uint8_t> bytes;
        bool failsWhileFeeding;
    };
    const Case cases[] = {
        {"empty", {}, false},
        {"HTTP request", bytesOf("GET / HTTP/1.1\r\n\r\n"), true},
        {"TLS client hello start", {0x16, 0x03, 0x01, 0x02, 0x00}, true},
        {"zeros", std::vector<std::uint8_t>(64, 0), true},
        {"0xFF", std::vector<std::uint8_t>(64, 0xFF), true},
        {"magic only", bytesOf("GWLK"), false},
        {"magic twice", bytesOf("GWLKGWLK"), true},
        {"lower-case magic", bytesOf("gwlk"), true},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        const auto fed = decodeWhole(c.bytes, false);
        CHECK(fed.error.has_value() == c.failsWhileFeeding);
        CHECK(fed.frames.empty());
        const auto ended = decodeWhole(c.bytes, true);
        CHECK(ended.error.has_value() == !c.bytes.empty());
    }
}

TEST_CASE("after an error the decoder stays failed, earlier frames stay available", "[link][frame][sticky]")
{
    const auto good = encodeMessage(sampleHeartbeat(), 1).value();
    std::vector<std::uint8_t> stream = good;
    stream.push_back('X');
    stream.insert(stream.end(), good.begin(), good.end());

    Decoder d;
    const auto r = d.feed(stream);
    REQUIRE_FALSE(r);
    CHECK(d.failed());
    CHECK(contains(r.error().message(), "frame at stream offset " + std::to_string(good.size())));
    // The frame before the bad byte passed every check and is delivered; nothing after it is.
    const auto first = d.nextFrame();
    REQUIRE(first);
    CHECK(first->sequence == 1);
    CHECK_FALSE(d.nextFrame());
    // A perfectly good frame afterwards is not decoded: the same error comes back.
    const auto again = d.feed(good);
    REQUIRE_FALSE(again);
    CHECK(again.error().message() == r.error().message());
    CHECK_FALSE(d.nextFrame());
    CHECK(d.finish().error().message() == r.error().message());
    REQUIRE(d.error());
    CHECK(d.error()->message() == r.error().message());
}

TEST_CASE("empty payloads frame and decode", "[link][frame]")
{
    const auto f = encodeFrame(MessageType::Heartbeat, 3, {}).value();
    CHECK(f.size() == kFrameOverheadBytes);
    for (std::size_t split = 0; split <= f.size(); ++split) {
        const auto out = decodeSplit(f, split);
        REQUIRE_FALSE(out.error);
        REQUIRE(out.frames.size() == 1);
        CHECK(out.frames[0].payload.empty());
    }
    // The framing accepts it; the HEARTBEAT body decoder refuses the missing field.
    const auto msg = decodeMessage(decodeWhole(f).frames.at(0));
    REQUIRE_FALSE(msg);
    CHECK(contains(msg.error().message(), "HEARTBEAT body, field 'time_ms' at offset 0: truncated"));
}
