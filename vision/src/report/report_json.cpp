// SPDX-License-Identifier: Apache-2.0
// InspectionReport -> JSON (docs/report-format.md; the names are a public contract).
#include <cmath>
#include <string>

#include <nlohmann/json.hpp>

#include <gw/vision/inspection.h>
#include <gw/vision/version.h>

namespace gw::vision {
namespace {

using nlohmann::json;

// Millimetres and milliseconds to 0.01: enough for the host and the lab, stable across platforms.
double round2(double v)
{
    return std::round(v * 100.0) / 100.0;
}

json rectJson(const RectMm& r)
{
    return {{"x_mm", round2(r.x)},
            {"y_mm", round2(r.y)},
            {"width_mm", round2(r.width)},
            {"height_mm", round2(r.height)}};
}

json fieldsJson(const MrzRecord& r)
{
    const auto& f = r.fields;
    json j = {{"document_code", f.documentCode},     {"issuing_state", f.issuingState},
              {"document_number", f.documentNumber}, {"nationality", f.nationality},
              {"birth_date", f.birthDate},           {"sex", f.sex},
              {"expiry_date", f.expiryDate},         {"surname", f.surname},
              {"given_names", f.givenNames},         {"optional_data", f.optionalData}};
    if (r.format == MrzFormat::TD1)
        j["optional_data_2"] = f.optionalData2;
    return j;
}

json documentJson(const MrzRead& m)
{
    const auto& r = m.record;
    json digits = json::array();
    for (const auto& d : r.checkDigits)
        digits.push_back({{"field", d.field},
                          {"found", std::string(1, d.found)},
                          {"expected", std::string(1, d.expected)},
                          {"ok", d.ok}});
    json corrections = json::array();
    for (const auto& c : r.corrections)
        corrections.push_back({{"line", c.line + 1},
                               {"column", c.column + 1},
                               {"from", std::string(1, c.from)},
                               {"to", std::string(1, c.to)}});
    json issues = json::array();
    for (const auto& i : r.issues)
        issues.push_back(
            {{"code", i.code}, {"message", i.message}, {"line", i.line + 1}, {"column", i.column + 1}});
    json regions = json::array();
    for (const auto& l : m.lineRegions)
        regions.push_back(rectJson(l));
    return {{"format", std::string(mrzFormatName(r.format))},
            {"mrz", r.lines},
            {"mrz_ocr", m.ocrLines},
            {"fields", fieldsJson(r)},
            {"check_digits", digits},
            {"corrections", corrections},
            {"structure_issues", issues},
            {"long_document_number", r.longDocumentNumber},
            {"names_truncated", r.namesTruncated},
            {"ocr_min_confidence", round2(m.minConfidence)},
            {"pitch_mm", round2(m.pitchMm)},
            {"mrz_regions", regions},
            {"read_under", std::string(lightName(m.light))}};
}

json geometryJson(const DocumentGeometry& g)
{
    json corners = json::array();
    for (const auto& p : g.cornersPx)
        corners.push_back({round2(p.x), round2(p.y)});
    return {{"page_found", g.pageFound},
            {"corners_px", corners},
            {"rotation_deg", round2(g.rotationDeg)},
            {"upside_down", g.upsideDown},
            {"width_mm", round2(g.widthMm)},
            {"height_mm", round2(g.heightMm)},
            {"pixels_per_mm", round2(g.pixelsPerMm)}};
}

} // namespace

std::string reportToJson(const InspectionReport& report, bool pretty)
{
    json checks = json::array();
    json reasons = json::array();
    for (const auto& c : report.checks) {
        json regions = json::array();
        for (const auto& r : c.regions)
            regions.push_back(rectJson(r));
        json measured = json::object();
        for (const auto& [name, value] : c.measured)
            measured[name] = std::round(value * 10000.0) / 10000.0;
        checks.push_back({{"id", c.id},
                          {"tr03135_id", c.tr03135Id},
                          {"result", std::string(checkResultName(c.result))},
                          {"margin", round2(c.margin)},
                          {"reason", {{"en", c.reason.en}, {"nl", c.reason.nl}}},
                          {"regions", regions},
                          {"measured", measured}});
        if (c.result == CheckResult::Failed || c.result == CheckResult::Undetermined ||
            c.result == CheckResult::Aborted)
            reasons.push_back({{"check", c.id}, {"en", c.reason.en}, {"nl", c.reason.nl}});
    }
    json timing = json::object();
    for (const auto& [stage, ms] : report.timingsMs)
        timing[stage] = round2(ms);
    const auto v = engineVersions();
    json j = {
        {"schema", "grenswacht.inspection/1"},
        {"verdict", std::string(verdictName(report.verdict))},
        {"reasons", report.verdict == Verdict::Green ? json::array() : reasons},
        {"document", report.mrz ? documentJson(*report.mrz) : json(nullptr)},
        {"geometry", report.geometry ? geometryJson(*report.geometry) : json(nullptr)},
        {"checks", checks},
        {"seal",
         report.sealsJson.empty() ? json(nullptr) : json::parse(report.sealsJson.front(), nullptr, false)},
        {"timing_ms", timing},
        {"thresholds_version", report.thresholdsVersion},
        {"engine",
         {{"docvision", v.docvision}, {"opencv", v.opencv}, {"tesseract", v.tesseract}, {"zxing", v.zxing}}}};
    // Replace invalid UTF-8 rather than throw: OCR output is ASCII, but a report must always serialise.
    return j.dump(pretty ? 2 : -1, ' ', false, json::error_handler_t::replace);
}

} // namespace gw::vision
