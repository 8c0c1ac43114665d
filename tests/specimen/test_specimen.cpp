// SPDX-License-Identifier: Apache-2.0
// Tests of the specimen generator: MRZ rules, forgeries, determinism, geometry and the three lights.
#include <catch2/catch.hpp>
#include <opencv2/imgproc.hpp>

#include <gw/specimen/mrz_builder.h>
#include <gw/specimen/specimen.h>
#include <gw/vision/check_digit.h>

namespace sp = gw::specimen;

namespace {

constexpr std::array<sp::Format, 5> kFormats{sp::Format::Td1, sp::Format::Td2, sp::Format::Td3,
                                             sp::Format::MrvA, sp::Format::MrvB};
// Low resolution keeps the suite fast; everything tested here is resolution independent.
constexpr double kTestDpi = 150;

/// A check digit element of the MRZ: the checked characters (possibly several ranges) and the digit.
struct CheckSpec {
    std::vector<std::pair<std::pair<int, int>, std::pair<int, int>>>
        ranges;                ///< {{line, col}, {line, end}} half-open
    std::pair<int, int> digit; ///< {line, col}
};

// Written from ICAO 9303 parts 4-7 (character positions are 1-based there, 0-based here).
std::vector<CheckSpec> checkSpecs(sp::Format f, const std::vector<std::string>& mrz)
{
    switch (f) {
    case sp::Format::Td1: {
        std::vector<CheckSpec> s{
            {{{{1, 0}, {1, 6}}}, {1, 6}},
            {{{{1, 8}, {1, 14}}}, {1, 14}},
            {{{{0, 5}, {0, 30}}, {{1, 0}, {1, 7}}, {{1, 8}, {1, 15}}, {{1, 18}, {1, 29}}}, {1, 29}}};
        if (mrz[0][14] != '<') {
            s.push_back({{{{0, 5}, {0, 14}}}, {0, 14}});
        }
        return s;
    }
    case sp::Format::Td2: {
        std::vector<CheckSpec> s{{{{{1, 13}, {1, 19}}}, {1, 19}},
                                 {{{{1, 21}, {1, 27}}}, {1, 27}},
                                 {{{{1, 0}, {1, 10}}, {{1, 13}, {1, 20}}, {{1, 21}, {1, 35}}}, {1, 35}}};
        if (mrz[1][9] != '<')
            s.push_back({{{{1, 0}, {1, 9}}}, {1, 9}});
        return s;
    }
    case sp::Format::Td3: {
        std::vector<CheckSpec> s{{{{{1, 0}, {1, 9}}}, {1, 9}},
                                 {{{{1, 13}, {1, 19}}}, {1, 19}},
                                 {{{{1, 21}, {1, 27}}}, {1, 27}},
                                 {{{{1, 0}, {1, 10}}, {{1, 13}, {1, 20}}, {{1, 21}, {1, 43}}}, {1, 43}}};
        if (mrz[1][42] != '<')
            s.push_back({{{{1, 28}, {1, 42}}}, {1, 42}});
        return s;
    }
    case sp::Format::MrvA:
    case sp::Format::MrvB:
        return {
            {{{{1, 0}, {1, 9}}}, {1, 9}}, {{{{1, 13}, {1, 19}}}, {1, 19}}, {{{{1, 21}, {1, 27}}}, {1, 27}}};
    }
    return {};
}

/// Number of check digits that do not match; TD1/TD2 long document numbers are checked in the optional data.
int badCheckDigits(sp::Format f, const std::vector<std::string>& mrz)
{
    int bad = 0;
    for (const auto& spec : checkSpecs(f, mrz)) {
        std::string data;
        for (const auto& [from, to] : spec.ranges)
            data += mrz[static_cast<std::size_t>(from.first)].substr(
                static_cast<std::size_t>(from.second), static_cast<std::size_t>(to.second - from.second));
        const char printed =
            mrz[static_cast<std::size_t>(spec.digit.first)][static_cast<std::size_t>(spec.digit.second)];
        if (gw::vision::mrzCheckChar(data) != printed)
            ++bad;
    }
    // Long document number: the first 9 characters, then the optional data up to its check digit.
    if ((f == sp::Format::Td1 && mrz[0][14] == '<' && mrz[0][15] != '<') ||
        (f == sp::Format::Td2 && mrz[1][9] == '<' && mrz[1][28] != '<')) {
        const std::string& line = f == sp::Format::Td1 ? mrz[0] : mrz[1];
        const std::size_t numberAt = f == sp::Format::Td1 ? 5 : 0;
        const std::size_t optionalAt = f == sp::Format::Td1 ? 15 : 28;
        const std::size_t end = line.find('<', optionalAt);
        const std::size_t last = (end == std::string::npos ? line.size() : end) - 1; // the check digit
        const std::string number = line.substr(numberAt, 9) + line.substr(optionalAt, last - optionalAt);
        if (gw::vision::mrzCheckChar(number) != line[last])
            ++bad;
    }
    return bad;
}

sp::Capture render(sp::SpecimenSpec spec)
{
    auto c = sp::renderSpecimen(spec);
    REQUIRE(c.has_value());
    return std::move(*c);
}

/// The rectangle @p r (document mm) cut out of @p glass image, upright, at the capture resolution.
cv::Mat cutOut(const cv::Mat& glass, const sp::Truth& t, const gw::vision::RectMm& r)
{
    const auto& c = t.geometry.documentCornersPx;
    const double w = t.geometry.documentSizeMm.width, h = t.geometry.documentSizeMm.height;
    const cv::Point2f docMm[3] = {
        {0, 0}, {static_cast<float>(w), 0}, {static_cast<float>(w), static_cast<float>(h)}};
    const cv::Point2f glassPx[3] = {cv::Point2f(c[0]), cv::Point2f(c[1]), cv::Point2f(c[2])};
    const cv::Mat mmToGlass = cv::getAffineTransform(docMm, glassPx);
    // Compose with the patch placement: patch pixel (u, v) -> mm (r.x + u / ppm, r.y + v / ppm).
    const double ppm = t.geometry.pixelsPerMm;
    cv::Mat patchToMm =
        (cv::Mat_<double>(3, 3) << 1 / ppm, 0, r.x + 0.5 / ppm, 0, 1 / ppm, r.y + 0.5 / ppm, 0, 0, 1);
    cv::Mat m3 = cv::Mat::eye(3, 3, CV_64F);
    mmToGlass.copyTo(m3.rowRange(0, 2));
    const cv::Mat composed = m3 * patchToMm;
    const cv::Mat patchToGlass = composed.rowRange(0, 2);
    cv::Mat out;
    cv::warpAffine(glass, out, patchToGlass,
                   cv::Size(static_cast<int>(r.width * ppm), static_cast<int>(r.height * ppm)),
                   cv::INTER_LINEAR | cv::WARP_INVERSE_MAP);
    return out;
}

double meanGrey(const cv::Mat& img)
{
    cv::Mat g;
    if (img.channels() == 3)
        cv::cvtColor(img, g, cv::COLOR_BGR2GRAY);
    else
        g = img;
    return cv::mean(g)[0];
}

} // namespace

