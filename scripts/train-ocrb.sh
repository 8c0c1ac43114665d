#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Regenerates vision/src/ocr/ocrb_model.inc, the compact OCR-B classifier, from synthetic lines only.
# Deterministic: fixed seed, own random distributions, one thread, so the same machine and packages give a
# byte-identical file (about 2 minutes on one core).
#
# Usage: scripts/train-ocrb.sh [extra train_ocrb options]
#   GW_BUILD_DIR  build folder for the tool (default build/train-ocrb; configured if missing)
#   GW_OCRB_OUT   output file (default vision/src/ocr/ocrb_model.inc)
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${GW_BUILD_DIR:-build/train-ocrb}
OUT=${GW_OCRB_OUT:-vision/src/ocr/ocrb_model.inc}
FONT=/usr/share/fonts/opentype/ocr-b/OCRB.otf
[[ -f $FONT ]] || { echo "missing $FONT: apt-get install fonts-ocr-b" >&2; exit 1; }

if [[ ! -f $BUILD/build.ninja ]]; then
    cmake --preset host -B "$BUILD" --log-level=WARNING -DGW_BUILD_TESTS=OFF -DGW_BUILD_HOST=OFF
fi
cmake --build "$BUILD" -j2 --target train_ocrb
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
"$BUILD"/vision/tools/train_ocrb/train_ocrb --font "$FONT" --out "$tmp" "$@"
cp "$tmp" "$OUT"
echo "model written to $OUT; rebuild gw_vision to use it"
