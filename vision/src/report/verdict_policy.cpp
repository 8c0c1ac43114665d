// SPDX-License-Identifier: Apache-2.0
#include "report/verdict_policy.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace gw::vision::policy {
namespace {

// RED only where a failure indicates forgery and the check is built never to fail on a genuine
// document (doubtful reads are 'undetermined', not 'failed'); AMBER where the officer must look
// closer; GREEN where not knowing is no reason to stop a traveller.
constexpr std::array kRules = {
    // Nothing to check without an MRZ: the officer inspects by hand.
    Rule{"mrz.read", Verdict::Amber, Verdict::Amber},
    // Altered data without recomputed digits is the classic forgery (TR-03135 MRZ checks).
    Rule{"mrz.check_digits", Verdict::Red, Verdict::Amber},
    // Impossible dates, codes or layout: printed by someone who did not know Doc 9303.
    Rule{"mrz.structure", Verdict::Red, Verdict::Amber},
    // Expired is not forged; the officer decides (issue: expired documents are AMBER).
    Rule{"document.expiry", Verdict::Amber, Verdict::Amber},
    // A seal was seen but could not be decoded: look at it.
    Rule{"vds.present", Verdict::Amber, Verdict::Amber},
    // Only the issuer's key makes a valid signature; an unknown signer is a trust-store gap, not a forgery.
    Rule{"vds.signature", Verdict::Red, Verdict::Amber},
    // Signed data that disagrees with the printed MRZ: the print was altered.
    Rule{"vds.mrz_match", Verdict::Red, Verdict::Amber},
    // A font other than OCR-B, a wrong pitch or an MRZ off its ICAO position: printed by a forger.
    Rule{"mrz.print", Verdict::Red, Verdict::Green},
    // (IR,AB,MR) An MRZ that vanishes under IR is not B900 ink: reprinted. Undetermined (e.g. glare over
    // the IR MRZ) asks for a look: TR-03135 makes the IR MRZ check mandatory.
    Rule{"ir.mrz_absorbs", Verdict::Red, Verdict::Amber},
    // Personal data in dye ink (invisible under IR) was added or altered after personalisation.
    Rule{"ir.viz_absorbs", Verdict::Red, Verdict::Green},
    // A different face under IR than under white light: the portrait was substituted.
    Rule{"photo.white_ir", Verdict::Red, Verdict::Green},
    // (UV,BR,FU) Office paper glows under UV; security paper is dull. Mandatory in TR-03135 even for
    // an unknown document model.
    Rule{"uv.substrate_dull", Verdict::Red, Verdict::Amber},
    // Glue, correction fluid or photo paper glowing locally on the data page.
    Rule{"uv.false_luminescence", Verdict::Red, Verdict::Green},
    // The visual zone says something else than the MRZ: one of them was altered. Undetermined (a field
    // the OCR could not find) is no reason to stop a traveller.
    Rule{"viz.mrz_consistency", Verdict::Red, Verdict::Green},
};

// Checks not in the table: a failure needs a look, an undetermined result does not.
constexpr Rule kDefault{"", Verdict::Amber, Verdict::Green};

int rank(Verdict v)
{
    return v == Verdict::Red ? 2 : v == Verdict::Amber ? 1 : 0;
}

} // namespace

std::span<const Rule> rules()
{
    return kRules;
}

Verdict verdictOf(const CheckOutcome& c)
{
    const auto it = std::ranges::find_if(kRules, [&](const Rule& r) { return c.id == r.checkId; });
    const Rule& rule = it != kRules.end() ? *it : kDefault;
    switch (c.result) {
    case CheckResult::Failed:
        return rule.onFailed;
    case CheckResult::Undetermined:
    case CheckResult::Aborted:
        return rule.onUndetermined;
    case CheckResult::Successful:
    case CheckResult::NotSupported:
        return Verdict::Green;
    }
    return Verdict::Amber;
}

Verdict decide(std::vector<CheckOutcome>& checks)
{
    std::ranges::stable_sort(checks, [](const CheckOutcome& a, const CheckOutcome& b) {
        return rank(verdictOf(a)) > rank(verdictOf(b));
    });
    Verdict v = Verdict::Green;
    for (const auto& c : checks)
        if (rank(verdictOf(c)) > rank(v))
            v = verdictOf(c);
    return v;
}

} // namespace gw::vision::policy
