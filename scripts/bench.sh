#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# make bench: prints the figures the issues ask for. Speed figures are medians from one run on this
# machine; instruction counts (callgrind) are machine-independent and stand for the ARM cost too.
#   scripts/bench.sh BUILD_DIR            (BENCH_COUNT=500 BENCH_SEED=20261124 TESS_CROPS=40
#                                          INSPECT_COUNT=600 INSPECT_SEED=20261125)
set -euo pipefail
build="${1:-build/host}"
count="${BENCH_COUNT:-500}"
seed="${BENCH_SEED:-20261124}"
crops="${TESS_CROPS:-40}"
sample_dir="$build/bench-sample-$seed"

if [ -x "$build/tests/specimen/specimen" ] && [ -x "$build/tests/bench/bench_mrz" ]; then
  echo "=== MRZ reader (issue 3) ==="
  # The set is rendered in memory (500 captures would be ~11 GB of PNG); rendering is not timed.
  "$build/tests/bench/bench_mrz" --generate "$count" --seed "$seed" --tesseract-crops "$crops"
  # A small set on disk for what needs files: peak memory of decode + read, and callgrind.
  if [ ! -f "$sample_dir/.complete" ]; then
    rm -rf "$sample_dir"
    "$build/tests/specimen/specimen" generate --out "$sample_dir" --count 10 --seed "$seed" --forgeries none >/dev/null
    touch "$sample_dir/.complete"
  fi
  echo "  on 10 captures from disk (PNG decode included in the memory figure):"
  "$build/tests/bench/bench_mrz" "$sample_dir" | grep -E "exact MRZ read|peak memory"
  if command -v valgrind >/dev/null; then
    for fn in 'gw::vision::reader::readMrz(*' 'gw::vision::inspect(*'; do
      out=$(mktemp)
      valgrind --tool=callgrind --callgrind-out-file="$out" --toggle-collect="$fn" \
        "$build/tests/bench/bench_mrz" "$sample_dir" --quiet >/dev/null 2>&1 || true
      ir=$(grep -E '^summary:' "$out" | awk '{print $2}')
      rm -f "$out"
      [ -n "$ir" ] && awk -v ir="$ir" -v f="${fn%%(*}" \
        'BEGIN { printf "  instructions per capture in %s (callgrind, 10 captures): %.1f M\n", f, ir / 10 / 1e6 }'
    done
  fi
else
  echo "bench: specimen or bench_mrz not built; skipping the MRZ benchmark"
fi

if [ -x "$build/tests/bench/bench_inspect" ]; then
  echo "=== Security checks and verdict (issue 4) ==="
  # Every forgery kind and genuine captures, rendered in memory on both cores; then the full inspection
  # timed on one thread over 40 captures.
  "$build/tests/bench/bench_inspect" --generate "${INSPECT_COUNT:-600}" --seed "${INSPECT_SEED:-20261125}" \
    --timing 40 --threads 2
  if command -v valgrind >/dev/null && [ -d "$sample_dir" ]; then
    out=$(mktemp)
    valgrind --tool=callgrind --callgrind-out-file="$out" --toggle-collect='gw::vision::inspect(*' \
      "$build/tests/bench/bench_inspect" "$sample_dir" --quiet >/dev/null 2>&1 || true
    ir=$(grep -E '^summary:' "$out" | awk '{print $2}')
    rm -f "$out"
    [ -n "$ir" ] && awk -v ir="$ir" \
      'BEGIN { printf "  instructions per capture in the full inspection, every check (callgrind, 10 captures): %.1f M\n", ir / 10 / 1e6 }'
  fi
fi

shopt -s nullglob
for b in "$build"/tests/bench/bench_*; do
  name=$(basename "$b")
  [ -x "$b" ] || continue
  [ "$name" = bench_mrz ] && continue
  [ "$name" = bench_inspect ] && continue
  echo "=== $name ==="
  "$b"
done
