// SPDX-License-Identifier: Apache-2.0
// Procedural, fictitious portraits: a face drawn from a seed (no photographs of real people).
#include "portrait.h"

#include <array>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "prng.h"

namespace gw::specimen {
namespace {

constexpr int kShift = 4;
constexpr double kSub = 1 << kShift;

cv::Point P(double x, double y)
{
    return {static_cast<int>(std::lround(x * kSub)), static_cast<int>(std::lround(y * kSub))};
}
cv::Size S(double w, double h)
{
    return {static_cast<int>(std::lround(w * kSub)), static_cast<int>(std::lround(h * kSub))};
}

cv::Scalar jitter(const cv::Scalar& c, Prng& rng, double amount)
{
    return {c[0] + rng.uniform(-amount, amount), c[1] + rng.uniform(-amount, amount),
            c[2] + rng.uniform(-amount, amount)};
}

} // namespace

cv::Mat renderFace(cv::Size sizePx, std::uint64_t seed, bool beardAllowed)
{
    Prng rng(seed, "face");
    const double w = sizePx.width;
    const double h = sizePx.height;
    cv::Mat img(sizePx, CV_8UC3);

    // Studio backdrop: a light, slightly tinted vertical gradient.
    const cv::Scalar top = jitter({228, 226, 222}, rng, 10);
    const cv::Scalar bottom = top * 0.9;
    for (int y = 0; y < img.rows; ++y) {
        const double t = static_cast<double>(y) / std::max(1, img.rows - 1);
        img.row(y).setTo(top * (1 - t) + bottom * t);
    }

    const std::array<cv::Scalar, 6> kSkin{
        {{186, 214, 245}, {160, 196, 236}, {130, 170, 215}, {100, 140, 190}, {75, 105, 150}, {55, 78, 112}}};
    const std::array<cv::Scalar, 6> kHair{
        {{28, 28, 32}, {35, 55, 85}, {110, 165, 205}, {165, 165, 168}, {40, 70, 150}, {20, 35, 55}}};
    const std::array<cv::Scalar, 5> kClothes{
        {{90, 50, 30}, {40, 40, 40}, {120, 120, 125}, {60, 30, 110}, {70, 90, 40}}};
    const cv::Scalar skin = jitter(rng.pick(std::span<const cv::Scalar>(kSkin)), rng, 8);
    const cv::Scalar hair = jitter(rng.pick(std::span<const cv::Scalar>(kHair)), rng, 6);
    const cv::Scalar clothes = jitter(rng.pick(std::span<const cv::Scalar>(kClothes)), rng, 10);
    const cv::Scalar skinShade = skin * 0.82;

    const double cx = w * rng.uniform(0.47, 0.53);
    const double headY = h * rng.uniform(0.40, 0.45);
    const double headA = w * rng.uniform(0.21, 0.26);
    const double headB = h * rng.uniform(0.25, 0.29);
    const int hairStyle = rng.range(0, 3); // 0 short, 1 long, 2 very short, 3 curly volume

    // Long hair falls behind the shoulders, so it is drawn first.
    if (hairStyle == 1)
        cv::ellipse(img, P(cx, headY + headB * 0.35), S(headA * 1.3, headB * 1.25), 0, 0, 360, hair, -1,
                    cv::LINE_AA, kShift);
    if (hairStyle == 3)
        cv::ellipse(img, P(cx, headY - headB * 0.1), S(headA * 1.35, headB * 1.15), 0, 0, 360, hair, -1,
                    cv::LINE_AA, kShift);

    // Shoulders and neck.
    cv::ellipse(img, P(cx, h * 1.08), S(w * rng.uniform(0.44, 0.52), h * 0.30), 0, 0, 360, clothes, -1,
                cv::LINE_AA, kShift);
    cv::rectangle(img, P(cx - headA * 0.42, headY + headB * 0.6), P(cx + headA * 0.42, h * 0.86), skinShade,
                  -1, cv::LINE_AA, kShift);
    cv::ellipse(img, P(cx, h * 0.84), S(headA * 0.55, h * 0.05), 0, 0, 180, skinShade, -1, cv::LINE_AA,
                kShift);

    // Ears, head.
    cv::ellipse(img, P(cx - headA * 0.98, headY + headB * 0.05), S(headA * 0.14, headB * 0.2), 0, 0, 360,
                skinShade, -1, cv::LINE_AA, kShift);
    cv::ellipse(img, P(cx + headA * 0.98, headY + headB * 0.05), S(headA * 0.14, headB * 0.2), 0, 0, 360,
                skinShade, -1, cv::LINE_AA, kShift);
    cv::ellipse(img, P(cx, headY), S(headA, headB), 0, 0, 360, skin, -1, cv::LINE_AA, kShift);

    // Hair on top of the head.
    if (hairStyle != 2 || rng.chance(0.5)) {
        const double cap = hairStyle == 2 ? 0.55 : 0.75;
        cv::ellipse(img, P(cx, headY - headB * 0.35), S(headA * 1.04, headB * cap), 0, 180, 360, hair, -1,
                    cv::LINE_AA, kShift);
        cv::ellipse(img, P(cx, headY - headB * 0.36), S(headA * 1.02, headB * 0.22), 0, 0, 180, hair, -1,
                    cv::LINE_AA, kShift);
    }

    // Eyes, brows, nose, mouth.
    const double eyeY = headY + headB * rng.uniform(-0.08, 0.02);
    const double eyeDx = headA * rng.uniform(0.36, 0.44);
    const double eyeA = headA * 0.17;
    const double eyeB = headB * 0.065;
    const cv::Scalar iris =
        jitter(rng.chance(0.6) ? cv::Scalar(40, 50, 70) : cv::Scalar(120, 100, 60), rng, 10);
    const cv::Scalar brow = hair * 0.8;
    for (int side : {-1, 1}) {
        const double ex = cx + side * eyeDx;
        cv::ellipse(img, P(ex, eyeY), S(eyeA, eyeB), 0, 0, 360, cv::Scalar(235, 238, 240), -1, cv::LINE_AA,
                    kShift);
        cv::circle(img, P(ex, eyeY), static_cast<int>(eyeB * 0.95 * kSub), iris, -1, cv::LINE_AA, kShift);
        cv::circle(img, P(ex, eyeY), static_cast<int>(eyeB * 0.45 * kSub), cv::Scalar(15, 15, 15), -1,
                   cv::LINE_AA, kShift);
        const int browT = std::max(1, static_cast<int>(std::lround(headB * 0.035)));
        cv::ellipse(img, P(ex, eyeY - headB * 0.12), S(eyeA * 1.15, headB * 0.05), 0, 200, 340, brow, browT,
                    cv::LINE_AA, kShift);
    }
    const int lineT = std::max(1, static_cast<int>(std::lround(headB * 0.02)));
    const std::vector<cv::Point> nose{P(cx - headA * 0.02, eyeY + headB * 0.05),
                                      P(cx - headA * 0.12, eyeY + headB * 0.33),
                                      P(cx + headA * 0.06, eyeY + headB * 0.36)};
    cv::polylines(img, std::vector<std::vector<cv::Point>>{nose}, false, skin * 0.7, lineT, cv::LINE_AA,
                  kShift);
    const double mouthY = headY + headB * rng.uniform(0.52, 0.6);
    cv::ellipse(img, P(cx, mouthY), S(headA * rng.uniform(0.28, 0.38), headB * 0.06), 0, 10, 170,
                cv::Scalar(skin[0] * 0.6, skin[1] * 0.6, skin[2] * 0.8), lineT + 1, cv::LINE_AA, kShift);

    if (rng.chance(0.3) && beardAllowed) { // a beard
        cv::ellipse(img, P(cx, headY + headB * 0.55), S(headA * 0.75, headB * 0.42), 0, 0, 180, hair, -1,
                    cv::LINE_AA, kShift);
        cv::ellipse(img, P(cx, mouthY), S(headA * 0.3, headB * 0.05), 0, 0, 360, skin * 0.75, -1, cv::LINE_AA,
                    kShift);
    }
    if (rng.chance(0.2)) { // glasses
        const cv::Scalar frame(30, 30, 30);
        for (int side : {-1, 1})
            cv::ellipse(img, P(cx + side * eyeDx, eyeY), S(eyeA * 1.5, eyeB * 2.6), 0, 0, 360, frame, lineT,
                        cv::LINE_AA, kShift);
        cv::line(img, P(cx - eyeDx + eyeA * 1.5, eyeY), P(cx + eyeDx - eyeA * 1.5, eyeY), frame, lineT,
                 cv::LINE_AA, kShift);
    }

    // A print is never as sharp as vector art.
    const double soften = std::max(0.4, w / 250.0);
    cv::GaussianBlur(img, img, cv::Size(), soften);
    return img;
}

cv::Mat faceInInfrared(const cv::Mat& faceBgr)
{
    cv::Mat grey;
    cv::transform(faceBgr, grey, cv::Matx13f(0.10f, 0.25f, 0.65f));
    // The print sits on paper that reflects ~85 % in IR: keep the face inside the paper's range.
    grey.convertTo(grey, CV_8U, 0.85, 10);
    return grey;
}

} // namespace gw::specimen
