// SPDX-License-Identifier: Apache-2.0
// Places a rendered page on the scanner glass and applies the camera's degradations per light.
#include "capture.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include <opencv2/imgproc.hpp>

namespace gw::specimen {
namespace {

constexpr double kDegToRad = std::numbers::pi / 180.0;
constexpr double kEdgeMarginMm = 1.0; // the page never touches the glass border

/// Low-frequency unevenness of the dark lid (fabric, dust), a factor around 1.
cv::Mat lidField(cv::Size size, std::uint64_t seed)
{
    cv::RNG rng(seed);
    cv::Mat coarse(6, 8, CV_32F);
    rng.fill(coarse, cv::RNG::UNIFORM, 0.8, 1.2);
    cv::Mat field;
    cv::resize(coarse, field, size, 0, 0, cv::INTER_CUBIC);
    return field;
}

/// out = lid + (page - lid) * alpha / 255 in place on @p page, the lid being level * field.
void overLid(cv::Mat& page, const cv::Mat& field, const cv::Scalar& level, const cv::Mat& alpha)
{
    const int ch = page.channels();
    for (int y = 0; y < page.rows; ++y) {
        auto* p = page.ptr<std::uint8_t>(y);
        const auto* f = field.ptr<float>(y);
        const auto* a = alpha.ptr<std::uint8_t>(y);
        for (int x = 0; x < page.cols; ++x) {
            const int av = a[x];
            if (av == 255)
                continue;
            for (int k = 0; k < ch; ++k) {
                const int i = x * ch + k;
                const int lidValue = cv::saturate_cast<std::uint8_t>(level[k] * f[x]);
                p[i] = static_cast<std::uint8_t>((p[i] * av + lidValue * (255 - av) + 127) / 255);
            }
        }
    }
}

/// Multiplicative light falloff: a linear gradient times a radial vignette, 1 = full light.
cv::Mat illumination(cv::Size size, const Degradations& d)
{
    cv::Mat gain(size, CV_32F);
    const double dx = std::cos(d.illuminationAngleDeg * kDegToRad);
    const double dy = std::sin(d.illuminationAngleDeg * kDegToRad);
    const double cx = size.width / 2.0, cy = size.height / 2.0;
    const double halfExtent = 0.5 * (std::abs(dx) * size.width + std::abs(dy) * size.height);
    const double halfDiag2 = cx * cx + cy * cy;
    for (int y = 0; y < size.height; ++y) {
        auto* g = gain.ptr<float>(y);
        for (int x = 0; x < size.width; ++x) {
            const double px = x - cx, py = y - cy;
            const double t =
                0.5 + 0.5 * (px * dx + py * dy) / halfExtent; // 0 at the bright end, 1 at the dim end
            const double r2 = (px * px + py * py) / halfDiag2;
            g[x] = static_cast<float>((1.0 - d.illuminationGradient * t) * (1.0 - d.vignetting * r2));
        }
    }
    return gain;
}

/// Specular glare from the laminate: screen-blends light towards white, only where the page is.
void addGlare(cv::Mat& img, const cv::Mat& alpha, cv::Point2d centrePx, double sigmaPx, double strength)
{
    if (strength <= 0 || sigmaPx <= 0)
        return;
    const cv::Rect roi =
        cv::Rect(static_cast<int>(centrePx.x - 3.5 * sigmaPx), static_cast<int>(centrePx.y - 3.5 * sigmaPx),
                 static_cast<int>(7 * sigmaPx), static_cast<int>(7 * sigmaPx)) &
        cv::Rect(0, 0, img.cols, img.rows);
    const int ch = img.channels();
    // Laminate glare is a stretched highlight, wider along x than along y.
    const double sx2 = 2 * (1.5 * sigmaPx) * (1.5 * sigmaPx), sy2 = 2 * sigmaPx * sigmaPx;
    for (int y = roi.y; y < roi.y + roi.height; ++y) {
        auto* p = img.ptr<float>(y);
        const auto* a = alpha.ptr<std::uint8_t>(y);
        const double ddy = y - centrePx.y;
        for (int x = roi.x; x < roi.x + roi.width; ++x) {
            if (a[x] == 0)
                continue;
            const double ddx = x - centrePx.x;
            const double g = strength * std::exp(-(ddx * ddx) / sx2 - (ddy * ddy) / sy2) * (a[x] / 255.0);
            for (int k = 0; k < ch; ++k) {
                float& v = p[x * ch + k];
                v = static_cast<float>(v + (255.0 - v) * g);
            }
        }
    }
}

/// 65536 standard-normal samples: sensor noise indexes this table with a fast PRNG, which costs a
/// fraction of drawing a Gaussian per pixel and is just as deterministic.
const std::vector<float>& normalTable()
{
    static const std::vector<float> table = [] {
        std::vector<float> t(1u << 16);
        Prng rng(0x6E015E, "normal-table");
        for (auto& v : t)
            v = static_cast<float>(rng.normal());
        return t;
    }();
    return table;
}

/// One light's frame: illumination and glare on the scene, optics blur, sensor noise, then the
/// camera's contrast and brightness about the frame's mean.
cv::Mat degrade(const cv::Mat& in, const cv::Mat& gain, double gainScale, const cv::Mat& alpha,
                const Degradations& d, double ppm, double blurScale, double glareStrength,
                cv::Point2d glareMm, double noiseScale, std::uint64_t noiseSeed)
{
    const int ch = in.channels();
    cv::Mat f(in.size(), CV_MAKETYPE(CV_32F, ch));
    const auto gs = static_cast<float>(gainScale), g0 = static_cast<float>(1.0 - gainScale);
    for (int y = 0; y < in.rows; ++y) {
        const auto* s = in.ptr<std::uint8_t>(y);
        const auto* g = gain.ptr<float>(y);
        auto* o = f.ptr<float>(y);
        for (int x = 0; x < in.cols; ++x) {
            const float k = g0 + gs * g[x];
            for (int c = 0; c < ch; ++c)
                o[x * ch + c] = s[x * ch + c] * k;
        }
    }
    addGlare(f, alpha, glareMm * ppm, d.glareRadiusMm * ppm, glareStrength);
    const double sigmaPx = d.blurSigmaMm * ppm * blurScale;
    if (sigmaPx >= 0.25)
        cv::GaussianBlur(f, f, cv::Size(), sigmaPx);

    const cv::Scalar m = cv::mean(f);
    double pivot = 0;
    for (int c = 0; c < ch; ++c)
        pivot += m[c] / ch;
    const auto contrast = static_cast<float>(d.contrast);
    const auto offset = static_cast<float>(d.brightness + pivot * (1.0 - d.contrast));
    const auto sigma = static_cast<float>(d.noiseSigma * noiseScale);
    const std::vector<float>& normal = normalTable();
    std::uint64_t state = splitmix64(noiseSeed) | 1;
    cv::Mat out(in.size(), in.type());
    for (int y = 0; y < f.rows; ++y) {
        const float* v = f.ptr<float>(y);
        auto* o = out.ptr<std::uint8_t>(y);
        const int n = f.cols * ch;
        for (int i = 0; i < n; ++i) {
            // xorshift64: a new 16-bit table index per sample.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            const float noisy = v[i] + sigma * normal[static_cast<std::size_t>(state >> 48)];
            o[i] = cv::saturate_cast<std::uint8_t>(noisy * contrast + offset);
        }
    }
    return out;
}

} // namespace

Placement placePage(cv::Size2d pageMm, double dpi, double rotationDeg, bool upsideDown, Prng& rng)
{
    Placement p;
    p.pixelsPerMm = dpi / kMmPerInch;
    p.glassPx = {static_cast<int>(std::lround(kGlassWidthMm * p.pixelsPerMm)),
                 static_cast<int>(std::lround(kGlassHeightMm * p.pixelsPerMm))};
    p.rotationDeg = rotationDeg;
    p.upsideDown = upsideDown;
    const double phi = (rotationDeg + (upsideDown ? 180.0 : 0.0)) * kDegToRad;
    const double c = std::cos(phi), s = std::sin(phi);
    const double ex = 0.5 * (pageMm.width * std::abs(c) + pageMm.height * std::abs(s));
    const double ey = 0.5 * (pageMm.width * std::abs(s) + pageMm.height * std::abs(c));
    auto centreOn = [&](double extent, double glass) {
        const double lo = extent + kEdgeMarginMm, hi = glass - extent - kEdgeMarginMm;
        return hi > lo ? rng.uniform(lo, hi) : glass / 2;
    };
    p.centreMm = {centreOn(ex, kGlassWidthMm), centreOn(ey, kGlassHeightMm)};

    // Counter-clockwise as seen in the image (y down): (dx, dy) -> (c dx + s dy, -s dx + c dy).
    const cv::Matx22d rot(c, s, -s, c);
    const double ppm = p.pixelsPerMm;
    const cv::Vec2d halfPagePx(pageMm.width * ppm / 2, pageMm.height * ppm / 2);
    const cv::Vec2d centrePx(p.centreMm.x * ppm, p.centreMm.y * ppm);
    // Continuous coordinates (pixel centres at +0.5) map rigidly; index coordinates shift by half a pixel.
    auto toGlass = [&](cv::Vec2d pageContinuous) {
        return centrePx + rot * (pageContinuous - halfPagePx) - cv::Vec2d(0.5, 0.5);
    };
    const cv::Vec2d t = toGlass(cv::Vec2d(0.5, 0.5));
    p.pageToGlass = cv::Matx23d(rot(0, 0), rot(0, 1), t[0], rot(1, 0), rot(1, 1), t[1]);
    const std::array<cv::Vec2d, 4> corners{cv::Vec2d(0, 0), cv::Vec2d(2 * halfPagePx[0], 0),
                                           cv::Vec2d(2 * halfPagePx[0], 2 * halfPagePx[1]),
                                           cv::Vec2d(0, 2 * halfPagePx[1])};
    for (std::size_t i = 0; i < 4; ++i) {
        const cv::Vec2d g = toGlass(corners[i]);
        p.cornersPx[i] = {g[0], g[1]};
    }
    return p;
}

Degradations drawDegradations(Prng& rng)
{
    Degradations d;
    const double u = rng.uniform();
    d.level = u < 0.15 ? "light" : u < 0.88 ? "moderate" : "strong";
    d.illuminationAngleDeg = rng.uniform(0, 360);
    d.glareXMm = rng.uniform(10, kGlassWidthMm - 10);
    d.glareYMm = rng.uniform(10, kGlassHeightMm - 10);
    d.irGlareXMm = rng.uniform(10, kGlassWidthMm - 10);
    d.irGlareYMm = rng.uniform(10, kGlassHeightMm - 10);
    if (d.level == "light") {
        d.blurSigmaMm = rng.uniform(0.0, 0.03);
        d.noiseSigma = rng.uniform(0.5, 2.0);
        d.illuminationGradient = rng.uniform(0.0, 0.08);
        d.vignetting = rng.uniform(0.0, 0.06);
        d.glareStrength = rng.chance(0.3) ? rng.uniform(0.1, 0.25) : 0.0;
        d.glareRadiusMm = rng.uniform(5, 10);
        d.contrast = rng.uniform(0.95, 1.05);
        d.brightness = rng.uniform(-5, 5);
    } else if (d.level == "moderate") {
        d.blurSigmaMm = rng.uniform(0.02, 0.06);
        d.noiseSigma = rng.uniform(1.5, 5.0);
        d.illuminationGradient = rng.uniform(0.05, 0.25);
        d.vignetting = rng.uniform(0.03, 0.15);
        d.glareStrength = rng.chance(0.5) ? rng.uniform(0.2, 0.55) : 0.0;
        d.glareRadiusMm = rng.uniform(6, 15);
        d.contrast = rng.uniform(0.82, 1.05);
        d.brightness = rng.uniform(-12, 8);
    } else {
        d.blurSigmaMm = rng.uniform(0.06, 0.10);
        d.noiseSigma = rng.uniform(5.0, 10.0);
        d.illuminationGradient = rng.uniform(0.25, 0.45);
        d.vignetting = rng.uniform(0.15, 0.35);
        d.glareStrength = rng.chance(0.8) ? rng.uniform(0.5, 0.85) : 0.0;
        d.glareRadiusMm = rng.uniform(10, 22);
        d.contrast = rng.uniform(0.6, 0.85);
        d.brightness = rng.uniform(-25, 10);
    }
    return d;
}

gw::Result<Frames> composeCapture(const Layers& page, const Placement& placement, const Degradations& d,
                                  std::uint64_t noiseSeed)
{
    try {
        const cv::Size glass = placement.glassPx;
        cv::Mat alpha(glass, CV_8UC1, cv::Scalar(0));
        constexpr int kShift = 8;
        std::vector<cv::Point> poly;
        for (const auto& c : placement.cornersPx)
            poly.emplace_back(static_cast<int>(std::lround(c.x * (1 << kShift))),
                              static_cast<int>(std::lround(c.y * (1 << kShift))));
        cv::fillConvexPoly(alpha, poly, cv::Scalar(255), cv::LINE_AA, kShift);

        Frames out;
        const cv::Mat m(placement.pageToGlass);
        cv::warpAffine(page.white, out.white, m, glass, cv::INTER_LINEAR, cv::BORDER_REPLICATE);
        cv::warpAffine(page.ir, out.ir, m, glass, cv::INTER_LINEAR, cv::BORDER_REPLICATE);
        cv::warpAffine(page.uv, out.uv, m, glass, cv::INTER_LINEAR, cv::BORDER_REPLICATE);
        const cv::Mat field = lidField(glass, noiseSeed ^ 0x11);
        overLid(out.white, field, cv::Scalar(26, 24, 24), alpha);
        overLid(out.ir, field, cv::Scalar(18), alpha);
        overLid(out.uv, field, cv::Scalar(16, 8, 14), alpha);

        const cv::Mat gain = illumination(glass, d);
        const double ppm = placement.pixelsPerMm;
        // IR LEDs light more evenly but focus ~0.1 mm behind visible light; UV tubes fall off fastest and
        // need more gain (noise). Only the white light glares at full strength; IR LEDs sit elsewhere.
        out.white = degrade(out.white, gain, 1.0, alpha, d, ppm, 1.0, d.glareStrength,
                            {d.glareXMm, d.glareYMm}, 1.0, noiseSeed ^ 0x44);
        out.ir = degrade(out.ir, gain, 0.8, alpha, d, ppm, 1.2, d.glareStrength * 0.5,
                         {d.irGlareXMm, d.irGlareYMm}, 1.0, noiseSeed ^ 0x55);
        out.uv = degrade(out.uv, gain, 1.15, alpha, d, ppm, 1.0, 0.0, {0, 0}, 1.3, noiseSeed ^ 0x66);
        return out;
    } catch (const cv::Exception& e) {
        return gw::fail(gw::Errc::Internal,
                        std::string("OpenCV failed while composing the capture: ") + e.what());
    }
}

} // namespace gw::specimen
