// SPDX-License-Identifier: Apache-2.0
// The reader on real specimen images from ../shared/real-dev (not ours to commit; skipped when absent):
// exact reads where the text is known, reads that pass every check digit elsewhere, and reads that
// invent an MRZ where the image shows none is counted by hand from the listing.
//   bench_real [DIR]   (default: GW_SHARED_DIR/real-dev)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gw/vision/inspection.h>

#include "capture_files.h"

namespace fs = std::filesystem;
using namespace gw;

int main(int argc, char** argv)
{
    const fs::path dir = argc > 1 ? fs::path(argv[1]) : fs::path(GW_SHARED_DIR) / "real-dev";
    std::ifstream tsv(dir / "images.tsv");
    if (!tsv) {
        std::printf("bench_real: %s/images.tsv not found; skipped (the real images live in ../shared)\n",
                    dir.c_str());
        return 0;
    }
    std::string line;
    std::getline(tsv, line); // header
    int exactKnown = 0, exactRight = 0, others = 0, othersValid = 0, othersRead = 0, errors = 0;
    std::vector<std::string> listing;
    vision::InspectionSettings settings;
    settings.inspectionDate = "2026-01-01";
    while (std::getline(tsv, line)) {
        std::istringstream fields(line);
        std::string file, truth, mrz, note;
        std::getline(fields, file, '\t');
        std::getline(fields, truth, '\t');
        std::getline(fields, mrz, '\t');
        std::getline(fields, note, '\t');
        auto loaded = tools::loadCapture(dir / "images" / file);
        if (!loaded) {
            ++errors;
            listing.push_back("ERROR  " + file + ": " + loaded.error().describe());
            continue;
        }
        const auto t0 = std::chrono::steady_clock::now();
        const auto report = vision::inspect(loaded->captureSet(), settings);
        const double ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        std::string got;
        bool valid = false;
        if (report && report->mrz) {
            for (const auto& l : report->mrz->record.lines)
                got += (got.empty() ? "" : "|") + l;
            valid = report->mrz->record.checkDigitsValid();
        }
        char buf[64];
        std::snprintf(buf, sizeof buf, "%7.1f ms ", ms);
        if (truth == "exact") {
            ++exactKnown;
            const bool right = got == mrz;
            exactRight += right ? 1 : 0;
            listing.push_back(std::string(right ? "EXACT  " : "WRONG  ") + buf + file + "  " + got +
                              (right ? "" : "  (truth " + mrz + ")"));
        } else {
            ++others;
            othersRead += got.empty() ? 0 : 1;
            othersValid += valid ? 1 : 0;
            listing.push_back(std::string(got.empty() ? "none   "
                                          : valid     ? "valid  "
                                                      : "invalid") +
                              buf + file + "  " + got);
        }
    }
    for (const auto& l : listing)
        std::printf("  %s\n", l.c_str());
    std::printf("Real specimen images (%s):\n", dir.c_str());
    std::printf("  exact reads where the text is known: %d / %d\n", exactRight, exactKnown);
    std::printf("  others: %d with an MRZ read, %d of them passing every check digit, of %d images\n",
                othersRead, othersValid, others);
    std::printf("  unreadable files: %d\n", errors);
    return 0;
}
