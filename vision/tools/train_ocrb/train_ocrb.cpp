// SPDX-License-Identifier: Apache-2.0
// Trains the compact OCR-B classifier on synthetic MRZ lines and writes vision/src/ocr/ocrb_model.inc.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <numbers>
#include <numeric>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <opencv2/core/utility.hpp>
#include <opencv2/imgcodecs.hpp>

#include "ocr/line_segmenter.h"
#include "ocrb_synth.h"

namespace {

using gw::tools::ocrb::Rng;
namespace ocr = gw::vision::ocr;

struct Samples {
    std::vector<float> x; // n * kFeatureCount
    std::vector<int> y;
    [[nodiscard]] std::size_t size() const { return y.size(); }
};

// Held out from training when real crops are used: every document whose name hashes to 0 mod 5 (all
// lines of one document stay on the same side). FNV-1a, so the split is the same everywhere.
bool heldOut(const std::string& file)
{
    const auto dash = file.rfind('-');
    const std::string doc = file.substr(0, dash);
    std::uint32_t h = 2166136261U;
    for (const char c : doc)
        h = (h ^ static_cast<std::uint8_t>(c)) * 16777619U;
    return h % 5 == 0;
}

struct Stats {
    int lines = 0;
    int segmented = 0; // lines whose cell count matched the text
};

int classOf(char c)
{
    return static_cast<int>(ocr::kAlphabet.find(c));
}

// Renders lines and cuts them with the library's own segmentation, so that training sees exactly the cells
// the reader will see (neighbour intrusion, fit errors). Lines whose cell count is wrong are left out.
void makeSamples(gw::tools::ocrb::LineRenderer& renderer, std::uint64_t seed, int lines, Samples& out,
                 Stats& stats)
{
    Rng rng(seed);
    constexpr int kLengths[3] = {30, 36, 44};
    for (int i = 0; i < lines; ++i) {
        const int len = kLengths[rng.below(3)];
        const std::string text = gw::tools::ocrb::randomMrzText(rng, len);
        const double severity = rng.chance(0.15) ? 0.0 : rng.uniform(0.2, 1.0);
        const auto params = gw::tools::ocrb::randomParams(rng, severity);
        double pitchPx = 0;
        const cv::Mat img = renderer.render({text}, params, rng, &pitchPx);
        gw::vision::MrzOcrOptions opt;
        if (rng.chance(0.5))
            opt.pixelsPerMm = pitchPx / 2.54;
        if (rng.chance(0.5))
            opt.expectedLineLength = len;
        ++stats.lines;
        cv::Matx23d toInput;
        const ocr::InkMaps maps = ocr::computeInkUpright(img, toInput);
        const auto rows = ocr::findLineRows(maps);
        if (rows.empty())
            continue;
        cv::Range best = rows.front();
        double bestInk = -1;
        for (const auto& r : rows) {
            const double ink = cv::sum(maps.mask.rowRange(r))[0];
            if (ink > bestInk) {
                bestInk = ink;
                best = r;
            }
        }
        const auto geo = ocr::fitLine(maps, best, opt);
        if (geo.count != len)
            continue;
        ++stats.segmented;
        ocr::GlyphFeatures f{};
        for (int k = 0; k < len; ++k) {
            cv::Rect box;
            ocr::cellFeatures(maps, geo, k, f, box);
            out.x.insert(out.x.end(), f.begin(), f.end());
            out.y.push_back(classOf(text[static_cast<std::size_t>(k)]));
        }
    }
}

// Cells of the real line crops (mrz-lines.tsv + mrz-lines/), for the optional real-data model; lines whose
// segmentation does not give the labelled length are skipped.
void realSamples(const std::string& dir, bool wantHeldOut, Samples& out, Stats& stats)
{
    std::ifstream tsv(dir + "/mrz-lines.tsv");
    std::string row;
    std::getline(tsv, row);
    while (std::getline(tsv, row)) {
        const auto tab = row.find('\t');
        if (tab == std::string::npos)
            continue;
        const std::string file = row.substr(0, tab);
        std::string text = row.substr(tab + 1);
        while (!text.empty() && (text.back() == '\r' || text.back() == ' '))
            text.pop_back();
        if (heldOut(file) != wantHeldOut || text.empty() ||
            text.find_first_not_of(ocr::kAlphabet) != std::string::npos)
            continue;
        const cv::Mat img = cv::imread(dir + "/mrz-lines/" + file, cv::IMREAD_GRAYSCALE);
        if (img.empty())
            continue;
        ++stats.lines;
        cv::Matx23d toInput;
        const ocr::InkMaps maps = ocr::computeInkUpright(img, toInput);
        const auto rows = ocr::findLineRows(maps);
        if (rows.empty())
            continue;
        cv::Range best = rows.front();
        double bestInk = -1;
        for (const auto& r : rows) {
            const double ink = cv::sum(maps.mask.rowRange(r))[0];
            if (ink > bestInk) {
                bestInk = ink;
                best = r;
            }
        }
        const auto geo = ocr::fitLine(maps, best, gw::vision::MrzOcrOptions{});
        if (geo.count != static_cast<int>(text.size()))
            continue;
        ++stats.segmented;
        ocr::GlyphFeatures f{};
        for (int k = 0; k < geo.count; ++k) {
            cv::Rect box;
            ocr::cellFeatures(maps, geo, k, f, box);
            out.x.insert(out.x.end(), f.begin(), f.end());
            out.y.push_back(classOf(text[static_cast<std::size_t>(k)]));
        }
    }
}

struct Mlp {
    int in = ocr::kFeatureCount;
    int hidden = 64;
    int out = ocr::kClassCount;
    std::vector<float> w1, b1, w2, b2;

