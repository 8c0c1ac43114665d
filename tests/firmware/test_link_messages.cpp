// SPDX-License-Identifier: Apache-2.0
// Message bodies: round trips, encoder rules, truncation and hostile lengths, versioning, text checks.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <gw/link/frame.h>
#include <gw/link/messages.h>

#include "link_test_util.h"

namespace {

using namespace gw::link;
using namespace gw::link::test;

bool contains(const std::string& haystack, std::string_view needle)
{
    return haystack.find(needle) != std::string::npos;
}

std::vector<Message> everyMessage()
{
    Status bare; // no temperature sensor, no health items
    Inspection noImages = sampleInspection();
    noImages.images.clear();
    Ack stored{1, sampleId(), AckStatus::Stored, ""};
    Ack duplicate{0xFFFFFFFFu, sampleId(), AckStatus::Duplicate, "seen 2024-06-01"};
    Status extremes = sampleStatus();
    extremes.uptimeMs = ~0ull;
    extremes.spoolBytes = ~0ull;
    extremes.faults = 0xFFFFFFFFu; // unknown bits are carried, not dropped
    extremes.temperatureCentiC = static_cast<std::int16_t>(-32767);
    Hello newerPeer = sampleHello();
    newerPeer.protocolMinor = 9;
    newerPeer.capabilities = 0xFFFFFFFFu;
    return {sampleHello(), newerPeer,         sampleInspection(), noImages,       sampleAck(), stored,
            duplicate,     sampleHeartbeat(), Heartbeat{0},       sampleStatus(), bare,        extremes};
}

/// Body of @p m with the bytes at [at, at+n) replaced by @p replacement.
std::vector<std::uint8_t> patched(const Message& m, std::size_t at, std::vector<std::uint8_t> replacement)
{
    auto body = encodeBody(m).value();
    std::copy(replacement.begin(), replacement.end(), body.begin() + static_cast<std::ptrdiff_t>(at));
    return body;
}

} // namespace

TEST_CASE("every message type survives encode -> frame -> stream decode -> decode", "[link][messages]")
{
    std::uint32_t sequence = 1000;
    for (const auto& m : everyMessage()) {
        INFO("message " << messageTypeName(messageType(m)) << " #" << sequence);
        const auto frame = encodeMessage(m, sequence).value();
        Decoder d;
        REQUIRE(d.feed(frame));
        auto f = d.nextFrame();
        REQUIRE(f);
        CHECK(f->sequence == sequence);
        CHECK(f->type == messageType(m));
        const auto back = decodeMessage(*f);
        REQUIRE(back);
        CHECK(*back == m);
        CHECK(back->index() == m.index());
        // encodeBody is the frame's payload.
        CHECK(encodeBody(m).value() == f->payload);
        ++sequence;
    }
}

TEST_CASE("body layouts are the documented ones", "[link][messages][layout]")
{
    SECTION("HEARTBEAT: u64 time_ms")
    {
        const auto b = encodeBody(Heartbeat{0x0102030405060708ull}).value();
        CHECK(b == std::vector<std::uint8_t>{1, 2, 3, 4, 5, 6, 7, 8});
    }
    SECTION("HELLO: major, minor, u32 capabilities, three u8-prefixed tokens")
    {
        const auto b = encodeBody(Hello{1, 0, "D1", "v2", "b", 0x21}).value();
        const std::vector<std::uint8_t> want = {1, 0, 0, 0, 0, 0x21, 2, 'D', '1', 2, 'v', '2', 1, 'b'};
        CHECK(b == want);
    }
    SECTION("ACK: u32 sequence, 16-byte id, u8 status, u16-prefixed reason")
    {
        const auto b = encodeBody(Ack{0x0A0B0C0Du, sampleId(), AckStatus::Rejected, "no"}).value();
        const auto id = sampleId();
        std::vector<std::uint8_t> want = {0x0A, 0x0B, 0x0C, 0x0D};
        want.insert(want.end(), id.bytes.begin(), id.bytes.end());
        want.insert(want.end(), {3, 0, 2, 'n', 'o'});
        CHECK(b == want);
    }
    SECTION("INSPECTION: id, u64 time, u32-prefixed JSON, u8 count, images")
    {
        Inspection m;
        m.id = sampleId();
        m.captureTimeMs = 0x1122334455667788ull;
        m.reportJson = "{}";
        m.images.push_back({Light::Ultraviolet, ImageEncoding::Jpeg, {0xFF, 0xD8, 0xFF, 0xE0}});
        const auto id = sampleId();
        std::vector<std::uint8_t> want(id.bytes.begin(), id.bytes.end());
        want.insert(want.end(), {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0,    0,    0,    2,   '{',
                                 '}',  1,    3,    2,    0,    0,    0,    4,    0xFF, 0xD8, 0xFF, 0xE0});
        CHECK(encodeBody(m).value() == want);
    }
    SECTION("STATUS: fixed part then u16-counted health items; 0x8000 means no temperature")
    {
        Status s;
        s.spoolCount = 2;
        s.faults = kFaultCamera;
        s.health = {{"x", HealthLevel::Warning, "d"}};
        const auto b = encodeBody(s).value();
        REQUIRE(b.size() == 8 + 4 + 8 + 8 + 8 + 4 + 2 + 2 + (1 + 1 + 1 + 2 + 1));
        CHECK(b[11] == 2);                       // spool_count low byte
        CHECK(b[39] == 1);                       // faults low byte
        CHECK((b[40] == 0x80 && b[41] == 0x00)); // temperature: none
        CHECK((b[42] == 0 && b[43] == 1));       // health_count
        CHECK(std::vector<std::uint8_t>(b.begin() + 44, b.end()) ==
              std::vector<std::uint8_t>{1, 'x', 2, 0, 1, 'd'});
        s.temperatureCentiC = static_cast<std::int16_t>(-2);
        const auto t = encodeBody(s).value();
        CHECK((t[40] == 0xFF && t[41] == 0xFE));
    }
}

