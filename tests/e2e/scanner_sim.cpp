// SPDX-License-Identifier: Apache-2.0
// Synthetic inspections with rendered document images, and a spool stand-in that measures ingest latency.
#include "scanner_sim.h"

#include <algorithm>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "host_test_util.h"

namespace gw::host::testing {
namespace {

constexpr double kPxPerMm = 4.0;
constexpr int kWidthPx = 500;  // 125 mm
constexpr int kHeightPx = 352; // 88 mm

std::vector<std::uint8_t> png(const cv::Mat& image)
{
    std::vector<std::uint8_t> out;
    cv::imencode(".png", image, out);
    return out;
}

/// A TD3 data page: photo box, text lines, MRZ band; @p light changes what shows.
cv::Mat renderPage(const std::string& light, bool red, const std::string& docNumber)
{
    cv::Mat page;
    if (light == "uv") {
        // Genuine security paper stays dull under UV; the forgery's paper glows.
        page =
            cv::Mat(kHeightPx, kWidthPx, CV_8UC3, red ? cv::Scalar(230, 200, 170) : cv::Scalar(70, 30, 25));
        cv::putText(page, "UTOPIA", {150, 150}, cv::FONT_HERSHEY_SIMPLEX, 1.6, {60, 200, 240}, 3);
    } else if (light == "ir") {
        page = cv::Mat(kHeightPx, kWidthPx, CV_8UC3, cv::Scalar(205, 205, 205));
    } else {
        page = cv::Mat(kHeightPx, kWidthPx, CV_8UC3, cv::Scalar(215, 232, 240));
        cv::rectangle(page, {20, 60}, {130, 210}, {150, 160, 170}, cv::FILLED);
        for (int i = 0; i < 5; ++i)
            cv::putText(page, "FIELD " + std::to_string(i + 1), {150, 80 + 25 * i}, cv::FONT_HERSHEY_SIMPLEX,
                        0.5, {60, 40, 30}, 1);
        cv::putText(page, "PASSPORT  UTOPIA", {150, 40}, cv::FONT_HERSHEY_SIMPLEX, 0.7, {90, 40, 20}, 2);
    }
    // The MRZ is printed with carbon (B900) ink: visible under white and IR.
    if (light != "uv") {
        cv::putText(page, "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", {24, 295}, cv::FONT_HERSHEY_PLAIN,
                    0.95, {20, 20, 20}, 1);
        cv::putText(page, docNumber + "<6UTO7408122F3204159<<<<<<<<<<<<<<04", {24, 320},
                    cv::FONT_HERSHEY_PLAIN, 0.95, {20, 20, 20}, 1);
    }
    return page;
}

} // namespace

gw::link::Inspection makeSimInspection(std::uint64_t n, std::uint64_t salt, const SimDocument& doc,
                                       std::uint64_t captureTimeMs)
{
    ReportSpec spec;
    spec.verdict = doc.red ? "RED" : "GREEN";
    spec.issuingState = doc.issuingState;
    spec.documentNumber =
        doc.documentNumber.empty() ? "X" + std::to_string(100000000 + n).substr(1) : doc.documentNumber;
    if (doc.red)
        spec.failedCheck = "uv.substrate_dull";
    gw::link::Inspection i;
    i.id = *gw::link::InspectionId::fromHex(hexId(n, salt));
    i.captureTimeMs = captureTimeMs;
    i.reportJson = makeReport(spec);
    if (doc.images) {
        i.images.push_back({gw::link::Light::White, gw::link::ImageEncoding::Png,
                            png(renderPage("white", doc.red, spec.documentNumber))});
        i.images.push_back({gw::link::Light::Infrared, gw::link::ImageEncoding::Png,
                            png(renderPage("ir", doc.red, spec.documentNumber))});
        i.images.push_back({gw::link::Light::Ultraviolet, gw::link::ImageEncoding::Png,
                            png(renderPage("uv", doc.red, spec.documentNumber))});
    }
    (void)kPxPerMm;
    return i;
}

gw::link::Hello simHello(const std::string& deviceId)
{
    gw::link::Hello h;
    h.deviceId = deviceId;
    h.firmwareVersion = "0.1.0-sim";
    h.board = "emulator";
    h.capabilities = gw::link::kCapLightWhite | gw::link::kCapLightIr | gw::link::kCapLightUv |
                     gw::link::kCapImagePng | gw::link::kCapSpool;
    return h;
}

void RecordingQueue::add(gw::link::Inspection inspection)
{
    std::lock_guard lock(mutex_);
    const auto id = inspection.id;
    if (queue_.emplace(id, std::move(inspection)).second)
        order_.push_back(id);
}

Result<std::vector<gw::link::InspectionId>> RecordingQueue::pending()
{
    std::lock_guard lock(mutex_);
    return order_;
}

Result<gw::link::Inspection> RecordingQueue::load(const gw::link::InspectionId& id)
{
    std::lock_guard lock(mutex_);
    const auto it = queue_.find(id);
    if (it == queue_.end())
        return fail(Errc::InvalidArgument, "not queued");
    firstLoad_.try_emplace(id, std::chrono::steady_clock::now());
    return it->second;
}

Result<void> RecordingQueue::acknowledge(const gw::link::InspectionId& id, gw::link::AckStatus status)
{
    std::lock_guard lock(mutex_);
    const auto it = queue_.find(id);
    if (it == queue_.end())
        return {};
    queue_.erase(it);
    order_.erase(std::remove(order_.begin(), order_.end(), id), order_.end());
    if (status == gw::link::AckStatus::Rejected) {
        ++rejected_;
        return {};
    }
    acked_.push_back(id.toHex());
    if (const auto t = firstLoad_.find(id); t != firstLoad_.end()) {
        latencies_.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t->second).count());
        firstLoad_.erase(t);
    }
    return {};
}

std::size_t RecordingQueue::pendingCount() const
{
    std::lock_guard lock(mutex_);
    return order_.size();
}

std::vector<std::string> RecordingQueue::acknowledged() const
{
    std::lock_guard lock(mutex_);
    return acked_;
}

std::size_t RecordingQueue::rejectedCount() const
{
    std::lock_guard lock(mutex_);
    return rejected_;
}

std::vector<double> RecordingQueue::latenciesMs() const
{
    std::lock_guard lock(mutex_);
    return latencies_;
}

} // namespace gw::host::testing
