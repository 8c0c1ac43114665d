// SPDX-License-Identifier: Apache-2.0
// Firmware latency: document placed -> inspection ACKed by the host, on the emulator board with three
// lights (plus the dark frame), the real vision::inspect and the in-memory loopback host. Prints the
// median and p95 over the runs, excluding the board's configured settle and exposure times.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <unistd.h>
#include <vector>

#include <gw/emulator/capture_folder.h>
#include <gw/emulator/emulator.h>
#include <gw/fw/board_config.h>
#include <gw/fw/log.h>
#include <gw/fw/scanner_app.h>
#include <gw/hal/system_devices.h>
#include <gw/spool/spool.h>

#ifdef GW_BENCH_HAVE_SPECIMEN
#include <gw/specimen/specimen.h>
#endif

namespace {

namespace fs = std::filesystem;
using namespace gw;

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const double idx = p * static_cast<double>(v.size() - 1);
    const auto lo = static_cast<std::size_t>(idx);
    const std::size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (v[hi] - v[lo]) * (idx - static_cast<double>(lo));
}

double cpuSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// A synthetic capture when the specimen generator is not built: a bright page with dark strokes on a dark
// lid, so that PNG sizes and vision's work are closer to a real document than a flat frame.
Result<void> writeSynthetic(const fs::path& folder, int w, int h, double pixelsPerMm)
{
    emulator::CaptureFrames f;
    std::mt19937 rng(7);
    auto make = [&](vision::PixelFormat fmt, int paper) {
        vision::Image img;
        img.width = w;
        img.height = h;
        img.format = fmt;
        const int ch = vision::channels(fmt);
        img.pixels.resize(static_cast<std::size_t>(w) * static_cast<std::size_t>(h) *
                          static_cast<std::size_t>(ch));
        std::uniform_int_distribution<int> noise(-6, 6);
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x) {
                const bool page = x > w / 8 && x < w * 7 / 8 && y > h / 6 && y < h * 5 / 6;
                const bool stroke = page && ((x / 7 + y / 11) % 9 == 0);
                const int base = !page ? 20 : stroke ? 40 : paper;
                for (int c = 0; c < ch; ++c)
                    img.pixels[(static_cast<std::size_t>(y) * static_cast<std::size_t>(w) +
                                static_cast<std::size_t>(x)) *
                                   static_cast<std::size_t>(ch) +
                               static_cast<std::size_t>(c)] =
                        static_cast<std::uint8_t>(std::clamp(base + noise(rng), 0, 255));
            }
        return img;
    };
    f.white = make(vision::PixelFormat::Bgr8, 225);
    f.ir = make(vision::PixelFormat::Gray8, 180);
    f.uv = make(vision::PixelFormat::Bgr8, 35);
    f.pixelsPerMm = pixelsPerMm;
    return emulator::writeCaptureFolder(folder, f);
}

} // namespace

int main(int argc, char** argv)
{
    int runs = 50;
    double dpi = 600;
    fw::ImagesToSend images = fw::ImagesToSend::Normalised;
    link::ImageEncoding encoding = link::ImageEncoding::Jpeg;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string_view a = argv[i];
        const std::string_view v = argv[i + 1];
        if (a == "--runs")
            runs = std::max(1, std::atoi(argv[i + 1]));
        else if (a == "--dpi")
            dpi = std::clamp(std::atof(argv[i + 1]), 100.0, 1200.0);
        else if (a == "--images")
            images = v == "none"       ? fw::ImagesToSend::None
                     : v == "captured" ? fw::ImagesToSend::Captured
                                       : fw::ImagesToSend::Normalised;
        else if (a == "--format")
            encoding = v == "png" ? link::ImageEncoding::Png : link::ImageEncoding::Jpeg;
    }
    fw::setLogLevel(fw::LogLevel::Warning);

    const fs::path work = fs::temp_directory_path() / ("gw-bench-firmware-" + std::to_string(::getpid()));
    fs::remove_all(work);
    fs::create_directories(work);
    const double pixelsPerMm = dpi / 25.4;
    std::string source = "synthetic";
#ifdef GW_BENCH_HAVE_SPECIMEN
    {
        specimen::SpecimenSpec spec;
        spec.seed = 20260115;
        spec.dpi = dpi;
        spec.clean = false;
        auto cap = specimen::renderSpecimen(spec);
        if (cap) {
            emulator::CaptureFrames f;
            auto toImage = [](const cv::Mat& m, vision::PixelFormat fmt) {
                vision::Image img;
                img.width = m.cols;
                img.height = m.rows;
                img.format = fmt;
                const cv::Mat c = m.isContinuous() ? m : m.clone();
                img.pixels.assign(c.data, c.data + c.total() * c.elemSize());
                return img;
            };
            f.white = toImage(cap->white, vision::PixelFormat::Bgr8);
            f.ir = toImage(cap->ir, vision::PixelFormat::Gray8);
            f.uv = toImage(cap->uv, vision::PixelFormat::Bgr8);
            f.pixelsPerMm = pixelsPerMm;
            if (emulator::writeCaptureFolder(work / "doc", f))
                source = "specimen TD3 genuine, seed 20260115";
        }
    }
