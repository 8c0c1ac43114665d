// SPDX-License-Identifier: Apache-2.0
// Visible Digital Seals on specimen visas and residence permits, signed by gw_specimen_seal.
#pragma once

#include <memory>

#include <gw/specimen/seal_writer.h>
#include <gw/specimen/specimen.h>

namespace gw::specimen {

/// @brief A SealMaker that signs with @p signer: ICAO visa seals on MRV-B visas and TR-03137
///        residence-permit seals on TD2 documents with code "AR". Other documents get no seal. The
///        passport number, the duration of stay and the seal date are drawn from the capture seed.
/// @note Only built when tests/specimen/seal exists (GW_SPECIMEN_HAVE_SEAL is then defined).
SealMaker makeSealMaker(std::shared_ptr<const SealSigner> signer);

} // namespace gw::specimen