TEST_CASE("specimen: ICAO 9303 specimen MRZs are reproduced from their fields", "[specimen][mrz]")
{
    sp::DocumentFields f;
    f.documentCode = "P";
    f.issuingState = "UTO";
    f.documentNumber = "L898902C";
    f.nationality = "UTO";
    f.birthDate = "690806";
    f.sex = "F";
    f.expiryDate = "940623";
    f.surname = "ERIKSSON";
    f.givenNames = "ANNA MARIA";
    f.optionalData = "ZE184226B";
    auto td3 = sp::buildMrz(f, sp::Format::Td3);
    REQUIRE(td3);
    CHECK((*td3)[0] == "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<");
    CHECK((*td3)[1] == "L898902C<3UTO6908061F9406236ZE184226B<<<<<14");

    f.documentCode = "V";
    auto mrva = sp::buildMrz(f, sp::Format::MrvA);
    REQUIRE(mrva);
    CHECK((*mrva)[1] == "L898902C<3UTO6908061F9406236ZE184226B<<<<<<<");
    f.optionalData = "ZE184226";
    auto mrvb = sp::buildMrz(f, sp::Format::MrvB);
    REQUIRE(mrvb);
    CHECK((*mrvb)[0] == "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<");
    CHECK((*mrvb)[1] == "L898902C<3UTO6908061F9406236ZE184226");

    sp::DocumentFields id;
    id.documentCode = "I";
    id.issuingState = "UTO";
    id.documentNumber = "D23145890";
    id.nationality = "UTO";
    id.birthDate = "340712";
    id.sex = "M";
    id.expiryDate = "950712";
    id.surname = "STEVENSON";
    id.givenNames = "PETER JOHN";
    auto td1 = sp::buildMrz(id, sp::Format::Td1);
    REQUIRE(td1);
    CHECK((*td1)[0] == "I<UTOD231458907<<<<<<<<<<<<<<<");
    CHECK((*td1)[1] == "3407127M9507122UTO<<<<<<<<<<<2");
    CHECK((*td1)[2] == "STEVENSON<<PETER<JOHN<<<<<<<<<");
}

