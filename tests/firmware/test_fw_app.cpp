// SPDX-License-Identifier: Apache-2.0
// The firmware application driven through the emulator board by scenarios (virtual time, in-memory host).
#include <fstream>

#include <catch2/catch.hpp>

#include <gw/link/frame.h>

#include "test_fw_util.h"

using namespace gw;
using namespace gw::fw;
using namespace gw::fw::test;
using emulator::AckMode;
using emulator::IndicatorRecord;

namespace {

struct Captures {
    TempDir dir;
    Captures()
    {
        writeSyntheticCapture(dir.path() / "green", kGreenLevel);
        writeSyntheticCapture(dir.path() / "red", kRedLevel);
        writeSyntheticCapture(dir.path() / "amber", kAmberLevel);
        writeSyntheticCapture(dir.path() / "dark", kGreenLevel + 20, std::uint8_t{20});
    }
    [[nodiscard]] const std::filesystem::path& path() const { return dir.path(); }
};

bool showed(const emulator::Emulator& emu, hal::LedColour c, hal::LedPattern p)
{
    for (const auto& r : emu.indicatorHistory())
        if (r.kind == IndicatorRecord::Kind::Show && r.colour == c && r.pattern == p)
            return true;
    return false;
}

bool beeped(const emulator::Emulator& emu, hal::BuzzerPattern b)
{
    for (const auto& r : emu.indicatorHistory())
        if (r.kind == IndicatorRecord::Kind::Beep && r.beep == b)
            return true;
    return false;
}

} // namespace

TEST_CASE("placing a document reports its verdict on the indicator and to the host", "[fw][app]")
{
    Captures caps;
    TempDir spoolDir;
    LogCapture logs;
    Rig rig(spoolDir.path(), caps.path(), "place green\nremove\nplace red\nremove\nplace amber\n");
    rig.run();

    REQUIRE(rig.app->stats().reported == 3);
    CHECK(rig.app->stats().acked == 3);
    CHECK(rig.spool->count() == 0);
    REQUIRE(rig.host().stored().size() == 3);
    CHECK(rig.host().received().size() == 3);
    for (const auto& r : rig.host().received()) {
        CHECK_FALSE(r.resend);
        CHECK_FALSE(r.duplicate);
        CHECK(r.inspection.images.size() == 3); // white, ir, uv
        CHECK(r.inspection.reportJson.find("\"verdict\"") != std::string::npos);
    }
    CHECK(showed(rig.emu, hal::LedColour::Green, hal::LedPattern::Steady));
    CHECK(showed(rig.emu, hal::LedColour::Red, hal::LedPattern::Steady));
    CHECK(beeped(rig.emu, hal::BuzzerPattern::Short));
    CHECK(beeped(rig.emu, hal::BuzzerPattern::Long));
    // The last document (amber) is still on the glass: the LED holds its verdict.
    CHECK(rig.emu.currentLed().colour == hal::LedColour::Amber);
    CHECK(rig.app->state() == AppState::WaitRemoval);
    CHECK(rig.app->stats().lastVerdict == vision::Verdict::Amber);
    // Dark, white, ir, uv per document.
    CHECK(rig.emu.framesCaptured() == 12);
    // The host saw a HELLO with the board name and at least one healthy STATUS.
    REQUIRE_FALSE(rig.host().hellos().empty());
    CHECK(rig.host().hellos().front().board == "emulator");
    REQUIRE_FALSE(rig.host().statuses().empty());
    CHECK(rig.host().statuses().back().faults == 0);
    // Placed -> ACK measured in virtual time includes the configured settle + exposure times.
    CHECK(rig.app->stats().lastConfiguredLightUs == 1000 + 5000 + 2000 + 8000 + 3000 + 20000 + 5000);
    CHECK(rig.app->stats().lastPlacedToAckUs >= rig.app->stats().lastConfiguredLightUs);

    // No personal data in the logs, although every report carried some.
    CHECK(rig.host().received().front().inspection.reportJson.find(kSecretSurname) != std::string::npos);
    CHECK_FALSE(logs.lines().empty());
    CHECK_FALSE(logs.contains(kSecretSurname));
    CHECK_FALSE(logs.contains("L898902C3"));
    CHECK_FALSE(logs.contains("P<UTO"));
}

TEST_CASE("the inspector sees dark-subtracted frames, the capture's scale and the clock's date", "[fw][app]")
{
    Captures caps;
    TempDir spoolDir;
    Rig rig(spoolDir.path(), caps.path(), "place dark\n");
    rig.run();
    REQUIRE(rig.inspector.seen->size() == 1);
    const auto& seen = rig.inspector.seen->front();
    CHECK(seen.white0 == kGreenLevel); // (green + 20) - dark 20
    CHECK(seen.hasIr);
    CHECK(seen.hasUv);
    CHECK(seen.pixelsPerMm == Approx(8.0));
    CHECK(seen.date == "2026-01-15");
    CHECK(rig.app->stats().lastVerdict == vision::Verdict::Green);
}