TEST_CASE("a body cut at every length is refused with the field named", "[link][messages][truncation]")
{
    for (const auto& m : everyMessage()) {
        const auto body = encodeBody(m).value();
        const auto type = messageType(m);
        for (std::size_t cut = 0; cut < body.size(); ++cut) {
            INFO(messageTypeName(type) << " cut at " << cut << " of " << body.size());
            const auto r = decodeBody(type, std::span<const std::uint8_t>(body.data(), cut));
            REQUIRE_FALSE(r);
            CHECK(r.error().code() == gw::Errc::InvalidInput);
            CHECK(contains(r.error().message(), "field '"));
        }
    }
}

TEST_CASE("trailing bytes: an error in our version, skipped from a newer minor", "[link][messages][version]")
{
    for (const auto& m : everyMessage()) {
        auto body = encodeBody(m).value();
        body.insert(body.end(), {0xAB, 0xCD, 0xEF});
        const auto type = messageType(m);
        INFO(messageTypeName(type));
        const auto same = decodeBody(type, body, kVersionMinor);
        REQUIRE_FALSE(same);
        CHECK(contains(same.error().message(), "3 unexpected trailing bytes"));
        const auto newer = decodeBody(type, body, static_cast<std::uint8_t>(kVersionMinor + 1));
        REQUIRE(newer);
        CHECK(*newer == m);
    }
}

TEST_CASE("hostile lengths and counts inside bodies are refused before use", "[link][messages][limits]")
{
    const Message inspection = sampleInspection();
    const std::size_t jsonLengthAt = 16 + 8;
    const std::size_t jsonBytes = sampleInspection().reportJson.size();
    const std::size_t countAt = jsonLengthAt + 4 + jsonBytes;
    const std::size_t firstImageLengthAt = countAt + 1 + 2;
    const Message status = sampleStatus();
    const std::size_t healthCountAt = 8 + 4 + 8 + 8 + 8 + 4 + 2;
    const Message ack = sampleAck();

    struct Case {
        const char* name;
        MessageType type;
        std::vector<std::uint8_t> body;
        const char* needle;
    };
    const Case cases[] = {
        {"report_json length 0xFFFFFFFF", MessageType::Inspection,
         patched(inspection, jsonLengthAt, {0xFF, 0xFF, 0xFF, 0xFF}),
         "field 'report_json' at offset 28: truncated: needs 4294967295 bytes"},
        {"report_json length one past the body", MessageType::Inspection,
         patched(inspection, jsonLengthAt, {0x00, 0x00, 0x10, 0x00}), "field 'report_json'"},
        {"image length 0xFFFFFFFF", MessageType::Inspection,
         patched(inspection, firstImageLengthAt, {0xFF, 0xFF, 0xFF, 0xFF}), "field 'images[0].bytes'"},
        {"image count 255", MessageType::Inspection, patched(inspection, countAt, {0xFF}),
         "255 images, limit is 8"},
        {"image count 8 but only 3 present", MessageType::Inspection, patched(inspection, countAt, {8}),
         "field 'images[3].light'"},
        {"health count 65535", MessageType::Status, patched(status, healthCountAt, {0xFF, 0xFF}),
         "65535 items, limit is 256"},
        {"health count 256 that cannot fit", MessageType::Status,
         patched(status, healthCountAt, {0x01, 0x00}), "256 items cannot fit"},
        {"reason length 0xFFFF", MessageType::Ack, patched(ack, 4 + 16 + 1, {0xFF, 0xFF}), "field 'reason'"},
        {"device id length 255", MessageType::Hello, patched(sampleHello(), 6, {0xFF}), "field 'device_id'"},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        const auto r = decodeBody(c.type, c.body);
        REQUIRE_FALSE(r);
        CHECK(r.error().code() == gw::Errc::InvalidInput);
        INFO(r.error().message());
        CHECK(contains(r.error().message(), c.needle));
    }
}

