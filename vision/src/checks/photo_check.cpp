// SPDX-License-Identifier: Apache-2.0
// photo.white_ir: the portrait under IR shows the same structure as under white light (not replaced).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "checks/optical_checks.h"

namespace gw::vision::checks {
namespace {

constexpr const char* kId = "photo.white_ir";
/// Resolution of the comparison [px/mm]: eyes, mouth, hairline and shoulders are 1-10 mm features.
constexpr double kPhotoPxPerMm = 4.0;
/// Side of the blocks whose gradients are compared [mm]: small enough that glare and light fall-off are
/// a mere gain inside one block, large enough to hold a facial feature.
constexpr double kBlockMm = 4.0;

std::string fixed(double v, int decimals)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

/// The portrait as it shows under IR: the largest IR-dark area of the portrait zone (hair, clothes,
/// facial features print with IR-absorbing ink; the backdrop and the pre-print do not), widened to the
/// print around it. Empty when the zone shows no such area.
cv::Rect locatePortrait(const cv::Mat& ir, double pxPerMm, double& areaMm2)
{
    std::vector<std::uint8_t> v(ir.begin<std::uint8_t>(), ir.end<std::uint8_t>());
    if (v.empty())
        return {};
    const auto k = static_cast<std::ptrdiff_t>(0.9 * static_cast<double>(v.size() - 1));
    std::nth_element(v.begin(), v.begin() + k, v.end());
    const double paper = v[static_cast<std::size_t>(k)];
    cv::Mat dark;
    cv::threshold(ir, dark, 0.7 * paper, 255, cv::THRESH_BINARY_INV);
    const int close = std::max(3, static_cast<int>(std::lround(2.0 * pxPerMm)) | 1);
    cv::morphologyEx(dark, dark, cv::MORPH_CLOSE,
                     cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(close, close)));
    cv::Mat labels, stats, centroids;
    const int n = cv::connectedComponentsWithStats(dark, labels, stats, centroids, 8, CV_32S);
    int best = 0, bestArea = 0;
    for (int i = 1; i < n; ++i) {
        const int area = stats.at<int>(i, cv::CC_STAT_AREA);
        if (area > bestArea) {
            best = i;
            bestArea = area;
        }
    }
    areaMm2 = bestArea / (pxPerMm * pxPerMm);
    // Even an ID-card portrait's hair and clothes cover more than 30 mm2 and stand 4 mm high; lines of text
    // and specks do not.
    if (best == 0 || bestArea < 30.0 * pxPerMm * pxPerMm)
        return {};
    const cv::Rect r(stats.at<int>(best, cv::CC_STAT_LEFT), stats.at<int>(best, cv::CC_STAT_TOP),
                     stats.at<int>(best, cv::CC_STAT_WIDTH), stats.at<int>(best, cv::CC_STAT_HEIGHT));
    if (r.height < 4.0 * pxPerMm)
        return {};
    // Up to the top of the zone: a bald head or light hair leaves the crown out of the dark area.
    const int padX = static_cast<int>(std::lround(0.1 * r.width));
    const cv::Rect grown(r.x - padX, 0, r.width + 2 * padX, r.y + r.height);
    return grown & cv::Rect(0, 0, ir.cols, ir.rows);
}

} // namespace

