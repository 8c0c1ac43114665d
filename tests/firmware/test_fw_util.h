// SPDX-License-Identifier: Apache-2.0
// Helpers shared by the firmware tests: temp folders, synthetic capture folders, a scripted inspector and a
// harness that runs the real ScannerApp on the emulator board in virtual time.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <unistd.h>
#include <vector>

#include <gw/emulator/capture_folder.h>
#include <gw/emulator/emulator.h>
#include <gw/emulator/manual_clock.h>
#include <gw/fw/log.h>
#include <gw/fw/scanner_app.h>
#include <gw/spool/spool.h>

namespace gw::fw::test {

/// A fresh folder under the system temp dir, removed when the object dies.
class TempDir {
public:
    TempDir()
    {
        static std::atomic<int> counter{0};
        path_ = std::filesystem::temp_directory_path() /
                ("gw-fw-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
                 std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
        std::filesystem::create_directories(path_);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir()
    {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

private:
    std::filesystem::path path_;
};

inline vision::Image solidImage(int w, int h, vision::PixelFormat f, std::uint8_t value)
{
    vision::Image img;
    img.width = w;
    img.height = h;
    img.format = f;
    img.pixels.assign(static_cast<std::size_t>(w) * static_cast<std::size_t>(h) *
                          static_cast<std::size_t>(vision::channels(f)),
                      value);
    return img;
}

/// A small synthetic capture whose white frame is uniformly @p whiteLevel (the scripted inspector reads
/// its verdict from it) and an optional dark frame of @p darkLevel.
inline void writeSyntheticCapture(const std::filesystem::path& folder, std::uint8_t whiteLevel,
                                  std::optional<std::uint8_t> darkLevel = std::nullopt, int w = 64,
                                  int h = 48)
{
    emulator::CaptureFrames f;
    f.white = solidImage(w, h, vision::PixelFormat::Bgr8, whiteLevel);
    f.ir = solidImage(w, h, vision::PixelFormat::Gray8, static_cast<std::uint8_t>(whiteLevel / 2));
    f.uv = solidImage(w, h, vision::PixelFormat::Bgr8, 30);
    if (darkLevel)
        f.dark = solidImage(w, h, vision::PixelFormat::Bgr8, *darkLevel);
    f.pixelsPerMm = 8.0;
    auto r = emulator::writeCaptureFolder(folder, f);
    if (!r)
        throw std::runtime_error(r.error().describe());
}

/// White levels the scripted inspector maps to verdicts (anything else: AMBER).
inline constexpr std::uint8_t kGreenLevel = 200;
inline constexpr std::uint8_t kRedLevel = 100;
inline constexpr std::uint8_t kAmberLevel = 150;

/// Personal data the scripted inspector puts into every report; it must never reach a log line.
inline constexpr const char* kSecretSurname = "VANDERMEULEN";
inline constexpr const char* kSecretMrzLine = "P<UTOVANDERMEULEN<<ANNA<MARIA<<<<<<<<<<<<<<<";

/// An inspector that decides from the white frame's first pixel and records what it saw.
struct ScriptedInspector {
    struct Seen {
        std::uint8_t white0 = 0;
        bool hasIr = false, hasUv = false;
        double pixelsPerMm = 0;
        std::string date;
    };
    std::shared_ptr<std::vector<Seen>> seen = std::make_shared<std::vector<Seen>>();

    Inspector fn() const
    {
        auto log = seen;
        return [log](const vision::CaptureSet& c,
                     const vision::InspectionSettings& s) -> Result<vision::InspectionReport> {
            if (!c.white.valid())
                return fail(Errc::InvalidArgument, "no white frame");
            log->push_back(
                Seen{c.white.data[0], c.ir.has_value(), c.uv.has_value(), c.pixelsPerMm, s.inspectionDate});
            vision::InspectionReport r;
            const std::uint8_t v = c.white.data[0];
            r.verdict = v == kGreenLevel ? vision::Verdict::Green
                        : v == kRedLevel ? vision::Verdict::Red
                                         : vision::Verdict::Amber;
            vision::MrzRead mrz;
            mrz.record.fields.surname = kSecretSurname;
            mrz.record.lines = {kSecretMrzLine, "L898902C36UTO7408122F1204159ZE184226B<<<<<10"};
            r.mrz = mrz;
            return r;
        };
    }
};

/// Captures every log line for assertions (restores the default sink when destroyed).
class LogCapture {
public:
    LogCapture()
    {
        setLogLevel(LogLevel::Debug);
        setLogSink([lines = lines_](const LogRecord& r) { lines->push_back(r); });
    }
    LogCapture(const LogCapture&) = delete;
    LogCapture& operator=(const LogCapture&) = delete;
    ~LogCapture()
    {
        setLogSink({});
        setLogLevel(LogLevel::Info);
    }
    [[nodiscard]] const std::vector<LogRecord>& lines() const { return *lines_; }
    [[nodiscard]] bool contains(std::string_view text) const
    {
        for (const auto& l : *lines_)
            if (l.message.find(text) != std::string::npos)
                return true;
        return false;
    }

private:
    std::shared_ptr<std::vector<LogRecord>> lines_ = std::make_shared<std::vector<LogRecord>>();
};

inline hal::BoardConfig testBoardConfig()
{
    hal::BoardConfig c;
    c.board = "emulator";
    c.camera = {64, 48};
    c.glassWidthMm = 8;
    c.glassHeightMm = 6;
    c.pixelsPerMm = 8;
    c.white = {1000, 5000};
    c.ir = {2000, 8000};
    c.uv = {3000, 20000};
    c.dark = {0, 5000};
    return c;
}

/// The real application on the emulator board, in virtual time.
struct Rig {
    emulator::ManualClock clock;
    emulator::Emulator emu;
    std::optional<spool::Spool> spool;
    std::unique_ptr<ScannerApp> app;
    ScriptedInspector inspector;

    Rig(const std::filesystem::path& spoolDir, const std::filesystem::path& captures,
        std::string_view scenario, emulator::EmulatorOptions emuOptions = {},
        spool::SpoolOptions spoolOptions = {}, AppSettings settings = defaultSettings(),
        std::optional<Inspector> realInspector = std::nullopt, hal::HostLink* linkOverride = nullptr)
    {
        auto sc = emulator::parseScenario(scenario);
        if (!sc)
            throw std::runtime_error(sc.error().describe());
        emuOptions.scenario = *sc;
        hal::BoardOptions bo;
        bo.config = settings.board;
        bo.spoolDirectory = spoolDir;
        bo.capturesRoot = captures;
        bo.clock = &clock;
        auto e = emulator::createEmulator(bo, emuOptions);
        if (!e)
            throw std::runtime_error(e.error().describe());
        emu = std::move(*e);
        auto s = spool::Spool::open(spoolDir, spoolOptions);
        if (!s)
            throw std::runtime_error(s.error().describe());
        spool.emplace(std::move(*s));
        AppDevices dev{*emu.devices.camera,
                       *emu.devices.lights,
                       *emu.devices.sensor,
                       *emu.devices.indicator,
                       clock,
                       linkOverride != nullptr ? *linkOverride : *emu.devices.link,
                       emu.devices.storage.get()};
        auto a = ScannerApp::create(dev, *spool, settings, realInspector ? *realInspector : inspector.fn());
        if (!a)
            throw std::runtime_error(a.error().describe());
        app = std::move(*a);
        app->start();
    }

    static AppSettings defaultSettings()
    {
        AppSettings s;
        s.board = testBoardConfig();
        s.images = ImagesToSend::Captured;
        return s;
    }

    /// Steps (2 ms of virtual time each) until the scenario ended and the spool drained, or @p maxSteps.
    /// @return the steps taken
    int run(int maxSteps = 20000)
    {
        int i = 0;
        for (; i < maxSteps; ++i) {
            app->step();
            if (emu.finished() && app->quiescent())
                break;
            clock.advanceUs(2000);
        }
        // A few more turns so that ACKs and STATUS in flight are processed.
        for (int k = 0; k < 5; ++k) {
            app->step();
            clock.advanceUs(2000);
        }
        return i;
    }

    [[nodiscard]] emulator::LoopbackHost& host() { return emu.link->host(); }
};

} // namespace gw::fw::test