TEST_CASE("bodies that parse but break a rule are refused", "[link][messages][rules]")
{
    const Message inspection = sampleInspection();
    const std::size_t countAt = 16 + 8 + 4 + sampleInspection().reportJson.size();
    const std::size_t secondLightAt = countAt + 1 + 6 + sampleInspection().images[0].bytes.size();
    const std::size_t firstImageAt = countAt + 1 + 6;

    struct Case {
        const char* name;
        MessageType type;
        std::vector<std::uint8_t> body;
        gw::Errc code;
        const char* needle;
    };
    const Case cases[] = {
        {"nil inspection id", MessageType::Inspection,
         patched(inspection, 0, std::vector<std::uint8_t>(16, 0)), gw::Errc::InvalidInput,
         "inspection_id must not be all zero"},
        {"light 0", MessageType::Inspection, patched(inspection, countAt + 1, {0}), gw::Errc::InvalidInput,
         "images[0].light' at offset"},
        {"light 9", MessageType::Inspection, patched(inspection, countAt + 1, {9}), gw::Errc::InvalidInput,
         "unknown value 9"},
        {"encoding 7", MessageType::Inspection, patched(inspection, countAt + 2, {7}), gw::Errc::InvalidInput,
         "images[0].encoding"},
        {"repeated light", MessageType::Inspection, patched(inspection, secondLightAt, {1}),
         gw::Errc::InvalidInput, "images[1].light 'white' repeats images[0]"},
        {"JPEG without its signature", MessageType::Inspection, patched(inspection, firstImageAt, {0x00}),
         gw::Errc::InvalidInput, "images[0].bytes does not start with the JPEG signature"},
        {"ack status 0", MessageType::Ack, patched(sampleAck(), 20, {0}), gw::Errc::InvalidInput, "status"},
        {"health level 4", MessageType::Status, patched(sampleStatus(), 44 + 1 + 8, {4}),
         gw::Errc::InvalidInput, "health[0].level"},
        {"device id with a space", MessageType::Hello, patched(sampleHello(), 7, {' '}),
         gw::Errc::InvalidInput, "device_id must be 1..64 bytes of printable ASCII"},
        {"hello major 0", MessageType::Hello, patched(sampleHello(), 0, {0}), gw::Errc::InvalidInput,
         "protocol_major must be at least 1"},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        const auto r = decodeBody(c.type, c.body);
        REQUIRE_FALSE(r);
        CHECK(r.error().code() == c.code);
        INFO(r.error().message());
        CHECK(contains(r.error().message(), c.needle));
    }

    // An enum is judged where it stands, not where the reader stopped.
    const auto lightAt = decodeBody(MessageType::Inspection, patched(inspection, countAt + 1, {0}));
    REQUIRE_FALSE(lightAt);
    CHECK(contains(lightAt.error().message(),
                   "field 'images[0].light' at offset " + std::to_string(countAt + 1) + ": unknown value 0"));

    // From a newer minor an unknown enum value is Unsupported (skippable), not corruption.
    const auto fromNewer = decodeBody(MessageType::Inspection, patched(inspection, countAt + 1, {9}), 5);
    REQUIRE_FALSE(fromNewer);
    CHECK(fromNewer.error().code() == gw::Errc::Unsupported);
    const auto newerType = decodeBody(static_cast<MessageType>(0x40), std::vector<std::uint8_t>{}, 5);
    CHECK(newerType.error().code() == gw::Errc::Unsupported);
    const auto unknownType = decodeBody(static_cast<MessageType>(0x40), std::vector<std::uint8_t>{});
    CHECK(unknownType.error().code() == gw::Errc::InvalidInput);
}