TEST_CASE("specimen: long document numbers follow the TD1/TD2 overflow rule", "[specimen][mrz]")
{
    sp::DocumentFields f;
    f.documentCode = "I";
    f.issuingState = "UTO";
    f.documentNumber = "D23145890123";
    f.nationality = "UTO";
    f.birthDate = "740812";
    f.sex = "F";
    f.expiryDate = "120415";
    f.surname = "ERIKSSON";
    f.givenNames = "ANNA MARIA";
    auto td1 = sp::buildMrz(f, sp::Format::Td1);
    REQUIRE(td1);
    const char check = *gw::vision::mrzCheckChar("D23145890123");
    CHECK((*td1)[0] == std::string("I<UTOD23145890<123") + check + "<<<<<<<<<<<");
    CHECK(badCheckDigits(sp::Format::Td1, *td1) == 0);
    auto td2 = sp::buildMrz(f, sp::Format::Td2);
    REQUIRE(td2);
    CHECK((*td2)[1].substr(0, 10) == "D23145890<");
    CHECK((*td2)[1].substr(28, 4) == std::string("123") + check);
    CHECK(badCheckDigits(sp::Format::Td2, *td2) == 0);
    CHECK_FALSE(sp::buildMrz(f, sp::Format::Td3).has_value());
}

TEST_CASE("specimen: names are transliterated and truncated per ICAO 9303-3", "[specimen][mrz]")
{
    CHECK(sp::transliterate("MÜLLER") == "MUELLER");
    CHECK(sp::transliterate("ØSTERGÅRD") == "OESTERGAARD");
    CHECK(sp::transliterate("O'BRIEN") == "OBRIEN");
    CHECK(sp::transliterate("GONZÁLEZ-RODRÍGUEZ") == "GONZALEZ<RODRIGUEZ");
    CHECK(sp::transliterate("STRAUß") == "STRAUSS");
    CHECK(sp::transliterate("ŁUKASZEWICZ") == "LUKASZEWICZ");

    const auto n = sp::mrzNameField("WOLFESCHLEGELSTEINHAUSENBERGERDORFF", "MAXIMILIAN", 30);
    CHECK(n.truncated);
    CHECK(n.text.size() == 30);
    CHECK(n.text.back() != '<');
    const auto g = sp::mrzNameField("SMITH", "MAXIMILIAN ALEXANDER FRIEDRICH WILHELM", 30);
    CHECK(g.truncated);
    CHECK(g.text.rfind("SMITH<<MAXIMILIAN<ALEXANDER<", 0) == 0);
    CHECK(g.text.back() != '<');
}

TEST_CASE("specimen: every genuine capture has a valid MRZ of the right shape", "[specimen][mrz]")
{
    int longNumbers = 0;
    for (sp::Format f : kFormats) {
        for (std::uint64_t seed = 1; seed <= 12; ++seed) {
            sp::SpecimenSpec spec;
            spec.format = f;
            spec.seed = sp::captureSeed(77, seed);
            spec.dpi = 100;
            spec.clean = true;
            const sp::Capture c = render(spec);
            INFO(sp::formatName(f) << " seed " << spec.seed);
            REQUIRE(static_cast<int>(c.truth.mrz.size()) == sp::mrzLineCount(f));
            for (const auto& line : c.truth.mrz) {
                CHECK(static_cast<int>(line.size()) == sp::mrzLineLength(f));
                for (char ch : line)
                    CHECK(gw::vision::mrzCharValue(ch).has_value());
            }
            CHECK(badCheckDigits(f, c.truth.mrz) == 0);
            if (c.truth.fields.documentNumber.size() > 9)
                ++longNumbers;
        }
    }
    CHECK(longNumbers > 0); // the TD1/TD2 overflow rule is exercised
}

