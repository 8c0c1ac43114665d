// SPDX-License-Identifier: Apache-2.0
// Security-check benchmark: per forgery kind the share flagged RED, on genuine captures the share
// GREEN / AMBER / RED with the reasons, and the time of the full inspection (all lights, every check).
//   bench_inspect --generate N [--seed S] [--forged-share F] [--threads T] [--timing K] [--no-seals]
//                 [--kinds a,b] [--only i,j] [--misses] [--dump DIR]
//   bench_inspect ROOT [--limit N] [--quiet]      capture folders with truth.json (for callgrind)
// Accuracy runs on T threads (rendering dominates); timing runs afterwards on K captures held in
// memory, one at a time on one thread, so that it measures one core.
// Reproducibility: every capture follows from the seed, except the seals' ECDSA signatures (OpenSSL 3.0
// draws a fresh nonce per signature), so visas and permits with a seal differ slightly from run to run
// in their barcode's modules; --no-seals makes a run repeat exactly.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include <gw/specimen/specimen.h>
#include <gw/vision/inspection.h>
#include <gw/vision/seal.h>
#ifdef GW_SPECIMEN_HAVE_SEAL
#include <gw/specimen/seals.h>
#endif

#include "bench_stats.h"
#include "capture_files.h"
#include "viz_model_loader.h"

namespace fs = std::filesystem;
namespace sp = gw::specimen;
namespace vi = gw::vision;
using Clock = std::chrono::steady_clock;
using gw::bench::peakRssMb;
using gw::bench::percentile;

namespace {

// Each capture is inspected one year before its printed expiry: a genuine document that is simply
// expired is AMBER by design, and the targets are about documents in their validity. Fixed per capture,
// so the figures do not drift with the calendar.
std::string inspectionDateFor(const sp::Truth& t)
{
    const std::string& e = t.fields.expiryDate; // YYMMDD as printed
    if (e.size() != 6 || e.find_first_not_of("0123456789") != std::string::npos)
        return "2026-11-25";
    const int year = 2000 + std::stoi(e.substr(0, 2)) - 1;
    const int month = std::clamp(std::stoi(e.substr(2, 2)), 1, 12);
    const int day = std::clamp(std::stoi(e.substr(4, 2)), 1, 28);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
    return buf;
}

vi::CaptureSet viewsOf(const sp::Capture& c)
{
    vi::CaptureSet set;
    set.white =
        vi::ImageView{c.white.data, c.white.cols, c.white.rows, int(c.white.step), vi::PixelFormat::Bgr8};
    set.ir = vi::ImageView{c.ir.data, c.ir.cols, c.ir.rows, int(c.ir.step), vi::PixelFormat::Gray8};
    set.uv = vi::ImageView{c.uv.data, c.uv.cols, c.uv.rows, int(c.uv.step), vi::PixelFormat::Bgr8};
    set.pixelsPerMm = c.truth.geometry.pixelsPerMm;
    return set;
}

// What one inspection says, reduced to what the tallies need.
struct Outcome {
    std::string kind;      // forgery id, "genuine"
    std::size_t index = 0; // capture index in the set (generated runs)
    vi::Verdict verdict = vi::Verdict::Amber;
    std::vector<std::string> nonGreenChecks; // ids of the checks behind a non-GREEN verdict
    std::string error;
};

Outcome summarise(const std::string& kind, const gw::Result<vi::InspectionReport>& r)
{
    Outcome o{kind, 0, vi::Verdict::Amber, {}, {}};
    if (!r) {
        o.error = r.error().describe();
        return o;
    }
    o.verdict = r->verdict;
    for (const auto& c : r->checks)
        if (c.result == vi::CheckResult::Failed || c.result == vi::CheckResult::Undetermined ||
            c.result == vi::CheckResult::Aborted)
            o.nonGreenChecks.push_back(c.id + ":" + std::string(vi::checkResultName(c.result)));
    return o;
}

struct Tally {
    int n = 0;
    int red = 0;
    int amber = 0;
    int green = 0;
    int errors = 0;
    std::map<std::string, int> reasons; // check:result -> count over non-GREEN captures

