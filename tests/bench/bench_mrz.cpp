// SPDX-License-Identifier: Apache-2.0
// MRZ reader benchmark over a folder of specimen captures (with truth.json): read rate, per-field
// accuracy, silent misreads, time per capture, peak memory; and the same MRZ crops through our
// recogniser and through the stock `tesseract` command, side by side.
//   bench_mrz ROOT [--limit N] [--tesseract-crops K] [--quiet]      captures on disk (with truth.json)
//   bench_mrz --generate N [--seed S] [--tesseract-crops K] [--quiet]  rendered in memory, not timed
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <unistd.h>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <gw/specimen/specimen.h>
#include <gw/vision/inspection.h>
#include <gw/vision/mrz.h>
#include <gw/vision/mrz_ocr.h>

#include "bench_stats.h"
#include "capture_files.h"

namespace fs = std::filesystem;
using namespace gw;
using Clock = std::chrono::steady_clock;
using gw::bench::percentile;

namespace {

double msSince(Clock::time_point t0)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

std::size_t levenshtein(const std::string& a, const std::string& b)
{
    std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        prev[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j)
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

std::map<std::string, std::string> fieldMap(const vision::MrzRecord& r)
{
    const auto& f = r.fields;
    return {{"document_code", f.documentCode},     {"issuing_state", f.issuingState},
            {"document_number", f.documentNumber}, {"nationality", f.nationality},
            {"birth_date", f.birthDate},           {"sex", f.sex},
            {"expiry_date", f.expiryDate},         {"surname", f.surname},
            {"given_names", f.givenNames},         {"optional_data", f.optionalData},
            {"optional_data_2", f.optionalData2}};
}

// One genuine capture and what is true of it.
struct Sample {
    std::string name;
    cv::Mat white;
    cv::Mat ir; // the scanner captures IR too: the reader falls back to it where glare hides the MRZ
    double pixelsPerMm = 0;
    std::vector<std::string> mrz;
    std::string format;
    std::array<cv::Point2d, 4> corners; // TL, TR, BR, BL of the upright document, frame px
    double docWidthMm = 0;
    double docHeightMm = 0;
    vision::RectMm mrzBoxMm;
};

// The MRZ box of the truth, with a margin, warped upright at 12 px/mm: the crop both engines read.
cv::Mat truthCrop(const Sample& t)
{
    constexpr double kPpm = 12.0;
    constexpr double kMarginMm = 2.0;
    const cv::Point2f src[3] = {cv::Point2f(0, 0), cv::Point2f(float(t.docWidthMm), 0),
                                cv::Point2f(0, float(t.docHeightMm))};
    const cv::Point2f dst[3] = {cv::Point2f(t.corners[0]), cv::Point2f(t.corners[1]),
                                cv::Point2f(t.corners[3])};
    cv::Matx23d mmToPx(cv::getAffineTransform(src, dst));
    const double x0 = t.mrzBoxMm.x - kMarginMm;
    const double y0 = t.mrzBoxMm.y - kMarginMm;
    const double bw = t.mrzBoxMm.width + 2 * kMarginMm;
    const double bh = t.mrzBoxMm.height + 2 * kMarginMm;
    // out pixel (u, v) -> mm (x0 + u/ppm, y0 + v/ppm) -> frame px
    cv::Matx23d m;
    for (int r = 0; r < 2; ++r) {
        m(r, 0) = mmToPx(r, 0) / kPpm;
        m(r, 1) = mmToPx(r, 1) / kPpm;
        m(r, 2) = mmToPx(r, 0) * x0 + mmToPx(r, 1) * y0 + mmToPx(r, 2);
    }
    cv::Mat out;
    cv::warpAffine(t.white, out, cv::Mat(m), cv::Size(int(bw * kPpm), int(bh * kPpm)),
                   cv::INTER_LINEAR | cv::WARP_INVERSE_MAP, cv::BORDER_REPLICATE);
    cv::cvtColor(out, out, cv::COLOR_BGR2GRAY);
    return out;
}

std::optional<Sample> sampleFromFolder(const fs::path& dir)
{
    std::ifstream in(dir / "truth.json");
    const auto truth = nlohmann::json::parse(in, nullptr, false);
    if (truth.is_discarded() || truth.value("forgery", "genuine") != "genuine")
        return std::nullopt; // read accuracy is measured on genuine prints
    auto loaded = tools::loadCapture(dir);
    if (!loaded) {
        std::cerr << dir << ": " << loaded.error().describe() << "\n";
        return std::nullopt;
    }
    Sample s;
    s.name = dir.filename().string();
    s.white = loaded->white;
    s.ir = loaded->ir;
    const auto& g = truth["geometry"];
    s.pixelsPerMm = loaded->pixelsPerMm > 0 ? loaded->pixelsPerMm : g["pixels_per_mm"].get<double>();
    s.mrz = truth["mrz"].get<std::vector<std::string>>();
    s.format = truth["format"].get<std::string>();
    for (std::size_t i = 0; i < 4; ++i)
        s.corners[i] = {g["document_corners_px"][i][0].get<double>(),
                        g["document_corners_px"][i][1].get<double>()};
    s.docWidthMm = g["document_size_mm"][0].get<double>();
    s.docHeightMm = g["document_size_mm"][1].get<double>();
    const auto& b = g["mrz_box_mm"];
    s.mrzBoxMm = {b["x"].get<double>(), b["y"].get<double>(), b["width"].get<double>(),
                  b["height"].get<double>()};
    return s;
}

std::optional<Sample> sampleGenerated(std::uint64_t seed, std::size_t index)
{
    constexpr std::array kFormats = {specimen::Format::Td1, specimen::Format::Td2, specimen::Format::Td3,
                                     specimen::Format::MrvA, specimen::Format::MrvB};
    specimen::SpecimenSpec spec;
    spec.format = kFormats[index % kFormats.size()];
    spec.seed = specimen::captureSeed(seed, index);
    auto c = specimen::renderSpecimen(spec);
    if (!c) {
        std::cerr << "render " << index << ": " << c.error().describe() << "\n";
        return std::nullopt;
    }
    Sample s;
    s.name = std::to_string(index) + "-" + std::string(specimen::formatName(spec.format));
    s.white = std::move(c->white);
    s.ir = std::move(c->ir);
    const auto& g = c->truth.geometry;
    s.pixelsPerMm = g.pixelsPerMm;
    s.mrz = c->truth.mrz;
    s.format = std::string(specimen::formatName(spec.format));
    s.corners = g.documentCornersPx;
    s.docWidthMm = g.documentSizeMm.width;
    s.docHeightMm = g.documentSizeMm.height;
    s.mrzBoxMm = g.mrzBoxMm;
    return s;
}

std::string joinLines(const std::vector<std::string>& lines)
{
    std::string s;
    for (const auto& l : lines)
        s += l + "\n";
    return s;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::cerr << "usage: bench_mrz ROOT | --generate N [--seed S] [--limit N] [--tesseract-crops K] "
                     "[--quiet]\n";
        return 2;
    }
    fs::path root;
    std::size_t limit = SIZE_MAX;
    std::size_t generate = 0;
    std::uint64_t seed = 20261124;
    std::size_t tessCrops = 0;
    bool quiet = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--limit" && i + 1 < argc)
            limit = std::stoul(argv[++i]);
        else if (a == "--generate" && i + 1 < argc)
            generate = std::stoul(argv[++i]);
        else if (a == "--seed" && i + 1 < argc)
            seed = std::stoull(argv[++i]);
        else if (a == "--tesseract-crops" && i + 1 < argc)
            tessCrops = std::stoul(argv[++i]);
        else if (a == "--quiet")
            quiet = true;
        else if (!a.starts_with("--"))
            root = a;
    }
    std::vector<fs::path> captures;
    if (generate == 0) {
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(root, ec))
            if (e.is_directory() && fs::exists(e.path() / "truth.json"))
                captures.push_back(e.path());
        std::ranges::sort(captures);
        if (captures.size() > limit)
            captures.resize(limit);
        if (captures.empty()) {
            std::cerr << "bench_mrz: no captures with truth.json under " << root << "\n";
            return 2;
        }
    }
    const std::size_t total = generate > 0 ? std::min(generate, limit) : captures.size();

    std::size_t n = 0, exact = 0, read = 0, silent = 0, fieldsTotal = 0, fieldsRight = 0;
    std::vector<double> totalMs, readMs;
    std::map<std::string, std::pair<int, int>> byFormat; // format -> (exact, total)
    std::vector<std::pair<cv::Mat, std::vector<std::string>>> crops;
    std::vector<std::string> misses;
    vision::InspectionSettings settings;
    settings.inspectionDate = "2026-01-01";
    settings.stopwatchUs = [] {
        return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now().time_since_epoch()).count();
    };
    for (std::size_t i = 0; i < total; ++i) {
        auto sample = generate > 0 ? sampleGenerated(seed, i) : sampleFromFolder(captures[i]);
        if (!sample)
            continue;
        if (!quiet && generate > 0 && isatty(2))
            std::fprintf(stderr, "\r%zu/%zu", i + 1, total);
        vision::CaptureSet capture;
        capture.white = vision::ImageView{sample->white.data, sample->white.cols, sample->white.rows,
                                          int(sample->white.step), vision::PixelFormat::Bgr8};
        if (!sample->ir.empty())
            capture.ir = vision::ImageView{sample->ir.data, sample->ir.cols, sample->ir.rows,
                                           int(sample->ir.step), vision::PixelFormat::Gray8};
        capture.pixelsPerMm = sample->pixelsPerMm;
        const auto t0 = Clock::now();
        const auto report = vision::inspect(capture, settings);
        totalMs.push_back(msSince(t0));
        ++n;
        const auto& truthLines = sample->mrz;
        auto& fmt = byFormat[sample->format];
        ++fmt.second;
        const auto truthRecord = vision::parseMrz(truthLines);
        if (!report || !truthRecord)
            continue;
        for (const auto& [stage, ms] : report->timingsMs)
            if (stage == "mrz_read")
                readMs.push_back(ms);
        const auto truthFields = fieldMap(*truthRecord);
        fieldsTotal += truthFields.size();
        if (!report->mrz) {
            misses.push_back(sample->name + ": no MRZ");
            continue;
        }
        ++read;
        const auto& got = report->mrz->record;
        const auto gotFields = fieldMap(got);
        for (const auto& [k, v] : truthFields)
            fieldsRight += gotFields.at(k) == v ? 1 : 0;
        if (got.lines == truthLines) {
            ++exact;
            ++fmt.first;
        } else {
            misses.push_back(sample->name + ": " + joinLines(got.lines) + " vs " + joinLines(truthLines));
            if (got.checkDigitsValid())
                ++silent;
        }
        if (crops.size() < tessCrops)
            crops.emplace_back(truthCrop(*sample), truthLines);
    }
    if (!quiet && generate > 0 && isatty(2))
        std::fputc('\n', stderr);

    if (quiet)
        return 0;
    std::printf("MRZ reader on %zu genuine captures (%s)\n", n,
                generate > 0 ? ("rendered in memory, seed " + std::to_string(seed)).c_str() : root.c_str());
    std::printf("  exact MRZ read        %6.2f %%  (%zu / %zu)\n", 100.0 * double(exact) / double(n), exact,
                n);
    for (const auto& [f, c] : byFormat)
        std::printf("    %-5s               %6.2f %%  (%d / %d)\n", f.c_str(),
                    100.0 * c.first / std::max(1, c.second), c.first, c.second);
    std::printf("  MRZ found             %6.2f %%\n", 100.0 * double(read) / double(n));
    std::printf("  per-field accuracy    %6.2f %%  (%zu / %zu fields)\n",
                100.0 * double(fieldsRight) / double(fieldsTotal), fieldsRight, fieldsTotal);
    std::printf("  silent misreads       %6.2f %%  (%zu: wrong but every check digit holds)\n",
                100.0 * double(silent) / double(n), silent);
    std::printf("  MRZ read time         median %.2f ms, p95 %.2f ms (locate + normalise + OCR + parse)\n",
                percentile(readMs, 0.5), percentile(readMs, 0.95));
    std::printf("  inspect() time        median %.2f ms, p95 %.2f ms\n", percentile(totalMs, 0.5),
                percentile(totalMs, 0.95));
    std::printf("  peak memory (RSS)     %.1f MB (whole process, one capture decoded at a time)\n",
                gw::bench::peakRssMb());
    for (std::size_t i = 0; i < std::min<std::size_t>(misses.size(), 10); ++i)
        std::printf("  miss: %s\n", misses[i].c_str());

    if (!crops.empty()) {
        // Same crops, both engines. Ours: recognise + parse; tesseract: the command with the stock model.
        const fs::path tmp = fs::temp_directory_path() / ("bench_mrz_crops_" + std::to_string(::getpid()));
        fs::create_directories(tmp);
        std::vector<double> oursMs, tessMs;
        std::size_t oursChars = 0, oursErr = 0, tessErr = 0;
        for (std::size_t i = 0; i < crops.size(); ++i) {
            const auto& [crop, lines] = crops[i];
            const std::string truthText = joinLines(lines);
            const auto t0 = Clock::now();
            const auto band =
                vision::readMrzBand(vision::ImageView{crop.data, crop.cols, crop.rows, int(crop.step),
                                                      vision::PixelFormat::Gray8},
                                    vision::MrzOcrOptions{12.0, 0});
            std::vector<std::string> got;
            if (band)
                for (const auto& l : *band)
                    got.push_back(l.text);
            (void)vision::parseMrz(got);
            oursMs.push_back(msSince(t0));
            oursChars += truthText.size();
            oursErr += levenshtein(joinLines(got), truthText);

            const fs::path png = tmp / ("crop" + std::to_string(i) + ".png");
            cv::imwrite(png.string(), crop);
            const std::string cmd = "tesseract '" + png.string() + "' - --psm 6 2>/dev/null";
            const auto t1 = Clock::now();
            std::string out;
            if (FILE* p = popen(cmd.c_str(), "r")) {
                char buf[512];
                while (std::fgets(buf, sizeof buf, p) != nullptr)
                    out += buf;
                pclose(p);
            }
            tessMs.push_back(msSince(t1));
            std::string cleaned;
            for (char ch : out)
                if (ch != ' ' && ch != '\f' && ch != '\r')
                    cleaned += ch;
            while (cleaned.find("\n\n") != std::string::npos)
                cleaned.replace(cleaned.find("\n\n"), 2, "\n");
            if (!cleaned.empty() && cleaned.front() == '\n')
                cleaned.erase(0, 1);
            tessErr += levenshtein(cleaned, truthText);
        }
        fs::remove_all(tmp);
        const double ours = percentile(oursMs, 0.5);
        const double tess = percentile(tessMs, 0.5);
        std::printf("Same %zu MRZ crops (12 px/mm), side by side:\n", crops.size());
        std::printf("  ours (readMrzBand + parse)   median %.2f ms, character accuracy %.2f %%\n", ours,
                    100.0 - 100.0 * double(oursErr) / double(oursChars));
        std::printf("  tesseract command, stock eng median %.2f ms, character accuracy %.2f %%\n", tess,
                    100.0 - 100.0 * double(tessErr) / double(oursChars));
        std::printf("  speed ratio                  %.0fx faster\n", tess / std::max(ours, 1e-6));
    }
    return 0;
}