TEST_CASE("specimen: mrz_check_digit forgeries break at least one check digit", "[specimen][forgery]")
{
    for (sp::Format f : kFormats) {
        for (std::uint64_t seed = 1; seed <= 8; ++seed) {
            sp::SpecimenSpec spec;
            spec.format = f;
            spec.seed = seed * 1000 + 7;
            spec.dpi = 100;
            spec.clean = true;
            spec.forgery = sp::Forgery::MrzCheckDigit;
            const sp::Capture c = render(spec);
            INFO(sp::formatName(f) << " seed " << spec.seed << " " << c.truth.mrz[0] << " / "
                                   << c.truth.mrz[1]);
            CHECK(badCheckDigits(f, c.truth.mrz) >= 1);
            CHECK(c.truth.forgeryDetail.count("altered_field") == 1);
        }
    }
}

TEST_CASE("specimen: viz_mismatch keeps a valid MRZ but prints different visual data", "[specimen][forgery]")
{
    for (std::uint64_t seed = 1; seed <= 6; ++seed) {
        sp::SpecimenSpec spec;
        spec.format = kFormats[seed % kFormats.size()];
        spec.seed = seed;
        spec.dpi = 100;
        spec.forgery = sp::Forgery::VizMismatch;
        const sp::Capture c = render(spec);
        CHECK(badCheckDigits(spec.format, c.truth.mrz) == 0);
        REQUIRE(c.truth.forgeryDetail.count("field") == 1);
        CHECK(c.truth.forgeryDetail.at("mrz_value") != c.truth.forgeryDetail.at("viz_value"));
    }
}

TEST_CASE("specimen: rendering is deterministic for a seed and differs between seeds",
          "[specimen][determinism]")
{
    sp::SpecimenSpec spec;
    spec.format = sp::Format::Td3;
    spec.seed = 4242;
    spec.dpiMin = 140;
    spec.dpiMax = 180;
    const sp::Capture a = render(spec);
    const sp::Capture b = render(spec);
    REQUIRE(a.white.size() == b.white.size());
    CHECK(cv::norm(a.white, b.white, cv::NORM_INF) == 0);
    CHECK(cv::norm(a.ir, b.ir, cv::NORM_INF) == 0);
    CHECK(cv::norm(a.uv, b.uv, cv::NORM_INF) == 0);
    CHECK(sp::truthToJson(a.truth) == sp::truthToJson(b.truth));

    spec.seed = 4243;
    const sp::Capture c = render(spec);
    CHECK((c.white.size() != a.white.size() || cv::norm(a.white, c.white, cv::NORM_L1) > 0));
    CHECK(sp::captureSeed(1, 0) != sp::captureSeed(1, 1));
    CHECK(sp::captureSeed(1, 0) != sp::captureSeed(2, 0));
}

TEST_CASE("specimen: the document lies inside the glass for any rotation and position",
          "[specimen][geometry]")
{
    for (std::uint64_t seed = 1; seed <= 25; ++seed) {
        sp::SpecimenSpec spec;
        spec.format = kFormats[seed % kFormats.size()];
        spec.seed = seed;
        spec.dpi = 100;
        spec.clean = true;
        if (seed % 5 == 0)
            spec.rotationDeg = seed % 10 == 0 ? 15.0 : -15.0;
        const sp::Capture c = render(spec);
        const auto& g = c.truth.geometry;
        CHECK(g.glassSizePx == c.white.size());
        CHECK(c.ir.size() == c.white.size());
        CHECK(c.uv.size() == c.white.size());
        CHECK(c.white.type() == CV_8UC3);
        CHECK(c.ir.type() == CV_8UC1);
        CHECK(c.uv.type() == CV_8UC3);
        for (const auto& p : g.documentCornersPx) {
            CHECK(p.x >= 0);
            CHECK(p.y >= 0);
            CHECK(p.x <= g.glassSizePx.width - 1);
            CHECK(p.y <= g.glassSizePx.height - 1);
        }
        // The corners are the page: its width and height in pixels match the format.
        const double ppm = g.pixelsPerMm;
        CHECK(cv::norm(g.documentCornersPx[1] - g.documentCornersPx[0]) ==
              Approx(g.documentSizeMm.width * ppm).margin(0.01));
        CHECK(cv::norm(g.documentCornersPx[3] - g.documentCornersPx[0]) ==
              Approx(g.documentSizeMm.height * ppm).margin(0.01));
        // The lid is dark and the page is bright: the centre of the page is brighter than a glass corner.
        const cv::Point2d centre = (g.documentCornersPx[0] + g.documentCornersPx[2]) * 0.5;
        const cv::Vec3b inside = c.white.at<cv::Vec3b>(cv::Point(centre));
        CHECK(inside[1] > 100);
    }
}

