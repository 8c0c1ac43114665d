// SPDX-License-Identifier: Apache-2.0
// gw-firmware: the scanner firmware's entry point; brings up the selected board and runs the application.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gw/fw/board_config.h>
#include <gw/fw/log.h>
#include <gw/fw/scanner_app.h>
#include <gw/hal/board.h>
#include <gw/hal/system_devices.h>
#include <gw/spool/spool.h>
#include <gw/vision/seal.h>
#include <gw/vision/thresholds.h>

#include "thresholds_loader.h"
#include "transport.h"
#include "trust_store_loader.h"
#include "viz_model_loader.h"

namespace {

volatile std::sig_atomic_t gStop = 0;

void onSignal(int)
{
    gStop = 1;
}

constexpr std::string_view kUsage =
    R"(usage: gw-firmware [options]
  --board-json FILE   board configuration (default: the built board's board.json); --config is the same
  --spool DIR         spool folder (default: ./spool)
  --spool-limit-mb N  spool capacity in MiB (default 512)
  --scenario FILE     emulator: the scenario to play (boards/emulator/scenarios/)
  --captures DIR      emulator: folder the scenario's capture paths are relative to (default: its folder)
  --host HOST:PORT    host station over TLS 1.3 (with --tls-ca, --tls-cert, --tls-key [--server-name])
  --usb-ffs DIR       host station over USB device mode: the FunctionFS mount point
                      (without either, the board's built-in link: the emulator's in-memory host)
  --images none|normalised|captured   images sent with each inspection (default normalised)
  --format png|jpeg   image encoding (default jpeg); --jpeg-quality 1..100 (default 90)
  --device-id ID      HELLO device id (default GW-<BOARD>-0001)
  --trust-store DIR   seal signer certificates (PEM/DER); default $GW_TRUST_STORE, else none (seals AMBER)
  --thresholds FILE   overrides of the built-in check thresholds (vision/config/thresholds.json)
  --viz-model FILE    Tesseract model for reading the visual zone, or none (default: Debian's
                      eng.traineddata when installed, else viz.mrz_consistency is not_supported)
  --log-level debug|info|warning|error
  --max-seconds N     stop after N seconds (0: run until the board is finished or a signal)
)";

struct Options {
    std::filesystem::path boardJson;
    std::filesystem::path spool = "spool";
    std::uint64_t spoolLimitMb = 512;
    std::filesystem::path scenario;
    std::filesystem::path captures;
    gw::fw::TransportOptions transport;
    gw::fw::ImagesToSend images = gw::fw::ImagesToSend::Normalised;
    gw::fw::ImageEncodingOptions encoding;
    std::string deviceId;
    double maxSeconds = 0;
    std::optional<std::string> trustStore;
    std::filesystem::path thresholds;
    std::string vizModel; // empty: the default when installed; "none": off
};

std::optional<long long> toInt(std::string_view s)
{
    try {
        std::size_t used = 0;
        const long long v = std::stoll(std::string(s), &used);
        if (used != s.size())
            return std::nullopt;
        return v;
    } catch (...) {
        return std::nullopt;
    }
}

gw::Result<Options> parseArgs(int argc, char** argv)
{
    Options o;
#ifdef GW_BOARD_JSON
    o.boardJson = GW_BOARD_JSON;
#endif
    std::vector<std::string_view> args(argv + 1, argv + argc);
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view a = args[i];
        if (a == "-h" || a == "--help") {
            std::fputs(kUsage.data(), stdout);
            std::exit(0);
        }
        if (i + 1 >= args.size())
            return gw::fail(gw::Errc::InvalidArgument,
                            "option " + std::string(a) + " needs a value or is unknown");
        const std::string_view v = args[++i];
        if (a == "--board-json" || a == "--config") {
            o.boardJson = v;
        } else if (a == "--spool") {
            o.spool = v;
        } else if (a == "--spool-limit-mb") {
            const auto n = toInt(v);
            if (!n || *n < 1 || *n > 1'000'000)
                return gw::fail(gw::Errc::InvalidArgument, "--spool-limit-mb must be 1..1000000");
            o.spoolLimitMb = static_cast<std::uint64_t>(*n);
        } else if (a == "--scenario") {
            o.scenario = v;
        } else if (a == "--captures") {
            o.captures = v;
        } else if (a == "--host") {
            o.transport.host = v;
        } else if (a == "--tls-ca") {
            o.transport.caFile = v;
        } else if (a == "--tls-cert") {
            o.transport.certFile = v;
        } else if (a == "--tls-key") {
            o.transport.keyFile = v;
        } else if (a == "--server-name") {
            o.transport.serverName = v;
        } else if (a == "--usb-ffs") {
            o.transport.usbFunctionFs = v;
        } else if (a == "--images") {
            if (v == "none")
                o.images = gw::fw::ImagesToSend::None;
            else if (v == "normalised")
                o.images = gw::fw::ImagesToSend::Normalised;
            else if (v == "captured")
                o.images = gw::fw::ImagesToSend::Captured;
            else
                return gw::fail(gw::Errc::InvalidArgument, "--images must be none, normalised or captured");
        } else if (a == "--format") {
            if (v == "png")
                o.encoding.encoding = gw::link::ImageEncoding::Png;
            else if (v == "jpeg")
                o.encoding.encoding = gw::link::ImageEncoding::Jpeg;
            else
                return gw::fail(gw::Errc::InvalidArgument, "--format must be png or jpeg");
        } else if (a == "--jpeg-quality") {
            const auto n = toInt(v);
            if (!n || *n < 1 || *n > 100)
                return gw::fail(gw::Errc::InvalidArgument, "--jpeg-quality must be 1..100");
            o.encoding.jpegQuality = static_cast<int>(*n);
        } else if (a == "--device-id") {
            o.deviceId = v;
        } else if (a == "--trust-store") {
            o.trustStore = std::string(v);
        } else if (a == "--thresholds") {
            o.thresholds = v;
        } else if (a == "--viz-model") {
            o.vizModel = v;
        } else if (a == "--log-level") {
            if (v == "debug")
                gw::fw::setLogLevel(gw::fw::LogLevel::Debug);
            else if (v == "info")
                gw::fw::setLogLevel(gw::fw::LogLevel::Info);
            else if (v == "warning")
                gw::fw::setLogLevel(gw::fw::LogLevel::Warning);
            else if (v == "error")
                gw::fw::setLogLevel(gw::fw::LogLevel::Error);
            else
                return gw::fail(gw::Errc::InvalidArgument,
                                "--log-level must be debug, info, warning or error");
        } else if (a == "--max-seconds") {
            const auto n = toInt(v);
            if (!n || *n < 0)
                return gw::fail(gw::Errc::InvalidArgument, "--max-seconds must be >= 0");
            o.maxSeconds = static_cast<double>(*n);
        } else {
            return gw::fail(gw::Errc::InvalidArgument, "unknown option " + std::string(a));
        }
    }
    if (o.boardJson.empty())
        return gw::fail(gw::Errc::InvalidArgument, "--board-json is required");
    return o;
}

