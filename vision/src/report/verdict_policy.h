// SPDX-License-Identifier: Apache-2.0
// The one place that turns check results into GREEN / AMBER / RED.
#pragma once

#include <span>
#include <vector>

#include <gw/vision/check.h>
#include <gw/vision/inspection.h>

namespace gw::vision::policy {

/// @brief What one check's result does to the verdict.
struct Rule {
    const char* checkId;
    Verdict onFailed;       ///< RED for checks whose failure indicates forgery
    Verdict onUndetermined; ///< AMBER for mandatory checks, GREEN where "could not tell" is harmless
};

/// @brief The policy table (see verdict_policy.cpp for the reason behind each row).
std::span<const Rule> rules();

/// @brief The verdict for a set of outcomes; also orders @p checks so the reasons behind the verdict
/// come first (RED-making, then AMBER-making, then the rest in their original order).
Verdict decide(std::vector<CheckOutcome>& checks);

/// @brief The verdict a single outcome asks for.
Verdict verdictOf(const CheckOutcome& c);

} // namespace gw::vision::policy