    void add(const Outcome& o)
    {
        ++n;
        if (!o.error.empty()) {
            ++errors;
            return;
        }
        (o.verdict == vi::Verdict::Red ? red : o.verdict == vi::Verdict::Amber ? amber : green)++;
        if (o.verdict != vi::Verdict::Green)
            for (const auto& r : o.nonGreenChecks)
                ++reasons[r];
    }
};

double pct(int a, int n)
{
    return n ? 100.0 * a / n : 0.0;
}

std::string topReasons(const Tally& t, std::size_t k)
{
    std::vector<std::pair<int, std::string>> v;
    for (const auto& [id, n] : t.reasons)
        v.emplace_back(n, id);
    std::ranges::sort(v, std::greater{});
    std::string s;
    for (std::size_t i = 0; i < std::min(k, v.size()); ++i)
        s += (i ? ", " : "") + v[i].second + " " + std::to_string(v[i].first);
    return s;
}

void printTallies(const std::map<std::string, Tally>& tallies)
{
    std::printf("  %-20s %5s %7s %7s %7s  %s\n", "kind", "n", "RED%", "AMBER%", "GREEN%",
                "checks behind non-GREEN");
    for (const auto& [kind, t] : tallies) {
        std::printf("  %-20s %5d %7.1f %7.1f %7.1f  %s%s\n", kind.c_str(), t.n, pct(t.red, t.n),
                    pct(t.amber, t.n), pct(t.green, t.n), topReasons(t, 4).c_str(),
                    t.errors ? (" errors " + std::to_string(t.errors)).c_str() : "");
    }
    int forged = 0, forgedRed = 0;
    double worstKind = 100;
    for (const auto& [kind, t] : tallies) {
        if (kind == "genuine")
            continue;
        forged += t.n;
        forgedRed += t.red;
        worstKind = std::min(worstKind, pct(t.red, t.n));
    }
    if (forged)
        std::printf(
            "  forged: %d captures, %.2f %% RED; the least caught kind %.1f %% RED (target >= 99 %%)\n",
            forged, pct(forgedRed, forged), worstKind);
    if (auto g = tallies.find("genuine"); g != tallies.end())
        std::printf(
            "  genuine: %d captures, GREEN %.2f %% (target >= 97 %%), AMBER %.2f %%, RED %.2f %% (target "
            "<= 0.5 %%)\n",
            g->second.n, pct(g->second.green, g->second.n), pct(g->second.amber, g->second.n),
            pct(g->second.red, g->second.n));
}

struct Args {
    std::optional<std::size_t> generate;
    std::string root;
    std::uint64_t seed = 20261125;
    double forgedShare = 0.75;
    unsigned threads = 2;
    std::size_t timing = 60;
    std::size_t limit = 0;
    bool quiet = false;
    bool seals = true;
    bool misses = false;            // list every capture the verdict got wrong
    std::vector<std::string> kinds; // only these kinds of the planned set (indices kept)
    std::vector<std::size_t> only;  // only these capture indices of the planned set
    std::string dump;               // write each miss as a capture folder here (for docinspect)
    std::string vizModel;
};

std::vector<std::string> splitComma(const std::string& s)
{
    std::vector<std::string> out;
    std::size_t b = 0;
    for (std::size_t e; (e = s.find(',', b)) != std::string::npos; b = e + 1)
        out.push_back(s.substr(b, e - b));
    out.push_back(s.substr(b));
    std::erase(out, std::string{});
    return out;
}

std::optional<Args> parseArgs(int argc, char** argv)
{
    Args a;
    for (int i = 1; i < argc; ++i) {
        const std::string s = argv[i];
        auto next = [&]() -> std::optional<std::string> {
            if (i + 1 >= argc)
                return std::nullopt;
            return std::string(argv[++i]);
        };
        std::optional<std::string> v;
        try {
            if (s == "--generate" && (v = next()))
                a.generate = std::stoul(*v);
            else if (s == "--seed" && (v = next()))
                a.seed = std::stoull(*v);
            else if (s == "--forged-share" && (v = next()))
                a.forgedShare = std::stod(*v);
            else if (s == "--threads" && (v = next()))
                a.threads = unsigned(std::max(1ul, std::stoul(*v)));
            else if (s == "--timing" && (v = next()))
                a.timing = std::stoul(*v);
            else if (s == "--limit" && (v = next()))
                a.limit = std::stoul(*v);
            else if (s == "--viz-model" && (v = next()))
                a.vizModel = *v;
            else if (s == "--quiet")
                a.quiet = true;
            else if (s == "--no-seals")
                a.seals = false;
            else if (s == "--misses")
                a.misses = true;
            else if (s == "--kinds" && (v = next()))
                a.kinds = splitComma(*v);
            else if (s == "--only" && (v = next()))
                for (const auto& index : splitComma(*v))
                    a.only.push_back(std::stoul(index));
            else if (s == "--dump" && (v = next()))
                a.dump = *v;
            else if (!s.starts_with("--") && a.root.empty())
                a.root = s;
            else
                return std::nullopt;
        } catch (const std::exception&) {
            return std::nullopt;
        }
    }
    if (a.generate.has_value() == !a.root.empty())
        return std::nullopt;
    return a;
}

int runFolder(const Args& a, const vi::InspectionSettings& settings)
{
    std::vector<fs::path> dirs;
    for (const auto& e : fs::directory_iterator(a.root))
        if (e.is_directory() && fs::exists(e.path() / "truth.json"))
            dirs.push_back(e.path());
    std::ranges::sort(dirs);
    if (a.limit && dirs.size() > a.limit)
        dirs.resize(a.limit);
    std::map<std::string, Tally> tallies;
    std::vector<double> ms;
    for (const auto& d : dirs) {
        std::ifstream in(d / "truth.json");
        const auto truth = nlohmann::json::parse(in, nullptr, false);
        const std::string kind = truth.is_object() ? truth.value("forgery", "unknown") : "unknown";
        auto loaded = gw::tools::loadCapture(d);
        if (!loaded) {
            std::cerr << "bench_inspect: " << d.string() << ": " << loaded.error().describe() << '\n';
            return 2;
        }
        vi::InspectionSettings own = settings;
        sp::Truth t;
        if (truth.is_object() && truth.contains("fields") && truth["fields"].is_object())
            t.fields.expiryDate = truth["fields"].value("expiry_date", "");
        own.inspectionDate = inspectionDateFor(t);
        const auto t0 = Clock::now();
        auto report = vi::inspect(loaded->captureSet(), own);
        ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        tallies[kind].add(summarise(kind, report));
    }
    if (a.quiet)
        return 0;
    std::printf("=== security checks on %zu captures from %s ===\n", dirs.size(), a.root.c_str());
    printTallies(tallies);
    std::printf("  inspection (decoded frames in memory, one thread): median %.1f ms, p95 %.1f ms\n",
                percentile(ms, 0.5), percentile(ms, 0.95));
    std::printf("  peak memory (PNG decode included): %.1f MB\n", peakRssMb());
    return 0;
}

// Seals on visas and residence permits, signed by a key made for this run and trusted by the inspection:
// genuine seals must verify, the seal forgery kinds must be RED.
sp::SealMaker setUpSeals(vi::InspectionSettings& settings, std::string& certificatePem)
{
#ifdef GW_SPECIMEN_HAVE_SEAL
    auto signer = sp::SealSigner::generate(sp::SignerSpec{});
    if (!signer)
        throw std::runtime_error("seal signer: " + signer.error().describe());
    const std::string pem = signer->certificatePem();
    certificatePem = pem;
    const vi::CertificateBlob blob{std::vector<std::uint8_t>(pem.begin(), pem.end()), "bench signer"};
    auto trust = vi::TrustStore::fromCertificates(std::span<const vi::CertificateBlob>(&blob, 1));
    if (!trust)
        throw std::runtime_error("trust store: " + trust.error().describe());
    settings.trustStore = std::make_shared<const vi::TrustStore>(std::move(*trust));
    return sp::makeSealMaker(std::make_shared<const sp::SealSigner>(std::move(*signer)));
#else
    (void)settings;
    (void)certificatePem;
    return {};
#endif
}

// A miss as a capture folder docinspect reads (white/ir/uv PNG, capture.json with the calibration,
// truth.json), named by its index in the set; the seal signer's certificate goes to DIR/trust once, so
// `docinspect inspect DIR/NNNNN-kind --trust-store DIR/trust` repeats the verdict.
void dumpCapture(const fs::path& dir, std::size_t index, const sp::Capture& c)
{
    char name[96];
    std::snprintf(name, sizeof name, "%05zu-%s", index, std::string(sp::forgeryId(c.truth.forgery)).c_str());
    const fs::path folder = dir / name;
    fs::create_directories(folder);
    const bool ok = cv::imwrite((folder / "white.png").string(), c.white) &&
                    cv::imwrite((folder / "ir.png").string(), c.ir) &&
                    cv::imwrite((folder / "uv.png").string(), c.uv);
    std::ofstream(folder / "capture.json")
        << nlohmann::json{{"pixels_per_mm", c.truth.geometry.pixelsPerMm}} << '\n';
    std::ofstream(folder / "truth.json") << sp::truthToJson(c.truth) << '\n';
    if (!ok)
        std::cerr << "bench_inspect: cannot write " << folder.string() << '\n';
}

int runGenerated(const Args& a, vi::InspectionSettings settings)
{
    std::string signerPem;
    const sp::SealMaker sealMaker = a.seals ? setUpSeals(settings, signerPem) : sp::SealMaker{};
    if (!a.dump.empty() && !signerPem.empty()) {
        fs::create_directories(fs::path(a.dump) / "trust");
        std::ofstream(fs::path(a.dump) / "trust" / "bench-signer.pem") << signerPem;
    }
    sp::SetPlan plan;
    plan.seed = a.seed;
    plan.count = *a.generate;
    const auto kinds = sp::allForgeries();
    plan.forgeries.assign(kinds.begin(), kinds.end());
    plan.forgedShare = a.forgedShare;
    plan.seals = static_cast<bool>(sealMaker);
    auto planned = sp::planSet(plan);
    std::vector<std::size_t> indices; // of the planned set, so a miss can be regenerated on its own
    std::vector<sp::SpecimenSpec> specs;
    for (std::size_t i = 0; i < planned.size(); ++i) {
        const std::string kind(sp::forgeryId(planned[i].forgery));
        if (!a.kinds.empty() && std::ranges::find(a.kinds, kind) == a.kinds.end())
            continue;
        if (!a.only.empty() && std::ranges::find(a.only, i) == a.only.end())
            continue;
        planned[i].sealMaker = sealMaker;
        indices.push_back(i);
        specs.push_back(std::move(planned[i]));
    }
    std::vector<Outcome> misses;

    // Accuracy: render and inspect on every thread; each capture is dropped after its inspection.
    std::map<std::string, Tally> tallies;
    std::mutex mu;
    std::atomic<std::size_t> next{0}, done{0};
    const bool progress = !a.quiet && isatty(STDERR_FILENO) != 0;
    const auto t0 = Clock::now();
    auto worker = [&] {
        for (std::size_t i; (i = next++) < specs.size();) {
            const std::string kind(sp::forgeryId(specs[i].forgery));
            auto capture = sp::renderSpecimen(specs[i]);
            Outcome o;
            if (!capture)
                o = Outcome{kind, i, vi::Verdict::Amber, {}, "render: " + capture.error().describe()};
            else {
                vi::InspectionSettings own = settings;
                own.inspectionDate = inspectionDateFor(capture->truth);
                o = summarise(kind, vi::inspect(viewsOf(*capture), own));
            }
            o.index = indices[i];
            std::scoped_lock lock(mu);
            tallies[kind].add(o);
            const bool wrong =
                kind == "genuine" ? o.verdict != vi::Verdict::Green : o.verdict != vi::Verdict::Red;
            if (a.misses && (wrong || !o.error.empty()))
                misses.push_back(o);
            if (!a.dump.empty() && wrong && capture)
                dumpCapture(a.dump, o.index, *capture);
            if (!o.error.empty())
                std::cerr << "\nbench_inspect: capture " << i << " (" << kind << "): " << o.error << '\n';
            if (progress)
                std::fprintf(stderr, "\r  %zu / %zu captures", ++done, specs.size());
        }
    };
    std::vector<std::jthread> pool;
    for (unsigned t = 0; t < a.threads; ++t)
        pool.emplace_back(worker);
    pool.clear();
    if (progress)
        std::fprintf(stderr, "\n");
    const double accuracyS = std::chrono::duration<double>(Clock::now() - t0).count();

    std::printf(
        "=== security checks on %zu generated captures (seed %llu, forged share %.2f; each inspected a "
        "year before its expiry) ===\n",
        specs.size(), static_cast<unsigned long long>(a.seed), a.forgedShare);
    printTallies(tallies);
    std::printf("  (accuracy pass: %.0f s on %u threads, rendering included)\n", accuracyS, a.threads);
    if (a.misses) {
        std::ranges::sort(misses, {}, &Outcome::index);
        std::printf("  misses (capture index in the set: kind -> verdict, checks):\n");
        for (const auto& m : misses) {
            std::string checks;
            for (const auto& c : m.nonGreenChecks)
                checks += " " + c;
            std::printf("    %5zu: %s -> %s%s%s\n", m.index, m.kind.c_str(),
                        std::string(vi::verdictName(m.verdict)).c_str(), checks.c_str(),
                        m.error.empty() ? "" : (" error: " + m.error).c_str());
        }
    }

    // Timing: the first K captures of the set, rendered first, then inspected one by one on this thread.
    const std::size_t k = std::min(a.timing, specs.size());
    if (k == 0)
        return 0;
    std::vector<sp::Capture> held;
    held.reserve(k);
    for (std::size_t i = 0; i < k; ++i)
        if (auto c = sp::renderSpecimen(specs[i]))
            held.push_back(std::move(*c));
    std::vector<double> totals;
    std::map<std::string, std::vector<double>> stages;
    vi::InspectionSettings timed = settings;
    const auto clockStart = Clock::now();
    timed.stopwatchUs = [clockStart] {
        return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - clockStart).count();
    };
    for (int pass = 0; pass < 2; ++pass) // the first pass warms caches and Tesseract; only the second counts
        for (const auto& c : held) {
            timed.inspectionDate = inspectionDateFor(c.truth);
            const auto s0 = Clock::now();
            auto r = vi::inspect(viewsOf(c), timed);
            const double ms = std::chrono::duration<double, std::milli>(Clock::now() - s0).count();
            if (pass == 0 || !r)
                continue;
            totals.push_back(ms);
            for (const auto& [stage, sms] : r->timingsMs)
                stages[stage].push_back(sms);
        }
    std::printf(
        "  full inspection, 3 lights, every check, one thread, %zu captures: median %.1f ms, p95 %.1f "
        "ms (target median <= 150 ms)\n",
        totals.size(), percentile(totals, 0.5), percentile(totals, 0.95));
    std::printf("  per stage (median ms):");
    for (const auto& [stage, v] : stages)
        if (stage != "total")
            std::printf(" %s %.1f;", stage.c_str(), percentile(v, 0.5));
    std::printf("\n  peak memory (%zu captures held for timing): %.0f MB\n", k, peakRssMb());
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    const auto args = parseArgs(argc, argv);
    if (!args) {
        std::cerr
            << "usage: bench_inspect --generate N [--seed S] [--forged-share F] [--threads T] [--timing K] "
               "[--viz-model FILE|none] [--no-seals] [--kinds a,b] [--only i,j] [--misses] [--dump DIR] "
               "[--quiet]\n"
               "       bench_inspect ROOT [--limit N] [--viz-model FILE|none] [--quiet]\n";
        return 2;
    }
    vi::InspectionSettings settings;
    if (args->vizModel != "none") {
        auto viz =
            args->vizModel.empty() ? gw::tools::loadVizReader() : gw::tools::loadVizReader(args->vizModel);
        if (!viz) {
            std::cerr << "bench_inspect: " << viz.error().describe() << '\n';
            return 2;
        }
        settings.vizReader = *viz;
    }
    try {
        return args->generate ? runGenerated(*args, settings) : runFolder(*args, settings);
    } catch (const std::exception& e) {
        std::cerr << "bench_inspect: " << e.what() << '\n';
        return 1;
    }
}
