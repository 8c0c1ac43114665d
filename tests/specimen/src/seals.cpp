// SPDX-License-Identifier: Apache-2.0
// Visible Digital Seals on specimen visas and residence permits, signed by gw_specimen_seal.
#include <array>
#include <span>

#include <gw/specimen/seals.h>

#include "prng.h"

namespace gw::specimen {

SealMaker makeSealMaker(std::shared_ptr<const SealSigner> signer)
{
    return [signer](Format format, const std::vector<std::string>& mrz, const DocumentFields& fields,
                    std::uint64_t seed, Forgery forgery) -> gw::Result<SealPrint> {
        const bool visa = format == Format::MrvB;
        const bool permit = format == Format::Td2 && fields.documentCode == "AR";
        if (!signer || (!visa && !permit))
            return SealPrint{};
        Prng rng(seed, "seal");
        constexpr std::string_view kAlnum = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789";
        std::string passport;
        for (int i = 0; i < 9; ++i)
            passport.push_back(
                kAlnum[static_cast<std::size_t>(rng.range(0, static_cast<int>(kAlnum.size()) - 1))]);
        constexpr std::array<int, 4> kStays{15, 30, 60, 90};
        const int stayDays = rng.pick(std::span<const int>(kStays));
        const vision::SealDate date{rng.range(2021, 2025), rng.range(1, 12), rng.range(1, 28)};

        auto spec = visa ? visaSealSpec(mrz, passport, stayDays, *signer, date)
                         : residencePermitSealSpec(mrz, passport, *signer, date);
        if (!spec)
            return std::unexpected(spec.error());
        const SealForgery tamper = forgery == Forgery::SealSignature ? SealForgery::FlippedSignatureByte
                                   : forgery == Forgery::SealMrz     ? SealForgery::MrzMismatch
                                                                     : SealForgery::None;
        auto bytes = writeSealWithForgery(std::move(*spec), *signer, tamper);
        if (!bytes)
            return std::unexpected(bytes.error());
        auto matrix = renderDataMatrix(*bytes, 1, 0);
        if (!matrix)
            return std::unexpected(matrix.error());
        SealPrint out;
        out.modules = *matrix;
        out.info = {{"kind", visa ? "visa" : "residence_permit"},
                    {"passport_number", passport},
                    {"signer", signer->signerIdentifier()},
                    {"certificate_reference", signer->certificateReference()},
                    {"date", date.iso()},
                    {"forgery", tamper == SealForgery::None ? "none" : std::string(forgeryId(forgery))}};
        if (visa)
            out.info["duration_of_stay_days"] = std::to_string(stayDays);
        return out;
    };
}

} // namespace gw::specimen
