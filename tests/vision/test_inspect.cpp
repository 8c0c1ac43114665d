// SPDX-License-Identifier: Apache-2.0
// The inspection pipeline end to end on pages rendered here: locate, orient, read, parse, decide.
#include <cmath>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <opencv2/freetype.hpp>
#include <opencv2/imgproc.hpp>

#include <gw/vision/inspection.h>

using namespace gw::vision;

namespace {

constexpr const char* kOcrb = "/usr/share/fonts/opentype/ocr-b/OCRB.otf";

struct Page {
    double widthMm;
    double heightMm;
    std::vector<std::string> mrz;
    double firstCharMm;        // left edge to the first character
    double bottomLineCentreMm; // bottom edge to the centre of the last line
    double linePitchMm;
};

// A plain page with its MRZ in OCR-B at 2.54 mm pitch, placed on a dark glass at the given angle.
cv::Mat renderOnGlass(const Page& page, double glassPxPerMm, double angleDeg)
{
    const double s = glassPxPerMm;
    cv::Mat doc(int(std::lround(page.heightMm * s)), int(std::lround(page.widthMm * s)), CV_8UC3,
                cv::Scalar(232, 236, 238));
    auto ft = cv::freetype::createFreeType2();
    ft->loadFontData(kOcrb, 0);
    const int fontPx = int(std::lround(3.2 * s)); // em size giving ~2.3 mm capitals
    const int n = int(page.mrz.size());
    for (int i = 0; i < n; ++i) {
        const double centreFromBottom = page.bottomLineCentreMm + (n - 1 - i) * page.linePitchMm;
        const double baselineY = page.heightMm - centreFromBottom + 1.15;
        for (std::size_t k = 0; k < page.mrz[std::size_t(i)].size(); ++k) {
            const std::string ch(1, page.mrz[std::size_t(i)][k]);
            const cv::Point org(int(std::lround((page.firstCharMm + 2.54 * double(k)) * s)),
                                int(std::lround(baselineY * s)));
            ft->putText(doc, ch, org, fontPx, cv::Scalar(25, 25, 25), -1, cv::LINE_AA, true);
        }
    }
    // Some visual-zone clutter above the MRZ: a dark block (portrait) and text bars.
    // Both stay clear of the MRZ zone (the bottom 23 mm).
    const double portraitMm = std::min(38.0, page.heightMm - 8 - 24);
    cv::rectangle(doc, cv::Rect(int(5 * s), int(8 * s), int(portraitMm * 0.8 * s), int(portraitMm * s)),
                  cv::Scalar(90, 80, 70), cv::FILLED);
    for (int y = 10; y < int(page.heightMm) - 26; y += 6)
        cv::rectangle(doc, cv::Rect(int(40 * s), int(y * s), int(40 * s), int(1.5 * s)),
                      cv::Scalar(60, 60, 60), cv::FILLED);

    const double glassW = 170;
    const double glassH = 130;
    cv::Mat glass(int(glassH * s), int(glassW * s), CV_8UC3, cv::Scalar(22, 20, 18));
    const cv::Point2f centre(float(glassW * s / 2), float(glassH * s / 2));
    cv::Mat m = cv::getRotationMatrix2D(cv::Point2f(float(doc.cols) / 2, float(doc.rows) / 2), angleDeg, 1.0);
    m.at<double>(0, 2) += centre.x - doc.cols / 2.0;
    m.at<double>(1, 2) += centre.y - doc.rows / 2.0;
    cv::warpAffine(doc, glass, m, glass.size(), cv::INTER_LINEAR, cv::BORDER_TRANSPARENT);
    return glass;
}

ImageView viewOf(const cv::Mat& m)
{
    return {m.data, m.cols, m.rows, int(m.step), PixelFormat::Bgr8};
}

const Page kTd3{
    125,
    88,
    {"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"},
    6.0,
    9.40,
    6.35};
const Page kTd1{
    85.6,
    53.98,
    {"I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"},
    5.0,
    4.5,
    4.23};

} // namespace