TEST_CASE("a document pulled away during the capture aborts with no report", "[fw][app]")
{
    Captures caps;
    TempDir spoolDir;
    Rig rig(spoolDir.path(), caps.path(), "place green pull_away_after=2\nwait 10\nplace red\nremove\n");
    rig.run();
    CHECK(rig.app->stats().aborted == 1);
    CHECK(rig.app->stats().reported == 1);
    REQUIRE(rig.host().received().size() == 1);
    REQUIRE(rig.inspector.seen->size() == 1);
    CHECK(rig.inspector.seen->front().white0 == kRedLevel);
    CHECK_FALSE(showed(rig.emu, hal::LedColour::Green, hal::LedPattern::Steady));
    CHECK(rig.app->state() == AppState::Idle);
    CHECK(rig.emu.currentLed().colour == hal::LedColour::Blue);
    CHECK(rig.spool->count() == 0);
}

TEST_CASE("pulling the document after the last frame still aborts", "[fw][app]")
{
    Captures caps;
    TempDir spoolDir;
    Rig rig(spoolDir.path(), caps.path(), "place green pull_away_after=4\n");
    rig.run();
    CHECK(rig.app->stats().aborted == 1);
    CHECK(rig.app->stats().reported == 0);
    CHECK(rig.host().received().empty());
}

TEST_CASE("a camera fault gives the fault state, a red blinking LED and the STATUS camera bit", "[fw][app]")
{
    Captures caps;
    TempDir spoolDir;
    Rig rig(
        spoolDir.path(), caps.path(),
        "place green\nremove\nfault camera\nplace red\nwait 5\nclear camera\nremove\nplace amber\nremove\n");
    // Run up to the fault only.
    for (int i = 0; i < 50 && rig.app->state() != AppState::Fault; ++i) {
        rig.app->step();
        rig.clock.advanceUs(2000);
    }
    REQUIRE(rig.app->state() == AppState::Fault);
    CHECK((rig.app->faults() & link::kFaultCamera) != 0);
    CHECK(rig.emu.currentLed().colour == hal::LedColour::Red);
    CHECK(rig.emu.currentLed().pattern == hal::LedPattern::Blinking);
    rig.app->step();
    REQUIRE_FALSE(rig.host().statuses().empty());
    CHECK((rig.host().statuses().back().faults & link::kFaultCamera) != 0);
    bool named = false;
    for (const auto& h : rig.host().statuses().back().health)
        named = named || (h.name == "camera" && h.level == link::HealthLevel::Fault);
    CHECK(named);

    rig.run();
    CHECK(rig.app->stats().failed == 1);
    CHECK(rig.app->stats().reported == 2); // green before, amber after the fault cleared
    CHECK(rig.host().stored().size() == 2);
    CHECK(rig.app->faults() == 0);
    CHECK(rig.host().statuses().back().faults == 0);
}

TEST_CASE("a light fault gives the fault state and the bank's STATUS bit, and no inspection", "[fw][app]")
{
    Captures caps;
    TempDir spoolDir;
    Rig rig(spoolDir.path(), caps.path(), "fault uv\nplace green\n");
    rig.run(200);
    CHECK(rig.app->state() == AppState::Fault);
    CHECK(rig.app->faults() == link::kFaultLightUv);
    CHECK(rig.app->stats().reported == 0);
    CHECK(rig.host().received().empty());
    REQUIRE_FALSE(rig.host().statuses().empty());
    CHECK(rig.host().statuses().back().faults == link::kFaultLightUv);
    CHECK(rig.emu.currentLed().colour == hal::LedColour::Red);
}

TEST_CASE("a document-sensor fault is reported in STATUS and clears", "[fw][app]")
{
    Captures caps;
    TempDir spoolDir;
    Rig rig(spoolDir.path(), caps.path(), "fault sensor\nwait 10\n");
    for (int i = 0; i < 3; ++i) {
        rig.app->step();
        rig.clock.advanceUs(2000);
    }
    CHECK((rig.app->faults() & link::kFaultDocumentSensor) != 0);
    REQUIRE_FALSE(rig.host().statuses().empty());
    CHECK((rig.host().statuses().back().faults & link::kFaultDocumentSensor) != 0);
}

