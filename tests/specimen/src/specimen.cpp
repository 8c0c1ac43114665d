// SPDX-License-Identifier: Apache-2.0
// renderSpecimen(): draws the document data, applies the forgery, renders the page and the glass capture.
#include <algorithm>
#include <array>
#include <cmath>

#include <gw/specimen/specimen.h>
#include <gw/vision/check_digit.h>

#include "capture.h"
#include "document.h"
#include "people.h"
#include "prng.h"

namespace gw::specimen {
namespace {

constexpr std::array<Forgery, 12> kForgeries{
    Forgery::MrzCheckDigit, Forgery::VizMismatch,      Forgery::UvBrightPaper, Forgery::MrzIrTransparent,
    Forgery::MrzFont,       Forgery::PhotoSubstituted, Forgery::VizDyeInk,     Forgery::UvGlue,
    Forgery::VizReprinted,  Forgery::MrzLayout,        Forgery::SealSignature, Forgery::SealMrz,
};

// ICAO 9303 parts 4-7. The TD3 values and the left margins are those of the MRZ print-conformance
// check (first character 6.0 / 5.0 / 4.0 mm; lower and upper TD3 line centres 9.40 and 15.75 mm).
// TD2 and visas use the TD3 line centres. The TD1 lines sit at the 4.23 mm (6 lines per inch) pitch,
// centred in the 17.78 mm high TD1 reading zone.
constexpr FormatGeometry kTd1{85.60, 53.98, 3, 30, 5.0, {13.12, 8.89, 4.66}};
constexpr FormatGeometry kTd2{105.0, 74.0, 2, 36, 4.0, {15.75, 9.40, 0}};
constexpr FormatGeometry kTd3{125.0, 88.0, 2, 44, 6.0, {15.75, 9.40, 0}};
constexpr FormatGeometry kMrvA{120.0, 80.0, 2, 44, 4.0, {15.75, 9.40, 0}};
constexpr FormatGeometry kMrvB{105.0, 74.0, 2, 36, 4.0, {15.75, 9.40, 0}};

/// Where a field sits in the MRZ: line and first column.
struct MrzSpot {
    std::size_t line;
    std::size_t column;
};

MrzSpot numberSpot(Format f)
{
    return f == Format::Td1 ? MrzSpot{0, 5} : MrzSpot{1, 0};
}
MrzSpot birthSpot(Format f)
{
    return f == Format::Td1 ? MrzSpot{1, 0} : MrzSpot{1, 13};
}
MrzSpot expirySpot(Format f)
{
    return f == Format::Td1 ? MrzSpot{1, 8} : MrzSpot{1, 21};
}

void overwrite(std::vector<std::string>& lines, MrzSpot at, std::string_view text)
{
    lines[at.line].replace(at.column, text.size(), text);
}

/// A character whose check-digit value differs from @p c modulo 10, so that every check digit over it
/// changes (the weights 7, 3, 1 are coprime with 10).
char alteredChar(char c, Prng& rng)
{
    const int v = gw::vision::mrzCharValue(c).value_or(0);
    const bool digit = c >= '0' && c <= '9';
    for (;;) {
        const char n =
            digit ? static_cast<char>('0' + rng.range(0, 9)) : static_cast<char>('A' + rng.range(0, 25));
        const int nv = gw::vision::mrzCharValue(n).value_or(0);
        if ((nv - v) % 10 != 0)
            return n;
    }
}

Date withYearDigit(Date d, Prng& rng)
{
    const int last = d.year % 10;
    int n = last;
    while (n == last)
        n = rng.range(0, 9);
    d.year += n - last;
    return d;
}

struct Forged {
    DocumentPlan plan;
    DocumentFields fields;
    std::vector<std::string> mrz;
    std::map<std::string, std::string> detail;
};

gw::Result<Forged> applyForgery(Forgery kind, Format format, const DocumentData& data,
                                std::vector<std::string> mrz, std::uint64_t seed)
{
    Forged f;
    f.fields = data.fields;
    f.mrz = std::move(mrz);
    f.plan.format = format;
    f.plan.viz = data.viz;
    f.plan.seed = seed;
    f.plan.portraitSeed = data.portraitSeed;
    f.plan.irPortraitSeed = data.portraitSeed;
    Prng rng(seed, "forgery");
    VizText& viz = f.plan.viz;
    const FormatGeometry& g = formatGeometry(format);

    switch (kind) {
    case Forgery::Genuine:
        break;
    case Forgery::MrzCheckDigit: {
        // The forger changed a value in both zones but could not recompute the check digits.
        const bool feb29 = (data.birth.month == 2 && data.birth.day == 29) ||
                           (data.expiry.month == 2 && data.expiry.day == 29);
        const int which = feb29 ? 2 : rng.range(0, 2);
        if (which == 0) {
            const Date d = withYearDigit(data.birth, rng);
            f.detail = {{"altered_field", "birth_date"},
                        {"original", data.fields.birthDate},
                        {"altered", mrzDate(d)}};
            f.fields.birthDate = mrzDate(d);
            viz.birthDate = vizDate(d, viz.dateStyle);
            overwrite(f.mrz, birthSpot(format), f.fields.birthDate);
        } else if (which == 1) {
            const Date d = withYearDigit(data.expiry, rng);
            f.detail = {{"altered_field", "expiry_date"},
                        {"original", data.fields.expiryDate},
                        {"altered", mrzDate(d)}};
            f.fields.expiryDate = mrzDate(d);
            viz.expiryDate = vizDate(d, viz.dateStyle);
            overwrite(f.mrz, expirySpot(format), f.fields.expiryDate);
        } else {
            std::string n = data.fields.documentNumber;
            const auto i = static_cast<std::size_t>(
                rng.range(0, static_cast<int>(std::min<std::size_t>(n.size(), 9)) - 1));
            n[i] = alteredChar(n[i], rng);
            f.detail = {{"altered_field", "document_number"},
                        {"original", data.fields.documentNumber},
                        {"altered", n}};
            f.fields.documentNumber = n;
            viz.documentNumber = n;
            const MrzSpot at = numberSpot(format);
            f.mrz[at.line][at.column + i] = n[i];
        }
        break;
    }
    case Forgery::VizMismatch: {
        const int which = rng.range(0, 3);
        std::string field, mrzValue, vizValue;
        if (which == 0) {
            field = "surname";
            mrzValue = viz.surname;
            viz.surname = otherSurname(viz.surname, rng);
            vizValue = viz.surname;
        } else if (which == 1) {
            field = "birth_date";
            mrzValue = viz.birthDate;
            Date d = data.birth;
            d.day = d.day > 14 ? d.day - rng.range(1, 9) : d.day + rng.range(1, 9);
            viz.birthDate = vizDate(d, viz.dateStyle);
            vizValue = viz.birthDate;
        } else if (which == 2) {
            field = "document_number";
            mrzValue = viz.documentNumber;
            const auto i =
                static_cast<std::size_t>(rng.range(0, static_cast<int>(viz.documentNumber.size()) - 1));
            viz.documentNumber[i] = alteredChar(viz.documentNumber[i], rng);
            vizValue = viz.documentNumber;
        } else {
            field = "sex";
            mrzValue = viz.sex;
            viz.sex = viz.sex == "M" ? "F" : "M";
            vizValue = viz.sex;
        }
        f.detail = {{"field", field}, {"mrz_value", mrzValue}, {"viz_value", vizValue}};
        break;
    }
    case Forgery::UvBrightPaper:
        f.plan.uvBrightPaper = true;
        f.detail = {{"substrate", "optical brighteners"}};
        break;
    case Forgery::MrzIrTransparent:
        f.plan.mrzIrAbsorbing = false;
        f.detail = {{"mrz_ink", "IR-transparent"}};
        break;
    case Forgery::MrzFont:
        f.plan.mrzFont = rng.chance(0.5) ? FontId::DejaVuSansMono : FontId::LiberationMono;
        f.detail = {{"mrz_font", std::string(fontName(f.plan.mrzFont))}};
        break;
    case Forgery::PhotoSubstituted:
        f.plan.photoSubstituted = true;
        f.plan.portraitSeed = rng.next();
        f.detail = {{"white_face_seed", std::to_string(f.plan.portraitSeed)},
                    {"ir_face_seed", std::to_string(f.plan.irPortraitSeed)}};
        break;
    case Forgery::VizDyeInk:
        f.plan.vizIrAbsorbing = false;
        f.detail = {{"viz_ink", "IR-transparent dye"}};
        break;
    case Forgery::UvGlue:
        f.plan.uvGlue = true;
        f.detail = {{"patch", "UV-bright glue"}};
        break;
    case Forgery::VizReprinted: {
        Date d = data.expiry;
        d.year += rng.range(3, 8);
        if (d.month == 2 && d.day == 29)
            d.day = 28;
        const std::string original = viz.expiryDate;
        viz.expiryDate = vizDate(d, viz.dateStyle);
        f.plan.reprintedField = "expiry_date";
        f.detail = {{"field", "expiry_date"}, {"original", original}, {"reprinted", viz.expiryDate}};
        break;
    }
    case Forgery::MrzLayout: {
        const double n = g.lineLength;
        const double roomMm = g.widthMm - 1.0 - g.firstCharLeftMm;
        double factor = rng.chance(0.5) ? 0.92 : 0.95;
        if (rng.chance(0.3) && n * kMrzPitchMm * 1.04 <= roomMm - 0.5)
            factor = 1.04;
        f.plan.mrzPitchMm = kMrzPitchMm * factor;
        const double slackRight = roomMm - n * f.plan.mrzPitchMm;
        f.plan.mrzShiftXMm =
            std::clamp(rng.uniform(-3.0, 3.0), -(g.firstCharLeftMm - 1.0), std::max(0.0, slackRight));
        f.plan.mrzShiftYMm = rng.uniform(2.0, 4.0);
        f.detail = {{"pitch_mm", std::to_string(f.plan.mrzPitchMm)},
                    {"shift_x_mm", std::to_string(f.plan.mrzShiftXMm)},
                    {"shift_y_mm", std::to_string(f.plan.mrzShiftYMm)}};
        break;
    }
    case Forgery::SealSignature:
        f.detail = {{"seal", "one signature byte flipped"}};
        break;
    case Forgery::SealMrz:
        f.detail = {{"seal", "signed over an MRZ that differs from the printed one"}};
        break;
    }
    f.plan.mrzLines = f.mrz;
    return f;
}

} // namespace

std::string_view forgeryId(Forgery kind) noexcept
{
    switch (kind) {
    case Forgery::Genuine:
        return "genuine";
    case Forgery::MrzCheckDigit:
        return "mrz_check_digit";
    case Forgery::VizMismatch:
        return "viz_mismatch";
    case Forgery::UvBrightPaper:
        return "uv_bright_paper";
    case Forgery::MrzIrTransparent:
        return "mrz_ir_transparent";
    case Forgery::MrzFont:
        return "mrz_font";
    case Forgery::PhotoSubstituted:
        return "photo_substituted";
    case Forgery::VizDyeInk:
        return "viz_dye_ink";
    case Forgery::UvGlue:
        return "uv_glue";
    case Forgery::VizReprinted:
        return "viz_reprinted";
    case Forgery::MrzLayout:
        return "mrz_layout";
    case Forgery::SealSignature:
        return "seal_signature";
    case Forgery::SealMrz:
        return "seal_mrz";
    }
    return "genuine";
}

std::optional<Forgery> parseForgery(std::string_view id) noexcept
{
    if (id == "genuine")
        return Forgery::Genuine;
    for (Forgery f : kForgeries) {
        if (forgeryId(f) == id)
            return f;
    }
    return std::nullopt;
}

std::span<const Forgery> allForgeries() noexcept
{
    return kForgeries;
}

const FormatGeometry& formatGeometry(Format format) noexcept
{
    switch (format) {
    case Format::Td1:
        return kTd1;
    case Format::Td2:
        return kTd2;
    case Format::Td3:
        return kTd3;
    case Format::MrvA:
        return kMrvA;
    case Format::MrvB:
        return kMrvB;
    }
    return kTd3;
}

std::uint64_t captureSeed(std::uint64_t baseSeed, std::uint64_t index) noexcept
{
    return splitmix64(baseSeed ^ splitmix64(index + 1));
}

std::vector<SpecimenSpec> planSet(const SetPlan& plan)
{
    std::vector<SpecimenSpec> specs;
    if (plan.formats.empty())
        return specs;
    specs.reserve(plan.count);
    std::size_t forgedSoFar = 0;
    for (std::size_t i = 0; i < plan.count; ++i) {
        SpecimenSpec spec;
        spec.seed = captureSeed(plan.seed, i);
        spec.format = plan.formats[i % plan.formats.size()];
        const std::uint64_t pick = captureSeed(spec.seed, 0x5E1EC7);
        const double u = static_cast<double>(pick >> 11) * 0x1.0p-53;
        if (!plan.forgeries.empty() && u < plan.forgedShare) {
            // Seal kinds need seals; pass over them (at most the whole list once) when there are none.
            for (std::size_t tries = 0; tries < plan.forgeries.size(); ++tries) {
                const Forgery kind = plan.forgeries[forgedSoFar++ % plan.forgeries.size()];
                if (isSealForgery(kind) && !plan.seals)
                    continue;
                spec.forgery = kind;
                if (isSealForgery(kind))
                    spec.format = Format::MrvB;
                break;
            }
        }
        spec.dpiMin = plan.dpiMin;
        spec.dpiMax = plan.dpiMax;
        if (plan.dpiMin == plan.dpiMax)
            spec.dpi = plan.dpiMin;
        spec.clean = plan.clean;
        specs.push_back(std::move(spec));
    }
    return specs;
}

namespace {

gw::Result<Capture> render(const SpecimenSpec& spec);

} // namespace

gw::Result<Capture> renderSpecimen(const SpecimenSpec& spec)
{
    // The drawing code returns errors as values; this catches what slips through (allocation failure,
    // an OpenCV assertion outside the guarded blocks, a throwing SealMaker) so nothing leaves the library.
    try {
        return render(spec);
    } catch (const std::exception& e) {
        return gw::fail(gw::Errc::Internal, std::string("rendering failed: ") + e.what());
    }
}

namespace {

gw::Result<Capture> render(const SpecimenSpec& spec)
{
    if (spec.dpi && !(*spec.dpi >= 100 && *spec.dpi <= 1200))
        return gw::fail(gw::Errc::InvalidArgument,
                        "dpi must be within 100..1200, got " + std::to_string(*spec.dpi));
    if (!spec.dpi && !(spec.dpiMin >= 100 && spec.dpiMax <= 1200 && spec.dpiMin <= spec.dpiMax))
        return gw::fail(gw::Errc::InvalidArgument, "dpi range must lie within 100..1200 with min <= max");
    if (spec.rotationDeg && !(*spec.rotationDeg >= -45 && *spec.rotationDeg <= 45))
        return gw::fail(gw::Errc::InvalidArgument, "rotation must be within -45..45 degrees");

    Prng dataRng(spec.seed, "document-data");
    const DocumentData data = drawDocument(spec.format, dataRng);
    auto mrz = buildMrz(data.fields, spec.format);
    if (!mrz)
        return gw::fail(gw::Errc::Internal, "generated fields do not form an MRZ: " + mrz.error().message());
    auto forged = applyForgery(spec.forgery, spec.format, data, std::move(*mrz), spec.seed);
    if (!forged)
        return std::unexpected(forged.error());
    std::map<std::string, std::string> sealInfo;
    if (isSealForgery(spec.forgery) && (!spec.sealMaker || spec.format != Format::MrvB))
        return gw::fail(gw::Errc::InvalidArgument, "forgery " + std::string(forgeryId(spec.forgery)) +
                                                       " needs an MRV-B visa and a seal maker (--seals)");
    if (spec.sealMaker) {
        auto seal = spec.sealMaker(spec.format, forged->mrz, forged->fields, spec.seed, spec.forgery);
        if (!seal)
            return std::unexpected(seal.error());
        forged->plan.sealImage = seal->modules;
        sealInfo = seal->info;
    }

    // Draw every geometry value even when fixed, so that fixing one does not change the others.
    Prng geoRng(spec.seed, "geometry");
    const double drawnDpi = std::round(geoRng.uniform(spec.dpiMin, spec.dpiMax));
    const double drawnRotation = geoRng.uniform(-15.0, 15.0);
    const bool drawnUpsideDown = geoRng.chance(0.25);
    const double dpi = spec.dpi.value_or(drawnDpi);
    const double rotation = spec.rotationDeg.value_or(drawnRotation);
    const bool upsideDown = spec.upsideDown.value_or(drawnUpsideDown);
    const FormatGeometry& g = formatGeometry(spec.format);
    const Placement placement = placePage({g.widthMm, g.heightMm}, dpi, rotation, upsideDown, geoRng);

    Prng degRng(spec.seed, "degradations");
    Degradations degradations = drawDegradations(degRng);
    if (spec.clean)
        degradations = Degradations{};
    else if (spec.degradations)
        degradations = *spec.degradations;

    auto page = renderDocument(forged->plan, placement.pixelsPerMm);
    if (!page)
        return std::unexpected(page.error());
    auto frames = composeCapture(page->layers, placement, degradations, Prng(spec.seed, "noise").next());
    if (!frames)
        return std::unexpected(frames.error());

    Capture c;
    c.white = std::move(frames->white);
    c.ir = std::move(frames->ir);
    c.uv = std::move(frames->uv);
    Truth& t = c.truth;
    t.seed = spec.seed;
    t.format = spec.format;
    t.forgery = spec.forgery;
    t.mrz = forged->mrz;
    t.fields = forged->fields;
    t.viz = forged->plan.viz;
    t.mrzPrint = page->mrzPrint;
    t.geometry.dpi = dpi;
    t.geometry.pixelsPerMm = placement.pixelsPerMm;
    t.geometry.glassSizePx = placement.glassPx;
    t.geometry.documentSizeMm = {g.widthMm, g.heightMm};
    t.geometry.rotationDeg = rotation;
    t.geometry.upsideDown = upsideDown;
    t.geometry.documentCornersPx = placement.cornersPx;
    t.geometry.mrzBoxMm = page->mrzBoxMm;
    t.degradations = degradations;
    t.regionsMm = page->regionsMm;
    t.forgeryDetail = forged->detail;
    t.hasSeal = !forged->plan.sealImage.empty();
    if (t.hasSeal)
        t.sealInfo = sealInfo;
    return c;
}

} // namespace

} // namespace gw::specimen
