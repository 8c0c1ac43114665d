// SPDX-License-Identifier: Apache-2.0
// The seal checks vds.present, vds.signature and vds.mrz_match, in English and Dutch.
#include <algorithm>
#include <cmath>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <gw/vision/check.h>
#include <gw/vision/mrz.h>
#include <gw/vision/seal.h>

namespace gw::vision {
namespace {

constexpr std::string_view kPresentId = "vds.present";
constexpr std::string_view kSignatureId = "vds.signature";
constexpr std::string_view kMrzMatchId = "vds.mrz_match";

bool looksLikeSeal(const DecodedBarcode& b)
{
    if (b.bytes.empty())
        return false;
    if (b.format == BarcodeFormat::DataMatrix)
        return b.bytes[0] == 0xDC;
    return b.bytes[0] == '{';
}

RectMm regionOf(const DecodedBarcode& b, double pixelsPerMm)
{
    double x0 = b.corners[0].x, x1 = x0, y0 = b.corners[0].y, y1 = y0;
    for (const auto& p : b.corners) {
        x0 = std::min(x0, p.x);
        x1 = std::max(x1, p.x);
        y0 = std::min(y0, p.y);
        y1 = std::max(y1, p.y);
    }
    const double s = pixelsPerMm > 0 ? 1.0 / pixelsPerMm : 0.0;
    return RectMm{x0 * s, y0 * s, (x1 - x0) * s, (y1 - y0) * s};
}

/// Worse outcomes rank higher: the check reports the worst seal on the document.
int severity(CheckResult r)
{
    switch (r) {
    case CheckResult::Failed:
        return 4;
    case CheckResult::Aborted:
        return 3;
    case CheckResult::Undetermined:
        return 2;
    case CheckResult::Successful:
        return 1;
    case CheckResult::NotSupported:
        return 0;
    }
    return 0;
}

CheckOutcome make(std::string_view id, CheckResult result, double margin, std::string en, std::string nl,
                  std::vector<RectMm> regions)
{
    CheckOutcome o;
    o.id = std::string(id);
    o.result = result;
    o.margin = std::clamp(margin, -1.0, 1.0);
    o.reason = Reason{std::move(en), std::move(nl)};
    o.regions = std::move(regions);
    return o;
}

std::string signerOf(const Seal& s)
{
    if (s.kind == SealKind::VdsNc)
        return s.header.issuingCountry + " " + s.header.ncType;
    return s.header.signerIdentifier + "/" + s.header.certificateReference;
}

CheckOutcome signatureOutcome(const Seal& seal, const SealVerification& v, std::vector<RectMm> regions)
{
    const std::string who = signerOf(seal);
    switch (v.status) {
    case SignatureStatus::Valid:
        return make(
            kSignatureId, CheckResult::Successful, 1.0, "The seal's signature is valid (signer " + who + ").",
            "De handtekening van het zegel is geldig (ondertekenaar " + who + ").", std::move(regions));
    case SignatureStatus::Invalid:
        return make(
            kSignatureId, CheckResult::Failed, -1.0,
            "The seal's signature is INVALID: the seal was altered or forged (signer " + who + ").",
            "De handtekening van het zegel is ONGELDIG: het zegel is gewijzigd of vervalst (ondertekenaar " +
                who + ").",
            std::move(regions));
    case SignatureStatus::SignerUnknown:
        return make(kSignatureId, CheckResult::Undetermined, 0.0,
                    "The seal's signer " + who +
                        " is not in the trust store; the signature could not be checked.",
                    "De ondertekenaar " + who +
                        " van het zegel staat niet in de vertrouwenslijst; de handtekening kon niet worden "
                        "gecontroleerd.",
                    std::move(regions));
    case SignatureStatus::CertificateInvalid:
        return make(
            kSignatureId, CheckResult::Failed, -1.0,
            "The seal's signer certificate " + who + " was not valid for this seal: " + v.detail + ".",
            "Het certificaat van ondertekenaar " + who + " was niet geldig voor dit zegel: " + v.detail + ".",
            std::move(regions));
    case SignatureStatus::Malformed:
        return make(
            kSignatureId, CheckResult::Failed, -1.0, "The seal's signature is malformed: " + v.detail + ".",
            "De handtekening van het zegel is onjuist opgebouwd: " + v.detail + ".", std::move(regions));
    }
    return make(kSignatureId, CheckResult::Aborted, 0.0, "Unknown verification status.",
                "Onbekende uitkomst van de verificatie.", std::move(regions));
}

/// Document number in a printed MRZ: TD1 line 1 positions 6-14, otherwise line 2 positions 1-9.
std::optional<std::string> printedDocumentNumber(std::span<const std::string> mrz)
{
    std::string field;
    if (mrz.size() == 3 && mrz[0].size() >= 14)
        field = mrz[0].substr(5, 9);
    else if (mrz.size() == 2 && mrz[1].size() >= 9)
        field = mrz[1].substr(0, 9);
    else
        return std::nullopt;
    while (!field.empty() && field.back() == '<')
        field.pop_back();
    return field;
}

CheckOutcome mrzOutcome(const Seal& seal, std::span<const std::string> printed,
                        const PrintedMrzConfidence& confidence, std::vector<RectMm> regions)
{
    const auto lookalikes = [](char a, char b) {
        return a == b || (mrzDigitLookalike(a) != '\0' && mrzDigitLookalike(a) == mrzDigitLookalike(b)) ||
               mrzDigitLookalike(a) == b || mrzDigitLookalike(b) == a;
    };
    const auto readSurely = [&](std::size_t line, std::size_t i) {
        if (line >= confidence.perCharacter.size() || i >= confidence.perCharacter[line].size() ||
            confidence.perCharacter[line][i] >= confidence.minForEvidence)
            return true;
        // Torn only between look-alikes (an O that may have been a 0): the glyph itself was seen surely.
        const bool haveBoth = line < confidence.runnerUp.size() && i < confidence.runnerUp[line].size() &&
                              line < confidence.recognised.size() && i < confidence.recognised[line].size();
        if (!haveBoth)
            return false;
        const char first = confidence.recognised[line][i];
        const char second = confidence.runnerUp[line][i];
        return first != second && lookalikes(first, second);
    };
    const auto sealLines = seal.mrzLines();
    const auto comparable = seal.mrzComparableLength();
    const auto sealNumber = seal.documentNumber();
    if (sealLines.empty() && !sealNumber)
        return make(kMrzMatchId, CheckResult::NotSupported, 0.0,
                    "The seal holds no MRZ or document number to compare.",
                    "Het zegel bevat geen MRZ of documentnummer om te vergelijken.", std::move(regions));
    if (printed.empty())
        return make(kMrzMatchId, CheckResult::Undetermined, 0.0,
                    "The printed MRZ was not read; the seal's content could not be compared.",
                    "De gedrukte MRZ is niet gelezen; de inhoud van het zegel kon niet worden vergeleken.",
                    std::move(regions));

    if (!sealLines.empty()) {
        std::size_t compared = 0;
        std::size_t differences = 0;
        std::size_t doubtful = 0; // differences where the print was read doubtfully
        std::string firstDiff;
        std::string firstDoubtful;
        if (printed.size() != sealLines.size()) {
            differences = 1;
            firstDiff = "the seal has " + std::to_string(sealLines.size()) + " lines, the document " +
                        std::to_string(printed.size());
        }
        for (std::size_t l = 0; l < sealLines.size() && l < printed.size(); ++l) {
            const std::size_t n = l < comparable.size() ? comparable[l] : sealLines[l].size();
            if (printed[l].size() != sealLines[l].size() && differences == 0)
                firstDiff = "line " + std::to_string(l + 1) + " has " + std::to_string(printed[l].size()) +
                            " characters, the seal's " + std::to_string(sealLines[l].size());
            if (printed[l].size() != sealLines[l].size())
                ++differences;
            for (std::size_t i = 0; i < n; ++i) {
                ++compared;
                const char p = i < printed[l].size() ? printed[l][i] : '\0';
                if (p != sealLines[l][i]) {
                    const std::string where = "line " + std::to_string(l + 1) + " position " +
                                              std::to_string(i + 1) + ": seal '" +
                                              std::string(1, sealLines[l][i]) + "', printed '" +
                                              (p ? std::string(1, p) : std::string("end of line")) + "'";
                    if (p && !readSurely(l, i)) {
                        if (doubtful++ == 0)
                            firstDoubtful = where;
                        continue;
                    }
                    if (differences == 0)
                        firstDiff = where;
                    ++differences;
                }
            }
        }
        if (differences == 0 && doubtful > 0)
            return make(kMrzMatchId, CheckResult::Undetermined, 0.0,
                        "The seal's MRZ differs from the print only where the print was read uncertainly (" +
                            std::to_string(doubtful) + " character(s); first: " + firstDoubtful +
                            "): compare the seal's data with the document.",
                        "Het MRZ in het zegel wijkt alleen af waar de druk onzeker is gelezen (" +
                            std::to_string(doubtful) + " teken(s); eerste: " + firstDoubtful +
                            "): vergelijk de gegevens van het zegel met het document.",
                        std::move(regions));
        if (differences == 0)
            return make(kMrzMatchId, CheckResult::Successful, 1.0,
                        "The MRZ in the seal matches the printed MRZ (" + std::to_string(compared) +
                            " characters).",
                        "De MRZ in het zegel komt overeen met de gedrukte MRZ (" + std::to_string(compared) +
                            " tekens).",
                        std::move(regions));
        // Any difference is a finding; the margin shows how far apart they are.
        const double margin = -std::max(0.05, static_cast<double>(differences) /
                                                  static_cast<double>(std::max<std::size_t>(compared, 1)));
        return make(kMrzMatchId, CheckResult::Failed, margin,
                    "The MRZ in the seal differs from the printed MRZ in " + std::to_string(differences) +
                        " place(s); first: " + firstDiff + ".",
                    "De MRZ in het zegel wijkt op " + std::to_string(differences) +
                        " plaats(en) af van de gedrukte MRZ; eerste: " + firstDiff + ".",
                    std::move(regions));
    }

    const auto printedNumber = printedDocumentNumber(printed);
    if (!printedNumber)
        return make(
            kMrzMatchId, CheckResult::Undetermined, 0.0,
            "The printed MRZ has no recognisable layout; the seal's document number could not be compared.",
            "De gedrukte MRZ heeft geen herkenbare opmaak; het documentnummer in het zegel kon niet worden "
            "vergeleken.",
            std::move(regions));
    if (*printedNumber == *sealNumber)
        return make(kMrzMatchId, CheckResult::Successful, 1.0,
                    "The document number in the seal (" + *sealNumber + ") matches the printed MRZ.",
                    "Het documentnummer in het zegel (" + *sealNumber + ") komt overeen met de gedrukte MRZ.",
                    std::move(regions));
    return make(kMrzMatchId, CheckResult::Failed, -1.0,
                "The document number in the seal (" + *sealNumber + ") differs from the printed MRZ (" +
                    *printedNumber + ").",
                "Het documentnummer in het zegel (" + *sealNumber + ") wijkt af van de gedrukte MRZ (" +
                    *printedNumber + ").",
                std::move(regions));
}

void keepWorst(std::optional<CheckOutcome>& acc, CheckOutcome next)
{
    if (!acc || severity(next.result) > severity(acc->result))
        acc = std::move(next);
}

} // namespace

Result<std::vector<SealFinding>> inspectSeals(ImageView image, const TrustStore& trust)
{
    auto barcodes = findSealBarcodes(image);
    if (!barcodes)
        return std::unexpected(barcodes.error());
    std::vector<SealFinding> findings;
    for (auto& b : *barcodes) {
        if (!looksLikeSeal(b))
            continue;
        SealFinding f;
        f.seal = parseSeal(b.bytes);
        if (f.seal)
            f.verification = verifySeal(*f.seal, trust);
        f.barcode = std::move(b);
        findings.push_back(std::move(f));
    }
    return findings;
}

std::vector<CheckOutcome> sealChecks(std::span<const SealFinding> findings,
                                     std::span<const std::string> printedMrz, double pixelsPerMm,
                                     const PrintedMrzConfidence& confidence)
{
    if (findings.empty()) {
        return {
            make(kPresentId, CheckResult::NotSupported, 0.0, "No digital seal on this document.",
                 "Geen digitaal zegel op dit document.", {}),
            make(kSignatureId, CheckResult::NotSupported, 0.0, "No digital seal to verify.",
                 "Geen digitaal zegel om te controleren.", {}),
            make(kMrzMatchId, CheckResult::NotSupported, 0.0, "No digital seal to compare with the MRZ.",
                 "Geen digitaal zegel om met de MRZ te vergelijken.", {}),
        };
    }
    std::optional<CheckOutcome> present, signature, mrz;
    for (const auto& f : findings) {
        std::vector<RectMm> regions{regionOf(f.barcode, pixelsPerMm)};
        if (!f.seal) {
            const std::string why = f.seal.error().message();
            keepWorst(
                present,
                make(kPresentId, CheckResult::Undetermined, 0.0,
                     "A seal barcode was found but could not be decoded: " + why + ".",
                     "Er is een zegelbarcode gevonden, maar die kon niet worden gedecodeerd: " + why + ".",
                     regions));
            keepWorst(signature,
                      make(kSignatureId, CheckResult::Undetermined, 0.0,
                           "The seal could not be decoded, so its signature was not checked.",
                           "Het zegel kon niet worden gedecodeerd; de handtekening is niet gecontroleerd.",
                           regions));
            keepWorst(mrz, make(kMrzMatchId, CheckResult::Undetermined, 0.0,
                                "The seal could not be decoded, so it was not compared with the MRZ.",
                                "Het zegel kon niet worden gedecodeerd; het is niet met de MRZ vergeleken.",
                                regions));
            continue;
        }
        const Seal& seal = *f.seal;
        const std::string profile(sealProfileName(seal.profile));
        keepWorst(present,
                  make(kPresentId, CheckResult::Successful, 1.0,
                       "Digital seal found and decoded (" + profile + ", signer " + signerOf(seal) + ").",
                       "Digitaal zegel gevonden en gedecodeerd (" + profile + ", ondertekenaar " +
                           signerOf(seal) + ").",
                       regions));
        if (f.verification)
            keepWorst(signature, signatureOutcome(seal, *f.verification, regions));
        else
            keepWorst(signature,
                      make(kSignatureId, CheckResult::Undetermined, 0.0, "The seal was not verified.",
                           "Het zegel is niet gecontroleerd.", regions));
        keepWorst(mrz, mrzOutcome(seal, printedMrz, confidence, regions));
    }
    return {std::move(*present), std::move(*signature), std::move(*mrz)};
}

} // namespace gw::vision