// What the inspection needs from disk: the seal trust store, a lab's thresholds, the VIZ OCR model.
gw::Result<void> loadInspectionData(const Options& o, gw::fw::AppSettings& settings)
{
    if (const auto dir = gw::tools::resolveTrustStoreDir(o.trustStore, std::nullopt)) {
        auto store = gw::tools::loadTrustStore(*dir);
        if (!store)
            return gw::fail(store.error().code(),
                            "trust store " + dir->string() + ": " + store.error().message());
        for (const auto& w : store->warnings())
            GW_LOG(App, Warning) << "trust store: " << w;
        settings.trustStore = std::make_shared<const gw::vision::TrustStore>(std::move(*store));
    } else {
        GW_LOG(App, Warning) << "no seal trust store configured: every seal signer is unknown (AMBER)";
    }
    if (!o.thresholds.empty()) {
        auto table = gw::tools::loadThresholds(o.thresholds);
        if (!table)
            return std::unexpected(table.error());
        GW_LOG(App, Info) << "thresholds " << table->version() << " from " << o.thresholds.string();
        settings.thresholds = std::make_shared<const gw::vision::Thresholds>(std::move(*table));
    }
    if (o.vizModel == "none")
        return {};
    std::error_code ec;
    if (o.vizModel.empty() && !std::filesystem::exists(gw::tools::kDefaultVizModel, ec)) {
        GW_LOG(App, Warning) << "no VIZ model at " << gw::tools::kDefaultVizModel
                             << " (package tesseract-ocr-eng): viz.mrz_consistency is not_supported";
        return {};
    }
    auto reader = o.vizModel.empty() ? gw::tools::loadVizReader() : gw::tools::loadVizReader(o.vizModel);
    if (!reader)
        return std::unexpected(reader.error());
    settings.vizReader = std::move(*reader);
    return {};
}

