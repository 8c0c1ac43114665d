#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# make bench: every benchmark that exists prints its figures; the rest are named as not built yet.
set -euo pipefail
build="${1:-build/host}"
ran=0
shopt -s nullglob
for b in "$build"/tests/bench/bench_*; do
  [ -x "$b" ] || continue
  echo "=== $(basename "$b") ==="
  "$b"
  ran=1
done
[ "$ran" = 1 ] || echo "bench: no benchmarks are built yet (tests/bench)"
