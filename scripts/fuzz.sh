#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs every libFuzzer target under BUILD_DIR/tests/fuzz for SECONDS each, from a seed corpus in
# tests/fuzz/corpus/<target>/ when there is one. Fails on the first crash, leak or timeout.
set -euo pipefail
build="$(cd "${1:-build/fuzz}" && pwd)"; seconds="${2:-30}"
src="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shopt -s nullglob
targets=("$build"/tests/fuzz/fuzz_*)
if [ ${#targets[@]} -eq 0 ]; then
  echo "fuzz: no fuzz targets built in $build/tests/fuzz" >&2; exit 1
fi
for t in "${targets[@]}"; do
  [ -x "$t" ] || continue
  name=$(basename "$t")
  work=$(mktemp -d)
  seeds=()
  [ -d "$src/tests/fuzz/corpus/$name" ] && seeds=("$src/tests/fuzz/corpus/$name")
  echo "fuzz: $name for ${seconds}s"
  (cd "$work" && "$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      "$work" "${seeds[@]}" 2>&1 | tail -12)
  rm -rf "$work"
done
echo "fuzz: ${#targets[@]} targets ran clean"
