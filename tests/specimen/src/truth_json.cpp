// SPDX-License-Identifier: Apache-2.0
// truth.json and manifest.jsonl serialisation (field names documented in tests/specimen/README.md).
#include <cmath>

#include <nlohmann/json.hpp>

#include <gw/specimen/specimen.h>

namespace gw::specimen {
namespace {

// Insertion order keeps truth.json in the documented order (identity, MRZ, VIZ, geometry, ...).
using json = nlohmann::ordered_json;

/// Four decimals: 0.1 µm on the document, 1/10000 px on the glass; keeps the files readable.
double r4(double v)
{
    return std::round(v * 1e4) / 1e4;
}

json rect(const gw::vision::RectMm& r)
{
    return {{"x", r4(r.x)}, {"y", r4(r.y)}, {"width", r4(r.width)}, {"height", r4(r.height)}};
}

json fieldsJson(const DocumentFields& f)
{
    return {{"document_code", f.documentCode},     {"issuing_state", f.issuingState},
            {"document_number", f.documentNumber}, {"nationality", f.nationality},
            {"birth_date", f.birthDate},           {"sex", f.sex},
            {"expiry_date", f.expiryDate},         {"surname", f.surname},
            {"given_names", f.givenNames},         {"optional_data", f.optionalData},
            {"optional_data_1", f.optionalData1}};
}

json vizJson(const VizText& v)
{
    return {{"document_type", v.documentType},
            {"document_code", v.documentCode},
            {"issuing_state", v.issuingState},
            {"issuing_state_name", v.issuingStateName},
            {"document_number", v.documentNumber},
            {"surname", v.surname},
            {"given_names", v.givenNames},
            {"nationality", v.nationality},
            {"birth_date", v.birthDate},
            {"sex", v.sex},
            {"place_of_birth", v.placeOfBirth},
            {"issue_date", v.issueDate},
            {"expiry_date", v.expiryDate},
            {"authority", v.authority},
            {"date_style", v.dateStyle}};
}

json degradationsJson(const Degradations& d)
{
    return {{"level", d.level},
            {"blur_sigma_mm", r4(d.blurSigmaMm)},
            {"noise_sigma", r4(d.noiseSigma)},
            {"illumination_gradient", r4(d.illuminationGradient)},
            {"illumination_angle_deg", r4(d.illuminationAngleDeg)},
            {"vignetting", r4(d.vignetting)},
            {"glare_strength", r4(d.glareStrength)},
            {"glare_radius_mm", r4(d.glareRadiusMm)},
            {"glare_center_mm", {r4(d.glareXMm), r4(d.glareYMm)}},
            {"ir_glare_center_mm", {r4(d.irGlareXMm), r4(d.irGlareYMm)}},
            {"contrast", r4(d.contrast)},
            {"brightness", r4(d.brightness)}};
}

} // namespace

std::string truthToJson(const Truth& t)
{
    json corners = json::array();
    for (const auto& c : t.geometry.documentCornersPx)
        corners.push_back({r4(c.x), r4(c.y)});
    json centres = json::array();
    for (double c : t.mrzPrint.lineCentreFromBottomMm)
        centres.push_back(r4(c));
    json regions = json::object();
    for (const auto& [name, r] : t.regionsMm)
        regions[name] = rect(r);

    json j;
    j["generator_version"] = t.generatorVersion;
    j["seed"] = t.seed;
    if (t.setSeed)
        j["set_seed"] = *t.setSeed;
    if (t.setIndex)
        j["set_index"] = *t.setIndex;
    j["format"] = std::string(formatName(t.format));
    j["forgery"] = std::string(forgeryId(t.forgery));
    j["mrz"] = t.mrz;
    j["fields"] = fieldsJson(t.fields);
    j["viz"] = vizJson(t.viz);
    j["geometry"] = {
        {"dpi", r4(t.geometry.dpi)},
        {"pixels_per_mm", r4(t.geometry.pixelsPerMm)},
        {"glass_size_px", {t.geometry.glassSizePx.width, t.geometry.glassSizePx.height}},
        {"glass_size_mm", {kGlassWidthMm, kGlassHeightMm}},
        {"document_size_mm", {r4(t.geometry.documentSizeMm.width), r4(t.geometry.documentSizeMm.height)}},
        {"rotation_deg", r4(t.geometry.rotationDeg)},
        {"upside_down", t.geometry.upsideDown},
        {"document_corners_px", corners},
        {"mrz_box_mm", rect(t.geometry.mrzBoxMm)}};
    j["mrz_print"] = {{"font", t.mrzPrint.font},
                      {"pitch_mm", r4(t.mrzPrint.pitchMm)},
                      {"first_char_left_mm", r4(t.mrzPrint.firstCharLeftMm)},
                      {"line_centre_from_bottom_mm", centres},
                      {"char_height_mm", r4(t.mrzPrint.charHeightMm)},
                      {"ir_absorbing", t.mrzPrint.irAbsorbing}};
    j["regions_mm"] = regions;
    j["degradations"] = degradationsJson(t.degradations);
    j["forgery_detail"] = t.forgeryDetail;
    json seal = {{"present", t.hasSeal}};
    for (const auto& [k, v] : t.sealInfo)
        seal[k] = v;
    j["seal"] = seal;
    return j.dump(2);
}

std::string manifestLine(const Truth& t, std::string_view folder)
{
    json j;
    j["folder"] = std::string(folder);
    j["format"] = std::string(formatName(t.format));
    j["forgery"] = std::string(forgeryId(t.forgery));
    j["seed"] = t.seed;
    j["mrz"] = t.mrz;
    j["dpi"] = r4(t.geometry.dpi);
    j["rotation_deg"] = r4(t.geometry.rotationDeg);
    j["upside_down"] = t.geometry.upsideDown;
    j["degradation_level"] = t.degradations.level;
    return j.dump();
}

} // namespace gw::specimen
