#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# make demo: runs the whole chain that exists so far, end to end, and says plainly what is not built yet.
#   scripts/demo.sh BUILD_DIR      (DEMO_EXIT=1: end after the last document instead of serving the page)
set -euo pipefail
build="${1:-build/host}"
have() { [ -x "$build/$1" ]; }

echo "Grenswacht demo ($(date -u +%FT%TZ))"
ran=0
if have vision/tools/docinspect/docinspect; then
  "$(dirname "$0")/demo-chain.sh" "$build"
  ran=1
fi
missing=()
have tests/specimen/specimen || missing+=("specimen generator (tests/specimen)")
have vision/tools/docinspect/docinspect || missing+=("docinspect (vision/tools/docinspect)")
have firmware/app/gw-firmware || missing+=("scanner firmware on the emulator board (firmware/app)")
have host/station/gw-station || missing+=("host station (host/station)")
if [ ${#missing[@]} -gt 0 ]; then
  echo
  echo "Not built yet, so not part of this demo:"
  printf '  - %s\n' "${missing[@]}"
fi
if [ "$ran" = 0 ]; then
  echo
  echo "Nothing of the inspection chain exists yet; the test suites show what does: make test"
fi