TEST_CASE("text fields must be valid UTF-8", "[link][messages][utf8]")
{
    struct Case {
        const char* name;
        std::string text;
        bool valid;
    };
    const Case cases[] = {
        {"ASCII", "{\"a\":1}", true},
        {"two-byte", "\xC3\xA9", true},
        {"three-byte", "\xE6\x97\xA5", true},
        {"four-byte U+1F600", "\xF0\x9F\x98\x80", true},
        {"U+10FFFF", "\xF4\x8F\xBF\xBF", true},
        {"lone continuation", "\x80", false},
        {"overlong slash", "\xC0\xAF", false},
        {"overlong three-byte", "\xE0\x80\xAF", false},
        {"surrogate U+D800", "\xED\xA0\x80", false},
        {"above U+10FFFF", "\xF4\x90\x80\x80", false},
        {"cut two-byte", "\xC3", false},
        {"0xFF", "\xFF", false},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        Inspection m = sampleInspection();
        m.reportJson = c.text;
        const auto enc = encodeBody(m);
        CHECK(enc.has_value() == c.valid);
        Ack a{1, sampleId(), AckStatus::Rejected, c.text};
        CHECK(encodeBody(a).has_value() == c.valid);
        // The decoder applies the same rule to bytes that were never encoded by us.
        if (!c.valid) {
            m.reportJson = "{}";
            auto body = encodeBody(m).value();
            const std::size_t jsonAt = 16 + 8;
            body[jsonAt + 3] = static_cast<std::uint8_t>(c.text.size());
            body.erase(body.begin() + jsonAt + 4, body.begin() + jsonAt + 6);
            body.insert(body.begin() + jsonAt + 4, c.text.begin(), c.text.end());
            const auto r = decodeBody(MessageType::Inspection, body);
            REQUIRE_FALSE(r);
            CHECK(contains(r.error().message(), "report_json is not valid UTF-8"));
        }
    }
}

TEST_CASE("the encoder refuses messages that break the rules", "[link][messages][rules]")
{
    auto withInspection = [](auto edit) {
        Inspection m = sampleInspection();
        edit(m);
        return Message{m};
    };
    struct Case {
        const char* name;
        Message message;
        const char* needle;
    };
    const Case cases[] = {
        {"empty device id", Hello{1, 0, "", "v", "b", 0}, "device_id"},
        {"65-byte board", Hello{1, 0, "d", "v", std::string(65, 'b'), 0}, "board must be 1..64"},
        {"nil id", withInspection([](Inspection& m) { m.id = {}; }), "inspection_id"},
        {"empty report", withInspection([](Inspection& m) { m.reportJson.clear(); }),
         "report_json must not be empty"},
        {"nine images", withInspection([](Inspection& m) { m.images.resize(9); }), "9 images, limit is 8"},
        {"empty image", withInspection([](Inspection& m) { m.images[0].bytes.clear(); }), "images[0].bytes"},
        {"PNG labelled JPEG",
         withInspection([](Inspection& m) { m.images[1].encoding = ImageEncoding::Jpeg; }),
         "images[1].bytes does not start with the JPEG signature"},
        {"light out of range",
         withInspection([](Inspection& m) { m.images[0].light = static_cast<Light>(7); }),
         "images[0].light is not a known light"},
        {"rejected without reason", Ack{1, sampleId(), AckStatus::Rejected, ""}, "reason is required"},
        {"stored with nil id", Ack{1, {}, AckStatus::Stored, ""}, "inspection_id must not be all zero"},
        {"reason too long", Ack{1, sampleId(), AckStatus::Rejected, std::string(1025, 'r')}, "1025 bytes"},
        {"reserved temperature",
         [] {
             Status s;
             s.temperatureCentiC = static_cast<std::int16_t>(-32768);
             return Message{s};
         }(),
         "reserved"},
        {"257 health items",
         [] {
             Status s;
             s.health.assign(257, HealthItem{"n", HealthLevel::Ok, ""});
             return Message{s};
         }(),
         "257 health items"},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        const auto r = encodeMessage(c.message, 1);
        REQUIRE_FALSE(r);
        CHECK(r.error().code() == gw::Errc::InvalidArgument);
        INFO(r.error().message());
        CHECK(contains(r.error().message(), c.needle));
    }
    // A rejected ACK may carry a nil id (the host could not read one).
    CHECK(encodeBody(Ack{1, {}, AckStatus::Rejected, "unreadable"}).has_value());
}

