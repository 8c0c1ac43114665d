// SPDX-License-Identifier: Apache-2.0
// Helpers for the station's tests: temporary folders, synthetic reports written from docs/report-format.md.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <gw/host/store.h>

namespace gw::host::testing {

/// @brief A fresh folder under the system temp folder, removed on destruction.
class TempDir {
public:
    TempDir()
    {
        static std::atomic<int> counter{0};
        std::random_device rd;
        path_ = std::filesystem::temp_directory_path() /
                ("gw-host-test-" + std::to_string(rd()) + "-" + std::to_string(counter++));
        std::filesystem::create_directories(path_);
    }
    ~TempDir()
    {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
    [[nodiscard]] std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

/// @brief What a synthetic report says.
struct ReportSpec {
    std::string verdict = "GREEN";
    std::string issuingState = "UTO";
    std::string documentNumber = "L898902C3";
    std::string surname = "ERIKSSON";
    std::string givenNames = "ANNA MARIA";
    /// A failed check ("" for none) with a region, e.g. "uv.substrate_dull"; makes the first reason.
    std::string failedCheck;
    double widthMm = 125.0;
    double heightMm = 88.0;
};

/// @brief A report in the grenswacht.inspection/1 format, written by hand from docs/report-format.md.
inline std::string makeReport(const ReportSpec& spec)
{
    using nlohmann::json;
    json checks = json::array();
    checks.push_back(
        {{"id", "mrz.check_digits"},
         {"tr03135_id", ""},
         {"result", "successful"},
         {"margin", 1.0},
         {"reason", {{"en", "All check digits are correct."}, {"nl", "Alle controlecijfers kloppen."}}},
         {"regions",
          json::array({{{"x_mm", 6.0}, {"y_mm", 70.1}, {"width_mm", 111.8}, {"height_mm", 3.0}}})}});
    json reasons = json::array();
    if (!spec.failedCheck.empty()) {
        const json reason{{"en", "The paper glows under UV light."},
                          {"nl", "Het papier licht op onder UV-licht."}};
        checks.insert(
            checks.begin(),
            json{{"id", spec.failedCheck},
                 {"tr03135_id", "(UV,BR,FU)"},
                 {"result", "failed"},
                 {"margin", -0.6},
                 {"reason", reason},
                 {"regions",
                  json::array({{{"x_mm", 10.0}, {"y_mm", 20.0}, {"width_mm", 40.0}, {"height_mm", 25.0}}})}});
        reasons.push_back({{"check", spec.failedCheck}, {"en", reason["en"]}, {"nl", reason["nl"]}});
    }
    json report{{"schema", "grenswacht.inspection/1"},
                {"verdict", spec.verdict},
                {"reasons", reasons},
                {"document",
                 {{"format", "TD3"},
                  {"fields",
                   {{"document_code", "P"},
                    {"issuing_state", spec.issuingState},
                    {"document_number", spec.documentNumber},
                    {"nationality", spec.issuingState},
                    {"birth_date", "740812"},
                    {"sex", "F"},
                    {"expiry_date", "320415"},
                    {"surname", spec.surname},
                    {"given_names", spec.givenNames},
                    {"optional_data", ""}}}}},
                {"geometry",
                 {{"page_found", true},
                  {"width_mm", spec.widthMm},
                  {"height_mm", spec.heightMm},
                  {"pixels_per_mm", 4.0}}},
                {"checks", checks}};
    return report.dump();
}

/// @brief 32 hex digits from a counter (distinct per @p n).
inline std::string hexId(std::uint64_t n, std::uint64_t salt = 0)
{
    static constexpr char kHex[] = "0123456789abcdef";
    std::string s(32, '0');
    std::uint64_t hi = salt ^ 0x9e3779b97f4a7c15ull;
    for (int i = 15; i >= 0; --i) {
        s[static_cast<std::size_t>(i)] = kHex[hi & 0xF];
        hi >>= 4;
    }
    for (int i = 31; i >= 16; --i) {
        s[static_cast<std::size_t>(i)] = kHex[n & 0xF];
        n >>= 4;
    }
    return s;
}

/// @brief Bytes that start with the PNG signature (the store keeps images opaque; nothing decodes these).
inline std::vector<std::uint8_t> tinyPng()
{
    return {0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48,
            0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00,
            0x00, 0x3A, 0x7E, 0x9B, 0x55, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78,
            0x9C, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01, 0x48, 0xAF, 0xA4, 0x71, 0x00,
            0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82};
}

inline std::int64_t nowMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

} // namespace gw::host::testing