#endif
    if (source == "synthetic") {
        if (auto r = writeSynthetic(work / "doc", static_cast<int>(160 * pixelsPerMm),
                                    static_cast<int>(120 * pixelsPerMm), pixelsPerMm);
            !r) {
            std::fprintf(stderr, "bench_firmware: %s\n", r.error().describe().c_str());
            return 1;
        }
    }

    auto config = fw::loadBoardConfig(fs::path(GW_SOURCE_DIR) / "boards/emulator/board.json");
    if (!config) {
        std::fprintf(stderr, "bench_firmware: %s\n", config.error().describe().c_str());
        return 1;
    }
    std::string scenarioText;
    for (int i = 0; i < runs; ++i)
        scenarioText += "place doc\nremove\n";
    auto scenario = emulator::parseScenario(scenarioText);

    hal::SystemClock clock;
    hal::BoardOptions bo;
    bo.config = *config;
    bo.capturesRoot = work;
    bo.spoolDirectory = work / "spool";
    bo.clock = &clock;
    emulator::EmulatorOptions eo;
    eo.scenario = *scenario;
    auto emu = emulator::createEmulator(bo, eo);
    auto spool = spool::Spool::open(work / "spool");
    if (!emu || !spool) {
        std::fprintf(stderr, "bench_firmware: cannot set up the emulator or the spool\n");
        return 1;
    }
    fw::AppSettings settings;
    settings.board = *config;
    settings.images = images;
    settings.encoding.encoding = encoding;
    fw::AppDevices dev{
        *emu->devices.camera, *emu->devices.lights,      *emu->devices.sensor, *emu->devices.indicator, clock,
        *emu->devices.link,   emu->devices.storage.get()};
    auto app = fw::ScannerApp::create(dev, *spool, settings);
    if (!app) {
        std::fprintf(stderr, "bench_firmware: %s\n", app.error().describe().c_str());
        return 1;
    }
    (*app)->start();

    std::vector<double> totalMs, captureMs, inspectMs, encodeMs, spoolMs;
    std::size_t green = 0, amber = 0, red = 0;
    std::uint32_t acked = 0;
    const double cpu0 = cpuSeconds();
    const std::int64_t wall0 = clock.monotonicUs();
    while (!(emu->finished() && (*app)->quiescent())) {
        (*app)->step();
        const auto& s = (*app)->stats();
        if (s.acked != acked) {
            acked = s.acked;
            totalMs.push_back(static_cast<double>(s.lastPlacedToAckUs - s.lastConfiguredLightUs) / 1000.0);
            captureMs.push_back(static_cast<double>(s.lastStages.captureUs - s.lastConfiguredLightUs) /
                                1000.0);
            inspectMs.push_back(static_cast<double>(s.lastStages.inspectUs) / 1000.0);
            encodeMs.push_back(static_cast<double>(s.lastStages.encodeUs) / 1000.0);
            spoolMs.push_back(static_cast<double>(s.lastStages.spoolUs) / 1000.0);
            if (s.lastVerdict == vision::Verdict::Green)
                ++green;
            else if (s.lastVerdict == vision::Verdict::Red)
                ++red;
            else
                ++amber;
        }
        if (static_cast<double>(clock.monotonicUs() - wall0) > 600e6)
            break; // ten minutes: something is stuck
    }
    const double cpuPerDoc =
        (cpuSeconds() - cpu0) / static_cast<double>(std::max<std::size_t>(totalMs.size(), 1)) * 1000.0;
    double load = 0;
    if (std::ifstream la("/proc/loadavg"); la)
        la >> load;
    std::printf("bench_firmware: document placed -> ACK on the emulator (white+IR+UV+dark, real vision, "
                "in-memory host), excluding configured settle/exposure\n");
    std::printf("  capture: %s, %.0f dpi (%.2f px/mm); images: %s %s\n", source.c_str(), dpi, pixelsPerMm,
                images == fw::ImagesToSend::None       ? "none"
                : images == fw::ImagesToSend::Captured ? "captured"
                                                       : "normalised",
                encoding == link::ImageEncoding::Png ? "png" : "jpeg");
    std::printf("  runs acked: %zu of %d  verdicts: %zu green, %zu amber, %zu red\n", totalMs.size(), runs,
                green, amber, red);
    std::printf("  placed->ACK  median %.1f ms  p95 %.1f ms  min %.1f ms  max %.1f ms\n",
                percentile(totalMs, 0.5), percentile(totalMs, 0.95), percentile(totalMs, 0.0),
                percentile(totalMs, 1.0));
    std::printf("  stage medians: capture %.1f ms, inspect %.1f ms, encode %.1f ms, spool %.1f ms\n",
                percentile(captureMs, 0.5), percentile(inspectMs, 0.5), percentile(encodeMs, 0.5),
                percentile(spoolMs, 0.5));
    std::printf("  process CPU per document %.1f ms; load average at the end %.2f on %u cores\n", cpuPerDoc,
                load, std::max(1u, std::thread::hardware_concurrency()));
    fs::remove_all(work);
    return totalMs.size() == static_cast<std::size_t>(runs) ? 0 : 1;
}
