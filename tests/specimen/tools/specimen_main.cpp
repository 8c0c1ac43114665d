// SPDX-License-Identifier: Apache-2.0
// `specimen`: writes generated captures (white/ir/uv PNG + truth.json) and a manifest to a folder.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include <CLI/CLI.hpp>
#include <opencv2/imgcodecs.hpp>

#include <gw/specimen/specimen.h>
#ifdef GW_SPECIMEN_HAVE_SEAL
#include <gw/specimen/seals.h>
#endif

namespace fs = std::filesystem;
namespace sp = gw::specimen;

namespace {

constexpr int kExitBadArgs = 2;
constexpr int kExitFailed = 1;
// Sensor noise defeats LZ matching: run-length coding at level 1 writes ~40 % faster than the default
// strategy and the files are smaller (measured on a 600 dpi white frame: 0.69 s / 9.8 MB vs 1.18 s / 11.2
// MB).
const std::vector<int> kPngParams{cv::IMWRITE_PNG_COMPRESSION, 1, cv::IMWRITE_PNG_STRATEGY,
                                  cv::IMWRITE_PNG_STRATEGY_RLE};

struct Error {
    int exitCode;
    std::string message;
};

std::vector<std::string> splitList(const std::string& s)
{
    std::vector<std::string> out;
    std::stringstream in(s);
    std::string item;
    while (std::getline(in, item, ','))
        if (!item.empty())
            out.push_back(item);
    return out;
}

std::string lower(std::string_view s)
{
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::optional<Error> parseFormats(const std::string& list, std::vector<sp::Format>& out)
{
    for (const auto& name : splitList(list)) {
        const auto f = sp::parseFormat(name);
        if (!f)
            return Error{kExitBadArgs, "unknown format '" + name + "' (use TD1, TD2, TD3, MRVA, MRVB)"};
        out.push_back(*f);
    }
    if (out.empty())
        return Error{kExitBadArgs, "--formats is empty"};
    return std::nullopt;
}

std::string forgeryList()
{
    std::string s;
    for (auto f : sp::allForgeries())
        s += (s.empty() ? "" : ", ") + std::string(sp::forgeryId(f));
    return s;
}

std::optional<Error> parseForgeries(const std::string& list, std::vector<sp::Forgery>& out)
{
    if (list == "none")
        return std::nullopt;
    if (list == "all") {
        out.assign(sp::allForgeries().begin(), sp::allForgeries().end());
        return std::nullopt;
    }
    for (const auto& id : splitList(list)) {
        const auto f = sp::parseForgery(id);
        if (!f || *f == sp::Forgery::Genuine)
            return Error{kExitBadArgs,
                         "unknown forgery '" + id + "' (use none, all or some of: " + forgeryList() + ")"};
        out.push_back(*f);
    }
    return std::nullopt;
}

/// "450" or "300:600".
std::optional<Error> parseDpi(const std::string& s, double& lo, double& hi)
{
    try {
        const auto colon = s.find(':');
        std::size_t used = 0;
        if (colon == std::string::npos) {
            lo = hi = std::stod(s, &used);
            if (used != s.size())
                throw std::invalid_argument(s);
        } else {
            lo = std::stod(s.substr(0, colon), &used);
            if (used != colon)
                throw std::invalid_argument(s);
            const std::string rest = s.substr(colon + 1);
            hi = std::stod(rest, &used);
            if (used != rest.size())
                throw std::invalid_argument(s);
        }
    } catch (const std::exception&) {
        return Error{kExitBadArgs, "--dpi must be N or MIN:MAX, got '" + s + "'"};
    }
    if (!(lo >= 100 && hi <= 1200 && lo <= hi))
        return Error{kExitBadArgs, "--dpi must lie within 100..1200 with MIN <= MAX"};
    return std::nullopt;
}

std::optional<Error> prepareDir(const fs::path& dir)
{
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        return Error{kExitBadArgs, "cannot create output folder " + dir.string() + ": " + ec.message()};
    if (!fs::is_directory(dir, ec))
        return Error{kExitBadArgs, "output path is not a folder: " + dir.string()};
    const fs::path probe = dir / ".specimen-write-test";
    {
        std::ofstream f(probe);
        if (!f)
            return Error{kExitBadArgs, "output folder is not writable: " + dir.string()};
    }
    fs::remove(probe, ec);
    return std::nullopt;
}

std::optional<Error> writeCapture(const fs::path& folder, const sp::Capture& c)
{
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec)
        return Error{kExitFailed, "cannot create " + folder.string() + ": " + ec.message()};
    try {
        if (!cv::imwrite((folder / "white.png").string(), c.white, kPngParams) ||
            !cv::imwrite((folder / "ir.png").string(), c.ir, kPngParams) ||
            !cv::imwrite((folder / "uv.png").string(), c.uv, kPngParams))
            return Error{kExitFailed, "cannot write the images of " + folder.string()};
    } catch (const cv::Exception& e) {
        return Error{kExitFailed, "cannot write the images of " + folder.string() + ": " + e.what()};
    }
    // What the scanner itself knows (its calibrated glass sampling), apart from the truth it must find.
    std::ofstream meta(folder / "capture.json");
    meta << "{\"pixels_per_mm\": " << c.truth.geometry.pixelsPerMm << "}\n";
    std::ofstream truth(folder / "truth.json");
    truth << sp::truthToJson(c.truth) << '\n';
    if (!truth)
        return Error{kExitFailed, "cannot write " + (folder / "truth.json").string()};
    return std::nullopt;
}

std::string folderName(std::size_t index, std::size_t count, const sp::Truth& t)
{
    const std::size_t width = std::max<std::size_t>(4, std::to_string(count).size());
    std::string num = std::to_string(index + 1);
    num.insert(0, width - std::min(width, num.size()), '0');
    return num + "-" + lower(sp::formatName(t.format)) + "-" + std::string(sp::forgeryId(t.forgery));
}

/// Seal options shared by both subcommands.
struct SealArgs {
    bool seals = false;
    std::string keyPem; ///< file; with certPem, signs with an existing test signer
    std::string certPem;
};

std::optional<std::string> readFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return std::nullopt;
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// Sets up spec.sealMaker; a fresh signer's certificate goes to DIR/seal-signer/ so that readers can
/// trust it (docinspect --trust-store DIR/seal-signer/trust).
std::optional<Error> setUpSeals(const SealArgs& a, const fs::path& dir, sp::SealMaker& maker)
{
    if (!a.seals)
        return std::nullopt;
#ifdef GW_SPECIMEN_HAVE_SEAL
    gw::Result<sp::SealSigner> signer = gw::fail(gw::Errc::Internal, "no signer");
    if (!a.keyPem.empty() || !a.certPem.empty()) {
        const auto key = readFile(a.keyPem);
        const auto cert = readFile(a.certPem);
        if (!key || !cert)
            return Error{kExitBadArgs, "--seal-key and --seal-cert must both name readable PEM files"};
        signer = sp::SealSigner::fromPem(*key, *cert);
    } else {
        signer = sp::SealSigner::generate(sp::SignerSpec{});
    }
    if (!signer)
        return Error{kExitBadArgs, "seal signer: " + signer.error().describe()};
    std::error_code ec;
    fs::create_directories(dir / "seal-signer" / "trust", ec);
    const std::string certName = signer->signerIdentifier() + "-" + signer->certificateReference() + ".pem";
    std::ofstream cert(dir / "seal-signer" / "seal-signer.pem");
    std::ofstream trusted(dir / "seal-signer" / "trust" / certName);
    cert << signer->certificatePem();
    trusted << signer->certificatePem();
    if (!cert || !trusted)
        return Error{kExitBadArgs,
                     "cannot write the seal signer certificate under " + (dir / "seal-signer").string()};
    maker = sp::makeSealMaker(std::make_shared<const sp::SealSigner>(std::move(*signer)));
    return std::nullopt;
#else
    (void)dir;
    (void)maker;
    return Error{kExitBadArgs,
                 "--seals needs tests/specimen/seal (gw_specimen_seal), which this build lacks"};
#endif
}

void addSealOptions(CLI::App* app, SealArgs& a)
{
    app->add_flag("--seals", a.seals, "Print Visible Digital Seals on MRV-B visas and TD2 residence permits");
    app->add_option("--seal-key", a.keyPem, "PEM private key of the seal signer (else a fresh test signer)");
    app->add_option("--seal-cert", a.certPem, "PEM certificate of the seal signer");
}

struct GenerateArgs {
    std::string out;
    std::size_t count = 0;
    std::uint64_t seed = 1;
    std::string formats = "TD1,TD2,TD3,MRVA,MRVB";
    std::string forgeries = "none";
    double forgedShare = 0.3;
    std::string dpi = "300:600";
    bool clean = false;
    SealArgs seal;
};

int generate(const GenerateArgs& a)
{
    std::vector<sp::Format> formats;
    std::vector<sp::Forgery> forgeries;
    double dpiLo = 0, dpiHi = 0;
    std::optional<Error> err = parseFormats(a.formats, formats);
    if (!err)
        err = parseForgeries(a.forgeries, forgeries);
    if (!err)
        err = parseDpi(a.dpi, dpiLo, dpiHi);
    if (!err)
        err = prepareDir(a.out);
    sp::SealMaker sealMaker;
    if (!err)
        err = setUpSeals(a.seal, a.out, sealMaker);
    if (err) {
        std::cerr << "specimen: " << err->message << '\n';
        return err->exitCode;
    }
    std::ofstream manifest(fs::path(a.out) / "manifest.jsonl", std::ios::trunc);
    if (!manifest) {
        std::cerr << "specimen: cannot write " << (fs::path(a.out) / "manifest.jsonl").string() << '\n';
        return kExitBadArgs;
    }
    const bool progress = isatty(STDERR_FILENO) != 0;
    const auto start = std::chrono::steady_clock::now();
    sp::SetPlan plan;
    plan.seed = a.seed;
    plan.count = a.count;
    plan.formats = formats;
    plan.forgeries = forgeries;
    plan.forgedShare = a.forgedShare;
    plan.dpiMin = dpiLo;
    plan.dpiMax = dpiHi;
    plan.clean = a.clean;
    plan.seals = static_cast<bool>(sealMaker);
    auto specs = sp::planSet(plan);
    for (std::size_t i = 0; i < a.count; ++i) {
        sp::SpecimenSpec& spec = specs[i];
        spec.sealMaker = sealMaker;
        auto capture = sp::renderSpecimen(spec);
        if (!capture) {
            std::cerr << "\nspecimen: capture " << i + 1 << ": " << capture.error().describe() << '\n';
            return kExitFailed;
        }
        capture->truth.setSeed = a.seed;
        capture->truth.setIndex = i;
        const std::string name = folderName(i, a.count, capture->truth);
        if (auto e = writeCapture(fs::path(a.out) / name, *capture)) {
            std::cerr << "\nspecimen: " << e->message << '\n';
            return e->exitCode;
        }
        manifest << sp::manifestLine(capture->truth, name) << '\n' << std::flush;
        if (progress) {
            const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            std::fprintf(stderr, "\r[%zu/%zu] %s  %.2f captures/s   ", i + 1, a.count, name.c_str(),
                         static_cast<double>(i + 1) / s);
        }
    }
    if (progress)
        std::fprintf(stderr, "\n");
    if (!manifest) {
        std::cerr << "specimen: writing the manifest failed\n";
        return kExitFailed;
    }
    return 0;
}

struct OneArgs {
    std::string out;
    std::string format = "TD3";
    std::uint64_t seed = 1;
    std::string forgery = "genuine";
    std::optional<double> rotation;
    bool upsideDown = false;
    bool upright = false;
    std::optional<double> dpi;
    bool clean = false;
    SealArgs seal;
};

int one(const OneArgs& a)
{
    sp::SpecimenSpec spec;
    const auto format = sp::parseFormat(a.format);
    const auto forgery = sp::parseForgery(a.forgery);
    std::optional<Error> err;
    if (!format)
        err = Error{kExitBadArgs, "unknown format '" + a.format + "' (use TD1, TD2, TD3, MRVA, MRVB)"};
    else if (!forgery)
        err = Error{kExitBadArgs,
                    "unknown forgery '" + a.forgery + "' (use genuine or one of: " + forgeryList() + ")"};
    else if (a.rotation && !(*a.rotation >= -45 && *a.rotation <= 45))
        err = Error{kExitBadArgs, "--rotation must be within -45..45 degrees"};
    else if (a.dpi && !(*a.dpi >= 100 && *a.dpi <= 1200))
        err = Error{kExitBadArgs, "--dpi must be within 100..1200"};
    if (!err)
        err = prepareDir(a.out);
    if (!err)
        err = setUpSeals(a.seal, a.out, spec.sealMaker);
    if (err) {
        std::cerr << "specimen: " << err->message << '\n';
        return err->exitCode;
    }
    spec.format = *format;
    spec.forgery = *forgery;
    spec.seed = a.seed;
    spec.rotationDeg = a.rotation;
    if (a.upsideDown)
        spec.upsideDown = true;
    if (a.upright)
        spec.upsideDown = false;
    spec.dpi = a.dpi;
    spec.clean = a.clean;
    auto capture = sp::renderSpecimen(spec);
    if (!capture) {
        std::cerr << "specimen: " << capture.error().describe() << '\n';
        return kExitFailed;
    }
    const std::string name = lower(sp::formatName(spec.format)) + "-" +
                             std::string(sp::forgeryId(spec.forgery)) + "-s" + std::to_string(spec.seed);
    if (auto e = writeCapture(fs::path(a.out) / name, *capture)) {
        std::cerr << "specimen: " << e->message << '\n';
        return e->exitCode;
    }
    std::ofstream manifest(fs::path(a.out) / "manifest.jsonl", std::ios::app);
    manifest << sp::manifestLine(capture->truth, name) << '\n';
    if (!manifest) {
        std::cerr << "specimen: cannot append to the manifest\n";
        return kExitFailed;
    }
    std::cout << (fs::path(a.out) / name).string() << '\n';
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    CLI::App app{"specimen: fictitious travel documents under white, IR and UV light, with truth.json"};
    app.require_subcommand(1);

    GenerateArgs g;
    auto* gen = app.add_subcommand("generate", "Generate a set of captures and DIR/manifest.jsonl");
    gen->add_option("--out", g.out, "Output folder (created if missing)")->required();
    gen->add_option("--count", g.count, "Number of captures")->required()->check(CLI::Range(1, 1000000));
    gen->add_option("--seed", g.seed, "Set seed; capture i uses captureSeed(seed, i)")->required();
    gen->add_option("--formats", g.formats, "Comma list of TD1,TD2,TD3,MRVA,MRVB (rotated through)")
        ->capture_default_str();
    gen->add_option("--forgeries", g.forgeries, "none, all, or a comma list of forgery ids")
        ->capture_default_str();
    gen->add_option("--forged-share", g.forgedShare, "Share of forged captures when forgeries are on")
        ->check(CLI::Range(0.0, 1.0))
        ->capture_default_str();
    gen->add_option("--dpi", g.dpi, "Capture resolution: N or MIN:MAX (uniform)")->capture_default_str();
    gen->add_flag("--clean", g.clean, "No degradations (blur, noise, light falloff, glare, contrast)");
    addSealOptions(gen, g.seal);

    OneArgs o;
    auto* single = app.add_subcommand("one", "Generate one capture into DIR/<format>-<forgery>-s<seed>");
    single->add_option("--out", o.out, "Output folder (created if missing)")->required();
    single->add_option("--format", o.format, "TD1, TD2, TD3, MRVA or MRVB")->capture_default_str();
    single->add_option("--seed", o.seed, "Capture seed")->required();
    single->add_option("--forgery", o.forgery, "genuine or a forgery id")->capture_default_str();
    single->add_option("--rotation", o.rotation, "Rotation [deg], else drawn from the seed");
    auto* up = single->add_flag("--upside-down", o.upsideDown, "Lay the document upside down");
    auto* upright = single->add_flag("--upright", o.upright, "Lay the document upright");
    up->excludes(upright);
    single->add_option("--dpi", o.dpi, "Capture resolution [dpi], else drawn in 300..600");
    single->add_flag("--clean", o.clean, "No degradations");
    addSealOptions(single, o.seal);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return kExitBadArgs;
    }
    try {
        if (gen->parsed())
            return generate(g);
        return one(o);
    } catch (const std::exception& e) {
        std::cerr << "specimen: " << e.what() << '\n';
        return kExitFailed;
    }
}