int run(int argc, char** argv)
{
    auto opts = parseArgs(argc, argv);
    if (!opts) {
        std::fprintf(stderr, "gw-firmware: %s\n%s", opts.error().message().c_str(), kUsage.data());
        return 2;
    }
    auto config = gw::fw::loadBoardConfig(opts->boardJson);
    if (!config) {
        GW_LOG(App, Error) << config.error().describe();
        return 1;
    }
    gw::hal::SystemClock clock;
    gw::hal::BoardOptions boardOptions;
    boardOptions.config = *config;
    boardOptions.boardJson = opts->boardJson;
    boardOptions.spoolDirectory = opts->spool;
    boardOptions.scenarioFile = opts->scenario;
    boardOptions.capturesRoot = opts->captures;
    boardOptions.clock = &clock;
    auto board = gw::hal::createBoard(boardOptions);
    if (!board) {
        GW_LOG(Hal, Error) << "board " << gw::hal::boardName() << ": " << board.error().describe();
        return 1;
    }
    // A transport on the command line replaces the board's built-in link (the emulator then talks to a
    // real host station).
    const bool useTransport = !opts->transport.host.empty() || !opts->transport.usbFunctionFs.empty();
    if (useTransport) {
        auto transport = gw::fw::openTransport(opts->transport);
        if (!transport) {
            GW_LOG(Link, Error) << transport.error().describe();
            return 1;
        }
        board->link = std::move(*transport);
    } else if (!board->link) {
        GW_LOG(Link, Error) << "board " << gw::hal::boardName()
                            << " has no built-in host link: give --host HOST:PORT or --usb-ffs DIR";
        return 1;
    }
    gw::spool::SpoolOptions spoolOptions;
    spoolOptions.limitBytes = opts->spoolLimitMb * 1024 * 1024;
    spoolOptions.reserveBytes =
        std::min<std::uint64_t>(spoolOptions.reserveBytes, spoolOptions.limitBytes / 4);
    auto spool = gw::spool::Spool::open(board->storage->spoolDirectory(), spoolOptions);
    if (!spool) {
        GW_LOG(Spool, Error) << spool.error().describe();
        return 1;
    }
    gw::fw::AppSettings settings;
    settings.board = *config;
    settings.firmwareVersion = GW_VERSION;
    settings.images = opts->images;
    settings.encoding = opts->encoding;
    if (!opts->deviceId.empty())
        settings.deviceId = opts->deviceId;
    if (auto ok = loadInspectionData(*opts, settings); !ok) {
        GW_LOG(App, Error) << ok.error().describe();
        return 1;
    }
    gw::fw::AppDevices devices{*board->camera, *board->lights, *board->sensor,      *board->indicator,
                               clock,          *board->link,   board->storage.get()};
    auto app = gw::fw::ScannerApp::create(devices, *spool, settings);
    if (!app) {
        GW_LOG(App, Error) << app.error().describe();
        return 1;
    }
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
    (*app)->start();
    const std::int64_t startUs = clock.monotonicUs();
    constexpr std::int64_t kPollUs = 2000; // 2 ms: sensor latency well below what an officer notices
    while (!gStop) {
        (*app)->step();
        // The emulator's in-memory host is part of the run: when it is down there is nobody to drain to. A
        // real host station may come back, so with a transport the run ends only with an empty spool.
        if (board->finished() && (useTransport ? spool->count() == 0 : (*app)->quiescent()))
            break;
        if (opts->maxSeconds > 0 &&
            static_cast<double>(clock.monotonicUs() - startUs) > opts->maxSeconds * 1e6) {
            GW_LOG(App, Warning) << "--max-seconds reached";
            break;
        }
        clock.sleepForUs(kPollUs);
    }
    const auto& s = (*app)->stats();
    GW_LOG(App, Info) << "stopping: " << s.placed << " placed, " << s.reported << " reported, " << s.aborted
                      << " aborted, " << s.failed << " failed, " << s.refused << " refused, " << s.acked
                      << " acknowledged; " << spool->count() << " left in the spool";
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "gw-firmware: unexpected exception: %s\n", e.what());
        return 70;
    }
}
