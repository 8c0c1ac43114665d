// SPDX-License-Identifier: Apache-2.0
// The outcome of one inspection check, modelled on BSI TR-03135 (result set, margin, generic id).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gw::vision {

/// @brief TR-03135's result set. NotSupported: the light or input the check needs was not captured.
enum class CheckResult { Successful, Failed, Undetermined, NotSupported, Aborted };

/// @brief Stable JSON name: "successful", "failed", "undetermined", "not_supported", "aborted".
constexpr std::string_view checkResultName(CheckResult r) noexcept
{
    switch (r) {
    case CheckResult::Successful:
        return "successful";
    case CheckResult::Failed:
        return "failed";
    case CheckResult::Undetermined:
        return "undetermined";
    case CheckResult::NotSupported:
        return "not_supported";
    case CheckResult::Aborted:
        return "aborted";
    }
    return "aborted";
}

/// @brief An axis-aligned rectangle on the normalised document, in millimetres from its top-left corner.
/// Millimetres (not pixels) so that the host can draw it on any light's image at any zoom.
struct RectMm {
    double x = 0;      ///< [mm] from the left edge
    double y = 0;      ///< [mm] from the top edge
    double width = 0;  ///< [mm]
    double height = 0; ///< [mm]
};

/// @brief A sentence for the officer in both languages of the product.
struct Reason {
    std::string en;
    std::string nl;
};

/// @brief One check's outcome.
struct CheckOutcome {
    std::string id;        ///< stable id, e.g. "mrz.check_digits", "vds.signature"
    std::string tr03135Id; ///< TR-03135 generic id where one exists, e.g. "(IR,AB,MR)"; else empty
    CheckResult result = CheckResult::Undetermined;
    double margin = 0; ///< in [-1, +1]; 0 is the pass threshold, negative fails
    Reason reason;
    std::vector<RectMm> regions; ///< where the evidence is; empty when the check is not local
    /// What the check measured, for the lab's tuning (e.g. {"pcs", 0.71}); names are snake_case and
    /// documented per check in docs/report-format.md.
    std::vector<std::pair<std::string, double>> measured;
};

} // namespace gw::vision
