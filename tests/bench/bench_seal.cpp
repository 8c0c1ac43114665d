// SPDX-License-Identifier: Apache-2.0
// Seal decode + verify time on the TR-03137 Annex F figure (median of 50 runs); prints, asserts nothing.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <utility>
#include <vector>

#include <opencv2/imgcodecs.hpp>

#include <gw/vision/seal.h>

namespace fs = std::filesystem;
using namespace gw::vision;

namespace {

double medianMs(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() / 2];
}

} // namespace

int main()
{
    const fs::path dir = fs::path(GW_SHARED_DIR) / "vds";
    const fs::path figure = dir / "tr03137_page_60_Picture_3.jpeg";
    if (!fs::exists(figure)) {
        std::printf("bench_seal: %s absent, nothing measured\n", figure.c_str());
        return 0;
    }
    std::ifstream in(dir / "sealgen_DETS32.crt", std::ios::binary);
    const std::vector<CertificateBlob> blobs = {
        {std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), {}), "sealgen_DETS32.crt"}};
    const auto trust = TrustStore::fromCertificates(blobs);
    const cv::Mat img = cv::imread(figure.string(), cv::IMREAD_GRAYSCALE);
    if (!trust || img.empty()) {
        std::printf("bench_seal: cannot load the figure or the certificate\n");
        return 1;
    }
    // The figure on a normalised visa-sticker-sized page (125 x 88 mm at 10 px/mm), as the scanner sees it.
    cv::Mat page(880, 1250, CV_8UC1, cv::Scalar(230));
    img.copyTo(page(cv::Rect(900, 60, img.cols, img.rows)));

    // A page without a seal: the cost every passport pays (whole-image read plus the crop fallback).
    cv::Mat empty(880, 1250, CV_8UC1, cv::Scalar(230));
    for (int y = 0; y < empty.rows; y += 7)
        empty.row(y).setTo(200);

    constexpr int kRuns = 50;
    for (const auto& [name, mat] : {std::pair<const char*, const cv::Mat*>{"figure 283x275", &img},
                                    std::pair<const char*, const cv::Mat*>{"page 1250x880", &page},
                                    std::pair<const char*, const cv::Mat*>{"no-seal page", &empty}}) {
        const ImageView view{mat->data, mat->cols, mat->rows, static_cast<int>(mat->step),
                             PixelFormat::Gray8};
        std::vector<double> find, parseVerify, total;
        int valid = 0;
        for (int i = 0; i < kRuns; ++i) {
            const auto t0 = std::chrono::steady_clock::now();
            const auto barcodes = findSealBarcodes(view);
            const auto t1 = std::chrono::steady_clock::now();
            if (barcodes && !barcodes->empty()) {
                const auto seal = parseSeal(barcodes->front().bytes);
                if (seal && verifySeal(*seal, *trust).status == SignatureStatus::Valid)
                    ++valid;
            }
            const auto t2 = std::chrono::steady_clock::now();
            find.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
            parseVerify.push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());
            total.push_back(std::chrono::duration<double, std::milli>(t2 - t0).count());
        }
        std::printf(
            "bench_seal %-15s runs=%d valid=%d median: find %.2f ms, parse+verify %.3f ms, total %.2f ms\n",
            name, kRuns, valid, medianMs(find), medianMs(parseVerify), medianMs(total));
    }
    return 0;
}