TEST_CASE("a message larger than the payload limit is refused by the encoder", "[link][messages][limits]")
{
    Inspection m = sampleInspection();
    m.images[0].bytes = fakeImage(ImageEncoding::Jpeg, 5000, 9);
    const auto r = encodeMessage(m, 1, {.flags = 0, .maxPayloadBytes = 4096});
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == gw::Errc::InvalidArgument);
    CHECK(contains(r.error().message(), "exceeds the limit of 4096 bytes"));
    // The resend flag travels in the header.
    const auto resent = encodeMessage(m, 2, {.flags = kFlagResend}).value();
    Decoder d;
    REQUIRE(d.feed(resent));
    CHECK(d.nextFrame().value().flags == kFlagResend);
}

TEST_CASE("inspection ids as hex", "[link][messages][id]")
{
    const auto id = InspectionId::fromHex("00112233445566778899AABBCCDDEEFF").value();
    CHECK(id.bytes[0] == 0x00);
    CHECK(id.bytes[5] == 0x55);
    CHECK(id.bytes[15] == 0xFF);
    CHECK(id.toHex() == "00112233445566778899aabbccddeeff");
    CHECK(InspectionId::fromHex(id.toHex()).value() == id);
    CHECK_FALSE(id.isNil());
    CHECK(InspectionId{}.isNil());
    CHECK(InspectionId::fromHex("").error().code() == gw::Errc::InvalidInput);
    CHECK(contains(InspectionId::fromHex("0011").error().message(), "got 4 characters"));
    CHECK(contains(InspectionId::fromHex("00112233-4455-6677-8899-aabbccddeeff").error().message(),
                   "32 hex digits"));
    CHECK(
        contains(InspectionId::fromHex("g0112233445566778899aabbccddeeff").error().message(), "position 0"));
}

TEST_CASE("names are stable", "[link][messages]")
{
    CHECK(messageTypeName(MessageType::Inspection) == "inspection");
    CHECK(messageTypeName(static_cast<MessageType>(77)) == "unknown");
    CHECK(lightName(Light::Infrared) == "ir");
    CHECK(imageEncodingName(ImageEncoding::Jpeg) == "jpeg");
    CHECK(ackStatusName(AckStatus::Duplicate) == "duplicate");
    CHECK(healthLevelName(HealthLevel::Fault) == "fault");
}

// Hidden (not run by ctest): writes the fuzz seeds in the input format of tests/fuzz/fuzz_link_decoder.cpp.
// Run: build/<dir>/tests/firmware/test_firmware_link_messages "[corpus]"
TEST_CASE("write the fuzz_link_decoder seed corpus", "[.][corpus]")
{
    const std::filesystem::path dir =
        std::filesystem::path(GW_SOURCE_DIR) / "tests/fuzz/corpus/fuzz_link_decoder";
    std::filesystem::create_directories(dir);
    auto write = [&dir](const std::string& name, std::uint8_t mode, const std::vector<std::uint8_t>& rest) {
        std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
        out.put(static_cast<char>(mode));
        out.write(reinterpret_cast<const char*>(rest.data()), static_cast<std::streamsize>(rest.size()));
        REQUIRE(out.good());
    };
    // Small images keep the seeds under libFuzzer's default max_len of 4096 bytes.
    Inspection small = sampleInspection();
    for (auto& img : small.images)
        img.bytes.resize(std::min<std::size_t>(img.bytes.size(), 16));
    const std::vector<Message> messages = {sampleHello(), small, sampleAck(), sampleHeartbeat(),
                                           sampleStatus()};
    std::vector<std::uint8_t> stream;
    std::uint32_t sequence = 1;
    for (const auto& m : messages) {
        const std::string name(messageTypeName(messageType(m)));
        const auto frame = encodeMessage(m, sequence++).value();
        stream.insert(stream.end(), frame.begin(), frame.end());
        write("stream-" + name, 0x00, frame);         // fed one byte at a time
        write("stream-chunked-" + name, 0x1C, frame); // chunks of 8 bytes
        auto body = encodeBody(m).value();
        std::vector<std::uint8_t> typed = {static_cast<std::uint8_t>(messageType(m)), kVersionMinor};
        typed.insert(typed.end(), body.begin(), body.end());
        write("body-" + name, 0x01, typed);
        typed[1] = 0x80;
        write("framed-" + name, 0x02, typed);
    }
    write("stream-all", 0xFC, stream);
    write("stream-newer-minor", 0x00, handFrame(1, 3, 0x30, 0x80, 9, {1, 2, 3}));
    write("stream-garbage", 0x00, bytesOf("GET / HTTP/1.1\r\n\r\n"));
}