TEST_CASE("specimen: upside-down documents have their top-left corner at the bottom right",
          "[specimen][geometry]")
{
    sp::SpecimenSpec spec;
    spec.seed = 9;
    spec.dpi = 100;
    spec.rotationDeg = 0;
    spec.upsideDown = true;
    spec.clean = true;
    const sp::Capture c = render(spec);
    const auto& k = c.truth.geometry.documentCornersPx;
    CHECK(k[0].x > k[2].x);
    CHECK(k[0].y > k[2].y);
    // The MRZ (dark characters) is at the bottom of the upright page, so at the top of the glass image.
    const cv::Mat mrz = cutOut(c.ir, c.truth, c.truth.geometry.mrzBoxMm);
    cv::Mat dark;
    cv::compare(mrz, 100, dark, cv::CMP_LT);
    CHECK(static_cast<std::size_t>(cv::countNonZero(dark)) > mrz.total() / 20);
}

TEST_CASE("specimen: background print drops out in IR but is coloured in white light", "[specimen][lights]")
{
    for (sp::Format f : kFormats) {
        sp::SpecimenSpec spec;
        spec.format = f;
        spec.seed = 31 + static_cast<std::uint64_t>(f);
        spec.dpi = 200;
        spec.clean = true;
        const sp::Capture c = render(spec);
        REQUIRE(c.truth.regionsMm.count("background_sample") == 1);
        const auto& bg = c.truth.regionsMm.at("background_sample");
        const cv::Mat white = cutOut(c.white, c.truth, bg);
        const cv::Mat ir = cutOut(c.ir, c.truth, bg);
        INFO(sp::formatName(f));
        // IR: plain paper, bright and flat.
        cv::Scalar irMean, irStd;
        cv::meanStdDev(ir, irMean, irStd);
        CHECK(irMean[0] > 190);
        CHECK(irStd[0] < 4);
        // White light: tinted paper and line print: chroma and texture.
        cv::Mat hsv;
        cv::cvtColor(white, hsv, cv::COLOR_BGR2HSV);
        CHECK(cv::mean(hsv)[1] > 12);
        cv::Mat grey;
        cv::cvtColor(white, grey, cv::COLOR_BGR2GRAY);
        cv::Scalar wMean, wStd;
        cv::meanStdDev(grey, wMean, wStd);
        CHECK(wStd[0] > 4);
        // Personal data stays dark in IR.
        const cv::Mat surname = cutOut(c.ir, c.truth, c.truth.regionsMm.at("viz_surname"));
        double minIr = 0;
        cv::minMaxLoc(surname, &minIr);
        CHECK(minIr < 80);
    }
}

TEST_CASE("specimen: UV-bright paper glows brighter than genuine paper", "[specimen][lights][forgery]")
{
    sp::SpecimenSpec spec;
    spec.format = sp::Format::Td3;
    spec.seed = 5150;
    spec.dpi = 120;
    const sp::Capture genuine = render(spec);
    spec.forgery = sp::Forgery::UvBrightPaper;
    const sp::Capture forged = render(spec);
    const gw::vision::RectMm page{2, 2, genuine.truth.geometry.documentSizeMm.width - 4,
                                  genuine.truth.geometry.documentSizeMm.height - 4};
    const double g = meanGrey(cutOut(genuine.uv, genuine.truth, page));
    const double b = meanGrey(cutOut(forged.uv, forged.truth, page));
    CHECK(g < 60);
    CHECK(b > 2.5 * g);
    // Same geometry and data: only the substrate changed.
    CHECK(forged.truth.mrz == genuine.truth.mrz);
}

TEST_CASE("specimen: IR-transparent MRZ and dye-ink VIZ vanish in IR", "[specimen][lights][forgery]")
{
    sp::SpecimenSpec spec;
    spec.format = sp::Format::Td2;
    spec.seed = 61;
    spec.dpi = 150;
    spec.clean = true;
    const sp::Capture genuine = render(spec);
    spec.forgery = sp::Forgery::MrzIrTransparent;
    const sp::Capture noB900 = render(spec);
    spec.forgery = sp::Forgery::VizDyeInk;
    const sp::Capture dye = render(spec);
    const auto& box = genuine.truth.geometry.mrzBoxMm;
    double minGenuine = 0, minForged = 0, minWhite = 0;
    cv::minMaxLoc(cutOut(genuine.ir, genuine.truth, box), &minGenuine);
    cv::minMaxLoc(cutOut(noB900.ir, noB900.truth, box), &minForged);
    cv::Mat whiteGrey;
    cv::cvtColor(cutOut(noB900.white, noB900.truth, box), whiteGrey, cv::COLOR_BGR2GRAY);
    cv::minMaxLoc(whiteGrey, &minWhite);
    CHECK(minGenuine < 80);
    CHECK(minForged > 150);
    CHECK(minWhite < 80); // still printed, just not in IR-absorbing ink
    CHECK_FALSE(noB900.truth.mrzPrint.irAbsorbing);

    double minDye = 0;
    cv::minMaxLoc(cutOut(dye.ir, dye.truth, dye.truth.regionsMm.at("viz_surname")), &minDye);
    CHECK(minDye > 150);
}

