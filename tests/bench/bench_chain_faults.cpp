// SPDX-License-Identifier: Apache-2.0
// 1,000 inspections through the real gw-firmware (emulator board) and gw-station over TLS with random
// firmware SIGKILLs, station SIGKILL/SIGTERM restarts and link cuts; proves every one is stored exactly once.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unistd.h>
#include <vector>

#include "chain_faults.h"

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kUsage =
    R"(usage: bench_chain_faults [options]
  --count N            inspections the firmware creates (default 1000)
  --seed S             seeds the fault moments and kinds, the proxy and the specimens (default 6)
  --captures DIR       capture folders to lay on the glass (default: generate --capture-count specimens)
  --capture-count K    specimens to generate (default 4)
  --viz-model FILE     gw-firmware --viz-model (default none: the VIZ Tesseract check is not_supported)
  --fault-every A:B    pause between faults, uniform in [A, B] ms (default 500:4000)
  --proxy-cut P        chance per forwarded chunk that the proxy cuts the connection (default 0.002)
  --work DIR           working folder (default: a fresh one under the temporary folder, removed unless --keep)
  --keep               keep the working folder (logs, spool, station.db)
  --firmware EXE, --station EXE, --specimen EXE   default: the build tree this program belongs to
)";

std::optional<long long> toInt(std::string_view s)
{
    try {
        std::size_t used = 0;
        const long long v = std::stoll(std::string(s), &used);
        return used == s.size() ? std::optional<long long>(v) : std::nullopt;
    } catch (...) {
        return std::nullopt;
    }
}

int usageError(const std::string& why)
{
    std::fprintf(stderr, "bench_chain_faults: %s\n%s", why.c_str(), kUsage.data());
    return 2;
}

} // namespace

int main(int argc, char** argv)
{
    gw::e2e::ChainFaultOptions o;
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    o.paths = gw::e2e::chainPathsBelow(ec ? fs::absolute(argv[0]).parent_path() : self.parent_path());
    o.seed = 6;
    bool keep = false;
    const std::vector<std::string_view> args(argv + 1, argv + argc);
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view a = args[i];
        if (a == "-h" || a == "--help") {
            std::fputs(kUsage.data(), stdout);
            return 0;
        }
        if (a == "--keep") {
            keep = true;
            continue;
        }
        if (i + 1 >= args.size())
            return usageError("option " + std::string(a) + " needs a value or is unknown");
        const std::string_view v = args[++i];
        if (a == "--count" || a == "--capture-count" || a == "--seed") {
            const auto n = toInt(v);
            if (!n || *n < 1 || *n > 1'000'000)
                return usageError(std::string(a) + " must be 1..1000000");
            if (a == "--count")
                o.inspections = static_cast<std::uint32_t>(*n);
            else if (a == "--capture-count")
                o.captureCount = static_cast<std::uint32_t>(*n);
            else
                o.seed = static_cast<std::uint64_t>(*n);
        } else if (a == "--captures") {
            o.captures = fs::absolute(v);
        } else if (a == "--viz-model") {
            o.vizModel = v;
        } else if (a == "--fault-every") {
            const auto colon = v.find(':');
            const auto lo = toInt(v.substr(0, colon));
            const auto hi = colon == std::string_view::npos ? lo : toInt(v.substr(colon + 1));
            if (!lo || !hi || *lo < 1 || *hi < *lo)
                return usageError("--fault-every must be A:B with 1 <= A <= B (ms)");
            o.faultEveryMin = std::chrono::milliseconds(*lo);
            o.faultEveryMax = std::chrono::milliseconds(*hi);
        } else if (a == "--proxy-cut") {
            char* end = nullptr;
            const std::string text(v);
            const double p = std::strtod(text.c_str(), &end);
            if (end == text.c_str() || *end != '\0' || !(p >= 0.0 && p <= 1.0))
                return usageError("--proxy-cut must be in [0, 1]");
            o.proxyCutProbability = p;
        } else if (a == "--work") {
            o.workDir = fs::absolute(v);
        } else if (a == "--firmware") {
            o.paths.firmware = fs::absolute(v);
        } else if (a == "--station") {
            o.paths.station = fs::absolute(v);
        } else if (a == "--specimen") {
            o.paths.specimen = fs::absolute(v);
        } else {
            return usageError("unknown option " + std::string(a));
        }
    }
    const bool ownWork = o.workDir.empty();
    if (ownWork)
        o.workDir = fs::temp_directory_path() / ("gw-bench-chain-" + std::to_string(::getpid()));
    o.progress = [](std::string_view line) {
        std::fprintf(stderr, "bench_chain_faults: %.*s\n", static_cast<int>(line.size()), line.data());
    };

    auto report = gw::e2e::runChainFaults(o);
    if (!report) {
        std::fprintf(stderr, "bench_chain_faults: %s (working folder %s)\n",
                     report.error().describe().c_str(), o.workDir.c_str());
        return 1;
    }
    std::fputs(gw::e2e::formatChainReport(o, *report).c_str(), stdout);
    const bool ok = report->problem.empty() && report->lost == 0 && report->duplicated == 0 &&
                    report->unexpected == 0 && report->created >= o.inspections;
    if (keep || !ok)
        std::printf("working folder kept: %s\n", o.workDir.c_str());
    else if (ownWork)
        fs::remove_all(o.workDir, ec);
    return ok ? 0 : 1;
}