    void init(Rng& rng)
    {
        w1.resize(static_cast<std::size_t>(hidden * in));
        b1.assign(static_cast<std::size_t>(hidden), 0.0F);
        w2.resize(static_cast<std::size_t>(out * hidden));
        b2.assign(static_cast<std::size_t>(out), 0.0F);
        const double a1 = std::sqrt(6.0 / (in + hidden));
        const double a2 = std::sqrt(6.0 / (hidden + out));
        for (auto& w : w1)
            w = static_cast<float>(rng.uniform(-a1, a1));
        for (auto& w : w2)
            w = static_cast<float>(rng.uniform(-a2, a2));
    }

    // Returns the predicted class; fills h (hidden activations) and p (probabilities).
    int forward(const float* x, std::vector<float>& h, std::vector<float>& p) const
    {
        h.resize(static_cast<std::size_t>(hidden));
        p.resize(static_cast<std::size_t>(out));
        for (int j = 0; j < hidden; ++j) {
            const float* w = &w1[static_cast<std::size_t>(j * in)];
            float s = b1[static_cast<std::size_t>(j)];
            for (int i = 0; i < in; ++i)
                s += w[i] * x[i];
            h[static_cast<std::size_t>(j)] = std::max(s, 0.0F);
        }
        float mx = -1e30F;
        for (int c = 0; c < out; ++c) {
            const float* w = &w2[static_cast<std::size_t>(c * hidden)];
            float s = b2[static_cast<std::size_t>(c)];
            for (int j = 0; j < hidden; ++j)
                s += w[j] * h[static_cast<std::size_t>(j)];
            p[static_cast<std::size_t>(c)] = s;
            mx = std::max(mx, s);
        }
        float sum = 0;
        for (auto& v : p) {
            v = std::exp(v - mx);
            sum += v;
        }
        int best = 0;
        for (int c = 0; c < out; ++c) {
            p[static_cast<std::size_t>(c)] /= sum;
            if (p[static_cast<std::size_t>(c)] > p[static_cast<std::size_t>(best)])
                best = c;
        }
        return best;
    }
};

double accuracy(const Mlp& m, const Samples& s)
{
    if (s.size() == 0)
        return 0;
    std::vector<float> h, p;
    std::size_t ok = 0;
    for (std::size_t n = 0; n < s.size(); ++n)
        ok += m.forward(&s.x[n * ocr::kFeatureCount], h, p) == s.y[n] ? 1U : 0U;
    return static_cast<double>(ok) / static_cast<double>(s.size());
}

void train(Mlp& m, const Samples& s, int epochs, Rng& rng, const Samples& eval)
{
    const int in = m.in;
    const int hid = m.hidden;
    const int out = m.out;
    std::vector<float> vw1(m.w1.size(), 0), vb1(m.b1.size(), 0), vw2(m.w2.size(), 0), vb2(m.b2.size(), 0);
    std::vector<float> gw1(m.w1.size()), gb1(m.b1.size()), gw2(m.w2.size()), gb2(m.b2.size());
    std::vector<std::size_t> order(s.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::vector<float> h, p, dh(static_cast<std::size_t>(hid));
    constexpr std::size_t kBatch = 32;
    constexpr float kMomentum = 0.9F;
    for (int e = 0; e < epochs; ++e) {
        // Cosine-decayed step size.
        const float lr = 0.05F * 0.5F * (1.0F + static_cast<float>(std::cos(std::numbers::pi * e / epochs)));
        for (std::size_t i = order.size(); i > 1; --i)
            std::swap(order[i - 1], order[static_cast<std::size_t>(rng.below(static_cast<int>(i)))]);
        double loss = 0;
        for (std::size_t b0 = 0; b0 < order.size(); b0 += kBatch) {
            std::fill(gw1.begin(), gw1.end(), 0.0F);
            std::fill(gb1.begin(), gb1.end(), 0.0F);
            std::fill(gw2.begin(), gw2.end(), 0.0F);
            std::fill(gb2.begin(), gb2.end(), 0.0F);
            const std::size_t b1 = std::min(order.size(), b0 + kBatch);
            for (std::size_t bi = b0; bi < b1; ++bi) {
                const std::size_t n = order[bi];
                const float* x = &s.x[n * ocr::kFeatureCount];
                m.forward(x, h, p);
                const int y = s.y[n];
                loss -= std::log(std::max(p[static_cast<std::size_t>(y)], 1e-12F));
                std::fill(dh.begin(), dh.end(), 0.0F);
                for (int c = 0; c < out; ++c) {
                    const float d = p[static_cast<std::size_t>(c)] - (c == y ? 1.0F : 0.0F);
                    gb2[static_cast<std::size_t>(c)] += d;
                    float* g = &gw2[static_cast<std::size_t>(c * hid)];
                    const float* w = &m.w2[static_cast<std::size_t>(c * hid)];
                    for (int j = 0; j < hid; ++j) {
                        g[j] += d * h[static_cast<std::size_t>(j)];
                        dh[static_cast<std::size_t>(j)] += d * w[j];
                    }
                }
                for (int j = 0; j < hid; ++j) {
                    if (h[static_cast<std::size_t>(j)] <= 0)
                        continue;
                    const float d = dh[static_cast<std::size_t>(j)];
                    gb1[static_cast<std::size_t>(j)] += d;
                    float* g = &gw1[static_cast<std::size_t>(j * in)];
                    for (int i = 0; i < in; ++i)
                        g[i] += d * x[i];
                }
            }
            const float scale = lr / static_cast<float>(b1 - b0);
            const auto step = [&](std::vector<float>& w, std::vector<float>& v, const std::vector<float>& g) {
                for (std::size_t i = 0; i < w.size(); ++i) {
                    v[i] = kMomentum * v[i] - scale * g[i];
                    w[i] += v[i];
                }
            };
            step(m.w1, vw1, gw1);
            step(m.b1, vb1, gb1);
            step(m.w2, vw2, gw2);
            step(m.b2, vb2, gb2);
        }
        std::cerr << "epoch " << e + 1 << "/" << epochs << " loss " << loss / static_cast<double>(s.size())
                  << " held-out cell accuracy " << accuracy(m, eval) << "\n";
    }
}

// Shortest decimal that reads back to the same float: byte-identical output, exact weights.
std::string num(float v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(v));
    std::string s(buf);
    if (s.find_first_of(".eE") == std::string::npos)
        s += ".0";
    return s + "F";
}

// [rows][cols] -> [cols][rows]
std::vector<float> transposed(const std::vector<float>& m, int rows, int cols)
{
    std::vector<float> t(m.size());
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c)
            t[static_cast<std::size_t>(c * rows + r)] = m[static_cast<std::size_t>(r * cols + c)];
    return t;
}

