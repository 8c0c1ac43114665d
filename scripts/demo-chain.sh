#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The part of the chain that exists today: specimen documents -> docinspect (the vision library) ->
# verdicts, printed next to what each document really is.
set -euo pipefail
build="$1"
out="$build/demo"
rm -rf "$out"
echo
echo "1. Generating specimen documents (genuine and forged) with the specimen generator"
"$build/tests/specimen/specimen" generate --out "$out/captures" --count 10 --seed 424242 --forgeries all \
  --forged-share 0.4 >/dev/null
echo "2. Inspecting each capture with docinspect (locate, normalise, read the MRZ, check, decide)"
echo
printf '%-26s %-20s %-7s %s\n' "capture" "truth" "verdict" "first reason"
for dir in "$out"/captures/*/; do
  name=$(basename "$dir")
  truth=$(sed -n 's/.*"forgery": *"\([a-z_]*\)".*/\1/p' "$dir/truth.json" | head -1)
  json=$("$build/vision/tools/docinspect/docinspect" inspect "$dir" --date 2026-01-01 2>&1) || {
    printf '%-26s %-20s %-7s %s\n' "$name" "$truth" "ERROR" "$json"; continue; }
  verdict=$(echo "$json" | sed -n 's/.*"verdict":"\([A-Z]*\)".*/\1/p')
  reason=$(echo "$json" | sed -n 's/.*"reasons":\[{"check":"[^"]*","en":"\([^"]*\)".*/\1/p' | cut -c1-70)
  printf '%-26s %-20s %-7s %s\n' "$name" "$truth" "$verdict" "${reason:--}"
done
echo
echo "Reports: $build/vision/tools/docinspect/docinspect inspect $out/captures/<capture> --pretty"
