// SPDX-License-Identifier: Apache-2.0
// The ultraviolet checks: a UV-dull substrate (TR-03135 (UV,BR,FU)) and no local blue-white glow.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "checks/optical_checks.h"

namespace gw::vision::checks {
namespace {

constexpr const char* kDullId = "uv.substrate_dull";
constexpr const char* kDullTr = "(UV,BR,FU)";
constexpr const char* kGlowId = "uv.false_luminescence";

// Both checks look at areas of millimetres (substrate, glue, a bleached field, a photo): 1/3 mm pixels
// keep a 2 mm high bleached line while averaging out sensor noise (16 normalised pixels each) and thin
// fibres, and make the checks cheap.
constexpr double kWorkPxPerMm = 3.0;
// The page edge mixes with the lid and the normaliser's interpolation; its outer band says nothing.
constexpr double kBorderMm = 2.5;
// Tiles for the substrate statistics: smaller than a portrait, larger than text lines and fibres.
constexpr double kTileMm = 5.0;
// Candidate glow pixels from this share of min_glow up (see checkUvFalseLuminescence).
constexpr double kGlowFloorShare = 0.4;
// A tile counts when at least this share of it lies inside the page.
constexpr double kMinTileShare = 0.6;
// Fewer tiles than this (a page under ~12 cm^2) is too little substrate to judge.
constexpr int kMinTiles = 12;

/// The UV frame at the working resolution and the inner page rectangle.
struct UvWork {
    std::array<cv::Mat, 3> bgr; ///< CV_32FC1 each: blue, green, red
    cv::Mat minChan;            ///< CV_32FC1: per pixel min(B, G, R), the broadband part of the light
    double pxPerMm{};           ///< of the planes
    cv::Rect inner;             ///< page without its border band, in plane pixels
};

/// Area-averages @p img by a whole factor so that the working image has ~kWorkPxPerMm; crops the few
/// leftover pixels at the far edges. Halving steps first: OpenCV's 2x INTER_AREA path is so much faster
/// than a 4x one that two halvings cost a third of one quartering (0.6 vs 1.9 ms for a TD3 page), with
/// the same result to one grey level.
cv::Mat downscale(const cv::Mat& img, double pixelsPerMm, double& outPxPerMm)
{
    int k = std::max(1, static_cast<int>(std::lround(pixelsPerMm / kWorkPxPerMm)));
    outPxPerMm = pixelsPerMm / k;
    const cv::Size size(std::max(1, img.cols / k), std::max(1, img.rows / k));
    cv::Mat cur =
        img(cv::Rect(0, 0, std::min(img.cols, size.width * k), std::min(img.rows, size.height * k)));
    while (k % 2 == 0) {
        cv::Mat half;
        cv::resize(cur, half, cv::Size(cur.cols / 2, cur.rows / 2), 0, 0, cv::INTER_AREA);
        cur = half;
        k /= 2;
    }
    if (k > 1) {
        cv::Mat rest;
        cv::resize(cur, rest, size, 0, 0, cv::INTER_AREA);
        cur = rest;
    }
    return cur;
}

UvWork prepare(const CheckContext& ctx)
{
    UvWork w;
    // The camera delivers BGR; anything else (or no scale) leaves minChan empty: cannotJudge() says so.
    if (ctx.uv.type() != CV_8UC3 || !(ctx.pixelsPerMm > 0))
        return w;
    const cv::Mat small = downscale(ctx.uv, ctx.pixelsPerMm, w.pxPerMm);
    cv::Mat f;
    small.convertTo(f, CV_32FC3);
    cv::split(f, w.bgr.data());
    cv::min(w.bgr[0], w.bgr[1], w.minChan);
    cv::min(w.minChan, w.bgr[2], w.minChan);
    const int b = static_cast<int>(std::lround(kBorderMm * w.pxPerMm));
    w.inner = cv::Rect(b, b, small.cols - 2 * b, small.rows - 2 * b) & cv::Rect(0, 0, small.cols, small.rows);
    return w;
}

/// The @p q quantile (0..1) of @p v (reordered).
float quantile(std::vector<float>& v, double q)
{
    if (v.empty())
        return 0;
    const auto k = static_cast<std::ptrdiff_t>(std::lround(q * static_cast<double>(v.size() - 1)));
    std::nth_element(v.begin(), v.begin() + k, v.end());
    return v[static_cast<std::size_t>(k)];
}

/// The level most of the normalised white image reaches: its 25th percentile of grey. Paper reflects
/// most white light and the scanner lid almost none, so a low value means the normaliser framed a lot of
/// lid, and the UV image then says little about the document (a dull lid would pass for dull paper).
double whitePageLevel(const CheckContext& ctx)
{
    if (ctx.white.empty() || ctx.white.type() != CV_8UC3)
        return 0;
    // Every 8th pixel in both directions is plenty for a percentile of the page.
    constexpr int kStep = 8;
    std::vector<float> v;
    v.reserve(static_cast<std::size_t>((ctx.white.rows / kStep + 1) * (ctx.white.cols / kStep + 1)));
    for (int y = kStep / 2; y < ctx.white.rows; y += kStep) {
        const auto* p = ctx.white.ptr<cv::Vec3b>(y);
        for (int x = kStep / 2; x < ctx.white.cols; x += kStep)
            v.push_back(static_cast<float>(p[x][0] + 2 * p[x][1] + p[x][2]) / 4.0F);
    }
    return quantile(v, 0.25);
}

/// Statistics of one tile of the inner page.
struct Tile {
    cv::Rect rect;                 ///< plane pixels
    std::array<float, 3> median{}; ///< per channel B, G, R
    float minChanQ75 = 0;          ///< 75th percentile of min(B, G, R)
};

/// The tiles of the inner page, each mostly inside it, with their statistics (from every other pixel
/// in both directions: the area averaging already removed the noise these would add).
std::vector<Tile> tilesOf(const UvWork& w, bool withMedians)
{
    std::vector<Tile> out;
    const int t = std::max(2, static_cast<int>(std::lround(kTileMm * w.pxPerMm)));
    std::vector<float> v;
    for (int y = w.inner.y; y < w.inner.br().y; y += t)
        for (int x = w.inner.x; x < w.inner.br().x; x += t) {
            const cv::Rect r = cv::Rect(x, y, t, t) & w.inner;
            if (r.area() < kMinTileShare * t * t)
                continue;
            Tile tile;
            tile.rect = r;
            auto gather = [&](const cv::Mat& m) {
                v.clear();
                for (int yy = r.y; yy < r.br().y; yy += 2) {
                    const auto* p = m.ptr<float>(yy);
                    for (int xx = r.x; xx < r.br().x; xx += 2)
                        v.push_back(p[xx]);
                }
            };
            gather(w.minChan);
            tile.minChanQ75 = quantile(v, 0.75);
            if (withMedians)
                for (std::size_t k = 0; k < 3; ++k) {
                    gather(w.bgr[k]);
                    tile.median[k] = quantile(v, 0.5);
                }
            out.push_back(tile);
        }
    return out;
}

/// The substrate's broadband level: per tile the 75th percentile of min(B, G, R) (the substrate is the
/// brightest common material: print absorbs, and a designed fluorescent ink is narrow-band so it barely
/// lifts the minimum channel), then the median over the tiles (a glowing photo or patch covers < 25 %).
double substrateLevel(const std::vector<Tile>& tiles)
{
    std::vector<float> perTile;
    perTile.reserve(tiles.size());
    for (const auto& t : tiles)
        perTile.push_back(t.minChanQ75);
    return quantile(perTile, 0.5);
}

/// A smooth model of channel @p k of the substrate (the lamp's falloff and vignetting): a quadric in the
/// page coordinates fitted to the tile medians, refitted without the tiles that deviate (print, glow).
cv::Mat backgroundOf(const std::vector<Tile>& tiles, std::size_t k, cv::Size size)
{
    const double cx = size.width / 2.0, cy = size.height / 2.0;
    const int n = static_cast<int>(tiles.size());
    cv::Mat a(n, 6, CV_64F);
    cv::Mat b(n, 1, CV_64F);
    std::vector<float> med(tiles.size());
    for (int i = 0; i < n; ++i) {
        const Tile& t = tiles[static_cast<std::size_t>(i)];
        const double u = (t.rect.x + t.rect.width / 2.0 - cx) / cx;
        const double v = (t.rect.y + t.rect.height / 2.0 - cy) / cy;
        auto* row = a.ptr<double>(i);
        row[0] = 1;
        row[1] = u;
        row[2] = v;
        row[3] = u * u;
        row[4] = u * v;
        row[5] = v * v;
        med[static_cast<std::size_t>(i)] = t.median[k];
        b.at<double>(i) = t.median[k];
    }
    // Start from the tiles near the page median, so that a glowing portrait cannot pull the first fit.
    std::vector<float> sorted = med;
    const double centre = quantile(sorted, 0.5);
    std::vector<float> dev(med.size());
    for (std::size_t i = 0; i < med.size(); ++i)
        dev[i] = static_cast<float>(std::abs(med[i] - centre));
    const double spread = std::max(2.0, 1.4826 * quantile(dev, 0.5));
    std::vector<bool> use(med.size());
    for (std::size_t i = 0; i < med.size(); ++i)
        use[i] = std::abs(med[i] - centre) <= 3 * spread;

    cv::Mat coef = cv::Mat::zeros(6, 1, CV_64F);
    coef.at<double>(0) = centre;
    for (int pass = 0; pass < 3; ++pass) {
        cv::Mat as, bs;
        for (int i = 0; i < n; ++i)
            if (use[static_cast<std::size_t>(i)]) {
                as.push_back(a.row(i));
                bs.push_back(b.row(i));
            }
        cv::Mat next;
        if (as.rows < kMinTiles || !cv::solve(as, bs, next, cv::DECOMP_CHOLESKY | cv::DECOMP_NORMAL))
            break;
        coef = next;
        const cv::Mat res = b - a * coef;
        std::vector<float> absRes;
        for (int i = 0; i < n; ++i)
            if (use[static_cast<std::size_t>(i)])
                absRes.push_back(static_cast<float>(std::abs(res.at<double>(i))));
        const double sigma = std::max(2.0, 1.4826 * quantile(absRes, 0.5));
        for (int i = 0; i < n; ++i)
            use[static_cast<std::size_t>(i)] = std::abs(res.at<double>(i)) <= 2.5 * sigma;
    }
    // Evaluated row by row: c0 + c2 v + c5 v^2 + (c1 + c4 v) u + c3 u^2.
    const auto c = [&](int i) {
        return static_cast<float>(coef.at<double>(i));
    };
    std::vector<float> us(static_cast<std::size_t>(size.width));
    for (int x = 0; x < size.width; ++x)
        us[static_cast<std::size_t>(x)] = static_cast<float>((x + 0.5 - cx) / cx);
    cv::Mat bg(size, CV_32F);
    for (int y = 0; y < size.height; ++y) {
        const auto v = static_cast<float>((y + 0.5 - cy) / cy);
        const float a0 = c(0) + c(2) * v + c(5) * v * v;
        const float a1 = c(1) + c(4) * v;
        const float a2 = c(3);
        auto* p = bg.ptr<float>(y);
        for (int x = 0; x < size.width; ++x) {
            const float u = us[static_cast<std::size_t>(x)];
            p[x] = a0 + (a1 + a2 * u) * u;
        }
    }
    return bg;
}

/// The outcome of a check that cannot look at the page: no paper in view or too small a page.
std::optional<CheckOutcome> cannotJudge(const CheckContext& ctx, const UvWork& w, double white,
                                        std::size_t tiles, std::string id, std::string tr03135Id)
{
    Reason why;
    if (w.minChan.empty())
        why = {"Not decided: the ultraviolet image is not a colour image of the page.",
               "Niet beslist: de ultraviolette opname is geen kleurenopname van de pagina."};
    else if (white < ctx.threshold("uv.substrate_dull.min_white_level"))
        why = {
            "Not decided: the document could not be framed in the image, so its ultraviolet image says "
            "nothing about the paper.",
            "Niet beslist: het document kon niet in beeld worden gebracht, dus de ultraviolette opname zegt "
            "niets over het papier."};
    else if (static_cast<int>(tiles) < kMinTiles)
        why = {"Not decided: the page is too small in the ultraviolet image to judge its paper.",
               "Niet beslist: de pagina is te klein in de ultraviolette opname om het papier te beoordelen."};
    else
        return std::nullopt;
    CheckOutcome c;
    c.id = std::move(id);
    c.tr03135Id = std::move(tr03135Id);
    c.result = CheckResult::Undetermined;
    c.reason = std::move(why);
    c.measured = {{"white_level", white}, {"tiles", static_cast<double>(tiles)}};
    if (w.pxPerMm > 0 && w.inner.area() > 0)
        c.regions = {toMm(w.inner, w.pxPerMm)};
    return c;
}

} // namespace

CheckOutcome checkUvSubstrateDull(const CheckContext& ctx)
{
    if (ctx.uv.empty())
        return notSupported(kDullId, kDullTr, "ultraviolet", "ultraviolet");
    const UvWork w = prepare(ctx);
    const auto tiles = tilesOf(w, false);
    const double white = whitePageLevel(ctx);
    if (auto no = cannotJudge(ctx, w, white, tiles.size(), kDullId, kDullTr))
        return *no;
    CheckOutcome c;
    c.id = kDullId;
    c.tr03135Id = kDullTr;
    const double level = substrateLevel(tiles);
    const double maxLevel = ctx.threshold("uv.substrate_dull.max_level");
    // Brightened paper returns several times the level of a dull substrate: span the margin over one
    // threshold's worth so that +-1 means "clearly glowing" / "no light at all".
    c.margin = marginOf(level, maxLevel, maxLevel, false);
    c.measured = {
        {"substrate_level", level}, {"white_level", white}, {"tiles", static_cast<double>(tiles.size())}};
    c.regions = {toMm(w.inner, w.pxPerMm)};
    if (level > maxLevel) {
        c.result = CheckResult::Failed;
        c.reason = {"The paper glows blue-white under ultraviolet light: it contains optical brighteners, "
                    "which the paper of travel documents does not.",
                    "Het papier licht blauwwit op onder ultraviolet licht: het bevat optische witmakers, "
                    "die niet in het papier van reisdocumenten zitten."};
    } else {
        c.result = CheckResult::Successful;
        c.reason = {"The paper stays dull under ultraviolet light.",
                    "Het papier blijft dof onder ultraviolet licht."};
    }
    return c;
}

CheckOutcome checkUvFalseLuminescence(const CheckContext& ctx)
{
    if (ctx.uv.empty())
        return notSupported(kGlowId, "", "ultraviolet", "ultraviolet");
    const UvWork w = prepare(ctx);
    const auto tiles = tilesOf(w, true);
    const double white = whitePageLevel(ctx);
    if (auto no = cannotJudge(ctx, w, white, tiles.size(), kGlowId, ""))
        return *no;
    CheckOutcome c;
    c.id = kGlowId;
    const double level = substrateLevel(tiles);
    if (level > ctx.threshold("uv.substrate_dull.max_level")) {
        // Against a glowing page a glowing patch has no contrast; the substrate check reports the paper.
        c.result = CheckResult::Undetermined;
        c.measured = {{"substrate_level", level}};
        c.reason = {"Not decided: the whole page glows under ultraviolet light, so glowing patches cannot be "
                    "told apart.",
                    "Niet beslist: de hele pagina licht op onder ultraviolet licht; oplichtende plekken zijn "
                    "daardoor niet te onderscheiden."};
        return c;
    }

    const double minGlow = ctx.threshold("uv.false_luminescence.min_glow");
    const double minWhiteness = ctx.threshold("uv.false_luminescence.min_whiteness");
    const double minAreaMm2 = ctx.threshold("uv.false_luminescence.min_area_mm2");

    // Excess light over the substrate model, per channel. Optical brighteners (glue, correction fluid,
    // photo paper, bleach) emit a broad blue-white band: all three channels rise together. Designed
    // fluorescent inks and fibres emit narrow bands (red, green, yellow, blue): one or two channels rise
    // and the smallest excess stays near zero. So the glow that counts is the smallest channel's excess,
    // and it must be a fair share of the largest (whiteness).
    const cv::Size size = w.minChan.size();
    std::array<cv::Mat, 3> excess;
    for (std::size_t k = 0; k < 3; ++k)
        excess[k] = w.bgr[k] - backgroundOf(tiles, k, size);
    cv::Mat glow, peak;
    cv::min(excess[0], excess[1], glow);
    cv::min(glow, excess[2], glow);
    cv::max(excess[0], excess[1], peak);
    cv::max(peak, excess[2], peak);

    // Candidate pixels: whitish excess above a floor well below the threshold, so that the statistic
    // below is continuous (a lab sees how far a genuine page stays from failing).
    const double floor = kGlowFloorShare * minGlow;
    cv::Mat mask(size, CV_8UC1, cv::Scalar(0));
    for (int y = w.inner.y; y < w.inner.br().y; ++y) {
        const auto* g = glow.ptr<float>(y);
        const auto* p = peak.ptr<float>(y);
        auto* m = mask.ptr<std::uint8_t>(y);
        for (int x = w.inner.x; x < w.inner.br().x; ++x)
            if (g[x] >= floor && g[x] >= minWhiteness * p[x])
                m[x] = 255;
    }
    // Closing by ~1 mm joins a glowing patch that print on top of it cuts up (a reprinted field: the
    // bleached halo shows between the new letters); the opening by ~1 mm then removes fibres, lines of
    // designed print and the anti-aliased rims where two fluorescent colours meet. A patch of glue, a
    // bleached field or a photo is far wider.
    const cv::Mat square = cv::getStructuringElement(cv::MORPH_RECT, {3, 3});
    cv::morphologyEx(mask, mask, cv::MORPH_CLOSE, square);
    cv::morphologyEx(mask, mask, cv::MORPH_OPEN, square);

    // Per connected patch, its glow: the level that at least min_area_mm2 of the patch reaches. The
    // check fails when some patch's glow reaches min_glow, i.e. min_area_mm2 of whitish glow of at least
    // min_glow lie together.
    cv::Mat labels;
    const int n = cv::connectedComponents(mask, labels, 8, CV_32S);
    const double mm2PerPx = 1.0 / (w.pxPerMm * w.pxPerMm);
    const auto areaPx = static_cast<std::size_t>(std::max(1.0, std::ceil(minAreaMm2 / mm2PerPx)));
    std::vector<std::vector<float>> values(static_cast<std::size_t>(std::max(0, n)));
    std::vector<cv::Rect> boxes(values.size());
    for (int y = 0; y < labels.rows; ++y) {
        const auto* l = labels.ptr<int>(y);
        const auto* g = glow.ptr<float>(y);
        for (int x = 0; x < labels.cols; ++x)
            if (l[x] > 0) {
                const auto i = static_cast<std::size_t>(l[x]);
                values[i].push_back(g[x]);
                boxes[i] = boxes[i].area() == 0 ? cv::Rect(x, y, 1, 1) : boxes[i] | cv::Rect(x, y, 1, 1);
            }
    }
    double bestGlow = 0;
    double bestAreaMm2 = 0;
    std::vector<std::pair<double, cv::Rect>> patches; // (glow, box px) of the failing patches
    for (std::size_t i = 1; i < values.size(); ++i) {
        auto& v = values[i];
        if (v.size() < areaPx)
            continue;
        std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(areaPx - 1), v.end(),
                         std::greater<>());
        const double patchGlow = v[areaPx - 1];
        if (patchGlow > bestGlow) {
            bestGlow = patchGlow;
            bestAreaMm2 = static_cast<double>(v.size()) * mm2PerPx;
        }
        if (patchGlow >= minGlow)
            patches.emplace_back(patchGlow, boxes[i]);
    }
    std::ranges::sort(patches, [](const auto& l, const auto& r) { return l.first > r.first; });
    c.margin = marginOf(bestGlow, minGlow, minGlow, false);
    c.measured = {{"patch_glow", bestGlow},
                  {"patch_area_mm2", bestAreaMm2},
                  {"patches", static_cast<double>(patches.size())},
                  {"substrate_level", level},
                  {"white_level", white}};
    if (patches.empty()) {
        c.result = CheckResult::Successful;
        c.reason = {"No glowing patch under ultraviolet light.",
                    "Geen oplichtende plek onder ultraviolet licht."};
        return c;
    }
    for (std::size_t i = 0; i < patches.size() && i < 4; ++i)
        c.regions.push_back(toMm(patches[i].second, w.pxPerMm));
    c.result = CheckResult::Failed;
    c.reason = {"A patch glows blue-white under ultraviolet light, as glue, correction fluid or photo paper "
                "does: the page may have been altered there.",
                "Een plek licht blauwwit op onder ultraviolet licht, zoals lijm, correctievloeistof of "
                "fotopapier: de pagina is daar mogelijk bewerkt."};
    return c;
}

} // namespace gw::vision::checks
