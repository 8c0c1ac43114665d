// SPDX-License-Identifier: Apache-2.0
// Report JSON -> InspectionRecord: validation of the fields the station indexes and displays.
#include <cmath>

#include <nlohmann/json.hpp>

#include <gw/host/report.h>

namespace gw::host {
namespace {

using nlohmann::json;

std::string stringField(const json& object, const char* key)
{
    if (!object.is_object())
        return {};
    const auto it = object.find(key);
    if (it == object.end() || !it->is_string())
        return {};
    return it->get<std::string>();
}

bool isHex32(std::string_view s)
{
    if (s.size() != 32)
        return false;
    for (char c : s) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return true;
}

Result<CheckRecord> checkFrom(const json& c, std::size_t index)
{
    const std::string where = "checks[" + std::to_string(index) + "]";
    if (!c.is_object())
        return fail(Errc::InvalidInput, "report: " + where + " is not an object");
    CheckRecord check;
    check.checkId = stringField(c, "id");
    if (check.checkId.empty() || check.checkId.size() > 128)
        return fail(Errc::InvalidInput, "report: " + where + " has no id");
    check.tr03135Id = stringField(c, "tr03135_id");
    check.result = stringField(c, "result");
    static constexpr std::string_view kResults[] = {"successful", "failed", "undetermined", "not_supported",
                                                    "aborted"};
    bool known = false;
    for (auto r : kResults)
        known = known || check.result == r;
    if (!known)
        return fail(Errc::InvalidInput, "report: " + where + " has result '" + check.result +
                                            "', expected successful, failed, undetermined, not_supported "
                                            "or aborted");
    if (const auto m = c.find("margin"); m != c.end() && m->is_number()) {
        check.margin = m->get<double>();
        if (!std::isfinite(check.margin))
            check.margin = 0;
    }
    if (const auto r = c.find("reason"); r != c.end() && r->is_object()) {
        check.reasonEn = stringField(*r, "en");
        check.reasonNl = stringField(*r, "nl");
    }
    json regions = json::array();
    if (const auto rs = c.find("regions"); rs != c.end() && rs->is_array()) {
        for (const auto& region : *rs) {
            if (!region.is_object())
                continue;
            json clean = json::object();
            for (const char* key : {"x_mm", "y_mm", "width_mm", "height_mm"}) {
                const auto v = region.find(key);
                if (v == region.end() || !v->is_number() || !std::isfinite(v->get<double>()))
                    return fail(Errc::InvalidInput,
                                "report: " + where + " has a region without a number '" + key + "'");
                clean[key] = v->get<double>();
            }
            regions.push_back(std::move(clean));
        }
    }
    check.regionsJson = regions.dump();
    return check;
}

} // namespace

Result<InspectionRecord> inspectionFromReport(std::string_view idHex, std::string_view deviceId,
                                              std::int64_t captureTimeMs, std::int64_t receivedMs,
                                              std::string_view reportJson)
{
    if (!isHex32(idHex))
        return fail(Errc::InvalidInput, "inspection id must be 32 lower-case hex digits");
    if (deviceId.empty())
        return fail(Errc::InvalidInput, "inspection without a scanner id");
    if (reportJson.size() > kMaxReportBytes)
        return fail(Errc::InvalidInput, "report of " + std::to_string(reportJson.size()) +
                                            " bytes is larger than the limit of " +
                                            std::to_string(kMaxReportBytes));
    json report;
    try {
        report = json::parse(reportJson.begin(), reportJson.end());
    } catch (const json::exception& e) {
        return fail(Errc::InvalidInput, std::string("report is not valid JSON: ") + e.what());
    }
    if (!report.is_object())
        return fail(Errc::InvalidInput, "report is not a JSON object");

    InspectionRecord record;
    record.id = std::string(idHex);
    record.deviceId = std::string(deviceId);
    record.captureTimeMs = captureTimeMs;
    record.receivedMs = receivedMs;
    record.verdict = stringField(report, "verdict");
    if (record.verdict != "GREEN" && record.verdict != "AMBER" && record.verdict != "RED")
        return fail(Errc::InvalidInput,
                    "report has verdict '" + record.verdict + "', expected GREEN, AMBER or RED");

    try {
        if (const auto reasons = report.find("reasons");
            reasons != report.end() && reasons->is_array() && !reasons->empty()) {
            record.firstReasonEn = stringField(reasons->front(), "en");
            record.firstReasonNl = stringField(reasons->front(), "nl");
        }
        if (const auto doc = report.find("document"); doc != report.end() && doc->is_object()) {
            record.mrz.format = stringField(*doc, "format");
            if (const auto f = doc->find("fields"); f != doc->end() && f->is_object()) {
                record.mrz.documentCode = stringField(*f, "document_code");
                record.mrz.issuingState = stringField(*f, "issuing_state");
                record.mrz.documentNumber = stringField(*f, "document_number");
                record.mrz.nationality = stringField(*f, "nationality");
                record.mrz.surname = stringField(*f, "surname");
                record.mrz.givenNames = stringField(*f, "given_names");
                record.mrz.birthDate = stringField(*f, "birth_date");
                record.mrz.expiryDate = stringField(*f, "expiry_date");
                record.mrz.sex = stringField(*f, "sex");
            }
        }
        if (const auto checks = report.find("checks"); checks != report.end()) {
            if (!checks->is_array())
                return fail(Errc::InvalidInput, "report: checks is not an array");
            if (checks->size() > kMaxReportChecks)
                return fail(Errc::InvalidInput, "report lists " + std::to_string(checks->size()) +
                                                    " checks, more than " + std::to_string(kMaxReportChecks));
            std::size_t i = 0;
            for (const auto& c : *checks) {
                auto check = checkFrom(c, i++);
                if (!check)
                    return std::unexpected(check.error());
                record.checks.push_back(std::move(*check));
            }
        }
    } catch (const json::exception& e) {
        return fail(Errc::InvalidInput, std::string("report: ") + e.what());
    }
    record.reportJson = std::string(reportJson);
    return record;
}

} // namespace gw::host
