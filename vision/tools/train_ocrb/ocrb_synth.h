// SPDX-License-Identifier: Apache-2.0
// Synthetic OCR-B MRZ lines (cv::freetype + fonts-ocr-b) with seeded degradations, for training and tests.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <numbers>
#include <string>
#include <string_view>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/freetype.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace gw::tools::ocrb {

inline constexpr const char* kOcrbFontPath = "/usr/share/fonts/opentype/ocr-b/OCRB.otf";
inline constexpr std::string_view kMrzAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<";

/// @brief Deterministic generator (SplitMix64) with its own distributions, so that a seed gives the same
/// data with any standard library (std:: distributions are implementation-defined).
class Rng {
public:
    explicit Rng(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next()
    {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    /// [0, 1)
    double uniform() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    /// [0, n)
    int below(int n) { return static_cast<int>(uniform() * n); }
    bool chance(double p) { return uniform() < p; }
    double normal()
    {
        const double u1 = std::max(uniform(), 1e-12);
        const double u2 = uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
    }

private:
    std::uint64_t state_;
};

/// @brief MRZ-like text: names, digit runs, mixed document numbers and '<' filler runs, or (with
/// probability @p uniformShare) characters drawn evenly from the alphabet to balance the classes.
inline std::string randomMrzText(Rng& rng, int length, double uniformShare = 0.5)
{
    std::string s;
    if (rng.chance(uniformShare)) {
        while (static_cast<int>(s.size()) < length) {
            if (rng.chance(0.08))
                s.append(static_cast<std::size_t>(1 + rng.below(6)), '<');
            else
                s.push_back(kMrzAlphabet[static_cast<std::size_t>(rng.below(37))]);
        }
    } else {
        constexpr std::string_view letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        constexpr std::string_view digits = "0123456789";
        while (static_cast<int>(s.size()) < length) {
            const double k = rng.uniform();
            const int n = 1 + rng.below(9);
            for (int i = 0; i < n; ++i) {
                if (k < 0.35)
                    s.push_back(letters[static_cast<std::size_t>(rng.below(26))]);
                else if (k < 0.65)
                    s.push_back(digits[static_cast<std::size_t>(rng.below(10))]);
                else if (k < 0.8)
                    s.push_back(kMrzAlphabet[static_cast<std::size_t>(rng.below(36))]);
                else
                    s.push_back('<');
            }
        }
    }
    s.resize(static_cast<std::size_t>(length));
    return s;
}

/// @brief How one synthetic line is printed and captured.
struct SynthParams {
    double charHeightPx = 32; ///< [px] cap height in the output
    double pitchRatio = 1.05; ///< pitch / cap height before the horizontal stretch (ICAO: ~1.05)
    double stretchX = 1.0;    ///< horizontal scale of the whole capture (crops resized to a fixed height)
    double weight = 0;        ///< stroke weight change in cap heights (+ bolder, - thinner)
    double jitter = 0;        ///< per-glyph placement noise in pitches (sd)
    double rotationDeg = 0;
    double blurSigmaPx = 0;
    double noiseSigma = 0;    ///< grey levels
    double groundLevel = 235; ///< paper grey level
    double inkLevel = 25;     ///< print grey level
    double gradient = 0;      ///< illumination fall-off across the image, fraction of the ground
    double texture = 0;       ///< amplitude of a smooth background pattern (security print), grey levels
    int jpegQuality = 0;      ///< 0: none
    bool binarise = false;    ///< Otsu-binarised output, as in many public MRZ line crops
    double binariseShift = 0; ///< grey levels added to the Otsu threshold (thinner or fatter binarised print)
    double marginY = 0.5;     ///< in cap heights
    double marginX = 1.0;     ///< in pitches
    double lineSpacing = 1.75; ///< centre-to-centre distance of band lines in cap heights
};

/// @brief Random degradations; @p severity in [0, 1] scales how hard they are.
inline SynthParams randomParams(Rng& rng, double severity)
{
    SynthParams p;
    p.charHeightPx = rng.uniform(14, 56);
    p.pitchRatio = rng.uniform(0.98, 1.12);
    p.stretchX = rng.chance(0.4) ? rng.uniform(0.55, 1.25) : rng.uniform(0.9, 1.1);
    p.weight = rng.uniform(-0.035, 0.09) * severity;
    p.jitter = rng.uniform(0, 0.04) * severity;
    p.rotationDeg = rng.uniform(-1.2, 1.2) * severity;
    p.blurSigmaPx = rng.uniform(0, 0.045) * p.charHeightPx * severity;
    p.noiseSigma = rng.uniform(0, 18) * severity;
    p.groundLevel = rng.uniform(150, 250);
    p.inkLevel = rng.uniform(0, std::min(110.0, p.groundLevel - 60));
    p.gradient = rng.uniform(0, 0.35) * severity;
    p.texture = rng.chance(0.3) ? rng.uniform(0, 35) * severity : 0;
    p.jpegQuality = rng.chance(0.4 * severity) ? 30 + rng.below(60) : 0;
    p.binarise = rng.chance(0.3);
    p.binariseShift = rng.uniform(-30, 30) * severity;
    p.marginY = rng.uniform(0.08, 0.8);
    p.marginX = rng.uniform(0.1, 1.5);
    p.lineSpacing = rng.uniform(1.55, 2.0);
    return p;
}

/// @brief Renders OCR-B MRZ lines. Holds the loaded font; not thread-safe.
class LineRenderer {
public:
    /// @return nullptr when the font cannot be loaded.
    static std::unique_ptr<LineRenderer> create(const std::string& fontPath = kOcrbFontPath)
    {
        auto r = std::unique_ptr<LineRenderer>(new LineRenderer());
        try {
            r->ft_ = cv::freetype::createFreeType2();
            r->ft_->loadFontData(fontPath, 0);
            // Cap height and advance per em, measured once on 'H' (the font is monospaced).
            constexpr int kEm = 200;
            int base = 0;
            const cv::Size one = r->ft_->getTextSize("H", kEm, -1, &base);
            const cv::Size two = r->ft_->getTextSize("HH", kEm, -1, &base);
            r->capPerEm_ = static_cast<double>(one.height) / kEm;
            r->advancePerEm_ = static_cast<double>(two.width - one.width) / kEm;
        } catch (const cv::Exception&) {
            return nullptr;
        }
        if (r->capPerEm_ <= 0 || r->advancePerEm_ <= 0)
            return nullptr;
        return r;
    }

    /// @brief Renders @p lines (one for a line crop, 2-3 for a band) as an 8-bit grey image.
    /// @param pitchPx receives the output pitch [px] (after the stretch); may be null.
    cv::Mat render(const std::vector<std::string>& lines, const SynthParams& p, Rng& rng,
                   double* pitchPx = nullptr)
    {
        // Supersampled drawing so that stroke weight changes and sub-pixel placement stay smooth.
        const double ss = std::clamp(160.0 / p.charHeightPx, 1.0, 4.0);
        const double capHi = p.charHeightPx * ss;
        const double em = capHi / capPerEm_;
        const double pitchHi = p.pitchRatio * capHi;
        std::size_t maxLen = 1;
        for (const auto& l : lines)
            maxLen = std::max(maxLen, l.size());
        const double marginX = p.marginX * pitchHi;
        const double marginY = p.marginY * capHi;
        const double spacing = p.lineSpacing * capHi;
        const int w = static_cast<int>(std::ceil(2 * marginX + pitchHi * static_cast<double>(maxLen)));
        const int h = static_cast<int>(std::ceil(
            2 * marginY + capHi + spacing * static_cast<double>(std::max<std::size_t>(lines.size(), 1) - 1)));
        cv::Mat canvas(h, w, CV_8UC3, cv::Scalar::all(0));
        for (std::size_t li = 0; li < lines.size(); ++li) {
            const double baseline = marginY + capHi + spacing * static_cast<double>(li);
            for (std::size_t i = 0; i < lines[li].size(); ++i) {
                const double centre =
                    marginX + pitchHi * (static_cast<double>(i) + 0.5) + rng.normal() * p.jitter * pitchHi;
                const double dy = rng.normal() * p.jitter * capHi * 0.5;
                const cv::Point org(static_cast<int>(std::lround(centre - 0.5 * advancePerEm_ * em)),
                                    static_cast<int>(std::lround(baseline + dy)));
                ft_->putText(canvas, std::string(1, lines[li][i]), org, static_cast<int>(std::lround(em)),
                             cv::Scalar::all(255), -1, cv::LINE_AA, true);
            }
        }
        cv::Mat ink;
        cv::extractChannel(canvas, ink, 0);
        const int r = static_cast<int>(std::lround(std::abs(p.weight) * capHi));
        if (r >= 1) {
            const cv::Mat k = cv::getStructuringElement(cv::MORPH_ELLIPSE, {2 * r + 1, 2 * r + 1});
            if (p.weight > 0)
                cv::dilate(ink, ink, k);
            else
                cv::erode(ink, ink, k);
        }
        const double outScale = 1.0 / ss;
        cv::Mat small;
        cv::resize(ink, small,
                   cv::Size(std::max(1, static_cast<int>(std::lround(w * outScale * p.stretchX))),
                            std::max(1, static_cast<int>(std::lround(h * outScale)))),
                   0, 0, cv::INTER_AREA);
        if (p.rotationDeg != 0) {
            const cv::Point2f c(0.5F * static_cast<float>(small.cols), 0.5F * static_cast<float>(small.rows));
            const cv::Mat rot = cv::getRotationMatrix2D(c, p.rotationDeg, 1.0);
            cv::warpAffine(small, small, rot, small.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT,
                           cv::Scalar(0));
        }
        cv::Mat inkF;
        small.convertTo(inkF, CV_32F, 1.0 / 255.0);
        cv::Mat ground(small.size(), CV_32F, cv::Scalar(p.groundLevel));
        if (p.gradient > 0) {
            const double angle = rng.uniform(0, 2 * std::numbers::pi);
            const double ca = std::cos(angle);
            const double sa = std::sin(angle);
            for (int y = 0; y < ground.rows; ++y) {
                auto* g = ground.ptr<float>(y);
                for (int x = 0; x < ground.cols; ++x) {
                    const double t = (ca * x / std::max(1, ground.cols) + sa * y / std::max(1, ground.rows));
                    g[x] = static_cast<float>(p.groundLevel * (1.0 - p.gradient * (0.5 + 0.5 * t)));
                }
            }
        }
        if (p.texture > 0) {
            cv::Mat tex(std::max(2, small.rows / 8), std::max(2, small.cols / 8), CV_32F);
            for (int y = 0; y < tex.rows; ++y)
                for (int x = 0; x < tex.cols; ++x)
                    tex.at<float>(y, x) = static_cast<float>(rng.normal() * p.texture);
            cv::resize(tex, tex, small.size(), 0, 0, cv::INTER_CUBIC);
            ground += tex;
        }
        // Print darkens the ground towards the ink level (lighting also scales the ink).
        cv::Mat out = ground - inkF.mul(ground - static_cast<float>(p.inkLevel) * ground / p.groundLevel);
        if (p.blurSigmaPx > 0.2)
            cv::GaussianBlur(out, out, {0, 0}, p.blurSigmaPx);
        if (p.noiseSigma > 0) {
            for (int y = 0; y < out.rows; ++y) {
                auto* o = out.ptr<float>(y);
                for (int x = 0; x < out.cols; ++x)
                    o[x] += static_cast<float>(rng.normal() * p.noiseSigma);
            }
        }
        cv::Mat out8;
        out.convertTo(out8, CV_8U);
        if (p.jpegQuality > 0) {
            std::vector<std::uint8_t> buf;
            cv::imencode(".jpg", out8, buf, {cv::IMWRITE_JPEG_QUALITY, p.jpegQuality});
            out8 = cv::imdecode(buf, cv::IMREAD_GRAYSCALE);
        }
        if (p.binarise) {
            cv::Mat scratch;
            const double otsu = cv::threshold(out8, scratch, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU);
            cv::threshold(out8, out8, std::clamp(otsu + p.binariseShift, 1.0, 254.0), 255, cv::THRESH_BINARY);
        }
        if (pitchPx != nullptr)
            *pitchPx = pitchHi * outScale * p.stretchX;
        return out8;
    }

private:
    LineRenderer() = default;
    cv::Ptr<cv::freetype::FreeType2> ft_;
    double capPerEm_ = 0;
    double advancePerEm_ = 0;
};

} // namespace gw::tools::ocrb