TEST_CASE("specimen: forgery ids round-trip and unknown ids are rejected", "[specimen][forgery]")
{
    CHECK(sp::allForgeries().size() >= 8);
    for (sp::Forgery f : sp::allForgeries())
        CHECK(sp::parseForgery(sp::forgeryId(f)) == f);
    CHECK(sp::parseForgery("genuine") == sp::Forgery::Genuine);
    CHECK_FALSE(sp::parseForgery("nonsense").has_value());
    CHECK(sp::parseFormat("mrv-a") == sp::Format::MrvA);
    CHECK_FALSE(sp::parseFormat("TD4").has_value());
}

TEST_CASE("specimen: bad specs are errors, not crashes", "[specimen]")
{
    sp::SpecimenSpec spec;
    spec.dpi = 5000;
    auto r = sp::renderSpecimen(spec);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == gw::Errc::InvalidArgument);
    spec.dpi = std::nullopt;
    spec.rotationDeg = 200;
    CHECK_FALSE(sp::renderSpecimen(spec).has_value());
    sp::DocumentFields f;
    f.documentCode = "P";
    f.issuingState = "UTO";
    f.documentNumber = "ab12";
    f.nationality = "UTO";
    f.birthDate = "990101";
    f.sex = "M";
    f.expiryDate = "300101";
    f.surname = "X";
    CHECK_FALSE(sp::buildMrz(f, sp::Format::Td3).has_value());
    f.documentNumber = "AB12";
    f.birthDate = "99011";
    CHECK_FALSE(sp::buildMrz(f, sp::Format::Td3).has_value());
}

#ifdef GW_SPECIMEN_HAVE_SEAL
#include <gw/specimen/seals.h>
#include <gw/vision/seal.h>

TEST_CASE("specimen: visas carry a seal that decodes and verifies with the signer's certificate",
          "[specimen][seal]")
{
    auto signer = sp::SealSigner::generate(sp::SignerSpec{});
    REQUIRE(signer.has_value());
    const std::string certPem = signer->certificatePem();
    sp::SpecimenSpec spec;
    spec.format = sp::Format::MrvB;
    spec.seed = 11;
    spec.dpi = 300;
    spec.clean = true;
    spec.sealMaker = sp::makeSealMaker(std::make_shared<const sp::SealSigner>(std::move(*signer)));
    const sp::Capture c = render(spec);
    REQUIRE(c.truth.hasSeal);
    REQUIRE(c.truth.regionsMm.count("seal") == 1);
    CHECK(c.truth.sealInfo.at("kind") == "visa");

    gw::vision::RectMm box = c.truth.regionsMm.at("seal");
    box = {box.x - 3, box.y - 3, box.width + 6, box.height + 6};
    const cv::Mat patch = cutOut(c.white, c.truth, box);
    gw::vision::Image img;
    img.width = patch.cols;
    img.height = patch.rows;
    img.format = gw::vision::PixelFormat::Bgr8;
    img.pixels.assign(patch.data, patch.data + patch.total() * patch.elemSize());
    const gw::vision::CertificateBlob blob{std::vector<std::uint8_t>(certPem.begin(), certPem.end()),
                                           "test signer"};
    auto trust =
        gw::vision::TrustStore::fromCertificates(std::span<const gw::vision::CertificateBlob>(&blob, 1));
    REQUIRE(trust.has_value());
    auto findings = gw::vision::inspectSeals(img.view(), *trust);
    REQUIRE(findings.has_value());
    REQUIRE(findings->size() == 1);
    REQUIRE(findings->front().verification.has_value());
    CHECK(findings->front().verification->status == gw::vision::SignatureStatus::Valid);

    // Documents without a seal profile get none.
    spec.format = sp::Format::Td3;
    CHECK_FALSE(render(spec).truth.hasSeal);
}
#endif
