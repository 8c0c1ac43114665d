// SPDX-License-Identifier: Apache-2.0
// The inspection pipeline: read the MRZ, run the checks, apply the verdict policy.
#include <algorithm>
#include <exception>
#include <functional>
#include <optional>
#include <string>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <gw/vision/inspection.h>
#include <gw/vision/seal.h>

#include "checks/check_context.h"
#include "checks/mrz_checks.h"
#include "checks/optical_checks.h"
#include "core/mat_view.h"
#include "locate/document_locator.h"
#include "reader/mrz_reader.h"
#include "report/verdict_policy.h"

namespace gw::vision {
namespace {

// Wraps a view without copying; OpenCV does not write through it.
cv::Mat matOf(const ImageView& v)
{
    const int type = v.format == PixelFormat::Bgr8 ? CV_8UC3 : CV_8UC1;
    return cv::Mat(v.height, v.width, type, const_cast<std::uint8_t*>(v.data), std::size_t(v.strideBytes));
}

class Stopwatch {
public:
    explicit Stopwatch(const std::function<std::int64_t()>& clock, StageTimings& out)
        : clock_(clock), out_(out)
    {
        if (clock_)
            start_ = last_ = clock_();
    }
    void lap(const char* stage)
    {
        if (!clock_)
            return;
        const auto now = clock_();
        out_.emplace_back(stage, double(now - last_) / 1000.0);
        last_ = now;
    }
    void total()
    {
        if (clock_)
            out_.emplace_back("total", double(clock_() - start_) / 1000.0);
    }

private:
    const std::function<std::int64_t()>& clock_;
    StageTimings& out_;
    std::int64_t start_ = 0;
    std::int64_t last_ = 0;
};

Result<void> validate(const CaptureSet& capture)
{
    if (!capture.white.valid())
        return fail(Errc::InvalidArgument, "the white-light frame is missing or its view is invalid");
    auto same = [&](const std::optional<ImageView>& v, const char* name) -> Result<void> {
        if (!v)
            return {};
        if (!v->valid())
            return fail(Errc::InvalidArgument, std::string("the ") + name + " frame's view is invalid");
        if (v->width != capture.white.width || v->height != capture.white.height)
            return fail(Errc::InvalidArgument,
                        std::string("the ") + name + " frame is " + std::to_string(v->width) + "x" +
                            std::to_string(v->height) + " px but the white frame is " +
                            std::to_string(capture.white.width) + "x" + std::to_string(capture.white.height) +
                            " (lights must be registered)");
        return {};
    };
    if (auto r = same(capture.ir, "infrared"); !r)
        return r;
    return same(capture.uv, "ultraviolet");
}

Image toImage(const cv::Mat& m)
{
    Image img;
    img.width = m.cols;
    img.height = m.rows;
    img.format = m.channels() == 3 ? PixelFormat::Bgr8 : PixelFormat::Gray8;
    const cv::Mat packed = m.isContinuous() ? m : m.clone();
    img.pixels.assign(packed.data, packed.data + packed.total() * packed.elemSize());
    return img;
}

// A check that throws (a bug, a threshold missing from the table) must not take the inspection down:
// it is reported as aborted, which the policy treats like undetermined.
CheckOutcome guarded(const char* id, const std::function<CheckOutcome()>& run)
{
    try {
        return run();
    } catch (const std::exception& e) {
        CheckOutcome c;
        c.id = id;
        c.result = CheckResult::Aborted;
        c.reason.en = std::string("The check could not run: ") + e.what();
        c.reason.nl = std::string("De controle kon niet worden uitgevoerd: ") + e.what();
        return c;
    }
}

void runOpticalChecks(const checks::CheckContext& ctx, VizTextReader* vizReader,
                      std::vector<CheckOutcome>& out, Stopwatch& watch)
{
    struct Entry {
        const char* id;
        checks::CheckFunction run;
    };
    static constexpr Entry kChecks[] = {
        {"mrz.print", checks::checkMrzPrint},
        {"ir.mrz_absorbs", checks::checkIrMrzAbsorbs},
        {"ir.viz_absorbs", checks::checkIrVizAbsorbs},
        {"photo.white_ir", checks::checkPhotoWhiteIr},
        {"uv.substrate_dull", checks::checkUvSubstrateDull},
        {"uv.false_luminescence", checks::checkUvFalseLuminescence},
    };
    for (const auto& check : kChecks) {
        out.push_back(guarded(check.id, [&] { return check.run(ctx); }));
        watch.lap(check.id);
    }
    out.push_back(
        guarded("viz.mrz_consistency", [&] { return checks::checkVizMrzConsistency(ctx, vizReader); }));
    watch.lap("viz.mrz_consistency");
}

} // namespace

std::string_view verdictName(Verdict v) noexcept
{
    switch (v) {
    case Verdict::Green:
        return "GREEN";
    case Verdict::Amber:
        return "AMBER";
    case Verdict::Red:
        return "RED";
    }
    return "AMBER";
}

Result<InspectionReport> inspect(const CaptureSet& capture, const InspectionSettings& settings)
{
    if (auto ok = validate(capture); !ok)
        return std::unexpected(ok.error());
    if (!(settings.pixelsPerMm >= 2.0 && settings.pixelsPerMm <= 40.0))
        return fail(Errc::InvalidArgument, "normalised resolution must be 2 to 40 px/mm, got " +
                                               std::to_string(settings.pixelsPerMm));
    if (capture.pixelsPerMm < 0 || capture.pixelsPerMm > 200)
        return fail(Errc::InvalidArgument, "capture resolution must be 0 (unknown) to 200 px/mm");
    try {
        InspectionReport report;
        Stopwatch watch(settings.stopwatchUs, report.timingsMs);
        const cv::Mat white = matOf(capture.white);
        cv::Mat irFrame;
        if (capture.ir) {
            irFrame = matOf(*capture.ir);
            if (irFrame.channels() == 3)
                cv::cvtColor(irFrame, irFrame, cv::COLOR_BGR2GRAY);
        }
        auto reading = reader::readMrz(white, irFrame, capture.pixelsPerMm, settings.pixelsPerMm);
        watch.lap("mrz_read");
        report.geometry = reading.geometry;
        report.mrz = std::move(reading.mrz);

        // The normalised document under each light: one transform for all (the lights are registered).
        cv::Mat normWhite;
        cv::Mat normIr;
        cv::Mat normUv;
        if (report.geometry) {
            const auto& g = *report.geometry;
            auto normalise = [&](const cv::Mat& frame) {
                return locate::warpRegion(frame, reading.docToFrame, g.pixelsPerMm, 0, 0, g.widthMm,
                                          g.heightMm, cv::INTER_LINEAR);
            };
            normWhite = normalise(white);
            if (!irFrame.empty())
                normIr = normalise(irFrame);
            if (capture.uv)
                normUv = normalise(matOf(*capture.uv));
            watch.lap("normalise");
        }

        const Thresholds& thresholds = settings.thresholds ? *settings.thresholds : Thresholds::defaults();
        report.thresholdsVersion = thresholds.version();
        const auto today = checks::parseIsoDate(settings.inspectionDate);
        const auto minConfidence = static_cast<float>(thresholds.value("mrz.min_confidence_for_failure"));
        report.checks.push_back(checks::checkMrzRead(report.mrz));
        if (report.mrz) {
            report.checks.push_back(checks::checkMrzCheckDigits(*report.mrz, minConfidence));
            report.checks.push_back(checks::checkMrzStructure(*report.mrz, today, minConfidence));
            report.checks.push_back(checks::checkDocumentExpiry(*report.mrz, today));
        }
        watch.lap("mrz_checks");

        if (report.geometry && !normWhite.empty()) {
            checks::CheckContext ctx;
            ctx.white = normWhite;
            ctx.ir = normIr;
            ctx.uv = normUv;
            ctx.pixelsPerMm = report.geometry->pixelsPerMm;
            ctx.geometry = &*report.geometry;
            ctx.mrz = report.mrz ? &*report.mrz : nullptr;
            ctx.format = report.mrz
                             ? std::optional(report.mrz->record.format)
                             : checks::formatFromSize(report.geometry->widthMm, report.geometry->heightMm);
            ctx.zones =
                checks::pageZones(ctx.format, report.geometry->widthMm, report.geometry->heightMm, ctx.mrz);
            ctx.thresholds = &thresholds;
            ctx.today = today;
            runOpticalChecks(ctx, settings.vizReader.get(), report.checks, watch);
        }

        if (settings.readSeals && !normWhite.empty()) {
            static const auto kNoSigners = std::make_shared<const TrustStore>();
            const TrustStore& trust = settings.trustStore ? *settings.trustStore : *kNoSigners;
            auto findings = inspectSeals(viewOf(normWhite), trust);
            std::vector<SealFinding> found = findings ? std::move(*findings) : std::vector<SealFinding>{};
            // Seals are printed in IR-absorbing black and glare falls elsewhere under the IR LEDs: where
            // white light decoded none, the IR image may. Not on passport data pages (TD3), which carry
            // no seal (visas, permits, ID-card stickers do): the second search would only cost time.
            const bool mayCarrySeal = !report.mrz || report.mrz->record.format != MrzFormat::TD3;
            const auto decoded = [](const std::vector<SealFinding>& fs) {
                return std::ranges::any_of(fs, [](const SealFinding& f) { return f.seal.has_value(); });
            };
            if (!decoded(found) && !normIr.empty() && mayCarrySeal) {
                auto underIr = inspectSeals(viewOf(normIr), trust);
                if (underIr && decoded(*underIr))
                    found = std::move(*underIr);
            }
            for (const auto& f : found)
                if (f.seal)
                    report.sealsJson.push_back(sealToJson(*f.seal));
            // The printed MRZ is the reference only when it holds together: a misread that fails its own
            // check digits or syntax would "differ" from a genuine seal (mrz.* report that case).
            const bool printedReliable =
                report.mrz && report.mrz->record.checkDigitsValid() && report.mrz->record.structureValid();
            const std::vector<std::string> printed =
                printedReliable ? report.mrz->record.lines : std::vector<std::string>{};
            // The name line has no check digit: a misread letter there must not pass for an alteration.
            PrintedMrzConfidence sure;
            if (printedReliable) {
                sure.perCharacter = report.mrz->confidences;
                sure.recognised = report.mrz->ocrLines;
                sure.runnerUp = report.mrz->runnerUps;
                sure.minForEvidence = minConfidence;
            }
            for (auto& c : sealChecks(found, printed, report.geometry->pixelsPerMm, sure))
                report.checks.push_back(std::move(c));
            watch.lap("seals");
        }
        if (settings.keepNormalisedImages) {
            if (!normWhite.empty())
                report.normalisedWhite = toImage(normWhite);
            if (!normIr.empty())
                report.normalisedIr = toImage(normIr);
            if (!normUv.empty())
                report.normalisedUv = toImage(normUv);
        }
        report.verdict = policy::decide(report.checks);
        watch.total();
        return report;
    } catch (const cv::Exception& e) {
        return fail(Errc::Internal, std::string("OpenCV failed: ") + e.what());
    } catch (const std::exception& e) {
        return fail(Errc::Internal, std::string("inspection failed: ") + e.what());
    }
}

} // namespace gw::vision