TEST_CASE("inspections made while the link is down are sent in order after it comes up", "[fw][app][link]")
{
    Captures caps;
    TempDir spoolDir;
    Rig rig(spoolDir.path(), caps.path(),
            "link down\nplace green\nremove\nplace red\nremove\nplace amber\nremove\nwait 100\nlink up\nwait "
            "10\n");
    rig.run();
    CHECK(rig.app->stats().reported == 3);
    REQUIRE(rig.host().received().size() == 3);
    const auto& order = rig.host().received();
    // The spool order is the capture order: green, red, amber (verdict in the report JSON).
    CHECK(order[0].inspection.reportJson.find("GREEN") != std::string::npos);
    CHECK(order[1].inspection.reportJson.find("RED") != std::string::npos);
    CHECK(order[2].inspection.reportJson.find("AMBER") != std::string::npos);
    for (const auto& r : order)
        CHECK(r.resend);
    CHECK(rig.spool->count() == 0);
    CHECK(rig.host().stored().size() == 3);
}

TEST_CASE("ACKs lost with the connection cause a resend that the host deduplicates", "[fw][app][link]")
{
    Captures caps;
    TempDir spoolDir;
    Rig rig(spoolDir.path(), caps.path(),
            "host hold\nplace green\nremove\nplace red\nremove\nlink down\nhost ack\nlink up\nwait 20\n");
    rig.run();
    CHECK(rig.host().received().size() == 4); // two first sends, two resends
    REQUIRE(rig.host().stored().size() == 2); // each stored exactly once
    for (const auto& id : rig.host().stored())
        CHECK(rig.host().timesReceived(id) == 2);
    std::size_t duplicates = 0;
    for (const auto& r : rig.host().received())
        duplicates += r.duplicate ? 1 : 0;
    CHECK(duplicates == 2);
    CHECK(rig.spool->count() == 0);
    CHECK(rig.app->stats().acked == 2);
}

TEST_CASE("a full spool refuses new captures with an amber blinking alarm and drops nothing",
          "[fw][app][spool]")
{
    Captures caps;
    TempDir spoolDir;
    spool::SpoolOptions so;
    so.maxEntries = 2;
    so.reserveBytes = 1024;
    LogCapture logs;
    Rig rig(spoolDir.path(), caps.path(),
            "host never\nplace green\nremove\nplace red\nremove\nplace amber\nremove\nwait 10\nplace amber\n",
            {}, so);
    rig.run(400);
    CHECK(rig.app->stats().reported == 2);
    CHECK(rig.app->stats().refused == 2);
    CHECK(rig.spool->count() == 2);
    CHECK(rig.app->spoolAlarm());
    CHECK((rig.app->faults() & link::kFaultStorage) != 0);
    CHECK(rig.emu.currentLed().colour == hal::LedColour::Amber);
    CHECK(rig.emu.currentLed().pattern == hal::LedPattern::Blinking);
    CHECK(logs.contains("spool full"));
    // The two spooled inspections are the first two documents; the refused ones were never captured.
    CHECK(rig.inspector.seen->size() == 2);
    CHECK(rig.host().received().size() == 2);

    // The host comes back and acknowledges: the alarm clears and captures work again.
    rig.emu.link->disconnect("test");
    rig.host().setAckMode(AckMode::Immediate);
    rig.emu.link->connect();
    rig.run(400);
    CHECK(rig.spool->count() == 0);
    CHECK_FALSE(rig.app->spoolAlarm());
    CHECK((rig.app->faults() & link::kFaultStorage) == 0);
}

TEST_CASE("a restarted firmware resends unacknowledged inspections in order, acknowledged ones never",
          "[fw][app][spool]")
{
    Captures caps;
    TempDir spoolDir;
    std::vector<link::InspectionId> firstRun;
    link::InspectionId acked;
    {
        Rig rig(spoolDir.path(), caps.path(),
                "place green\nremove\nhost never\nplace red\nremove\nplace amber\nremove\n");
        rig.run(300);
        REQUIRE(rig.host().received().size() == 3);
        acked = rig.host().received()[0].inspection.id;
        for (const auto& r : rig.host().received())
            firstRun.push_back(r.inspection.id);
        REQUIRE(rig.spool->count() == 2);
    } // "power off": the app, spool and board objects die
    Rig rig(spoolDir.path(), caps.path(), "wait 10\n");
    REQUIRE(rig.spool->count() == 2);
    rig.run();
    REQUIRE(rig.host().received().size() == 2);
    CHECK(rig.host().received()[0].inspection.id == firstRun[1]);
    CHECK(rig.host().received()[1].inspection.id == firstRun[2]);
    CHECK(rig.host().received()[0].resend);
    CHECK(rig.host().timesReceived(acked) == 0);
    CHECK(rig.spool->count() == 0);
    CHECK(rig.app->stats().resent == 2);
}