TEST_CASE("a rendered page is found, turned upright and its MRZ read exactly", "[inspect]")
{
    const auto& page = GENERATE(kTd3, kTd1);
    const double angle = GENERATE(-14.0, -3.0, 0.0, 8.0, 15.0, 176.0, 193.0);
    CAPTURE(page.mrz[0], angle);
    const double ppm = 14.0; // ~356 dpi
    const cv::Mat glass = renderOnGlass(page, ppm, angle);
    CaptureSet capture;
    capture.white = viewOf(glass);
    capture.pixelsPerMm = ppm;
    InspectionSettings settings;
    settings.inspectionDate = "2011-06-01";
    const auto report = inspect(capture, settings);
    REQUIRE(report);
    REQUIRE(report->mrz);
    CHECK(report->mrz->record.lines == page.mrz);
    CHECK(report->verdict == Verdict::Green);
    REQUIRE(report->geometry);
    CHECK(report->geometry->pageFound);
    const bool upside = std::abs(angle) > 90;
    CHECK(report->geometry->upsideDown == upside);
    CHECK(report->geometry->widthMm == Approx(page.widthMm).margin(1.5));
    // getRotationMatrix2D turns counter-clockwise on screen; our angle is measured in image coordinates
    // (y down), so the two are opposite: their sum is a multiple of 360 degrees.
    const double diff = std::fmod(report->geometry->rotationDeg + angle + 540.0, 360.0) - 180.0;
    CHECK(std::abs(diff) < 1.0);
}

TEST_CASE("the report says why: expired is AMBER, altered data is RED", "[inspect][verdict]")
{
    const double ppm = 12.0;
    InspectionSettings settings;
    CaptureSet capture;
    capture.pixelsPerMm = ppm;

    SECTION("expired")
    {
        const cv::Mat glass = renderOnGlass(kTd3, ppm, 4.0);
        capture.white = viewOf(glass);
        settings.inspectionDate = "2026-11-24";
        const auto report = inspect(capture, settings);
        REQUIRE(report);
        CHECK(report->verdict == Verdict::Amber);
        CHECK(report->checks.front().id == "document.expiry");
        const auto j = nlohmann::json::parse(reportToJson(*report));
        CHECK(j["verdict"] == "AMBER");
        CHECK(j["reasons"][0]["check"] == "document.expiry");
        CHECK(j["document"]["fields"]["surname"] == "ERIKSSON");
    }
    SECTION("birth date altered without its check digit")
    {
        Page forged = kTd3;
        forged.mrz[1][18] = '3'; // 740812 -> 740813
        const cv::Mat glass = renderOnGlass(forged, ppm, -6.0);
        capture.white = viewOf(glass);
        settings.inspectionDate = "2011-06-01";
        const auto report = inspect(capture, settings);
        REQUIRE(report);
        REQUIRE(report->mrz);
        CHECK(report->mrz->record.lines == forged.mrz);
        CHECK(report->verdict == Verdict::Red);
        CHECK(report->checks.front().id == "mrz.check_digits");
        CHECK_FALSE(report->checks.front().regions.empty());
    }
    SECTION("no document on the glass")
    {
        cv::Mat glass(int(120 * ppm), int(160 * ppm), CV_8UC3, cv::Scalar(20, 20, 20));
        capture.white = viewOf(glass);
        const auto report = inspect(capture, settings);
        REQUIRE(report);
        CHECK_FALSE(report->mrz);
        CHECK(report->verdict == Verdict::Amber);
    }
}

TEST_CASE("invalid captures are errors, not crashes", "[inspect][malformed]")
{
    CaptureSet capture;
    CHECK_FALSE(inspect(capture));
    std::vector<std::uint8_t> px(16, 0);
    capture.white = ImageView{px.data(), 4, 4, 2, PixelFormat::Bgr8}; // stride too small
    CHECK_FALSE(inspect(capture));
    capture.white = ImageView{px.data(), 4, 4, 4, PixelFormat::Gray8};
    capture.ir = ImageView{px.data(), 2, 2, 2, PixelFormat::Gray8}; // not registered
    CHECK_FALSE(inspect(capture));
    capture.ir.reset();
    const auto tiny = inspect(capture); // 4x4 px: nothing to find, but a valid capture
    REQUIRE(tiny);
    CHECK(tiny->verdict == Verdict::Amber);
}
