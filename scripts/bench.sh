#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# make bench: prints the figures the issues ask for. Speed figures are medians from one run on this
# machine; instruction counts (callgrind) are machine-independent and stand for the ARM cost too.
#   scripts/bench.sh BUILD_DIR            (BENCH_COUNT=500 BENCH_SEED=20261124 TESS_CROPS=40)
set -euo pipefail
build="${1:-build/host}"
count="${BENCH_COUNT:-500}"
seed="${BENCH_SEED:-20261124}"
crops="${TESS_CROPS:-40}"
set_dir="$build/bench-set-$count-$seed"

if [ -x "$build/tests/specimen/specimen" ] && [ -x "$build/tests/bench/bench_mrz" ]; then
  if [ ! -f "$set_dir/.complete" ]; then
    echo "bench: generating $count specimen captures (seed $seed) into $set_dir"
    rm -rf "$set_dir"
    "$build/tests/specimen/specimen" generate --out "$set_dir" --count "$count" --seed "$seed" --forgeries none
    touch "$set_dir/.complete"
  fi
  echo "=== MRZ reader (issue 3) ==="
  "$build/tests/bench/bench_mrz" "$set_dir" --tesseract-crops "$crops"
  if command -v valgrind >/dev/null; then
    sample=10
    out=$(mktemp)
    valgrind --tool=callgrind --callgrind-out-file="$out" --toggle-collect='gw::vision::inspect(*' \
      "$build/tests/bench/bench_mrz" "$set_dir" --limit "$sample" --quiet >/dev/null 2>&1 || true
    ir=$(grep -E '^(summary|totals):' "$out" | head -1 | awk '{print $2}')
    rm -f "$out"
    if [ -n "$ir" ]; then
      awk -v ir="$ir" -v n="$sample" 'BEGIN { printf "  instructions per capture (callgrind, inspect() on %d captures): %.1f M\n", n, ir / n / 1e6 }'
    fi
  fi
else
  echo "bench: specimen or bench_mrz not built; skipping the MRZ benchmark"
fi

shopt -s nullglob
for b in "$build"/tests/bench/bench_*; do
  name=$(basename "$b")
  [ -x "$b" ] || continue
  [ "$name" = bench_mrz ] && continue
  echo "=== $name ==="
  "$b"
done