CheckOutcome checkPhotoWhiteIr(const CheckContext& ctx)
{
    if (ctx.ir.empty())
        return notSupported(kId, "", "infrared", "infrarood");
    CheckOutcome c;
    c.id = kId;
    const double minAgreement = ctx.threshold("photo.white_ir.agreement_min");

    const cv::Rect zone = toPixels(ctx.zones.portrait, ctx.pixelsPerMm, ctx.white.size());
    if (zone.width < 16 || zone.height < 16) {
        c.result = CheckResult::Undetermined;
        c.reason = {"Not checked: the portrait zone was not found on the page.",
                    "Niet gecontroleerd: de zone van de pasfoto is niet gevonden op de pagina."};
        return c;
    }
    const double scale = std::min(1.0, kPhotoPxPerMm / ctx.pixelsPerMm);
    const double s = ctx.pixelsPerMm * scale;
    cv::Mat white, ir;
    cv::resize(ctx.white(zone), white, cv::Size(), scale, scale, cv::INTER_AREA);
    cv::resize(ctx.ir(zone), ir, cv::Size(), scale, scale, cv::INTER_AREA);
    double darkAreaMm2 = 0;
    const cv::Rect face = locatePortrait(ir, s, darkAreaMm2);
    if (face.empty()) {
        c.result = CheckResult::Undetermined;
        c.measured = {{"ir_dark_area_mm2", darkAreaMm2}};
        c.regions = {ctx.zones.portrait};
        c.reason = {
            "Not decided: no portrait shows under infrared light (this document model may print it "
            "in ink that infrared passes).",
            "Niet beslist: onder infrarood licht is geen pasfoto te zien (dit documentmodel drukt hem "
            "mogelijk met inkt die infrarood doorlaat)."};
        return c;
    }
    const RectMm faceMm{ctx.zones.portrait.x + face.x / s, ctx.zones.portrait.y + face.y / s, face.width / s,
                        face.height / s};
    c.regions = {faceMm};

    // Gradients of each white channel and of IR. A printed portrait's IR image is a fixed mix of its
    // inks' IR responses, so the IR gradient is, up to noise, one linear mix of the colour gradients; a
    // different face (a pasted photo, an IR layer of another person) has its edges elsewhere.
    cv::Mat wf, irf;
    white(face).convertTo(wf, CV_32F);
    ir(face).convertTo(irf, CV_32F);
    std::vector<cv::Mat> ch(3);
    cv::split(wf, ch);
    std::array<cv::Mat, 4> gx, gy; // B, G, R, IR
    for (int i = 0; i < 4; ++i) {
        const cv::Mat& src = i < 3 ? ch[static_cast<std::size_t>(i)] : irf;
        cv::Sobel(src, gx[static_cast<std::size_t>(i)], CV_32F, 1, 0, 3);
        cv::Sobel(src, gy[static_cast<std::size_t>(i)], CV_32F, 0, 1, 3);
    }
    // One global mix (least squares over the whole portrait): it adapts to the printing technique.
    cv::Matx33d a = cv::Matx33d::zeros();
    cv::Vec3d b(0, 0, 0);
    for (int y = 0; y < irf.rows; ++y)
        for (int x = 0; x < irf.cols; ++x)
            for (const auto* g : {&gx, &gy}) {
                const cv::Vec3d v((*g)[0].at<float>(y, x), (*g)[1].at<float>(y, x), (*g)[2].at<float>(y, x));
                const double t = (*g)[3].at<float>(y, x);
                a += v * v.t();
                b += v * t;
            }
    cv::Mat solution;
    if (!cv::solve(cv::Mat(a), cv::Mat(b), solution, cv::DECOMP_SVD) || cv::trace(a) <= 0) {
        c.result = CheckResult::Undetermined;
        c.reason = {"Not decided: the portrait shows too little detail to compare.",
                    "Niet beslist: de pasfoto toont te weinig detail om te vergelijken."};
        return c;
    }
    const cv::Vec3d mix(solution.at<double>(0), solution.at<double>(1), solution.at<double>(2));
    // Per block, the cosine between the IR gradient field and the mixed colour gradient field: invariant
    // to a block's gain and offset (glare, light fall-off, contrast), so only the structure counts.
    const int block = std::max(4, static_cast<int>(std::lround(kBlockMm * s)));
    double weighted = 0, weights = 0;
    int blocks = 0;
    for (int by = 0; by + block / 2 <= irf.rows; by += block)
        for (int bx = 0; bx + block / 2 <= irf.cols; bx += block) {
            const cv::Rect r = cv::Rect(bx, by, block, block) & cv::Rect(0, 0, irf.cols, irf.rows);
            double dot = 0, ee = 0, pp = 0;
            for (int y = r.y; y < r.y + r.height; ++y)
                for (int x = r.x; x < r.x + r.width; ++x)
                    for (const auto* g : {&gx, &gy}) {
                        const double p = mix[0] * (*g)[0].at<float>(y, x) + mix[1] * (*g)[1].at<float>(y, x) +
                                         mix[2] * (*g)[2].at<float>(y, x);
                        const double e = (*g)[3].at<float>(y, x);
                        dot += p * e;
                        ee += e * e;
                        pp += p * p;
                    }
            const double n = static_cast<double>(r.area());
            // Blocks of flat backdrop carry noise only; their weight is their structure in both lights.
            const double w = std::sqrt(ee / n) * std::sqrt(pp / n);
            if (w <= 0)
                continue;
            weighted += w * dot / std::sqrt(ee * pp);
            weights += w;
            ++blocks;
        }
    if (weights <= 0) {
        c.result = CheckResult::Undetermined;
        c.reason = {"Not decided: the portrait shows too little detail to compare.",
                    "Niet beslist: de pasfoto toont te weinig detail om te vergelijken."};
        return c;
    }
    const double agreement = weighted / weights;
    c.measured = {{"agreement", agreement}, {"blocks", blocks}, {"ir_dark_area_mm2", darkAreaMm2}};
    c.margin = marginOf(agreement, minAgreement, std::max(0.05, 1.0 - minAgreement), true);
    if (agreement < minAgreement) {
        c.result = CheckResult::Failed;
        c.reason = {"The portrait under infrared light does not match the portrait under white light "
                    "(agreement " +
                        fixed(agreement, 2) + "): the photo may have been replaced.",
                    "De pasfoto onder infrarood licht komt niet overeen met die onder wit licht "
                    "(overeenkomst " +
                        fixed(agreement, 2) + "): de foto is mogelijk vervangen."};
        return c;
    }
    c.result = CheckResult::Successful;
    c.reason = {"The portrait looks the same under infrared and white light.",
                "De pasfoto ziet er onder infrarood en wit licht hetzelfde uit."};
    return c;
}

} // namespace gw::vision::checks
