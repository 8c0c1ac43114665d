// SPDX-License-Identifier: Apache-2.0
// docinspect: the lab's command line over libdocvision (one capture, or a folder of captures).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <unistd.h>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <gw/vision/inspection.h>
#include <gw/vision/mrz.h>
#include <gw/vision/seal.h>
#include <gw/vision/version.h>

#include "capture_files.h"
#include "thresholds_loader.h"
#include "trust_store_loader.h"
#include "viz_model_loader.h"

namespace fs = std::filesystem;
using namespace gw;

namespace {

constexpr int kExitUnusable = 2;

std::string todayUtc()
{
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    return buf;
}

struct Options {
    std::string date;
    double ppm = -1; // -1: from capture.json (or unknown)
    bool pretty = false;
    std::optional<std::string> trustStoreDir;
    std::shared_ptr<const vision::TrustStore> trustStore;
    std::string vizModel = tools::kDefaultVizModel; // "none" disables viz.mrz_consistency
    std::shared_ptr<vision::VizTextReader> vizReader;
    std::string thresholdsFile; // a lab's overrides of vision/config/thresholds.json
    std::shared_ptr<const vision::Thresholds> thresholds;
};

vision::InspectionSettings settingsFor(const Options& o)
{
    vision::InspectionSettings s;
    s.inspectionDate = o.date.empty() ? todayUtc() : o.date;
    s.trustStore = o.trustStore;
    s.vizReader = o.vizReader;
    s.thresholds = o.thresholds;
    s.stopwatchUs = [] {
        return std::chrono::duration_cast<std::chrono::microseconds>(
                   std::chrono::steady_clock::now().time_since_epoch())
            .count();
    };
    return s;
}

// Inspects one capture into a JSON object, or an error.
Result<nlohmann::json> inspectOne(const fs::path& path, const Options& o)
{
    auto loaded = tools::loadCapture(path);
    if (!loaded)
        return std::unexpected(loaded.error());
    auto capture = loaded->captureSet();
    if (o.ppm >= 0)
        capture.pixelsPerMm = o.ppm;
    const auto settings = settingsFor(o);
    auto report = vision::inspect(capture, settings);
    if (!report)
        return std::unexpected(report.error());
    auto j = nlohmann::json::parse(vision::reportToJson(*report));
    j["inspection_date"] = settings.inspectionDate;
    return j;
}

void progress(std::size_t done, std::size_t total)
{
    constexpr int kWidth = 40;
    const int filled = total == 0 ? kWidth : int(kWidth * done / total);
    std::fprintf(stderr, "\r[%s%s] %zu/%zu", std::string(std::size_t(filled), '#').c_str(),
                 std::string(std::size_t(kWidth - filled), ' ').c_str(), done, total);
    if (done == total)
        std::fputc('\n', stderr);
    std::fflush(stderr);
}

int runInspect(const std::string& capture, const Options& o)
{
    auto j = inspectOne(capture, o);
    if (!j) {
        std::cerr << "docinspect: " << capture << ": " << j.error().describe() << "\n";
        return kExitUnusable;
    }
    std::cout << j->dump(o.pretty ? 2 : -1) << "\n";
    return 0;
}

int runBatch(const std::string& root, const Options& o)
{
    std::error_code ec;
    if (!fs::is_directory(root, ec)) {
        std::cerr << "docinspect: " << root << " is not a folder\n";
        return kExitUnusable;
    }
    std::vector<fs::path> captures;
    for (const auto& e : fs::directory_iterator(root, ec))
        if (e.is_directory())
            captures.push_back(e.path());
    std::ranges::sort(captures);
    const bool tty = isatty(STDERR_FILENO) != 0;
    std::size_t done = 0;
    for (const auto& c : captures) {
        auto j = inspectOne(c, o);
        nlohmann::json line;
        if (j) {
            line = std::move(*j);
        } else {
            line = {{"error", j.error().describe()}};
        }
        line["capture"] = c.filename().string();
        std::cout << line.dump() << "\n" << std::flush;
        if (tty)
            progress(++done, captures.size());
    }
    return 0;
}

// One CSV field: quoted when it holds a separator, a quote or a line break.
std::string csvField(const std::string& v)
{
    if (v.find_first_of(",\"\n") == std::string::npos)
        return v;
    std::string q = "\"";
    for (char c : v)
        q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
}

// For the lab's tuning: one CSV row per capture and check, with the margin and every measured figure.
int runMargins(const std::string& path, const Options& o)
{
    std::error_code ec;
    std::vector<fs::path> captures;
    const bool folderOfCaptures = fs::is_directory(path, ec) && !tools::loadCapture(path).has_value();
    if (folderOfCaptures) {
        for (const auto& e : fs::directory_iterator(path, ec))
            if (e.is_directory())
                captures.push_back(e.path());
        std::ranges::sort(captures);
    } else {
        captures.emplace_back(path);
    }
    std::cout << "capture,verdict,check,result,margin,measured\n";
    const bool tty = isatty(STDERR_FILENO) != 0;
    std::size_t done = 0;
    int unusable = 0;
    for (const auto& c : captures) {
        auto j = inspectOne(c, o);
        const std::string name = c.filename().string();
        if (!j) {
            std::cerr << "docinspect: " << c.string() << ": " << j.error().describe() << "\n";
            ++unusable;
        } else {
            for (const auto& check : (*j)["checks"]) {
                std::string measured;
                for (const auto& [k, v] : check["measured"].items())
                    measured += (measured.empty() ? "" : ";") + k + "=" + v.dump();
                std::cout << csvField(name) << ',' << (*j)["verdict"].get<std::string>() << ','
                          << check["id"].get<std::string>() << ',' << check["result"].get<std::string>()
                          << ',' << check["margin"].dump() << ',' << csvField(measured) << "\n";
            }
        }
        if (tty && captures.size() > 1)
            progress(++done, captures.size());
    }
    return unusable == 0 || captures.size() > 1 ? 0 : kExitUnusable;
}

int runParse(const std::vector<std::string>& lines)
{
    auto r = vision::parseMrz(lines);
    if (!r) {
        std::cerr << "docinspect: " << r.error().describe() << "\n";
        return kExitUnusable;
    }
    vision::InspectionReport report;
    vision::MrzRead read;
    read.record = *r;
    read.ocrLines = lines;
    read.minConfidence = 1.0f;
    read.pitchMm = 2.54;
    report.mrz = std::move(read);
    std::cout << nlohmann::json::parse(vision::reportToJson(report))["document"].dump(2) << "\n";
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    CLI::App app{"docinspect: inspect travel-document captures with libdocvision"};
    app.require_subcommand(1);
    Options o;
    std::string capture;
    std::string root;
    std::vector<std::string> mrzLines;
    auto addCommon = [&](CLI::App* sub) {
        sub->add_option("--date", o.date, "inspection date YYYY-MM-DD (default: today, UTC)");
        sub->add_option("--ppm", o.ppm, "capture resolution in px/mm (default: capture.json, else estimated)")
            ->check(CLI::Range(0.0, 200.0));
        sub->add_option("--trust-store", o.trustStoreDir,
                        "folder of seal signer certificates (PEM/DER); default: $GW_TRUST_STORE");
        sub->add_option("--thresholds", o.thresholdsFile,
                        "JSON file overriding values of vision/config/thresholds.json (see docs/checks.md)");
        sub->add_option("--viz-model", o.vizModel,
                        "Tesseract model for reading the visual zone, or 'none' (default: " +
                            std::string(tools::kDefaultVizModel) + ")");
    };
    auto* inspectCmd =
        app.add_subcommand("inspect", "inspect one capture folder or image; prints one JSON object");
    inspectCmd->add_option("CAPTURE", capture, "capture folder (white.png, ir.png, uv.png) or image file")
        ->required();
    inspectCmd->add_flag("--pretty", o.pretty, "indent the JSON");
    addCommon(inspectCmd);
    auto* batchCmd =
        app.add_subcommand("batch", "inspect every capture folder directly under ROOT; JSON lines");
    batchCmd->add_option("ROOT", root, "folder of capture folders")->required();
    addCommon(batchCmd);
    auto* marginsCmd = app.add_subcommand(
        "margins", "CSV of every check's result, margin and measured figures, for tuning thresholds");
    marginsCmd->add_option("PATH", root, "a capture, or a folder of capture folders")->required();
    addCommon(marginsCmd);
    auto* thresholdsCmd =
        app.add_subcommand("thresholds", "print the thresholds in effect (with --thresholds FILE applied)");
    thresholdsCmd->add_option("--thresholds", o.thresholdsFile, "a lab's thresholds file");
    auto* parseCmd = app.add_subcommand("parse-mrz", "parse MRZ text given as 2 or 3 lines");
    parseCmd->add_option("LINES", mrzLines, "the MRZ lines")->required();
    auto* versionCmd = app.add_subcommand("version", "print the versions of the engines");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : kExitUnusable;
    }
    if (!o.date.empty()) {
        // Validate early: a lab that mistypes the date must not get silently undetermined expiries.
        const bool shaped =
            o.date.size() == 10 && o.date[4] == '-' && o.date[7] == '-' &&
            std::ranges::all_of(o.date, [](char c) { return c == '-' || (c >= '0' && c <= '9'); });
        if (!shaped) {
            std::cerr << "docinspect: --date must be YYYY-MM-DD, got '" << o.date << "'\n";
            return kExitUnusable;
        }
    }
    if (const auto dir = tools::resolveTrustStoreDir(o.trustStoreDir, std::nullopt)) {
        auto store = tools::loadTrustStore(*dir);
        if (!store) {
            std::cerr << "docinspect: trust store " << dir->string() << ": " << store.error().describe()
                      << "\n";
            return kExitUnusable;
        }
        o.trustStore = std::make_shared<const vision::TrustStore>(std::move(*store));
    }
    if (!o.thresholdsFile.empty()) {
        auto table = tools::loadThresholds(o.thresholdsFile);
        if (!table) {
            std::cerr << "docinspect: " << table.error().describe() << "\n";
            return kExitUnusable;
        }
        o.thresholds = std::make_shared<const vision::Thresholds>(std::move(*table));
    }
    if (thresholdsCmd->parsed()) {
        std::cout << (o.thresholds ? *o.thresholds : vision::Thresholds::defaults()).toJson() << "\n";
        return 0;
    }
    if ((inspectCmd->parsed() || batchCmd->parsed() || marginsCmd->parsed()) && o.vizModel != "none") {
        // Created once per process: loading the model takes ~0.1 s, reading a line a few ms.
        auto reader = tools::loadVizReader(o.vizModel);
        if (!reader) {
            std::cerr << "docinspect: " << reader.error().describe() << "\n";
            return kExitUnusable;
        }
        o.vizReader = std::move(*reader);
    }
    if (inspectCmd->parsed())
        return runInspect(capture, o);
    if (batchCmd->parsed())
        return runBatch(root, o);
    if (marginsCmd->parsed())
        return runMargins(root, o);
    if (parseCmd->parsed())
        return runParse(mrzLines);
    if (versionCmd->parsed()) {
        const auto v = vision::engineVersions();
        std::cout << "docvision " << v.docvision << "\nopencv " << v.opencv << "\ntesseract " << v.tesseract
                  << "\nzxing-cpp " << v.zxing << "\n";
    }
    return 0;
}