TEST_CASE("a capture folder that cannot be decoded is a camera fault, not a crash", "[fw][app]")
{
    Captures caps;
    TempDir spoolDir;
    std::filesystem::create_directories(caps.path() / "broken");
    {
        std::ofstream junk(caps.path() / "broken" / "white.png", std::ios::binary);
        junk << "\x89PNG\r\n\x1a\n this is not a png";
    }
    Rig rig(spoolDir.path(), caps.path(), "place broken\nremove\nplace green\n");
    rig.run();
    CHECK(rig.app->stats().failed == 1);
    CHECK(rig.app->stats().reported == 1);
    CHECK(rig.host().stored().size() == 1);
}

TEST_CASE("an inspection error from vision is a fault and reports nothing", "[fw][app]")
{
    Captures caps;
    TempDir spoolDir;
    Inspector failing = [](const vision::CaptureSet&,
                           const vision::InspectionSettings&) -> Result<vision::InspectionReport> {
        return fail(Errc::InvalidArgument, "frames of different sizes");
    };
    Rig rig(spoolDir.path(), caps.path(), "place green\n", {}, {}, Rig::defaultSettings(), failing);
    rig.run(100);
    CHECK(rig.app->state() == AppState::Fault);
    CHECK(rig.host().received().empty());
    CHECK(rig.spool->count() == 0);
}

TEST_CASE("PNG or JPEG images, scaled frames, and no-image reports", "[fw][app]")
{
    Captures caps;
    SECTION("jpeg (default) and png")
    {
        for (const auto enc : {link::ImageEncoding::Jpeg, link::ImageEncoding::Png}) {
            TempDir spoolDir;
            auto s = Rig::defaultSettings();
            s.encoding.encoding = enc;
            s.encoding.jpegQuality = 70;
            Rig rig(spoolDir.path(), caps.path(), "place green\n", {}, {}, s);
            rig.run();
            REQUIRE(rig.host().received().size() == 1);
            const auto& imgs = rig.host().received()[0].inspection.images;
            REQUIRE(imgs.size() == 3);
            for (const auto& i : imgs) {
                CHECK(i.encoding == enc);
                CHECK(i.bytes[0] == (enc == link::ImageEncoding::Jpeg ? 0xFF : 0x89));
            }
        }
        CHECK(ImageEncodingOptions{}.encoding == link::ImageEncoding::Jpeg);
    }
    SECTION("normalised mode without normalised images sends the frames scaled to the transport resolution")
    {
        TempDir spoolDir;
        auto s = Rig::defaultSettings();
        s.images = ImagesToSend::Normalised;
        s.encoding.encoding = link::ImageEncoding::Png;
        s.transportPixelsPerMm = 4.0; // the capture is 8 px/mm: half size
        Rig rig(spoolDir.path(), caps.path(), "place green\n", {}, {}, s);
        rig.run();
        REQUIRE(rig.host().received().size() == 1);
        const auto& img = rig.host().received()[0].inspection.images.at(0);
        // PNG IHDR: width and height big-endian at bytes 16..23.
        REQUIRE(img.bytes.size() > 24);
        const auto be32 = [&](std::size_t o) {
            return (std::uint32_t(img.bytes[o]) << 24) | (std::uint32_t(img.bytes[o + 1]) << 16) |
                   (std::uint32_t(img.bytes[o + 2]) << 8) | std::uint32_t(img.bytes[o + 3]);
        };
        CHECK(be32(16) == 32);
        CHECK(be32(20) == 24);
    }
    SECTION("none, and no IR/UV lights")
    {
        TempDir spoolDir;
        auto s = Rig::defaultSettings();
        s.images = ImagesToSend::None;
        s.captureIr = false;
        s.captureUv = false;
        Rig rig(spoolDir.path(), caps.path(), "place green\n", {}, {}, s);
        rig.run();
        REQUIRE(rig.host().received().size() == 1);
        CHECK(rig.host().received()[0].inspection.images.empty());
        REQUIRE(rig.inspector.seen->size() == 1);
        CHECK_FALSE(rig.inspector.seen->front().hasIr);
        CHECK(rig.emu.framesCaptured() == 2); // dark + white
    }
}

TEST_CASE("the real vision library inspects the emulator's frames: no MRZ on the glass is AMBER", "[fw][app]")
{
    Captures caps;
    TempDir spoolDir;
    // An empty Inspector makes the app use vision::inspect itself.
    Rig rig(spoolDir.path(), caps.path(), "place green\n", {}, {}, Rig::defaultSettings(), Inspector{});
    rig.run();
    REQUIRE(rig.app->stats().reported == 1);
    CHECK(rig.app->stats().lastVerdict == vision::Verdict::Amber); // vision: no readable MRZ -> AMBER
    REQUIRE(rig.host().stored().size() == 1);
    const auto& json = rig.host().received()[0].inspection.reportJson;
    CHECK(json.find("\"verdict\"") != std::string::npos);
    CHECK(json.find("AMBER") != std::string::npos);
    CHECK(rig.emu.currentLed().colour == hal::LedColour::Amber);
}
