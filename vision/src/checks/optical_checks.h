// SPDX-License-Identifier: Apache-2.0
// The security checks that look at the images: print, infrared, ultraviolet, portrait, visual zone.
#pragma once

#include "checks/check_context.h"

namespace gw::vision::checks {

/// mrz.print: OCR-B glyph shapes, 2.54 mm pitch, line spacing, alignment, skew and position (9303-3..7).
CheckOutcome checkMrzPrint(const CheckContext& ctx);
/// ir.mrz_absorbs (IR,AB,MR): the MRZ stays dark under IR (print contrast >= 0.6) and reads the same.
CheckOutcome checkIrMrzAbsorbs(const CheckContext& ctx);
/// ir.viz_absorbs: the personal data of the visual zone absorbs IR (background print drops out).
CheckOutcome checkIrVizAbsorbs(const CheckContext& ctx);
/// photo.white_ir: the portrait under white light and under IR shows the same face.
CheckOutcome checkPhotoWhiteIr(const CheckContext& ctx);
/// uv.substrate_dull (UV,BR,FU): the substrate does not glow blue-white under UV (no optical brighteners).
CheckOutcome checkUvSubstrateDull(const CheckContext& ctx);
/// uv.false_luminescence: no local UV-bright patch on the MRZ, portrait or blank areas.
CheckOutcome checkUvFalseLuminescence(const CheckContext& ctx);
/// viz.mrz_consistency: the visual zone's document number, names, dates and sex agree with the MRZ.
CheckOutcome checkVizMrzConsistency(const CheckContext& ctx, VizTextReader* reader);

} // namespace gw::vision::checks