void writeArray(std::ostream& os, const char* name, const std::vector<float>& v)
{
    os << "inline constexpr float " << name << "[" << v.size() << "] = {\n";
    for (std::size_t i = 0; i < v.size(); ++i) {
        os << (i % 8 == 0 ? "    " : " ") << num(v[i]) << ",";
        if (i % 8 == 7 || i + 1 == v.size())
            os << "\n";
    }
    os << "};\n";
}

} // namespace

int main(int argc, char** argv)
{
    CLI::App app{"Train the compact OCR-B MRZ classifier on synthetic lines and write ocrb_model.inc"};
    std::string font = gw::tools::ocrb::kOcrbFontPath;
    std::string outPath;
    int lines = 3000;
    int evalLines = 300;
    int epochs = 14;
    int hidden = 96;
    std::uint64_t seed = 20261124;
    app.add_option("--font", font, "OCR-B font (fonts-ocr-b)");
    app.add_option("--out", outPath, "where to write the generated model source")->required();
    app.add_option("--lines", lines, "synthetic training lines");
    app.add_option("--eval-lines", evalLines, "held-out synthetic lines (another seed)");
    app.add_option("--epochs", epochs);
    app.add_option("--hidden", hidden, "hidden units");
    app.add_option("--seed", seed);
    std::string realDir;
    int realRepeat = 3;
    app.add_option(
        "--real", realDir,
        "optional folder with mrz-lines.tsv and mrz-lines/: adds the real crops outside the held-out "
        "split (documents hashing to 0 mod 5) to training and reports the held-out accuracy");
    app.add_option("--real-repeat", realRepeat, "how many times each real training cell is used per epoch");
    bool realEvalOnly = false;
    app.add_flag("--real-eval-only", realEvalOnly,
                 "with --real: only measure on the held-out crops, train on none");
    CLI11_PARSE(app, argc, argv);

    // One thread: OpenCV's parallel loops are deterministic, but single-threaded is cheap and certain.
    cv::setNumThreads(0);
    auto renderer = gw::tools::ocrb::LineRenderer::create(font);
    if (!renderer) {
        std::cerr << "cannot load the OCR-B font " << font << " (apt-get install fonts-ocr-b)\n";
        return 1;
    }
    Samples trainSet;
    Samples evalSet;
    Stats trainStats;
    Stats evalStats;
    makeSamples(*renderer, seed, lines, trainSet, trainStats);
    makeSamples(*renderer, seed ^ 0xA5A5A5A5ULL, evalLines, evalSet, evalStats);
    std::cerr << "training cells " << trainSet.size() << " from " << trainStats.segmented << "/"
              << trainStats.lines << " lines segmented to the right length; held-out cells " << evalSet.size()
              << "\n";

    Samples realTest;
    std::string realNote = "synthetic lines only";
    if (!realDir.empty()) {
        Samples realTrain;
        Stats rs;
        Stats rt;
        if (!realEvalOnly)
            realSamples(realDir, false, realTrain, rs);
        realSamples(realDir, true, realTest, rt);
        if (realTrain.size() == 0) {
            std::cerr << "no real training crops used; held out " << realTest.size() << " cells\n";
        } else {
            for (int r = 0; r < realRepeat; ++r) {
                trainSet.x.insert(trainSet.x.end(), realTrain.x.begin(), realTrain.x.end());
                trainSet.y.insert(trainSet.y.end(), realTrain.y.begin(), realTrain.y.end());
            }
            realNote = "synthetic lines plus " + std::to_string(realTrain.size()) + " real cells (" +
                       std::to_string(rs.segmented) + " crops, x" + std::to_string(realRepeat) + ")";
            std::cerr << "real cells: train " << realTrain.size() << " from " << rs.segmented << "/"
                      << rs.lines << " crops; held out " << realTest.size() << " from " << rt.segmented << "/"
                      << rt.lines << "\n";
        }
    }

    Mlp mlp;
    mlp.hidden = hidden;
    Rng rng(seed + 1);
    mlp.init(rng);
    train(mlp, trainSet, epochs, rng, evalSet);
    const double evalAcc = accuracy(mlp, evalSet);
    if (realTest.size() > 0)
        std::cerr << "held-out real cell accuracy " << accuracy(mlp, realTest) << " (" << realTest.size()
                  << " cells)\n";

    std::ofstream os(outPath, std::ios::binary);
    if (!os) {
        std::cerr << "cannot write " << outPath << "\n";
        return 1;
    }
    os << "// SPDX-License-Identifier: Apache-2.0\n"
       << "// Generated OCR-B MRZ glyph classifier weights: do not edit; regenerate with "
          "scripts/train-ocrb.sh.\n"
       << "// Made by vision/tools/train_ocrb from fonts-ocr-b OCRB.otf, " << realNote << ": seed " << seed
       << ", " << lines << " lines (" << trainSet.size() << " cells), " << epochs << " epochs, " << hidden
       << " hidden units.\n"
       << "// Held-out synthetic cell accuracy: " << evalAcc << " (" << evalSet.size() << " cells).\n"
       << "// Layout: hidden = relu(x W1 + B1), logits = hidden W2 + B2; W1 is [inputs][hidden], W2 is\n"
       << "// [hidden][classes], row-major (input-major, so that inference runs as vectorisable row "
          "additions).\n"
       << "inline constexpr int kModelInputs = " << mlp.in << ";\n"
       << "inline constexpr int kModelHidden = " << mlp.hidden << ";\n"
       << "inline constexpr int kModelClasses = " << mlp.out << ";\n";
    writeArray(os, "kModelW1", transposed(mlp.w1, mlp.hidden, mlp.in));
    writeArray(os, "kModelB1", mlp.b1);
    writeArray(os, "kModelW2", transposed(mlp.w2, mlp.out, mlp.hidden));
    writeArray(os, "kModelB2", mlp.b2);
    std::cerr << "wrote " << outPath << "\n";
    return os ? 0 : 1;
}
